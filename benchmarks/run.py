"""The benchmark harness: the workloads of ``BENCHMARKS.md`` on coord's executors and on their
peers, side by side in one process, quoted as ratios against the targets.

    coord bench [--quick | --full] [--only NAME ...] [--runs N] [--json OUT]
    python -m benchmarks.run [same options]

Every runner gets the same generated input; runs alternate between runners (A B C A B C ...)
so that a noisy neighbour slows them alike, and each figure is the median. Each run's result is
checked against what the generator says must come out (outcome counters and each order's status;
every alarm), so a fast wrong answer shows as a failed check, not as a good figure. Memory is
measured in a separate run under tracemalloc, which would slow the timed ones.

A runner whose backend or library is missing is reported as ``not built`` / ``not installed``
and its ratios as not measurable.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import Report, Row, Sizes, short_count, machine, ratios, render  # noqa: E402

MODES = {
    "quick": Sizes(orders=10_000, orders_side_by_side=10_000, sensors=1_000, readings=200_000,
                   readings_side_by_side=100_000, runs=3),
    "full": Sizes(orders=1_000_000, orders_side_by_side=100_000, sensors=10_000, readings=50_000_000,
                  readings_side_by_side=1_000_000, runs=5),
}
WARM_UP = 10_000
"""Events of the untimed warm-up run of each executor."""
RUNNERS = {
    "orders": ("transitions", "interpreter", "compiled"),
    "sensors": ("pandas", "interpreter", "compiled"),
    "read": ("reader .jsonl", "reader .msgpack", "reader .coordcols", "kernel reader .jsonl",
             "kernel reader .coordcols"),
    "end to end": ("compiled .jsonl", "compiled .coordcols", "compiled from memory"),
    "start-up": ("compiled, cached", "compiled, cold kernel", "interpreter"),
}
"""Each workload's runners, as the table names them (``--only`` matches these names)."""


# ---------------------------------------------------------------- measuring

@dataclass(slots=True)
class Contender:
    """A runner ready to go: ``once()`` runs it and returns (seconds, check)."""

    row: Row
    once: Callable[[], tuple[float, str]]
    memory: Callable[[], float] | None = None
    warm: Callable[[], object] | None = None
    """Run once, untimed, before the timed runs: a backend that compiles its kernels at
    their first call (numba) does it here, as start-up, which BENCHMARKS times apart."""


def measure(contenders: list[Contender], runs: int, memory: bool, log: Callable[[str], None]) -> None:
    """Run each contender ``runs`` times, alternating, then measure memory once each."""
    live = [c for c in contenders if c.row.status == "ok"]
    for contender in live:
        if contender.warm is not None:
            try:
                contender.warm()
            except Exception as exc:
                contender.row.status = f"error: {type(exc).__name__}: {exc}"
    for attempt in range(runs):
        for contender in live:
            row = contender.row
            if row.status != "ok":
                continue
            gc.collect()
            try:
                seconds, check = contender.once()
            except Exception as exc:  # a broken runner is a row, not a crash of the suite
                row.status = f"error: {type(exc).__name__}: {exc}"
                continue
            row.seconds.append(seconds)
            if check != "ok" or not row.check:
                row.check = check
            log(f"{row.workload} {row.runner} run {attempt + 1}/{runs}: {seconds:.3f} s ({check})")
    if not memory:
        return
    for contender in live:
        if contender.memory is not None and contender.row.status == "ok":
            gc.collect()
            try:
                contender.row.bytes_per_instance = contender.memory()
            except Exception as exc:
                contender.row.note = f"memory: {type(exc).__name__}: {exc}"
            log(f"{contender.row.workload} {contender.row.runner}: memory measured")


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


# ---------------------------------------------------------------- orders

def orders_contenders(instances: int, runners: tuple[str, ...]) -> list[Contender]:
    """The orders runners named in ``runners``; the input is generated only when one can run."""
    from benchmarks.workloads.orders.generate import PROGRAM, generate
    from coordlang.ir.compile import compile_file

    program = compile_file(PROGRAM)
    planned: list[tuple[Row, Callable[[], object] | None]] = []
    for runner in runners:
        row = Row("orders", runner, f"{short_count(instances)} orders", 0, instances)
        if runner != "transitions":
            planned.append((row, _factory(row, runner, program)))
        elif _missing("transitions"):
            row.status = "not installed"
            planned.append((row, None))
        else:
            from benchmarks.peers.transitions_orders import TransitionsOrders

            planned.append((row, TransitionsOrders))
    if not any(make for _, make in planned):
        return [Contender(row, _nothing) for row, _ in planned]
    data = generate(instances)
    table = data.table
    contenders = []
    for row, make in planned:
        row.input = f"{short_count(instances)} orders, {short_count(len(table))} events"
        row.events = len(table)
        if make is None:
            contenders.append(Contender(row, _nothing))
        else:
            contenders.append(_executor_contender(row, make, table, instances, lambda r: check_orders(data, r)))
    return contenders


