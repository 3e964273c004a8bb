"""What a debug session shows of the state it stands at: where the next step is and how to
say it, the timeline of what has run, instances, frames, scopes, timers, evaluation, and the
difference between two positions. A mixin of :class:`~coordlang.runtime.debug.session.DebugSession`,
which owns the interpreter (``_interp``), the program and the timeline these read."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from coordlang.errors import CoordError
from coordlang.ir import nodes as ir
from coordlang.runtime.debug.model import (Change, EvaluationError, Frame, InstanceView, Location, Scope,
                                           TimelineEntry, TimerView, Variable, Watched)
from coordlang.runtime.debug.values import event_text, show, variable
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.state import Instance, RunState, ThreadTimer, WindowTimer, Work
from coordlang.runtime.interpreter.values import format_time
from coordlang.source import LineIndex

if TYPE_CHECKING:
    from coordlang.runtime.debug.session import DebugSession


class Inspection:
    """Views of the session's current state (see the module)."""

    def location(self) -> Location | None:
        """Where the next step is (None at the end)."""
        work = self._interp.peek()
        if work is None:
            return None
        return self._location_of(work)

    @property
    def current_instance(self) -> int | None:
        work = self._interp.peek()
        if work is None:
            return None
        if work.kind == "instruction":
            return work.instance
        if work.kind == "timer" and isinstance(work.timer, ThreadTimer):
            return work.timer.instance
        return None

    def source(self, path: Path) -> str | None:
        """The text of a program file (None: unreadable)."""
        path = Path(path)
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def _line_index(self, path: Path) -> LineIndex | None:
        if path not in self._lines:
            text = self.source(path)
            self._lines[path] = LineIndex(text) if text is not None else None
        return self._lines[path]

    # ---------------------------------------------------------------- places

    def _location_of(self, work: Work) -> Location | None:
        state = self._interp.state
        if work.kind == "instruction":
            inst = state.instances[work.instance]
            thread = inst.threads[work.thread]
            if thread.compensating:
                return self._place(self._compensation_sid(inst), inst.id, self._describe_work(work))
            return self._place(self._instruction_sid(inst, work.pc), inst.id, self._describe_work(work))
        if work.kind == "timer" and isinstance(work.timer, ThreadTimer):
            inst = state.instances.get(work.timer.instance)
            thread = inst.threads.get(work.timer.thread) if inst is not None else None
            if thread is not None:
                return self._place(self._instruction_sid(inst, thread.pc), inst.id, self._describe_work(work))
        return Location(None, 0, 0, 0, 0, None, self._describe_work(work))

    def _compensation_sid(self, inst: Instance) -> int:
        """Where the compensation to run next is written: the ``compensate with`` of its step
        (an undo's label is its step's, ``3c`` or ``3.2c`` in a loop)."""
        if not inst.undo:
            return -1
        step = inst.undo[-1].label.rstrip("c").split(".")[0]
        for instr in self._interp.tables.units[inst.unit].code:
            if isinstance(instr, ir.Do) and str(instr.step) == step and instr.compensation is not None:
                return instr.compensation.sid
        return -1

    def _instruction_sid(self, inst: Instance, pc: int) -> int:
        code = self._interp.tables.units[inst.unit].code
        return code[pc].sid if 0 <= pc < len(code) else -1

    def _place(self, sid: int, instance: int | None, description: str) -> Location:
        spans = self.program.spans
        if sid < 0 or sid >= len(spans) or spans[sid].path is None:
            return Location(None, 0, 0, 0, 0, instance, description)
        ref = spans[sid]
        index = self._line_index(Path(ref.path))
        if index is None:
            return Location(Path(ref.path), 0, 0, 0, 0, instance, description)
        start, end = index.position(ref.span.start), index.position(ref.span.end)
        return Location(Path(ref.path), start.line + 1, start.column + 1, end.line + 1, end.column + 1, instance,
                        description)

    def _describe_here(self) -> str:
        work = self._interp.peek()
        return self._describe_work(work) if work is not None else self._end_description()

    def _describe_work(self, work: Work) -> str:
        state = self._interp.state
        if work.kind == "event":
            what = "emitted" if work.emitted else "input"
            return f"{what} {event_text(work.event)} at {_time(max(state.clock, work.event.time))}"
        if work.kind == "timer":
            timer = work.timer
            if isinstance(timer, WindowTimer):
                return f"window of stream #{timer.stream} for {timer.key!r} closes at {_time(timer.deadline)}"
            return f"{timer.purpose} timer of {self._instance_name(timer.instance)} fires at {_time(timer.deadline)}"
        inst = state.instances[work.instance]
        if inst.threads[work.thread].compensating:
            return f"{self._instance_name(inst.id)}: " + (f"compensate with {inst.undo[-1].handler}"
                                                          if inst.undo else "compensations done")
        code = self._interp.tables.units[inst.unit].code
        instr = code[work.pc] if 0 <= work.pc < len(code) else None
        doing = self._statement_text(instr.sid) if instr is not None else "the end of its code"
        return f"{self._instance_name(inst.id)}: {doing}"

    def _statement_text(self, sid: int) -> str:
        """The first line of a statement's source, shortened."""
        spans = self.program.spans
        if sid < 0 or sid >= len(spans) or spans[sid].path is None:
            return "?"
        text = self.source(Path(spans[sid].path))
        if text is None:
            return "?"
        span = spans[sid].span
        line = text[span.start:span.end].split("\n", 1)[0].strip()
        return line if len(line) <= 60 else line[:59] + "…"

    def _end_description(self) -> str:
        s = self._interp.state
        return f"the run ended: {s.events} input events, {len(s.started)} instances, clock {_time(s.clock)}"

    def _instance_name(self, iid: int | None) -> str:
        inst = self._interp.state.instances.get(iid) if iid is not None else None
        if inst is None:
            return f"instance {iid}"
        if inst.kind != "workflow":
            return f"{inst.unit} (#{inst.id})"
        return f"{inst.workflow}@{inst.version} {inst.key!r} (#{inst.id})"

    # ---------------------------------------------------------------- the timeline

    def _note(self, work: Work, position: int) -> None:
        state = self._interp.state
        if work.kind == "event":
            event = work.event
            self._timeline.append(TimelineEntry(position, "emit" if work.emitted else "in", state.clock,
                                                f"{'emit' if work.emitted else 'in'} {event_text(event)}",
                                                event.type, self._event_key(event), dict(event.fields), None,
                                                None if work.emitted else state.events - 1))
            if not work.emitted:
                self._inputs_reached = state.events
        elif work.kind == "timer":
            timer = work.timer
            instance = timer.instance if isinstance(timer, ThreadTimer) else None
            what = timer.purpose if isinstance(timer, ThreadTimer) else "window"
            owner = self._instance_name(instance) if instance is not None else f"stream #{timer.stream}"
            self._timeline.append(TimelineEntry(position, "timer", timer.deadline, f"timer {what}: {owner}", None,
                                                getattr(timer, "key", None), None, instance))
        for kind, inst, clock in self._effects.notes:
            if inst.kind != "workflow":
                continue
            title = f"{kind} {inst.workflow}@{inst.version} {inst.key!r}"
            if kind == "end":
                title += f": {inst.status}"
            self._timeline.append(TimelineEntry(position, kind, clock, title, None, inst.key, None, inst.id))

    def _event_key(self, event: Event) -> object:
        for name in self._interp.tables.key_fields.get(event.type, ()):
            if name in event.fields:
                return event.fields[name]
        starters = self._interp.tables.starters.get(event.type, ())
        for machine in starters:
            if machine.key in event.fields:
                return event.fields[machine.key]
        return None

    def outcomes(self):
        """The workflow instances' outcomes at the current position (running ones too)."""
        return self._interp.outcomes()

    def timeline(self, *, unreached: bool = False) -> list[TimelineEntry]:
        """Every event routed, timer fired and instance started or ended so far, also past the
        current position (the run is the same each time it is replayed); with ``unreached``,
        then every input event the run has not reached yet (``reached`` False, no position)."""
        if not unreached:
            return list(self._timeline)
        if self._ahead is None:
            # Built once: the input is fixed, and a front-end asks at every stop.
            self._ahead = [TimelineEntry(None, "in", event.time, f"in {event_text(event)}", event.type,
                                         self._event_key(event), dict(event.fields), None, i, False)
                           for i, event in enumerate(self._inputs)]
        return [*self._timeline, *self._ahead[self._inputs_reached:]]

    # ---------------------------------------------------------------- inspection

    def instances(self) -> list[InstanceView]:
        state = self._interp.state
        return [InstanceView(inst.id, self._instance_name(inst.id), inst.kind, inst.workflow, inst.version, inst.key,
                             inst.status, inst.parent[0] if inst.parent else None)
                for inst in state.instances.values()]

    def frames(self, instance: int) -> list[Frame]:
        """The instance, then the instances that ``call``ed it, innermost first."""
        state = self._interp.state
        inst = state.instances.get(instance)
        if inst is None:
            raise CoordError(f"no instance {instance} at this point of the run")
        frames = []
        work = self._interp.peek()
        if work is not None and work.kind == "instruction" and work.instance == instance:
            location = self._location_of(work)
        else:
            pc = _main_pc(inst)
            location = self._place(self._instruction_sid(inst, pc), inst.id, f"{self._instance_name(inst.id)}: "
                                   f"{_waiting(inst)}")
        frames.append(Frame(inst.id, self._instance_name(inst.id), location))
        while inst.parent is not None:
            parent_id, thread_id = inst.parent
            parent = state.instances.get(parent_id)
            if parent is None:
                break
            thread = parent.threads.get(thread_id)
            pc = thread.pc if thread is not None else _main_pc(parent)
            frames.append(Frame(parent.id, self._instance_name(parent.id),
                                self._place(self._instruction_sid(parent, pc), parent.id,
                                            f"{self._instance_name(parent.id)}: call")))
            inst = parent
        return frames

    def scopes(self, instance: int | None) -> list[Scope]:
        """The variables of an instance (or, with None, of the run): locals, the current event,
        the inbox, pending timers, retries in progress, the compensations registered."""
        state = self._interp.state
        work = self._interp.peek()
        current_event = work.event if work is not None and work.kind == "event" else None
        if instance is None:
            run = (variable("clock", state.clock, "time"), variable("input events routed", state.events, "int"),
                   variable("instances", len(state.started), "int"),
                   variable("counters", dict(sorted(state.counters.items()))),
                   variable("position", self.position, "int"))
            scopes = [Scope("Run", run)]
            if current_event is not None:
                scopes.append(Scope("Event", variable("event", current_event).children))
            scopes.append(Scope("Timers", tuple(self._timer_variable(t) for t in self.pending_timers())))
            return scopes
        inst = state.instances.get(instance)
        if inst is None:
            raise CoordError(f"no instance {instance} at this point of the run")
        unit = self._interp.tables.units[inst.unit]
        local = [variable("key", inst.key)]
        seen: dict[str, int] = {}
        for slot, value in zip(unit.slots, inst.slots):
            if slot.name.startswith("$"):
                continue
            count = seen[slot.name] = seen.get(slot.name, 0) + 1
            name = slot.name if count == 1 else f"{slot.name} ({count})"
            local.append(variable(name, value, slot.type))
        local.append(variable("status", inst.status, "str"))
        scopes = [Scope("Locals", tuple(local))]
        event = current_event
        if event is None and inst.kind == "workflow":
            machine = self._interp.tables.machines.get(inst.unit)
            if machine is not None and machine.trigger_slot is not None:
                trigger = inst.slots[machine.trigger_slot]
                event = trigger if isinstance(trigger, Event) else None
        scopes.append(Scope("Event", variable("event", event).children if event is not None else ()))
        inbox = tuple(variable(f"{kind} ({len(queue)})", list(queue)) for kind, queue in inst.inbox.items() if queue)
        scopes.append(Scope("Inbox", inbox))
        scopes.append(Scope("Timers", tuple(self._timer_variable(t) for t in self.pending_timers()
                                            if t.instance == inst.id)))
        retries = []
        for thread in inst.threads.values():
            if thread.step is not None:
                instr = unit.code[thread.step.pc] if 0 <= thread.step.pc < len(unit.code) else None
                name = getattr(instr, "handler", None) or getattr(instr, "workflow", "step")
                retries.append(Variable(f"{name} (thread {thread.id})", f"attempt {thread.step.attempt}",
                                        "retry", (variable("attempts made", thread.step.attempt, "int"),
                                                  variable("step began", thread.step.started, "time"),
                                                  variable("arguments", list(thread.step.args)))))
        scopes.append(Scope("Retries", tuple(retries)))
        undo = tuple(Variable(f"{u.handler} (step {u.label})", f"{u.handler}({', '.join(show(a) for a in u.args)})",
                              "compensation", tuple(variable(f"[{i}]", a) for i, a in enumerate(u.args)))
                     for u in reversed(inst.undo))
        scopes.append(Scope("Compensation", undo))
        return scopes

    def pending_timers(self) -> list[TimerView]:
        out = []
        for timer in self._interp.state.timers.pending():
            if isinstance(timer, ThreadTimer):
                out.append(TimerView(timer.deadline, timer.purpose, timer.instance,
                                     f"{timer.purpose} of {self._instance_name(timer.instance)} at "
                                     f"{_time(timer.deadline)}"))
            else:
                out.append(TimerView(timer.deadline, "window", None,
                                     f"window of stream #{timer.stream} for {timer.key!r} closes at "
                                     f"{_time(timer.deadline)}"))
        return out

    def _timer_variable(self, timer: TimerView) -> Variable:
        return Variable(timer.purpose, timer.description, "timer")

    def evaluate(self, text: str, instance: int | None = None) -> Variable:
        """An expression in the language, in ``instance`` (default: the current one; with no
        instance, over the event about to be routed: its fields, and ``e``)."""
        state = self._interp.state
        target = instance if instance is not None else self.current_instance
        if target is not None:
            inst = state.instances.get(target)
            if inst is None:
                raise EvaluationError(f"no instance {target} at this point of the run")
            value = self.expressions.evaluate(text, inst, state.clock)
            return variable(text, value, self.expressions.type_of(text, inst))
        work = self._interp.peek()
        if work is not None and work.kind == "event":
            return variable(text, self.expressions.evaluate_over_event(text, work.event, state.clock))
        raise EvaluationError(f"{text}: no instance here to evaluate it in; stop in a workflow, or pick a frame")

    def watch(self, expressions: list[str], instance: int | None = None) -> list[Watched]:
        """Each expression evaluated as :meth:`evaluate` does; one that cannot be evaluated here
        carries its error instead of raising, so a watch list always shows whole."""
        out = []
        for text in expressions:
            try:
                out.append(Watched(text, self.evaluate(text, instance)))
            except EvaluationError as exc:
                out.append(Watched(text, None, str(exc)))
        return out

    def diff(self, a: int, b: int) -> list[Change]:
        """What differs between the states at positions ``a`` and ``b``."""
        here = self.position
        last = self.last_stop
        try:
            self._goto(min(a, self._furthest))
            before = _summary(self, self._interp.state)
            self._goto(min(b, self._furthest))
            after = _summary(self, self._interp.state)
        finally:
            self._goto(here)
            self.last_stop = last
        changes = []
        for where in sorted(before.keys() | after.keys(), key=_where_order):
            old, new = before.get(where), after.get(where)
            if old != new:
                changes.append(Change(where, old, new))
        return changes


