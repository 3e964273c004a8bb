"""The host's side of parking: handler calls, a jit handler's exception, instructions on
strings, and the retry decisions, exactly as the interpreter makes them.

The kernel parks an instance and goes on with the batch; the host then answers every parked
instance (``ACTION`` and its operands) and the kernel resumes them. ``batch`` handlers are
called once per handler with arrays of every parked row; when such a call raises, the rows are
found that fail: through the exception's ``failed`` mask and ``results`` when it has them (see
the orders workload's handlers), else by halving, down to one-row calls, which are what the
interpreter makes. ``plain`` handlers are called one by one, in parking order; the calls of
``async def`` handlers overlap, at most ``concurrency`` in flight (their results are applied in
parking order all the same).

Retries use the interpreter's functions (``retries_on``, ``retry_delay``: jitter seeded from
(key, step, attempt)), so backoff deadlines are the same to the bit.
"""

from __future__ import annotations

import numpy as np

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import columns as K
from coordlang.runtime.compiled.batches import DTYPES, answer_batch
from coordlang.runtime.compiled.batches import call as batch_call
from coordlang.runtime.compiled.codec import Codec, CompiledRuntimeError, key_value
from coordlang.runtime.compiled.outcomes import STATUS_NAMES, completed_value, end_message
from coordlang.runtime.compiled.plan import Plan
from coordlang.runtime.handlers import BoundHandler, HandlerLoop, place
from coordlang.runtime.interpreter.expressions import Evaluator, ExpressionError
from coordlang.runtime.interpreter.state import Instance
from coordlang.runtime.interpreter.tables import Tables
from coordlang.runtime.interpreter.values import ErrorValue, coerce, error, from_exception, retries_on, retry_delay
from coordlang.semantics.constants import format_seconds


DEFAULT_CONCURRENCY = 64
"""Calls of ``async def`` handlers in flight at once, by default."""


