"""Virtual time: timers fire in deadline order (ties in creation order) before an event at or
after their deadline; waits time out; finish lets time run on, up to ``until``."""

from __future__ import annotations

from irkit import NOW, T0, c, calls, complete, do, ev, field, machine, on, program, rows, run, sleep, wait

from coordlang.ir import nodes as ir


def sleeper(seconds_field: str = "n") -> ir.Machine:
    """Sleeps n seconds, records its key, completes with the clock."""
    return machine("Sleeper", [
        ir.Wait("sleep", (), ir.Timer(ir.Binary("*", field(0, seconds_field), c(1.0), "duration"), 1), None),
        do("record", field(0, "id")),
        complete(NOW),
    ])


def test_timers_fire_in_deadline_order_and_ties_in_creation_order():
    events = [ev("Start", 0, id="late", n=30), ev("Start", 1, id="tie1", n=19), ev("Start", 2, id="early", n=5),
              ev("Start", 3, id="tie2", n=17)]
    _, result = run(program(sleeper()), events)
    assert [x for _, x in calls("record")] == ["early", "tie1", "tie2", "late"]
    assert {o.key: o.value - T0 for o in result.outcomes} == {"late": 30, "tie1": 20, "early": 7, "tie2": 20}


def test_timers_due_before_an_event_fire_before_it_is_delivered():
    # The Ping at exactly the deadline comes too late: the timeout fires first.
    timed = machine("Timed", [
        wait(on("Ping", 1, 2), after=10, timeout_target=1),
        complete(c("timeout")),
        complete(c("ping")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(timed), [ev("Start", 0, id="a", n=0), ev("Ping", 10, id="a", n=0),
                                     ev("Start", 20, id="b", n=0), ev("Ping", 29.5, id="b", n=0)])
    assert rows(result) == [("Timed", "a", "completed", "timeout"), ("Timed", "b", "completed", "ping")]
    assert result.counters["unrouted"] == 1


def test_a_timer_firing_sets_the_clock_to_its_deadline():
    _, result = run(program(sleeper()), [ev("Start", 0, id="a", n=5), ev("Start", 100, id="b", n=1)])
    assert [o.value - T0 for o in result.outcomes] == [5, 101]


def test_an_await_without_else_raises_timeout():
    timed = machine("Timed", [
        ir.Wait("await", (on("Ping", 1, 2),), ir.Timer(c(10.0, "duration"), 1), None),
        ir.Raise("Timeout", "no Ping within the time allowed"),
        complete(c("ping")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(timed), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("Timed", "a", "failed", "no Ping within the time allowed")]


def test_finish_fires_the_remaining_timers():
    _, result = run(program(sleeper()), [ev("Start", 0, id="a", n=3600)])
    assert rows(result) == [("Sleeper", "a", "completed", T0 + 3600)]


def test_finish_until_stops_the_clock_and_leaves_instances_running():
    interpreter, result = run(program(sleeper()), [ev("Start", 0, id="a", n=100), ev("Start", 0, id="b", n=50)],
                              until=50)
    assert rows(result) == [("Sleeper", "a", "running", None), ("Sleeper", "b", "completed", T0 + 50)]
    assert result.counters["running"] == 1
    assert interpreter.state.clock == T0 + 50
    assert [t.deadline - T0 for t in interpreter.state.timers.pending()] == [100]


def test_the_wait_delay_counts_from_when_the_wait_starts():
    later = machine("Later", [
        sleep(10, 1),
        wait(on("Ping", 1, 3), after=5, timeout_target=2),
        complete(NOW),
        complete(c("ping")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(later), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("Later", "a", "completed", T0 + 15)]


def test_a_zero_delay_fires_before_the_next_event_but_after_the_inbox():
    # Two Pings in the inbox satisfy the first zero-delay wait; the second times out at once,
    # before the Ping at the same moment is routed.
    zero = machine("Zero", [
        sleep(10, 1),
        wait(on("Ping", 1, 2), after=0, timeout_target=4),
        wait(on("Ping", 1, 3), after=0, timeout_target=4),
        wait(on("Ping", 1, 5), after=0, timeout_target=4),
        complete(field(1, "n")),
        complete(c("all three")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(zero), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=1),
                                    ev("Ping", 2, id="a", n=2), ev("Ping", 10, id="a", n=3)])
    assert rows(result) == [("Zero", "a", "completed", 2)]


def test_the_clock_never_goes_back():
    _, result = run(program(sleeper()), [ev("Start", 100, id="a", n=0), ev("Start", 10, id="b", n=5)])
    assert [o.value - T0 for o in result.outcomes] == [100, 105]