# -------------------------------------------------------------------- helpers

def _main_pc(inst: Instance) -> int:
    """The pc of the instance's oldest live thread (its main one, unless it has ended)."""
    if not inst.threads:
        return -1
    return inst.threads[min(inst.threads)].pc


def _waiting(inst: Instance) -> str:
    if inst.ended:
        return inst.status
    states = sorted({t.state for t in inst.threads.values()})
    return ", ".join(states) or inst.status


def _time(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-" if seconds < 0 else "never"
    if seconds >= 86_400 * 365:  # an epoch time
        return format_time(seconds)
    return f"{seconds:g} s"


def _summary(session: DebugSession, state: RunState) -> dict[str, str]:
    """A state as ``where → value`` lines, for :meth:`DebugSession.diff`."""
    out = {"clock": _time(state.clock), "input events routed": str(state.events)}
    for name, value in state.counters.items():
        out[f"counters.{name}"] = str(value)
    tables = session._interp.tables
    for inst in state.instances.values():
        prefix = session._instance_name(inst.id)
        out[f"{prefix}.status"] = inst.status
        unit = tables.units[inst.unit]
        for slot, value in zip(unit.slots, inst.slots):
            if not slot.name.startswith("$") and value is not None:
                out[f"{prefix}.{slot.name}"] = show(value, slot.type)
        for thread in inst.threads.values():
            place = session._place(session._instruction_sid(inst, thread.pc), inst.id, "")
            out[f"{prefix}.thread {thread.id}"] = f"{thread.state} at line {place.line}" if place.line else thread.state
        for kind, queue in inst.inbox.items():
            if queue:
                out[f"{prefix}.inbox.{kind}"] = str(len(queue))
    for timer in state.timers.pending():
        out[f"timer {timer.seq}"] = f"due {_time(timer.deadline)}"
    return out


def _where_order(where: str) -> tuple:
    return (not where.startswith(("clock", "input", "counters")), where)