class Host:
    def __init__(self, plan: Plan, handlers: dict[str, BoundHandler], codec: Codec, key_kinds: list[str],
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency {concurrency}: must be at least 1")
        self.plan = plan
        self.concurrency = concurrency
        self._loop: HandlerLoop | None = None
        self.handlers = handlers
        self.codec = codec
        self.key_kinds = key_kinds
        self.tables = Tables(plan.program)
        self.evaluator = Evaluator(self.tables)
        self.policies = dict(plan.program.policies)
        self.host_args: dict[int, tuple] = {}
        """Arguments the host evaluated for a step in progress (they hold across retries)."""
        self.completed: dict[int, object] = {}
        """Complete values the host evaluated (strings and the like), by instance."""
        self.faults: list[str] = []
        self.st = None

    # ---------------------------------------------------------------- helpers

    def key(self, i: int) -> object:
        st = self.st
        kind = self.key_kinds[st.I[i, K.MACH]]
        if kind == "r":
            return f"#{int(st.I[i, K.KEY])}"  # a reaction's run: the routed event's number
        return key_value(self.codec.strings, kind, int(st.I[i, K.KEY]))

    def owner(self, i: int) -> int:
        """The instance row of row ``i`` (a thread row's instance, else ``i`` itself)."""
        st = self.st
        return int(st.C[i, K.OWNER]) if st.I[i, K.STATUS] == K.ST_THREAD else i

    def instance(self, i: int) -> Instance:
        st = self.st
        layout = self.plan.machines[st.I[i, K.MACH]]
        machine = layout.machine
        kind = "workflow" if layout.index < self.plan.workflow_count else layout.unit.split("#")[0]
        inst = Instance(i, kind, layout.unit, machine.name, machine.version, self.key(i), machine.key,
                        self.codec.slots(st, self.owner(i), layout))
        if kind == "stream":
            inst.stream_key = inst.key
            inst.aggregates = tuple(self.codec.decode(agg, st.F[i, col] if agg == "f" else st.I[i, col])
                                    for agg, col in layout.aggs)
        return inst

    def evaluate(self, i: int, expr: ir.Expr, clock: float) -> object:
        inst = self.instance(i)
        return self.evaluator.value(expr, inst, self.tables.units[self.plan.machines[self.st.I[i, K.MACH]].unit], clock)

    def raise_(self, i: int, err: ErrorValue) -> None:
        st = self.st
        intern = self.codec.strings.intern
        st.C[i, K.ERRK] = intern(err.kind)
        st.C[i, K.ERRM] = intern(err.message)
        st.C[i, K.ERRT] = intern(err.type)
        st.FC[i, K.ERR_T] = st.FC[i, K.PARK_T]
        st.C[i, K.ACTION] = K.A_RAISE

    def expression_error(self, exc: ExpressionError, sid: int) -> ErrorValue:
        return ErrorValue("Failed", f"{exc.message} at {place(self.plan.program, sid)}", exc.type)

    def label(self, step: int, runs: int) -> str:
        return str(step) if runs == 1 else f"{step}.{runs}"

    # ---------------------------------------------------------------- answering parked instances

    def keys(self, parts: list) -> list[str]:
        """Idempotency keys of the parked rows of ``parts`` ((site, rows) each)."""
        st = self.st
        out: list[str] = []
        for site, rows in parts:
            m = int(st.I[rows[0], K.MACH])
            kind = self.key_kinds[m]
            texts = self.codec.strings.texts
            raw = st.I[rows, K.KEY].tolist()
            names = ([texts[k] for k in raw] if kind == "s" else [bool(k) for k in raw] if kind == "b"
                     else [f"#{k}" for k in raw] if kind == "r" else raw)
            owners = np.where(st.I[rows, K.STATUS] == K.ST_THREAD, st.C[rows, K.OWNER], rows)
            runs = st.I[owners, self.plan.machines[m].runs[site.instr.step]].tolist()
            attempts = st.C[rows, K.ATTEMPT].tolist()
            step = site.instr.step
            out += [f"{k}:{self.label(step, r)}:{a}" for k, r, a in zip(names, runs, attempts)]
        return out

    def answer(self, st, ids: np.ndarray):
        """Decide every parked instance in ``ids``; returns the state (grown if needed)."""
        self.st = st
        calls: list[tuple[int, object, tuple, str]] = []
        ids = self.answer_batches(ids)
        for i in ids.tolist():
            park = st.C[i, K.PARK]
            if park == K.P_CALL or park == K.P_JITERR:
                call = self.step_call(i)
                if call is not None:
                    calls.append(call)
            elif park == K.P_COMPCALL or park == K.P_COMPJITERR:
                calls.append(self.comp_call(i))
            elif park == K.P_EVAL:
                self.host_step(i)
            elif park == K.P_GROW:
                from coordlang.runtime.compiled.state import ensure

                st = self.st = ensure(st, comp=len(ids))
                st.C[i, K.ACTION] = K.A_SUCCESS
            elif park == K.P_CHILD:
                self.child_ended(i)
            elif park == K.P_ROOM:
                from coordlang.runtime.compiled.state import ensure

                st = self.st = ensure(st, rows=64 * self.plan.rows, lanes=64)
                st.C[i, K.ACTION] = K.A_CONTINUE
            elif park == K.P_EMIT_ROOM:
                from coordlang.runtime.compiled.state import ensure

                st = self.st = ensure(st, emitted=len(st.em_next))
                st.C[i, K.ACTION] = K.A_CONTINUE
            else:
                raise AssertionError(f"instance {i} parked for {park}")
        for i, ok, value in self.attempt_calls(calls):
            self.outcome(i, ok, value)
        return self.st

    def attempt_calls(self, calls: list[tuple[int, BoundHandler, tuple, str]]) -> list[tuple[int, bool, object]]:
        """An attempt of each call ((row, handler, arguments, idempotency key)): (row, True,
        result) or (row, False, error), in the order the outcomes apply: plain and async calls
        in parking order, then each batch handler's rows."""
        batches: dict[str, list] = {}
        awaited = [call for call in calls if call[1].is_async]
        if awaited:
            if self._loop is None:
                self._loop = HandlerLoop()
            results = self._loop.attempt_all([call[1:] for call in awaited], self.concurrency)
            answers = {call[0]: (ok, value if ok else from_exception(value)) for call, (ok, value) in zip(awaited, results)}
        out: list[tuple[int, bool, object]] = []
        for call in calls:
            i, handler, args, key = call
            if handler.definition.mode == "batch":
                batches.setdefault(handler.definition.name, []).append(call)
            elif handler.is_async:
                out.append((i, *answers[i]))
            else:
                out.append((i, *_attempt(handler, args, key, self._loop)))
        for group in batches.values():
            out += [(i, *result) for (i, _, _, _), result in zip(group, call_batch(group))]
        return out

    def step_ended(self, i: int, status: str | None) -> None:
        """Row ``i``'s step ended on the host's decision (``error``; ``ok`` for a compensation),
        or (None) never began: its arguments did not evaluate. The kernel traces the rest."""

    def answer_batches(self, ids: np.ndarray) -> np.ndarray:
        """Answer the parked calls of batch handlers whose arguments the kernel evaluated, a
        handler at a time with columns; returns the instances left to answer one by one."""
        st = self.st
        calls = ids[st.C[ids, K.PARK] == K.P_CALL]
        if len(calls) == 0:
            return ids
        codes = st.I[calls, K.MACH] * (1 << 32) + st.I[calls, K.PC]
        groups: dict[str, list] = {}
        done = []
        for code in np.unique(codes).tolist():
            site = self.plan.do_sites[(code >> 32, code & 0xFFFFFFFF)]
            if site.args is None or site.handler.mode != "batch":
                continue
            rows = calls[codes == code]
            groups.setdefault(site.handler.name, []).append((site, rows))
            done.append(rows)
        if not groups:
            return ids
        for name, parts in groups.items():
            answer_batch(self, name, parts)
        return ids[~np.isin(ids, np.concatenate(done))]

    def step_call(self, i: int):
        st = self.st
        m = st.I[i, K.MACH]
        pc = st.I[i, K.PC]
        site = self.plan.do_sites[(m, pc)]
        attempt = int(st.C[i, K.ATTEMPT])
        runs_col = self.plan.machines[m].runs[site.instr.step]
        if site.args is not None:
            args = tuple(self.codec.decode(kind, st.F[i, col] if where == "F" else st.I[i, col])
                         for kind, where, col in site.args)
        elif attempt == 1:
            try:
                args = tuple(self.evaluate(i, a, st.FC[i, K.PARK_T]) for a in site.instr.args)
            except ExpressionError as exc:
                self.step_ended(i, None)
                self.raise_(i, self.expression_error(exc, site.instr.sid))
                return None
            st.I[self.owner(i), runs_col] += 1
            self.host_args[i] = args
        else:
            args = self.host_args[i]
        label = self.label(site.instr.step, int(st.I[self.owner(i), runs_col]))
        key = f"{self.key(i)}:{label}:{attempt}"
        handler = self.handlers[site.handler.name]
        if st.C[i, K.PARK] == K.P_JITERR:
            result = _attempt(handler, args, key)
            if result[0]:
                raise CompiledRuntimeError(f"jit handler {handler.definition.name}{args!r} raised inside numba "
                                           "but returns normally in Python")
            self.outcome(i, *result)
            return None
        return (i, handler, args, key)

    def comp_call(self, i: int):
        st = self.st
        m = st.I[i, K.MACH]
        e = st.C[i, K.UNDO]
        site = self.plan.do_sites[(m, int(st.cp_I[e, 0]))]
        comp = site.comp
        assert comp is not None
        args = tuple(self.codec.decode(kind, st.cp_F[e, col] if where == "F" else st.cp_I[e, col])
                     for kind, where, col in comp.args)
        label = self.label(int(st.cp_I[e, 1]), int(st.cp_I[e, 2])) + "c"
        key = f"{self.key(i)}:{label}:{int(st.C[i, K.ATTEMPT])}"
        return (i, self.handlers[comp.handler.name], args, key)

    def outcome(self, i: int, ok: bool, value: object) -> None:
        """Write a call's result, or decide its retry."""
        st = self.st
        park = st.C[i, K.PARK]
        m = st.I[i, K.MACH]
        if park == K.P_COMPCALL or park == K.P_COMPJITERR:
            self.comp_outcome(i, m, ok, value)
            return
        site = self.plan.do_sites[(m, st.I[i, K.PC])]
        instr = site.instr
        if ok:
            self.host_args.pop(i, None)
            if site.result is not None:
                self.result(i, site.result, value, f"the result of handler {instr.handler}")
            st.C[i, K.ACTION] = K.A_SUCCESS
            return
        assert isinstance(value, ErrorValue)
        self.retry_or_raise(i, value, instr.policy, instr.step, instr.timeout, f"do {instr.handler}")

    def result(self, i: int, kind: str, value: object, what: str) -> None:
        """A value for the kernel to store where row ``i`` parked (RES or RES_F, by kind)."""
        encoded = self.codec.encode(kind, value, what)
        if kind == "f":
            self.st.FC[i, K.RES_F] = encoded
        else:
            self.st.C[i, K.RES] = encoded

    def retry_or_raise(self, i: int, err: ErrorValue, policy_name: str | None, step: int,
                       timeout: float | None, what: str) -> None:
        """After a failed attempt (of a ``do``, or a ``call``'s child): back off until the
        policy's next attempt, or raise, as the interpreter's ``retry_or_raise``."""
        st = self.st
        attempt = int(st.C[i, K.ATTEMPT])
        policy = self.policies.get(policy_name) if policy_name is not None else None
        if policy is not None and attempt < policy.attempts and retries_on(policy, err):
            delay = retry_delay(policy, attempt - 1, (self.key(i), step, attempt + 1))
            resume = st.FC[i, K.PARK_T] + delay
            if timeout is not None and resume > st.FC[i, K.STEP_START] + timeout:
                self.host_args.pop(i, None)
                self.step_ended(i, "error")
                self.raise_(i, error("Timeout", f"{what}: step timeout of {format_seconds(timeout)} "
                                     f"reached after {attempt} attempt(s); last error: {err.kind}: {err.message}"))
                return
            st.FC[i, K.RESUME_AT] = resume
            st.C[i, K.ACTION] = K.A_BACKOFF
            return
        self.host_args.pop(i, None)
        self.step_ended(i, "error")
        self.raise_(i, err)

    def child_ended(self, t: int) -> None:
        """Thread row ``t``'s child ended: its value into the call's variable (coerced to the
        variable's type), or ``ChildFailed`` with the child's message, retried by the call's
        policy (a new child after the backoff) or raised."""
        st = self.st
        c = int(st.C[t, K.CHILD]) - 1
        st.C[t, K.CHILD] = 0
        layout = self.plan.machines[st.I[t, K.MACH]]
        instr = layout.machine.code[st.I[t, K.PC]]
        assert isinstance(instr, ir.CallChild)
        status = int(st.I[c, K.STATUS])
        if status == K.ST_COMPLETED:
            if instr.target is not None:
                value = coerce(completed_value(self, c), layout.machine.slots[instr.target].type)
                self.result(t, layout.slots[instr.target].kind, value, f"the value of {instr.workflow}")
            st.C[t, K.ACTION] = K.A_CHILD
            return
        message = end_message(self, c) or STATUS_NAMES[status]
        self.retry_or_raise(t, error("ChildFailed", message), instr.policy, instr.step, None, f"call {instr.workflow}")

    def comp_outcome(self, i: int, m: int, ok: bool, value: object) -> None:
        st = self.st
        st.C[i, K.ACTION] = K.A_COMP_POP
        if ok:
            self.step_ended(i, "ok")
            return
        err = value
        assert isinstance(err, ErrorValue)
        e = st.C[i, K.UNDO]
        comp = self.plan.do_sites[(m, int(st.cp_I[e, 0]))].comp
        assert comp is not None
        attempt = int(st.C[i, K.ATTEMPT])
        policy = self.policies.get(comp.policy) if comp.policy is not None else None
        if policy is not None and attempt < policy.attempts and retries_on(policy, err):
            label = self.label(int(st.cp_I[e, 1]), int(st.cp_I[e, 2])) + "c"
            delay = retry_delay(policy, attempt - 1, (self.key(i), label, attempt + 1))
            st.FC[i, K.RESUME_AT] = st.FC[i, K.PARK_T] + delay
            st.C[i, K.ACTION] = K.A_BACKOFF
            return
        self.step_ended(i, "error")
        st.C[i, K.UNDO_FAILED] = 1
        layout = self.plan.machines[m]
        self.faults.append(f"{layout.machine.name} {self.key(i)!r}: compensation {comp.handler.name} failed after "
                           f"{attempt} attempt(s): {err.type}: {err.message}")

    def host_step(self, i: int) -> None:
        """An instruction on values only the host holds (strings built from parts)."""
        st = self.st
        m = st.I[i, K.MACH]
        pc = int(st.I[i, K.PC])
        layout = self.plan.machines[m]
        instr = layout.machine.code[pc]
        clock = st.FC[i, K.PARK_T]
        try:
            if isinstance(instr, ir.Assign):
                self.codec.store(st, self.owner(i), layout, instr.slot, self.evaluate(i, instr.value, clock))
                st.I[i, K.PC] = pc + 1
                st.C[i, K.ACTION] = K.A_CONTINUE
            elif isinstance(instr, ir.Branch):
                st.I[i, K.PC] = pc + 1 if self.evaluate(i, instr.cond, clock) else instr.otherwise
                st.C[i, K.ACTION] = K.A_CONTINUE
            elif isinstance(instr, ir.FailWith):
                self.raise_(i, error("Failed", str(self.evaluate(i, instr.message, clock))))
            elif isinstance(instr, ir.Complete):
                value = self.evaluate(i, instr.value, clock) if instr.value is not None else None
                self.completed[self.owner(i)] = value
                st.C[i, K.ACTION] = K.A_COMPLETE
            elif isinstance(instr, ir.Emit):
                self.emit_fields(i, layout, instr, clock)
                st.C[i, K.ACTION] = K.A_SUCCESS
            elif isinstance(instr, ir.CallChild):
                self.call_args(i, layout, instr, clock)
                st.C[i, K.ACTION] = K.A_SUCCESS
            else:
                raise AssertionError(f"no host step for {instr!r}")
        except ExpressionError as exc:
            self.raise_(i, self.expression_error(exc, instr.sid))


    def call_args(self, i: int, layout, instr: ir.CallChild, clock: float) -> None:
        """A child's arguments, coerced to its parameters' types as the interpreter does, into
        the calling thread's argument columns (the kernel starts the child from them)."""
        st = self.st
        callee = self.plan.machines[self.plan.workflows[instr.workflow]]
        for n, (expr, slot) in enumerate(zip(instr.args, callee.machine.params)):
            entry = callee.slots[slot]
            value = coerce(self.evaluate(i, expr, clock), entry.slot.type)
            encoded = self.codec.encode(entry.kind, value, f"the argument '{entry.slot.name}' of {instr.workflow}")
            if entry.kind == "f":
                st.F[i, layout.arg_f + n] = encoded
            else:
                st.I[i, layout.arg_i + n] = encoded

    def emit_fields(self, i: int, layout, instr: ir.Emit, clock: float) -> None:
        """An emitted event's fields, coerced to their declared types as the interpreter does,
        into the instance's argument columns (the kernel appends the event)."""
        st = self.st
        declared = self.tables.events[instr.event]
        event = self.plan.events[instr.event]
        for n, (name, expr) in enumerate(instr.fields):
            value = coerce(self.evaluate(i, expr, clock), declared.field_type(name) or "any")
            encoded = self.codec.encode(event.kinds[name], value, f"the field '{name}' of {instr.event}")
            if event.columns[name][0] == "F":
                st.F[i, layout.arg_f + n] = encoded
            else:
                st.I[i, layout.arg_i + n] = encoded


def _attempt(handler: BoundHandler, args: tuple, key: str, loop: HandlerLoop | None = None) -> tuple[bool, object]:
    """One attempt, as the interpreter makes it: (True, result) or (False, error)."""
    try:
        return True, handler.call(args, key, loop)
    except Exception as exc:  # any exception of a handler is the program's HandlerError
        return False, from_exception(exc)


def call_batch(group: list) -> list[tuple[bool, object]]:
    """One call of a batch handler for every row of ``group`` ((i, handler, args, key) each,
    arguments as Python values: host-evaluated steps and compensations), each row's result or
    error as a one-row call would give it (see ``batches.call``)."""
    handler = group[0][1]
    arrays = []
    for n, (_, kind) in enumerate(handler.definition.params):
        dtype = DTYPES.get(kind)
        if dtype is None:
            column = np.empty(len(group), dtype=object)
            column[:] = [row[2][n] for row in group]
        else:
            column = np.array([row[2][n] for row in group], dtype=dtype)
        arrays.append(column)
    keys = [row[3] for row in group]
    return batch_call(handler, arrays, lambda: keys)
