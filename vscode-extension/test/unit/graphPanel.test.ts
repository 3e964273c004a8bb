/** The graph panel host (src/graphPanel.ts) against the stand-in `vscode` module. */
import { strict as assert } from "assert";
import { test } from "node:test";
import * as path from "path";
import { requireWith, standIn } from "./vscodeStandIn";

const root = path.join(__dirname, "..", "..", "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("the panel loads media/graph with a CSP, gets the graph on open, after edits (debounced), on ready, and the debugger's position", async () => {
  const fake = standIn({});
  const { GraphPanels } = requireWith(fake.vscode, path.join(root, "out", "src", "graphPanel.js"));
  const asked: string[] = [];
  const panels = new GraphPanels(fake.vscode.Uri.file("/ext"), () => async (uri: string) => {
    asked.push(uri);
    return { workflows: [{ name: "Order", version: asked.length }] };
  });
  const program = fake.vscode.Uri.file("/w/order_saga.coord");
  await panels.show(program, "Order");
  const [panel] = fake.panels;
  assert.equal(panel.viewType, "coordlang.graph");
  assert.equal(panel.options.enableScripts, true);
  assert.deepEqual(panel.options.localResourceRoots?.map((r) => r.fsPath), [path.join("/ext", "media", "graph")]);
  assert.match(panel.html, /Content-Security-Policy" content="default-src 'none'/);
  assert.deepEqual(asked, ["file:///w/order_saga.coord"]);
  assert.deepEqual(panel.posted, [{ type: "graph", graph: { workflows: [{ name: "Order", version: 1 }] }, workflow: "Order" }]);

  fake.changeDocument("/w/order_saga.coord");
  fake.changeDocument("/w/order_saga.coord");
  fake.changeDocument("/w/other.coord"); // no panel: nothing asked
  await sleep(100);
  assert.equal(asked.length, 1, "a burst of edits waits for its pause");
  await sleep(400);
  assert.equal(asked.length, 2, "then one request");
  assert.deepEqual(panel.posted[1], { type: "graph", graph: { workflows: [{ name: "Order", version: 2 }] }, workflow: "Order" });

  panel.receive({ type: "ready" });
  await sleep(10);
  assert.equal(asked.length, 3, "a page that says it is ready gets the graph again");

  panels.stopped(program, 41);
  panels.stopped(fake.vscode.Uri.file("/w/elsewhere.coord"), 3);
  assert.deepEqual(panel.posted.at(-1), { type: "position", uri: "file:///w/order_saga.coord", line: 41 });
  assert.equal(panel.posted.length, 4);

  await panels.show(program);
  assert.equal(fake.panels.length, 1, "one panel per document");
  panels.dispose();
});

test("with no language server the panel says where the graph comes from", async () => {
  const fake = standIn({});
  const { GraphPanels } = requireWith(fake.vscode, path.join(root, "out", "src", "graphPanel.js"));
  const panels = new GraphPanels(fake.vscode.Uri.file("/ext"), () => undefined);
  await panels.show(fake.vscode.Uri.file("/w/a.coord"));
  assert.match(fake.warnings.join("\n"), /the graph comes from the language server, which is not running/);
  assert.deepEqual(fake.panels[0].posted, []);
  panels.dispose();
});
