"""Virtual latency in the interpreter: a handler attempt that takes time parks its thread until
its answer comes, so waits, races, timeouts and sibling branches see the delay; with no latency
nothing changes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from simkit import EXAMPLES, T0, latency_program, rows, simulate, start

from coordlang.ir.compile import compile_file
from coordlang.runtime.events import EventReader
from coordlang.runtime.interpreter import Interpreter
from coordlang.runtime.interpreter.effects import Attempt, Effects


@pytest.fixture(scope="module")
def program():
    return latency_program()


def ends(effects) -> dict[str, float]:
    return {times.workflow: times.end - T0 for times in effects.timings.instances.values()}


@pytest.mark.parametrize("latency, status, message, end", [
    (3.0, "completed", "replied", 3.0),
    (8.0, "failed", "no reply within 5s", 5.0),  # the branch waiting 5s gives up first
])
def test_a_latency_longer_than_a_within_makes_the_wait_time_out(program, latency, status, message, end):
    result, effects = simulate(program, [start("RelayStart")], latency={"echo": latency})
    assert rows(result) == [("Relay", "a", status, message)]
    assert ends(effects) == {"Relay": end}


@given(st.floats(0.0, 10.0, allow_nan=False))
def test_the_reply_comes_in_time_exactly_when_the_latency_is_shorter_than_the_within(latency):
    # At a tie the wait's timer fires first: the reply is only emitted, not yet routed.
    result, effects = simulate(latency_program(), [start("RelayStart")], latency={"echo": latency})
    [(_, _, status, _)] = rows(result)
    assert status == ("completed" if latency < 5.0 else "failed")
    [end] = ends(effects).values()
    assert math.isclose(end, min(latency, 5.0), abs_tol=1e-6)  # times are T0 + seconds


def test_with_no_latency_the_reply_comes_at_once(program):
    result, effects = simulate(program, [start("RelayStart")])
    assert rows(result) == [("Relay", "a", "completed", "replied")]
    assert ends(effects) == {"Relay": 0.0}


def test_the_handlers_timeout_cuts_each_attempt_off_as_a_timeout(program):
    # Three attempts of 2s each (cut from 10s), 1s of backoff between them: 8s.
    result, effects = simulate(program, [start("LimitStart")], latency={"limited": 10.0})
    assert rows(result) == [("Limit", "a", "failed",
                             "TimeoutError: handler limited did not answer within its timeout of 2s")]
    assert ends(effects) == {"Limit": 2 + 1 + 2 + 1 + 2}
    tally = effects.injector.handlers["limited"]
    assert (tally.attempts, tally.timed_out) == (3, 3)


def test_a_latency_within_the_handlers_timeout_is_answered(program):
    result, effects = simulate(program, [start("LimitStart")], latency={"limited": 1.5})
    assert rows(result) == [("Limit", "a", "completed", "echo a")]
    assert ends(effects) == {"Limit": 1.5}


def test_the_step_timeout_ends_the_step_during_an_attempt_without_a_retry(program):
    result, effects = simulate(program, [start("StepStart")], latency={"echo": 10.0})
    assert rows(result) == [("Step", "a", "failed", "do echo: step timeout of 3s reached during attempt 1")]
    assert ends(effects) == {"Step": 3.0}
    assert effects.injector.handlers["echo"].attempts == 1


def test_retries_after_injected_errors_count_latency_and_backoff(program):
    # ConnectionError on every attempt: 3 attempts of 0.5s with 1s between them.
    result, effects = simulate(program, [start("RetryStart")], latency={"echo": 0.5},
                               errors={"echo": {"ConnectionError": 1.0}})
    assert rows(result) == [("Retried", "a", "failed", "ConnectionError")]
    assert ends(effects) == {"Retried": 0.5 + 1 + 0.5 + 1 + 0.5}
    tally = effects.injector.handlers["echo"]
    assert (tally.attempts, tally.failed, tally.injected) == (3, 3, {"ConnectionError": 3})
    [(key, durations)] = [(k, v) for k, v in effects.timings.steps.items() if k[1] == "do"]
    assert key[:3] == ("Retried", "do", "echo") and durations == [3.5]
    assert effects.timings.statuses[key] == {"error": 1}


def test_an_injected_error_is_an_instance_of_the_handler_modules_class(program):
    # Refused (from sim_handlers) is not in the policy's `on`: no retry, and e.type names it.
    result, effects = simulate(program, [start("RetryStart")], errors={"echo": {"Refused": 1.0}})
    assert rows(result) == [("Retried", "a", "failed", "Refused")]
    assert effects.injector.handlers["echo"].attempts == 1


def test_an_injected_timeout_is_the_languages_timeout(program):
    result, _ = simulate(program, [start("LimitStart")], errors={"limited": {"Timeout": 1.0}})
    [(_, _, status, message)] = rows(result)
    assert status == "failed" and message.startswith("TimeoutError: injected by coord simulate into limited")


def test_compensations_take_their_latency(program):
    result, effects = simulate(program, [start("UndoStart")], latency={"echo": 1.0, "undo": 4.0})
    assert rows(result) == [("Undo", "a", "compensated", "failed after echo a")]
    assert ends(effects) == {"Undo": 5.0}
    compensation = [v for k, v in effects.timings.steps.items() if k[1] == "compensate"]
    assert compensation == [[4.0]]


@pytest.mark.parametrize("latency, winner, end, status", [
    (2.0, "handler", 2.0, "ok"),
    (8.0, "timer", 5.0, "cancelled"),  # the handler's answer comes to a branch that is gone
])
def test_a_race_sees_the_latency(program, latency, winner, end, status):
    result, effects = simulate(program, [start("RaceStart")], latency={"echo": latency})
    assert rows(result) == [("Racer", "a", "completed", winner)]
    assert ends(effects) == {"Racer": end}
    [(key, durations)] = [(k, v) for k, v in effects.timings.steps.items() if k[1] == "do"]
    assert effects.timings.statuses[key] == {status: 1} and durations == [end]


def test_waits_are_timed_until_their_event_or_timer(program):
    _, effects = simulate(program, [start("RelayStart")], latency={"echo": 3.0})
    [wait] = [v for k, v in effects.timings.steps.items() if k[1] == "wait"]
    assert wait == [3.0]


class Zero(Effects):
    """Calls handlers, and says each attempt took no time."""

    def attempt(self, handler, args, idempotency_key, loop, workflow):
        outcome = super().attempt(handler, args, idempotency_key, loop, workflow)
        return Attempt(outcome.value, outcome.error, 0.0)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "events.jsonl").exists()))
def test_zero_latency_changes_no_outcome(example):
    folder = EXAMPLES / example
    [source] = [p for p in folder.glob("*.coord") if p.stem == example]
    program = compile_file(source)
    results = []
    for effects in (None, Zero()):
        interpreter = Interpreter(program, effects=effects)
        with EventReader(program, str(folder / "events.jsonl")) as reader:
            for batch in reader:
                interpreter.feed(batch)
        results.append(interpreter.finish())
    plain, zero = results
    assert zero.outcomes == plain.outcomes
    assert zero.counters == plain.counters
