/**
 * The extension's side of the contract with the real `coord dap`, started as the extension
 * starts it: a launch built by the extension (the events file beside the program) runs; with
 * `debugHandlers` the adapter's `startDebugging` asks for a configuration that `route` sends to
 * debugpy's port, where a debug adapter answers; and the stop watcher of the graph panel finds
 * a breakpoint's line in the adapter's own messages. Needs coordlang and debugpy in $PYTHON (coordUnderTest.ts).
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { test } from "node:test";
import * as path from "path";
import { launchBeside, route } from "../../src/debugConfig";
import { coordCommand } from "../../src/executable";
import { coordUnderTest, repository } from "./coordUnderTest";
import { StopWatcher } from "../../src/graphPage";


type Message = { type: string; seq: number; command?: string; event?: string; request_seq?: number; success?: boolean; body?: any; arguments?: any };

/** Sees every message both ways, as a DebugAdapterTracker does. */
interface Observer {
  toAdapter(message: Message): void;
  fromAdapter(message: Message): void;
}

/** A DAP conversation over a pair of streams: Content-Length framing, requests by sequence number. */
class Dap {
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private waiters: Array<{ want: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  readonly seen: Message[] = [];

  constructor(private readonly write: (data: string) => void, readable: NodeJS.ReadableStream, private readonly watcher?: Observer) {
    readable.on("data", (chunk: Buffer) => this.receive(chunk));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()) as Message;
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.watcher?.fromAdapter(message);
      this.seen.push(message);
      this.waiters = this.waiters.filter((w) => (w.want(message) ? (w.resolve(message), false) : true));
    }
  }

  send(message: Omit<Message, "seq">): number {
    const full = { ...message, seq: this.seq++ } as Message;
    this.watcher?.toAdapter(full);
    const body = JSON.stringify(full);
    this.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return full.seq;
  }

  next(want: (m: Message) => boolean, what: string, ms = 30000): Promise<Message> {
    const already = this.seen.find(want);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.push({ want, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  async request(command: string, args: unknown): Promise<Message> {
    const seq = this.send({ type: "request", command, arguments: args });
    const response = await this.next((m) => m.type === "response" && m.request_seq === seq, `answer to ${command}`);
    assert.ok(response.success, `${command}: ${JSON.stringify(response)}`);
    return response;
  }
}

function startAdapter(): ChildProcess {
  const { command, args } = coordCommand(coordUnderTest(), "dap");
  return spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
}

const initialize = { adapterID: "coord", linesStartAt1: true, columnsStartAt1: true, pathFormat: "path", supportsStartDebuggingRequest: true };

test("a launch of the extension's making stops at a breakpoint; the stop watcher reads its line", async () => {
  const program = path.join(repository, "examples", "payment_retries", "payment_retries.coord");
  const launch = launchBeside(program, (folder) => fs.readdirSync(folder));
  assert.ok(launch.ok);
  const adapter = startAdapter();
  const watcher = new StopWatcher();
  const stops: Array<{ path: string; line: number }> = [];
  const dap = new Dap((d) => adapter.stdin!.write(d), adapter.stdout!, {
    toAdapter: (m) => watcher.toAdapter(m),
    fromAdapter: (m) => { const stop = watcher.fromAdapter(m); if (stop) stops.push(stop); },
  });
  try {
    await dap.request("initialize", initialize);
    await dap.request("launch", { ...launch.configuration, stopOnEntry: false });
    const lines = fs.readFileSync(program, "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes("let captured = do capture")) + 1;
    await dap.request("setBreakpoints", { source: { path: program }, breakpoints: [{ line }] });
    await dap.request("configurationDone", {});
    const stopped = await dap.next((m) => m.event === "stopped", "stop");
    assert.equal(stopped.body.reason, "breakpoint");
    await dap.request("stackTrace", { threadId: stopped.body.threadId });
    assert.deepEqual(stops, [{ path: program, line: line - 1 }]);
    await dap.request("disconnect", {});
  } finally {
    adapter.kill();
  }
});

test("debugHandlers: the child session coord dap asks for is routed to debugpy, which answers there", async () => {
  const program = path.join(repository, "examples", "payment_retries", "payment_retries.coord");
  const launch = launchBeside(program, (folder) => fs.readdirSync(folder));
  assert.ok(launch.ok);
  const adapter = startAdapter();
  const dap = new Dap((d) => adapter.stdin!.write(d), adapter.stdout!);
  let socket: net.Socket | undefined;
  try {
    await dap.request("initialize", initialize);
    await dap.request("launch", { ...launch.configuration, debugHandlers: true });
    const ask = await dap.next((m) => m.type === "request" && m.command === "startDebugging", "startDebugging");
    const where = route(ask.arguments.configuration);
    assert.equal(where.to, "debugpy");
    if (where.to !== "debugpy") return;
    const connected = net.connect(where.port, where.host);
    socket = connected;
    await new Promise((resolve, reject) => connected.once("connect", resolve).once("error", reject));
    const debugpy = new Dap((d) => connected.write(d), connected);
    const answer = await debugpy.request("initialize", { adapterID: "debugpy", linesStartAt1: true, columnsStartAt1: true, pathFormat: "path" });
    assert.ok(answer.body?.supportsConfigurationDoneRequest, "debugpy's capabilities");
    // Decline the child session here: this test has no Python debugger to drive.
    dap.send({ type: "response", request_seq: ask.seq, command: "startDebugging", success: false, body: {} } as never);
    await dap.request("disconnect", {});
  } finally {
    socket?.destroy();
    adapter.kill();
  }
});
