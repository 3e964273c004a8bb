"""Streams: tumbling, sliding, session and count windows per key, the aggregates, and windows
at the end of the input."""

from __future__ import annotations

import math

import pytest
from irkit import EVENTS, NOW, T0, c, calls, complete, do, ev, field, machine, program, run, sleep, slots

from coordlang.ir import nodes as ir
from coordlang.runtime.interpreter.streams import aggregate

READING = ir.EventDef("Reading", (("id", "str"), ("v", "float")))
KEY = ir.Builtin("key")

# On each Note: record "text@seconds since T0" (the window's close time).
RECORDER = ir.Reaction("Note", 0, None, slots("n:Note"), (
    do("record", ir.Interpolate((field(0, "text"), "@", ir.Binary("-", NOW, c(T0, "time"), "float")))),
))


def stream(window: str, size: float, every: float | None = None, kinds=("count", "sum")) -> ir.Stream:
    """Emits Note { id: key, text: "key:agg0,agg1,..." } as each window closes."""
    aggregates = tuple(ir.Aggregate(k, None if k == "count" else field(0, "v")) for k in kinds)
    parts: list = [KEY, ":"]
    for index in range(len(kinds)):
        parts += [ir.AggregateRef(index), ","]
    code = (ir.Emit("Note", (("id", KEY), ("text", ir.Interpolate(tuple(parts[:-1]))))),)
    return ir.Stream("S", "Reading", "id", window, size, every, aggregates, slots("r:Reading"), code)


def closes(s: ir.Stream, readings: list[tuple[float, str, float]], until: float | None = None) -> list[str]:
    events = [ev("Reading", at, id=key, v=v) for at, key, v in readings]
    run(program(streams=(s,), reactions=(RECORDER,), events=EVENTS + (READING,)), events, until=until)
    return [x for _, x in calls("record")]


def test_tumbling_windows_align_on_the_epoch_and_close_when_time_passes_their_end():
    assert T0 % 10 == 0
    got = closes(stream("tumbling", 10), [(1, "a", 1.0), (3, "b", 5.0), (4, "a", 2.0), (12, "a", 4.0)])
    assert got == ["a:2,3.0@10.0", "b:1,5.0@10.0", "a:1,4.0@20.0"]


def test_an_event_at_a_window_s_end_belongs_to_the_next_window():
    assert closes(stream("tumbling", 10), [(1, "a", 1.0), (10, "a", 2.0)]) == ["a:1,1.0@10.0", "a:1,2.0@20.0"]


def test_finish_until_leaves_later_windows_open():
    assert closes(stream("tumbling", 10), [(1, "a", 1.0), (15, "a", 2.0)], until=19) == ["a:1,1.0@10.0"]


def test_sliding_windows_hold_every_event_within_their_length():
    # Length 20 every 10: an event at 5 is in [-10, 10) and [0, 20); one at 15 in [0, 20) and
    # [10, 30).
    got = closes(stream("sliding", 20, every=10), [(5, "a", 1.0), (15, "a", 2.0)])
    assert got == ["a:1,1.0@10.0", "a:2,3.0@20.0", "a:1,2.0@30.0"]


def test_a_session_closes_a_gap_after_its_last_event():
    got = closes(stream("session", 10), [(0, "a", 1.0), (5, "a", 2.0), (15, "a", 4.0), (30, "a", 8.0)])
    # 0 and 5 close at 15 (the event at 15 comes too late for it), 15 closes at 25, 30 at 40.
    assert got == ["a:2,3.0@15.0", "a:1,4.0@25.0", "a:1,8.0@40.0"]


def test_count_windows_close_at_their_nth_event_and_an_unfilled_one_never_closes():
    got = closes(stream("count", 3), [(1, "a", 1.0), (2, "b", 1.0), (3, "a", 2.0), (4, "a", 3.0), (5, "a", 4.0)])
    assert got == ["a:3,6.0@4.0"]


def test_every_aggregate():
    s = stream("tumbling", 10, kinds=("count", "sum", "avg", "min", "max", "stddev", "first", "last"))
    got = closes(s, [(1, "a", 2.0), (2, "a", 4.0), (3, "a", 4.0), (4, "a", 4.0), (5, "a", 5.0), (6, "a", 5.0),
                     (7, "a", 7.0), (8, "a", 9.0)])
    assert got == ["a:8,40.0,5.0,2.0,9.0,2.0,2.0,9.0@10.0"]  # population stddev of the textbook example


def test_aggregate_helpers():
    assert aggregate("sum", 3, [1, 2, 3]) == 6 and isinstance(aggregate("sum", 3, [1, 2, 3]), int)
    assert aggregate("stddev", 1, [5.0]) == 0.0
    assert aggregate("avg", 2, []) is None
    assert math.isclose(aggregate("stddev", 2, [1.0, 3.0]), 1.0)


def test_when_emits_only_if_its_condition_holds():
    code = (
        ir.Branch(ir.Binary(">", ir.AggregateRef(0), c(2), "bool"), 2),
        ir.Emit("Note", (("id", KEY), ("text", c("busy")))),
    )
    s = ir.Stream("Busy", "Reading", "id", "tumbling", 10, None, (ir.Aggregate("count", None),),
                  slots("r:Reading"), code)
    got = closes(s, [(1, "a", 0.0), (2, "a", 0.0), (3, "a", 0.0), (4, "b", 0.0)])
    assert got == ["busy@10.0"]


@pytest.mark.parametrize("window, size, every", [("tumbling", 10, None), ("session", 5, None)])
def test_window_closes_interleave_with_workflow_timers_by_deadline(window, size, every):
    sleeper = machine("Sleeper", [sleep(10, 1), do("record", c("sleeper")), complete()])
    s = stream(window, size, every)
    events = [ev("Start", 0, id="z", n=0), ev("Reading", 1, id="a", v=1.0)]
    run(program(sleeper, streams=(s,), reactions=(RECORDER,), events=EVENTS + (READING,)), events)
    got = [x for _, x in calls("record")]
    if window == "tumbling":  # both due at 10: the sleep's timer was created first
        assert got == ["sleeper", "a:1,1.0@10.0"]
    else:  # the session ends at 6
        assert got == ["a:1,1.0@6.0", "sleeper"]
