import { strict as assert } from "assert";
import { test } from "node:test";
import { COORD_NOT_FOUND, Probe, resolveCoord, which } from "../../src/executable";

function probe(files: string[], extra: Partial<Probe> = {}): Probe {
  return { isFile: (f) => files.includes(f), pathVariable: "/usr/local/bin:/usr/bin", platform: "linux", home: "/home/ada", ...extra };
}
const none = { serverPath: "", pythonPath: "" };

test("coord on the PATH is found in the PATH's order", () => {
  const found = resolveCoord(none, [], probe(["/usr/bin/coord", "/usr/local/bin/coord"]));
  assert.deepEqual(found, { ok: true, coord: { command: "/usr/local/bin/coord", args: [], source: "PATH" } });
});

test("coordlang.server.path comes first, with ~ and relative paths expanded", () => {
  const found = resolveCoord({ serverPath: "~/env/bin/coord", pythonPath: "/usr/bin/python3" }, [], probe(["/home/ada/env/bin/coord", "/usr/bin/coord"]));
  assert.deepEqual(found, { ok: true, coord: { command: "/home/ada/env/bin/coord", args: [], source: "coordlang.server.path" } });
  const relative = resolveCoord({ serverPath: ".venv/bin/coord", pythonPath: "" }, ["/work/shop"], probe(["/work/shop/.venv/bin/coord"]));
  assert.equal(relative.ok && relative.coord.command, "/work/shop/.venv/bin/coord");
  const bare = resolveCoord({ serverPath: "coord", pythonPath: "" }, [], probe(["/usr/bin/coord"]));
  assert.equal(bare.ok && bare.coord.command, "/usr/bin/coord");
});

test("a setting that names no file is an error naming the setting, not a silent fallback", () => {
  const found = resolveCoord({ serverPath: "/opt/coord", pythonPath: "" }, [], probe(["/usr/bin/coord"]));
  assert.equal(found.ok, false);
  assert.match(!found.ok ? found.message : "", /coordlang\.server\.path is \/opt\/coord, which is not a file/);
  const python = resolveCoord({ serverPath: "", pythonPath: "/nope/python" }, [], probe([]));
  assert.match(!python.ok ? python.message : "", /coordlang\.pythonPath is \/nope\/python/);
});

test("coordlang.pythonPath runs python -m coordlang", () => {
  const found = resolveCoord({ serverPath: "", pythonPath: "${workspaceFolder}/.venv/bin/python" }, ["/work/shop"], probe(["/work/shop/.venv/bin/python"]));
  assert.deepEqual(found, { ok: true, coord: { command: "/work/shop/.venv/bin/python", args: ["-m", "coordlang"], source: "coordlang.pythonPath" } });
});

test("a workspace venv is the last resort, on Windows too", () => {
  const found = resolveCoord(none, ["/work/a", "/work/b"], probe(["/work/b/venv/bin/coord"]));
  assert.equal(found.ok && found.coord.command, "/work/b/venv/bin/coord");
  const windows = resolveCoord(none, ["C:\\work\\shop"], probe(["C:\\work\\shop\\.venv\\Scripts\\coord.exe"], { platform: "win32", pathVariable: "" }));
  assert.equal(windows.ok && windows.coord.command, "C:\\work\\shop\\.venv\\Scripts\\coord.exe");
});

test("nothing found: the message names the install and both settings", () => {
  const found = resolveCoord(none, ["/work/shop"], probe([]));
  assert.deepEqual(found, { ok: false, message: COORD_NOT_FOUND });
  for (const fix of ["pip install 'coordlang[lsp]'", "coordlang.server.path", "coordlang.pythonPath"]) assert.ok(COORD_NOT_FOUND.includes(fix), fix);
});

test("which tries Windows' executable extensions", () => {
  assert.equal(which("coord", probe(["C:\\Py\\Scripts\\coord.exe"], { platform: "win32", pathVariable: "C:\\Windows;C:\\Py\\Scripts" })), "C:\\Py\\Scripts\\coord.exe");
  assert.equal(which("coord", probe([])), undefined);
});
