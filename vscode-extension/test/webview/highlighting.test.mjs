// The TextMate grammar as VSCode applies it (vscode-textmate with the Oniguruma engine, the
// libraries VSCode itself uses), rendered to a page in headless Chromium with Dark+ colours:
// every example is highlighted with no `invalid` token, keywords, strings, durations and
// comments get their colours, and the order saga's screenshot is the one in the README
// (COORD_HIGHLIGHT_SCREENSHOT=PATH saves it; media/screenshots/highlighting.png was made so).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const EXTENSION = join(HERE, "../..");
const EXAMPLES = join(EXTENSION, "../examples");
const CHROMIUM = process.env.COORD_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// Dark+ colours by scope prefix, the most specific first (as a theme's rules are matched).
const THEME = [
  ["comment", "#6a9955"], ["string", "#ce9178"], ["constant.character.escape", "#d7ba7d"],
  ["constant.numeric", "#b5cea8"], ["keyword.other.unit", "#b5cea8"], ["constant.language", "#569cd6"],
  ["keyword.operator", "#d4d4d4"],
  ["keyword", "#c586c0"], ["storage", "#569cd6"], ["support.type", "#4ec9b0"], ["entity.name.type", "#4ec9b0"],
  ["entity.name.function", "#dcdcaa"], ["entity.name", "#4ec9b0"], ["variable", "#9cdcfe"],
  ["punctuation.section.embedded", "#569cd6"],
];
const colour = (scopes) => {
  for (const scope of [...scopes].reverse()) {
    const found = THEME.find(([prefix]) => scope === prefix || scope.startsWith(prefix + "."));
    if (found) return found[1];
  }
  return "#d4d4d4";
};

let grammar, context, profile;

before(async () => {
  const tm = require("vscode-textmate");
  const onig = require("vscode-oniguruma");
  const wasm = readFileSync(join(dirname(require.resolve("vscode-oniguruma")), "onig.wasm")).buffer;
  await onig.loadWASM(wasm);
  const registry = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new onig.OnigScanner(p), createOnigString: (s) => new onig.OnigString(s) }),
    loadGrammar: async () => tm.parseRawGrammar(readFileSync(join(EXTENSION, "syntaxes/coord.tmLanguage.json"), "utf8"),
      "coord.tmLanguage.json"),
  });
  grammar = await registry.loadGrammar("source.coord");
  assert.ok(existsSync(CHROMIUM), `the highlighting test renders in Debian's chromium at ${CHROMIUM}, which is not there: ` +
    "install it ('sudo apt-get install chromium', or run .ci/run as root), or set COORD_CHROMIUM");
  const { chromium } = require("playwright-core");
  profile = mkdtempSync(join(tmpdir(), "coord-highlight-profile-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// Each line as [text, scopes] pieces, the grammar's state carried from line to line.
function tokenize(text) {
  const tm = require("vscode-textmate");
  let state = tm.INITIAL;
  return text.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]);
  });
}

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function html(lines, title, first = 1) {
  const body = lines.map((pieces, n) => `<span class="n">${String(n + first).padStart(3)}</span>  ` + pieces.map(([text, scopes]) =>
    `<span style="color:${colour(scopes)}">${escape(text)}</span>`).join("")).join("\n");
  return `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><style>
    body { margin: 0; background: #1e1e1e; } pre { margin: 0; padding: 12px 16px; font: 13px/1.5 "DejaVu Sans Mono", monospace; color: #d4d4d4; }
    .n { color: #858585; }</style><pre>${body}</pre>`;
}

const programs = readdirSync(EXAMPLES).map((name) => join(EXAMPLES, name, `${name}.coord`)).filter(existsSync);

test("every example is highlighted, with no invalid token", () => {
  assert.ok(programs.length >= 8);
  for (const program of programs) {
    const lines = tokenize(readFileSync(program, "utf8"));
    const invalid = lines.flatMap((pieces, n) => pieces.filter(([, scopes]) => scopes.some((s) => s.startsWith("invalid")))
      .map(([text]) => `${program}:${n + 1}: ${text}`));
    assert.deepEqual(invalid, []);
  }
});

test("the order saga rendered: keywords, strings, durations and comments in their colours", async () => {
  const program = join(EXAMPLES, "order_saga/order_saga.coord");
  const lines = tokenize(readFileSync(program, "utf8"));
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.setContent(html(lines.slice(26, 80), "order_saga.coord", 27)); // both versions of Order
  const colours = await page.evaluate(() => {
    const spans = [...document.querySelectorAll("pre span:not(.n)")];
    const of = (text) => spans.find((s) => s.textContent.trim() === text)?.style.color;
    const starting = (text) => spans.find((s) => s.textContent.trim().startsWith(text))?.style.color;
    const seven = spans.findIndex((s, i) => s.textContent === "7" && spans[i + 1]?.textContent === "d");
    return { workflow: of("workflow"), select: of("select"), days: spans[seven]?.style.color,
             unit: spans[seven + 1]?.style.color, text: spans.find((s) => s.textContent === "order ")?.style.color,
             comment: starting("The current version") };
  });
  assert.equal(colours.workflow, "rgb(86, 156, 214)", "a declaration keyword");
  assert.equal(colours.select, "rgb(197, 134, 192)", "a statement keyword");
  assert.equal(colours.days, "rgb(181, 206, 168)", "a duration");
  assert.equal(colours.unit, "rgb(181, 206, 168)", "a duration's unit");
  assert.equal(colours.text, "rgb(206, 145, 120)", "a string");
  assert.equal(colours.comment, "rgb(106, 153, 85)", "a comment");
  const shot = join(mkdtempSync(join(tmpdir(), "coord-highlight-")), "order_saga.png");
  await page.screenshot({ path: process.env.COORD_HIGHLIGHT_SCREENSHOT || shot, fullPage: true });
  assert.ok(statSync(process.env.COORD_HIGHLIGHT_SCREENSHOT || shot).size > 10_000);
  await page.close();
});
