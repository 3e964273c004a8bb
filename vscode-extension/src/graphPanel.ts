/**
 * The workflow graph panels, fed by `coord/graph` and the debugger's stops: one per document and
 * workflow (a code lens shows its own workflow; the command palette, every workflow of the file).
 */
import * as fs from "fs";
import * as vscode from "vscode";
import { GraphMessage, missingPageHtml, pageHtml, pageMessage, PositionMessage } from "./graphPage";

/** Asks the language server for a document's graph (`coord/graph`), or one workflow's. */
export type GraphSource = (uri: string, workflow?: string) => Promise<unknown>;

const REFRESH_DELAY_MS = 300;

interface View {
  panel: vscode.WebviewPanel;
  uri: vscode.Uri;
  workflow?: string;
  timer?: NodeJS.Timeout;
}

export class GraphPanels implements vscode.Disposable {
  private readonly views = new Map<string, View>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly extensionUri: vscode.Uri, private readonly source: () => GraphSource | undefined) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document.uri.toString())),
    ];
  }

  /** Shows the graph of `uri` (opening its panel, or bringing it forward). */
  async show(uri: vscode.Uri, workflow?: string): Promise<void> {
    const key = `${uri.toString()}#${workflow ?? ""}`;
    let view = this.views.get(key);
    if (view) view.panel.reveal(vscode.ViewColumn.Beside, true);
    else view = this.create(key, uri, workflow);
    await this.refresh(view);
  }

  /** The debugger stopped at `line` (0-based) of `uri`. */
  stopped(uri: vscode.Uri, line: number): void {
    this.post({ type: "position", uri: uri.toString(), line }, uri.toString());
  }

  /** The debug session ended: no node is where the debugger stands. */
  cleared(): void {
    this.post({ type: "position", uri: null });
  }

  private post(message: PositionMessage, uri?: string): void {
    for (const view of this.views.values()) {
      if (uri === undefined || view.uri.toString() === uri) void view.panel.webview.postMessage(message);
    }
  }

  private create(key: string, uri: vscode.Uri, workflow: string | undefined): View {
    const root = vscode.Uri.joinPath(this.extensionUri, "media", "graph");
    const name = uri.path.split("/").pop();
    const panel = vscode.window.createWebviewPanel("coordlang.graph", workflow ? `Graph: ${workflow}` : `Graph: ${name}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [root], retainContextWhenHidden: true });
    const page = vscode.Uri.joinPath(root, "graph.html").fsPath;
    panel.webview.html = fs.existsSync(page)
      ? pageHtml(fs.readFileSync(page, "utf8"), panel.webview.cspSource, panel.webview.asWebviewUri(root).toString())
      : missingPageHtml();
    const view: View = { panel, uri, workflow };
    this.views.set(key, view);
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = pageMessage(raw);
      // The page asks for the graph once loaded: one posted before its script ran is lost.
      if (message?.type === "ready") void this.refresh(view);
      else if (message?.type === "reveal") void this.reveal(uri, message.line);
    });
    panel.onDidDispose(() => {
      clearTimeout(view.timer);
      this.views.delete(key);
    });
    return view;
  }

  /** Shows `line` of the document in the editor beside the panel. */
  private async reveal(uri: vscode.Uri, line: number): Promise<void> {
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const at = new vscode.Range(line, 0, line, 0);
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, selection: at });
    editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private changed(uri: string): void {
    for (const view of this.views.values()) {
      if (view.uri.toString() !== uri) continue;
      clearTimeout(view.timer);
      view.timer = setTimeout(() => void this.refresh(view), REFRESH_DELAY_MS);
    }
  }

  private async refresh(view: View): Promise<void> {
    const source = this.source();
    if (!source) {
      void vscode.window.showWarningMessage("coordlang: the graph comes from the language server, which is not running.");
      return;
    }
    try {
      const message: GraphMessage = { type: "graph", graph: await source(view.uri.toString(), view.workflow) };
      await view.panel.webview.postMessage(message);
    } catch (error) {
      void vscode.window.showWarningMessage(`coordlang: no graph for this document: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    for (const view of [...this.views.values()]) {
      clearTimeout(view.timer);
      view.panel.dispose();
    }
    for (const s of this.subscriptions) s.dispose();
  }
}
