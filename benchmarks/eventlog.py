"""BENCHMARKS' log workload: the orders run with ``--log``.

    python -m benchmarks.eventlog [--orders N] [--json OUT]
    python -m benchmarks.eventlog --resume-only 1000000 [--keep DIR]

Figures, each the median of ``--runs`` runs:

- **append**: records of a real orders recording appended again by ``LogWriter``, for each
  ``--fsync`` mode (``always`` on a slice: it syncs every record), records/s and MB/s;
- **recording**: the orders run on the interpreter with and without a ``RecordedRun``, events/s;
- **read** (``read_log``: frames checked and decoded) and **replay** (``coord replay``: the
  interpreter re-runs every record, no handler called), records/s;
- **snapshot**: bytes of a snapshot per started instance and per running instance;
- **resume**: a ``coord run --log`` process killed with SIGKILL two thirds through its input,
  then the time to restore its state in a new run (snapshot loaded, records after it played
  back) in a fresh process, and a whole ``coord run`` process up to its first new record.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import machine  # noqa: E402
from benchmarks.workloads.columns import write_jsonl  # noqa: E402
from benchmarks.workloads.orders.generate import PROGRAM, generate  # noqa: E402
from coordlang.ir.compile import compile_file  # noqa: E402
from coordlang.runtime.eventlog import RecordedRun, read_log, replay  # noqa: E402
from coordlang.runtime.eventlog.frames import segments  # noqa: E402
from coordlang.runtime.eventlog.log import LogWriter, snapshot_files  # noqa: E402
from coordlang.runtime.eventlog.records import pack  # noqa: E402
from coordlang.runtime.eventlog.runs import SNAPSHOT_EVERY  # noqa: E402
from coordlang.runtime.interpreter import Interpreter  # noqa: E402

BATCH = 10_000
ALWAYS_RECORDS = 5_000
"""``--fsync always`` syncs each record: a few thousand tell its rate."""


def median(values: list[float]) -> float:
    return statistics.median(values)


def record(program, table, directory: Path, fsync: str = "batch", snapshot_every: int = SNAPSHOT_EVERY) -> float:
    """Seconds to run the orders on the interpreter, recording into ``directory``."""
    began = time.perf_counter()
    with RecordedRun(program, directory, file=str(PROGRAM), fsync=fsync, snapshot_every=snapshot_every) as run:
        for batch in table.events(min(BATCH, snapshot_every)):
            run.feed(batch)
        run.finish()
    return time.perf_counter() - began


def plain(program, table) -> float:
    began = time.perf_counter()
    interpreter = Interpreter(program)
    for batch in table.events(BATCH):
        interpreter.feed(batch)
    interpreter.finish()
    return time.perf_counter() - began


def append_rate(payloads: list[bytes], fsync: str, folder: Path) -> float:
    """Records/s appending ``payloads`` with ``fsync``."""
    head = {"format": "coordlog", "version": 1, "coordlang": "bench", "program": "bench", "file": "bench"}
    writer = LogWriter(folder, head, fsync=fsync)
    began = time.perf_counter()
    for payload in payloads:
        writer.append_packed(payload)
    writer.close()
    return len(payloads) / (time.perf_counter() - began)


def resume_seconds(program, events: Path, folder: Path, log_bytes: int,
                   backend: str = "interpreter") -> tuple[float, float, int, int]:
    """Kill a ``coord run --log`` once its log holds two thirds of ``log_bytes`` (the size of
    a whole recording of the same input); then (seconds to restore in a fresh process, seconds for a
    new ``coord run`` process to restore and write its first new record, running instances at
    the restore, input events the log held)."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "killed"
    command = [sys.executable, "-m", "coordlang", "run", str(PROGRAM), "--events", str(events), "--log", str(log),
               "--backend", backend]  # snapshots at the backend's default spacing
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and not (log.exists() and _log_bytes(log) >= log_bytes * 2 // 3):
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    held = _inputs_in(log)
    # Restored in a process of its own: this one holds the earlier figures' millions of Python
    # objects, which slow every allocation down through the garbage collector.
    measured = subprocess.run([sys.executable, "-m", "benchmarks.eventlog", "--restore", str(log), backend],
                              capture_output=True, text=True, cwd=ROOT, check=True)
    in_process, running = json.loads(measured.stdout)
    # A whole process: imports, checking the program, restoring, then the events up to the
    # first new one read and skipped. Measured as the time to the first new record.
    before = _log_bytes(log)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    began = time.perf_counter()
    whole = float("nan")
    while process.poll() is None:
        if _log_bytes(log) > before:
            whole = time.perf_counter() - began
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return in_process, whole, running, held


def _inputs_in(log: Path) -> int:
    """Input events a log holds so far (either backend's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            records = read_log(log, truncate=False).records
        except Exception:
            return 0
    count = 0
    for record in records:
        if record[0] == "in":
            count += 1
        elif record[0] == "cols":
            count += record[2][1][0]
    return count


def _log_bytes(log: Path) -> int:
    """The segments' size: it grows when a resumed run writes its first new record (records are
    written after each input batch)."""
    return sum(p.stat().st_size for p in segments(log))


def result_of(program, pieces):
    from coordlang.runtime.compiled import CompiledExecutor

    executor = CompiledExecutor(program)
    for piece in pieces:
        executor.feed_columns(executor.codec.table_columns(piece))
    return executor.finish()


def compiled_figures(program, table, tmp: Path, runs: int, events_file: Path) -> dict:
    """The compiled backend with and without a log, its replay, snapshot and resume."""
    from coordlang.runtime.compiled import CompiledExecutor
    from coordlang.runtime.eventlog.compiled import SNAPSHOT_EVERY, CompiledRecording, replay_compiled

    figures: dict[str, object] = {}
    pieces = [table.slice(lo, min(lo + 100_000, len(table))) for lo in range(0, len(table), 100_000)]

    def timed(run) -> float:
        """Seconds ``run`` (an executor or a recording) takes over the input's columns, made
        before the clock starts."""
        columns = [run.codec.table_columns(piece) for piece in pieces]
        began = time.perf_counter()
        for batch in columns:
            run.feed_columns(batch)
        run.finish()
        return time.perf_counter() - began

    def plain_run() -> float:
        return timed(CompiledExecutor(program))

    def recorded_run(directory: Path, snapshot_every: int) -> float:
        with CompiledRecording(program, directory, file=str(PROGRAM), snapshot_every=snapshot_every) as run:
            return timed(run)

    plain_run()  # compiles the kernel, or loads it from the cache
    figures["compiled events/s"] = len(table) / median([plain_run() for _ in range(runs)])
    recorded = [recorded_run(tmp / f"compiled{i}", SNAPSHOT_EVERY) for i in range(runs)]
    figures["compiled events/s, recording (--fsync batch)"] = len(table) / median(recorded)
    log = tmp / "compiled0"
    contents = read_log(log)
    size = sum(p.stat().st_size for p in segments(log))
    figures["compiled log records"] = len(contents.records)
    figures["compiled log bytes per event"] = size / len(table)
    figures["compiled log MB/s while recording"] = size / median(recorded) / 1e6
    started = len(result_of(program, pieces).outcomes)
    last = snapshot_files(log)[-1][1]
    figures["compiled snapshot bytes (after the run)"] = last.stat().st_size
    figures["compiled snapshot bytes per started instance"] = last.stat().st_size / max(1, started)
    whole = tmp / "compiled-whole"
    recorded_run(whole, 10 ** 12)
    for _, path in snapshot_files(whole):
        path.unlink()  # replayed from the first record
    contents = read_log(whole)
    replays = [replay_compiled(program, contents)[3] for _ in range(runs)]
    figures["compiled replay events/s (from the first record)"] = len(table) / median(replays)
    in_process, whole_process, live, held = resume_seconds(program, events_file, tmp / "compiled-kill", size,
                                                           backend="compiled")
    figures["compiled resume: input events in the killed log"] = held
    figures["compiled resume: running instances"] = live
    figures["compiled resume seconds, restore in a fresh process"] = in_process
    figures["compiled resume seconds, whole process to its first new record"] = whole_process
    return figures


def restore(program, log: Path, backend: str) -> int:
    """Print (seconds to restore the run in ``log``, its running instances) as JSON."""
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if backend == "compiled":
            from coordlang.runtime.eventlog.compiled import CompiledRecording

            run = CompiledRecording(program, log, file=str(PROGRAM))
            seconds = time.perf_counter() - began
            running = run.executor.result().counters["running"]
        else:
            run = RecordedRun(program, log, file=str(PROGRAM))
            seconds = time.perf_counter() - began
            running = sum(1 for i in run.interpreter.state.started
                          if run.interpreter.state.instances[i].status == "running")
    run.close()
    print(json.dumps([seconds, running]))
    return 0


def resume_only(program, orders: int, out: Path | None, keep: Path | None = None) -> int:
    """The compiled backend's resume after SIGKILL on a large input (whole recording first, in
    process, to know the log's size). With ``keep``, the input and the logs are left there (to
    profile a resume of the killed log, ``keep/kill/killed``)."""
    from coordlang.runtime.eventlog.compiled import CompiledRecording

    table = generate(orders).table
    figures: dict[str, object] = {"orders": orders, "events": len(table)}
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=False)
    with (contextlib.nullcontext(str(keep)) if keep is not None
          else tempfile.TemporaryDirectory(prefix="coord-log-resume-")) as tmp:
        tmp = Path(tmp)
        events = tmp / "orders.jsonl"
        write_jsonl(table, events)
        with CompiledRecording(program, tmp / "whole", file=str(PROGRAM)) as run:
            for lo in range(0, len(table), 100_000):
                run.feed_columns(run.codec.table_columns(table.slice(lo, min(lo + 100_000, len(table)))))
            run.finish()
        size = _log_bytes(tmp / "whole")
        in_process, whole, live, held = resume_seconds(program, events, tmp / "kill", size, backend="compiled")
    figures.update({"resume: input events in the killed log": held, "resume: running instances": live,
                    "resume seconds, restore in a fresh process": in_process,
                    "resume seconds, whole process to its first new record": whole,
                    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()})
    for name, value in figures.items():
        print(f"{name:60} {value:,}" if isinstance(value, int) else f"{name:60} {value}")
    if out:
        out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders (about 10 events each)")
    parser.add_argument("--compiled-orders", type=int, default=100_000,
                        help="orders for the compiled backend's figures")
    parser.add_argument("--resume-only", type=int, metavar="ORDERS",
                        help="only the compiled backend's resume after SIGKILL, on this many orders")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="with --resume-only: make the input and the logs in this new folder and keep them")
    parser.add_argument("--restore", nargs=2, metavar=("LOG", "BACKEND"), help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args(argv)
    program = compile_file(PROGRAM)
    if args.restore:
        return restore(program, Path(args.restore[0]), args.restore[1])
    if args.resume_only:
        return resume_only(program, args.resume_only, args.json, args.keep)
    orders = generate(args.orders)
    table = orders.table
    figures: dict[str, object] = {"orders": args.orders, "events": len(table)}
    with tempfile.TemporaryDirectory(prefix="coord-log-bench-") as tmp:
        tmp = Path(tmp)
        plain_s = median([plain(program, table) for _ in range(args.runs)])
        recorded_s = []
        for run in range(args.runs):
            recorded_s.append(record(program, table, tmp / f"rec{run}"))  # snapshots at the default spacing
        figures["interpreter events/s"] = len(table) / plain_s
        figures["interpreter events/s, recording (--fsync batch)"] = len(table) / median(recorded_s)
        contents = read_log(tmp / "rec0")
        payloads = [pack(r) for r in contents.records]
        figures["records"] = len(payloads)
        for fsync in ("never", "batch", "always"):
            chosen = payloads if fsync != "always" else payloads[:ALWAYS_RECORDS]
            rate = median([append_rate(chosen, fsync, tmp / f"append-{fsync}-{i}") for i in range(args.runs)])
            figures[f"append records/s (--fsync {fsync})"] = rate
        # Framed in batches: the bytes on disk per record, frames and headers included.
        figures["bytes per record"] = _log_bytes(tmp / "append-never-0") / len(payloads)
        for fsync in ("never", "batch", "always"):
            figures[f"append MB/s (--fsync {fsync})"] = (figures[f"append records/s (--fsync {fsync})"]
                                                         * figures["bytes per record"] / 1e6)
        reads = []
        for _ in range(args.runs):
            began = time.perf_counter()
            read_log(tmp / "rec0")
            reads.append(time.perf_counter() - began)
        figures["read records/s"] = len(payloads) / median(reads)
        # From the first record: a log whose only snapshot is the one after its end.
        record(program, table, tmp / "whole", snapshot_every=10 ** 12)
        replays = [replay(program, tmp / "whole", stop=len(payloads) - 1).seconds for _ in range(args.runs)]
        figures["replay records/s (interpreter, from the first record)"] = len(payloads) / median(replays)
        snaps = snapshot_files(tmp / "rec0")
        middle_records, middle = snaps[len(snaps) // 2 - 1] if len(snaps) > 1 else snaps[0]
        timeline_state = replay(program, tmp / "rec0", stop=middle_records).restored.interpreter.state
        started = len(timeline_state.started)
        running = sum(1 for i in timeline_state.started if timeline_state.instances[i].status == "running")
        size = middle.stat().st_size
        figures["snapshot bytes"] = size
        figures["snapshot bytes per started instance"] = size / max(1, started)
        figures["snapshot bytes per running instance"] = size / max(1, running)
        events = tmp / "orders.jsonl"
        write_jsonl(table, events)
        in_process, whole, live, held = resume_seconds(program, events, tmp / "kill", _log_bytes(tmp / "rec0"))
        figures["resume: input events in the killed log"] = held
        figures["resume: running instances"] = live
        figures["resume seconds, restore in a fresh process"] = in_process
        figures["resume seconds, whole process to its first new record"] = whole
        big = generate(args.compiled_orders).table
        big_events = tmp / "orders-big.jsonl"
        write_jsonl(big, big_events)
        figures["compiled orders"] = args.compiled_orders
        figures["compiled events"] = len(big)
        figures.update(compiled_figures(program, big, tmp, args.runs, big_events))
    figures["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    figures["machine"] = machine()
    for name, value in figures.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else value
        print(f"{name:60} {shown}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
