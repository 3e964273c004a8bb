"""Static facts about a machine's code that the compiled backend builds on: the try regions
open at each pc, and the slots certainly assigned there.

The interpreter keeps a try stack per thread; in code the compiler emits, the stack at a pc is
the same on every path to it, so the kernel decides where an error goes from the pc alone. A
slot read where it may be unassigned holds ``none`` in the interpreter; the kernel checks event
and error slots for that (a field of ``none`` is a ``NoValue`` error) and refuses other reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.ir import nodes as ir

RAISING = (ir.Assign, ir.Branch, ir.Do, ir.CallChild, ir.Wait, ir.FailWith, ir.Raise, ir.Complete, ir.Fork)
"""Instructions after which an error may go to a catch (a fork: its branches' errors)."""


class FlowError(Exception):
    """The code does not have the shape the kernel relies on (with the offending pc)."""

    def __init__(self, pc: int, message: str) -> None:
        super().__init__(message)
        self.pc = pc
        self.message = message


@dataclass(frozen=True, slots=True)
class Facts:
    tries: tuple[tuple[int, ...] | None, ...]
    """Per pc, the pcs of the open ``TryEnter`` s, outermost first (None: unreachable)."""
    assigned: tuple[frozenset[int] | None, ...]
    """Per pc, the slots certainly assigned on entry."""


def successors(code: tuple[ir.Instr, ...], pc: int) -> list[tuple[int, int | None]]:
    """(next pc, slot assigned on that edge) for the normal edges of an instruction."""
    instr = code[pc]
    if isinstance(instr, (ir.Assign,)):
        return [(pc + 1, instr.slot)]
    if isinstance(instr, ir.Do):
        return [(pc + 1, instr.target)]
    if isinstance(instr, ir.CallChild):
        return [(pc + 1, instr.target)]
    if isinstance(instr, ir.Wait):
        out = [(c.target, c.slot) for c in instr.clauses]
        if instr.timer is not None:
            out.append((instr.timer.target, None))
        return out
    if isinstance(instr, ir.Jump):
        return [(instr.target, None)]
    if isinstance(instr, ir.Branch):
        return [(pc + 1, None), (instr.otherwise, None)]
    if isinstance(instr, ir.Fork):
        return [(b, None) for b in instr.branches] + [(instr.join, None)]
    if isinstance(instr, (ir.TryEnter, ir.TryExit, ir.Emit)):
        return [(pc + 1, None)]
    return []  # Complete, FailWith, Raise, EndBranch


def analyse(machine: ir.Machine) -> Facts:
    code = machine.code
    n = len(code)
    tries: list[tuple[int, ...] | None] = [None] * n
    if n:
        tries[0] = ()
    work = [0] if n else []
    while work:
        pc = work.pop()
        stack = tries[pc]
        assert stack is not None
        instr = code[pc]
        edges: list[tuple[int, tuple[int, ...]]] = []
        if isinstance(instr, ir.TryEnter):
            edges.append((pc + 1, stack + (pc,)))
        elif isinstance(instr, ir.TryExit):
            if not stack:
                raise FlowError(pc, "an 'end try' outside any try")
            edges.append((pc + 1, stack[:-1]))
        elif isinstance(instr, ir.Fork):
            # A branch is a new thread: its own try regions only (an error it does not catch
            # goes to the forking thread, raised at the fork).
            edges += [(entry, ()) for entry in instr.branches] + [(instr.join, stack)]
        else:
            edges += [(target, stack) for target, _ in successors(code, pc)]
        if isinstance(instr, RAISING):
            for depth, enter in enumerate(stack):
                for catch in code[enter].catches:  # type: ignore[union-attr]
                    edges.append((catch.target, stack[:depth]))
        for target, new in edges:
            if not 0 <= target < n:
                raise FlowError(pc, f"a jump to pc {target}, outside the code")
            if tries[target] is None:
                tries[target] = new
                work.append(target)
            elif tries[target] != new:
                raise FlowError(target, "try regions that differ by path")
    return Facts(tuple(tries), _assigned(machine, tries))


def _assigned(machine: ir.Machine, tries: list[tuple[int, ...] | None]) -> tuple[frozenset[int] | None, ...]:
    code = machine.code
    n = len(code)
    entry = set(machine.params)
    if machine.trigger_slot is not None:
        entry.add(machine.trigger_slot)
    state: list[frozenset[int] | None] = [None] * n
    if n:
        state[0] = frozenset(entry)
    work = [0] if n else []
    while work:
        pc = work.pop()
        here = state[pc]
        assert here is not None
        instr = code[pc]
        edges = [(t, here | {s} if s is not None else here) for t, s in successors(code, pc)]
        stack = tries[pc] or ()
        if isinstance(instr, RAISING):
            for enter in stack:
                for catch in code[enter].catches:  # type: ignore[union-attr]
                    edges.append((catch.target, here | {catch.slot} if catch.slot is not None else here))
        for target, out in edges:
            old = state[target]
            new = out if old is None else old & out
            if old is None or new != old:
                state[target] = frozenset(new)
                work.append(target)
    return tuple(state)


def first_catch(code: tuple[ir.Instr, ...], stack: tuple[int, ...], kind: str) -> ir.Catch | None:
    """The catch an error of ``kind`` raised under ``stack`` goes to, or None (it escapes)."""
    for enter in reversed(stack):
        for catch in code[enter].catches:  # type: ignore[union-attr]
            if catch.kind is None or catch.kind == kind:
                return catch
    return None

