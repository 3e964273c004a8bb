/**
 * The bundle (dist/extension.js) activated against a stand-in for the `vscode` module: every
 * command of the manifest is registered, the debugger's pieces are, and a session is routed
 * to coord dap or to debugpy's port. coord is not on the stand-in's PATH, so the user is told
 * the fix and no server starts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import Module from "module";
import { test } from "node:test";
import * as path from "path";

const root = path.join(__dirname, "..", "..", "..");

/** Anything not stubbed below: a constructible, callable, endlessly deep object. */
function anything(): unknown {
  const fn = function () { return undefined; };
  return new Proxy(fn, { get: (_t, key) => (key === "then" ? undefined : anything()), construct: () => ({}) });
}

function standIn(settings: Record<string, unknown>) {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const errors: string[] = [];
  const factories: Record<string, { createDebugAdapterDescriptor(session: unknown): unknown }> = {};
  const disposable = { dispose() {} };
  const event = () => disposable;
  class DebugAdapterServer { constructor(public port: number, public host?: string) {} }
  class DebugAdapterExecutable { constructor(public command: string, public args: string[]) {} }
  const uri = (fsPath: string) => ({ fsPath, scheme: "file", path: fsPath, toString: () => "file://" + fsPath });
  const api: Record<string, unknown> = {
    window: {
      createOutputChannel: () => ({ appendLine() {}, show() {}, dispose() {} }),
      showErrorMessage: async (message: string) => { errors.push(message); return undefined; },
      showWarningMessage: async () => undefined,
      showInformationMessage: async () => undefined,
      activeTextEditor: undefined,
    },
    commands: {
      registerCommand: (name: string, run: (...args: unknown[]) => unknown) => { commands.set(name, run); return disposable; },
      executeCommand: async () => undefined,
    },
    workspace: {
      getConfiguration: () => ({ get: (key: string, fallback: unknown) => (key in settings ? settings[key] : fallback) }),
      workspaceFolders: [],
      textDocuments: [],
      onDidChangeTextDocument: event,
      onDidChangeConfiguration: event,
      createFileSystemWatcher: () => ({ dispose() {}, onDidChange: event, onDidCreate: event, onDidDelete: event }),
      getWorkspaceFolder: () => undefined,
    },
    debug: {
      registerDebugAdapterDescriptorFactory: (type: string, factory: never) => { factories[type] = factory; return disposable; },
      registerDebugConfigurationProvider: () => disposable,
      registerDebugAdapterTrackerFactory: () => disposable,
      startDebugging: async () => true,
    },
    env: { shell: "/bin/sh" },
    Uri: { file: uri, parse: (s: string) => uri(s.replace(/^file:\/\//, "")), joinPath: (u: { fsPath: string }, ...parts: string[]) => uri(path.join(u.fsPath, ...parts)) },
    DebugAdapterServer,
    DebugAdapterExecutable,
    DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
    ViewColumn: { Beside: -2 },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
  };
  const vscode = new Proxy(api, { get: (t, key: string) => (key in t ? t[key] : anything()) }) as { Uri: { file: typeof uri } };
  return { vscode, commands, errors, factories, DebugAdapterServer, DebugAdapterExecutable };
}

test("activation registers every command and the debugger, and routes sessions", async () => {
  const settings: Record<string, unknown> = { "server.path": "", pythonPath: "" };
  const fake = standIn(settings);
  const savedPath = process.env.PATH;
  const bundle = path.join(root, "dist", "extension.js");
  assert.ok(fs.existsSync(bundle), "npm run build first");
  const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
  (Module as unknown as { _load: unknown })._load = (request: string, ...rest: unknown[]) => (request === "vscode" ? fake.vscode : load(request, ...rest));
  process.env.PATH = "";
  try {
    delete require.cache[bundle];
    const extension = require(bundle);
    await extension.activate({ subscriptions: [], extensionUri: fake.vscode.Uri.file(root) });
  } finally {
    (Module as unknown as { _load: unknown })._load = load;
    process.env.PATH = savedPath;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  for (const { command } of manifest.contributes.commands) assert.ok(fake.commands.has(command), command);
  assert.match(fake.errors.join("\n"), /cannot find the `coord` command/);

  const factory = fake.factories.coord;
  const child = factory.createDebugAdapterDescriptor({ configuration: { type: "coord", request: "attach", name: "handlers", connect: { host: "127.0.0.1", port: 53211 } } });
  assert.ok(child instanceof fake.DebugAdapterServer);
  assert.deepEqual({ ...(child as object) }, { port: 53211, host: "127.0.0.1" });
  process.env.PATH = "";
  try {
    assert.throws(() => factory.createDebugAdapterDescriptor({ configuration: { type: "coord", request: "launch", program: "p.coord", events: "e.jsonl" } }),
      /cannot find the `coord` command/);
  } finally {
    process.env.PATH = savedPath;
  }
  settings.pythonPath = process.execPath; // any file: the descriptor is built, not started
  const adapter = factory.createDebugAdapterDescriptor({ configuration: { type: "coord", request: "launch", program: "p.coord", events: "e.jsonl" } });
  assert.ok(adapter instanceof fake.DebugAdapterExecutable);
  assert.deepEqual({ ...(adapter as object) }, { command: process.execPath, args: ["-m", "coordlang", "dap"] });
});