def _factory(row: Row, backend: str, program) -> Callable[[], object] | None:
    """The backend's executor factory, or None with the row's status saying why not."""
    from benchmarks.peers import coord

    try:
        return coord.executor_factory(backend, program)
    except coord.NotBuilt:
        row.status = "not built"
    except coord.NotSupported as exc:
        row.status = f"not supported yet: {exc}"
    return None


def _nothing() -> tuple[float, str]:
    return 0.0, ""


def _executor_contender(row: Row, make, table, instances: int, checker) -> Contender:
    from benchmarks.peers import coord

    def once() -> tuple[float, str]:
        measured = coord.run(make, table)
        return measured.seconds, checker(measured.result)

    # Memory is what the executor holds once the last order has started: every order has been
    # placed and most are still running. (Feeding the whole input under tracemalloc would cost
    # several times the timed runs, for a figure about ended orders.)
    placed = np.flatnonzero(table.type == table.types.index("OrderPlaced"))
    prefix = table.slice(0, int(placed[-1]) + 1 if len(placed) else 0)
    return Contender(row, once, lambda: coord.bytes_per_instance(make, prefix, instances),
                     lambda: coord.run(make, table.slice(0, WARM_UP)))


def check_orders(data, result) -> str:
    """``ok``, or the first differences between a run's result and the generator's."""
    from benchmarks.workloads.orders.generate import STATUSES

    stats = result.stats()
    wrong = [f"{name} {stats.get(name)} (expected {want})" for name, want in data.expected.items()
             if stats.get(name) != want]
    if wrong:
        return "; ".join(wrong[:3])
    seen = 0
    for outcome in result.outcomes:
        key = outcome.key
        if not isinstance(key, int) or not 1 <= key <= data.instances:
            return f"outcome for unknown order {key!r}"
        if outcome.status != STATUSES[data.status[key - 1]]:
            return f"order {key}: {outcome.status} (expected {STATUSES[data.status[key - 1]]})"
        if outcome.status == "completed" and outcome.value != data.amount[key - 1]:
            return f"order {key}: value {outcome.value} (expected {data.amount[key - 1]})"
        seen += 1
    if seen != data.instances:
        return f"{seen} outcomes (expected {data.instances})"
    return "ok"


# ---------------------------------------------------------------- sensors

def sensors_contenders(sensors: int, readings: int, runners: tuple[str, ...]) -> list[Contender]:
    """The sensors runners named in ``runners``; the input is generated only when one can run."""
    from benchmarks.peers import coord
    from benchmarks.workloads.sensors.generate import PROGRAM, expected_alarms, generate
    from coordlang.ir.compile import compile_file

    where = f"{short_count(sensors)} sensors, {short_count(readings)} readings"
    program = compile_file(PROGRAM)
    planned: list[tuple[Row, Callable[[], object] | None]] = []
    for runner in runners:
        row = Row("sensors", runner, where, readings, readings)
        if runner != "pandas":
            planned.append((row, _factory(row, runner, program)))
        elif _missing("pandas"):
            row.status = "not installed"
            planned.append((row, None))
        else:
            planned.append((row, None))  # made below, from the data
    if not any(make for _, make in planned) and not any(r.runner == "pandas" and r.status == "ok" for r, _ in planned):
        return [Contender(row, _nothing) for row, _ in planned]
    data = generate(sensors, readings)
    expected = expected_alarms(data)
    contenders = []
    for row, make in planned:
        if row.status != "ok":
            contenders.append(Contender(row, _nothing))
        elif row.runner == "pandas":
            from benchmarks.peers import pandas_sensors

            frame = pandas_sensors.frame(data)

            def pandas_once(frame=frame) -> tuple[float, str]:
                found, seconds = pandas_sensors.run(frame)
                return seconds, check_alarms(expected, found)

            contenders.append(Contender(row, pandas_once))
        else:
            def once(make=make) -> tuple[float, str]:
                measured = coord.run(make, data.table)
                found = [(o.key, o.value, None) for o in measured.result.outcomes]
                return measured.seconds, check_alarms(expected, found)

            contenders.append(Contender(row, once,
                                        warm=lambda make=make: coord.run(make, data.table.slice(0, WARM_UP))))
    return contenders


