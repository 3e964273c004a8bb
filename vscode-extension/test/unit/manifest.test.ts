/** package.json against the contracts: the server's code lens commands, the debugger, the settings. */
import { strict as assert } from "assert";
import * as fs from "fs";
import { test } from "node:test";
import * as path from "path";

const root = path.join(__dirname, "..", "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const contributes = manifest.contributes;

test("the code lens commands of coord lsp are the extension's commands", () => {
  const lenses = fs.readFileSync(path.join(root, "..", "lsp", "features", "lenses.py"), "utf8");
  const fromServer = [...lenses.matchAll(/"(coordlang\.\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(fromServer.sort(), ["coordlang.debug", "coordlang.run", "coordlang.showGraph"]);
  const commands = contributes.commands.map((c: { command: string }) => c.command);
  for (const command of [...fromServer, "coordlang.recordRun"]) assert.ok(commands.includes(command), command);
  const source = fs.readdirSync(path.join(root, "src")).map((f) => fs.readFileSync(path.join(root, "src", f), "utf8")).join("\n");
  for (const command of commands) assert.ok(source.includes(`"${command}"`), `${command} is registered`);
});

test("the coord debugger lists python among its breakpoint languages, and coord and python files take breakpoints", () => {
  const [debugger_] = contributes.debuggers;
  assert.equal(debugger_.type, "coord");
  assert.deepEqual(debugger_.languages, ["coord", "python"]);
  // Python too, so handler breakpoints can be set without the Python extension.
  assert.deepEqual(contributes.breakpoints, [{ language: "coord" }, { language: "python" }]);
  assert.deepEqual(debugger_.configurationAttributes.launch.required, ["program", "events"]);
  assert.ok(debugger_.configurationAttributes.attach.properties.connect);
});

test("the settings the server reads are contributed under coordlang.*", () => {
  const properties = Object.keys(contributes.configuration.properties);
  for (const key of ["server.path", "pythonPath", "trace.server", "profileLogs", "diagnosticsDelay", "inlayHints.types",
    "inlayHints.retryTime", "codeLens.run", "codeLens.debug", "codeLens.graph"]) {
    assert.ok(properties.includes(`coordlang.${key}`), key);
  }
});

test("an untrusted workspace cannot choose what runs: the executable, the Python, the logs whose replay imports handlers", () => {
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(),
    ["coordlang.profileLogs", "coordlang.pythonPath", "coordlang.server.path"]);
});

test("the files the manifest names exist", () => {
  for (const file of [contributes.languages[0].configuration, contributes.grammars[0].path, contributes.snippets[0].path]) {
    assert.ok(fs.existsSync(path.join(root, file)), file);
  }
  const snippets = JSON.parse(fs.readFileSync(path.join(root, contributes.snippets[0].path), "utf8"));
  const prefixes = Object.values(snippets).map((s) => (s as { prefix: string }).prefix);
  for (const form of ["module", "import", "event", "handler", "policy", "workflow", "on", "stream", "pattern", "migrate",
    "let", "do", "await", "select", "sleep", "if", "for", "parallel", "race", "call", "emit", "try", "complete", "fail", "use", "label", "when"]) {
    assert.ok(prefixes.includes(form), form);
  }
});
