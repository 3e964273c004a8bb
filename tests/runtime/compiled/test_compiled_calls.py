"""Children on the compiled backend at a scale the generated streams do not reach: hundreds of
children of one key alive at once (one lane, every one of them reached by one event; rows, the
routing table and the run queue grown while children start), against the interpreter."""

from __future__ import annotations

from dual import PROGRAMS, assert_same, compiled, interpret, program

from coordlang.runtime.executor import Event

T0 = 1_780_000_000.0
CALLS = program(PROGRAMS / "calls.coord")


def test_hundreds_of_children_sharing_a_key_all_get_its_events() -> None:
    events = [Event("Batch", T0 + k / 1000, {"id": f"b{k}", "ref": "a", "n": 1 + k % 5}) for k in range(700)]
    events += [Event("Ack", T0 + 1.0, {"ref": "a", "n": 2}), Event("Ack", T0 + 2.0, {"ref": "a", "n": 4})]
    events += [Event("Halt", T0 + 3.0, {"id": f"b{k}"}) for k in range(0, 700, 7)]
    expected = interpret(CALLS, events)
    statuses = {(o.workflow, o.status) for o in expected.outcomes}
    # The stream reaches what it is meant to: tasks that got their ack and tasks that timed out.
    assert ("Task", "completed") in statuses and ("Task", "failed") in statuses
    assert sum(1 for o in expected.outcomes if o.workflow == "Task") == 1400
    assert_same(expected, compiled(CALLS, events))
    assert_same(expected, compiled(CALLS, events, cuts=[350, 701]))
