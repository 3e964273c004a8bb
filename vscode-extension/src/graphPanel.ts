/** The workflow graph panels: one per document, fed by `coord/graph` and the debugger's stops. */
import * as fs from "fs";
import * as vscode from "vscode";
import { GraphMessage, missingPageHtml, pageHtml, PositionMessage } from "./graphPage";

/** Asks the language server for a document's graph (`coord/graph`). */
export type GraphSource = (uri: string) => Promise<unknown>;

const REFRESH_DELAY_MS = 300;

export class GraphPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly workflows = new Map<string, string | undefined>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly extensionUri: vscode.Uri, private readonly source: () => GraphSource | undefined) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document.uri.toString())),
    ];
  }

  /** Shows the graph of `uri` (opening its panel, or bringing it forward). */
  async show(uri: vscode.Uri, workflow?: string): Promise<void> {
    const key = uri.toString();
    this.workflows.set(key, workflow);
    const panel = this.panels.get(key);
    if (panel) panel.reveal(vscode.ViewColumn.Beside, true);
    else this.create(uri);
    await this.refresh(key);
  }

  /** The debugger stopped at `line` (0-based) of `uri`. */
  stopped(uri: vscode.Uri, line: number): void {
    const panel = this.panels.get(uri.toString());
    const message: PositionMessage = { type: "position", uri: uri.toString(), line };
    if (panel) void panel.webview.postMessage(message);
  }

  private create(uri: vscode.Uri): vscode.WebviewPanel {
    const root = vscode.Uri.joinPath(this.extensionUri, "media", "graph");
    const panel = vscode.window.createWebviewPanel("coordlang.graph", `Graph: ${uri.path.split("/").pop()}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [root], retainContextWhenHidden: true });
    const page = vscode.Uri.joinPath(root, "graph.html").fsPath;
    panel.webview.html = fs.existsSync(page)
      ? pageHtml(fs.readFileSync(page, "utf8"), panel.webview.cspSource, panel.webview.asWebviewUri(root).toString())
      : missingPageHtml();
    const key = uri.toString();
    this.panels.set(key, panel);
    // A page that says it is ready gets the graph again: one posted before its script ran is lost.
    panel.webview.onDidReceiveMessage((message: { type?: string }) => {
      if (message?.type === "ready") void this.refresh(key);
    });
    panel.onDidDispose(() => {
      this.panels.delete(key);
      clearTimeout(this.timers.get(key));
      this.timers.delete(key);
    });
    return panel;
  }

  private changed(key: string): void {
    if (!this.panels.has(key)) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.refresh(key), REFRESH_DELAY_MS));
  }

  private async refresh(key: string): Promise<void> {
    const source = this.source();
    const panel = this.panels.get(key);
    if (!panel) return;
    if (!source) {
      void vscode.window.showWarningMessage("coordlang: the graph comes from the language server, which is not running.");
      return;
    }
    try {
      const message: GraphMessage = { type: "graph", graph: await source(key), workflow: this.workflows.get(key) };
      await panel.webview.postMessage(message);
    } catch (error) {
      void vscode.window.showWarningMessage(`coordlang: no graph for this document: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const panel of [...this.panels.values()]) panel.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
