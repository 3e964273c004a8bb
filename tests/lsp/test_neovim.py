"""``coord lsp`` with a client nobody here wrote: Neovim (Debian's, installed by ``.ci/run``),
headless and without user configuration, running ``neovim_client.lua`` over a copy of
``workspace/`` with a document holding a misspelled handler. The script writes what the server
sent back as JSON; this test reads it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "neovim_client.lua"
TIMEOUT = 90.0
INSTALL_HINT = ("neovim is needed for tests/lsp/test_neovim.py and `nvim` is not on PATH: install it "
                "(Debian/Ubuntu: `sudo apt-get install neovim`; `bash .ci/run` does it when run as root)")

BROKEN = """\
# An order charged twice, the second time through a misspelled handler.
module shop.broken

import "common.coord"

workflow Order on OrderPlaced as o key order_id -> float {
    let paid = do charge(o.order_id, o.amount)
    let again = do chrage(o.order_id, paid)
    await PaymentOk as p where p.order_id == o.order_id within 1h else {
        fail "no payment for {o.order_id}"
    }
    complete paid
}
"""


def position_of(text: str, needle: str, delta: int = 0) -> list[int]:
    """The LSP position (line, UTF-16 column) of ``needle`` in ``text``, moved by ``delta``."""
    offset = text.index(needle) + delta
    line_start = text.rfind("\n", 0, offset) + 1
    return [text.count("\n", 0, offset), len(text[line_start:offset].encode("utf-16-le")) // 2]


def test_neovim_gets_diagnostics_completion_and_hover(tmp_path):
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    folder = tmp_path / "workspace"
    shutil.copytree(HERE / "workspace", folder)
    broken = folder / "broken.coord"
    broken.write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "neovim.json"
    home = tmp_path / "nvim-home"  # Neovim's config, data, state (its lsp.log) and cache
    plan = {
        "completion": {"await": position_of(BROKEN, "await PaymentOk", len("await ")),
                       "do": position_of(BROKEN, "do charge(", len("do "))},
        "hover": {"charge": position_of(BROKEN, "charge(o.", 2)},
    }
    env = {**os.environ,
           **{f"XDG_{kind}_HOME": str(home / kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")},
           "COORD_NVIM_SCRIPT": str(SCRIPT), "COORD_PYTHON": sys.executable, "COORD_ROOT": str(folder),
           "COORD_FILE": str(broken), "COORD_PLAN": json.dumps(plan), "COORD_OUT": str(out)}

    started = time.monotonic()
    run = subprocess.run([nvim, "--headless", "--clean", "-c", "lua dofile(os.getenv('COORD_NVIM_SCRIPT'))"],
                         cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=TIMEOUT)
    took = time.monotonic() - started

    def logs() -> str:
        found = sorted(home.rglob("*log"))
        return "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-4000:]}" for p in found)

    context = f"nvim exited {run.returncode} after {took:.1f}s\nstdout: {run.stdout}\nstderr: {run.stderr}\n{logs()}"
    assert out.exists(), context
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["error"] is None, f"{got['error']}\n{context}"
    assert got["filetype"] == "coord"

    # diagnostics, as the server published them and as Neovim shows them
    uri = broken.as_uri()
    published = [p for p in got["published"] if p["uri"] == uri]
    assert published, got["published"]
    errors = [d for d in published[-1]["diagnostics"] if d["severity"] == 1]
    line, column = position_of(BROKEN, "chrage")
    assert len(errors) == 1, errors
    assert errors[0]["code"] == "N203" and errors[0]["source"] == "coord"
    assert "chrage" in errors[0]["message"] and "charge" in errors[0]["message"]
    assert errors[0]["range"]["start"] == {"line": line, "character": column}
    assert errors[0]["range"]["end"] == {"line": line, "character": column + len("chrage")}
    shown = [d for d in got["diagnostics"] if d["severity"] == 1]  # vim.diagnostic.severity.ERROR
    assert [(d["lnum"], d["col"], d["code"], d["source"]) for d in shown] == [(line, column, "N203", "coord")]

    # completion: the events an await can wait for, the handlers a do can call
    assert {"OrderPlaced", "PaymentOk"} <= set(got["completion"]["await"])
    assert "charge" in got["completion"]["do"] and "chrage" not in got["completion"]["do"]

    # hover on a handler: its declaration and its Python binding
    hover = got["hover"]["charge"]
    assert hover["contents"]["kind"] == "markdown"
    assert "shop_handlers:charge" in hover["contents"]["value"] and "5s" in hover["contents"]["value"]
    start = position_of(BROKEN, "charge(o.")
    assert hover["range"]["start"] == {"line": start[0], "character": start[1]}

    # and the server ended cleanly when Neovim stopped it
    assert got.get("server_exit") == {"code": 0, "signal": 0}, context
