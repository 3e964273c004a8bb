/** Finding coord from inside VSCode: the settings and the real file system for `resolveCoord`. */
import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import { Coord, Probe, resolveCoord, Resolution } from "./executable";

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function probe(): Probe {
  return { isFile, pathVariable: process.env.PATH ?? process.env.Path ?? "", platform: process.platform, home: os.homedir() };
}

export function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
}

export function findCoord(): Resolution {
  const config = vscode.workspace.getConfiguration("coordlang");
  return resolveCoord(
    { serverPath: config.get<string>("server.path", ""), pythonPath: config.get<string>("pythonPath", "") },
    workspaceFolders(),
    probe(),
  );
}

/** coord, or undefined after telling the user how to make it found. */
export function coordOrExplain(): Coord | undefined {
  const found = findCoord();
  if (found.ok) return found.coord;
  explain(found.message);
  return undefined;
}

/** An error message with a button to the settings that fix it. */
export function explain(message: string): void {
  void vscode.window.showErrorMessage(message, "Open Settings").then((choice) => {
    if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "coordlang");
  });
}
