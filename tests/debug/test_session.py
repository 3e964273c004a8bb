"""The debug session on the examples: stepping, going back, breakpoints, inspection, logs."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordlang.errors import CoordError
from coordlang.ir.compile import compile_file
from coordlang.runtime.debug import session as session_module
from coordlang.runtime.debug import (DebugSession, EvaluationError, EventBreakpoint, LineBreakpoint)
from coordlang.runtime.events import read_events
from coordlang.runtime.handlers import BoundHandler, bind_handlers
from coordlang.runtime.interpreter import Interpreter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "events.jsonl").is_file())
SAGA = ROOT / "examples" / "order_saga"
HIRES = ROOT / "examples" / "subworkflows"


def launch(example: Path, **options) -> DebugSession:
    return DebugSession.launch(example / f"{example.name}.coord", example / "events.jsonl", **options)


def line_of(example: Path, text: str) -> int:
    """The 1-based line of the last line of ``example``'s program that contains ``text`` (in
    order_saga, the workflow's version 2, the one that runs)."""
    lines = (example / f"{example.name}.coord").read_text(encoding="utf-8").splitlines()
    return max(n for n, line in enumerate(lines, 1) if text in line)


def fresh_state(example: Path, position: int):
    session = launch(example)
    while session.position < position and session._advance(check=False, output=None):
        pass
    return session.state


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_stepping_through_an_example_ends_with_the_interpreters_outcomes(example: Path) -> None:
    session = launch(example)
    assert session.last_stop.reason == "entry" and session.position == 0
    positions = []
    while True:
        stop = session.step_in()
        positions.append(stop.position)
        if stop.reason == "end":
            break
        location = session.location()
        assert location is not None and location.description
        work = session.work()
        if work.kind == "instruction" and location.path is not None:
            assert location.line > 0 and location.path.name.endswith(".coord")
    assert positions == sorted(set(positions))
    prog = compile_file(example / f"{example.name}.coord")
    plain = Interpreter(prog)
    plain.feed(read_events(prog, example / "events.jsonl"))
    assert session.outcomes() == plain.finish().outcomes
    assert session.finished and session.location() is None


def test_back_and_forth_returns_to_identical_states() -> None:
    session = launch(SAGA)
    states = [copy.deepcopy(session.state)]
    for _ in range(40):
        session.step_in()
        states.append(copy.deepcopy(session.state))
    for expected in reversed(states[:-1]):
        session.step_back()
        assert session.state == expected
    for expected in states[1:]:
        session.step_in()
        assert session.state == expected


