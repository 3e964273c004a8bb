"""Fault injection and measurement: the :class:`~coordlang.runtime.interpreter.effects.Effects`
a simulated universe runs with.

Each handler attempt draws a latency (when the handler has a latency distribution) and then
whether it fails (when it has error rates), from a generator seeded by the universe's seed, the
handler, the attempt's idempotency key and how many attempts with that key came before it. So
an attempt's draws do not depend on what other attempts ran before it: changing one handler's
faults leaves every other handler's draws as they were, and an engine that calls handlers in
another order (the compiled backend batches them) would draw the same faults. A failing attempt
raises nothing real, its error is an instance of the named exception class, and the handler
itself is not called; any other attempt calls the handler. Either way the answer reaches the
workflow after the drawn latency. The same hooks record when instances start and end and how
long each step takes, in virtual time.
"""

from __future__ import annotations

import builtins
import functools
import random
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coordlang.runtime.interpreter.effects import Attempt, Effects
from coordlang.runtime.interpreter.values import ErrorValue, from_exception
from coordlang.runtime.simulation.spec import Fault

if TYPE_CHECKING:
    from coordlang.runtime.handlers import BoundHandler, HandlerLoop
    from coordlang.runtime.interpreter.state import Instance, Thread


def exception_class(name: str, handler: BoundHandler) -> type[Exception]:
    """The class an injected error is an instance of: ``Timeout`` is ``TimeoutError`` (the
    language's ``Timeout``), then a builtin exception of that name (``ConnectionError``, so a
    policy's ``on: ["OSError"]`` covers it as ``except`` would), then one of the handler's own
    module (``CardDeclined``), else a new ``Exception`` subclass of that name."""
    if name == "Timeout":
        return TimeoutError
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    module = sys.modules.get(getattr(handler.function, "__module__", "") or "")
    found = getattr(module, name, None) if module is not None else None
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    return _made(name)


@functools.cache
def _made(name: str) -> type[Exception]:
    return type(name, (Exception,), {"__module__": "coordlang.simulated",
                                     "__doc__": "An error coord simulate injects; no module declares it."})


@dataclass(slots=True)
class HandlerTally:
    """One handler's attempts in one universe."""

    attempts: int = 0
    failed: int = 0
    """Attempts that answered with an error, injected or the handler's own."""
    injected: dict[str, int] = field(default_factory=dict)
    """Injected errors by exception class name."""
    latencies: list[float] = field(default_factory=list)
    """The latency drawn for each attempt (only for handlers with a latency distribution)."""
    timed_out: int = 0
    """Attempts whose latency exceeded the handler's ``timeout``: cut off there, a ``Timeout``."""


@dataclass(slots=True)
class InstanceTimes:
    workflow: str
    version: int
    key: object
    start: float
    end: float | None = None
    status: str = "running"


StepKey = tuple[str, str, str, int]
"""(workflow, kind, name, sid): ``("Order", "do", "charge", 41)``."""


class Injector:
    """A universe's fault draws, and its tally of handler attempts, for either engine."""

    def __init__(self, faults: tuple[Fault, ...], handlers: dict[str, BoundHandler], seed: int) -> None:
        self.seed = seed
        self._attempts_of: dict[tuple[str, str], int] = {}
        self.faults = {f.handler: (f, tuple((exception_class(name, handlers[f.handler]), p) for name, p in f.errors))
                       for f in faults}
        self.handlers: dict[str, HandlerTally] = {}

    def tally(self, handler: str) -> HandlerTally:
        found = self.handlers.get(handler)
        if found is None:
            found = self.handlers[handler] = HandlerTally()
        return found

    def draw(self, handler: BoundHandler, workflow: str, idempotency_key: str) -> tuple[float, ErrorValue | None]:
        """One attempt of ``handler`` by an instance of ``workflow``, counted: its latency, and
        the error injected instead of calling the handler (None: call it; the caller counts a
        failure it answers with)."""
        name = handler.definition.name
        tally = self.tally(name)
        tally.attempts += 1
        fault = self.faults.get(name)
        if fault is None:
            return 0.0, None
        spec, errors = fault
        rng = self._generator(name, workflow, idempotency_key)
        latency = 0.0
        if spec.latency is not None:
            latency = spec.latency.duration(rng)
            tally.latencies.append(latency)
            limit = handler.definition.timeout
            if limit is not None and latency > limit:
                tally.timed_out += 1
        if errors:
            draw = rng.random()
            edge = 0.0
            for cls, probability in errors:
                edge += probability
                if draw < edge:
                    tally.injected[cls.__name__] = tally.injected.get(cls.__name__, 0) + 1
                    tally.failed += 1
                    exc = cls(f"injected by coord simulate into {name} (attempt {idempotency_key})")
                    return latency, from_exception(exc)
        return latency, None

    def _generator(self, handler: str, workflow: str, idempotency_key: str) -> random.Random:
        """This attempt's own generator. Keys do not name the workflow, so two workflows with
        the same key (and step numbers) would share draws in whatever order they call: the
        workflow is part of the seed. The count tells apart attempts with one key (an instance
        started again with a key used before, children of one workflow sharing a key)."""
        seen = self._attempts_of.get((handler, workflow, idempotency_key), 0) + 1
        self._attempts_of[(handler, workflow, idempotency_key)] = seen
        # A string seed is hashed with SHA-512 by random.Random: the same in every process.
        return random.Random(f"{self.seed}:{workflow}:{handler}:{idempotency_key}:{seen}")


