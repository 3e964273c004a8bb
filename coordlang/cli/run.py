"""``coord run FILE --events EVENTS``: check, compile and run a program over input events.

The steps, each timed: read and check FILE (error diagnostics are printed as ``coord check``
prints them, and nothing runs: exit 1); compile it and build the executor, binding every
handler (``compile_seconds``); read the events in batches (``load_seconds``) and feed them to
the executor, then let virtual time run on to the end or to ``--until`` (``seconds``). Then
``--out`` and ``--stats`` are written and a summary table goes to standard error.

``--backend auto`` (the default) is resolved to ``interpreter`` or ``compiled`` before any
event runs, by :func:`_choose`; everything after sees the backend that actually runs.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
import warnings
from pathlib import Path

from coordlang.errors import UsageError

BACKENDS = ("auto", "interpreter", "compiled")
AUTO_COMPILE_BYTES = 50_000_000
"""``--backend auto`` compiles a kernel that is not cached yet for an input of this many bytes
or more. About 500,000 JSON Lines events (some 100 bytes each), 5 s on the interpreter at
~100k events/s: the cheapest cold compile (5 s) pays for itself on the first run, the dearest
(16 s) by the third, since later runs load the kernel from the cache in ~0.6 s. Below it the
interpreter is done before a cold compile would be. msgpack and CSV hold more events in as
many bytes, so for them the threshold errs towards the interpreter."""
FORMATS = ("jsonl", "msgpack", "csv", "columns")
"""As :data:`coordlang.runtime.events.FORMATS`, without importing the reader to build the parser."""
PROGRESS_EVENTS = 100_000
"""Show a progress bar once this many events are read, or after PROGRESS_SECONDS."""
PROGRESS_SECONDS = 1.0


def run(args) -> int:
    from coordlang.runtime.events import BATCH_SIZE, EventReader, event_format

    until = _until(args.until)
    if args.inbox is not None and args.inbox < 1:
        raise UsageError(f"--inbox {args.inbox}: an inbox holds at least 1 event")
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: at least 1 call must be allowed in flight")
    fmt = event_format(args.events, args.format)
    if args.events != "-" and not Path(args.events).exists():
        raise UsageError(f"{args.events}: no such file")

    started = time.perf_counter()
    program = _compile(Path(args.file))
    if program is None:
        return 1
    args.backend, executor = _executor(program, args, fmt)
    if args.backend == "compiled" and fmt == "jsonl":
        from coordlang.runtime.compiled import jsonl_scan

        jsonl_scan.warm()  # compiled once, then loaded from numba's cache: start-up, not reading
    compile_seconds = time.perf_counter() - started

    load_seconds = 0.0
    run_seconds = 0.0
    # Snapshots are taken between batches: with --log, batches no larger than their spacing.
    size = max(1, min(BATCH_SIZE, args.snapshot_every)) if args.log else BATCH_SIZE
    if args.backend == "compiled":
        # The compiled backend reads straight into its kernel's columns (same checks, same
        # messages): no Python object per event, and none per field on the common path.
        from coordlang.runtime.compiled.reader import KernelReader

        opened = KernelReader(program, executor.codec, args.events, format=fmt, skip_bad=args.skip_bad,
                              batch_size=size)
        feed = executor.feed_columns
    else:
        opened = EventReader(program, args.events, format=fmt, skip_bad=args.skip_bad, batch_size=size)
        feed = executor.feed
    with opened as reader, _closing_log(executor if args.log else None):
        if args.log:
            executor.attach(reader)  # a resume may start reading at its snapshot's place in the input
        progress = _Progress(reader)
        try:
            batches = iter(reader)
            while True:
                mark = time.perf_counter()
                batch = next(batches, None)
                load_seconds += time.perf_counter() - mark
                if batch is None:
                    break
                mark = time.perf_counter()
                feed(batch)
                run_seconds += time.perf_counter() - mark
                progress.update()
        finally:
            progress.close()
        mark = time.perf_counter()
        result = executor.finish(until)
        run_seconds += time.perf_counter() - mark

    result.seconds = run_seconds
    result.extra["load_seconds"] = load_seconds
    result.extra["compile_seconds"] = compile_seconds
    result.extra["backend"] = args.backend
    from coordlang.runtime.outcomes import write_outcomes, write_stats

    if args.out:
        write_outcomes(args.out, result.outcomes)
    if args.stats:
        write_stats(args.stats, result)
    _summary(args, result, reader)
    return 0


def _until(text: str | None) -> float | None:
    if text is None:
        return None
    from coordlang.runtime.fields import time_from_text

    try:
        return time_from_text(text)
    except ValueError as exc:
        raise UsageError(f"--until: {exc}") from None


def _compile(path: Path):
    """The program's IR, or None after printing its error diagnostics."""
    from coordlang.analysis.document import analyze_file
    from coordlang.cli.convert import refuse_on_errors
    from coordlang.ir.compile import compile_program
    from coordlang.sources import read_source

    text = read_source(path)
    analysis = analyze_file(path, text)
    if refuse_on_errors(str(path), analysis, "run"):
        return None
    return compile_program(analysis)


