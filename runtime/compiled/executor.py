"""The compiled backend's :class:`~coordlang.runtime.executor.Executor`.

``feed`` turns a batch of events into columns and lets the kernel route them all; instances
that reached a plain or batch handler (or another step only the host can take) park, and their
later events wait in their lane. Then, round after round until nothing is parked, the host
answers the parked instances and the kernel resumes each at the time it parked and replays its
deferred events. ``finish`` fires the remaining timers the same way. When an instance that
emits parks (a barrier), the kernel stops at once and the host answers it before anything else
runs; when the arrays need room, the kernel stops before a routing and the host grows them.
See docs/runtime.md.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import re
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import bridge
from coordlang.runtime.compiled import columns as K
from coordlang.runtime.compiled.cache import is_cached, load_kernel
from coordlang.runtime.compiled.codec import Codec, machine_key_kind
from coordlang.runtime.compiled.host import DEFAULT_CONCURRENCY, Host
from coordlang.runtime.compiled.outcomes import outcomes
from coordlang.runtime.compiled.kernel_lib import state_ref
from coordlang.runtime.compiled.state import State, ensure, grow_queue, new_state
from coordlang.runtime.compiled.support import UnsupportedProgram, ensure_supported, kernel_source
from coordlang.runtime.executor import COUNTERS, Event, RunResult
from coordlang.runtime.handlers import BoundHandler, bind_handlers, place

DEFAULT_INBOX = 16
_NO_IDS = np.zeros(0, dtype=np.int64)
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64), np.zeros((0, 1), dtype=np.int64),
          np.zeros((0, 1), dtype=np.float64))


class CompiledExecutor:
    """Runs a program on numba kernels generated from its IR, to the interpreter's outcomes.

    ``inbox`` is the capacity of each inbox (per instance and event type); ``cache_dir`` where
    kernels are kept (see ``cache.py``); ``concurrency`` how many calls of ``async def``
    handlers may be in flight at once. Raises :class:`UnsupportedProgram` for a program the
    backend cannot run yet, and :class:`~coordlang.runtime.handlers.HandlerBindingError` for
    a handler that does not bind, before any event."""

    def __init__(self, program: ir.Program, *, inbox: int = DEFAULT_INBOX, cache_dir: Path | None = None,
                 handlers: dict[str, BoundHandler] | None = None, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        started = time.perf_counter()
        self.program = program
        self.plan = plan = ensure_supported(program)
        self.handlers = bind_handlers(program) if handlers is None else handlers
        digests = {}
        for name in plan.jit_handlers:
            bound = self.handlers[name]
            if bound.accepts_key:
                raise UnsupportedProgram(f"not supported by the compiled backend yet: jit handler {name} taking an "
                                         f"idempotency_key at {place(program, bound.definition.sid)}")
            definition = bound.definition
            bridge.register(definition.target, str(definition.directory or ""), bound.function)
            digests[name] = source_digest(bound.function)
        self.source = kernel_source(plan, digests)
        if not is_cached(self.source, cache_dir):
            # A cached kernel was compiled with these very handlers (their digests are in its
            # source): checking them again cost a resume 0.5-1.4 s of numba compilation.
            _check_jit(plan, program)
        self.kernel = load_kernel(self.source, cache_dir)
        self.inbox = inbox
        self.concurrency = concurrency
        self._start()
        self._call(K.OP_FIRE, _EMPTY, 0, 0)  # compiles the kernel now (or loads it from the cache)
        self._strings = len(plan.strings)
        self.build_seconds = time.perf_counter() - started
        """Building: code generation, kernel import, compilation when it is not cached."""

    def _start(self) -> None:
        """An empty run: the host, the codec and the state as the first event finds them."""
        plan = self.plan
        self.codec = Codec(plan.strings, plan.events, plan.event_width)
        self.host = self._new_host()
        self.st = new_state(plan.width, plan.event_width, plan.comp_width, self.inbox,
                            rq=(self.kernel.MOST_RUNS + 8) * self.kernel.ROWS, fifos=self.kernel.N_FIFOS)
        self.st = self._queue_room(self.st)
        self.st.ERR[3] = plan.strings.intern("Failed")
        self._ref_of: State | None = None
        self._ref = None
        self.events = 0
        self.seconds = 0.0

    host_class = Host

    def _new_host(self) -> Host:
        plan = self.plan
        key_kinds = [machine_key_kind(lay.machine) if lay.index < plan.workflow_count
                     else lay.key_kind or "r" for lay in plan.machines]
        return self.host_class(plan, self.handlers, self.codec, key_kinds, self.concurrency)

    def restart(self) -> None:
        """Start a new run of the program on the same kernel and handlers: as building the
        executor again would, without generating and loading the kernel again. The strings
        the last run interned are forgotten, so each run's string ids are a new build's."""
        self.plan.strings.truncate(self._strings)
        self._start()

    # ---------------------------------------------------------------- the Executor protocol

    def feed(self, events: Sequence[Event]) -> None:
        began = time.perf_counter()
        if events:
            self._feed(self.codec.columns(events))
        self.seconds += time.perf_counter() - began

    def feed_columns(self, table) -> None:
        """Like :meth:`feed`, from an event table (see ``Codec.table_columns``): the input as
        columns, with no Python object per event (the benchmarks' workloads); or from the
        kernel's own columns, a tuple ``(type, time, I, F)`` as ``reader.KernelReader`` reads
        them."""
        began = time.perf_counter()
        if isinstance(table, tuple):
            columns = table
        elif len(table.type):
            columns = self.codec.table_columns(table)
        else:
            columns = None
        if columns is not None and len(columns[0]):
            self._feed(columns)
        self.seconds += time.perf_counter() - began

    def _feed(self, columns) -> None:
        base = self.events
        self._agenda(K.OP_PROCESS, columns, base, -math.inf)
        self.events += len(columns[0])
        self._settle(columns, base, self.st.SF[K.SF_CLOCK])

    def finish(self, until: float | None = None) -> RunResult:
        began = time.perf_counter()
        horizon = math.inf if until is None else until
        self._settle(_EMPTY, self.events, horizon)
        self.seconds += time.perf_counter() - began
        return self.result()

    # ---------------------------------------------------------------- rounds with the host

    def _agenda(self, op: int, columns, base: int, horizon: float) -> None:
        """Run the kernel's agenda (OP_PROCESS: through the input events too) to its end,
        answering a barrier at once and growing the arrays when the kernel asks."""
        position = 0
        n = len(columns[0]) if op == K.OP_PROCESS else 0
        while True:
            position = self._call(op, columns, base, position, horizon=horizon)
            stop = int(self.st.SI[K.S_STOP])
            self.st.SI[K.S_STOP] = K.STOP_NONE
            if stop == K.STOP_BARRIER:
                self._answer(columns, base)
            elif stop == K.STOP_ROOM or position < n:
                room = 2 * self.kernel.MOST_RUNS + 64
                self.st = self._queue_room(ensure(
                    self.st, rows=room * self.kernel.ROWS, inbox=room, deferred=room, groups=room, lanes=room,
                    values=2 * self.kernel.MOST_VALUES + 64, timers=room))
            else:
                return

    def _answer(self, columns, base: int) -> None:
        """Answer parked instances, round after round, until none is left (resumed instances
        run on and replay their deferred events; no timer fires here)."""
        while self.st.SI[K.S_PK] > 0:
            st = self.st
            ids = st.pk[:st.SI[K.S_PK]].copy()
            st.SI[K.S_PK] = 0
            st = self.host.answer(st, ids)
            pending = int(st.SI[K.S_DF_USED]) + len(ids)
            self.st = self._queue_room(ensure(st, rows=pending * self.kernel.ROWS, inbox=pending, lanes=pending))
            self._call(K.OP_RESUME, columns, base, 0, ids)
        self.st.SI[K.S_STOP] = K.STOP_NONE

    def _queue_room(self, st: State) -> State:
        """With calls, a routing reaches every instance of a lane (children share keys) and a
        run may queue children: a queue with an entry per row (and a routing's more) never
        fills. Without calls, a routing's recipients are bounded: the queue stays small."""
        if not self.plan.calls:
            return st
        return grow_queue(st, len(st.I) + (self.kernel.MOST_RUNS + 8) * self.kernel.ROWS)

    def _settle(self, columns, base: int, horizon: float) -> None:
        """Fire timers due by ``horizon`` (and route what they emit), answering parked
        instances, until nothing is left to do."""
        while True:
            self._agenda(K.OP_FIRE, columns, base, horizon)
            if self.st.SI[K.S_PK] == 0:
                break
            self._answer(columns, base)
        if self.st.SI[K.S_DF_USED] == 0:
            self.st.SI[K.S_GP] = 0

    def _call(self, op: int, columns, base: int, start: int, ids: np.ndarray = _NO_IDS,
              horizon: float = -math.inf) -> int:
        st = self.st
        if st is not self._ref_of:
            self._ref = state_ref(st)
            self._ref_of = st
        ev_type, ev_time, ev_I, ev_F = columns
        return self.kernel.kernel(self._ref, op, ev_type, ev_time, ev_I, ev_F, base, start, ids, horizon)

    # ---------------------------------------------------------------- results

    def result(self) -> RunResult:
        found = outcomes(self.st, self.plan, self.codec, self.host)
        counters = {name: 0 for name in COUNTERS}
        ct = self.st.CT
        counters["duplicate_start"] = int(ct[K.C_DUPLICATE])
        counters["rejected"] = int(ct[K.C_REJECTED])
        counters["unrouted"] = int(ct[K.C_UNROUTED])
        counters["inbox_dropped"] = int(ct[K.C_DROPPED])
        for outcome in found:
            counters[outcome.status] += 1
        return RunResult(found, counters, self.events, self.seconds)

    @property
    def faults(self) -> list[str]:
        """Compensations that failed (they have no outcome of their own), as the interpreter's."""
        return self.host.faults


def _check_jit(plan, program: ir.Program) -> None:
    """Compile each jit handler for the argument types the kernel passes, so a function numba
    cannot compile is named here rather than deep in the kernel's compilation."""
    from numba import types
    from numba.core.errors import NumbaError

    numba_types = {"i": types.int64, "f": types.float64, "b": types.boolean}
    wanted: dict[str, set[tuple]] = {}
    for site in plan.do_sites.values():
        if site.handler.mode == "jit" and site.args is not None:
            wanted.setdefault(site.handler.name, set()).add(tuple(k for k, _, _ in site.args))
        if site.comp is not None and site.comp.handler.mode == "jit":
            wanted.setdefault(site.comp.handler.name, set()).add(tuple(k for k, _, _ in site.comp.args))
    for name, signatures in wanted.items():
        handler = program.handler(name)
        function = bridge.jitted(handler.target, str(handler.directory or ""))
        for kinds in sorted(signatures):
            try:
                function.compile(tuple(numba_types[k] for k in kinds))
            except NumbaError as exc:
                lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(exc).splitlines()]
                lines = [line for line in lines if line and not line.startswith("Failed in")]
                first = lines[0] if lines else type(exc).__name__
                shown = ", ".join(str(numba_types[k]) for k in kinds)
                raise UnsupportedProgram(f"jit handler {name} ('{handler.target}', {place(program, handler.sid)}) "
                                         f"does not compile with numba for ({shown}): {first}") from None


def source_digest(function) -> str:
    """What a jit handler's compiled code depends on: its module's file (or its source). A
    function numba already wraps (bound again in the same process) is read through its
    ``py_func``, so the digest, and with it the kernel's address, stays the same."""
    function = getattr(function, "py_func", function)
    try:
        path = inspect.getsourcefile(function)
        if path:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except (TypeError, OSError):
        pass
    try:
        return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()[:16]
    except (TypeError, OSError):
        return "unknown"
