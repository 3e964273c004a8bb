"""Emitted events beyond the arena's first rows: one run emits hundreds, some deferred to a
parked lane, some reaching a reaction that emits again (the arena grows while a barrier waits)."""

from __future__ import annotations

from dual import PROGRAMS, assert_same, compiled, interpret, program

from coordlang.runtime.executor import Event

FLOODS = program(PROGRAMS / "floods.coord")
T0 = 1_780_000_000.0


def test_a_flood_of_emitted_events_matches_the_interpreter() -> None:
    events = [Event("Burst", T0, {"ref": "a", "n": 700}), Event("Tick", T0 + 0.5, {"ref": "a", "n": 1}),
              Event("Burst", T0 + 0.5, {"ref": "b", "n": 300}), Event("Burst", T0 + 3.0, {"ref": "a", "n": 5})]
    expected = interpret(FLOODS, events, inbox=1000)
    assert expected.counters["completed"] >= 4
    assert_same(expected, compiled(FLOODS, events, inbox=1000))
    assert_same(interpret(FLOODS, events, inbox=16), compiled(FLOODS, events, inbox=16, cuts=[1, 2]))
