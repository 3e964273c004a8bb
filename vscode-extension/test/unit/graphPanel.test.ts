/** The graph panel host (src/graphPanel.ts) against the stand-in `vscode` module. */
import { strict as assert } from "assert";
import { test } from "node:test";
import * as path from "path";
import { requireWith, standIn } from "./vscodeStandIn";

const root = path.join(__dirname, "..", "..", "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function panelsWith(source: ((uri: string, workflow?: string) => Promise<unknown>) | undefined) {
  const fake = standIn({});
  const { GraphPanels } = requireWith(fake.vscode, path.join(root, "out", "src", "graphPanel.js"));
  return { fake, panels: new GraphPanels(fake.vscode.Uri.file("/ext"), () => source) };
}

test("the panel loads media/graph with a CSP, gets the graph on open, after edits (debounced) and on ready", async () => {
  const asked: Array<[string, string | undefined]> = [];
  const { fake, panels } = panelsWith(async (uri, workflow) => {
    asked.push([uri, workflow]);
    return { uri, workflows: [], version: asked.length };
  });
  const program = fake.vscode.Uri.file("/w/order_saga.coord");
  await panels.show(program);
  const [panel] = fake.panels;
  assert.equal(panel.viewType, "coordlang.graph");
  assert.equal(panel.options.enableScripts, true);
  assert.deepEqual(panel.options.localResourceRoots?.map((r) => r.fsPath), [path.join("/ext", "media", "graph")]);
  assert.match(panel.html, /Content-Security-Policy" content="default-src 'none'/);
  assert.deepEqual(asked, [["file:///w/order_saga.coord", undefined]]);
  assert.deepEqual(panel.posted, [{ type: "graph", graph: { uri: "file:///w/order_saga.coord", workflows: [], version: 1 } }]);

  fake.changeDocument("/w/order_saga.coord");
  fake.changeDocument("/w/order_saga.coord");
  fake.changeDocument("/w/other.coord"); // no panel: nothing asked
  await sleep(100);
  assert.equal(asked.length, 1, "a burst of edits waits for its pause");
  await sleep(400);
  assert.equal(asked.length, 2, "then one request");
  assert.deepEqual(panel.posted[1], { type: "graph", graph: { uri: "file:///w/order_saga.coord", workflows: [], version: 2 } });

  panel.receive({ type: "ready" });
  panel.receive({ type: "something else" });
  await sleep(10);
  assert.equal(asked.length, 3, "a page that says it is ready gets the graph again");

  await panels.show(program);
  assert.equal(fake.panels.length, 1, "one panel per document and workflow");
  await panels.show(program, "Order");
  assert.equal(fake.panels.length, 2, "a code lens's workflow has a panel of its own");
  assert.deepEqual(asked.at(-1), ["file:///w/order_saga.coord", "Order"]);
  panels.dispose();
});

test("the debugger's position goes to the document's panels; the end of a session clears it", async () => {
  const { fake, panels } = panelsWith(async () => null);
  const program = fake.vscode.Uri.file("/w/order_saga.coord");
  await panels.show(program);
  await panels.show(program, "Notify");
  await panels.show(fake.vscode.Uri.file("/w/elsewhere.coord"));
  panels.stopped(program, 41);
  const [all, notify, elsewhere] = fake.panels;
  for (const panel of [all, notify]) assert.deepEqual(panel.posted.at(-1), { type: "position", uri: "file:///w/order_saga.coord", line: 41 });
  assert.deepEqual(elsewhere.posted, [{ type: "graph", graph: null }]);
  panels.cleared();
  for (const panel of fake.panels) assert.deepEqual(panel.posted.at(-1), { type: "position", uri: null });
  panels.dispose();
});

test("a click on a node shows its line in the editor", async () => {
  const { fake, panels } = panelsWith(async () => null);
  await panels.show(fake.vscode.Uri.file("/w/order_saga.coord"));
  fake.panels[0].receive({ type: "reveal", line: 12 });
  fake.panels[0].receive({ type: "reveal", line: -1 });
  await sleep(10);
  assert.deepEqual(fake.shown, [{ uri: "file:///w/order_saga.coord", line: 12 }]);
  panels.dispose();
});

test("with no language server the panel says where the graph comes from", async () => {
  const { fake, panels } = panelsWith(undefined);
  await panels.show(fake.vscode.Uri.file("/w/a.coord"));
  assert.match(fake.warnings.join("\n"), /the graph comes from the language server, which is not running/);
  assert.deepEqual(fake.panels[0].posted, []);
  panels.dispose();
});
