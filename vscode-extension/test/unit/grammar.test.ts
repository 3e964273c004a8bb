/** The TextMate grammar over the examples (the one valid corpus) and over every keyword. */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { before, test } from "node:test";
import * as path from "path";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";
import { python } from "./coordUnderTest";

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

/** The valid corpus: the examples and the standard library's modules. */
function exampleFiles(): string[] {
  const std = path.join(root, "..", "coordlang", "std");
  return fs.readdirSync(examples)
    .filter((d) => fs.statSync(path.join(examples, d)).isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(examples, d)).filter((f) => f.endsWith(".coord")).map((f) => path.join(examples, d, f)))
    .concat(fs.readdirSync(std).filter((f) => f.endsWith(".coord")).map((f) => path.join(std, f)));
}

test("every example tokenizes with no invalid scope, and every line ends outside a string", () => {
  const files = exampleFiles();
  assert.ok(files.length >= 20, `examples and std modules found: ${files.length}`);
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

/** The scope a token of coordlang's tokenizer must get (a prefix of one of its scopes). */
function expectedScope(kind: string, previous: string | null, next: string | null): RegExp | undefined {
  switch (kind) {
    case "COMMENT": return /^comment\.line/;
    case "STRING": return /^string\.quoted/;
    case "DURATION": return /^constant\.numeric\.duration/;
    case "FLOAT": return /^constant\.numeric\.float/;
    case "INT": return /^constant\.numeric\.integer/;
    case "TRUE": case "FALSE": case "NONE": case "AND": case "OR": case "NOT":
    case "BAD": case "NAME": case "ERROR_DECL": case "ERROR_STMT": case "ERROR_EXPR": case "ERROR_ITEM": return undefined;
  }
  if (/^[A-Z]+$/.test(kind) && !["LBRACE", "RBRACE", "LPAR", "RPAR", "LSQB", "RSQB", "COMMA", "COLON", "DOT", "DOTDOT", "ARROW",
    "EQ", "EQEQ", "NE", "LT", "LE", "GT", "GE", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "QUOTE"].includes(kind)) {
    // A keyword: a name after '.' (or in a module path) or before ':' (a field, an argument's name).
    if (previous === "DOT") return /^(variable\.other\.property|entity\.name\.namespace)/;
    if (next === "COLON") return /^variable\.(other\.field|parameter)/;
    if ((previous === "COLON" || previous === "ARROW") && ["EVENT", "HANDLER", "POLICY"].includes(kind)) return /^support\.type/; // a pattern parameter's type: `h: handler`
    return /^(keyword|storage\.type)/;
  }
  // The dots of a module path are part of its name: `module shop.orders`, `import std.saga`.
  return kind === "DOT" ? /^(punctuation|entity\.name\.namespace)/ : /^(keyword\.operator|punctuation)/;
}

test("the grammar agrees with coordlang's tokenizer on every token of the corpus", () => {
  const files = exampleFiles();
  const out = execFileSync(python(), [path.join(root, "test", "unit", "tokens.py"), ...files],
    { env: { ...process.env, PYTHONPATH: path.join(root, "..") }, encoding: "utf8", maxBuffer: 64 << 20 });
  const scopesOf = new Map<string, string[][][]>();
  for (const file of files) {
    const perLine: string[][][] = [];
    let stack = textmate.INITIAL;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const result = grammar.tokenizeLine(line, stack);
      stack = result.ruleStack;
      const columns: string[][] = [];
      for (const t of result.tokens) for (let c = t.startIndex; c < t.endIndex; c++) columns[c] = t.scopes;
      perLine.push(columns);
    }
    scopesOf.set(file, perLine);
  }
  const wrong: string[] = [];
  let checked = 0;
  for (const row of out.trim().split("\n")) {
    const [file, kind, line, start, end, previous, next] = JSON.parse(row);
    const want = expectedScope(kind, previous, next);
    if (!want) continue;
    checked++;
    const columns = scopesOf.get(file)![line];
    for (let c = start; c < end; c++) {
      if (!(columns[c] ?? []).some((s) => want.test(s))) {
        wrong.push(`${path.basename(file)}:${line + 1}:${c + 1}: ${kind} has ${(columns[c] ?? []).join(" ")}, wants ${want}`);
        break;
      }
    }
  }
  assert.ok(checked > 3000, `tokens checked: ${checked}`);
  assert.deepEqual(wrong.slice(0, 20), []);
});
