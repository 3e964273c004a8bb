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


HIRES = ROOT / "examples" / "subworkflows"
PAYMENTS = ROOT / "examples" / "payment_retries"


def errors_met(session: DebugSession) -> list[tuple[str, bool]]:
    """(kind, escaped) of every error a continue stops on, to the end."""
    found = []
    while (stop := session.continue_()).reason == "exception":
        found.append((stop.error.kind, stop.escaped))
    return found


def test_each_error_filter_takes_its_own_kinds() -> None:
    everything = launch(PAYMENTS)
    everything.set_error_breakpoints(["caught", "uncaught"])
    every = errors_met(everything)
    assert {escaped for _, escaped in every} == {True, False}
    session = launch(PAYMENTS)
    session.set_error_breakpoints({"caught": ["Timeout"], "uncaught": []})
    assert errors_met(session) == [e for e in every if e[1] or e[0] == "Timeout"]
    session.restart()
    session.set_error_breakpoints({"caught": [], "uncaught": ["Timeout"]})
    assert errors_met(session) == [e for e in every if not e[1]]
    session.restart()
    session.set_error_breakpoints(["caught", "uncaught"], kinds=["Timeout"])  # one set for both, as before
    assert errors_met(session) == [e for e in every if e[0] == "Timeout"]
    with pytest.raises(CoordError, match="unknown error filter raised"):
        session.set_error_breakpoints({"raised": []})


def test_logpoint_output_is_said_as_it_is_met_and_kept_in_the_stop() -> None:
    from coordlang.runtime.debug import LineBreakpoint

    program = SAGA / "order_saga.coord"
    line = max(n for n, text in enumerate(program.read_text(encoding="utf-8").splitlines(), 1) if "do charge(" in text)
    session = launch(SAGA)
    session.set_line_breakpoints(program, [LineBreakpoint(line, log_message="charging {o.order_id}")])
    heard: list[tuple[str, int]] = []
    session.on_output = lambda text: heard.append((text, session.position))
    stop = session.continue_()
    assert stop.reason == "end" and [text for text, _ in heard] == list(stop.output)
    assert heard[0][0] == "charging o-1001" and heard[0][1] < stop.position  # said on the way, not at the end
    assert [at for _, at in heard] == sorted(at for _, at in heard)
    heard.clear()
    session.goto(0)  # going back or jumping says nothing: the past was said when it ran
    session.goto(stop.position)
    assert heard == []
