"""Handler calls: retries with each backoff and jitter (deterministic), the kinds and exception
names a policy covers, the step timeout, idempotency keys, batch and jit handlers."""

from __future__ import annotations

import pytest
from irkit import (NOW, STANDARD_HANDLERS, T0, c, calls, complete, do, ev, field, handler, load, machine,
                   program, rows, run)

from coordlang.ir import nodes as ir
from coordlang.runtime.interpreter.values import ErrorValue, error, retry_delay
from coordlang.semantics.policies import RetryPolicy

FIXED = RetryPolicy(attempts=4, backoff="fixed", initial=2.0, max=None)
EXPONENTIAL = RetryPolicy(attempts=5, backoff="exponential", initial=1.0, factor=3.0, max=20.0)
LINEAR = RetryPolicy(attempts=4, backoff="linear", initial=1.0, step=2.0, max=4.0)
FULL = RetryPolicy(attempts=6, backoff="exponential", initial=1.0, factor=2.0, max=None, jitter="full")
EQUAL = RetryPolicy(attempts=6, backoff="exponential", initial=1.0, factor=2.0, max=None, jitter="equal")
ON_NAME = RetryPolicy(attempts=3, backoff="fixed", initial=1.0, max=None, on_kinds=(),
                      on_exceptions=("ConnectionError",))
POLICIES = {"fixed": FIXED, "exponential": EXPONENTIAL, "linear": LINEAR, "full": FULL, "equal": EQUAL,
            "on_name": ON_NAME}


def flaky_then_clock(policy: str | None, timeout: float | None = None) -> ir.Machine:
    """Calls flaky(id) under ``policy``; completes with the clock (the end of the retries)."""
    return machine("Retry", [
        do("flaky", field(0, "id"), target=1, policy=policy, timeout=timeout, step=4),
        complete(NOW),
    ], ("s:Start", "r"))


def run_flaky(policy: str | None, failures: int, fresh_handlers, timeout: float | None = None, key: str = "a"):
    fresh_handlers.FAILURES[key] = failures
    return run(program(flaky_then_clock(policy, timeout), policies=POLICIES), [ev("Start", 0, id=key, n=0)])


@pytest.mark.parametrize("policy, failures, elapsed", [
    ("fixed", 3, 2 + 2 + 2),
    ("exponential", 4, 1 + 3 + 9 + 20),  # the fourth delay (27s) is capped at 20s
    ("linear", 3, 1 + 3 + 4),  # 1, 3, then 5 capped at 4
])
def test_backoff_delays_between_attempts(policy, failures, elapsed, fresh_handlers):
    _, result = run_flaky(policy, failures, fresh_handlers)
    assert rows(result) == [("Retry", "a", "completed", T0 + elapsed)]
    assert len(calls("flaky")) == failures + 1


def test_each_attempt_gets_a_stable_idempotency_key(fresh_handlers):
    run_flaky("fixed", 2, fresh_handlers)
    assert [key for _, _, key in calls("flaky")] == ["a:4:1", "a:4:2", "a:4:3"]


def test_spent_attempts_raise_the_last_error(fresh_handlers):
    _, result = run_flaky("fixed", 10, fresh_handlers)
    assert rows(result) == [("Retry", "a", "failed", "a unreachable")]
    assert len(calls("flaky")) == 4


def test_without_a_policy_there_is_one_attempt(fresh_handlers):
    _, result = run_flaky(None, 1, fresh_handlers)
    assert rows(result) == [("Retry", "a", "failed", "a unreachable")]
    assert len(calls("flaky")) == 1


@pytest.mark.parametrize("policy", ["full", "equal"])
def test_jitter_is_the_same_in_every_run(policy, fresh_handlers):
    first = run_flaky(policy, 5, fresh_handlers)[1].outcomes[0].value
    fresh_handlers.reset()
    second = run_flaky(policy, 5, fresh_handlers)[1].outcomes[0].value
    assert first == second
    base = 1 + 2 + 4 + 8 + 16
    low = 0 if policy == "full" else base / 2
    assert T0 + low <= first <= T0 + base
    fresh_handlers.reset()
    other = run_flaky(policy, 5, fresh_handlers, key="b")[1].outcomes[0].value
    assert other != first  # another instance key draws other delays


