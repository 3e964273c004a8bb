/**
 * The coordlang extension: no language logic of its own. Everything comes from `coord lsp` (the
 * language client) and `coord dap` (the debugger); this file wires them to VSCode.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { sendSettings, startClient } from "./client";
import { registerCommands } from "./commands";
import { registerDebugger } from "./debug";
import { GraphPanels } from "./graphPanel";
import { RESTART_SETTINGS } from "./settings";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("coordlang");
  const graphs = new GraphPanels(context.extensionUri, () => {
    const running = client;
    return running ? (uri, workflow) => running.sendRequest("coord/graph", workflow ? { uri, workflow } : { uri }) : undefined;
  });
  context.subscriptions.push(output, graphs);
  registerCommands(context, graphs);
  registerDebugger(context, (stop) => graphs.stopped(vscode.Uri.file(stop.path), stop.line), () => graphs.cleared());

  const restart = async () => {
    const old = client;
    client = undefined;
    if (old) await old.stop().catch(() => undefined);
    client = await startClient(output);
  };
  context.subscriptions.push(
    vscode.commands.registerCommand("coordlang.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) await restart();
      else if (e.affectsConfiguration("coordlang") && client) await sendSettings(client);
    }),
    { dispose: () => void client?.stop() },
  );
  client = await startClient(output);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
