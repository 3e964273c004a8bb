/** The language client: `coord lsp` over stdio, with the server's settings. */
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { coordOrExplain } from "./coordFinder";
import { coordCommand } from "./executable";
import { serverSettings } from "./settings";

export function currentServerSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("coordlang");
  return serverSettings((key, fallback) => config.get(key, fallback));
}

/** A started client, or undefined when coord cannot be found or `coord lsp` does not start (the user is told). */
export async function startClient(output: vscode.OutputChannel): Promise<LanguageClient | undefined> {
  const coord = coordOrExplain();
  if (!coord) return undefined;
  output.appendLine(`coord lsp: ${coord.command} ${coord.args.join(" ")} (from ${coord.source})`);
  const run = { ...coordCommand(coord, "lsp"), transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "coord" }],
    initializationOptions: { coordlang: currentServerSettings() },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.coord") },
    outputChannel: output,
  };
  // The id makes `coordlang.trace.server` the trace setting.
  const client = new LanguageClient("coordlang", "coordlang", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `coordlang: \`${[run.command, ...run.args].join(" ")}\` did not start (${why}). ` +
        "The language server needs the lsp extra: `pip install 'coordlang[lsp]'` in the environment of that coord. " +
        "The 'coordlang' output shows what it printed.",
      "Show Output",
    ).then((choice) => choice && output.show());
    return undefined;
  }
  return client;
}

/** Sends the server its settings again (they changed). */
export function sendSettings(client: LanguageClient): Promise<void> {
  return client.sendNotification("workspace/didChangeConfiguration", { settings: { coordlang: currentServerSettings() } });
}
