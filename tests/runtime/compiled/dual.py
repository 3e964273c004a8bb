"""Running one program on both backends and comparing what they report."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Sequence

from coordlang.ir import nodes as ir
from coordlang.ir.compile import compile_file
from coordlang.runtime.compiled import CompiledExecutor
from coordlang.runtime.executor import Event, RunResult
from coordlang.runtime.interpreter import Interpreter

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = Path(__file__).resolve().parent / "programs"


@functools.lru_cache(maxsize=None)
def program(path: Path | str) -> ir.Program:
    return compile_file(Path(path))


def interpret(prog: ir.Program, events: Sequence[Event], *, inbox: int = 16, until: float | None = None) -> RunResult:
    interpreter = Interpreter(prog, inbox_capacity=inbox)
    interpreter.feed(list(events))
    return interpreter.finish(until)


def compiled(prog: ir.Program, events: Sequence[Event], *, inbox: int = 16, until: float | None = None,
             cuts: Sequence[int] = ()) -> RunResult:
    """Fed in batches split at ``cuts`` (positions into ``events``)."""
    executor = CompiledExecutor(prog, inbox=inbox)
    start = 0
    for cut in sorted(set(c for c in cuts if 0 < c < len(events))) + [len(events)]:
        executor.feed(list(events[start:cut]))
        start = cut
    return executor.finish(until)


def assert_same(expected: RunResult, actual: RunResult) -> None:
    """The interpreter's outcomes (in order, with values and messages) and counters."""
    mismatches = [(n, e, a) for n, (e, a) in enumerate(zip(expected.outcomes, actual.outcomes)) if e != a]
    lines = [f"  #{n}: interpreter {e}\n       compiled    {a}" for n, e, a in mismatches[:5]]
    assert not mismatches and len(expected.outcomes) == len(actual.outcomes), (
        f"outcomes differ ({len(expected.outcomes)} vs {len(actual.outcomes)}):\n" + "\n".join(lines))
    assert expected.counters == actual.counters
    assert expected.events == actual.events
