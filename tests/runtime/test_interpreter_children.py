"""Child workflows: results, ChildFailed, retried calls, correlation by the child's key,
cancellation with the parent."""

from __future__ import annotations

from irkit import NOW, T0, c, calls, complete, do, ev, fail, field, load, machine, on, program, rows, run, sleep, wait

from coordlang.ir import nodes as ir
from coordlang.semantics.policies import RetryPolicy

# Child(id: str, n: int) key id: waits for a Ping with its key; completes with n * 10 + the
# Ping's n; fails when the Ping's n is 0; gives up after an hour.
CHILD = machine("Child", [
    wait(on("Ping", 2, 2), after=3600, timeout_target=1),
    fail(ir.Interpolate(("no ping for ", load(0)))),
    ir.Branch(ir.Binary("==", field(2, "n"), c(0), "bool"), 4),
    fail(ir.Interpolate(("ping zero for ", load(0)))),
    complete(ir.Binary("+", ir.Binary("*", load(1), c(10), "int"), field(2, "n"), "int")),
], ("id:str", "n:int", "p:Ping"), trigger=None, key="id", params=(0, 1))


def parent(policy: str | None = None, caught: bool = False) -> ir.Machine:
    call = ir.CallChild("Child", (ir.Interpolate(("c-", field(0, "id"))), field(0, "n")), 1, policy, 0)
    if not caught:
        return machine("Parent", [call, complete(load(1))], ("s:Start", "r", "e:error"))
    return machine("Parent", [
        ir.TryEnter((ir.Catch("ChildFailed", 2, 4),)),
        call,
        ir.TryExit(),
        complete(load(1)),
        complete(ir.Interpolate((field(2, "kind"), ": ", field(2, "message")))),
    ], ("s:Start", "r", "e:error"))


def test_a_child_s_value_goes_to_the_call_and_children_are_outcomes_in_start_order():
    _, result = run(program(parent(), CHILD), [ev("Start", 0, id="a", n=4), ev("Start", 1, id="b", n=5),
                                                ev("Ping", 2, id="c-b", n=1), ev("Ping", 3, id="c-a", n=2)])
    assert rows(result) == [("Parent", "a", "completed", 42), ("Child", "c-a", "completed", 42),
                            ("Parent", "b", "completed", 51), ("Child", "c-b", "completed", 51)]


def test_a_failed_child_raises_child_failed_with_its_message():
    _, result = run(program(parent(caught=True), CHILD), [ev("Start", 0, id="a", n=4), ev("Ping", 1, id="c-a", n=0)])
    assert rows(result) == [("Parent", "a", "completed", "ChildFailed: ping zero for c-a"),
                            ("Child", "c-a", "failed", "ping zero for c-a")]


def test_an_uncaught_child_failure_fails_the_parent():
    _, result = run(program(parent(), CHILD), [ev("Start", 0, id="a", n=4)])
    assert rows(result) == [("Parent", "a", "failed", "no ping for c-a"), ("Child", "c-a", "failed", "no ping for c-a")]


def test_a_call_with_a_policy_starts_a_new_child_after_a_child_failure():
    rerun = RetryPolicy(attempts=2, backoff="fixed", initial=300.0, max=None, on_kinds=("ChildFailed",))
    _, result = run(program(parent("rerun"), CHILD, policies={"rerun": rerun}),
                    [ev("Start", 0, id="a", n=4), ev("Ping", 1, id="c-a", n=0), ev("Ping", 400, id="c-a", n=3)])
    assert rows(result) == [("Parent", "a", "completed", 43), ("Child", "c-a", "failed", "ping zero for c-a"),
                            ("Child", "c-a", "completed", 43)]


def test_a_compensated_child_is_a_child_failure_too():
    child = machine("Undoing", [
        do("echo", load(0), compensation=ir.Compensation("record", (c("undone"),), None)),
        fail("child gave up"),
    ], ("code:str",), trigger=None, key="code", params=(0,))
    w = machine("P", [ir.CallChild("Undoing", (field(0, "id"),), None, None, 0), complete()])
    _, result = run(program(w, child), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("P", "a", "failed", "child gave up"), ("Undoing", "a", "compensated", "child gave up")]
    assert calls("record") == [("record", "undone")]


def test_a_child_is_cancelled_when_its_parent_stops_waiting_for_it():
    w = machine("P", [
        ir.Fork((1, 3), 5, True),
        ir.CallChild("Child", (c("kid"), c(1)), None, None, 0), ir.EndBranch(),
        sleep(60, 4), ir.EndBranch(),
        complete(ir.Binary("-", NOW, c(T0, "time"), "duration")),
    ])
    interpreter, result = run(program(w, CHILD), [ev("Start", 0, id="a", n=0), ev("Ping", 100, id="kid", n=1)])
    assert rows(result) == [("P", "a", "completed", 60.0),
                            ("Child", "kid", "cancelled", "cancelled: its parent P 'a' stopped waiting for it")]
    assert result.counters["cancelled"] == 1 and result.counters["unrouted"] == 1


def test_a_parent_that_ends_cancels_its_running_children():
    w = machine("P", [
        ir.Fork((1, 3), 5, False),
        ir.CallChild("Child", (c("kid"), c(1)), None, None, 0), ir.EndBranch(),
        fail("parent gives up"), ir.EndBranch(),
        complete(),
    ])
    _, result = run(program(w, CHILD), [ev("Start", 0, id="a", n=0)])
    assert [r[2] for r in rows(result)] == ["failed", "cancelled"]


def test_children_with_the_same_key_may_run_side_by_side():
    w = machine("P", [
        ir.Fork((1, 3), 5, False),
        ir.CallChild("Child", (c("kid"), c(1)), None, None, 0), ir.EndBranch(),
        ir.CallChild("Child", (c("kid"), c(2)), None, None, 1), ir.EndBranch(),
        complete(),
    ])
    _, result = run(program(w, CHILD), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="kid", n=5)])
    assert rows(result) == [("P", "a", "completed", None), ("Child", "kid", "completed", 15),
                            ("Child", "kid", "completed", 25)]
    assert calls() == []
