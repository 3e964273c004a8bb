/**
 * Debug configurations of type `coord`: what F5 debugs without a launch.json, the launch a
 * command starts, and where a session goes (coord dap, or debugpy for the handlers' child
 * session). No `vscode` import.
 */
import * as path from "path";
import { findEventsFile, noEventsMessage } from "./eventsFile";

/** The parts of a debug configuration this module reads or writes. */
export interface CoordConfiguration {
  type?: string;
  request?: string;
  name?: string;
  program?: string;
  events?: string;
  log?: string;
  stopOnEntry?: boolean;
  connect?: { host?: string; port?: number };
  [key: string]: unknown;
}

export type Resolved = { ok: true; configuration: CoordConfiguration } | { ok: false; message: string };

/** Lists a folder's file names (injected: tests need no files). */
export type ListFolder = (folder: string) => readonly string[];

/** The launch configuration that debugs `program` over `events`, stopping on entry. */
export function launchConfiguration(program: string, events: string, workflow?: string): CoordConfiguration {
  return {
    type: "coord",
    request: "launch",
    name: workflow ? `Debug ${workflow}` : `Debug ${path.basename(program)}`,
    program,
    events,
    stopOnEntry: true,
  };
}

/** A launch of `program` over the events file beside it, or the message saying how to add one. */
export function launchBeside(program: string, list: ListFolder, workflow?: string): Resolved {
  const events = findEventsFile(program, list(path.dirname(program)));
  if (!events) return { ok: false, message: noEventsMessage(program) };
  return { ok: true, configuration: launchConfiguration(program, events, workflow) };
}

/**
 * Completes a configuration before the session starts (VSCode's resolveDebugConfiguration):
 * an empty one (F5 with no launch.json) debugs the active `.coord` file with its events file; a
 * launch without `events` gets the one beside its program. Anything else goes through as written:
 * `coord dap` reports what is wrong with it in its own words.
 */
export function resolveConfiguration(config: CoordConfiguration, activeFile: string | undefined, list: ListFolder): Resolved {
  if (!config.type && !config.request && !config.name) {
    if (!activeFile || !activeFile.endsWith(".coord")) {
      return { ok: false, message: "coordlang: open a .coord file to debug it, or add a launch configuration of type coord (Run > Add Configuration)." };
    }
    return launchBeside(activeFile, list);
  }
  if (config.request === "launch" && !config.events && typeof config.program === "string" && !config.program.includes("${")) {
    const beside = launchBeside(config.program, list);
    if (!beside.ok) return beside;
    return { ok: true, configuration: { ...config, events: beside.configuration.events } };
  }
  return { ok: true, configuration: config };
}

/** Where a session's messages go. */
export type Route = { to: "coord" } | { to: "debugpy"; host: string; port: number };

/**
 * An `attach` carrying `connect` is the child session `coord dap` asks for with `startDebugging`:
 * the handlers' debugpy listens at that address and speaks DAP itself, so the session goes
 * straight there, never to `coord dap` (which refuses it).
 */
export function route(config: CoordConfiguration): Route {
  const connect = config.connect;
  if (config.request === "attach" && connect && typeof connect === "object") {
    const port = Number(connect.port);
    if (Number.isInteger(port) && port > 0 && port < 65536) {
      return { to: "debugpy", host: typeof connect.host === "string" && connect.host ? connect.host : "127.0.0.1", port };
    }
  }
  return { to: "coord" };
}
