"""``async def`` handlers: the compiled backend overlaps the calls parked in one round (at most
``concurrency`` in flight), the interpreter awaits one at a time, and both report the same
outcomes; a handler's ``timeout`` cuts off an awaited attempt as a ``Timeout`` error."""

from __future__ import annotations

import pytest
from dual import PROGRAMS, assert_same, program

from coordlang.runtime.compiled import CompiledExecutor
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter import Interpreter

T0 = 1_780_000_000.0


def orders(count: int) -> list[Event]:
    events = [Event("Order", T0, {"id": f"o{n}" + ("x" if n % 5 == 0 else ""), "n": n}) for n in range(count)]
    events += [Event("Cancel", T0 + 10.0, {"id": f"o{n}" + ("x" if n % 5 == 0 else "")}) for n in range(0, count, 2)]
    return events


def run(executor, events: list[Event]):
    in_flight = executor.handlers["reserve"].function.__globals__["IN_FLIGHT"]
    in_flight["most"] = 0
    executor.feed(events)
    return executor.finish(), in_flight["most"]


@pytest.mark.parametrize("limit", [1, 7, 64])
def test_async_calls_overlap_up_to_the_limit_with_the_interpreters_outcomes(limit: int) -> None:
    prog = program(PROGRAMS / "awaits.coord")
    events = orders(24)
    expected, one_at_a_time = run(Interpreter(prog), events)
    actual, most = run(CompiledExecutor(prog, concurrency=limit), events)
    assert_same(expected, actual)
    assert one_at_a_time == 1
    assert most == min(limit, 24)
    statuses = {o.status for o in expected.outcomes}
    assert statuses == {"completed", "compensated", "failed"}, statuses  # "x" ids fail their release


def test_an_attempt_past_the_handlers_timeout_is_a_timeout_error() -> None:
    prog = program(PROGRAMS / "awaits.coord")
    events = [Event("Order", T0, {"id": "slow", "n": 3}), Event("Order", T0, {"id": "fast", "n": 4})]
    for executor in (Interpreter(prog), CompiledExecutor(prog)):
        executor.feed(events)
        result = executor.finish()
        # n = 3: quote's first attempt sleeps past its 50 ms and is retried 1 s later.
        assert [(o.key, o.status, o.value) for o in result.outcomes] == [("slow", "completed", 34.5),
                                                                          ("fast", "completed", 46.0)]
    handler = CompiledExecutor(prog).handlers["quote"]
    with pytest.raises(TimeoutError, match=r"^handler quote did not answer within its timeout of 50ms$"):
        handler.call((3,), "k:2:1")


def test_a_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="concurrency 0: must be at least 1"):
        CompiledExecutor(program(PROGRAMS / "awaits.coord"), concurrency=0)
