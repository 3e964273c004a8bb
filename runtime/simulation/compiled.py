"""The compiled engine of ``coord simulate``: universes run on the numba kernels, with the
interpreter engine's fault draws, latency and timings.

The kernel is built once per process; each universe restarts it on an empty state. Faults and
latency are the host's: each handler attempt the host makes draws from the universe's
:class:`~coordlang.runtime.simulation.faults.Injector` as the interpreter's does (keyed by the
workflow and the attempt's idempotency key, so the draws do not depend on the order the kernel
parks instances in). An attempt with latency is made at once and its answer held: the instance
waits on a backoff timer until the answer is due (the rule of
:func:`~coordlang.runtime.interpreter.effects.landing`), then parks again and the host applies
the held answer instead of calling the handler. Timings come from the kernel's step trace
(``SI[S_TRACE]``: the instances' starts and each step's beginning and end) and from the host's
own decisions (a step that raises, a compensation's end).

jit handlers run inside the kernel, where nothing can be injected: a spec with faults for a
jit handler runs on the interpreter (:func:`refusal` says why).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

import numpy as np

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import columns as K
from coordlang.runtime.compiled.executor import _NO_IDS, CompiledExecutor
from coordlang.runtime.compiled.host import Host
from coordlang.runtime.compiled.kernel_lib import trace_arrays
from coordlang.runtime.compiled.outcomes import STATUS_NAMES
from coordlang.runtime.interpreter.effects import Attempt, landing
from coordlang.runtime.simulation.faults import Injector, InstanceTimes, StepKey, Timings

if TYPE_CHECKING:
    from coordlang.runtime.executor import RunResult
    from coordlang.runtime.handlers import BoundHandler
    from coordlang.runtime.simulation.spec import Spec


def choose(program: ir.Program, spec: Spec) -> tuple[str, str | None]:
    """The engine ``spec.backend`` comes to, and why it is not the compiled backend when that
    was asked for (None otherwise).

    ``auto`` takes the compiled backend when it runs the program and the spec; no machine of
    the program is a barrier, or the program has streams (with a barrier, each parked instance
    is a round trip to the host, and the interpreter is faster, unless stream windows, which
    the kernel runs alone, are most of the work); the universes' arrivals come to
    :data:`AUTO_EVENTS` or more (loading the kernel and building the executor, about 0.5 s a
    process, must pay); and the kernel is in the disk cache (a cold compile, 5 to 30 s, costs
    more than it would save). The measurements behind this are in docs/benchmarks.md."""
    if spec.backend == "interpreter":
        return "interpreter", None
    from coordlang.runtime.compiled import UnsupportedProgram
    from coordlang.runtime.compiled.support import ensure_supported, kernel_cached

    try:
        plan = ensure_supported(program)
    except UnsupportedProgram as exc:
        return "interpreter", str(exc)
    reason = refusal(program, spec)
    if reason is not None:
        return "interpreter", reason
    if spec.backend == "compiled":
        return "compiled", None
    if plan.barriers and not program.streams:
        return "interpreter", None
    if expected_arrivals(spec) < AUTO_EVENTS or not kernel_cached(program, plan)[0]:
        return "interpreter", None
    return "compiled", None


AUTO_EVENTS = 200_000
"""Arrivals over all universes from which ``--backend auto`` simulates on a cached kernel."""


def expected_arrivals(spec: Spec) -> float:
    """The arrivals the universes of ``spec`` expect, follow-ups left out."""
    total = 0.0
    for arrival in spec.arrivals:
        expected = arrival.rate * arrival.span if arrival.span is not None else math.inf
        if arrival.count is not None:
            expected = min(expected, arrival.count)
        total += expected
    return total * spec.universes


def refusal(program: ir.Program, spec: Spec) -> str | None:
    """Why ``spec`` cannot run on the compiled backend (faults on a jit handler), or None.
    Whether the backend supports the program at all is ``ensure_supported``'s to say."""
    for fault in spec.faults:
        handler = program.handler(fault.handler)
        if handler.mode == "jit":
            return (f"faults.{fault.handler}: handler {fault.handler} is jit: it runs inside the kernel, where no "
                    "fault can be injected")
    return None


TRACE_BATCH = 1 << 16
"""Trace records the kernel may keep before the host reads them (it reads them anyway before
answering parked instances)."""