def test_jittered_delays_stay_in_their_range_and_depend_on_the_seed():
    for retry in range(5):
        base = FULL.delay(retry)
        full = retry_delay(FULL, retry, ("k", 1, retry + 2))
        equal = retry_delay(EQUAL, retry, ("k", 1, retry + 2))
        assert 0 <= full <= base and base / 2 <= equal <= base
        assert full == retry_delay(FULL, retry, ("k", 1, retry + 2))
    assert retry_delay(FIXED, 0, ("k", 1, 2)) == 2.0
    assert len({retry_delay(FULL, 3, ("k", step, 5)) for step in range(20)}) == 20


def test_a_policy_names_exception_classes_and_their_bases(fresh_handlers):
    unavailable = machine("U", [do("unavailable", c("db"), policy="on_name"), complete()])
    refused = machine("R", [do("refuse", c("db"), policy="on_name"), complete()], trigger="Note")
    _, result = run(program(unavailable, refused, policies=POLICIES),
                    [ev("Start", 0, id="a", n=0), ev("Note", 0, id="a", text="")])
    assert len(calls("unavailable")) == 3  # Unavailable is a ConnectionRefusedError, a ConnectionError
    assert len(calls("refuse")) == 1  # PermissionError is not covered
    assert [o.message for o in result.outcomes] == ["db is down", "no access to db"]


def test_a_policy_covers_its_error_kinds_only(fresh_handlers):
    only_timeouts = RetryPolicy(attempts=3, backoff="fixed", initial=1.0, max=None, on_kinds=("Timeout",))
    w = machine("W", [do("refuse", c("x"), policy="p"), complete()])
    run(program(w, policies={"p": only_timeouts}), [ev("Start", 0, id="a", n=0)])
    assert len(calls("refuse")) == 1


def caught(body: list[ir.Instr], kind: str | None = None) -> list[ir.Instr]:
    """``try { body } catch kind as e { complete "kind/type/message" }``; slot 1 holds e."""
    n = len(body)
    return [
        ir.TryEnter((ir.Catch(kind, 1, n + 3),)),
        *body,
        ir.TryExit(),
        complete(c("no error")),
        complete(ir.Interpolate((field(1, "kind"), "/", field(1, "type"), "/", field(1, "message"), "@",
                                 ir.Binary("-", ir.Builtin("now"), c(T0, "time"), "duration")))),
    ]


def test_a_timeout_error_from_a_handler_is_a_timeout(fresh_handlers):
    w = machine("W", caught([do("slow", c("ledger"), policy="fixed")], "Timeout"), ("s:Start", "e:error"))
    _, result = run(program(w, policies={"fixed": RetryPolicy(attempts=2, backoff="fixed", initial=1.0,
                                                              max=None, on_kinds=("Timeout",))}),
                    [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "Timeout/TimeoutError/ledger took too long@1s")]
    assert len(calls("slow")) == 2


def test_the_step_timeout_bounds_every_attempt_and_backoff(fresh_handlers):
    fresh_handlers.FAILURES["a"] = 10
    # fixed(2s): attempts at 0, 2, 4; the next at 6 would start after the 5s step timeout.
    w = machine("W", caught([do("flaky", field(0, "id"), policy="fixed", timeout=5.0, step=2)], "Timeout"),
                ("s:Start", "e:error"))
    policy = RetryPolicy(attempts=10, backoff="fixed", initial=2.0, max=None)
    _, result = run(program(w, policies={"fixed": policy}), [ev("Start", 0, id="a", n=0)])
    assert len(calls("flaky")) == 3
    assert rows(result) == [("W", "a", "completed", "Timeout/Timeout/do flaky: step timeout of 5s reached after 3 "
                                                    "attempt(s); last error: HandlerError: a unreachable@4s")]


