import { strict as assert } from "assert";
import { test } from "node:test";
import { pageHtml, pageMessage, StopWatcher } from "../../src/graphPage";

test("the page gets a CSP that allows only its own folder, and a base for its relative files", () => {
  const html = pageHtml('<!DOCTYPE html><html><head><title>g</title></head><body><script src="graph.js"></script></body></html>',
    "https://x.vscode-cdn.net", "https://x.vscode-cdn.net/ext/media/graph");
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src https:\/\/x\.vscode-cdn\.net(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
  assert.match(html, /<head>\n<meta [^>]+>\n<base href="https:\/\/x\.vscode-cdn\.net\/ext\/media\/graph\/">/);
  assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<script"));
});

function stopAt(watcher: StopWatcher, threadId: number, frames: unknown[]) {
  watcher.fromAdapter({ type: "event", event: "stopped", body: { threadId } });
  watcher.toAdapter({ type: "request", seq: 7, command: "stackTrace", arguments: { threadId: 3 } });
  watcher.toAdapter({ type: "request", seq: 8, command: "stackTrace", arguments: { threadId } });
  assert.equal(watcher.fromAdapter({ type: "response", request_seq: 7, command: "stackTrace", success: true, body: { stackFrames: [{ line: 99, source: { path: "/other.coord" } }] } }), undefined);
  return watcher.fromAdapter({ type: "response", request_seq: 8, command: "stackTrace", success: true, body: { stackFrames: frames as never } });
}

test("a stop's position is the stopped thread's top frame, as a 0-based line", () => {
  const watcher = new StopWatcher();
  assert.deepEqual(stopAt(watcher, 1, [{ line: 12, source: { path: "/w/pay.coord" } }, { line: 3, source: { path: "/w/pay.coord" } }]),
    { path: "/w/pay.coord", line: 11 });
});

test("the event router's frame (no source, line 0) is no position; neither is a stackTrace outside a stop", () => {
  const watcher = new StopWatcher();
  assert.equal(stopAt(watcher, 2147483647, [{ line: 0 }]), undefined);
  watcher.toAdapter({ type: "request", seq: 20, command: "stackTrace", arguments: { threadId: 1 } });
  assert.equal(watcher.fromAdapter({ type: "response", request_seq: 20, command: "stackTrace", success: true, body: { stackFrames: [{ line: 5, source: { path: "/w/a.coord" } }] } }), undefined);
});

test("a later page of the stack (startFrame) and a continue in between are not the stop", () => {
  const watcher = new StopWatcher();
  watcher.fromAdapter({ type: "event", event: "stopped", body: { threadId: 1 } });
  watcher.toAdapter({ type: "request", seq: 30, command: "stackTrace", arguments: { threadId: 1, startFrame: 20 } });
  assert.equal(watcher.fromAdapter({ type: "response", request_seq: 30, command: "stackTrace", success: true, body: { stackFrames: [{ line: 5, source: { path: "/w/a.coord" } }] } }), undefined);
  watcher.toAdapter({ type: "request", seq: 31, command: "stackTrace", arguments: { threadId: 1 } });
  watcher.fromAdapter({ type: "event", event: "continued", body: { threadId: 1 } });
  assert.equal(watcher.fromAdapter({ type: "response", request_seq: 31, command: "stackTrace", success: true, body: { stackFrames: [{ line: 5, source: { path: "/w/a.coord" } }] } }), undefined);
});

test("the page's messages: ready, and reveal with a line; anything else is ignored", () => {
  assert.deepEqual(pageMessage({ type: "ready" }), { type: "ready" });
  assert.deepEqual(pageMessage({ type: "reveal", line: 3 }), { type: "reveal", line: 3 });
  for (const other of [null, "ready", { type: "reveal" }, { type: "reveal", line: -1 }, { type: "reveal", line: 1.5 }, { type: "graph" }]) {
    assert.equal(pageMessage(other), undefined, JSON.stringify(other));
  }
});
