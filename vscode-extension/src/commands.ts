/** The commands: run, debug, show the graph (also the server's code lenses), record a run. */
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import { commandLine, recordRunWords, runWords, shellKind } from "./commandLine";
import { coordOrExplain, workspaceFolders } from "./coordFinder";
import { launchBeside } from "./debugConfig";
import { listFolder } from "./debug";
import { GraphPanels } from "./graphPanel";
import { recordFolder } from "./settings";

/**
 * The program a command is for: the code lens's uri argument, else the active `.coord` editor.
 * Unsaved changes are saved first, since coord reads the file.
 */
async function programOf(arg: unknown): Promise<vscode.Uri | undefined> {
  const uri = typeof arg === "string" ? vscode.Uri.parse(arg) : arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== "file" || !uri.fsPath.endsWith(".coord")) {
    void vscode.window.showErrorMessage("coordlang: open a .coord file first.");
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  return uri;
}

let terminal: vscode.Terminal | undefined;

function runInTerminal(words: string[], cwd: string): void {
  if (!terminal || terminal.exitStatus !== undefined) terminal = vscode.window.createTerminal({ name: "coord", cwd });
  terminal.show(true);
  terminal.sendText(commandLine(words, shellKind(vscode.env.shell, process.platform)), true);
}

/** The program and its events, or undefined after saying what is missing. */
async function programAndEvents(arg: unknown, workflow?: string) {
  const uri = await programOf(arg);
  if (!uri) return undefined;
  const launch = launchBeside(uri.fsPath, listFolder, workflow);
  if (!launch.ok) {
    void vscode.window.showErrorMessage(launch.message);
    return undefined;
  }
  return { uri, program: uri.fsPath, events: launch.configuration.events as string, launch: launch.configuration };
}

export function registerCommands(context: vscode.ExtensionContext, graphs: GraphPanels): void {
  const register = (name: string, run: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(name, run));

  // The code lenses pass [uri, workflow]: coord runs and debugs whole programs, so the workflow
  // only names the debug session and tells the graph which one to show.
  register("coordlang.run", async (uri?: unknown) => {
    const target = await programAndEvents(uri);
    const coord = target && coordOrExplain();
    if (!target || !coord) return;
    runInTerminal(runWords(coord, target.program, target.events), path.dirname(target.program));
  });

  register("coordlang.debug", async (uri?: unknown, workflow?: unknown) => {
    const target = await programAndEvents(uri, typeof workflow === "string" ? workflow : undefined);
    if (!target) return;
    await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target.uri), target.launch as vscode.DebugConfiguration);
  });

  register("coordlang.showGraph", async (uri?: unknown, workflow?: unknown) => {
    const target = await programOf(uri);
    if (target) await graphs.show(target, typeof workflow === "string" ? workflow : undefined);
  });

  register("coordlang.recordRun", async (uri?: unknown) => {
    const target = await programAndEvents(uri);
    const coord = target && coordOrExplain();
    if (!target || !coord) return;
    const config = vscode.workspace.getConfiguration("coordlang");
    const folder = vscode.workspace.getWorkspaceFolder(target.uri)?.uri.fsPath ?? workspaceFolders()[0];
    const where = recordFolder(config.get<string>("profileLogs", ""), folder, target.program, os.homedir(), new Date());
    runInTerminal(recordRunWords(coord, target.program, target.events, where.log), path.dirname(target.program));
    if (!where.configured) {
      const use = "Use It for Profile Hints";
      const choice = await vscode.window.showInformationMessage(
        `coordlang: recording into ${where.base}. The editor shows measured step times from that folder once coordlang.profileLogs names it.`, use);
      if (choice === use) {
        const value = folder ? path.relative(folder, where.base) : where.base;
        await config.update("profileLogs", value, folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      }
    }
  });
}