class SimulatedHost(Host):
    """The compiled host with a universe's faults and latency, recording its timings."""

    injector: Injector
    timings: Timings
    read_trace: Callable[[], None]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plan = self.plan
        self.workflow_names = [lay.machine.name if lay.index < plan.workflow_count else lay.unit
                               for lay in plan.machines]
        """By machine: what the interpreter calls an instance's workflow (a reaction's unit)."""
        self.held: dict[int, tuple[int, float, bool, object]] = {}
        """Row → the answer of an attempt with latency: (its attempt, when it is due, ok, value)."""

    def answer(self, st, ids: np.ndarray):
        self.read_trace()
        return super().answer(st, ids)

    def answer_batches(self, ids: np.ndarray) -> np.ndarray:
        return ids  # each attempt draws its own faults, so batch rows go through attempt_calls too

    def step_call(self, i: int):
        st = self.st
        if st.C[i, K.PARK] == K.P_JITERR:
            # The kernel made this attempt: the host only learns its exception.
            tally = self.injector.tally(self._site(i).handler.name)
            tally.attempts += 1
            tally.failed += 1
        return super().step_call(i)

    def attempt_calls(self, calls):
        st = self.st
        landed: dict[int, tuple[bool, object]] = {}
        drawn: dict[int, tuple[float, object]] = {}
        fresh = []
        for call in calls:
            i, handler, _, key = call
            held = self.held.pop(i, None)
            # A row whose attempt was cut short (its instance ended, its branch was cancelled)
            # left an answer behind; the row's next park, a first attempt, does not match it.
            if held is not None and held[0] + 1 == st.C[i, K.ATTEMPT] and held[1] == st.FC[i, K.PARK_T]:
                st.C[i, K.ATTEMPT] = held[0]
                landed[i] = (held[2], held[3])
                continue
            latency, injected = self.injector.draw(handler, self.workflow_names[int(st.I[i, K.MACH])], key)
            drawn[i] = (latency, injected)
            if injected is None:
                fresh.append(call)
        answers = {i: (ok, value) for i, ok, value in super().attempt_calls(fresh)}
        out = []
        for i, handler, _, _ in calls:
            if i in landed:
                ok, value = landed[i]
                if not self._timed_out(i, ok, value):
                    out.append((i, ok, value))
                continue
            latency, injected = drawn[i]
            if injected is not None:
                ok, value = False, injected
            else:
                ok, value = answers[i]
                self.injector.tally(handler.definition.name).failed += not ok
            if latency <= 0.0:
                out.append((i, ok, value))
                continue
            self._hold(i, handler, Attempt(value if ok else None, None if ok else value, latency))
        return out

    def _hold(self, i: int, handler: BoundHandler, outcome: Attempt) -> None:
        """Keep the answer of an attempt with latency; the row waits until it is due."""
        st = self.st
        compensation = st.C[i, K.PARK] in (K.P_COMPCALL, K.P_COMPJITERR)
        step_timeout = None if compensation else self._site(i).instr.timeout
        attempt = int(st.C[i, K.ATTEMPT])
        due, outcome = landing(outcome, handler.definition.name, float(st.FC[i, K.PARK_T]), handler.definition.timeout,
                               float(st.FC[i, K.STEP_START]), step_timeout, attempt)
        ok = outcome.error is None
        self.held[i] = (attempt, due, ok, outcome.value if ok else outcome.error)
        st.FC[i, K.RESUME_AT] = due
        st.C[i, K.ACTION] = K.A_BACKOFF

    def _timed_out(self, i: int, ok: bool, value: object) -> bool:
        """A held error that lands when the do's ``timeout`` has run out is raised with no
        retry, as the interpreter's ``_do`` does; True when it was."""
        st = self.st
        if ok or st.C[i, K.PARK] != K.P_CALL:
            return False
        timeout = self._site(i).instr.timeout
        if timeout is None or st.FC[i, K.PARK_T] < st.FC[i, K.STEP_START] + timeout:
            return False
        self.host_args.pop(i, None)
        self.step_ended(i, "error")
        self.raise_(i, value)  # type: ignore[arg-type]
        return True

    def _site(self, i: int):
        st = self.st
        return self.plan.do_sites[(int(st.I[i, K.MACH]), int(st.I[i, K.PC]))]

    def step_ended(self, i: int, status: str | None) -> None:
        if status is None:
            self.timings.open.pop(i, None)
        else:
            self.timings.finished(i, float(self.st.FC[i, K.PARK_T]), status)


