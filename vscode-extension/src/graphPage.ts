/**
 * The graph panel's side of the contract with its page (media/graph/graph.html and graph.js;
 * docs/editor.md, "The graph view"), and where the debugger stands, read from the adapter's
 * messages. No `vscode` import.
 */

/** To the page: draw the `coord/graph` result (on open, after each change, when the page is ready). */
export interface GraphMessage {
  type: "graph";
  graph: unknown;
}

/** To the page: the debugger stands at `line` (0-based, as LSP ranges count) of `uri`; `uri: null` clears. */
export interface PositionMessage {
  type: "position";
  uri: string | null;
  line?: number;
}

/** From the page: it has loaded (post the graph), or a node was clicked (show its first line). */
export type PageMessage = { type: "ready" } | { type: "reveal"; line: number };

/** A message from the page, if it is one of the page's; anything else is ignored. */
export function pageMessage(message: unknown): PageMessage | undefined {
  if (!message || typeof message !== "object") return undefined;
  const { type, line } = message as { type?: unknown; line?: unknown };
  if (type === "ready") return { type };
  if (type === "reveal" && Number.isInteger(line) && (line as number) >= 0) return { type, line: line as number };
  return undefined;
}

/** A stop in a source file: its path as the adapter gave it and a 0-based line. */
export interface Stop {
  path: string;
  line: number;
}

/**
 * The page's HTML with a Content-Security-Policy that lets it load only its own folder's files
 * (scripts, styles, images) and nothing from the network. `<base>` makes the page's relative
 * `graph.js` resolve to the webview URI of media/graph.
 */
export function pageHtml(html: string, cspSource: string, baseUri: string): string {
  const csp = [
    "default-src 'none'",
    `script-src ${cspSource}`,
    // SVG drawn by the script carries style attributes.
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join("; ");
  const head = `<meta http-equiv="Content-Security-Policy" content="${csp}">\n<base href="${baseUri.replace(/\/?$/, "/")}">`;
  if (/<head[^>]*>/i.test(html)) return html.replace(/<head[^>]*>/i, (m) => `${m}\n${head}`);
  return `<!DOCTYPE html><html><head>${head}</head><body>${html}</body></html>`;
}

/** The page shown when the extension was built without the graph page. */
export function missingPageHtml(): string {
  return pageHtml("<p>This build of the coordlang extension has no graph page (media/graph/graph.html).</p>", "'none'", "about:blank");
}

interface DapMessage {
  type?: string;
  seq?: number;
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  arguments?: { threadId?: number; startFrame?: number };
  body?: { threadId?: number; stackFrames?: Array<{ line?: number; source?: { path?: string } }> };
}

/**
 * Watches a debug session's messages (a DebugAdapterTracker's). After a `stopped` event, the
 * answer to the client's `stackTrace` of the stopped thread gives the top frame; a frame with no
 * source (the event router's) is no position.
 */
export class StopWatcher {
  private stoppedThread: number | undefined;
  private waiting = new Set<number>();

  constructor(private readonly linesStartAt1 = true) {}

  /** A message from the client to the adapter. */
  toAdapter(message: DapMessage): void {
    if (message.type === "request" && message.command === "stackTrace" && this.stoppedThread !== undefined &&
        message.arguments?.threadId === this.stoppedThread && !message.arguments?.startFrame && message.seq !== undefined) {
      this.waiting.add(message.seq);
    }
  }

  /** A message from the adapter to the client; the stop it completes, if any. */
  fromAdapter(message: DapMessage): Stop | undefined {
    if (message.type === "event" && message.event === "stopped") {
      this.stoppedThread = message.body?.threadId;
      this.waiting.clear();
      return undefined;
    }
    if (message.type === "event" && (message.event === "continued" || message.event === "terminated")) {
      this.stoppedThread = undefined;
      this.waiting.clear();
      return undefined;
    }
    if (message.type !== "response" || message.command !== "stackTrace" || message.request_seq === undefined ||
        !this.waiting.delete(message.request_seq) || !message.success) {
      return undefined;
    }
    this.stoppedThread = undefined;
    const top = message.body?.stackFrames?.[0];
    const file = top?.source?.path;
    if (!file || !top?.line) return undefined;
    return { path: file, line: top.line - (this.linesStartAt1 ? 1 : 0) };
  }
}