def check_alarms(expected: list[tuple[int, float, int]], found: list[tuple]) -> str:
    """Same alarms, in the same order, means equal to 1e-9 (pandas sums differently)."""
    if len(found) != len(expected):
        return f"{len(found)} alarms (expected {len(expected)})"
    for (sensor, mean, count), got in zip(expected, found):
        if got[0] != sensor or not math.isclose(got[1], mean, rel_tol=1e-9) or (got[2] is not None and
                                                                             got[2] != count):
            return f"alarm {got} (expected {(sensor, mean, count)})"
    return "ok"


# ---------------------------------------------------------------- reading events files

_FILES: dict[tuple[int, str], tuple[object, Path]] = {}
"""(orders, suffix) → (generated data, file): each input is generated and written once."""


def orders_file(instances: int, suffix: str, folder: Path):
    """The orders input of ``instances`` orders written as ``orders.SUFFIX``: (data, path)."""
    from benchmarks.workloads import columns
    from benchmarks.workloads.orders.generate import generate

    key = (instances, suffix)
    if key not in _FILES:
        data = next((d for (n, _), (d, _) in _FILES.items() if n == instances), None) or generate(instances)
        _FILES[key] = (data, columns.write(data.table, folder / f"orders-{instances}.{suffix}"))
    return _FILES[key]


def read_contenders(instances: int, folder: Path, runners: tuple[str, ...]) -> list[Contender]:
    """Reading the orders input with ``coord run``'s readers: the event reader (Event objects,
    what the interpreter is fed) from JSON Lines, msgpack and the columnar file, and the compiled
    backend's reader (the kernel's columns) from JSON Lines and the columnar file."""
    from benchmarks.workloads.orders.generate import PROGRAM
    from coordlang.ir.compile import compile_file

    contenders = []
    program = None
    for runner in runners:
        suffix = runner.rpartition(".")[2]
        data, path = orders_file(instances, suffix, folder)
        where = f"{short_count(instances)} orders, {short_count(len(data.table))} events"
        row = Row("read", runner, where, len(data.table), instances)
        program = program or compile_file(PROGRAM)
        row.note = f"{path.stat().st_size / len(data.table):.0f} bytes/event"
        if runner.startswith("kernel"):
            once, warm = _kernel_reader(program, path, len(data.table))
            contenders.append(Contender(row, once, warm=warm))
            continue
        from coordlang.runtime.events import read_batches

        def once(path=path, expected=len(data.table)) -> tuple[float, str]:
            began = time.perf_counter()
            count = sum(len(batch) for batch in read_batches(program, path))
            seconds = time.perf_counter() - began
            return seconds, "ok" if count == expected else f"{count} events read"

        contenders.append(Contender(row, once))
    return contenders


def _kernel_reader(program, path: Path, expected: int):
    from coordlang.runtime.compiled import jsonl_scan
    from coordlang.runtime.compiled.codec import Codec
    from coordlang.runtime.compiled.layout import Strings, event_layouts
    from coordlang.runtime.compiled.reader import KernelReader

    def once() -> tuple[float, str]:
        layouts, wi, wf = event_layouts(program)
        codec = Codec(Strings(), layouts, (wi, wf))
        began = time.perf_counter()
        with KernelReader(program, codec, path) as reader:
            count = sum(len(columns[0]) for columns in reader)
        seconds = time.perf_counter() - began
        return seconds, "ok" if count == expected else f"{count} events read"

    return once, jsonl_scan.warm


def end_to_end_contenders(instances: int, folder: Path, runners: tuple[str, ...]) -> list[Contender]:
    """``coord run --backend compiled`` from a file, start-up aside: read, feed, finish, timed
    together (the executor is built, its kernel loaded, before the clock starts); and, side by
    side, the same kernel fed the generated table from memory (processing only), the bar a
    reader can at best reach."""
    from benchmarks.workloads.orders.generate import PROGRAM
    from coordlang.ir.compile import compile_file

    program = compile_file(PROGRAM)
    contenders = []
    for runner in runners:
        suffix = runner.rpartition(".")[2]
        row = Row("end to end", runner, f"{short_count(instances)} orders", 0, instances)
        make = _factory(row, "compiled", program)
        if make is None:
            contenders.append(Contender(row, _nothing))
            continue
        if runner == "compiled from memory":
            from benchmarks.peers import coord

            data, _ = orders_file(instances, "coordcols", folder)
            row.input = f"{short_count(instances)} orders, {short_count(len(data.table))} events"
            row.events = len(data.table)

            def in_memory(data=data, make=make) -> tuple[float, str]:
                measured = coord.run(make, data.table)
                return measured.seconds, check_orders(data, measured.result)

            contenders.append(Contender(row, in_memory))
            continue
        data, path = orders_file(instances, suffix, folder)
        row.input = f"{short_count(instances)} orders, {short_count(len(data.table))} events"
        row.events = len(data.table)
        row.note = f"{path.stat().st_size / len(data.table):.0f} bytes/event"

        def once(path=path, data=data, make=make) -> tuple[float, str]:
            from coordlang.runtime.compiled.reader import KernelReader

            executor = make()
            began = time.perf_counter()
            with KernelReader(program, executor.codec, path) as reader:
                for columns in reader:
                    executor.feed_columns(columns)
            result = executor.finish()
            seconds = time.perf_counter() - began
            return seconds, check_orders(data, result)

        def warm() -> None:
            from coordlang.runtime.compiled import jsonl_scan

            jsonl_scan.warm()

        contenders.append(Contender(row, once, warm=warm))
    return contenders


