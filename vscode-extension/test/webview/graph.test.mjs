// The graph view (media/graph/) in headless Chromium, opened from its file URL as a browser
// would, the host's messages injected with window.postMessage. Debian's chromium, driven by
// playwright-core (no browser download). Run: `npm run test:webview` in vscode-extension/.
//
// The graphs are the language server's answers, written by tests/lsp/test_graph_request.py
// (fixtures/order_saga.json, fixtures/examples.json; `pytest --update-goldens` rewrites them).
// COORD_GRAPH_SCREENSHOT=PATH also saves the order saga's screenshot there (the one in
// media/screenshots/graph.png was made so).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url); // honours NODE_PATH, as ESM imports do not
const HERE = dirname(fileURLToPath(import.meta.url));
const PAGE = pathToFileURL(join(HERE, "../../media/graph/graph.html")).href;
const CHROMIUM = process.env.COORD_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SAGA = JSON.parse(readFileSync(join(HERE, "fixtures/order_saga.json"), "utf8"));
const EXAMPLES = JSON.parse(readFileSync(join(HERE, "fixtures/examples.json"), "utf8"));

let context, profile, shots;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `the webview tests drive Debian's chromium at ${CHROMIUM}, which is not there: ` +
    "install it ('sudo apt-get install chromium', or run .ci/run as root), or set COORD_CHROMIUM to a Chromium binary");
  const { chromium } = require("playwright-core");
  profile = mkdtempSync(join(tmpdir(), "coord-webview-profile-"));
  shots = mkdtempSync(join(tmpdir(), "coord-webview-shots-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// A page with the view loaded; acquireVsCodeApi stands in for VSCode's, keeping what is posted.
async function open() {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.addInitScript(() => {
    window.posted = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => null, setState() {} });
  });
  await page.goto(PAGE);
  page.errors = errors;
  return page;
}

const send = (page, message) => page.evaluate((m) => new Promise((done) => {
  window.postMessage(m, "*");
  setTimeout(done, 0); // the message is handled before this
}), message);

// What the page drew: per workflow group its title, nodes (id, classes, label) and edges.
const drawn = (page) => page.evaluate(() => [...document.querySelectorAll("svg.graph > g.workflow")].map((g) => ({
  title: g.dataset.title,
  nodes: [...g.querySelectorAll(".node")].map((n) => ({
    id: Number(n.dataset.id), classes: [...n.classList], label: n.querySelector(".node-label").textContent,
  })),
  edges: g.querySelectorAll("path.edge").length,
})));

// Pairs of nodes drawn over one another, in page coordinates.
const overlaps = (page) => page.evaluate(() => {
  const found = [];
  for (const g of document.querySelectorAll("g.workflow")) {
    const boxes = [...g.querySelectorAll(".node")].map((n) => [n.dataset.id, n.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i][1], boxes[j][1]];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
          found.push(`${g.dataset.title}: ${boxes[i][0]} and ${boxes[j][0]}`);
        }
      }
    }
  }
  return found;
});

const current = (page) => page.evaluate(() => [...document.querySelectorAll(".node.current")].map((n) => ({
  workflow: n.closest("g.workflow").dataset.title, label: n.querySelector(".node-label").textContent,
})));

