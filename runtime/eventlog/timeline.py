"""Time travel over a recorded run: the API the debugger moves through a log with.

A :class:`Timeline` stands after some record of a log (0: before the first). :meth:`seek`
moves to any record, forwards by playing records back, backwards by restoring the nearest
earlier checkpoint (a snapshot file of the log, or a copy of the state this timeline kept on
its way forward) and playing forward from there. No handler runs: recorded results are used.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from coordlang.ir.nodes import Program
from coordlang.runtime.eventlog.log import check_backend, read_log
from coordlang.runtime.eventlog.records import program_digest
from coordlang.runtime.eventlog.runs import play, restore
from coordlang.runtime.interpreter import Instance, Interpreter, RunState, ThreadTimer

CHECKPOINT_EVERY = 256
"""Records between two copies of the state a timeline keeps as it moves forward."""


@dataclass(frozen=True, slots=True)
class ThreadView:
    id: int
    state: str
    """As :data:`coordlang.runtime.interpreter.state.THREAD_STATES`."""
    at: str | None
    """Where it stands in the source (``file:line:col``), when it stands on a statement."""
    attempt: int
    """Attempts made of the ``do``/``call`` it is at (0: none in progress)."""


@dataclass(frozen=True, slots=True)
class InstanceView:
    """One workflow instance (or reaction or stream activation) at a point of a timeline."""

    id: int
    kind: str
    workflow: str
    version: int
    key: object
    status: str
    variables: dict[str, object]
    threads: tuple[ThreadView, ...]
    inbox: dict[str, int]
    """Events waiting in its inbox, by type."""
    timers: tuple[float, ...]
    """Deadlines of its pending timers, earliest first."""
    compensations: tuple[str, ...]
    """Handlers of the registered compensations, the next to run last."""
    value: object = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two points: ``instance`` is ``Workflow key`` (None for the run
    as a whole), ``what`` the thing that changed (``status``, ``var total``, ``clock``...)."""

    instance: str | None
    what: str
    before: object
    after: object


