"""The debug session over the differential scenarios: with breakpoints set and the run walked
forwards and backwards, an event breakpoint stops at the events the run routes, in order, and
the run ends with the compiled backend's outcomes."""

from __future__ import annotations

from dual import compiled
from hypothesis import given, settings
from test_compiled_differential import (APPROVAL, FORKS, NESTS, ORDER_SAGA, PAYMENTS, PROGRAM_VOCABULARY, STEPS,
                                        SUBWORKFLOWS, WAITS, example_vocabulary, runs)

from coordlang.ir import nodes as ir
from coordlang.runtime.debug import DebugSession, EventBreakpoint
from coordlang.runtime.interpreter import Interpreter


EXAMPLES = max(15, settings.default.max_examples // 10)
"""Runs per program: 15 in the ``ci`` profile, 200 with ``COORD_HYPOTHESIS_PROFILE=long``."""


def routed(prog: ir.Program, events, inbox: int, until) -> list:
    """Every event the interpreter routes, inputs and emitted ones, in routing order."""
    interpreter = Interpreter(prog, inbox_capacity=inbox)
    interpreter.push(list(events))
    interpreter.end_input(until)
    order = []
    while (work := interpreter.peek()) is not None:
        if work.kind == "event":
            order.append(work.event)
        interpreter.step()
    return order


def check(prog: ir.Program, run) -> None:
    events, cuts, inbox, until = run
    kinds = sorted({e.type for e in events if any(d.name == e.type for d in prog.events)})
    session = DebugSession(prog, prog_path(prog), events, until=until, inbox=inbox)
    session.set_event_breakpoints([EventBreakpoint(kind) for kind in kinds])
    stopped = []
    while (stop := session.continue_()).reason == "event":
        stopped.append(session.work().event)
        if len(stopped) % 3 == 0:  # go back and come again: the same stop
            session.reverse_continue()
            again = session.continue_()
            assert again.position == stop.position and session.work().event == stopped[-1]
    assert stop.reason == "end"
    assert stopped == [e for e in routed(prog, events, inbox, until) if e.type in kinds]
    assert session.outcomes() == compiled(prog, events, inbox=inbox, until=until, cuts=cuts).outcomes


def prog_path(prog: ir.Program):
    return next(ref.path for ref in prog.spans if ref.path is not None)


@settings(max_examples=EXAMPLES)
@given(runs(WAITS, PROGRAM_VOCABULARY["waits"]))
def test_waits(run) -> None:
    check(WAITS, run)


@settings(max_examples=EXAMPLES)
@given(runs(STEPS, PROGRAM_VOCABULARY["steps"]))
def test_steps(run) -> None:
    check(STEPS, run)


@settings(max_examples=EXAMPLES)
@given(runs(FORKS, PROGRAM_VOCABULARY["forks"], max_events=20))
def test_forks(run) -> None:
    check(FORKS, run)


@settings(max_examples=EXAMPLES)
@given(runs(NESTS, PROGRAM_VOCABULARY["nests"], max_events=20))
def test_nests(run) -> None:
    check(NESTS, run)


@settings(max_examples=EXAMPLES)
@given(runs(APPROVAL, example_vocabulary("approval_flow", keys=2)))
def test_approval_flow(run) -> None:
    check(APPROVAL, run)


@settings(max_examples=EXAMPLES)
@given(runs(PAYMENTS, example_vocabulary("payment_retries")))
def test_payment_retries(run) -> None:
    check(PAYMENTS, run)


@settings(max_examples=EXAMPLES)
@given(runs(ORDER_SAGA, example_vocabulary("order_saga")))
def test_order_saga(run) -> None:
    check(ORDER_SAGA, run)


@settings(max_examples=EXAMPLES)
@given(runs(SUBWORKFLOWS, example_vocabulary("subworkflows")))
def test_subworkflows(run) -> None:
    check(SUBWORKFLOWS, run)