def _executor(program, args, fmt: str):
    """The backend that runs (``auto`` resolved) and its executor."""
    from coordlang.runtime.interpreter import DEFAULT_INBOX, Interpreter

    inbox = args.inbox or DEFAULT_INBOX
    if args.log is not None:
        recorded = _recorded_run(program, args, fmt, inbox)
        return args.backend, recorded
    if args.backend == "compiled":
        from coordlang.runtime.compiled import CompiledExecutor, UnsupportedProgram, ensure_supported

        try:
            ensure_supported(program)
        except UnsupportedProgram as exc:
            raise UsageError(f"{exc}; use --backend interpreter") from None
        from coordlang.runtime.compiled.host import DEFAULT_CONCURRENCY

        return "compiled", CompiledExecutor(program, inbox=inbox, concurrency=args.concurrency or DEFAULT_CONCURRENCY)
    if args.backend == "auto":
        from coordlang.runtime.compiled import UnsupportedProgram

        try:
            backend, handlers = _choose(program, args.events, fmt)
        except UnsupportedProgram as exc:
            _notice(f"running on the interpreter: {exc}")
            backend, handlers = "interpreter", None
        if backend == "compiled":
            from coordlang.runtime.compiled import CompiledExecutor
            from coordlang.runtime.compiled.host import DEFAULT_CONCURRENCY

            try:
                return "compiled", CompiledExecutor(program, inbox=inbox, handlers=handlers,
                                                    concurrency=args.concurrency or DEFAULT_CONCURRENCY)
            except UnsupportedProgram as exc:
                # Refusals only building the kernel finds (a jit handler numba cannot compile).
                _notice(f"running on the interpreter: {exc}")
        return "interpreter", Interpreter(program, inbox_capacity=inbox, handlers=handlers)
    return "interpreter", Interpreter(program, inbox_capacity=inbox)