class SimulationExecutor(CompiledExecutor):
    """A compiled executor that runs universe after universe, tracing each."""

    host: SimulatedHost
    host_class = SimulatedHost

    def __init__(self, program: ir.Program, spec: Spec, handlers: dict[str, BoundHandler]) -> None:
        self.injector = Injector((), handlers, 0)
        self.timings = Timings()
        self.reaction_faults: list[str] = []
        """Reaction runs that ended other than completed, reaction guards and stream
        aggregates that raised (the interpreter's faults name them with their key and
        message; here, their unit and what happened)."""
        super().__init__(program, inbox=spec.inbox, handlers=handlers)
        plan = self.plan
        self._step_keys: dict[tuple[int, int], StepKey] = {}
        self._jit = frozenset(plan.jit_handlers)
        self._rows = [lay.rows for lay in plan.machines]
        self._names = self.host.workflow_names
        self._starts: dict[int, float] = {}
        """Instance row → its virtual start (the trace's TR_START)."""

    def _new_host(self) -> Host:
        host = super()._new_host()
        assert isinstance(host, SimulatedHost)
        host.read_trace = self.read_trace
        host.injector = self.injector
        host.timings = self.timings
        return host

    def universe(self, injector: Injector) -> Timings:
        """Start a universe drawing from ``injector``; its timings fill the returned object."""
        self.injector = injector
        self.timings = Timings()
        self._starts = {}
        self.reaction_faults = []
        self.restart()
        self.st.SI[K.S_TRACE] = 1
        return self.timings

    def _call(self, op: int, columns, base: int, start: int, ids: np.ndarray = _NO_IDS,
              horizon: float = -math.inf) -> int:
        if self.st is not self._ref_of:
            # A new state (grown) gets a new kernel view, with the trace's first arrays: the
            # records in the old view's arrays are read first.
            self.read_trace()
        position = super()._call(op, columns, base, start, ids, horizon)
        if self.st.SI[K.S_TR_USED] >= TRACE_BATCH:
            self.read_trace()
        return position

    def finish(self, until: float | None = None) -> RunResult:
        result = super().finish(until)
        self.read_trace()
        return result

    def read_trace(self) -> None:
        """Take the kernel's trace records into the timings (before the host decides anything
        about a row, and at least every TRACE_BATCH records)."""
        if self.st.SI[K.S_TR_USED] == 0:
            return
        # The kernel may have grown the arrays: its state has the new ones, the State tuple
        # keeps the first (a state built from it starts an empty trace: none is kept).
        records, times = trace_arrays(self._ref)
        n = int(self.st.SI[K.S_TR_USED])
        self.st.SI[K.S_TR_USED] = 0
        timings = self.timings
        open_steps = timings.open
        for (row, code, arg, m), clock in zip(records[:n].tolist(), times[:n].tolist()):
            if code == K.TR_BEGIN:
                if row in open_steps:  # an error stopped it (a guard that raised): the interpreter's stop()
                    timings.finished(row, clock, "cancelled")
                timings.began(row, self._step_key(m, arg), clock)
            elif code == K.TR_OK:
                opened = open_steps.get(row)
                if opened is not None and opened[0][1] in ("do", "compensate") and opened[0][2] in self._jit:
                    self.injector.tally(opened[0][2]).attempts += 1  # the kernel called it
                timings.finished(row, clock, "ok")
            elif code == K.TR_TIMER:
                timings.finished(row, clock, "timer")
            elif code == K.TR_CANCEL:
                timings.finished(row, clock, "cancelled")
            elif code == K.TR_START:
                self._starts[row] = clock
            elif code == K.TR_FAULT:
                self.reaction_faults.append(f"{self._names[arg]}: an expression raised")
            elif code == K.TR_END:
                for thread in range(row, row + self._rows[m]):
                    if thread in open_steps:
                        timings.finished(thread, clock, "cancelled")
                if m >= self.plan.workflow_count and arg != K.ST_COMPLETED:
                    self.reaction_faults.append(f"{self._names[m]}: {STATUS_NAMES[arg]}")

    def _step_key(self, m: int, arg: int) -> StepKey:
        found = self._step_keys.get((m, arg))
        if found is None:
            code = self.plan.machines[m].machine.code
            name = self._names[m]
            if arg >= K.TR_COMP:
                do = code[arg - K.TR_COMP]
                assert isinstance(do, ir.Do) and do.compensation is not None
                found = (name, "compensate", do.compensation.handler, -1)
            else:
                instr = code[arg]
                if isinstance(instr, ir.Do):
                    found = (name, "do", instr.handler, instr.sid)
                elif isinstance(instr, ir.CallChild):
                    found = (name, "call", instr.workflow, instr.sid)
                else:
                    assert isinstance(instr, ir.Wait)
                    found = (name, "wait", instr.label or "", instr.sid)
            self._step_keys[(m, arg)] = found
        return found

    def instances(self, result: RunResult) -> list[InstanceTimes]:
        """The universe's workflow instances in start order (the outcomes' order), with their
        virtual start and end times."""
        st = self.st
        rows = int(st.SI[K.S_ROWS])
        order = np.argsort(st.C[:rows, K.START], kind="stable").tolist()
        kept = [i for i in order if st.I[i, K.STATUS] != K.ST_THREAD and st.I[i, K.MACH] < self.plan.workflow_count]
        out = []
        for i, outcome in zip(kept, result.outcomes):
            status = STATUS_NAMES[int(st.I[i, K.STATUS])]
            ended = status != "running"
            out.append(InstanceTimes(outcome.workflow, outcome.version, outcome.key, self._starts[i],
                                     float(st.FC[i, K.END_T]) if ended else None, status))
        return out
