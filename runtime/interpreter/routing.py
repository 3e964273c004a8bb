"""Routing an event (input or emitted) and firing a timer.

An event of type ``T`` goes, in this order, to:

1. the workflows it starts: the highest version of each workflow triggered by ``T`` starts an
   instance keyed by the event's key field, unless an instance of that workflow (any version)
   with that key has not ended (``duplicate_start``);
2. the running instances, of any workflow, whose key equals the event's field of the same name
   and whose code awaits ``T`` somewhere (not an instance this very event started): a thread
   waiting with a clause for ``T`` takes it (no guard holds: ``rejected``, the event is
   discarded); otherwise it goes to the instance's inbox for ``T``;
3. every reaction on ``T`` (its guard false: nothing happens);
4. every stream on ``T``.

An event that reached none of these is ``unrouted``. The recipients are decided first and the
work they do runs afterwards, in that order (the run queue is first in, first out).
"""

from __future__ import annotations

from collections import deque

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.expressions import ExpressionError
from coordlang.runtime.interpreter.lifecycle import Lifecycle
from coordlang.runtime.interpreter.state import Instance, ThreadTimer, WindowTimer


class Routing(Lifecycle):
    def route(self, event: Event) -> None:
        s = self.state
        s.routed += 1
        reached = False
        fresh: set[int] = set()
        for machine in self.tables.starters.get(event.type, ()):
            reached = True
            key = event.fields.get(machine.key)
            if self.running(machine.name, machine.key, key):
                self.count("duplicate_start")
                continue
            inst = self.start_workflow(machine, key)
            if machine.trigger_slot is not None:
                inst.slots[machine.trigger_slot] = event
            fresh.add(inst.id)
        for key_field in self.tables.key_fields.get(event.type, ()):
            if key_field not in event.fields:
                continue
            for iid in list(s.index.get((key_field, event.fields[key_field]), ())):
                inst = s.instances[iid]
                if iid in fresh or inst.ended or event.type not in self.tables.awaits[inst.unit]:
                    continue
                reached = True
                self.deliver(inst, event)
        for index in self.tables.reactions.get(event.type, ()):
            reached = True
            self.react(index, event)
        for index in self.tables.streams.get(event.type, ()):
            reached = True
            self.accumulate(index, event)
        if not reached:
            self.count("unrouted")

    def deliver(self, inst: Instance, event: Event) -> None:
        """To the first thread (in creation order) waiting with a clause that takes it; else
        the inbox (first in, first out; a full inbox drops its oldest event)."""
        code = self.unit_of(inst).code
        offered = False
        for thread in list(inst.threads.values()):
            if thread.state != "waiting":
                continue
            wait = code[thread.pc]
            if not isinstance(wait, ir.Wait) or all(c.event != event.type for c in wait.clauses):
                continue
            offered = True
            try:
                target = self.match(inst, wait, event)
            except ExpressionError as exc:
                self.raise_error(inst, thread, self.expression_error(exc, wait.sid))
                return
            if target is not None:
                self.state.timers.cancel(thread.timer)
                thread.timer = None
                self.effects.step_finished(inst, thread, self.state.clock, "ok")
                thread.pc = target
                self.wake(inst, thread)
                return
        if offered:
            self.count("rejected")
            return
        box = inst.inbox.setdefault(event.type, deque())
        if self.inbox_capacity <= 0:
            self.count("inbox_dropped")
            return
        if len(box) >= self.inbox_capacity:
            box.popleft()
            self.count("inbox_dropped")
        box.append(event)

    def react(self, index: int, event: Event) -> None:
        reaction = self.program.reactions[index]
        slots: list = [None] * len(reaction.slots)
        slots[reaction.slot] = event
        # A reaction has no key; its run is named after the event's place in the routing order,
        # which a replay reproduces (idempotency keys, jitter seeds).
        key = f"#{self.state.routed}"
        if reaction.guard is not None:
            probe = Instance(0, "reaction", f"reaction#{index}", f"reaction#{index}", 0, key, "", slots)
            try:
                if not self.value(reaction.guard, probe):
                    return
            except ExpressionError as exc:
                self.state.faults.append(f"reaction on {reaction.event} ({key}): guard: "
                                         f"{self.expression_error(exc, reaction.sid).message}")
                return
        self.start_activation("reaction", index, key, slots)

    def fire(self, timer: ThreadTimer | WindowTimer) -> None:
        s = self.state
        s.clock = max(s.clock, timer.deadline)
        if isinstance(timer, WindowTimer):
            self.window_due(timer)
            return
        inst = s.instances.get(timer.instance)
        thread = inst.threads.get(timer.thread) if inst is not None else None
        if thread is None or thread.timer != timer.seq:
            return  # cancellation removes timers; this is only a guard
        thread.timer = None
        if timer.purpose == "wait":
            wait = self.unit_of(inst).code[thread.pc]
            assert isinstance(wait, ir.Wait) and wait.timer is not None
            thread.pc = wait.timer.target
            self.effects.step_finished(inst, thread, s.clock, "timer")
        # A backoff resumes the same do/call (or compensation) for its next attempt; a latency
        # timer resumes it to take the attempt's answer.
        self.wake(inst, thread)

    # Implemented by the streams mixin.
    def accumulate(self, index: int, event: Event) -> None:
        raise NotImplementedError

    def window_due(self, timer: WindowTimer) -> None:
        raise NotImplementedError