@dataclass(slots=True)
class Timeline:
    """A log to move through. Build it with :meth:`open`."""

    program: Program
    directory: Path
    records: int
    """Records in the log."""
    checkpoint_every: int = CHECKPOINT_EVERY
    _contents: object = None
    _restored: object = None
    _checkpoints: dict[int, RunState] = field(default_factory=dict)

    @classmethod
    def open(cls, program: Program, directory: Path, *, checkpoint_every: int = CHECKPOINT_EVERY) -> Timeline:
        contents = read_log(Path(directory), program_digest(program), truncate=False)
        check_backend(contents, "interpreter")  # a compiled run's log has no step-by-step trace
        timeline = cls(program, Path(directory), len(contents.records), checkpoint_every, contents)
        timeline._restored = restore(program, contents, stop=0)
        timeline._keep()
        return timeline

    # ---------------------------------------------------------------- moving

    @property
    def position(self) -> int:
        """The record this timeline stands after."""
        return self._restored.replayer.position

    @property
    def interpreter(self) -> Interpreter:
        return self._restored.interpreter

    @property
    def state(self) -> RunState:
        """The run's state here (the timeline's own: copy it to keep it)."""
        return self._restored.interpreter.state

    def record(self, number: int) -> list:
        """Record ``number`` (from 1) as stored: ``[kind, ...]``."""
        return self._contents.records[number - 1]

    def seek(self, number: int) -> int:
        """Stand after record ``number`` (clamped to the log); the position reached."""
        number = max(0, min(number, self.records))
        if number < self.position:
            self._go_back(number)
        while self.position < number:
            step_to = min(number, (self.position // self.checkpoint_every + 1) * self.checkpoint_every)
            play(self.interpreter, self._restored.replayer, step_to)
            if step_to % self.checkpoint_every == 0:
                self._keep()
        return self.position

    def step(self, count: int = 1) -> int:
        return self.seek(self.position + count)

    def back(self, count: int = 1) -> int:
        return self.seek(self.position - count)

    def _go_back(self, number: int) -> None:
        kept = max((k for k in self._checkpoints if k <= number), default=0)
        on_disk = max((k for k, _ in self._contents.snapshots if k < number), default=0)
        if on_disk > kept:
            self._restored = restore(self.program, self._contents, stop=number)
            self._keep()
            return
        self.interpreter.state = copy.deepcopy(self._checkpoints[kept])
        self._restored.replayer.position = kept

    def _keep(self) -> None:
        self._checkpoints[self.position] = copy.deepcopy(self.state)

    # ---------------------------------------------------------------- reading the state

    def instances(self) -> list[InstanceView]:
        """Every instance here: workflow instances in start order, then live activations."""
        state = self.state
        ids = list(state.started) + [i for i, inst in state.instances.items() if inst.kind != "workflow"]
        return [self._view(state.instances[i]) for i in ids]

    def instance(self, workflow: str, key: object) -> InstanceView:
        """The latest-started instance of ``workflow`` with ``key``; KeyError if none."""
        for iid in reversed(self.state.started):
            inst = self.state.instances[iid]
            if inst.workflow == workflow and inst.key == key:
                return self._view(inst)
        raise KeyError(f"no {workflow} instance with key {key!r} at record {self.position}")

    def _view(self, inst: Instance) -> InstanceView:
        interpreter = self.interpreter
        unit = interpreter.unit_of(inst)
        variables = {slot.name: inst.slots[i] for i, slot in enumerate(unit.slots) if i < len(inst.slots)}
        threads = []
        for thread in inst.threads.values():
            at = None
            if 0 <= thread.pc < len(unit.code):
                sid = getattr(unit.code[thread.pc], "sid", None)
                at = interpreter.place(sid) if sid is not None else None
            threads.append(ThreadView(thread.id, thread.state, at, thread.step.attempt if thread.step else 0))
        timers = tuple(t.deadline for t in self.state.timers.pending()
                       if isinstance(t, ThreadTimer) and t.instance == inst.id)
        return InstanceView(inst.id, inst.kind, inst.workflow, inst.version, inst.key, inst.status, variables,
                            tuple(threads), {k: len(v) for k, v in inst.inbox.items() if v}, timers,
                            tuple(u.handler for u in inst.undo), inst.value, inst.message)

    # ---------------------------------------------------------------- differences

    def diff(self, a: int, b: int) -> list[Change]:
        """What differs between standing after record ``a`` and after record ``b``; the
        timeline is left at ``b``."""
        self.seek(a)
        before = copy.deepcopy(self._summary())  # the state is changed in place as the timeline moves
        self.seek(b)
        after = self._summary()
        changes: list[Change] = []
        for what in ("clock", "events", *sorted(set(before["counters"]) | set(after["counters"]))):
            old = before[what] if what in ("clock", "events") else before["counters"].get(what, 0)
            new = after[what] if what in ("clock", "events") else after["counters"].get(what, 0)
            if old != new:
                changes.append(Change(None, what, old, new))
        old_instances, new_instances = before["instances"], after["instances"]
        for iid in sorted(set(old_instances) | set(new_instances)):
            old, new = old_instances.get(iid), new_instances.get(iid)
            name = f"{(old or new).workflow} {(old or new).key!r}"
            if old is None or new is None:
                changes.append(Change(name, "instance", old and old.status, new and new.status))
                continue
            for what in ("status", "value", "message"):
                if getattr(old, what) != getattr(new, what):
                    changes.append(Change(name, what, getattr(old, what), getattr(new, what)))
            for var in sorted(set(old.variables) | set(new.variables)):
                if old.variables.get(var) != new.variables.get(var):
                    changes.append(Change(name, f"var {var}", old.variables.get(var), new.variables.get(var)))
            for what in ("threads", "inbox", "timers", "compensations"):
                if getattr(old, what) != getattr(new, what):
                    changes.append(Change(name, what, getattr(old, what), getattr(new, what)))
        return changes

    def _summary(self) -> dict:
        state = self.state
        return {"clock": state.clock, "events": state.events, "counters": dict(state.counters),
                "instances": {view.id: view for view in self.instances()}}