describe("the graph view", () => {
  test("draws a group per workflow, a node of its kind per graph node, every edge", async () => {
    const page = await open();
    await send(page, { type: "graph", graph: SAGA });
    const groups = await drawn(page);
    assert.deepEqual(groups.map((g) => g.title), ["Order v1", "Order v2", "Notify v1"]);
    for (const [i, workflow] of SAGA.workflows.entries()) {
      assert.equal(groups[i].nodes.length, workflow.nodes.length);
      for (const node of workflow.nodes) {
        const shown = groups[i].nodes.find((n) => n.id === node.id);
        assert.ok(shown.classes.includes(`kind-${node.kind}`), `${node.label}: ${shown.classes}`);
      }
      assert.equal(groups[i].edges, workflow.edges.length);
    }
    const compensation = groups[1].nodes.find((n) => n.label === "compensate refund");
    assert.ok(compensation.classes.includes("family-compensation"));
    assert.deepEqual(await overlaps(page), []);
    const shot = join(shots, "order_saga.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, `a screenshot at ${shot}`);
    if (process.env.COORD_GRAPH_SCREENSHOT) {
      await send(page, { type: "position", uri: SAGA.uri, line: lineOf("Order v2", "wait_payment: select") });
      await page.screenshot({ path: process.env.COORD_GRAPH_SCREENSHOT, fullPage: true });
    }
    assert.deepEqual(page.errors, []);
    console.log(`# screenshot: ${shot}`);
    await page.close();
  });

  test("draws every example without nodes over one another", async () => {
    const page = await open();
    for (const [name, graph] of Object.entries(EXAMPLES)) {
      await send(page, { type: "graph", graph });
      const groups = await drawn(page);
      assert.equal(groups.length, graph.workflows.length, name);
      assert.deepEqual(groups.map((g) => g.nodes.length), graph.workflows.map((w) => w.nodes.length), name);
      assert.deepEqual(groups.map((g) => g.edges), graph.workflows.map((w) => w.edges.length), name);
      assert.deepEqual(await overlaps(page), [], name);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("highlights the innermost node at the debugger's line, and clears it", async () => {
    const page = await open();
    await send(page, { type: "graph", graph: SAGA });
    await send(page, { type: "position", uri: SAGA.uri, line: lineOf("Order v2", "shipped = do ship") });
    assert.deepEqual(await current(page), [{ workflow: "Order v2", label: "shipped = do ship" }]);
    // A line inside a statement of many lines: the statement (the select), not the workflow's start.
    await send(page, { type: "position", uri: SAGA.uri, line: lineOf("Order v2", "wait_payment: select") + 2 });
    assert.deepEqual(await current(page), [{ workflow: "Order v2", label: "select" }]);
    await send(page, { type: "position", uri: "file:///elsewhere.coord", line: 3 });
    assert.deepEqual(await current(page), []);
    await send(page, { type: "position", uri: SAGA.uri, line: lineOf("Notify v1", "sent = do send_mail") });
    assert.deepEqual(await current(page), [{ workflow: "Notify v1", label: "sent = do send_mail" }]);
    await send(page, { type: "position", uri: null });
    assert.deepEqual(await current(page), []);
    await page.close();
  });

  test("draws again on a second graph, keeping the debugger's place", async () => {
    const page = await open();
    await send(page, { type: "graph", graph: SAGA });
    const line = lineOf("Notify v1", "sent = do send_mail");
    await send(page, { type: "position", uri: SAGA.uri, line });
    const edited = { ...SAGA, version: 2, workflows: SAGA.workflows.slice(2) };
    await send(page, { type: "graph", graph: edited });
    const groups = await drawn(page);
    assert.deepEqual(groups.map((g) => g.title), ["Notify v1"]);
    assert.equal(groups[0].nodes.length, SAGA.workflows[2].nodes.length);
    assert.deepEqual(await current(page), [{ workflow: "Notify v1", label: "sent = do send_mail" }]);
    assert.match(await page.textContent("#status"), /version 2/);
    await send(page, { type: "graph", graph: { ...SAGA, stale: true } });
    assert.match(await page.textContent("#status"), /syntax errors; showing version 1/);
    assert.equal((await drawn(page)).length, 3);
    await page.close();
  });

  test("says it is ready, and a click on a node asks to reveal its line", async () => {
    const page = await open();
    assert.deepEqual(await page.evaluate(() => window.posted), [{ type: "ready" }]);
    await send(page, { type: "graph", graph: SAGA });
    const charge = SAGA.workflows[1].nodes.find((n) => n.label === "paid = do charge");
    await page.click(`g.workflow[data-title="Order v2"] .node[data-id="${charge.id}"]`);
    assert.deepEqual(await page.evaluate(() => window.posted.slice(1)),
      [{ type: "reveal", line: charge.range.start.line }]);
    await page.close();
  });

  test("works without VSCode: posting is a no-op", async () => {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(PAGE);
    await send(page, { type: "graph", graph: SAGA });
    await page.click("g.workflow .node");
    assert.equal((await drawn(page)).length, 3);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

function lineOf(title, label) {
  const workflow = SAGA.workflows.find((w) => w.title === title);
  return workflow.nodes.find((n) => n.label === label || `${n.wait_label}: ${n.label}` === label).range.start.line;
}
