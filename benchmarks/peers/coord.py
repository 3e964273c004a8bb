"""Running a coord program on one of coord's executors, fed from an event table.

Events are built as :class:`~coordlang.runtime.executor.Event` objects one batch at a time,
outside the clock: the figures are processing only (BENCHMARKS' end-to-end figures from files
are measured separately). The clock runs around each ``feed`` and around ``finish``.
"""

from __future__ import annotations

import importlib
import time
import tracemalloc
from dataclasses import dataclass
from typing import Callable

from benchmarks.workloads.columns import EventTable
from coordlang.ir.nodes import Program
from coordlang.runtime.executor import RunResult

BACKENDS = ("interpreter", "compiled")
BATCH = 10_000


class NotBuilt(Exception):
    """The backend does not exist in this checkout yet."""


def executor_factory(backend: str, program: Program) -> Callable[[], object]:
    """A function that makes a fresh executor of ``program`` on ``backend``; raises
    :class:`NotBuilt` when the backend's module is missing."""
    if backend == "interpreter":
        module = _module("coordlang.runtime.interpreter")
        return lambda: module.Interpreter(program)
    if backend == "compiled":
        module = _module("coordlang.runtime.compiled")
        for name in ("CompiledExecutor", "Compiled", "Executor"):
            cls = getattr(module, name, None)
            if cls is not None:
                return lambda: cls(program)
        raise NotBuilt("coordlang.runtime.compiled has no executor class the harness knows")
    raise ValueError(f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}")


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            raise NotBuilt(f"{name} is not built") from exc
        raise


@dataclass(slots=True)
class Measured:
    result: RunResult
    seconds: float
    """Wall time inside ``feed`` and ``finish``."""


def run(make: Callable[[], object], table: EventTable, batch: int = BATCH) -> Measured:
    """One run of a fresh executor over the whole table."""
    executor = make()
    seconds = 0.0
    for events in table.events(batch):
        began = time.perf_counter()
        executor.feed(events)
        seconds += time.perf_counter() - began
    began = time.perf_counter()
    result = executor.finish()
    seconds += time.perf_counter() - began
    return Measured(result, seconds)


def bytes_per_instance(make: Callable[[], object], table: EventTable, instances: int,
                       batch: int = BATCH) -> float:
    """Memory the executor holds once every event is fed (before ``finish``), per started
    instance, as tracemalloc counts it (Python objects and numpy buffers)."""
    tracemalloc.start()
    try:
        executor = make()
        base = tracemalloc.get_traced_memory()[0]
        for events in table.events(batch):
            executor.feed(events)
            del events  # the batch is garbage now unless the executor kept it
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    executor.finish()
    return held / max(instances, 1)
