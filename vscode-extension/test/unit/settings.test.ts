import { strict as assert } from "assert";
import { test } from "node:test";
import * as path from "path";
import { Get, recordFolder, serverSettings } from "../../src/settings";

function settings(values: Record<string, unknown>): Get {
  return <T>(key: string, fallback: T) => (key in values ? (values[key] as T) : fallback);
}

test("the server gets its own settings (docs/editor.md), with the defaults", () => {
  assert.deepEqual(serverSettings(settings({})), {
    diagnosticsDelay: 200,
    inlayHints: { types: true, retryTime: true },
    codeLens: { run: true, debug: true, graph: true },
    profileLogs: null,
  });
});

test("changed settings reach the server; the editor's own do not", () => {
  const sent = serverSettings(settings({
    diagnosticsDelay: 50, "inlayHints.types": false, "codeLens.graph": false, profileLogs: " runs ",
    "server.path": "/usr/bin/coord", "trace.server": "verbose",
  }));
  assert.deepEqual(sent, {
    diagnosticsDelay: 50,
    inlayHints: { types: false, retryTime: true },
    codeLens: { run: true, debug: true, graph: false },
    profileLogs: "runs",
  });
});

const when = new Date("2026-01-05T10:20:30Z");

test("a recorded run goes to <profileLogs>/<timestamp>, relative to the workspace folder", () => {
  assert.deepEqual(recordFolder("runs", "/w", "/w/shop/o.coord", "/home/ada", when),
    { base: path.resolve("/w/runs"), log: path.resolve("/w/runs/2026-01-05T10-20-30"), configured: true });
  assert.equal(recordFolder("/logs", "/w", "/w/o.coord", "/home/ada", when).log, path.resolve("/logs/2026-01-05T10-20-30"));
  assert.equal(recordFolder("~/runs", "/w", "/w/o.coord", "/home/ada", when).base, path.resolve("/home/ada/runs"));
});

test("without profileLogs a run is recorded in .coord-runs, and the caller is told it is not configured", () => {
  assert.deepEqual(recordFolder("", undefined, "/w/shop/o.coord", "/home/ada", when),
    { base: path.resolve("/w/shop/.coord-runs"), log: path.resolve("/w/shop/.coord-runs/2026-01-05T10-20-30"), configured: false });
});
