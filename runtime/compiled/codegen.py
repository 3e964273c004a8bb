"""Numba source for one machine: its run loop and the functions around it.

Per machine ``k`` of the plan:

- ``run_k(st, i, now, act, pc)`` runs instance ``i`` from ``pc`` until it blocks (a wait, a
  backoff), parks (the host has work: a plain or batch handler, a jit handler's exception, an
  instruction on strings) or ends. ``act`` carries the host's answer into the instruction it
  parked at (a result, a compensation done). Pseudo-pcs: ``PC_ESCAPE`` (an error left the
  instance) and ``PC_COMP`` (running compensations, newest first).
- ``catch_k(st, i, pc)`` sends the error in ERRK/ERRM/ERRT raised at ``pc`` to its catch (the
  try regions open at a pc are static: see ``flow.py``) and returns where to go on.
- ``match_k_p_T`` offers an event (a row of ``srcI``/``srcF``) to the wait at ``p``;
  ``deliver_k`` to the instance wherever it is (else to its inbox); ``fire_k`` fires its timer;
  ``start_k`` starts an instance; ``end_k`` ends one.

A machine with ``parallel``/``race`` (see ``forks.py``) runs threads, each a row of its own:
there ``run_k(st, t, now, act, pc)`` runs thread row ``t`` of instance ``i = OWNER`` and then the
instance's other ready threads (pseudo-pc ``PC_NEXT``; those of a machine that emits wait in
the kernel's run queue instead), ``catch_k(st, i, t, pc)`` takes the
thread's error, and ``deliver_k`` offers an event to the threads in creation order. What is the
running thread's own (pc, timer, step, error) is read and written at ``t``, what is the
instance's (slots, inboxes, compensations) at ``i``; without threads both are ``i``.
"""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import flow
from coordlang.runtime.compiled.columns import COLD_I
from coordlang.runtime.compiled.exprgen import ExprGen, Guard, HostOnly, Unsupported, can_raise
from coordlang.runtime.compiled.forks import ForkGen, has_threads
from coordlang.runtime.compiled.layout import MachineLayout
from coordlang.runtime.compiled.lines import NJIT, Lines
from coordlang.runtime.compiled.plan import Plan
from coordlang.runtime.compiled.stepgen import StepGen, _kind_name

__all__ = ["NJIT", "Lines", "MachineGen"]


