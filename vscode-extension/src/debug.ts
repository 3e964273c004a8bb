/** The `coord` debugger: coord dap for programs, debugpy's own port for the handlers' child session. */
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { coordOrExplain, findCoord } from "./coordFinder";
import { CoordConfiguration, launchConfiguration, resolveConfiguration, route } from "./debugConfig";
import { findEventsFile } from "./eventsFile";
import { coordCommand } from "./executable";
import { StopWatcher, Stop } from "./graphPage";

export function listFolder(folder: string): string[] {
  try {
    return fs.readdirSync(folder);
  } catch {
    return [];
  }
}

class Factory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const where = route(session.configuration as CoordConfiguration);
    if (where.to === "debugpy") return new vscode.DebugAdapterServer(where.port, where.host);
    const found = findCoord();
    if (!found.ok) throw new Error(found.message);
    const dap = coordCommand(found.coord, "dap");
    return new vscode.DebugAdapterExecutable(dap.command, dap.args);
  }
}

class Provider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    // For launch.json: the program and its events by variables, so the configuration follows the active file.
    const file = activeCoordFile();
    const events = file ? findEventsFile(file, listFolder(path.dirname(file))) : undefined;
    const configuration = launchConfiguration("${file}", `\${fileDirname}/${path.basename(events ?? "events.jsonl")}`);
    return [{ ...configuration, name: "Debug the workflow" } as vscode.DebugConfiguration];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    const resolved = resolveConfiguration(config as CoordConfiguration, activeCoordFile(), listFolder);
    if (!resolved.ok) {
      void vscode.window.showErrorMessage(resolved.message);
      return undefined; // abort: the message says what to do
    }
    if (route(resolved.configuration).to === "coord" && !coordOrExplain()) return undefined;
    return resolved.configuration as vscode.DebugConfiguration;
  }
}

function activeCoordFile(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.uri.scheme === "file" && doc.languageId === "coord" ? doc.uri.fsPath : undefined;
}

/** Registers the debugger; `onStop` hears where each stop of a coord program is, `onEnd` when its session ends. */
export function registerDebugger(context: vscode.ExtensionContext, onStop: (stop: Stop) => void, onEnd: () => void): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory("coord", new Factory()),
    vscode.debug.registerDebugConfigurationProvider("coord", new Provider()),
    vscode.debug.registerDebugConfigurationProvider("coord", new Provider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterTrackerFactory("coord", {
      createDebugAdapterTracker(session) {
        if (route(session.configuration as CoordConfiguration).to !== "coord") return undefined;
        const watcher = new StopWatcher();
        return {
          onWillReceiveMessage: (m) => watcher.toAdapter(m),
          onDidSendMessage: (m) => {
            const stop = watcher.fromAdapter(m);
            if (stop && stop.path.endsWith(".coord")) onStop(stop);
          },
          onWillStopSession: onEnd,
        };
      },
    }),
  );
}