def _recorded_run(program, args, fmt: str, inbox: int):
    """``--log DIR``: a new recording, or the resumption of the one in DIR on the backend that
    recorded it (docs/eventlog.md)."""
    from coordlang.runtime.eventlog import RecordedRun, log_backend

    backend = log_backend(Path(args.log))
    if backend is not None and args.backend not in ("auto", backend):
        raise UsageError(f"--log {args.log}: recorded by the {backend} backend; resume it with --backend {backend} "
                         "(or auto)")
    if backend is None:
        backend = args.backend
        if backend == "auto":
            from coordlang.runtime.compiled import UnsupportedProgram

            try:
                backend, _ = _choose(program, args.events, fmt)
            except UnsupportedProgram as exc:
                _notice(f"recording on the interpreter: {exc}")
                backend = "interpreter"
    with logged_warnings("coord run"):
        if backend == "compiled":
            from coordlang.runtime.compiled import UnsupportedProgram, ensure_supported
            from coordlang.runtime.eventlog.compiled import CompiledRecording

            try:
                ensure_supported(program)
            except UnsupportedProgram as exc:
                raise UsageError(f"{exc}; use --backend interpreter") from None
            from coordlang.runtime.eventlog.compiled import SNAPSHOT_EVERY

            args.snapshot_every = SNAPSHOT_EVERY if args.snapshot_every is None else args.snapshot_every
            recorded = CompiledRecording(program, Path(args.log), file=str(Path(args.file).resolve()), fsync=args.fsync,
                                         snapshot_every=args.snapshot_every, inbox=inbox,
                                         concurrency=args.concurrency, events=args.events)
        else:
            from coordlang.runtime.eventlog.runs import SNAPSHOT_EVERY

            args.snapshot_every = SNAPSHOT_EVERY if args.snapshot_every is None else args.snapshot_every
            recorded = RecordedRun(program, Path(args.log), file=str(Path(args.file).resolve()), fsync=args.fsync,
                                   snapshot_every=args.snapshot_every, inbox=inbox, events=args.events)
    args.backend = backend
    if recorded.finished:
        _notice(f"{args.log} holds a finished run of {recorded.resumed_records:,} records: its outcomes are "
                "replayed from the log, no handler is called")
    elif recorded.resumed_records:
        _notice(f"resuming the run recorded in {args.log} after record {recorded.resumed_records:,}")
    return recorded


@contextlib.contextmanager
def _closing_log(recorded):
    """Whatever stops the run (a bad event line, Ctrl-C), what was recorded reaches the log."""
    try:
        yield
    except BaseException:
        if recorded is not None:
            recorded.close()
        raise


