/** A stand-in for the `vscode` module: what the extension calls, recorded; anything else inert. */
import Module from "module";
import * as path from "path";

/** Anything not stubbed below: a constructible, callable, endlessly deep object. */
function anything(): unknown {
  const fn = function () { return undefined; };
  return new Proxy(fn, { get: (_t, key) => (key === "then" ? undefined : anything()), construct: () => ({}) });
}

type Listener = (e: unknown) => void;

export interface Panel {
  viewType: string;
  options: { enableScripts?: boolean; localResourceRoots?: Array<{ fsPath: string }> };
  html: string;
  posted: unknown[];
  receive(message: unknown): void;
}

export function standIn(settings: Record<string, unknown>) {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const errors: string[] = [];
  const warnings: string[] = [];
  const panels: Panel[] = [];
  const typed: string[] = [];
  const debugged: unknown[] = [];
  const shown: Array<{ uri: string; line: number }> = [];
  const documentChanges: Listener[] = [];
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
      showWarningMessage: async (message: string) => { warnings.push(message); return undefined; },
      showInformationMessage: async () => undefined,
      createWebviewPanel: (viewType: string, _title: string, _column: unknown, options: Panel["options"]) => {
        let received: Listener = () => undefined;
        const panel: Panel = { viewType, options, html: "", posted: [], receive: (m) => received(m) };
        panels.push(panel);
        return {
          webview: {
            set html(value: string) { panel.html = value; },
            cspSource: "https://stand-in.vscode-cdn.net",
            asWebviewUri: (u: { fsPath: string }) => ({ toString: () => "https://stand-in.vscode-cdn.net" + u.fsPath }),
            postMessage: async (m: unknown) => { panel.posted.push(m); return true; },
            onDidReceiveMessage: (listener: Listener) => { received = listener; return disposable; },
          },
          reveal() {},
          onDidDispose: event,
          dispose() {},
        };
      },
      createTerminal: () => ({ show() {}, sendText: (text: string) => typed.push(text), exitStatus: undefined }),
      activeTextEditor: undefined,
      visibleTextEditors: [],
      showTextDocument: async (u: { toString(): string }, options: { selection: { line: number } }) => {
        shown.push({ uri: u.toString(), line: options.selection.line });
        return { revealRange() {} };
      },
    },
    commands: {
      registerCommand: (name: string, run: (...args: unknown[]) => unknown) => { commands.set(name, run); return disposable; },
      executeCommand: async () => undefined,
    },
    workspace: {
      getConfiguration: () => ({ get: (key: string, fallback: unknown) => (key in settings ? settings[key] : fallback) }),
      workspaceFolders: [],
      textDocuments: [],
      onDidChangeTextDocument: (listener: Listener) => { documentChanges.push(listener); return disposable; },
      onDidChangeConfiguration: event,
      createFileSystemWatcher: () => ({ dispose() {}, onDidChange: event, onDidCreate: event, onDidDelete: event }),
      getWorkspaceFolder: () => undefined,
    },
    debug: {
      registerDebugAdapterDescriptorFactory: (type: string, factory: never) => { factories[type] = factory; return disposable; },
      registerDebugConfigurationProvider: () => disposable,
      registerDebugAdapterTrackerFactory: () => disposable,
      startDebugging: async (_folder: unknown, configuration: unknown) => { debugged.push(configuration); return true; },
    },
    env: { shell: "/bin/sh" },
    Uri: { file: uri, parse: (s: string) => uri(s.replace(/^file:\/\//, "")), joinPath: (u: { fsPath: string }, ...parts: string[]) => uri(path.join(u.fsPath, ...parts)) },
    DebugAdapterServer,
    DebugAdapterExecutable,
    DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
    ViewColumn: { One: 1, Beside: -2 },
    Range: class { line: number; constructor(line: number) { this.line = line; } },
    TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
  };
  const vscode = new Proxy(api, { get: (t, key: string) => (key in t ? t[key] : anything()) }) as { Uri: { file: typeof uri } };
  /** A document changed, as VSCode tells the extension. */
  const changeDocument = (fsPath: string) => documentChanges.forEach((l) => l({ document: { uri: uri(fsPath) } }));
  return { vscode, commands, errors, warnings, panels, typed, debugged, shown, factories, changeDocument, DebugAdapterServer, DebugAdapterExecutable };
}

/** Requires `file` with the stand-in as its `vscode` module. */
export function requireWith(vscode: unknown, file: string): any {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = (request: string, ...rest: unknown[]) => (request === "vscode" ? vscode : load(request, ...rest));
  try {
    delete require.cache[file];
    return require(file);
  } finally {
    loader._load = load;
  }
}