class MachineGen(StepGen, ForkGen):
    def __init__(self, plan: Plan, layout: MachineLayout, place) -> None:
        self.plan = plan
        self.layout = layout
        self.k = layout.index
        self.code = layout.machine.code
        self.facts = layout.facts
        self.place = place
        self.strings = plan.strings
        self.out = Lines()
        self.sid = -1
        self.threads = has_threads(layout.machine)
        self.rows = layout.rows
        self.T = "t" if self.threads else "i"
        """The row of the running thread's own columns (pc, timer, step, error): the instance
        row itself in a machine without threads."""

    # ---------------------------------------------------------------- helpers

    def unsupported(self, pc: int, what: str) -> Unsupported:
        exc = Unsupported(what)
        exc.sid = self.code[pc].sid if 0 <= pc < len(self.code) else self.layout.machine.sid  # type: ignore[attr-defined]
        return exc

    def message(self, text: str) -> int:
        return self.strings.intern(f"{text} at {self.place(self.sid)}")

    def exprs(self, pc: int, guard: Guard | None = None, also: int | None = None) -> ExprGen:
        assigned = self.facts.assigned[pc] or frozenset()
        if also is not None:
            assigned = assigned | {also}
        return ExprGen(self.layout, self.strings, self.plan.events, assigned, self.message, guard)

    def kernel(self, pc: int, expr: ir.Expr, guard: Guard | None = None, also: int | None = None) -> tuple[str, str]:
        """Source of an expression the kernel must evaluate itself (``also``: a slot assigned
        by the instruction before the expression runs, a step's result)."""
        try:
            return self.exprs(pc, guard, also).gen(expr)
        except HostOnly as exc:
            raise self.unsupported(pc, f"{exc} here") from None
        except Unsupported as exc:
            raise self.unsupported(pc, str(exc)) from None

    def maybe(self, pc: int, expr: ir.Expr) -> tuple[str, str] | None:
        """Source of an expression, or None when only the host can evaluate it."""
        try:
            return self.exprs(pc).gen(expr)
        except HostOnly:
            return None
        except Unsupported as exc:
            raise self.unsupported(pc, str(exc)) from None

    def id(self, text: str) -> int:
        return self.strings.intern(text)

    def catch(self, pc: int | str) -> str:
        """The call sending the running thread's error raised at ``pc`` to its catch."""
        if self.threads:
            return f"catch_{self.k}(st, i, t, int64({pc}))"
        return f"catch_{self.k}(st, i, int64({pc}))"

    def blocked(self, depth: int) -> None:
        """The running thread blocked: the instance's next ready thread runs, if any."""
        if self.threads:
            self.out(depth, "pc = PC_NEXT")
            self.out(depth, "continue")
        else:
            self.out(depth, "return")

    # ---------------------------------------------------------------- the machine

    def generate(self) -> str:
        w = self.out
        k = self.k
        stacks: dict[tuple[int, ...], int] = {(): 0}
        for stack in self.facts.tries:
            if stack is not None and stack not in stacks:
                stacks[stack] = len(stacks)
        ids = [stacks[s] if s is not None else 0 for s in self.facts.tries] or [0]
        w(0, f"TRY_{k} = np.array({ids!r}, dtype=np.int64)")
        w(0, "")
        if self.threads:
            self.gen_fork_tables()
        self.gen_catch(stacks)
        self.gen_end()
        self.gen_run()
        self.gen_matches()
        self.gen_deliver()
        if self.layout.unit.startswith("stream#"):
            from coordlang.runtime.compiled import streams

            win = self.plan.windows[int(self.layout.unit[len("stream#"):])]
            w.out.append(streams.generate(win, self.strings, self.plan.events, self.layout, self.stream_message))
            return w.text()
        self.gen_fire()
        self.gen_start()
        if self.activation:
            self.gen_react()
        return w.text()

    def stream_message(self, text: str) -> int:
        return self.strings.intern(f"{text} at {self.place(self.layout.machine.sid)}")

    def gen_catch(self, stacks: dict[tuple[int, ...], int]) -> None:
        w = self.out
        w(0, NJIT)
        T = self.T
        w(0, f"def catch_{self.k}(st, i, {'t, ' if self.threads else ''}pc):")
        w(1, f"st.C[{T}, ATTEMPT] = 0")
        w(1, f"kind = st.C[{T}, ERRK]")
        w(1, f"s = TRY_{self.k}[pc]")
        for stack, number in stacks.items():
            if not stack:
                continue
            w(1, f"if s == {number}:")
            for enter in reversed(stack):
                instr = self.code[enter]
                assert isinstance(instr, ir.TryEnter)
                for catch in instr.catches:
                    depth = 2
                    if catch.kind is not None:
                        w(2, f"if kind == {self.id(catch.kind)}:")
                        depth = 3
                    if catch.slot is not None:
                        col = self.layout.slots[catch.slot].col
                        if self.layout.slots[catch.slot].kind != "error":
                            raise self.unsupported(enter, "a catch into a variable that is not an error")
                        w(depth, f"st.I[i, {col}] = kind")
                        w(depth, f"st.I[i, {col + 1}] = st.C[{T}, ERRM]")
                        w(depth, f"st.I[i, {col + 2}] = st.C[{T}, ERRT]")
                    w(depth, f"return {catch.target}")
        w(1, "return PC_ESCAPE")
        w(0, "")

    def gen_end(self) -> None:
        w = self.out
        w(0, NJIT)
        w(0, f"def end_{self.k}(st, i, status, now, pc):")
        w(1, "tr(st, i, int64(TR_END), status, now)")
        w(1, "st.I[i, STATUS] = status")
        w(1, "st.I[i, STATE] = T_DONE")
        w(1, "st.C[i, ENDPC] = pc")
        w(1, "st.FC[i, END_T] = now")
        w(1, "heap_remove(st, i)")
        for base in self.layout.inbox.values():
            w(1, f"ib_clear(st, i, int64({base}))")
        w(1, "cp_clear(st, i)")
        if self.threads:
            w(1, f"th_clear(st, i, int64({self.rows}))")
        if self.activation:
            w(1, "row_free(st, i)")
        elif self.plan.calls:
            # Its threads' children are cancelled (th_clear, drop_child); its caller learns of
            # its end unless the caller is the one that cancelled it.
            w(1, "drop_child(st, i)")
            w(1, "lane_unlink(st, st.I[i, WF], st.I[i, KEY], i)")
            w(1, "child_done(st, i, now)")
        else:
            w(1, "tb_del(st, st.I[i, WF], st.I[i, KEY])")
        w(0, "")

    # ---------------------------------------------------------------- the run loop

    def gen_run(self) -> None:
        w = self.out
        k = self.k
        w(0, NJIT)
        if self.threads:
            w(0, f"def run_{k}(st, t, now, act, pc):")
            w(1, "i = st.C[t, OWNER]")
        else:
            w(0, f"def run_{k}(st, i, now, act, pc):")
        w(1, "err = st.ERR")
        w(1, "while True:")
        if self.threads:
            w(2, "if pc == PC_NEXT:")
            w(3, "t = tq_pop(st, i)")
            w(3, "if t < 0:")
            w(4, "return")
            w(3, "I[t, STATE] = T_RUN")
            w(3, "pc = I[t, PC]")
            w(3, "act = 0")
            w(3, "continue")
            w(2, "if pc == PC_ESCAPE and t != i:")
            w(3, "t = th_raise_up(st, i, t, now)")
            w(3, f"pc = {self.catch('I[t, PC]')}")
            # The forking thread that catches the error is woken (last in the run queue), as the
            # interpreter's; one that does not raises it on at once.
            w(3, "if pc != PC_ESCAPE:")
            w(4, f"th_wake(st, i, t, pc, int64({self.shared}))")
            w(4, "pc = PC_NEXT")
            w(3, "continue")
        w(2, "if pc == PC_ESCAPE:")
        w(3, "st.C[i, ATTEMPT] = 0")
        w(3, "if st.C[i, UNDO] < 0:")
        w(4, f"end_{k}(st, i, int64(ST_FAILED), now, int64(-1))")
        w(4, "return")
        w(3, "st.I[i, STATUS] = ST_COMPENSATING")
        if self.plan.calls:
            # The interpreter compensates in a thread of its own, queued last: what the queue
            # holds runs first, and with calls that order shows (children start and end).
            w(3, "st.I[i, STATE] = T_READY")
            w(3, "rq_push(st, i, int64(PC_COMP), int64(0))")
            w(3, "return")
        w(3, "pc = PC_COMP")
        self.gen_compensating()
        for pc, instr in enumerate(self.code):
            if self.facts.tries[pc] is None:
                continue  # unreachable
            self.sid = instr.sid
            w(2, f"elif pc == {pc}:")
            method = getattr(self, "gen_" + type(instr).__name__.lower(), None)
            if method is None:
                raise self.unsupported(pc, _construct(instr))
            method(pc, instr)
        w(2, "else:")
        w(3, "return")
        w(0, "")

    def raise_here(self, depth: int, pc: int) -> None:
        """The expression error in ``err`` is raised at ``pc``."""
        self.out(depth, f"raise_pending(st, {self.T}, now)")
        self.out(depth, f"pc = {self.catch(pc)}")
        self.out(depth, "continue")

    def check(self, depth: int, pc: int) -> None:
        self.out(depth, "if err[0] != 0:")
        self.raise_here(depth + 1, pc)

    def park(self, depth: int, kind: str, pc: int | str) -> None:
        self.out(depth, f"park(st, {self.T}, int64({kind}), now, int64({pc}))")
        if self.threads:
            self.out(depth, "if t != i:")
            self.out(depth + 1, "I[i, STATE] = T_PARKED")
        if self.k in self.plan.barriers:
            # What this instance does next may emit, or end a child whose caller goes on: nothing
            # else may happen before it.
            self.out(depth, "st.SI[S_STOP] = STOP_BARRIER")
        self.out(depth, "return")

    @property
    def activation(self) -> bool:
        """A reaction's run: no lane, no outcome; its row is freed when it ends."""
        return self.k >= self.plan.workflow_count

    def store(self, depth: int, slot: int, code: str, kind: str, pc: int) -> None:
        entry = self.layout.slots[slot]
        if entry.kind != kind:
            name = _kind_name(kind)
            raise self.unsupported(pc, f"{'an' if name[0] in 'aeiou' else 'a'} {name} value stored in '{entry.slot.name}' "
                                       f"of type {entry.slot.type}")
        if kind == "f":
            self.out(depth, f"st.F[i, {entry.col}] = {code}")
        elif kind == "b":
            self.out(depth, f"st.I[i, {entry.col}] = 1 if {code} else 0")
        else:
            self.out(depth, f"st.I[i, {entry.col}] = {code}")

    def gen_assign(self, pc: int, instr: ir.Assign) -> None:
        entry = self.layout.slots[instr.slot]
        if entry.kind is None:
            raise self.unsupported(pc, f"variable '{entry.slot.name}' of type {entry.slot.type}")
        value = self.maybe(pc, instr.value)
        if value is None:
            self.plan.host_steps[(self.k, pc)] = "assign"
            self.park(3, "P_EVAL", pc)
            return
        code, kind = value
        self.out(3, f"v{pc} = {code}")
        self.check(3, pc)
        self.store(3, instr.slot, f"v{pc}", kind, pc)
        self.out(3, f"pc = {pc + 1}")

    def gen_branch(self, pc: int, instr: ir.Branch) -> None:
        value = self.maybe(pc, instr.cond)
        if value is None:
            self.plan.host_steps[(self.k, pc)] = "branch"
            self.park(3, "P_EVAL", pc)
            return
        code, kind = value
        self.out(3, f"c{pc} = {code if kind == 'b' else f'({code} != 0)'}")
        self.check(3, pc)
        self.out(3, f"pc = {pc + 1} if c{pc} else {instr.otherwise}")

    def gen_jump(self, pc: int, instr: ir.Jump) -> None:
        self.out(3, f"pc = {instr.target}")

    def gen_tryenter(self, pc: int, instr: ir.TryEnter) -> None:
        self.out(3, f"pc = {pc + 1}")

    gen_tryexit = gen_tryenter

    def gen_complete(self, pc: int, instr: ir.Complete) -> None:
        w = self.out
        key = (self.k, pc)
        if instr.value is None:
            self.plan.complete_kinds[key] = None
        else:
            value = self.maybe(pc, instr.value)
            if value is None:
                assigned = self.facts.assigned[pc] or frozenset()
                if can_raise(instr.value, assigned):
                    self.plan.host_steps[key] = "complete"
                    self.park(3, "P_EVAL", pc)
                    return
                self.plan.complete_kinds[key] = "render"
            else:
                code, kind = value
                self.plan.complete_kinds[key] = kind
                w(3, f"v{pc} = {code}")
                self.check(3, pc)
                if kind == "f":
                    w(3, f"st.FC[i, VAL_F] = v{pc}")
                elif kind == "b":
                    w(3, f"st.C[i, VAL] = 1 if v{pc} else 0")
                else:
                    w(3, f"st.C[i, VAL] = v{pc}")
        w(3, f"end_{self.k}(st, i, int64(ST_COMPLETED), now, int64({pc}))")
        w(3, "return")

    def gen_failwith(self, pc: int, instr: ir.FailWith) -> None:
        w = self.out
        failed = self.id("Failed")
        value = self.maybe(pc, instr.message)
        if value is not None and value[1] == "s":
            w(3, f"m{pc} = int64({value[0]})")
            self.check(3, pc)
        else:
            assigned = self.facts.assigned[pc] or frozenset()
            catch = flow.first_catch(self.code, self.facts.tries[pc] or (), "Failed")
            if can_raise(instr.message, assigned) or (catch is not None and catch.slot is not None):
                self.plan.host_steps[(self.k, pc)] = "fail"
                self.park(3, "P_EVAL", pc)
                return
            w(3, f"m{pc} = int64({-(pc + 2)})")  # rendered by the host from the slots, which no longer change
        w(3, f"set_error(st, {self.T}, int64({failed}), m{pc}, int64({failed}), now)")
        w(3, f"pc = {self.catch(pc)}")

    def gen_raise(self, pc: int, instr: ir.Raise) -> None:
        kind = self.id(instr.kind)
        self.out(3, f"set_error(st, {self.T}, int64({kind}), int64({self.id(instr.message)}), int64({kind}), now)")
        self.out(3, f"pc = {self.catch(pc)}")

    # ---------------------------------------------------------------- waits

    def gen_wait(self, pc: int, instr: ir.Wait) -> None:
        w = self.out
        seen: list[str] = []
        for clause in instr.clauses:
            if clause.event not in seen:
                seen.append(clause.event)
        w(3, "taken = -1")
        for event in seen:
            base = self.layout.inbox[event]
            w(3, "if taken == -1:")
            w(4, f"while st.I[i, {base + 2}] > 0:")
            w(5, f"r = ib_pop(st, i, int64({base}))")
            w(5, f"got = match_{self.k}_{pc}_{self.plan.events[event].index}(st, i, st.ib_I, st.ib_F, r, now)")
            w(5, "ib_free(st, r)")
            w(5, "if got != -1:")
            w(6, "taken = got")
            w(6, "break")
            w(5, "st.CT[C_REJECTED] += 1")
        if seen:
            w(3, "if taken == -2:")
            self.raise_here(4, pc)
            w(3, "if taken >= 0:")
            w(4, f"tr(st, {self.T}, int64(TR_BEGIN), int64({pc}), now)")
            w(4, f"tr(st, {self.T}, int64(TR_OK), int64(0), now)")
            w(4, "pc = taken")
            w(4, "continue")
        if instr.timer is not None:
            code, kind = self.kernel(pc, instr.timer.delay)
            if kind == "s":
                raise self.unsupported(pc, "a timer delay that is a string")
            w(3, f"d{pc} = float({code})")
            self.check(3, pc)
            w(3, f"if 0.0 > d{pc}:")  # Python's max(d, 0.0) keeps a NaN
            w(4, f"d{pc} = 0.0")
            w(3, f"heap_push(st, {self.T}, now + d{pc}, int64(TK_WAIT))")
        w(3, f"tr(st, {self.T}, int64(TR_BEGIN), int64({pc}), now)")
        w(3, f"st.I[{self.T}, STATE] = T_WAITING")
        w(3, f"st.I[{self.T}, PC] = {pc}")
        self.blocked(3)

    def gen_matches(self) -> None:
        w = self.out
        for pc, instr in enumerate(self.code):
            if not isinstance(instr, ir.Wait) or self.facts.tries[pc] is None:
                continue
            self.sid = instr.sid
            for event in dict.fromkeys(c.event for c in instr.clauses):
                layout = self.plan.events[event]
                w(0, NJIT)
                w(0, f"def match_{self.k}_{pc}_{layout.index}(st, i, srcI, srcF, r, now):")
                w(1, "err = st.ERR")
                for clause in instr.clauses:
                    if clause.event != event:
                        continue
                    depth = 1
                    if clause.guard is not None:
                        code, kind = self.kernel(pc, clause.guard, Guard(clause.slot, layout))
                        w(1, f"g = {code if kind == 'b' else f'({code} != 0)'}")
                        w(1, "if err[0] != 0:")
                        w(2, "return -2")
                        w(1, "if g:")
                        depth = 2
                    entry = self.layout.slots[clause.slot]
                    if entry.kind != "event":
                        raise self.unsupported(pc, "an event stored in a variable that is not an event")
                    for name, (where, col) in entry.fields.items():
                        src_where, src_col = layout.columns[name]
                        src = "srcI" if src_where == "I" else "srcF"
                        dst = "st.I" if where == "I" else "st.F"
                        w(depth, f"{dst}[i, {col}] = {src}[r, {src_col}]")
                    w(depth, f"st.I[i, {entry.col}] = 1")
                    w(depth, f"return {clause.target}")
                w(1, "return -1")
                w(0, "")

    def gen_deliver(self) -> None:
        if self.threads:
            self.gen_deliver_threads()
            return
        w = self.out
        k = self.k
        w(0, NJIT)
        w(0, f"def deliver_{k}(st, i, T, srcI, srcF, r, now):")
        w(1, '"""Offer an event to instance i: the pc to run it from, or NO_RUN."""')
        waits = [(pc, instr) for pc, instr in enumerate(self.code)
                 if isinstance(instr, ir.Wait) and self.facts.tries[pc] is not None]
        if waits:
            w(1, "if st.I[i, STATE] == T_WAITING:")
            w(2, "p = st.I[i, PC]")
            for pc, instr in waits:
                for event in dict.fromkeys(c.event for c in instr.clauses):
                    index = self.plan.events[event].index
                    w(2, f"if p == {pc} and T == {index}:")
                    w(3, f"t = match_{k}_{pc}_{index}(st, i, srcI, srcF, r, now)")
                    w(3, "if t == -1:")
                    w(4, "st.CT[C_REJECTED] += 1")
                    w(4, "return NO_RUN")
                    w(3, "heap_remove(st, i)")
                    w(3, "st.I[i, STATE] = T_RUN")
                    w(3, "if t != -2:")
                    w(4, "tr(st, i, int64(TR_OK), int64(0), now)")
                    w(3, "if t == -2:")
                    w(4, "raise_pending(st, i, now)")
                    w(4, f"t = catch_{k}(st, i, int64({pc}))")
                    w(3, "return t")
        for event, base in self.layout.inbox.items():
            w(1, f"if T == {self.plan.events[event].index}:")
            w(2, f"ib_push(st, i, int64({base}), srcI, srcF, r)")
        w(1, "return NO_RUN")
        w(0, "")

    def gen_fire(self) -> None:
        w = self.out
        k = self.k
        w(0, NJIT)
        w(0, f"def fire_{k}(st, i):")
        w(1, '"""Instance i\'s timer fired: the pc to run it from."""')
        w(1, "st.I[i, STATE] = T_RUN")
        w(1, "pc = st.I[i, PC]")
        w(1, "if st.I[i, TKIND] == TK_WAIT:")
        w(2, "tr(st, i, int64(TR_TIMER), int64(0), st.F[i, DEADLINE])")
        w(2, "p = pc")
        for pc, instr in enumerate(self.code):
            if isinstance(instr, ir.Wait) and instr.timer is not None and self.facts.tries[pc] is not None:
                w(2, f"if p == {pc}:")
                w(3, f"pc = {instr.timer.target}")
        w(1, "return pc")
        w(0, "")

    def gen_start(self) -> None:
        w = self.out
        k = self.k
        lay = self.layout
        machine = lay.machine
        w(0, NJIT)
        w(0, f"def start_{k}(st, key, srcI, srcF, r, order):")
        w(1, '"""A new instance, ready to run from pc 0."""')
        if self.threads:
            # A fixed run of rows (the instance and its threads), never freed: fresh rows.
            w(1, "i = st.SI[S_ROWS]")
            w(1, f"st.SI[S_ROWS] = i + {self.rows}")
            w(1, "I = st.I")
            w(1, f"th_init(st, i, int64({self.rows}), int64({k}), key, int64({lay.wf}))")
        else:
            w(1, "i = row_new(st)")
            w(1, "I = st.I")
            w(1, "if I[i, MACH] == FREE_ROW:")
            w(2, "I[i, :] = 0")
            w(2, "st.F[i, :] = 0.0")
            w(2, "st.C[i, :] = 0")
            w(2, "st.FC[i, :] = 0.0")
        sets = {"MACH": k, "STATE": "T_RUN", "STATUS": "ST_RUNNING", "KEY": "key", "WF": lay.wf,
                "START": "order", "TSEQ": -1, "ERRK": -1, "ERRM": -1, "ERRT": -1, "UNDO": -1, "DEFH": -1,
                "DEFT": -1, "ENDPC": -1}
        for name, value in sets.items():
            w(1, f"{'st.C' if name in COLD_I else 'I'}[i, {name}] = {value}")
        for base in lay.inbox.values():
            w(1, f"I[i, {base}] = -1")
            w(1, f"I[i, {base + 1}] = -1")
        for entry in lay.slots:
            if entry.kind == "error":
                w(1, f"I[i, {entry.col}] = -1")
        trigger = machine.trigger_slot
        if trigger is not None:
            entry = lay.slots[trigger]
            event = self.plan.events[machine.trigger or ""]
            for name, (where, col) in entry.fields.items():
                src_where, src_col = event.columns[name]
                src = "srcI" if src_where == "I" else "srcF"
                dst = "I" if where == "I" else "st.F"
                w(1, f"{dst}[i, {col}] = {src}[r, {src_col}]")
            w(1, f"I[i, {entry.col}] = 1")
        if self.plan.calls and not self.activation:
            w(1, f"lane_link(st, int64({lay.wf}), key, i)")
        elif not self.activation:
            w(1, f"tb_put(st, int64({lay.wf}), key, i)")
        w(1, "return i")
        w(0, "")

    def gen_react(self) -> None:
        """``react_k``: the reaction's guard on the routed event (a row of ``srcI``/``srcF``),
        then its run: the row to run from pc 0, or -1. A guard that raises ends nothing: the
        run does not start (the interpreter lists it in its faults)."""
        w = self.out
        k = self.k
        machine = self.layout.machine
        w(0, NJIT)
        w(0, f"def react_{k}(st, srcI, srcF, r, ordinal):")
        w(1, "err = st.ERR")
        reaction = self.plan.program.reactions[k - self.plan.workflow_count]
        if reaction.guard is not None:
            self.sid = reaction.sid
            event = self.plan.events[machine.trigger or ""]
            try:
                code, kind = self.exprs(0, Guard(machine.trigger_slot or 0, event)).gen(reaction.guard)
            except HostOnly as exc:
                raise self.unsupported(-1, f"{exc} in the guard of a reaction") from None
            except Unsupported as exc:
                raise self.unsupported(-1, str(exc)) from None
            w(1, f"g = {code if kind == 'b' else f'({code} != 0)'}")
            w(1, "if err[0] != 0:")
            w(2, "err[0] = 0")
            w(2, f"tr(st, int64(0), int64(TR_FAULT), int64({k}), st.SF[SF_CLOCK])")
            w(2, "return -1")
            w(1, "if not g:")
            w(2, "return -1")
        w(1, f"return start_{k}(st, ordinal, srcI, srcF, r, int64(-1))")
        w(0, "")

    def gen_emit(self, pc: int, instr: ir.Emit) -> None:
        """Append the event to the emitted queue (routed after the current work, in order);
        fields the kernel cannot compute (strings built from parts) the host evaluates into
        the argument columns first."""
        w = self.out
        event = self.plan.events.get(instr.event)
        if event is None:
            raise self.unsupported(pc, f"emit of an undeclared event {instr.event}")
        w(3, "if not em_room(st):")
        self.park(4, "P_EMIT_ROOM", pc)
        values = []
        for n, (name, expr) in enumerate(instr.fields):
            kind = event.kinds.get(name, "?")
            if kind == "?":
                raise self.unsupported(pc, f"the field '{name}' of type {event.definition.field_type(name)} "
                                           f"in emit {instr.event}")
            values.append(self.maybe(pc, expr))
        host = any(v is None for v in values)
        targets = []
        for n, (name, _) in enumerate(instr.fields):
            where, col = event.columns[name]
            targets.append((event.kinds[name], where, col, (self.layout.arg_f if where == "F" else self.layout.arg_i) + n))
        if host:
            self.plan.host_steps[(self.k, pc)] = "emit"
            w(3, "if act != A_SUCCESS:")
            self.park(4, "P_EVAL", pc)
            w(3, "act = 0")
            for n, (kind, where, col, arg) in enumerate(targets):
                w(3, f"f{n}_{pc} = {'st.F' if where == 'F' else 'st.I'}[{self.T}, {arg}]")
        else:
            for n, ((code, kind), (target, where, col, _)) in enumerate(zip(values, targets)):
                if target == "f" and kind != "f":
                    code = f"float({code})"
                elif target != "f" and kind == "f":
                    raise self.unsupported(pc, f"a float for the {_kind_name(target)} field "
                                               f"'{instr.fields[n][0]}' of {instr.event}")
                elif (target == "s") != (kind == "s"):
                    raise self.unsupported(pc, f"a {_kind_name(kind)} for the {_kind_name(target)} field "
                                               f"'{instr.fields[n][0]}' of {instr.event}")
                if target == "b":
                    code = f"(1 if {code} else 0)"
                w(3, f"f{n}_{pc} = {code}")
            self.check(3, pc)
        w(3, f"e{pc} = em_push(st, int64({event.index}))")
        for n, (kind, where, col, _) in enumerate(targets):
            w(3, f"st.em_{where}[e{pc}, {col}] = f{n}_{pc}")
        w(3, f"pc = {pc + 1}")


def _construct(instr: ir.Instr) -> str:
    if isinstance(instr, ir.Fork):
        return "race" if instr.race else "parallel"
    if isinstance(instr, ir.CallChild):
        return f"call {instr.workflow}"
    if isinstance(instr, ir.Emit):
        return f"emit {instr.event}"
    return type(instr).__name__