def test_a_retry_that_starts_exactly_at_the_step_timeout_still_runs(fresh_handlers):
    fresh_handlers.FAILURES["a"] = 2
    policy = RetryPolicy(attempts=5, backoff="fixed", initial=2.0, max=None)
    _, result = run(program(flaky_then_clock("fixed", timeout=4.0), policies={"fixed": policy}),
                    [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("Retry", "a", "completed", T0 + 4)]


def test_a_handler_error_carries_the_exception_class_and_message(fresh_handlers):
    w = machine("W", caught([do("refuse", c("db"))], "HandlerError"), ("s:Start", "e:error"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "HandlerError/PermissionError/no access to db@0s")]


def test_a_step_in_a_loop_gets_a_new_idempotency_key_each_time(fresh_handlers):
    loop = machine("Loop", [
        ir.Assign(1, c(0)),
        ir.Branch(ir.Binary("<", load(1), c(3), "bool"), 5),
        do("keyed", load(1), step=7),
        ir.Assign(1, ir.Binary("+", load(1), c(1), "int")),
        ir.Jump(1),
        complete(),
    ], ("s:Start", "i:int"))
    run(program(loop), [ev("Start", 0, id="a", n=0)])
    assert [key for _, _, key in calls("keyed")] == ["a:7:1", "a:7.2:1", "a:7.3:1"]


def test_functions_without_an_idempotency_key_parameter_get_none(fresh_handlers):
    w = machine("W", [do("echo", c(5), target=1), complete(load(1))], ("s:Start", "r"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert calls() == [("echo", 5)] and result.outcomes[0].value == 5


def test_batch_handlers_get_arrays_of_one_and_give_element_zero(fresh_handlers):
    handlers = STANDARD_HANDLERS + (
        handler("twice", "twice_batch", mode="batch", returns="float", types=("float",)),
        handler("words", "words_batch", params=("s", "n"), mode="batch", returns="str", types=("str", "int")),
        handler("square", "square_jit", mode="jit", returns="float", types=("float",)),
    )
    w = machine("W", [
        do("twice", c(1.5), target=1),
        do("words", c("ab"), c(3), target=2),
        do("square", load(1), target=3),
        complete(ir.Interpolate((load(1), " ", load(2), " ", load(3)))),
    ], ("s:Start", "a:float", "b:str", "q:float"))
    _, result = run(program(w, handlers=handlers), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "3.0 abx3 9.0")]
    assert calls("twice_batch") == [("twice_batch", "ndarray", "f", 1)]
    assert calls("words_batch") == [("words_batch", "O", "i")]
    assert type(result.outcomes[0].value) is str


def test_a_batch_handler_that_returns_no_array_is_a_handler_error(fresh_handlers):
    handlers = STANDARD_HANDLERS + (handler("bad", "scalar_batch", mode="batch"),)
    w = machine("W", [do("bad", c(1)), complete()])
    _, result = run(program(w, handlers=handlers), [ev("Start", 0, id="a", n=0)])
    assert result.outcomes[0].status == "failed"
    assert "not one result per row" in result.outcomes[0].message


def test_handler_results_take_their_declared_type(fresh_handlers):
    handlers = STANDARD_HANDLERS + (handler("as_float", "echo", returns="float"),
                                    handler("as_none", "echo", returns="none"))
    w = machine("W", [do("as_float", c(2), target=1), do("as_none", c(2), target=2),
                      complete(ir.Interpolate((load(1), " ", load(2))))], ("s:Start", "f:float", "n"))
    _, result = run(program(w, handlers=handlers), [ev("Start", 0, id="a", n=0)])
    assert result.outcomes[0].value == "2.0 none"


def test_error_values():
    err = error("Failed", "boom")
    assert err == ErrorValue("Failed", "boom", "Failed") and err.as_json() == {"kind": "Failed", "message": "boom",
                                                                             "type": "Failed"}
