/**
 * Command lines typed into a terminal: `coord run FILE --events EVENTS` and the recording run,
 * quoted for the terminal's shell. No `vscode` import.
 */
import * as path from "path";
import type { Coord } from "./executable";

export type ShellKind = "posix" | "powershell" | "cmd";

/** The kind of shell a terminal runs, from its executable (VSCode's `env.shell`). */
export function shellKind(shell: string | undefined, platform: NodeJS.Platform): ShellKind {
  const name = path.win32.basename(path.posix.basename(shell ?? "")).toLowerCase();
  if (name.startsWith("pwsh") || name.startsWith("powershell")) return "powershell";
  if (name === "cmd.exe" || name === "cmd") return "cmd";
  if (!name) return platform === "win32" ? "powershell" : "posix";
  return "posix";
}

const PLAIN = /^[A-Za-z0-9_\-+=.,:/@%^]+$/;

/** One argument as the shell reads it back unchanged. */
export function quote(arg: string, shell: ShellKind): string {
  if (arg.length > 0 && PLAIN.test(arg) && !(shell === "cmd" && /[%^]/.test(arg))) return arg;
  switch (shell) {
    case "posix":
      return "'" + arg.replace(/'/g, "'\\''") + "'";
    case "powershell":
      return "'" + arg.replace(/'/g, "''") + "'";
    case "cmd":
      // cmd has no escape inside quotes; a path cannot hold '"' on Windows anyway.
      return '"' + arg.replace(/"/g, '""') + '"';
  }
}

/** The words of a command joined into one line; PowerShell needs `&` to run a quoted program. */
export function commandLine(words: readonly string[], shell: ShellKind): string {
  const quoted = words.map((w) => quote(w, shell));
  if (shell === "powershell" && quoted[0] !== words[0]) quoted[0] = "& " + quoted[0];
  return quoted.join(" ");
}

/** `coord run PROGRAM --events EVENTS`. */
export function runWords(coord: Coord, program: string, events: string): string[] {
  return [coord.command, ...coord.args, "run", program, "--events", events];
}

/**
 * `coord run PROGRAM --events EVENTS --backend interpreter --log FOLDER`: a run recorded for the
 * profile hints. The language server measures only the interpreter's logs (the compiled
 * backend's hold handler calls, not steps), hence the backend.
 */
export function recordRunWords(coord: Coord, program: string, events: string, logFolder: string): string[] {
  return [...runWords(coord, program, events), "--backend", "interpreter", "--log", logFolder];
}

/** A log folder's name for a run started at `when`: sortable, and valid on every file system. */
export function timestampName(when: Date): string {
  return when.toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
}
