import { strict as assert } from "assert";
import { test } from "node:test";
import * as path from "path";
import { launchBeside, resolveConfiguration, route } from "../../src/debugConfig";

const program = path.join("/w", "pay", "payments.coord");
const events = path.join("/w", "pay", "events.jsonl");
const list = (folder: string) => (folder === path.join("/w", "pay") ? ["payments.coord", "events.jsonl"] : []);

test("F5 with no launch.json debugs the active .coord file over the events beside it", () => {
  assert.deepEqual(resolveConfiguration({}, program, list), {
    ok: true,
    configuration: { type: "coord", request: "launch", name: "Debug payments.coord", program, events, stopOnEntry: true },
  });
});

test("F5 with no .coord file open, or no events file, says what to do", () => {
  const noFile = resolveConfiguration({}, "/w/notes.md", list);
  assert.match(!noFile.ok ? noFile.message : "", /open a \.coord file/);
  const noEvents = resolveConfiguration({}, "/w/other/x.coord", list);
  assert.match(!noEvents.ok ? noEvents.message : "", /no events file beside x\.coord/);
});

test("a launch without events gets the file beside its program; one with events is kept", () => {
  const filled = resolveConfiguration({ type: "coord", request: "launch", name: "n", program }, undefined, list);
  assert.equal(filled.ok && filled.configuration.events, events);
  const kept = { type: "coord", request: "launch", name: "n", program, events: "/elsewhere.csv", debugHandlers: true };
  assert.deepEqual(resolveConfiguration(kept, undefined, list), { ok: true, configuration: kept });
  const variables = { type: "coord", request: "launch", name: "n", program: "${file}" };
  assert.deepEqual(resolveConfiguration(variables, undefined, list), { ok: true, configuration: variables });
});

test("attach configurations go through as written", () => {
  const attach = { type: "coord", request: "attach", name: "n", log: "/w/runs/monday" };
  assert.deepEqual(resolveConfiguration(attach, program, list), { ok: true, configuration: attach });
});

test("the code lens's Debug names the session after the workflow", () => {
  const launch = launchBeside(program, list, "Payment");
  assert.equal(launch.ok && launch.configuration.name, "Debug Payment");
});

test("an attach with connect is debugpy's: routed to its port, never to coord dap", () => {
  const child = { type: "coord", request: "attach", name: "handlers of payments.coord", connect: { host: "127.0.0.1", port: 53211 } };
  assert.deepEqual(route(child), { to: "debugpy", host: "127.0.0.1", port: 53211 });
  assert.deepEqual(route({ ...child, connect: { port: 5678 } }), { to: "debugpy", host: "127.0.0.1", port: 5678 });
  assert.deepEqual(route({ type: "coord", request: "launch", program, events }), { to: "coord" });
  assert.deepEqual(route({ type: "coord", request: "attach", log: "/w/runs" }), { to: "coord" });
  assert.deepEqual(route({ ...child, connect: { port: 0 } }), { to: "coord" }, "no port: coord dap answers with its message");
  assert.deepEqual(route({ ...child, request: "launch" }), { to: "coord" });
});
