"""Running a coord program on one of coord's executors, fed from an event table.

Events are built as :class:`~coordlang.runtime.executor.Event` objects one batch at a time,
outside the clock: the figures are processing only (BENCHMARKS' end-to-end figures from files
are measured separately). The clock runs around each ``feed`` and around ``finish``.

The compiled backend is looked up as ``coordlang.runtime.compiled.CompiledExecutor(program)``
(or a class named ``Compiled`` or ``Executor`` there), an executor like the interpreter. An
executor that also has ``feed_columns(table)`` is fed the event columns instead of Event
objects — 30 M events/s leaves no time for an object per event — with ``table`` an
:class:`~benchmarks.workloads.columns.EventTable` slice: ``types``, ``fields`` (per type, its
(name, kind) pairs), ``type`` (uint8 index into ``types``), ``time`` (float64 seconds),
``columns`` (one numpy array per field name) and ``strings`` (the vocabulary of a ``str``
field's integer codes).
"""

from __future__ import annotations

import importlib
import re
import time
import tracemalloc
from dataclasses import dataclass
from typing import Callable

from benchmarks.workloads.columns import EventTable
from coordlang.ir.nodes import Program
from coordlang.runtime.executor import RunResult

BACKENDS = ("interpreter", "compiled")
BATCH = 10_000
COLUMN_BATCH = 100_000
"""Rows per ``feed_columns`` call."""


class NotBuilt(Exception):
    """The backend does not exist in this checkout yet."""


class NotSupported(Exception):
    """The backend exists but refuses the program (``UnsupportedProgram``): its message."""


def executor_factory(backend: str, program: Program) -> Callable[[], object]:
    """A function that makes a fresh executor of ``program`` on ``backend``; raises
    :class:`NotBuilt` when the backend's module is missing."""
    if backend == "interpreter":
        module = _module("coordlang.runtime.interpreter")
        return lambda: module.Interpreter(program)
    if backend == "compiled":
        module = _module("coordlang.runtime.compiled")
        supported = getattr(module, "ensure_supported", None)
        if supported is not None:
            try:
                supported(program)
            except Exception as exc:
                if type(exc).__name__ != "UnsupportedProgram":
                    raise
                raise NotSupported(_short(str(exc))) from exc
        for name in ("CompiledExecutor", "Compiled", "Executor"):
            cls = getattr(module, name, None)
            if cls is not None:
                return lambda: cls(program)
        raise NotBuilt("coordlang.runtime.compiled has no executor class the harness knows")
    raise ValueError(f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}")


def _short(message: str) -> str:
    """``stream Overheat at sensors.coord:10:1`` from the backend's longer message."""
    message = message.rpartition(" yet: ")[2] or message
    return re.sub(r"(?:[^\s:]*/)([^/\s:]+:\d+)", r"\1", message)


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
    feed = _feed(executor)
    seconds = 0.0
    for events in _batches(executor, table, batch):
        began = time.perf_counter()
        feed(events)
        seconds += time.perf_counter() - began
    began = time.perf_counter()
    result = executor.finish()
    seconds += time.perf_counter() - began
    return Measured(result, seconds)


def _feed(executor) -> Callable:
    return getattr(executor, "feed_columns", None) or executor.feed


def _batches(executor, table: EventTable, batch: int):
    """Event batches, or table slices for an executor with ``feed_columns``."""
    if hasattr(executor, "feed_columns"):
        rows = max(batch, COLUMN_BATCH)
        return (table.slice(lo, min(lo + rows, len(table))) for lo in range(0, len(table), rows))
    return table.events(batch)


def bytes_per_instance(make: Callable[[], object], table: EventTable, instances: int,
                       batch: int = BATCH) -> float:
    """Memory the executor holds once every event is fed (before ``finish``), per started
    instance, as tracemalloc counts it (Python objects and numpy buffers)."""
    tracemalloc.start()
    try:
        executor = make()
        base = tracemalloc.get_traced_memory()[0]
        feed = _feed(executor)
        for events in _batches(executor, table, batch):
            feed(events)
            del events  # the batch is garbage now unless the executor kept it
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    executor.finish()
    return held / max(instances, 1)
