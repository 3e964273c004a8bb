"""The debugger's view: one step at a time, plain-data state, snapshots that restore exactly."""

from __future__ import annotations

import copy
import pickle

from irkit import T0, complete, do, ev, field, load, machine, on, program, rows, run, sleep, wait

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Executor
from coordlang.runtime.interpreter import Interpreter, RunState, Work

W = machine("W", [
    do("double", field(0, "n"), target=1),
    wait(on("Ping", 2, 2), after=60, timeout_target=4),
    complete(ir.Binary("+", load(1), field(2, "n"), "int")),
    complete(),
    sleep(1, 3),
], ("s:Start", "d", "p:Ping"))

EVENTS = [ev("Start", 0, id="a", n=1), ev("Ping", 5, id="a", n=10), ev("Start", 6, id="b", n=2)]


def test_the_interpreter_is_an_executor():
    interpreter: Executor = Interpreter(program(W))
    interpreter.feed(EVENTS)
    assert [o.status for o in interpreter.finish().outcomes] == ["completed", "completed"]


def test_step_does_one_unit_of_work_at_a_time():
    interpreter = Interpreter(program(W))
    interpreter.push(EVENTS[:1])
    assert interpreter.state.pending and not interpreter.state.instances
    assert interpreter.step()  # route Start: the instance exists, its thread is ready
    inst = interpreter.state.instances[1]
    assert inst.threads[2].state == "ready" and inst.threads[2].pc == 0
    assert interpreter.step()  # the do
    assert inst.threads[2].pc == 1 and inst.slots[1] == 2
    assert interpreter.step()  # the wait
    assert inst.threads[2].state == "waiting"
    assert [t.deadline - T0 for t in interpreter.state.timers.pending()] == [60]
    assert not interpreter.step()  # nothing to do until more input


def test_peek_tells_what_the_next_step_does():
    interpreter = Interpreter(program(W))
    assert interpreter.peek() is None
    interpreter.push(EVENTS[:1])
    work = interpreter.peek()
    assert work.kind == "event" and work.event is EVENTS[0] and not work.emitted
    interpreter.step()
    assert interpreter.peek() == Work("instruction", 1, 2, 0)
    interpreter.run()
    assert interpreter.peek() is None
    interpreter.state.finishing = True
    timer = interpreter.peek()
    assert timer.kind == "timer" and timer.timer.deadline == T0 + 60


def test_a_snapshot_restores_the_run_exactly():
    interpreter = Interpreter(program(W))
    interpreter.feed(EVENTS[:1])
    saved = interpreter.snapshot()
    assert isinstance(saved, RunState)
    interpreter.feed(EVENTS[1:])
    first = interpreter.finish()
    interpreter.restore(saved)
    interpreter.state.finishing = False
    interpreter.feed(EVENTS[1:])
    again = interpreter.finish()
    assert rows(first) == rows(again) == [("W", "a", "completed", 12), ("W", "b", "completed", None)]
    assert first.counters == again.counters


def test_a_snapshot_is_a_deep_copy():
    interpreter = Interpreter(program(W))
    interpreter.feed(EVENTS[:1])
    saved = interpreter.snapshot()
    interpreter.feed(EVENTS[1:])
    assert saved.instances[1].status == "running" and saved.events == 1
    assert copy.deepcopy(saved).instances[1].slots == saved.instances[1].slots


def test_counters_include_every_name_and_the_events():
    _, result = run(program(W), EVENTS)
    stats = result.stats()
    assert set(stats) >= {"completed", "failed", "compensated", "cancelled", "running", "duplicate_start", "rejected",
                          "unrouted", "inbox_dropped", "events", "seconds"}
    assert stats["events"] == 3 and stats["completed"] == 2


def test_the_state_is_plain_data_that_pickles():
    interpreter = Interpreter(program(W))
    interpreter.feed(EVENTS[:2])
    restored = pickle.loads(pickle.dumps(interpreter.state))
    interpreter.restore(restored)
    assert [o.status for o in interpreter.finish().outcomes] == ["completed"]