# ---------------------------------------------------------------- start-up

def startup_contenders(folder: Path, runners: tuple[str, ...]) -> list[Contender]:
    """Whole ``coord run`` processes on a small example (``benchmarks/startup.py``): the
    figure is the median wall time; the row has no events/s."""
    from benchmarks import startup

    contenders = []
    for runner in runners:
        row = Row("start-up", runner, f"{startup.EXAMPLE.name}, {startup.example_events()} events, whole process", 0)
        once, warm = startup.startup_once(runner, folder)
        contenders.append(Contender(row, once, warm=warm))
    return contenders


# ---------------------------------------------------------------- the suite

def run_suite(mode: str = "quick", only: tuple[str, ...] = (), runs: int | None = None, memory: bool = True,
              log: Callable[[str], None] = lambda _: None) -> Report:
    sizes = MODES[mode]
    if runs is not None:
        sizes = Sizes(**{**asdict(sizes), "runs": runs})
    began = time.perf_counter()
    report = Report(mode, sizes, machine(), datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def wanted(name: str) -> bool:
        return not only or any(o in name for o in only)

    def runners(workload: str, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
        return tuple(r for r in (among or RUNNERS[workload]) if wanted(f"{workload} {r}"))

    def go(contenders: list[Contender], memory: bool) -> None:
        measure(contenders, sizes.runs, memory, log)
        report.rows.extend(c.row for c in contenders)

    with tempfile.TemporaryDirectory(prefix="coord-bench-") as tmp:
        if runners("orders"):
            log("orders")
            contenders = orders_contenders(sizes.orders_side_by_side, runners("orders"))
            if sizes.orders != sizes.orders_side_by_side and runners("orders", ("compiled",)):
                contenders += orders_contenders(sizes.orders, runners("orders", ("compiled",)))
            go(contenders, memory)
        if runners("sensors"):
            log("sensors")
            contenders = sensors_contenders(sizes.sensors, sizes.readings_side_by_side, runners("sensors"))
            big = runners("sensors", ("pandas", "compiled"))
            if sizes.readings != sizes.readings_side_by_side and big:
                contenders += sensors_contenders(sizes.sensors, sizes.readings, big)
            go(contenders, memory=False)
        if runners("read"):
            log("read")
            go(read_contenders(sizes.orders_side_by_side, Path(tmp), runners("read")), memory=False)
        if runners("end to end"):
            log("end to end")
            contenders = end_to_end_contenders(sizes.orders_side_by_side, Path(tmp), runners("end to end"))
            if sizes.orders != sizes.orders_side_by_side:
                contenders += end_to_end_contenders(sizes.orders, Path(tmp), runners("end to end"))
            go(contenders, memory=False)
        if runners("start-up"):
            log("start-up")
            go(startup_contenders(Path(tmp), runners("start-up")), memory=False)
        _FILES.clear()
    report.ratios = ratios(report.rows, sizes)
    report.seconds = time.perf_counter() - began
    return report


def execute(args: argparse.Namespace) -> int:
    """Run the suite as the options say; exit 1 when a check failed."""
    log = (lambda text: print(text, file=sys.stderr, flush=True)) if args.verbose else (lambda _: None)
    report = run_suite(args.mode, tuple(args.only), args.runs, memory=not args.no_memory, log=log)
    render(report)
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    return 1 if any(r.status.startswith("error") or (r.check and r.check != "ok") for r in report.rows) else 0


def main(argv: list[str] | None = None) -> int:
    from coordlang.cli.bench import add_arguments

    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return execute(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
