/** The TextMate grammar over the examples (the one valid corpus) and over every keyword. */
import { strict as assert } from "assert";
import * as fs from "fs";
import { before, test } from "node:test";
import * as path from "path";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const root = path.join(__dirname, "..", "..", "..");
const examples = path.join(root, "..", "examples");
let grammar: textmate.IGrammar;

before(async () => {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => {
      const file = path.join(root, "syntaxes", "coord.tmLanguage.json");
      return textmate.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  const loaded = await registry.loadGrammar("source.coord");
  assert.ok(loaded);
  grammar = loaded;
});

function tokens(text: string): Array<{ text: string; scopes: string[]; line: number }> {
  const out = [];
  let stack = textmate.INITIAL;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const result = grammar.tokenizeLine(lines[i], stack);
    stack = result.ruleStack;
    for (const t of result.tokens) out.push({ text: lines[i].slice(t.startIndex, t.endIndex), scopes: t.scopes, line: i + 1 });
  }
  return out;
}

function exampleFiles(): string[] {
  return fs.readdirSync(examples)
    .filter((d) => fs.statSync(path.join(examples, d)).isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(examples, d)).filter((f) => f.endsWith(".coord")).map((f) => path.join(examples, d, f)));
}

test("every example tokenizes with no invalid scope, and every line ends outside a string", () => {
  const files = exampleFiles();
  assert.ok(files.length >= 8, `examples found: ${files.length}`);
  for (const file of files) {
    const all = tokens(fs.readFileSync(file, "utf8"));
    const bad = all.filter((t) => t.scopes.some((s) => s.startsWith("invalid")));
    assert.deepEqual(bad.map((t) => `${path.basename(file)}:${t.line}: ${JSON.stringify(t.text)} ${t.scopes.join(" ")}`), []);
  }
});

test("every keyword of the language has a keyword's scope where it starts a line", () => {
  const source = fs.readFileSync(path.join(root, "..", "coordlang", "syntax", "tokens.py"), "utf8");
  const words = /KEYWORDS = frozenset\("""([^"]+)"""/.exec(source)?.[1].split(/\s+/).filter(Boolean) ?? [];
  assert.ok(words.length > 40, "the keyword list of coordlang/syntax/tokens.py");
  for (const word of words) {
    const first = tokens(`${word} x`)[0];
    assert.equal(first.text, word);
    assert.match(first.scopes.join(" "), /keyword|storage\.type|constant\.language/, word);
    const member = tokens(`a.${word}`).find((t) => t.text === word);
    assert.ok(member?.scopes.includes("variable.other.property.coord"), `a.${word}`);
  }
});
