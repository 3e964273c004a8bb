"""Shared helpers of the simulation tests: the test programs, and running one with fixed
latencies and error rates."""

from __future__ import annotations

import functools
from pathlib import Path

from coordlang.ir import nodes as ir
from coordlang.ir.compile import compile_file
from coordlang.runtime.executor import Event, RunResult
from coordlang.runtime.interpreter import Interpreter
from coordlang.runtime.simulation.faults import SimulatedEffects
from coordlang.runtime.simulation.generators import Distribution
from coordlang.runtime.simulation.spec import Fault

PROGRAMS = Path(__file__).resolve().parent / "programs"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
T0 = 1_000_000.0


@functools.cache
def latency_program() -> ir.Program:
    """The program of ``programs/latency.coord`` (IR is immutable: one compile serves all)."""
    return compile_file(PROGRAMS / "latency.coord")


def faults(latency: dict[str, float] | None = None, errors: dict[str, dict[str, float]] | None = None) -> tuple[Fault, ...]:
    """Faults with a fixed latency per handler and error rates per handler."""
    latency = latency or {}
    errors = errors or {}
    return tuple(Fault(name, tuple((errors.get(name) or {}).items()),
                       Distribution("fixed", latency[name]) if name in latency else None)
                 for name in sorted(set(latency) | set(errors)))


def simulate(program: ir.Program, events: list[Event], latency: dict[str, float] | None = None,
             errors: dict[str, dict[str, float]] | None = None, seed: int = 0) -> tuple[RunResult, SimulatedEffects]:
    """Run ``events`` on the interpreter with the given faults (drawn from ``seed``)."""
    interpreter = Interpreter(program)
    effects = SimulatedEffects(faults(latency, errors), interpreter.handlers, seed)
    interpreter.effects = effects
    interpreter.feed(events)
    return interpreter.finish(), effects


def start(event: str, key: str = "a", at: float = 0.0) -> Event:
    return Event(event, T0 + at, {"id": key, "n": 0})


def rows(result: RunResult) -> list[tuple]:
    return [(o.workflow, o.key, o.status, o.value if o.status == "completed" else o.message) for o in result.outcomes]