@settings(max_examples=max(15, settings.default.max_examples // 10), deadline=None)  # long profile: 200
@given(st.lists(st.sampled_from(["in", "over", "out", "back", "continue", "reverse", "goto"]), min_size=1,
                max_size=12), st.integers(0, 400))
def test_any_walk_stands_at_the_state_a_straight_run_reaches(moves: list[str], where: int) -> None:
    with mock.patch.object(session_module, "SNAPSHOT_EVERY", 16):  # many snapshots to go back by
        walk(moves, where)


def walk(moves: list[str], where: int) -> None:
    session = launch(SAGA)
    session.set_line_breakpoints(SAGA / "order_saga.coord", [LineBreakpoint(line_of(SAGA, "do charge("),
                                                                            hit_condition="%2")])
    hits = []
    for move in moves:
        {"in": session.step_in, "over": session.step_over, "out": session.step_out, "back": session.step_back,
         "continue": session.continue_, "reverse": session.reverse_continue,
         "goto": lambda: session.goto(where)}[move]()
        assert session.state == fresh_state(SAGA, session.position)
        if session.last_stop.reason == "breakpoint":
            hits.append(session.position)
    # Every other arrival at the charge stops, counted from the start whatever the walk.
    every = straight_hits(SAGA)
    assert set(hits) <= set(every[1::2])


def straight_hits(example: Path) -> list[int]:
    session = launch(example)
    session.set_line_breakpoints(example / f"{example.name}.coord", [LineBreakpoint(line_of(example, "do charge("))])
    found = []
    while (stop := session.continue_()).reason == "breakpoint":
        found.append(stop.position)
    return found


def test_handlers_run_once_however_often_the_run_is_replayed() -> None:
    prog = compile_file(SAGA / "order_saga.coord")
    calls: list[str] = []

    def counted(bound: BoundHandler) -> BoundHandler:
        def function(*args, **kwargs):
            calls.append(bound.definition.name)
            return bound.function(*args, **kwargs)
        return BoundHandler(bound.definition, function, bound.accepts_key)

    handlers = {name: counted(b) for name, b in bind_handlers(prog).items()}
    session = launch(SAGA, handlers=handlers)
    session.continue_()
    made = len(calls)
    assert made > 10
    session.goto(30)
    session.reverse_continue()
    session.continue_()
    session.restart()
    session.goto(100)
    assert len(calls) == made


def test_a_line_breakpoint_stops_before_its_statement_in_every_instance() -> None:
    line = line_of(SAGA, "do charge(")
    session = launch(SAGA)
    [state] = session.set_line_breakpoints(SAGA / "order_saga.coord", [LineBreakpoint(line)])
    assert state.verified and state.line == line
    stopped_in = []
    while (stop := session.continue_()).reason == "breakpoint":
        assert stop.breakpoints == (state.id,)
        assert session.location().line == line
        stopped_in.append(stop.instance)
    assert stop.reason == "end"
    orders = [e.instance for e in session.timeline() if e.kind == "start" and e.title.startswith("start Order")]
    assert len(stopped_in) == len(set(stopped_in)) > 5 and set(stopped_in) <= set(orders)


def test_a_breakpoint_between_statements_moves_to_the_next_one_and_one_past_the_end_is_refused() -> None:
    session = launch(SAGA)
    text = (SAGA / "order_saga.coord").read_text(encoding="utf-8").splitlines()
    blank = next(n for n, line in enumerate(text, 1) if not line.strip() and n > line_of(SAGA, "workflow Order"))
    moved, past = session.set_line_breakpoints(SAGA / "order_saga.coord",
                                               [LineBreakpoint(blank), LineBreakpoint(len(text) + 50)])
    assert moved.verified and moved.line > blank
    assert not past.verified and "no statement at or after line" in past.message


def test_conditions_hit_counts_and_logpoints() -> None:
    line = line_of(SAGA, "do charge(")
    session = launch(SAGA)
    cond, hit, log = session.set_line_breakpoints(SAGA / "order_saga.coord", [
        LineBreakpoint(line, condition="o.amount > 100"),
        LineBreakpoint(line, hit_condition=">=3"),
        LineBreakpoint(line, log_message="charging {o.order_id} for {o.amount}"),
    ])
    assert cond.verified and hit.verified and log.verified
    stop = session.continue_()
    assert stop.breakpoints == (cond.id,) and session.evaluate("o.amount > 100").value == "true"
    assert stop.output == ('charging o-1001 for 120.0',)
    amounts = []
    while (stop := session.continue_()).reason == "breakpoint":
        amounts.append((stop.breakpoints, float(session.evaluate("o.amount").value)))
    hits_only = [a for ids, a in amounts if ids == (hit.id,)]
    assert all(a <= 100 for a in hits_only)  # where the condition held, its breakpoint also stopped
    assert all(a > 100 for ids, a in amounts if cond.id in ids)
    [bad] = session.set_line_breakpoints(SAGA / "order_saga.coord", [LineBreakpoint(line, hit_condition="often")])
    assert not bad.verified and "hit condition" in bad.message


def test_hit_counts_count_along_the_run_however_one_got_there() -> None:
    line = line_of(SAGA, "do charge(")
    session = launch(SAGA)
    [third] = session.set_line_breakpoints(SAGA / "order_saga.coord", [LineBreakpoint(line, hit_condition="3")])
    at = session.continue_().position
    session.restart()
    session.goto(at + 10)
    back = session.reverse_continue()
    assert back.reason == "breakpoint" and back.position == at
    assert session.continue_().reason == "end"  # only the third hit stops


def test_event_breakpoints_stop_before_routing_and_see_the_events_fields() -> None:
    session = launch(SAGA)
    [bp] = session.set_event_breakpoints([EventBreakpoint("PaymentFailed")])
    [cond] = session.set_event_breakpoints([EventBreakpoint("OrderPlaced", condition='customer == "bob" and e.amount < 100')])
    stop = session.continue_()
    assert stop.reason == "event" and stop.breakpoints == (cond.id,)
    assert session.work().event.fields["customer"] == "bob"
    assert session.evaluate("amount").value == "80.5" and session.evaluate("e.customer").value == '"bob"'
    [unknown] = session.set_event_breakpoints([EventBreakpoint("Nope")])
    assert not unknown.verified and "no event type Nope" in unknown.message
    del bp


def test_error_breakpoints_caught_and_uncaught_by_kind() -> None:
    session = launch(HIRES)
    session.set_error_breakpoints(["caught"])
    stop = session.continue_()
    assert stop.reason == "exception" and stop.error is not None and stop.escaped is False
    assert "caught" in stop.description
    session.restart()
    session.set_error_breakpoints(["uncaught"], kinds=["NoSuchKind"])
    assert session.continue_().reason == "end"
    session.restart()
    session.set_error_breakpoints(["uncaught"])
    stop = session.continue_()
    assert stop.reason == "exception" and "escaped" in stop.description and stop.escaped
    session.continue_()
    back = session.reverse_continue()
    assert back.reason == "exception" and back.escaped
    with pytest.raises(CoordError, match="unknown error filter"):
        session.set_error_breakpoints(["sometimes"])


@pytest.mark.parametrize("every", [256, 7])
def test_reverse_continue_goes_back_to_the_previous_hit_then_the_start(every: int, monkeypatch) -> None:
    monkeypatch.setattr(session_module, "SNAPSHOT_EVERY", every)
    line = line_of(SAGA, "do charge(")
    session = launch(SAGA)
    session.set_line_breakpoints(SAGA / "order_saga.coord", [LineBreakpoint(line)])
    first = session.continue_().position
    second = session.continue_().position
    session.continue_()
    assert session.reverse_continue().position == second
    assert session.reverse_continue().position == first
    back = session.reverse_continue()
    assert back.reason == "entry" and back.position == 0


def test_step_over_stays_in_the_instance_and_step_out_returns_to_the_caller() -> None:
    session = launch(HIRES)
    session.set_line_breakpoints(HIRES / "subworkflows.coord", [LineBreakpoint(line_of(HIRES, "do request_check("))])
    stop = session.continue_()
    child = stop.instance
    frames = session.frames(child)
    assert [f.name.split("@")[0] for f in frames] == ["BackgroundCheck", "Onboarding"]
    assert frames[1].location.line == line_of(HIRES, "let cleared = call BackgroundCheck")
    session.set_line_breakpoints(HIRES / "subworkflows.coord", [])
    over = session.step_over()
    assert over.instance == child or session.work().kind != "instruction"
    out = session.step_out(child)
    parent = frames[1].instance
    assert out.instance == parent or session.state.instances[child].ended


def test_restart_frame_goes_back_to_the_instances_first_statement() -> None:
    session = launch(HIRES)
    session.set_line_breakpoints(HIRES / "subworkflows.coord", [LineBreakpoint(line_of(HIRES, "do send_welcome("))])
    stop = session.continue_()
    restarted = session.restart_frame(stop.instance)
    assert restarted.reason == "restart" and restarted.position < stop.position
    assert session.location().line == line_of(HIRES, "let level = 0")


def test_scopes_show_locals_event_inbox_timers_retries_and_compensations() -> None:
    session = launch(SAGA)
    session.set_line_breakpoints(SAGA / "order_saga.coord", [LineBreakpoint(line_of(SAGA, "select {"))])
    stop = session.continue_()
    scopes = {s.name: s for s in session.scopes(stop.instance)}
    assert list(scopes) == ["Locals", "Event", "Inbox", "Timers", "Retries", "Compensation"]
    names = {v.name: v for v in scopes["Locals"].variables}
    assert names["key"].value == '"o-1001"' and names["o"].type == "event OrderPlaced"
    assert {v.name for v in names["o"].children} >= {"order_id", "amount"}
    assert {v.name for v in scopes["Event"].variables} >= {"order_id", "amount"}
    assert [v.value for v in scopes["Compensation"].variables] == ['refund("o-1001", 120.0)']
    session.step_in()  # the select waits: its timer is pending now
    timers = {s.name: s for s in session.scopes(stop.instance)}["Timers"].variables
    assert timers and "wait" in timers[0].value
    run = {s.name: s for s in session.scopes(None)}
    assert "Run" in run and "Timers" in run


def test_evaluate_speaks_the_language_and_says_what_is_wrong() -> None:
    session = launch(SAGA)
    session.step_in()
    assert session.evaluate('o.amount * 2 + 1').value == "241.0"
    assert session.evaluate('"order {o.order_id}"').value == '"order o-1001"'
    assert session.evaluate("now()").type == "time"
    with pytest.raises(EvaluationError, match="no variable nope here"):
        session.evaluate("nope + 1")
    with pytest.raises(EvaluationError):
        session.evaluate("o.amount +")
    with pytest.raises(EvaluationError, match="avg"):
        session.evaluate("avg(o.amount)")


def test_the_timeline_and_goto_jump_in_time() -> None:
    session = launch(SAGA)
    session.continue_()
    timeline = session.timeline()
    inputs = [e for e in timeline if e.kind == "in"]
    assert len(inputs) == len((SAGA / "events.jsonl").read_text().splitlines())
    assert {e.kind for e in timeline} >= {"in", "start", "end", "timer"}
    target = inputs[3]
    stop = session.goto(target.position)
    assert stop.reason == "goto" and session.work().kind == "event"
    assert session.work().event.fields == target.fields
    assert session.timeline() == timeline  # the future is known, and unchanged


def test_diff_names_what_changed_between_two_points() -> None:
    session = launch(SAGA)
    session.goto(20)
    changes = {c.where: c for c in session.diff(0, 20)}
    assert changes["input events routed"].before == "0"
    assert any(w.endswith(".o") for w in changes)
    assert session.position == 20  # the diff leaves the session where it was


def test_pause_stops_a_continue_from_another_thread() -> None:
    import threading

    session = launch(SAGA)
    session.pause()  # a pause asked before the continue starts is dropped by it...
    original = session._advance
    paused = threading.Event()

    def slow(**kw):
        if session.position == 7 and not paused.is_set():
            paused.set()
            session.pause()  # ...one asked while it runs stops it
        return original(**kw)

    session._advance = slow
    stop = session.continue_()
    assert stop.reason == "pause" and stop.position == 8


def test_a_pause_during_reverse_continue_stays_where_it_was() -> None:
    session = launch(SAGA)
    session.goto(120)
    original = session._advance

    def paused(**kw):
        session.pause()
        return original(**kw)

    session._advance = paused
    stop = session.reverse_continue()
    session._advance = original
    assert stop.reason == "pause" and stop.position == 120


def test_attach_replays_a_recorded_log_without_handlers(tmp_path: Path) -> None:
    log = tmp_path / "log"
    program = tmp_path / "order_saga.coord"
    for name in ("order_saga.coord", "shop_handlers.py"):
        (tmp_path / name).write_bytes((SAGA / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "coordlang", "run", str(program), "--events",
                           str(SAGA / "events.jsonl"), "--log", str(log), "--backend", "interpreter",
                           "--out", str(tmp_path / "out.jsonl")], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "shop_handlers.py").unlink()  # a log needs no handler code
    attached = DebugSession.attach(log)
    launched = launch(SAGA)
    attached.continue_()
    launched.continue_()
    assert attached.outcomes() == launched.outcomes()
    assert [(e.kind, e.title) for e in attached.timeline()] == [(e.kind, e.title) for e in launched.timeline()]
    attached.goto(10)
    assert attached.state == fresh_state(SAGA, 10)


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CoordError, match="no such program file"):
        DebugSession.launch(tmp_path / "none.coord", SAGA / "events.jsonl")
    with pytest.raises(CoordError, match="no such events file"):
        DebugSession.launch(SAGA / "order_saga.coord", tmp_path / "none.jsonl")
    broken = tmp_path / "broken.coord"
    broken.write_text("event E { id: str }\nworkflow W on E as e key id {\n    let x = = 1\n}\n", encoding="utf-8")
    with pytest.raises(CoordError, match=r"broken.coord:3:\d+: P101"):
        DebugSession.launch(broken, SAGA / "events.jsonl")
    bad_events = tmp_path / "bad.jsonl"
    bad_events.write_text('{"event": "OrderPlaced", "time": "2026-01-05T10:00:00Z"\n', encoding="utf-8")
    with pytest.raises(CoordError, match="bad.jsonl"):
        DebugSession.launch(SAGA / "order_saga.coord", bad_events)
    with pytest.raises(CoordError):
        DebugSession.attach(tmp_path)
