import { strict as assert } from "assert";
import { test } from "node:test";
import * as path from "path";
import { findEventsFile, noEventsMessage } from "../../src/eventsFile";

const program = path.join("/w", "shop", "orders.coord");
const at = (name: string) => path.join("/w", "shop", name);

test("events.jsonl beside the program", () => {
  assert.equal(findEventsFile(program, ["orders.coord", "events.jsonl", "handlers.py"]), at("events.jsonl"));
});

test("a file named after the program comes first, then events.*, then STEM.*", () => {
  assert.equal(findEventsFile(program, ["events.jsonl", "orders.events.csv"]), at("orders.events.csv"));
  assert.equal(findEventsFile(program, ["orders.jsonl", "events.msgpack"]), at("events.msgpack"));
  assert.equal(findEventsFile(program, ["orders.msgpack"]), at("orders.msgpack"));
});

test("STEM.json is not taken (a settings file as often as not); a lone *events* file is", () => {
  assert.equal(findEventsFile(program, ["orders.json"]), undefined);
  assert.equal(findEventsFile(program, ["monday-events.jsonl"]), at("monday-events.jsonl"));
  assert.equal(findEventsFile(program, ["a-events.jsonl", "b-events.jsonl"]), undefined);
  assert.equal(findEventsFile(program, []), undefined);
});

test("the message without an events file says where to put one", () => {
  assert.match(noEventsMessage(program), /no events file beside orders\.coord: put its input events in .*events\.jsonl/);
});

test("every example has its events file found", async () => {
  const fs = await import("fs");
  const examples = path.join(__dirname, "..", "..", "..", "..", "examples");
  for (const dir of fs.readdirSync(examples)) {
    const folder = path.join(examples, dir);
    if (!fs.statSync(folder).isDirectory()) continue;
    const names = fs.readdirSync(folder);
    for (const name of names.filter((n) => n.endsWith(".coord") && n !== "common.coord")) {
      assert.equal(findEventsFile(path.join(folder, name), names), path.join(folder, "events.jsonl"), name);
    }
  }
});
