/**
 * Which program runs `coord lsp` and `coord dap`: the settings, the PATH, a workspace venv.
 * No `vscode` import: tested with node's test runner.
 */
import * as path from "path";

/** The settings that choose the executable. */
export interface ExecutableSettings {
  /** `coordlang.server.path`: the `coord` executable. */
  serverPath: string;
  /** `coordlang.pythonPath`: a Python with coordlang installed (`python -m coordlang`). */
  pythonPath: string;
}

/** What the file system and environment look like (injected, so tests need no real files). */
export interface Probe {
  isFile(file: string): boolean;
  /** The PATH variable's value. */
  pathVariable: string;
  platform: NodeJS.Platform;
  home: string;
}

/** A way to start coord: `command ...args lsp` or `command ...args dap`. */
export interface Coord {
  command: string;
  args: string[];
  /** Where it came from, for the log: a setting, the PATH or a venv. */
  source: string;
}

export type Resolution = { ok: true; coord: Coord } | { ok: false; message: string };

/** The message when nothing gives coord; it names the fix. */
export const COORD_NOT_FOUND =
  "coordlang: cannot find the `coord` command, so there is no language server or debugger. " +
  "Install coordlang where VSCode can see it (`pip install 'coordlang[lsp]'`), or set " +
  "`coordlang.server.path` to the `coord` executable, or `coordlang.pythonPath` to a Python " +
  "that has coordlang installed.";

/** `name` in one of the PATH's folders, as a shell would find it. */
export function which(name: string, probe: Probe): string | undefined {
  const windows = probe.platform === "win32";
  const folders = probe.pathVariable.split(windows ? ";" : ":").filter((f) => f.length > 0);
  const names = windows ? [name + ".exe", name + ".cmd", name + ".bat", name] : [name];
  const join = windows ? path.win32.join : path.posix.join;
  for (const folder of folders) {
    for (const candidate of names) {
      const file = join(folder, candidate);
      if (probe.isFile(file)) return file;
    }
  }
  return undefined;
}

/** A setting's path made absolute: `~` is the home folder, a relative path the first workspace folder's. */
export function expandPath(value: string, folders: readonly string[], probe: Probe): string {
  const p = probe.platform === "win32" ? path.win32 : path.posix;
  let expanded = value.trim();
  if (expanded === "~" || expanded.startsWith("~/")) expanded = p.join(probe.home, expanded.slice(1));
  if (folders.length > 0) expanded = expanded.replace(/\$\{workspaceFolder\}/g, folders[0]);
  if (!p.isAbsolute(expanded) && folders.length > 0 && /[\\/]/.test(expanded)) expanded = p.join(folders[0], expanded);
  return expanded;
}

/**
 * The first of: `coordlang.server.path`; `coordlang.pythonPath` with `-m coordlang`; `coord` on
 * the PATH; `coord` in a `.venv` or `venv` of a workspace folder. A setting that names no file is
 * an error of its own (the user chose it: searching further would hide the mistake).
 */
export function resolveCoord(settings: ExecutableSettings, folders: readonly string[], probe: Probe): Resolution {
  const windows = probe.platform === "win32";
  const chosen: Array<[string, string, string[], string]> = [
    ["coordlang.server.path", settings.serverPath, [], "the `coord` executable (`which coord` where coordlang is installed), or clear it to look on the PATH"],
    ["coordlang.pythonPath", settings.pythonPath, ["-m", "coordlang"], "a Python interpreter that has coordlang installed, or clear it"],
  ];
  for (const [setting, value, args, fix] of chosen) {
    if (!value.trim()) continue;
    const file = expandPath(value, folders, probe);
    const found = path.basename(file) === file ? which(file, probe) : probe.isFile(file) ? file : undefined;
    if (!found) return { ok: false, message: `coordlang: ${setting} is ${value}, which is not a file: set it to ${fix}.` };
    return { ok: true, coord: { command: found, args, source: setting } };
  }
  const onPath = which("coord", probe);
  if (onPath) return { ok: true, coord: { command: onPath, args: [], source: "PATH" } };
  const join = windows ? path.win32.join : path.posix.join;
  for (const folder of folders) {
    for (const venv of [".venv", "venv"]) {
      const file = windows ? join(folder, venv, "Scripts", "coord.exe") : join(folder, venv, "bin", "coord");
      if (probe.isFile(file)) return { ok: true, coord: { command: file, args: [], source: `the workspace's ${venv}` } };
    }
  }
  return { ok: false, message: COORD_NOT_FOUND };
}

/** The command line of `coord lsp` or `coord dap` for a found coord. */
export function coordCommand(coord: Coord, subcommand: "lsp" | "dap"): { command: string; args: string[] } {
  return { command: coord.command, args: [...coord.args, subcommand] };
}
