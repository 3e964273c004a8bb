"""``coord simulate FILE --spec SPEC.toml``: run a program in many seeded universes of generated
events and injected faults, on virtual time, and report the distributions.

Checks and compiles FILE (error diagnostics are printed and nothing runs: exit 1), reads the
spec against the program, runs the universes (on ``--backend``, in ``--workers`` processes),
prints tables to standard error and writes the JSON to ``--out``. Flags override the spec's
``[simulation]`` table.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from coordlang.errors import UsageError

DEFAULT_SPEC = "simulate.toml"
BACKENDS = ("auto", "interpreter", "compiled")
"""As :data:`coordlang.runtime.simulation.spec.BACKENDS`, without importing it to build the parser."""


def run(args) -> int:
    from coordlang.cli.run import _compile
    from coordlang.runtime.handlers import bind_handlers
    from coordlang.runtime.simulation import dumps, load_spec, report, run_universes
    from coordlang.runtime.simulation.compiled import choose

    for name in ("universes", "workers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise UsageError(f"--{name} {value}: give at least 1")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed {args.seed}: give a whole number of 0 or more")
    spec_path = Path(args.spec) if args.spec else Path(args.file).parent / DEFAULT_SPEC
    if not args.spec and not spec_path.exists():
        raise UsageError(f"{args.file}: no --spec given and no {DEFAULT_SPEC} beside it; write a spec "
                         "(docs/cli.md, \"coord simulate\") and pass --spec SPEC.toml")
    program = _compile(Path(args.file))
    if program is None:
        return 1
    spec = load_spec(spec_path, program)
    overrides = {name: getattr(args, name) for name in ("universes", "seed", "workers", "backend")
                 if getattr(args, name) is not None}
    spec = dataclasses.replace(spec, **overrides)
    backend, why_not = choose(program, spec)
    if why_not is not None:
        if spec.backend == "compiled":
            raise UsageError(f"--backend compiled: {why_not}; use --backend interpreter (or auto)")
        print(f"coord simulate: running on the interpreter: {why_not}", file=sys.stderr)
    handlers = bind_handlers(program)

    started = time.perf_counter()
    with _Progress(spec.universes) as progress:
        results = run_universes(program, spec, spec.workers, handlers, progress.update, backend)
    seconds = time.perf_counter() - started
    document = report(program, spec, args.file, results, instances=args.instances, engine=backend)
    if args.out:
        _write(args.out, dumps(document))
    _tables(args, spec, document, seconds, backend)
    return 0


def _write(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        return
    try:
        Path(target).write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None


class _Progress:
    """A progress bar on standard error, only on a terminal."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._bar = None
        self._task = None

    def __enter__(self) -> _Progress:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("[bold]simulating[/]"), BarColumn(), TaskProgressColumn(),
                                 TimeElapsedColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("universes", total=self._total)
        return self

    def update(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def _seconds(value: object) -> str:
    if value is None:
        return "-"
    from coordlang.semantics.constants import format_seconds

    return format_seconds(float(value)) if value else "0s"  # type: ignore[arg-type]


def _tables(args, spec, document: dict, seconds: float, backend: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True, highlight=False)
    if not console.is_terminal:
        console.width = 160  # a log or a pipe: room for the tables rather than 80 columns
    rate = len(document["per_universe"]) / seconds if seconds > 0 else 0.0
    console.print(f"[bold]{Path(args.file).name}[/] with {Path(spec.path).name}: {document['universes']:,} "
                  f"universes, seed {spec.seed}, {spec.workers} worker{'s' if spec.workers != 1 else ''} "
                  f"({backend}), {seconds:.2f} s, {rate:,.1f} universes/s", soft_wrap=True)

    table = Table(title="outcomes per universe", title_justify="left")
    for column in ("", "mean", "min", "p50", "p95", "p99", "max", "total"):
        table.add_column(column, justify="left" if not column else "right")
    rows = [("events", document["events"])] + list(document["outcomes"].items())
    for name, figures in rows:
        table.add_row(name, *(_number(figures[k]) for k in ("mean", "min", "p50", "p95", "p99", "max", "total")))
    console.print(table)

    table = Table(title="completion time per workflow (virtual)", title_justify="left")
    for column in ("workflow", "ended", "running", "mean", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column == "workflow" else "right")
    for name, figures in document["workflows"].items():
        completion = figures["completion"]
        table.add_row(name, f"{completion['count']:,}", f"{figures['statuses']['running']:,}",
                      *(_seconds(completion[k]) for k in ("mean", "p50", "p95", "p99", "max")))
    console.print(table)

    table = Table(title="time per step (virtual, retries and latency included)", title_justify="left")
    for column in ("workflow", "step", "where", "count", "p50", "p95", "p99", "max", "not ok"):
        table.add_column(column, justify="left" if column in ("workflow", "step", "where") else "right")
    for step in document["steps"]:
        figures = step["seconds"]
        not_ok = sum(n for status, n in step["statuses"].items() if status not in ("ok", "timer"))
        name = f"{step['kind']} {step['name']}".rstrip()
        table.add_row(step["workflow"], name, step["where"], f"{figures['count']:,}",
                      *(_seconds(figures[k]) for k in ("p50", "p95", "p99", "max")), f"{not_ok:,}")
    console.print(table)

    table = Table(title="handlers", title_justify="left")
    for column in ("handler", "attempts", "failed", "injected", "timed out", "latency p50", "latency p99"):
        table.add_column(column, justify="left" if column in ("handler", "injected") else "right")
    for name, figures in document["handlers"].items():
        injected = ", ".join(f"{kind} {n:,}" for kind, n in figures["injected"].items()) or "-"
        table.add_row(name, f"{figures['attempts']:,}", f"{figures['failed']:,}", injected, f"{figures['timed_out']:,}",
                      _seconds(figures["latency"]["p50"]), _seconds(figures["latency"]["p99"]))
    console.print(table)
    if document["reaction_faults"]:
        console.print(f"{document['reaction_faults']:,} errors escaped reactions or streams", soft_wrap=True)


def _number(value: object) -> str:
    if value is None:
        return "-"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def add_parser(sub) -> None:
    p = sub.add_parser("simulate", help="run a program in many seeded universes of generated events and faults",
                       description="Run FILE on virtual time against the events and faults of a spec (TOML), in "
                                   "many independent seeded universes, and report the distributions of outcomes "
                                   "and completion times.")
    p.add_argument("file", metavar="FILE", help="the .coord file to simulate")
    p.add_argument("--spec", metavar="SPEC.toml",
                   help=f"the generators and faults (default: {DEFAULT_SPEC} beside FILE)")
    p.add_argument("--universes", type=int, metavar="N", help="how many universes (overrides the spec)")
    p.add_argument("--seed", type=int, metavar="S", help="the seed all universes derive from (overrides the spec)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes running universes (overrides the spec; default 1); results do not depend on it")
    p.add_argument("--backend", choices=BACKENDS,
                   help="the engine (overrides the spec; default auto: compiled when it runs FILE without barriers "
                        "and its kernel is cached, else the interpreter); both give the same results")
    p.add_argument("--out", metavar="RESULT.json", help="write the distributions as JSON here ('-': stdout)")
    p.add_argument("--instances", action="store_true",
                   help="also write each universe's instances with their virtual start and end times")
    p.set_defaults(run=run)
