"""Running universes: one seeded event stream and one seeded series of fault draws each, run on
the interpreter to the end of virtual time, in this process or in worker processes.

A universe's seed is derived from the spec's seed and the universe's number alone, so a
universe gives the same result whichever process runs it and whatever ran before it there
(provided the handlers are functions of their arguments, as handlers that may be retried
should be): the results are the same for any number of workers.
"""

from __future__ import annotations

import hashlib
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from coordlang.ir import nodes as ir
from coordlang.runtime.handlers import BoundHandler, bind_handlers
from coordlang.runtime.interpreter import Interpreter
from coordlang.runtime.simulation.faults import HandlerTally, Injector, InstanceTimes, SimulatedEffects, StepKey
from coordlang.runtime.simulation.generators import Draws
from coordlang.runtime.simulation.spec import Spec
from coordlang.runtime.simulation.stream import generate

if TYPE_CHECKING:
    from coordlang.runtime.simulation.compiled import SimulationExecutor


@dataclass(slots=True)
class UniverseResult:
    """What one universe measured (plain data: it comes back from a worker by pickling)."""

    index: int
    seed: int
    events: int
    """Input events generated and run."""
    counters: dict[str, int]
    """The run's counters (``completed``, ..., ``unrouted``, ``inbox_dropped``)."""
    instances: list[InstanceTimes]
    """Workflow instances in start order, with virtual start and end times."""
    steps: dict[StepKey, list[float]]
    """Each step's durations in virtual seconds (retries, backoff and latency included)."""
    statuses: dict[StepKey, dict[str, int]]
    handlers: dict[str, HandlerTally]
    faults: list[str]
    """Errors that escaped a reaction or a stream's code."""


def universe_seed(seed: int, index: int) -> int:
    """Universe ``index``'s seed: the first 8 bytes of SHA-256 of ``"seed:index"``, so
    neighbouring universes draw unrelated streams and no process's hash salt enters."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{index}".encode()).digest()[:8], "big")


def run_universe(program: ir.Program, handlers: dict[str, BoundHandler], spec: Spec, index: int,
                 compiled: SimulationExecutor | None = None) -> UniverseResult:
    """Universe ``index`` of ``spec``, on the interpreter, or on ``compiled`` (an executor
    of ``program`` made for ``spec`` with ``handlers``)."""
    seed = universe_seed(spec.seed, index)
    # Separate generators for the input and the faults: changing a fault rate leaves the
    # events of every universe as they were, so two specs compare universe by universe.
    events = generate(spec, Draws(random.Random(f"{seed}:events")))
    until = None if spec.horizon is None else spec.start + spec.horizon
    if compiled is not None:
        injector = Injector(spec.faults, handlers, seed)
        timings = compiled.universe(injector)
        compiled.feed(events)
        result = compiled.finish(until)
        return UniverseResult(index, seed, result.events, dict(result.counters), compiled.instances(result),
                              timings.steps, timings.statuses, injector.handlers,
                              compiled.faults + compiled.reaction_faults)
    effects = SimulatedEffects(spec.faults, handlers, seed)
    interpreter = Interpreter(program, inbox_capacity=spec.inbox, handlers=handlers, effects=effects)
    interpreter.feed(events)
    result = interpreter.finish(until)
    timings = effects.timings
    instances = [timings.instances[iid] for iid in interpreter.state.started]
    return UniverseResult(index, seed, result.events, dict(result.counters), instances, timings.steps,
                          timings.statuses, effects.injector.handlers, list(interpreter.state.faults))


_WORKER: dict[str, object] = {}


def _engine(program: ir.Program, spec: Spec, handlers: dict[str, BoundHandler], backend: str) -> SimulationExecutor | None:
    if backend != "compiled":
        return None
    from coordlang.runtime.simulation.compiled import SimulationExecutor

    return SimulationExecutor(program, spec, handlers)


def _start_worker(program: ir.Program, spec: Spec, backend: str) -> None:
    handlers = bind_handlers(program)
    _WORKER.update(program=program, spec=spec, handlers=handlers, compiled=_engine(program, spec, handlers, backend))


def _run_chunk(indices: list[int]) -> list[UniverseResult]:
    program, spec, handlers, compiled = (_WORKER[name] for name in ("program", "spec", "handlers", "compiled"))
    return [run_universe(program, handlers, spec, i, compiled) for i in indices]  # type: ignore[arg-type]


def run_universes(program: ir.Program, spec: Spec, workers: int = 1, handlers: dict[str, BoundHandler] | None = None,
                  progress: Callable[[int], None] | None = None, backend: str = "interpreter",
                  compiled: SimulationExecutor | None = None) -> list[UniverseResult]:
    """Every universe of ``spec``, in universe order, on ``backend`` (``interpreter`` or
    ``compiled``: the same results); ``handlers`` (bound now when not given) and ``compiled``
    (built now when not given) serve the universes run in this process; ``progress`` is told
    how many finished after each one (or each chunk, with workers)."""
    indices = list(range(spec.universes))
    results: list[UniverseResult] = []
    if workers <= 1 or spec.universes == 1:
        if handlers is None:
            handlers = bind_handlers(program)
        if compiled is None:
            compiled = _engine(program, spec, handlers, backend)
        for index in indices:
            results.append(run_universe(program, handlers, spec, index, compiled))
            if progress is not None:
                progress(len(results))
        return results
    # Small chunks keep the workers busy to the end; a few per worker amortize the pickling.
    size = max(1, spec.universes // (workers * 4))
    chunks = [indices[i:i + size] for i in range(0, len(indices), size)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=(program, spec, backend)) as pool:
        for chunk in pool.map(_run_chunk, chunks):
            results.extend(chunk)
            if progress is not None:
                progress(len(results))
    return results
