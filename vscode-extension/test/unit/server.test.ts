/**
 * The extension's side of the contract with the real `coord lsp`: started as the extension
 * starts it (coordlang.pythonPath: `python -m coordlang lsp`), given the settings the extension
 * builds, it answers code lenses with the commands the extension registers, `[uri, workflow]`
 * as their arguments, answers the graph panel's `coord/graph`, and takes a changed setting. Needs coordlang with its lsp extra in
 * $PYTHON (CI's python; else the repository's .venv, else python3).
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import { test } from "node:test";
import * as path from "path";
import { pathToFileURL } from "url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { coordCommand } from "../../src/executable";
import { coordUnderTest, repository } from "./coordUnderTest";
import { serverSettings } from "../../src/settings";


type Lens = { command: { command: string; arguments: unknown[] } };

test("coord lsp, started and configured as the extension does, sends lenses for the extension's commands", async () => {
  const { command, args } = coordCommand(coordUnderTest(), "lsp");
  const server = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  server.stderr.on("data", (chunk) => (stderr += chunk));
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  connection.listen();
  try {
    const defaults = <T>(_key: string, fallback: T) => fallback;
    const started = connection.sendRequest("initialize", {
      processId: process.pid, rootUri: pathToFileURL(repository).href, capabilities: {},
      initializationOptions: { coordlang: serverSettings(defaults) },
    });
    await Promise.race([started, new Promise((_, reject) => server.on("exit", (code) => reject(new Error(`coord lsp exited ${code}: ${stderr}`))))]);
    connection.sendNotification("initialized", {});
    const file = path.join(repository, "examples", "order_saga", "order_saga.coord");
    const uri = pathToFileURL(file).href;
    connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "coord", version: 1, text: fs.readFileSync(file, "utf8") } });

    const lenses = (await connection.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as Lens[];
    const commands = new Set(lenses.map((l) => l.command.command));
    assert.deepEqual([...commands].sort(), ["coordlang.debug", "coordlang.run", "coordlang.showGraph"]);
    for (const lens of lenses) {
      assert.equal(lens.command.arguments.length, 2);
      assert.equal(lens.command.arguments[0], uri);
      assert.equal(typeof lens.command.arguments[1], "string");
    }
    assert.ok(lenses.some((l) => l.command.arguments[1] === "Order"));

    // The graph panel's request: what the page draws, for the workflow a lens names.
    type Graph = { uri: string; version: number; stale: boolean; workflows: { name: string; nodes: unknown[] }[] };
    const graph = (await connection.sendRequest("coord/graph", { uri, workflow: "Order" })) as Graph;
    assert.equal(graph.uri, uri);
    assert.equal(graph.stale, false);
    assert.ok(graph.workflows.length >= 1 && graph.workflows.every((w) => w.name === "Order" && w.nodes.length > 0));

    const noGraph = <T>(key: string, fallback: T) => (key === "codeLens.graph" ? (false as T) : fallback);
    connection.sendNotification("workspace/didChangeConfiguration", { settings: { coordlang: serverSettings(noGraph) } });
    const fewer = (await connection.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as Lens[];
    assert.ok(fewer.length > 0 && fewer.every((l) => l.command.command !== "coordlang.showGraph"));

    await connection.sendRequest("shutdown");
    const exited = new Promise((resolve) => server.on("exit", resolve));
    await connection.sendNotification("exit");
    await exited;
  } finally {
    connection.dispose();
    server.kill();
  }
});
