"""Errors: try/catch, fail, compensation in reverse order, compensated versus failed."""

from __future__ import annotations

from irkit import T0, c, calls, complete, do, ev, fail, field, load, machine, program, rows, run, sleep, undo

from coordlang.ir import nodes as ir
from coordlang.semantics.policies import RetryPolicy


def test_a_catch_of_the_kind_takes_the_error_and_its_slot_gets_kind_message_type():
    w = machine("W", [
        ir.TryEnter((ir.Catch("Timeout", 1, 4), ir.Catch("Failed", 1, 5))),
        fail("boom"),
        ir.TryExit(),
        complete(c("not reached")),
        complete(c("timeout")),
        complete(ir.Interpolate((field(1, "kind"), ":", field(1, "type"), ":", field(1, "message")))),
    ], ("s:Start", "e:error"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "Failed:Failed:boom")]


def test_a_catch_without_a_kind_takes_every_error():
    w = machine("W", [
        ir.TryEnter((ir.Catch(None, None, 4),)),
        do("refuse", c("x")),
        ir.TryExit(),
        complete(c("no")),
        complete(c("caught")),
    ])
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "caught")]


def test_an_inner_try_without_a_matching_catch_lets_the_outer_one_take_it():
    w = machine("W", [
        ir.TryEnter((ir.Catch("HandlerError", 1, 7),)),       # 0
        ir.TryEnter((ir.Catch("Timeout", 1, 6),)),            # 1
        do("refuse", c("x")),                                 # 2
        ir.TryExit(),                                         # 3
        ir.TryExit(),                                         # 4
        complete(c("no")),                                    # 5
        complete(c("inner")),                                 # 6
        complete(ir.Interpolate(("outer ", field(1, "type")))),  # 7
    ], ("s:Start", "e:error"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "outer PermissionError")]


def test_a_fail_in_a_catch_body_is_outside_the_try():
    w = machine("W", [
        ir.TryEnter((ir.Catch(None, 1, 4),)),
        fail("first"),
        ir.TryExit(),
        complete(c("no")),
        fail(ir.Interpolate(("again after ", field(1, "message")))),
    ], ("s:Start", "e:error"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "failed", "again after first")]


def test_an_error_after_a_completed_try_is_not_caught_by_it():
    w = machine("W", [
        ir.TryEnter((ir.Catch(None, None, 4),)),
        ir.TryExit(),
        fail("outside"),
        complete(c("no")),
        complete(c("caught")),
    ])
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "failed", "outside")]


def saga(last: ir.Instr, undo_policy: str | None = None, second_undo: str = "record") -> ir.Machine:
    """Two compensated steps, a sleep, then ``last``."""
    return machine("Saga", [
        do("double", field(0, "n"), target=1, step=0, compensation=undo("record", ir.Interpolate(("undo first ", load(1))),
                                                                        policy=undo_policy)),
        do("echo", c("two"), target=2, step=1, compensation=undo(second_undo, ir.Interpolate(("undo ", load(2))),
                                                                 policy=undo_policy)),
        sleep(10, 3),
        last,
    ], ("s:Start", "a", "b"))


def test_an_escaping_error_runs_the_compensations_newest_first():
    _, result = run(program(saga(fail("late failure"))), [ev("Start", 0, id="a", n=21)])
    assert rows(result) == [("Saga", "a", "compensated", "late failure")]
    assert calls("record") == [("record", "undo two"), ("record", "undo first 42")]


def test_completing_runs_no_compensation():
    _, result = run(program(saga(complete(c("done")))), [ev("Start", 0, id="a", n=1)])
    assert rows(result) == [("Saga", "a", "completed", "done")]
    assert calls("record") == []


def test_an_error_with_nothing_to_compensate_fails():
    w = machine("W", [do("refuse", c("x"), compensation=undo("record", c("never"))), complete()])
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "failed", "no access to x")]
    assert calls("record") == []


def test_a_failed_compensation_fails_the_instance_with_the_original_message_after_the_others_run():
    interpreter, result = run(program(saga(fail("late failure"), second_undo="refuse")), [ev("Start", 0, id="a", n=1)])
    assert rows(result) == [("Saga", "a", "failed", "late failure")]
    assert calls("refuse") == [("refuse", "undo two")]
    assert calls("record") == [("record", "undo first 2")]
    assert interpreter.state.faults == ["Saga 'a': compensation refuse failed after 1 attempt(s): PermissionError: "
                                        "no access to undo two"]


def test_compensations_retry_by_their_policy(fresh_handlers):
    fresh_handlers.FAILURES["undo"] = 2
    w = machine("W", [
        do("echo", c(1), compensation=undo("flaky", c("undo"), policy="p")),
        fail("stop"),
    ])
    policy = RetryPolicy(attempts=3, backoff="fixed", initial=5.0, max=None)
    interpreter, result = run(program(w, policies={"p": policy}), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "compensated", "stop")]
    assert [key for _, _, key in calls("flaky")] == ["a:0c:1", "a:0c:2", "a:0c:3"]
    assert interpreter.state.clock == T0 + 10


def test_an_instance_compensating_during_a_backoff_is_still_running(fresh_handlers):
    fresh_handlers.FAILURES["undo"] = 2
    w = machine("W", [do("echo", c(1), compensation=undo("flaky", c("undo"), policy="p")), fail("stop")])
    policy = RetryPolicy(attempts=3, backoff="fixed", initial=5.0, max=None)
    _, result = run(program(w, policies={"p": policy}), [ev("Start", 0, id="a", n=0)], until=7)
    assert rows(result) == [("W", "a", "running", None)]


def test_compensation_arguments_are_evaluated_when_the_step_completes():
    w = machine("W", [
        ir.Assign(1, c("before")),
        do("echo", c("x"), compensation=undo("record", load(1))),
        ir.Assign(1, c("after")),
        fail("stop"),
    ], ("s:Start", "v"))
    run(program(w), [ev("Start", 0, id="a", n=0)])
    assert calls("record") == [("record", "before")]


def test_a_division_by_zero_is_a_failed_error_that_a_try_can_catch():
    w = machine("W", [
        ir.TryEnter((ir.Catch("Failed", 1, 4),)),
        ir.Assign(2, ir.Binary("/", c(1), c(0), "float")),
        ir.TryExit(),
        complete(c("no")),
        complete(field(1, "type")),
    ], ("s:Start", "e:error", "x"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "ZeroDivisionError")]


def test_interpolation_prints_values_by_their_type():
    w = machine("W", [
        complete(ir.Interpolate((c(True), " ", c(None), " ", c(2.5), " ", c(90.0, "duration"), " ",
                                 c(T0, "time"), " ", c(3), " ", field(0, "id")))),
    ])
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert result.outcomes[0].value == "true none 2.5 1m30s 1970-01-12T13:46:40Z 3 a"


def test_an_int_stored_where_a_float_is_declared_becomes_a_float():
    w = machine("W", [
        ir.Assign(1, c(3)),
        complete(ir.Interpolate((load(1),))),
    ], ("s:Start", "x:float"))
    returns_float = ir.Machine("F", 1, "Note", 0, (), "id", "str", "float", w.slots[:1], (complete(c(2)),), ())
    _, result = run(program(w, returns_float), [ev("Start", 0, id="a", n=0), ev("Note", 0, id="a", text="")])
    assert [o.value for o in result.outcomes] == ["3.0", 2.0]
    assert type(result.outcomes[1].value) is float