@contextlib.contextmanager
def logged_warnings(command: str):
    """Warnings of the event log (a torn tail dropped, a snapshot skipped) as one line each on
    standard error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:  # an error that follows a warning does not swallow it
            for warning in caught:
                print(f"{command}: warning: {warning.message}", file=sys.stderr)


def _choose(program, events: str, fmt: str) -> tuple[str, dict | None]:
    """``--backend auto``'s choice, and the handlers it had to bind to make it (None when it
    did not): compiled when the kernel is in the disk cache, when the input is columnar (that
    format exists for speed) or when it is large enough that a cold compile pays
    (:data:`AUTO_COMPILE_BYTES`); else the interpreter. Raises ``UnsupportedProgram`` for a
    program the compiled backend cannot run."""
    from coordlang.runtime.compiled.support import ensure_supported, kernel_cached

    plan = ensure_supported(program)
    cached, handlers = kernel_cached(program, plan)
    if cached or fmt == "columns":
        return "compiled", handlers
    size = _input_bytes(events)
    if size is not None and size >= AUTO_COMPILE_BYTES:
        _notice(f"compiling for the compiled backend (an input of {size / 1e6:,.0f} MB); later runs of this "
                "program load the kernel from the cache")
        return "compiled", handlers
    return "interpreter", handlers


def _input_bytes(events: str) -> int | None:
    """The size of the input, or None when it cannot be known before reading it: standard
    input from a pipe (from a file, ``< EVENTS``, its size is known)."""
    try:
        if events == "-":
            info = os.fstat(sys.stdin.fileno())
            return info.st_size if stat.S_ISREG(info.st_mode) else None
        return os.stat(events).st_size
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both OSError and ValueError
        return None


def _notice(text: str) -> None:
    print(f"coord run: {text}", file=sys.stderr)


class _Progress:
    """A progress bar on standard error for long inputs: only on a terminal, and only once the
    input has proved long (many events, or more than a second)."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._enabled = sys.stderr.isatty()
        self._started = time.perf_counter()
        self._bar = None
        self._task = None

    def update(self) -> None:
        if not self._enabled:
            return
        reader = self._reader
        if self._bar is None:
            if reader.events < PROGRESS_EVENTS and time.perf_counter() - self._started < PROGRESS_SECONDS:
                return
            from rich.progress import (BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(TextColumn("[bold]running[/] {task.description}"), BarColumn(),
                                 TaskProgressColumn(), TextColumn("{task.fields[events]:,} events"),
                                 TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(reader.name, total=reader.size, events=0)
        self._bar.update(self._task, completed=reader.position, events=reader.events)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _summary(args, result, reader) -> None:
    from rich.console import Console
    from rich.table import Table

    from coordlang.runtime.executor import COUNTERS

    table = Table(show_header=False, box=None, padding=(0, 2, 0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name in COUNTERS:
        table.add_row(name, f"{result.counters.get(name, 0):,}")
    table.add_row("events", f"{result.events:,}")
    rate = result.events / result.seconds if result.seconds > 0 else 0.0
    table.add_row("events/s", f"{rate:,.0f}")
    table.add_row("seconds", f"{result.seconds:.3f}")
    table.add_row("load seconds", f"{result.extra['load_seconds']:.3f}")
    table.add_row("compile seconds", f"{result.extra['compile_seconds']:.3f}")
    if args.skip_bad is not None:
        table.add_row("bad lines", f"{reader.rejected:,}")
    console = Console(stderr=True, highlight=False)
    console.print(f"[bold]{Path(args.file).name}[/] on {reader.name} ({args.backend})", soft_wrap=True)
    console.print(table)
    if reader.rejected:
        console.print(f"{reader.rejected:,} bad line{'s' if reader.rejected != 1 else ''} written to "
                      f"{args.skip_bad}", soft_wrap=True)


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run a program over input events (JSON Lines, msgpack or CSV)",
                       description="Check and compile FILE, run it over EVENTS, and report the outcomes.")
    p.add_argument("file", metavar="FILE", help="the .coord file to run")
    p.add_argument("--events", required=True, metavar="EVENTS",
                   help="the input events: .jsonl/.json, .msgpack/.mpk, .csv or .coordcols; '-' reads standard input")
    p.add_argument("--out", metavar="OUTCOMES.jsonl", help="write one JSON object per instance here ('-': stdout)")
    p.add_argument("--stats", metavar="STATS.json", help="write the counters and timings here ('-': stdout)")
    p.add_argument("--backend", choices=BACKENDS, default="auto",
                   help="the executor (default: auto, the compiled backend when it supports FILE and its kernel "
                        f"is cached or EVENTS is columnar or at least {AUTO_COMPILE_BYTES // 1_000_000} MB, else "
                        "the interpreter; the compiled backend runs a growing subset of the language and refuses "
                        "the rest before any event, docs/runtime.md)")
    p.add_argument("--until", metavar="TIME",
                   help="stop the clock here at the end of the input (RFC 3339 or seconds since the epoch)")
    p.add_argument("--format", choices=FORMATS,
                   help="the events format, when the file's extension does not tell (JSON Lines for '-')")
    p.add_argument("--skip-bad", metavar="REJECTS.jsonl",
                   help="write bad input lines here and go on, instead of stopping at the first")
    p.add_argument("--inbox", type=int, metavar="N",
                   help="events kept per instance and event type before the oldest is dropped (default 16)")
    p.add_argument("--concurrency", type=int, metavar="N",
                   help="calls of async def handlers in flight at once, on the compiled backend (default 64)")
    p.add_argument("--log", metavar="DIR",
                   help="record the run in this event log folder; a folder holding an interrupted run resumes it "
                        "(docs/eventlog.md)")
    p.add_argument("--fsync", choices=("always", "batch", "never"), default="batch",
                   help="with --log: when records are synced to disk (default batch: after each batch of input "
                        "events; docs/eventlog.md says what each can lose on a power cut)")
    p.add_argument("--snapshot-every", type=int, metavar="N",
                   help="with --log: snapshot the state every N input events (default: 100000 on the interpreter, "
                        "1000000 on the compiled backend, about a second of replay on either)")
    p.set_defaults(run=run)
