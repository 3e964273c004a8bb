/** The coord the end-to-end tests start: `$PYTHON -m coordlang`, found as coordlang.pythonPath would be. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Coord, resolveCoord } from "../../src/executable";

export const repository = path.join(__dirname, "..", "..", "..", "..");

/** $PYTHON (CI's), else the repository's .venv, else python3. */
export function python(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = path.join(repository, ".venv", "bin", "python");
  return fs.existsSync(venv) ? venv : "python3";
}

export function coordUnderTest(): Coord {
  const found = resolveCoord({ serverPath: "", pythonPath: python() }, [repository],
    { isFile: (f) => fs.existsSync(f), pathVariable: process.env.PATH ?? "", platform: process.platform, home: os.homedir() });
  assert.ok(found.ok, !found.ok ? found.message : "");
  return found.coord;
}
