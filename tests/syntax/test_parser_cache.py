"""The parser's table cache: used when good, rebuilt when missing or damaged, never a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = ("from coordlang.syntax import parse; r = parse('event E { id: str }\\n'); "
         "print(len(r.module.decls), len(r.diagnostics))")


def run_probe(cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COORDLANG_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)


def test_cache_is_written_then_used(tmp_path: Path) -> None:
    first = run_probe(tmp_path)
    assert (first.returncode, first.stdout.strip(), first.stderr) == (0, "1 0", "")
    files = list((tmp_path / "parser").iterdir())
    assert len(files) == 1 and files[0].stat().st_size > 10_000
    second = run_probe(tmp_path)
    assert (second.returncode, second.stdout.strip(), second.stderr) == (0, "1 0", "")


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    run_probe(tmp_path)
    cached = next((tmp_path / "parser").iterdir())
    digest_line = cached.read_bytes().split(b"\n", 1)[0]
    for damage in (b"garbage\n", digest_line + b"\n\x80\x04truncated"):
        cached.write_bytes(damage)
        result = run_probe(tmp_path)
        assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "1 0", "")
        assert cached.stat().st_size > 10_000, "the damaged file was replaced"


def test_unwritable_cache_directory_parses_without_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_probe(blocker)
    assert (result.returncode, result.stdout.strip()) == (0, "1 0")
