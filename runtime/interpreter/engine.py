"""The reference interpreter: the definition of what a program means, and the debugger's
engine.

Work is an agenda, one unit per :meth:`Interpreter.step`:

1. the first ready thread executes one instruction (threads run until they block, in the order
   they became ready);
2. else a timer due by the next event's time (or by the clock, when no event waits) fires;
3. else the next emitted event is routed (events emitted while handling one event are routed
   after it, first in first out, at the clock's time);
4. else the next input event is routed, at ``max(clock, its time)``;
5. else, once the input has ended (:meth:`finish`), the next timer fires, up to ``until``.

The state is plain data (:class:`RunState`): :meth:`snapshot` copies it and :meth:`restore`
puts a copy back, which is how a debugger steps back.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Sequence

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import COUNTERS, Event, Outcome, RunResult
from coordlang.runtime.handlers import BoundHandler, HandlerLoop, bind_handlers
from coordlang.runtime.interpreter.effects import Effects
from coordlang.runtime.interpreter.execution import Execution
from coordlang.runtime.interpreter.expressions import Evaluator
from coordlang.runtime.interpreter.state import RunState, Work
from coordlang.runtime.interpreter.streams import Streams
from coordlang.runtime.interpreter.tables import Tables
from coordlang.runtime.interpreter.values import json_value

DEFAULT_INBOX = 16


class Interpreter(Execution, Streams):
    """Runs a :class:`~coordlang.ir.nodes.Program` over events, statement by statement.

    ``handlers`` defaults to binding every handler of the program now, so a missing module or
    function raises :class:`~coordlang.runtime.handlers.HandlerBindingError` before any event.
    ``effects`` (default: call the handlers, record nothing) sees every handler attempt and the
    trace of the run: the event log records and replays through it.
    """

    def __init__(self, program: ir.Program, *, inbox_capacity: int = DEFAULT_INBOX,
                 handlers: dict[str, BoundHandler] | None = None, effects: Effects | None = None) -> None:
        self.program = program
        self.tables = Tables(program)
        self.evaluator = Evaluator(self.tables)
        self.handlers = bind_handlers(program) if handlers is None else handlers
        self.handler_loop = HandlerLoop()
        self.effects = Effects() if effects is None else effects
        self.inbox_capacity = inbox_capacity
        self.state = RunState()
        self.seconds = 0.0

    # ---------------------------------------------------------------- the Executor protocol

    def feed(self, events: Sequence[Event]) -> None:
        started = time.perf_counter()
        self.push(events)
        self.run()
        self.seconds += time.perf_counter() - started

    def finish(self, until: float | None = None) -> RunResult:
        started = time.perf_counter()
        self.end_input(until)
        self.run()
        if until is not None:
            self.state.clock = max(self.state.clock, until)
        self.seconds += time.perf_counter() - started
        return self.result()

    # ---------------------------------------------------------------- stepping

    def end_input(self, until: float | None = None) -> None:
        """Mark the input ended without running (:meth:`finish` then runs; a debugger or a
        replay steps instead)."""
        self.effects.finishing(until)
        self.state.finishing = True
        self.state.until = math.inf if until is None else until

    def push(self, events: Sequence[Event]) -> None:
        """Queue input events without running them (a debugger then calls :meth:`step`)."""
        self.state.pending.extend(events)

    def run(self) -> None:
        while self.step():
            pass

    def peek(self) -> Work | None:
        """What :meth:`step` would do now, or None when there is nothing to do."""
        s = self.state
        while s.ready:
            iid, tid = s.ready[0]
            inst = s.instances.get(iid)
            thread = inst.threads.get(tid) if inst is not None else None
            if thread is not None and thread.state in ("ready", "running"):
                return Work("instruction", iid, tid, thread.pc)
            s.ready.popleft()  # cancelled, or its instance ended, while it waited its turn
        event = s.emitted[0] if s.emitted else s.pending[0] if s.pending else None
        if event is None:
            horizon = s.until if s.finishing else s.clock
        else:
            horizon = max(s.clock, event.time)
        timer = s.timers.peek()
        if timer is not None and timer.deadline <= horizon:
            return Work("timer", timer=timer)
        if event is not None:
            return Work("event", event=event, emitted=bool(s.emitted))
        return None

    def step(self) -> bool:
        """Do one unit of work (one instruction, one timer or routing one event); False when
        there is nothing to do until more input comes (or, after :meth:`finish`, at all)."""
        work = self.peek()
        if work is None:
            return False
        s = self.state
        if work.kind == "instruction":
            inst = s.instances[work.instance]
            thread = inst.threads[work.thread]
            thread.state = "running"
            self.execute(inst, thread)
            if thread.state == "running":
                thread.state = "ready"  # it goes on at the next step, still first in line
            else:
                s.ready.popleft()
        elif work.kind == "timer":
            timer = s.timers.pop()
            self.effects.fired(timer)
            self.fire(timer)
        else:
            if work.emitted:
                s.emitted.popleft()
            else:
                self.effects.routed(work.event)
                s.pending.popleft()
                s.events += 1
            s.clock = max(s.clock, work.event.time)
            self.route(work.event)
        return True

    def snapshot(self) -> RunState:
        """A copy of the whole state."""
        return copy.deepcopy(self.state)

    def restore(self, state: RunState) -> None:
        """Go back to a snapshot (which stays usable for another restore)."""
        self.state = copy.deepcopy(state)

    # ---------------------------------------------------------------- results

    def outcomes(self) -> list[Outcome]:
        """One per workflow instance, in start order; one still compensating is ``running``."""
        out = []
        for iid in self.state.started:
            inst = self.state.instances[iid]
            status = "running" if inst.status == "compensating" else inst.status
            value = json_value(inst.value) if status == "completed" else None
            message = inst.message if status in ("failed", "compensated", "cancelled") else None
            out.append(Outcome(inst.workflow, inst.version, inst.key, status, value, message))
        return out

    def counters(self) -> dict[str, int]:
        counters = {name: 0 for name in COUNTERS}
        for name, value in self.state.counters.items():
            counters[name] = value
        for outcome in self.outcomes():
            counters[outcome.status] += 1
        return counters

    def result(self) -> RunResult:
        return RunResult(self.outcomes(), self.counters(), self.state.events, self.seconds)
