"""The debug session's views and calls that front-ends share beyond stepping: watch lists,
the whole run's timeline (the input events not reached yet too) and going to an input event,
per-filter error kinds, and logpoint output as it is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.errors import CoordError
from coordlang.runtime.debug import DebugSession, Watched

ROOT = Path(__file__).resolve().parents[2]
SAGA = ROOT / "examples" / "order_saga"


def launch(example: Path, **options) -> DebugSession:
    return DebugSession.launch(example / f"{example.name}.coord", example / "events.jsonl", **options)


def test_watch_evaluates_each_expression_and_keeps_errors_in_place() -> None:
    session = launch(SAGA)
    session.step_in()
    watched = session.watch(["o.amount * 2", "nope + 1", "key"])
    assert [w.expression for w in watched] == ["o.amount * 2", "nope + 1", "key"]
    assert watched[0] == Watched("o.amount * 2", session.evaluate("o.amount * 2"))
    assert watched[1].value is None and "no variable nope here" in watched[1].error
    assert watched[2].value.value == '"o-1001"' and watched[2].error is None
    assert session.watch([]) == []
    assert "no instance 999" in session.watch(["key"], 999)[0].error


def test_the_whole_runs_timeline_names_every_input_event_reached_or_not() -> None:
    session = launch(SAGA)
    inputs = len((SAGA / "events.jsonl").read_text().splitlines())
    ahead = session.timeline(unreached=True)
    assert session.timeline() == [] and len(ahead) == inputs
    assert [e.input for e in ahead] == list(range(inputs))
    assert all(e.kind == "in" and e.position is None and not e.reached for e in ahead)
    session.goto(12)
    reached = session.timeline()
    whole = session.timeline(unreached=True)
    assert whole[:len(reached)] == reached and all(e.reached for e in reached)
    routed = [e.input for e in reached if e.kind == "in"]
    assert routed == list(range(len(routed)))
    assert [e.input for e in whole[len(reached):]] == list(range(len(routed), inputs))
    # The entries ahead say what the reached ones will: the same event, title and key.
    session.continue_()
    final = {e.input: e for e in session.timeline() if e.kind == "in"}
    for entry in whole[len(reached):]:
        assert (final[entry.input].title, final[entry.input].key) == (entry.title, entry.key)
    assert session.timeline(unreached=True) == session.timeline()


def test_goto_input_runs_forward_to_an_event_not_reached_and_back() -> None:
    session = launch(SAGA)
    target = session.timeline(unreached=True)[10]
    stop = session.goto_input(10)
    work = session.work()
    assert stop.reason == "goto" and work.kind == "event" and not work.emitted
    assert work.event.fields == target.fields and session.state.events == 10
    there = session.position
    assert all(e.input != 10 for e in session.timeline())  # just before it: not routed yet
    session.step_in()
    reached = next(e for e in session.timeline() if e.input == 10)
    assert reached.position == there and reached.reached
    session.goto_input(2)
    assert session.state.events == 2 and session.position < there
    session.goto_input(10)
    assert session.position == there
    with pytest.raises(CoordError, match="no input event 99"):
        session.goto_input(99)
