"""A kernel is generated once per program: a second executor, in a new process, finds the
content-addressed module and numba's cache beside it, and compiles nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from dual import ROOT

from coordlang.runtime.compiled.cache import kernel_dir, load_kernel

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from coordlang.ir.compile import compile_file
    from coordlang.runtime.compiled import CompiledExecutor
    from coordlang.runtime.events import read_events

    path = Path(sys.argv[1])
    program = compile_file(path)
    executor = CompiledExecutor(program, cache_dir=Path(sys.argv[2]))
    executor.feed(read_events(program, path.parent / "events.jsonl"))
    result = executor.finish()
    stats = executor.kernel.kernel.stats
    print(json.dumps({"file": executor.kernel.__file__, "hits": sum(stats.cache_hits.values()),
                      "misses": sum(stats.cache_misses.values()), "completed": result.counters["completed"]}))
""")


def run_once(cache: Path) -> dict:
    example = ROOT / "examples" / "payment_retries" / "payment_retries.coord"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(example), str(cache)], capture_output=True, text=True,
                          env=env, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_second_process_compiles_nothing(kernel_cache: Path) -> None:
    # The session's cache: the first run compiles only when no earlier session did.
    first = run_once(kernel_cache)
    kernel = Path(first["file"])
    assert kernel.parent == kernel_cache and kernel.name.startswith("k_")
    index = list((kernel_cache / "__pycache__").glob(f"{kernel.stem}.kernel-*.nbi"))
    assert len(index) == 1 and first["hits"] + first["misses"] == 1
    stamp = index[0].stat().st_mtime_ns
    second = run_once(kernel_cache)
    assert second == {**first, "hits": 1, "misses": 0}
    assert index[0].stat().st_mtime_ns == stamp


def test_the_kernels_live_under_coordlangs_cache_root(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COORDLANG_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert kernel_dir() == tmp_path / "elsewhere" / "kernels"
    assert kernel_dir(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv("COORDLANG_CACHE_DIR")
    assert kernel_dir() == Path.home() / ".cache" / "coordlang" / "kernels"


def test_an_unwritable_cache_falls_back_to_a_temporary_one(tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    module = load_kernel(f"VALUE = {id(blocked)}\n", blocked)
    assert module.VALUE == id(blocked)
    assert Path(module.__file__).parent == Path(tempfile.gettempdir()) / f"coordlang-kernels-{os.getuid()}"
    assert load_kernel(f"VALUE = {id(blocked)}\n", blocked) is module
