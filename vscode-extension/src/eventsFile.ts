/** Finding the events file that goes with a program. No `vscode` import. */
import * as path from "path";

/** The extensions `coord run` reads events from, in the order they are preferred. */
export const EVENT_EXTENSIONS = [".jsonl", ".ndjson", ".json", ".msgpack", ".mpk", ".csv", ".coordcols"];

/**
 * The events file beside `program`, given the names in its folder: `STEM.events.EXT`, then
 * `events.EXT`, then `STEM.EXT` (not `.json`: too often a settings file), then the only file
 * of an events extension whose name says events. Undefined when none fits.
 */
export function findEventsFile(program: string, siblings: readonly string[]): string | undefined {
  const folder = path.dirname(program);
  const stem = path.basename(program).replace(/\.coord$/, "");
  const present = new Set(siblings);
  const wanted: string[] = [];
  for (const ext of EVENT_EXTENSIONS) wanted.push(`${stem}.events${ext}`);
  for (const ext of EVENT_EXTENSIONS) wanted.push(`events${ext}`);
  for (const ext of EVENT_EXTENSIONS) if (ext !== ".json") wanted.push(`${stem}${ext}`);
  const hit = wanted.find((name) => present.has(name));
  if (hit) return path.join(folder, hit);
  const named = siblings.filter((n) => /events/i.test(n) && EVENT_EXTENSIONS.includes(path.extname(n)));
  return named.length === 1 ? path.join(folder, named[0]) : undefined;
}

/** The message when a program has no events file beside it; it names the fix. */
export function noEventsMessage(program: string): string {
  return `coordlang: no events file beside ${path.basename(program)}: put its input events in ` +
    `${path.join(path.dirname(program), "events.jsonl")} (one JSON object per line: {"event": TYPE, ...}), ` +
    `or add a launch configuration with "events".`;
}
