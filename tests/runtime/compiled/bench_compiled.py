"""The compiled backend's figures for docs/benchmarks.md (not a test: run it by hand).

    python tests/runtime/compiled/bench_compiled.py [--orders N] [--runs R] [--interpreter-orders M]

- **orders**: the benchmarks' orders workload (``benchmarks/workloads/orders``), events/s of
  ``feed``/``finish`` on the compiled backend, fed Event objects in batches of 10,000 and fed
  the event table's columns (``feed_columns``, 100,000 rows a call), and on the interpreter;
  the kernel's own share (time inside the numba entry point). Medians of ``--runs``.
- **start-up**: building an executor of orders.coord in a fresh process with an empty kernel
  cache (code generation, numba compilation) and with the cache warm; and the whole process of
  a small run (the payment_retries example) cold and cached.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

START = """
import sys, time
began = time.perf_counter()
from pathlib import Path
from coordlang.ir.compile import compile_file
from coordlang.runtime.compiled import CompiledExecutor
program = compile_file(sys.argv[1])
compiled = time.perf_counter()
executor = CompiledExecutor(program, cache_dir=Path(sys.argv[2]))
built = time.perf_counter()
if len(sys.argv) > 3:
    from coordlang.runtime.events import read_events
    executor.feed(read_events(program, Path(sys.argv[1]).parent / "events.jsonl"))
    executor.finish()
print(built - compiled, time.perf_counter() - began)
"""


def start_up(path: Path, cache: Path, run: bool = False) -> tuple[float, float, float]:
    """(executor build, process total as measured inside, wall clock of the process)."""
    began = time.perf_counter()
    args = [sys.executable, "-c", START, str(path), str(cache)] + (["run"] if run else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1]), time.perf_counter() - began


def orders(n: int, runs: int, interpreter_orders: int) -> None:
    from benchmarks.workloads.orders.generate import PROGRAM, generate
    from coordlang.ir.compile import compile_file
    from coordlang.runtime.compiled import CompiledExecutor
    from coordlang.runtime.compiled.executor import CompiledExecutor as Executor
    from coordlang.runtime.interpreter import Interpreter

    program = compile_file(PROGRAM)
    table = generate(n).table
    batches = list(table.events(10_000))
    kernel_time = [0.0]
    call = Executor._call

    def timed(self, *args, **kwargs):
        began = time.perf_counter()
        try:
            return call(self, *args, **kwargs)
        finally:
            kernel_time[0] += time.perf_counter() - began

    Executor._call = timed
    events: list[float] = []
    columns: list[float] = []
    kernel: list[float] = []
    results = []
    for _ in range(runs):
        executor = CompiledExecutor(program)
        kernel_time[0] = 0.0
        for batch in batches:
            executor.feed(batch)
        results.append(executor.finish())
        events.append(results[-1].seconds)
        executor = CompiledExecutor(program)
        kernel_time[0] = 0.0
        for lo in range(0, len(table), 100_000):
            executor.feed_columns(table.slice(lo, min(lo + 100_000, len(table))))
        results.append(executor.finish())
        columns.append(results[-1].seconds)
        kernel.append(kernel_time[0])
    Executor._call = call
    assert all(r.outcomes == results[0].outcomes and r.counters == results[0].counters for r in results)
    count = len(table)
    small = generate(interpreter_orders).table
    small_batches = list(small.events(10_000))
    interpreted = []
    for _ in range(max(1, runs // 2)):
        interpreter = Interpreter(program)
        began = time.perf_counter()
        for batch in small_batches:
            interpreter.feed(batch)
        interpreter.finish()
        interpreted.append(time.perf_counter() - began)
    rate = {
        "compiled, feed(Event)": count / statistics.median(events),
        "compiled, feed_columns": count / statistics.median(columns),
        "compiled, inside the kernel": count / statistics.median(kernel),
        "interpreter": len(small) / statistics.median(interpreted),
    }
    print(f"orders: {n:,} orders, {count:,} events (interpreter: {interpreter_orders:,} orders, {len(small):,} events)")
    for name, value in rate.items():
        print(f"  {name:30} {value:>14,.0f} events/s  ({value / rate['interpreter']:.1f}x the interpreter)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--interpreter-orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    orders(args.orders, args.runs, args.interpreter_orders)
    program = ROOT / "benchmarks" / "workloads" / "orders" / "orders.coord"
    example = ROOT / "examples" / "payment_retries" / "payment_retries.coord"
    with tempfile.TemporaryDirectory() as cold:
        first = start_up(program, Path(cold))
        again = [start_up(program, Path(cold)) for _ in range(args.runs)]
    print(f"start-up, orders.coord: executor built cold {first[0]:.2f} s, cached "
          f"{statistics.median(a[0] for a in again):.2f} s")
    with tempfile.TemporaryDirectory() as cold:
        first = start_up(example, Path(cold), run=True)
        again = [start_up(example, Path(cold), run=True) for _ in range(args.runs)]
    print(f"start-up, payment_retries run, whole process: cold {first[2]:.2f} s, cached "
          f"{statistics.median(a[2] for a in again):.2f} s")


if __name__ == "__main__":
    main()
