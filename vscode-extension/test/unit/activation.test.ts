/**
 * The bundle (dist/extension.js) activated against a stand-in for the `vscode` module: every
 * command of the manifest is registered, the debugger's pieces are, and a session is routed
 * to coord dap or to debugpy's port. coord is not on the stand-in's PATH at first, so the user is
 * told the fix and no server starts; then the code lens commands run coord with their arguments.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { test } from "node:test";
import * as path from "path";
import { requireWith, standIn } from "./vscodeStandIn";

const root = path.join(__dirname, "..", "..", "..");

test("activation registers every command and the debugger, routes sessions, and the commands run coord", async () => {
  const settings: Record<string, unknown> = { "server.path": "", pythonPath: "" };
  const fake = standIn(settings);
  const savedPath = process.env.PATH;
  const bundle = path.join(root, "dist", "extension.js");
  assert.ok(fs.existsSync(bundle), "npm run build first");
  process.env.PATH = "";
  try {
    const extension = requireWith(fake.vscode, bundle);
    await extension.activate({ subscriptions: [], extensionUri: fake.vscode.Uri.file(root) });
  } finally {
    process.env.PATH = savedPath;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  for (const { command } of manifest.contributes.commands) assert.ok(fake.commands.has(command), command);
  assert.match(fake.errors.join("\n"), /cannot find the `coord` command/);

  const factory = fake.factories.coord;
  const child = factory.createDebugAdapterDescriptor({ configuration: { type: "coord", request: "attach", name: "handlers", connect: { host: "127.0.0.1", port: 53211 } } });
  assert.ok(child instanceof fake.DebugAdapterServer);
  assert.deepEqual({ ...(child as object) }, { port: 53211, host: "127.0.0.1" });
  process.env.PATH = "";
  try {
    assert.throws(() => factory.createDebugAdapterDescriptor({ configuration: { type: "coord", request: "launch", program: "p.coord", events: "e.jsonl" } }),
      /cannot find the `coord` command/);
  } finally {
    process.env.PATH = savedPath;
  }
  settings.pythonPath = process.execPath; // any file: the descriptor is built, not started
  const adapter = factory.createDebugAdapterDescriptor({ configuration: { type: "coord", request: "launch", program: "p.coord", events: "e.jsonl" } });
  assert.ok(adapter instanceof fake.DebugAdapterExecutable);
  assert.deepEqual({ ...(adapter as object) }, { command: process.execPath, args: ["-m", "coordlang", "dap"] });

  // The code lenses' commands with their [uri, workflow] arguments.
  const program = path.join(root, "..", "examples", "order_saga", "order_saga.coord");
  const events = path.join(path.dirname(program), "events.jsonl");
  await fake.commands.get("coordlang.run")!("file://" + program, "Order");
  assert.deepEqual(fake.typed, [`${process.execPath} -m coordlang run ${program} --events ${events}`]);
  await fake.commands.get("coordlang.debug")!("file://" + program, "Order");
  assert.deepEqual(fake.debugged, [{ type: "coord", request: "launch", name: "Debug Order", program, events, stopOnEntry: true }]);
  settings.profileLogs = "/tmp/coord-runs";
  await fake.commands.get("coordlang.recordRun")!("file://" + program);
  assert.match(fake.typed[1], new RegExp(`^${process.execPath} -m coordlang run ${program} --events ${events} --backend interpreter --log /tmp/coord-runs/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d$`));
});
