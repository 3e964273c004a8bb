"""BENCHMARKS' start-up workload: ``coord run`` on a small example, whole-process wall time.

Each run is a fresh ``python -m coordlang run`` process on ``payment_retries`` (26 events), so
the figure holds everything a user waits for: the interpreter starting, imports, parsing and
checking the program, building the executor, the run and the output files.

- ``compiled, cached``: the kernel is in the cache (one untimed run first fills it);
- ``compiled, cold kernel``: an empty cache each run, so the program's kernel is generated and
  compiled (numba's cache of ``kernel_lib``, shared by all programs, stays warm, as it does
  after a user's first run of any program);
- ``interpreter``: no kernel at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "payment_retries"
RUNNERS = ("compiled, cached", "compiled, cold kernel", "interpreter")
TARGET_CACHED_SECONDS = 0.8


def example_events() -> int:
    text = (EXAMPLE / "events.jsonl").read_text(encoding="utf-8")
    return sum(1 for line in text.splitlines() if line.strip())


def run_once(backend: str, cache_dir: Path, out: Path) -> tuple[float, str]:
    """One whole ``coord run`` process: (wall seconds, ``ok`` or what went wrong)."""
    command = [sys.executable, "-m", "coordlang", "run", str(EXAMPLE / "payment_retries.coord"),
               "--events", str(EXAMPLE / "events.jsonl"), "--out", str(out), "--backend", backend]
    env = {**os.environ, "COORDLANG_CACHE_DIR": str(cache_dir)}
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        return seconds, f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:] or ''}"
    return seconds, "ok" if out.read_text(encoding="utf-8").strip() else "no outcomes written"


def startup_once(runner: str, folder: Path):
    """The timed run of ``runner`` and its untimed warm-up: (once, warm)."""
    out = folder / "outcomes.jsonl"
    if runner == "interpreter":
        cache = folder / "interpreter-cache"
        return (lambda: run_once("interpreter", cache, out)), (lambda: run_once("interpreter", cache, out))
    if runner == "compiled, cached":
        cache = folder / "cached"
        return (lambda: run_once("compiled", cache, out)), (lambda: run_once("compiled", cache, out))

    def cold() -> tuple[float, str]:
        with tempfile.TemporaryDirectory(dir=folder, prefix="cold-") as fresh:
            # The parser tables are part of the user's first run ever, not of a new program's.
            parser = folder / "cached" / "parser"
            if parser.is_dir():
                os.symlink(parser, Path(fresh) / "parser")
            return run_once("compiled", Path(fresh), out)

    return cold, (lambda: run_once("compiled", folder / "cached", out))