class Timings:
    """When instances start and end and how long each step takes, in virtual time (and the
    wall time of its handler calls, when they were measured). A step is open on a thread (the
    interpreter's (instance, thread), the compiled backend's row) from its beginning to its end."""

    def __init__(self) -> None:
        self.instances: dict[int, InstanceTimes] = {}
        self.steps: dict[StepKey, list[float]] = {}
        self.statuses: dict[StepKey, dict[str, int]] = {}
        self.walls: dict[StepKey, list[float]] = {}
        """Wall seconds of the handler calls of each ending of a step whose calls were measured
        (a replayed log that kept them): the sum of its attempts'."""
        self.open: dict[object, tuple[StepKey, float]] = {}

    def began(self, thread: object, key: StepKey, clock: float) -> None:
        self.open[thread] = (key, clock)

    def finished(self, thread: object, clock: float, status: str, wall: float | None = None) -> None:
        opened = self.open.pop(thread, None)
        if opened is None:
            return
        key, began = opened
        durations = self.steps.get(key)
        if durations is None:
            durations = self.steps[key] = []
            self.statuses[key] = {}
        durations.append(clock - began)
        counts = self.statuses[key]
        counts[status] = counts.get(status, 0) + 1
        if wall is not None:
            self.walls.setdefault(key, []).append(wall)


class TimedEffects:
    """The ``Effects`` timing hooks, recording into ``self.timings``: mixed into effects that
    time the steps they see (a simulation's, a replay's for a profile)."""

    timings: Timings

    def instance_started(self, inst: Instance, clock: float) -> None:
        self.timings.instances[inst.id] = InstanceTimes(inst.workflow, inst.version, inst.key, clock)

    def instance_ended(self, inst: Instance, clock: float) -> None:
        times = self.timings.instances.get(inst.id)
        if times is not None:
            times.end = clock
            times.status = inst.status

    def step_began(self, inst: Instance, thread: Thread, sid: int, kind: str, name: str, clock: float) -> None:
        self.timings.began((inst.id, thread.id), (inst.workflow, kind, name, sid), clock)

    def step_finished(self, inst: Instance, thread: Thread, clock: float, status: str) -> None:
        # A step's attempts are still on its thread when it finishes.
        step = thread.step
        self.timings.finished((inst.id, thread.id), clock, status, None if step is None else step.wall)


class SimulatedEffects(TimedEffects, Effects):
    """Injects a universe's faults into the interpreter and records its timings."""

    def __init__(self, faults: tuple[Fault, ...], handlers: dict[str, BoundHandler], seed: int) -> None:
        self.injector = Injector(faults, handlers, seed)
        self.timings = Timings()

    def attempt(self, handler: BoundHandler, args: tuple, idempotency_key: str, loop: HandlerLoop,
                workflow: str) -> Attempt:
        latency, injected = self.injector.draw(handler, workflow, idempotency_key)
        if injected is not None:
            return Attempt(error=injected, latency=latency)
        outcome = super().attempt(handler, args, idempotency_key, loop, workflow)
        self.injector.tally(handler.definition.name).failed += outcome.error is not None
        return Attempt(outcome.value, outcome.error, latency)
