"""Reading policies and their worst-case retry time."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from coordlang.semantics import check_source
from coordlang.semantics.policies import RETRYABLE, RetryPolicy, read_policy
from coordlang.syntax import parse_expression


def _read(text: str) -> tuple[RetryPolicy | None, list]:
    reported: list = []
    expr, problems = parse_expression(text)
    assert not problems
    return read_policy(expr, reported.append), reported


def test_defaults() -> None:
    policy, reported = _read("retry(attempts: 3)")
    assert not reported
    assert policy == RetryPolicy(3, "exponential", 1.0, 2.0, 0.0, 100.0, "none", RETRYABLE, ())
    assert policy.first_delays() == (1.0, 2.0)


def test_the_reference_policy() -> None:
    policy, reported = _read('retry(attempts: 5, backoff: exponential(100ms, factor: 2.0, max: 10s), '
                             'jitter: full, on: [Timeout, "ConnectionError"])')
    assert not reported
    assert (policy.attempts, policy.backoff, policy.initial, policy.factor, policy.max) == (5, "exponential", 0.1, 2.0, 10.0)
    assert policy.jitter == "full" and policy.on_kinds == ("Timeout",) and policy.on_exceptions == ("ConnectionError",)
    assert math.isclose(policy.worst_case_delay, 0.1 + 0.2 + 0.4 + 0.8)
    assert math.isclose(policy.worst_case(5.0), 1.5 + 25.0)
    assert policy.describe().startswith("retry(attempts: 5, backoff: exponential(100ms, factor: 2, max: 10s)")


def test_positional_arguments_and_shapes() -> None:
    policy, reported = _read("retry(3, fixed(250ms), none, [HandlerError])")
    assert not reported and policy.backoff == "fixed" and policy.worst_case_delay == 0.5
    policy, _ = _read("retry(attempts: 4, backoff: linear(1s, step: 2s, max: 6s), jitter: equal)")
    assert policy.first_delays() == (1.0, 3.0, 5.0) and policy.worst_case_delay == 9.0
    policy, _ = _read("retry(attempts: 4, backoff: linear(1s))")
    assert policy.step == 1.0 and policy.first_delays() == (1.0, 2.0, 3.0)
    policy, _ = _read("retry(attempts: 1)")
    assert policy.worst_case_delay == 0.0 and policy.first_delays() == ()


def test_huge_policies_cost_nothing() -> None:
    policy, _ = _read("retry(attempts: 1000000000, backoff: exponential(1s, max: 1m))")
    assert policy.worst_case_delay > 5e10
    policy, _ = _read("retry(attempts: 100000, backoff: exponential(1s))")
    assert policy.worst_case_delay == math.inf


@given(attempts=st.integers(1, 60), backoff=st.sampled_from(["fixed", "exponential", "linear"]),
       initial=st.sampled_from([0.0, 0.05, 0.1, 1.0, 3.0]), factor=st.sampled_from([1.0, 1.5, 2.0, 3.0]),
       step=st.sampled_from([0.0, 0.5, 2.0]), cap=st.sampled_from([None, 0.5, 5.0, 60.0]))
def test_worst_case_is_the_sum_of_the_delays(attempts, backoff, initial, factor, step, cap) -> None:
    if cap is not None and cap < initial:
        cap = initial
    policy = RetryPolicy(attempts, backoff, initial, factor, step, cap)
    brute = sum(policy.delay(i) for i in range(attempts - 1))
    assert math.isclose(policy.worst_case_delay, brute, rel_tol=1e-9, abs_tol=1e-9)


def test_model_exposes_policies() -> None:
    _, model = check_source("policy p = retry(attempts: 3, backoff: fixed(2s))\n"
                            "policy broken = retry(attempts: 0)\n")
    assert model.policy("p").attempts == 3
    assert model.policy_worst_case("p") == 4.0
    assert model.policy("broken") is None and model.policy_worst_case("missing") is None
    symbol = model.symbol_named("p")
    assert "waits up to 4s" in symbol.detail and "retry(attempts: 3" in symbol.detail
