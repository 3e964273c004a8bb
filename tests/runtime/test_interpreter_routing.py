"""Routing: starts, duplicate starts, delivery, inboxes, rejected and unrouted events,
reactions, emitted events."""

from __future__ import annotations

from irkit import NOW, T0, c, calls, complete, emit, ev, field, machine, on, program, rows, run, sleep, wait

from coordlang.ir import nodes as ir

# Waits for a Ping and completes with its n.
PINGED = machine("Pinged", [
    wait(on("Ping", 1, 1)),
    complete(field(1, "n")),
], ("s:Start", "p:Ping"))


def test_a_start_event_starts_an_instance_keyed_by_its_key_field():
    _, result = run(program(PINGED), [ev("Start", 0, id="a", n=1), ev("Ping", 1, id="a", n=7)])
    assert rows(result) == [("Pinged", "a", "completed", 7)]
    assert result.events == 2
    assert result.counters["completed"] == 1 and result.counters["unrouted"] == 0


def test_a_second_start_with_a_running_key_is_a_duplicate_start_and_starts_nothing():
    _, result = run(program(PINGED), [ev("Start", 0, id="a", n=1), ev("Start", 1, id="a", n=2),
                                      ev("Start", 2, id="b", n=3)])
    assert [r[1] for r in rows(result)] == ["a", "b"]
    assert result.counters["duplicate_start"] == 1
    assert result.counters["running"] == 2


def test_a_start_with_the_key_of_an_ended_instance_starts_a_new_one():
    quick = machine("Quick", [complete(field(0, "n"))])
    _, result = run(program(quick), [ev("Start", 0, id="a", n=1), ev("Start", 1, id="a", n=2)])
    assert rows(result) == [("Quick", "a", "completed", 1), ("Quick", "a", "completed", 2)]
    assert result.counters["duplicate_start"] == 0


def test_the_highest_version_starts_and_duplicates_count_across_versions():
    v1 = machine("W", [complete(c("one"))], version=1)
    v3 = machine("W", [wait(on("Ping", 1, 1)), complete(c("three"))], ("s:Start", "p:Ping"), version=3)
    v2 = machine("W", [complete(c("two"))], version=2)
    _, result = run(program(v1, v3, v2), [ev("Start", 0, id="a", n=0), ev("Start", 1, id="a", n=0),
                                                     ev("Ping", 2, id="a", n=0)])
    assert [(o.version, o.value) for o in result.outcomes] == [(3, "three")]
    assert result.counters["duplicate_start"] == 1


def test_an_event_that_reaches_nothing_is_unrouted():
    _, result = run(program(PINGED), [ev("Ping", 0, id="nobody", n=1), ev("Note", 1, id="x", text="t"),
                                      ev("Start", 2, id="a", n=0), ev("Ping", 3, id="a", n=5),
                                      ev("Ping", 4, id="a", n=6)])
    # The first Ping has no instance, the Note no consumer, the last Ping's instance has ended.
    assert result.counters["unrouted"] == 3
    assert rows(result) == [("Pinged", "a", "completed", 5)]


def test_an_event_goes_only_to_instances_whose_code_awaits_it():
    # Sleeper never waits for a Ping: a Ping with its key is unrouted, not kept in an inbox.
    sleeper = machine("Sleeper", [sleep(10, 1), complete(c(True))])
    _, result = run(program(sleeper), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=0)])
    assert result.counters["unrouted"] == 1


def test_an_event_reaches_every_correlated_instance_of_every_workflow():
    other = machine("Other", [wait(on("Ping", 1, 1)), complete(binary_plus_100())], ("s:Start", "p:Ping"),
                    trigger="Note")
    _, result = run(program(PINGED, other), [ev("Start", 0, id="a", n=0), ev("Note", 1, id="a", text=""),
                                             ev("Ping", 2, id="a", n=1)])
    assert rows(result) == [("Pinged", "a", "completed", 1), ("Other", "a", "completed", 101)]


def binary_plus_100() -> ir.Expr:
    return ir.Binary("+", field(1, "n"), c(100), "int")


def test_a_start_event_is_also_delivered_to_other_instances_that_await_it():
    # Watcher (started by Note) awaits Start events with its key; Pinged starts on them.
    watcher = machine("Watcher", [wait(on("Start", 1, 1)), complete(field(1, "n"))], ("s:Note", "t:Start"),
                      trigger="Note")
    _, result = run(program(watcher, PINGED), [ev("Note", 0, id="a", text=""), ev("Start", 1, id="a", n=9)])
    assert rows(result) == [("Watcher", "a", "completed", 9), ("Pinged", "a", "running", None)]


