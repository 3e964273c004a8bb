"""Numba source for the steps of a machine: ``do`` with its attempts (a jit handler called in
the kernel, a plain or batch handler's attempt parked for the host), the compensation it
registers, and the run loop's compensating state (newest compensation first).

A mixin of :class:`~coordlang.runtime.compiled.codegen.MachineGen`: it uses the generator's
``out``, ``plan``, ``layout``, ``maybe``/``kernel`` (expressions), ``park``, ``store`` and
``raise_here``.
"""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled.layout import kind_of
from coordlang.runtime.compiled.plan import CompSite, DoSite


class StepGen:
    def gen_do(self, pc: int, instr: ir.Do) -> None:
        w = self.out
        plan = self.plan
        handler = plan.handler(instr.handler)
        result = kind_of(handler.returns)
        if instr.target is not None and result is None:
            raise self.unsupported(pc, f"a result of type {handler.returns} stored in a variable")
        args: list[tuple[str, str, int]] | None = []
        codes: list[str] = []
        for n, expr in enumerate(instr.args):
            value = self.maybe(pc, expr)
            if value is None:
                args = None
                break
            code, kind = value
            where = "F" if kind == "f" else "I"
            col = (self.layout.arg_f if where == "F" else self.layout.arg_i) + n
            args.append((kind, where, col))
            codes.append(code)
        if handler.mode == "jit":
            if args is None:
                raise self.unsupported(pc, f"jit handler {handler.name} called with a string computed here")
            if any(kind == "s" for kind, _, _ in args) or kind_of(handler.returns) == "s":
                raise self.unsupported(pc, f"jit handler {handler.name} takes or returns strings")
        site = DoSite(self.k, pc, instr, handler, args, result if instr.target is not None else None)
        plan.do_sites[(self.k, pc)] = site
        runs = self.layout.runs[instr.step]
        w(3, "if act == A_SUCCESS:")
        w(4, "act = 0")
        if result is not None:
            w(4, f"res{pc} = {_result(result, self.T)}")
        w(3, "else:")
        w(4, f"if st.C[{self.T}, ATTEMPT] == 0:")
        if args is not None:
            for n, code in enumerate(codes):
                w(5, f"a{n}_{pc} = {code}")
            w(5, "if err[0] != 0:")
            self.raise_here(6, pc)
            for n, (kind, where, col) in enumerate(args):
                if where == "F":
                    w(5, f"st.F[{self.T}, {col}] = a{n}_{pc}")
                else:
                    w(5, f"st.I[{self.T}, {col}] = {f'1 if a{n}_{pc} else 0' if kind == 'b' else f'a{n}_{pc}'}")
            w(5, f"st.I[i, {runs}] += 1")
        w(5, f"st.FC[{self.T}, STEP_START] = now")
        w(5, f"tr(st, {self.T}, int64(TR_BEGIN), int64({pc}), now)")
        w(4, f"st.C[{self.T}, ATTEMPT] += 1")
        if handler.mode == "jit":
            function = plan.jit_handlers[handler.name]
            call_args = ", ".join(_read(kind, where, col, self.T) for kind, where, col in args or [])
            w(4, "ok = True")
            w(4, f"res{pc} = {_zero(result)}")
            w(4, "try:")
            if result is None:
                w(5, f"{function}({call_args})")
            else:
                w(5, f"res{pc} = {_convert(result, f'{function}({call_args})')}")
            w(4, "except Exception:")
            w(5, "ok = False")
            w(4, "if not ok:")
            self.park(5, "P_JITERR", pc)
        else:
            self.park(4, "P_CALL", pc)
        if instr.target is not None:
            self.store(3, instr.target, f"res{pc}", result or "", pc)
        if instr.compensation is not None:
            self.gen_register(pc, instr, site, result)
        w(3, f"tr(st, {self.T}, int64(TR_OK), int64(0), now)")
        w(3, f"st.C[{self.T}, ATTEMPT] = 0")
        w(3, f"pc = {pc + 1}")

    def gen_callchild(self, pc: int, instr: ir.CallChild) -> None:
        """Start a child (queued, as the interpreter wakes its first thread) and wait for it.
        Its end parks this thread for the host (``child_done``), which answers with the value
        (``A_CHILD``), a backoff before the next child, or ``ChildFailed`` raised here. The
        arguments are evaluated once, into this thread's argument columns, each of its
        parameter's kind: a retry starts the new child with the same ones."""
        w = self.out
        plan = self.plan
        T = self.T
        callee = plan.machines[plan.workflows[instr.workflow]]
        machine = callee.machine  # started by call only (the checker's W425)
        params = []
        for n, slot in enumerate(machine.params):
            entry = callee.slots[slot]
            if entry.kind not in ("i", "f", "b", "s"):
                raise self.unsupported(pc, f"the argument '{entry.slot.name}' of type {entry.slot.type} "
                                           f"of {instr.workflow}")
            where = "F" if entry.kind == "f" else "I"
            params.append((entry, where, (self.layout.arg_f if where == "F" else self.layout.arg_i) + n))
        codes: list[str] | None = []
        for n, expr in enumerate(instr.args):
            value = self.maybe(pc, expr)
            if value is None:
                codes = None
                break
            code, kind = value
            target = params[n][0].kind
            if target == "f" and kind in ("i", "b"):
                code = f"float({code})"
            elif target == "b" and kind == "b":
                code = f"(1 if {code} else 0)"
            elif target != kind:
                raise self.unsupported(pc, f"a {_kind_name(kind)} for the {_kind_name(target)} argument "
                                           f"'{params[n][0].slot.name}' of {instr.workflow}")
            codes.append(code)
        key_col = params[machine.key_param()][2]  # an int, str or bool: ensure_supported refused the rest
        if codes is None:
            plan.host_steps[(self.k, pc)] = "call"
        if instr.target is not None:
            result = self.layout.slots[instr.target].kind
            if result not in ("i", "f", "b", "s"):
                raise self.unsupported(pc, f"a child's value stored in '{self.layout.slots[instr.target].slot.name}'")
        w(3, "if act == A_CHILD:")
        w(4, "act = 0")
        w(4, f"tr(st, {T}, int64(TR_OK), int64(0), now)")
        if instr.target is not None:
            self.store(4, instr.target, _result(result, T), result, pc)
        w(4, f"st.C[{T}, ATTEMPT] = 0")
        w(4, f"pc = {pc + 1}")
        w(4, "continue")
        w(3, f"if not child_room(st, int64({callee.rows})):")
        self.park(4, "P_ROOM", pc)
        w(3, f"if st.C[{T}, ATTEMPT] == 0:")
        if codes is None:
            w(4, "if act != A_SUCCESS:")
            self.park(5, "P_EVAL", pc)
            w(4, "act = 0")
        else:
            for n, code in enumerate(codes):
                w(4, f"a{n}_{pc} = {code}")
            w(4, "if err[0] != 0:")
            self.raise_here(5, pc)
            for n, code in enumerate(codes):
                _, where, col = params[n]
                w(4, f"st.{where}[{T}, {col}] = a{n}_{pc}")
        w(3, f"if st.C[{T}, ATTEMPT] == 0:")
        w(4, f"tr(st, {T}, int64(TR_BEGIN), int64({pc}), now)")
        w(3, f"st.C[{T}, ATTEMPT] += 1")
        w(3, f"c{pc} = start_{callee.index}(st, st.I[{T}, {key_col}], st.em_I, st.em_F, int64(0), start_order(st))")
        for entry, where, col in params:
            w(3, f"st.{where}[c{pc}, {entry.col}] = st.{where}[{T}, {col}]")
        w(3, f"tr(st, c{pc}, int64(TR_START), int64({callee.index}), now)")
        w(3, f"st.C[c{pc}, CALLER] = {T} + 1")
        w(3, f"st.C[{T}, CHILD] = c{pc} + 1")
        w(3, f"st.I[c{pc}, STATE] = T_READY")
        w(3, f"rq_push(st, c{pc}, int64(0), int64(0))")
        w(3, f"st.I[{T}, STATE] = T_CHILD")
        w(3, f"st.I[{T}, PC] = {pc}")
        self.blocked(3)

    def gen_register(self, pc: int, instr: ir.Do, site: DoSite, result: str | None) -> None:
        """Push the compensation a completed step registers (its arguments evaluated now)."""
        w = self.out
        comp = instr.compensation
        assert comp is not None
        handler = self.plan.handler(comp.handler)
        w(3, "if not cp_room(st):")
        if result == "f":
            w(4, f"st.FC[{self.T}, RES_F] = res{pc}")
        elif result == "b":
            w(4, f"st.C[{self.T}, RES] = 1 if res{pc} else 0")
        elif result is not None:
            w(4, f"st.C[{self.T}, RES] = res{pc}")
        self.park(4, "P_GROW", pc)
        args: list[tuple[str, str, int]] = []
        ni = 3
        nf = 0
        for n, expr in enumerate(comp.args):
            code, kind = self.kernel(pc, expr, also=instr.target)
            if kind == "f":
                args.append((kind, "F", nf))
                nf += 1
            else:
                args.append((kind, "I", ni))
                ni += 1
            w(3, f"c{n}_{pc} = {code}")
        if handler.mode == "jit" and any(kind == "s" for kind, _, _ in args):
            raise self.unsupported(pc, f"jit handler {handler.name} takes strings")
        self.check(3, pc)
        w(3, f"e{pc} = cp_push(st, i)")
        w(3, f"st.cp_I[e{pc}, 0] = {pc}")
        w(3, f"st.cp_I[e{pc}, 1] = {instr.step}")
        w(3, f"st.cp_I[e{pc}, 2] = st.I[i, {self.layout.runs[instr.step]}]")
        for n, (kind, where, col) in enumerate(args):
            if where == "F":
                w(3, f"st.cp_F[e{pc}, {col}] = c{n}_{pc}")
            else:
                w(3, f"st.cp_I[e{pc}, {col}] = {f'1 if c{n}_{pc} else 0' if kind == 'b' else f'c{n}_{pc}'}")
        site.comp = CompSite(handler, comp.policy, args)

    def gen_compensating(self) -> None:
        w = self.out
        k = self.k
        w(2, "elif pc == PC_COMP:")
        w(3, "if act == A_COMP_POP:")
        w(4, "act = 0")
        w(4, "cp_pop(st, i)")
        w(4, "st.C[i, ATTEMPT] = 0")
        w(3, "e = st.C[i, UNDO]")
        w(3, "if e < 0:")
        w(4, f"end_{k}(st, i, int64(ST_FAILED if st.C[i, UNDO_FAILED] != 0 else ST_COMPENSATED), now, int64(-1))")
        w(4, "return")
        w(3, "st.C[i, ATTEMPT] += 1")
        w(3, "site = st.cp_I[e, 0]")
        w(3, "if st.C[i, ATTEMPT] == 1:")
        w(4, "tr(st, i, int64(TR_BEGIN), TR_COMP + site, now)")
        for pc, instr in enumerate(self.code):
            if not isinstance(instr, ir.Do) or instr.compensation is None or self.facts.tries[pc] is None:
                continue
            handler = self.plan.handler(instr.compensation.handler)
            if handler.mode != "jit":
                continue
            function = self.plan.jit_handlers[handler.name]
            args = []
            ni, nf = 3, 0
            for expr in instr.compensation.args:
                _, kind = self.kernel(pc, expr, also=instr.target)
                if kind == "f":
                    args.append(f"st.cp_F[e, {nf}]")
                    nf += 1
                else:
                    args.append(f"(st.cp_I[e, {ni}] != 0)" if kind == "b" else f"st.cp_I[e, {ni}]")
                    ni += 1
            w(3, f"if site == {pc}:")
            w(4, "ok = True")
            w(4, "try:")
            w(5, f"{function}({', '.join(args)})")
            w(4, "except Exception:")
            w(5, "ok = False")
            w(4, "if ok:")
            w(5, "tr(st, i, int64(TR_OK), int64(0), now)")
            w(5, "cp_pop(st, i)")
            w(5, "st.C[i, ATTEMPT] = 0")
            w(5, "continue")
            self.park(4, "P_COMPJITERR", "PC_COMP")
        self.park(3, "P_COMPCALL", "PC_COMP")



def _read(kind: str, where: str, col: int, row: str) -> str:
    if where == "F":
        return f"st.F[{row}, {col}]"
    return f"(st.I[{row}, {col}] != 0)" if kind == "b" else f"st.I[{row}, {col}]"


def _result(kind: str, row: str) -> str:
    """The host's answer (a handler's result, a child's value) where ``row`` parked."""
    return {"f": f"st.FC[{row}, RES_F]", "b": f"st.C[{row}, RES] != 0"}.get(kind, f"st.C[{row}, RES]")


def _zero(kind: str | None) -> str:
    return "0.0" if kind == "f" else "False" if kind == "b" else "0"


def _convert(kind: str | None, code: str) -> str:
    if kind == "f":
        return f"float({code})"
    if kind == "i":
        return f"int({code})"
    if kind == "b":
        return f"bool({code})"
    return code


def _kind_name(kind: str) -> str:
    return {"i": "int", "f": "float", "b": "bool", "s": "str"}.get(kind, kind)
