/** The settings the language server gets, and the folder recorded runs go to. No `vscode` import. */
import * as path from "path";
import { timestampName } from "./commandLine";

/** Reads a `coordlang.*` setting (VSCode's WorkspaceConfiguration.get, or a test's table). */
export type Get = <T>(key: string, fallback: T) => T;

/**
 * The server's settings (docs/editor.md, "Settings"), sent as `initializationOptions` and in
 * `workspace/didChangeConfiguration` under `coordlang`. Only what the server reads: the
 * extension's own settings (the executable, the trace) stay in the editor.
 */
export function serverSettings(get: Get): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    diagnosticsDelay: get("diagnosticsDelay", 200),
    inlayHints: { types: get("inlayHints.types", true), retryTime: get("inlayHints.retryTime", true) },
    codeLens: { run: get("codeLens.run", true), debug: get("codeLens.debug", true), graph: get("codeLens.graph", true) },
  };
  const logs = get("profileLogs", "").trim();
  // The server takes a relative folder from the first workspace folder, as the editor does.
  settings.profileLogs = logs ? logs : null;
  return settings;
}

/** The settings whose change needs the server restarted (it is another program then). */
export const RESTART_SETTINGS = ["coordlang.server.path", "coordlang.pythonPath"];

/** The folder used when `coordlang.profileLogs` is empty, relative to the workspace folder. */
export const DEFAULT_RUNS_FOLDER = ".coord-runs";

/**
 * Where `coordlang.recordRun` writes its log: `<profileLogs>/<timestamp>`. A relative
 * `profileLogs` is taken from the first workspace folder, as the server takes it; with no
 * workspace, from the program's folder. Unset, it is `.coord-runs` there (and `configured` is
 * false, so the caller can offer to point `profileLogs` at it).
 */
export function recordFolder(profileLogs: string, workspaceFolder: string | undefined, program: string, home: string, when: Date): { base: string; log: string; configured: boolean } {
  const base0 = workspaceFolder ?? path.dirname(program);
  let value = profileLogs.trim();
  const configured = value.length > 0;
  if (!configured) value = DEFAULT_RUNS_FOLDER;
  if (value === "~" || value.startsWith("~/")) value = path.join(home, value.slice(1));
  const base = path.resolve(base0, value);
  return { base, log: path.join(base, timestampName(when)), configured };
}
