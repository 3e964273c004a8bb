"""``parallel`` and ``race`` in the compiled kernel: how many threads a machine needs, and the
numba source of its forks, branch ends and event delivery to threads.

A machine with a ``Fork`` gets, per instance, a fixed run of rows: the instance row (the main
thread) and one row per other thread that can be alive at once (see ``kernel_threads.py``). The
count is static: a thread's region (its code up to its ``EndBranch``, without the code of the
branches it starts) needs itself plus, at its widest fork, the sum of what each branch needs.
Threads made ready (branches, a parent at its join or catching its branch's error) wait in their
instance's queue, or, for a machine that emits, in the kernel's run queue among every instance's
runs (``ForkGen.shared``; docs/runtime.md, "Threads with emits, reactions and streams").

A mixin of :class:`~coordlang.runtime.compiled.codegen.MachineGen`: it uses the generator's
``out``, ``plan``, ``k``, ``code``, ``facts``, ``layout`` and ``rows`` (this machine's
``thread_rows``); the generated code names the instance row ``i`` and the running thread's ``t``.
"""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import flow
from coordlang.runtime.compiled.lines import NJIT


def has_threads(machine: ir.Machine) -> bool:
    return any(isinstance(instr, ir.Fork) for instr in machine.code)


def thread_rows(machine: ir.Machine, facts: flow.Facts) -> int:
    """The most threads of one instance alive at once (1 without forks)."""
    code = machine.code
    memo: dict[int, int] = {}

    def region(entry: int) -> int:
        if entry in memo:
            return memo[entry]
        memo[entry] = 1  # a cycle back to an entry adds nothing
        seen = {entry}
        work = [entry]
        widest = 0
        while work:
            pc = work.pop()
            instr = code[pc]
            if isinstance(instr, ir.Fork):
                widest = max(widest, sum(region(b) for b in instr.branches))
                nexts = [instr.join]
            elif isinstance(instr, ir.EndBranch):
                nexts = []
            else:
                nexts = [target for target, _ in flow.successors(code, pc)]
                if isinstance(instr, flow.RAISING):
                    for enter in facts.tries[pc] or ():
                        nexts += [c.target for c in code[enter].catches]  # type: ignore[union-attr]
            for target in nexts:
                if target not in seen and 0 <= target < len(code):
                    seen.add(target)
                    work.append(target)
        memo[entry] = 1 + widest
        return memo[entry]

    return region(0) if code else 1


class ForkGen:
    @property
    def shared(self) -> int:
        """1 when the machine's threads wait in the kernel's run queue (it emits: the order of
        its threads among other instances' runs shows), 0 for the instance's own queue."""
        return 1 if self.k in self.plan.barriers else 0

    def gen_fork(self, pc: int, instr: ir.Fork) -> None:
        w = self.out
        if not instr.branches:
            w(3, f"pc = {instr.join}")
            return
        for entry in instr.branches:
            w(3, f"th_new(st, i, int64({self.rows}), t, int64({entry}), int64({self.shared}))")
        w(3, f"C[t, NBR] = {len(instr.branches)}")
        w(3, "I[t, STATE] = T_JOIN")
        w(3, f"I[t, PC] = {pc}")
        w(3, "pc = PC_NEXT")

    def gen_endbranch(self, pc: int, instr: ir.EndBranch) -> None:
        """The branch ends; a race's first branch to end cancels the others; the forking thread
        goes on at the join (last in the ready queue) once no branch is left."""
        w = self.out
        k = self.k
        w(3, "p = C[t, PARENT]")
        w(3, "th_free(st, i, t)")
        w(3, "C[p, NBR] -= 1")
        w(3, f"if RACE_{k}[I[p, PC]] != 0:")
        w(4, "th_cancel_branches(st, i, p, now)")
        w(3, "if C[p, NBR] == 0:")
        w(4, f"th_wake(st, i, p, JOIN_{k}[I[p, PC]], int64({self.shared}))")
        w(3, "pc = PC_NEXT")

    def gen_fork_tables(self) -> None:
        """Per pc: the join of the fork there, and whether it is a race."""
        joins = [instr.join if isinstance(instr, ir.Fork) else -1 for instr in self.code] or [-1]
        races = [1 if isinstance(instr, ir.Fork) and instr.race else 0 for instr in self.code] or [0]
        self.out(0, f"JOIN_{self.k} = np.array({joins!r}, dtype=np.int64)")
        self.out(0, f"RACE_{self.k} = np.array({races!r}, dtype=np.int64)")
        self.out(0, "")

    def gen_deliver_threads(self) -> None:
        """Offer an event to the threads of instance ``i`` in creation order: the first waiting
        with a clause for its type; its clauses' guards all false: ``rejected`` (the next thread
        waiting for the type is offered it first); no thread waits for it: the inbox."""
        w = self.out
        k = self.k
        w(0, NJIT)
        w(0, f"def deliver_{k}(st, i, T, srcI, srcF, r, now):")
        w(1, '"""Offer an event to instance i: the pc to run from (the thread in SI[S_RUNT]), or NO_RUN."""')
        waits = [(pc, instr) for pc, instr in enumerate(self.code)
                 if isinstance(instr, ir.Wait) and self.facts.tries[pc] is not None]
        w(1, "offered = False")
        if waits:
            w(1, "t = i")
            w(1, "while t >= 0:")
            w(2, "if I[t, STATE] == T_WAITING:")
            w(3, "p = I[t, PC]")
            w(3, "m = -3")
            for pc, instr in waits:
                for event in dict.fromkeys(c.event for c in instr.clauses):
                    index = self.plan.events[event].index
                    w(3, f"if p == {pc} and T == {index}:")
                    w(4, f"m = match_{k}_{pc}_{index}(st, i, srcI, srcF, r, now)")
            w(3, "if m == -1:")
            w(4, "offered = True")
            w(3, "elif m != -3:")
            w(4, "heap_remove(st, t)")
            w(4, "I[t, STATE] = T_RUN")
            w(4, "st.SI[S_RUNT] = t")
            w(4, "if m != -2:")
            w(5, "tr(st, t, int64(TR_OK), int64(0), now)")
            w(4, "if m == -2:")
            w(5, "raise_pending(st, t, now)")
            w(5, f"m = catch_{k}(st, i, t, p)")
            w(4, "return m")
            w(2, "t = C[t, TNEXT]")
        w(1, "if offered:")
        w(2, "st.CT[C_REJECTED] += 1")
        w(2, "return NO_RUN")
        for event, base in self.layout.inbox.items():
            w(1, f"if T == {self.plan.events[event].index}:")
            w(2, f"ib_push(st, i, int64({base}), srcI, srcF, r)")
        w(1, "return NO_RUN")
        w(0, "")
