import { strict as assert } from "assert";
import { test } from "node:test";
import { commandLine, quote, recordRunWords, runWords, shellKind, timestampName } from "../../src/commandLine";

const coord = { command: "/usr/bin/coord", args: [], source: "PATH" };
const python = { command: "C:\\Program Files\\Python\\python.exe", args: ["-m", "coordlang"], source: "coordlang.pythonPath" };

test("the run command line", () => {
  assert.equal(commandLine(runWords(coord, "/w/shop.coord", "/w/events.jsonl"), "posix"),
    "/usr/bin/coord run /w/shop.coord --events /w/events.jsonl");
});

test("the recording run uses the interpreter and a log folder", () => {
  assert.deepEqual(recordRunWords(coord, "/w/p.coord", "/w/e.jsonl", "/w/runs/2026-01-05T10-00-00"),
    ["/usr/bin/coord", "run", "/w/p.coord", "--events", "/w/e.jsonl", "--backend", "interpreter", "--log", "/w/runs/2026-01-05T10-00-00"]);
});

test("paths with spaces, quotes and shell characters are quoted for each shell", () => {
  assert.equal(quote("/my files/it's.coord", "posix"), "'/my files/it'\\''s.coord'");
  assert.equal(quote("$HOME;rm -rf", "posix"), "'$HOME;rm -rf'");
  assert.equal(quote("C:\\my files\\it's.coord", "powershell"), "'C:\\my files\\it''s.coord'");
  assert.equal(quote("C:\\my files\\a.coord", "cmd"), '"C:\\my files\\a.coord"');
  assert.equal(quote("100%", "cmd"), '"100%"');
  assert.equal(quote("", "posix"), "''");
  assert.equal(quote("/plain/path-1.coord", "posix"), "/plain/path-1.coord");
});

test("PowerShell runs a quoted program with &", () => {
  assert.equal(commandLine(runWords(python, "C:\\w\\p.coord", "C:\\w\\e.jsonl"), "powershell"),
    "& 'C:\\Program Files\\Python\\python.exe' -m coordlang run 'C:\\w\\p.coord' --events 'C:\\w\\e.jsonl'");
  assert.equal(commandLine(["coord", "run"], "powershell"), "coord run");
});

test("the shell is told from the terminal's executable", () => {
  assert.equal(shellKind("/bin/bash", "linux"), "posix");
  assert.equal(shellKind("/usr/bin/zsh", "darwin"), "posix");
  assert.equal(shellKind("C:\\Program Files\\PowerShell\\7\\pwsh.exe", "win32"), "powershell");
  assert.equal(shellKind("C:\\Windows\\System32\\cmd.exe", "win32"), "cmd");
  assert.equal(shellKind("C:\\Program Files\\Git\\bin\\bash.exe", "win32"), "posix");
  assert.equal(shellKind(undefined, "win32"), "powershell");
  assert.equal(shellKind("", "linux"), "posix");
});

test("a log folder's name sorts by time and holds no colon", () => {
  assert.equal(timestampName(new Date("2026-01-05T10:20:30.123Z")), "2026-01-05T10-20-30");
});
