"""Properties that hold for any program and input: feeding events in batches of any size gives
the outcomes of one batch; stepping back to a snapshot and running on gives the same result."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordlang.ir.compile import compile_file
from coordlang.runtime.events import read_events
from coordlang.runtime.interpreter import Interpreter

ROOT = Path(__file__).resolve().parents[2] / "examples"
CASES = {}


def case(name: str):
    if name not in CASES:
        program = compile_file(ROOT / name / f"{name}.coord")
        CASES[name] = program, read_events(program, ROOT / name / "events.jsonl")
    return CASES[name]


def outcome(interpreter: Interpreter):
    result = interpreter.finish()
    return [o.as_json() for o in result.outcomes], result.counters, result.events


def whole(name: str):
    program, events = case(name)
    interpreter = Interpreter(program)
    interpreter.feed(events)
    return outcome(interpreter)


NAMES = ["order_saga", "sensor_alarms", "subworkflows", "etl_scatter_gather"]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15)
@given(cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=8))
def test_batches_of_any_size_give_the_same_outcomes(name, cuts):
    program, events = case(name)
    interpreter = Interpreter(program)
    start = 0
    for cut in sorted(set(cuts)):
        interpreter.feed(events[start:cut])
        start = max(start, cut)
    interpreter.feed(events[start:])
    assert outcome(interpreter) == whole(name)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=10)
@given(at=st.integers(min_value=0, max_value=400))
def test_restoring_a_snapshot_and_running_on_gives_the_same_result(name, at):
    program, events = case(name)
    interpreter = Interpreter(program)
    interpreter.push(events)
    for _ in range(at):
        if not interpreter.step():
            break
    saved = interpreter.snapshot()
    interpreter.run()
    interpreter.restore(saved)
    interpreter.run()
    assert outcome(interpreter) == whole(name)