def test_a_duplicate_start_still_reaches_instances_that_await_it():
    watcher = machine("Watcher", [wait(on("Start", 1, 1)), complete(field(1, "n"))], ("s:Note", "t:Start"),
                      trigger="Note")
    _, result = run(program(watcher, PINGED), [ev("Start", 0, id="a", n=1), ev("Note", 1, id="a", text=""),
                                               ev("Start", 2, id="a", n=2)])
    assert result.counters["duplicate_start"] == 1
    assert ("Watcher", "a", "completed", 2) in rows(result)


# ---------------------------------------------------------------- inbox

def early_pings_then_two_awaits():
    return machine("Inboxed", [
        sleep(60, 1),
        wait(on("Ping", 1, 2)),
        wait(on("Ping", 2, 3)),
        complete(ir.Binary("+", ir.Binary("*", field(1, "n"), c(10), "int"), field(2, "n"), "int")),
    ], ("s:Start", "p:Ping", "q:Ping"))


def test_events_for_a_busy_instance_wait_in_its_inbox_first_in_first_out():
    _, result = run(program(early_pings_then_two_awaits()),
                    [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=1), ev("Ping", 2, id="a", n=2)])
    assert rows(result) == [("Inboxed", "a", "completed", 12)]
    assert result.counters["inbox_dropped"] == 0 and result.counters["unrouted"] == 0


def test_a_full_inbox_drops_its_oldest_event():
    events = [ev("Start", 0, id="a", n=0)] + [ev("Ping", i, id="a", n=i) for i in (1, 2, 3)]
    _, result = run(program(early_pings_then_two_awaits()), events, inbox_capacity=2)
    assert result.counters["inbox_dropped"] == 1
    assert rows(result) == [("Inboxed", "a", "completed", 23)]


def test_the_default_inbox_holds_sixteen_events():
    events = [ev("Start", 0, id="a", n=0)] + [ev("Ping", i, id="a", n=i) for i in range(1, 19)]
    _, result = run(program(early_pings_then_two_awaits()), events)
    assert result.counters["inbox_dropped"] == 2
    assert rows(result)[0][3] == 34  # pings 3 and 4: 1 and 2 were dropped


def test_a_wait_takes_the_inbox_in_clause_order_then_oldest_first():
    select = machine("Select", [
        sleep(60, 1),
        wait(on("Pong", 2, 2), on("Ping", 1, 3)),
        complete(c("pong")),
        complete(c("ping")),
    ], ("s:Start", "p:Ping", "q:Pong"))
    _, result = run(program(select), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=0),
                                      ev("Pong", 2, id="a", n=0)])
    assert rows(result) == [("Select", "a", "completed", "pong")]


def test_an_awaited_event_whose_guard_is_false_is_rejected_and_the_wait_goes_on():
    guarded = machine("Guarded", [
        wait(on("Ping", 1, 1, guard=ir.Binary(">", field(1, "n"), c(5), "bool"))),
        complete(field(1, "n")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(guarded), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=3),
                                       ev("Ping", 2, id="a", n=8)])
    assert rows(result) == [("Guarded", "a", "completed", 8)]
    assert result.counters["rejected"] == 1 and result.counters["unrouted"] == 0


def test_an_inbox_event_whose_guard_is_false_is_rejected_when_the_wait_starts():
    guarded = machine("Guarded", [
        sleep(60, 1),
        wait(on("Ping", 1, 2, guard=ir.Binary(">", field(1, "n"), c(5), "bool"))),
        complete(field(1, "n")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(guarded), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=3),
                                       ev("Ping", 2, id="a", n=9), ev("Ping", 3, id="a", n=4)])
    assert rows(result) == [("Guarded", "a", "completed", 9)]
    assert result.counters["rejected"] == 1  # n=4 stays in the inbox: the instance ended first


def test_clauses_of_one_type_are_tried_in_order_before_rejecting():
    two = machine("Two", [
        wait(on("Ping", 1, 1, guard=ir.Binary("==", field(1, "n"), c(1), "bool")),
             on("Ping", 1, 2, guard=ir.Binary("==", field(1, "n"), c(2), "bool"))),
        complete(c("first")),
        complete(c("second")),
    ], ("s:Start", "p:Ping"))
    _, result = run(program(two), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=3),
                                   ev("Ping", 2, id="a", n=2)])
    assert rows(result) == [("Two", "a", "completed", "second")]
    assert result.counters["rejected"] == 1


# ---------------------------------------------------------------- reactions and emitted events

def reaction(event: str, code: list[ir.Instr], guard: ir.Expr | None = None, slot_specs=None) -> ir.Reaction:
    from irkit import slots
    return ir.Reaction(event, 0, guard, slots(*(slot_specs or (f"e:{event}",))), tuple(code))


def test_a_reaction_runs_for_each_event_and_its_event_counts_as_routed():
    react = reaction("Note", [ir.Do("record", (field(0, "text"),), None, None, None, None, 0)])
    _, result = run(program(reactions=(react,)), [ev("Note", 0, id="a", text="hello"),
                                                  ev("Note", 1, id="b", text="again")])
    assert calls("record") == [("record", "hello"), ("record", "again")]
    assert result.counters["unrouted"] == 0
    assert result.outcomes == []


def test_a_reaction_whose_guard_is_false_does_nothing_and_counts_nothing():
    react = reaction("Note", [ir.Do("record", (field(0, "text"),), None, None, None, None, 0)],
                     guard=ir.Binary("==", field(0, "text"), c("yes"), "bool"))
    _, result = run(program(reactions=(react,)), [ev("Note", 0, id="a", text="no"), ev("Note", 1, id="a", text="yes")])
    assert calls("record") == [("record", "yes")]
    assert result.counters["rejected"] == 0 and result.counters["unrouted"] == 0


def test_emitted_events_are_routed_after_the_current_event_first_in_first_out():
    # Start emits Note "1" and Note "2"; the reaction to Note "1" emits Ping, which the
    # reaction on Ping records after Note "2" (first in, first out). The next input comes last.
    emitter = machine("Emitter", [
        emit("Note", id=field(0, "id"), text=c("1")),
        emit("Note", id=field(0, "id"), text=c("2")),
        complete(),
    ])
    on_note = reaction("Note", [
        ir.Do("record", (field(0, "text"),), None, None, None, None, 0),
        ir.Branch(ir.Binary("==", field(0, "text"), c("1"), "bool"), 3),
        emit("Ping", id=field(0, "id"), n=c(1)),
    ])
    on_ping = reaction("Ping", [ir.Do("record", (c("ping"),), None, None, None, None, 0)])
    _, result = run(program(emitter, reactions=(on_note, on_ping)),
                    [ev("Start", 0, id="a", n=0), ev("Note", 0, id="a", text="input")])
    assert [x for _, x in calls("record")] == ["1", "2", "ping", "input"]


def test_an_emitted_event_has_the_clock_as_its_time():
    emitter = machine("Emitter", [sleep(30, 1), emit("Ping", id=field(0, "id"), n=c(0)), complete()])
    stamp = machine("Stamp", [wait(on("Ping", 1, 1)), complete(NOW)], ("s:Note", "p:Ping"), trigger="Note")
    _, result = run(program(emitter, stamp), [ev("Start", 0, id="a", n=0), ev("Note", 1, id="a", text="")])
    assert rows(result)[1] == ("Stamp", "a", "completed", T0 + 30)


def test_a_late_event_is_handled_at_the_clock():
    stamp = machine("Stamp", [complete(NOW)])
    _, result = run(program(stamp), [ev("Start", 100, id="a", n=0), ev("Start", 50, id="b", n=0)])
    assert [o.value for o in result.outcomes] == [T0 + 100, T0 + 100]


def test_an_emitted_event_that_reaches_nothing_is_unrouted_too():
    emitter = machine("Emitter", [emit("Note", id=field(0, "id"), text=c("")), complete()])
    _, result = run(program(emitter), [ev("Start", 0, id="a", n=0)])
    assert result.counters["unrouted"] == 1 and result.events == 1


def test_outcomes_report_load_and_running_instances():
    _, result = run(program(PINGED), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("Pinged", "a", "running", None)]
    assert result.outcomes[0].as_json() == {"workflow": "Pinged", "version": 1, "key": "a", "status": "running",
                                            "value": None, "message": None}


def test_a_reaction_s_retries_back_off_on_timers_while_other_events_go_on(fresh_handlers):
    from coordlang.semantics.policies import RetryPolicy
    fresh_handlers.FAILURES["r"] = 1
    react = reaction("Note", [ir.Do("flaky", (c("r"),), None, "p", None, None, 0),
                              ir.Do("record", (field(0, "text"),), None, None, None, None, 1)])
    policy = RetryPolicy(attempts=2, backoff="fixed", initial=10.0, max=None)
    _, result = run(program(reactions=(react,), policies={"p": policy}),
                    [ev("Note", 0, id="a", text="first"), ev("Note", 5, id="b", text="second")])
    assert [x for _, x in calls("record")] == ["second", "first"]
    assert [key for _, _, key in calls("flaky")] == ["#1:0:1", "#2:0:1", "#1:0:2"]
