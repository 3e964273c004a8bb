"""IR expressions as numba source over an instance's columns.

An expression becomes one numba expression and its kind (``i`` int64, ``f`` float64, ``b``
bool, ``s`` an interned string id). Errors follow Python's: a division by zero or a field of an
empty event slot records the first error in ``err`` (``kernel_lib.kerr``) and the expression
goes on with a dummy value that nothing observes; ``and``/``or`` and the presence checks
short-circuit as Python does, so what is not evaluated there is not evaluated here. The caller
tests ``err[0]`` after the instruction's expressions.

What the kernel cannot evaluate (string interpolation and concatenation, whole event or error
values, ``none``) raises :class:`HostOnly`: the instruction then runs on the host (the instance
parks), or the program is refused where the host cannot step in (guards, timer delays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled.layout import EventLayout, MachineLayout, Strings


class HostOnly(Exception):
    """The kernel cannot evaluate this expression; the reason names what."""


class Unsupported(Exception):
    """The backend cannot run this at all (the caller adds the place)."""


@dataclass(slots=True)
class Guard:
    """A clause's guard reads the offered event from its source row, not from the slot."""

    slot: int
    event: EventLayout


class ExprGen:
    def __init__(self, layout: MachineLayout, strings: Strings, events: dict[str, EventLayout],
                 assigned: frozenset[int], message: Callable[[str], int], guard: Guard | None = None) -> None:
        self.layout = layout
        self.strings = strings
        self.events = events
        self.assigned = assigned
        self.message = message
        """Interns an expression error's message for the instruction being compiled."""
        self.guard = guard
        self.novalue = strings.intern("NoValue")
        self.zerodiv = strings.intern("ZeroDivisionError")

    def gen(self, expr: ir.Expr) -> tuple[str, str]:
        kind = type(expr)
        if kind is ir.Const:
            return self._const(expr)
        if kind is ir.Load:
            return self._load(expr)
        if kind is ir.GetField:
            return self._field(expr)
        if kind is ir.Binary:
            return self._binary(expr)
        if kind is ir.Unary:
            code, k = self.gen(expr.operand)
            if expr.op == "not":
                return f"(not {_truth(code, k)})", "b"
            if k == "s":
                raise HostOnly("'-' of a string")
            if k == "b":
                return f"(-int({code}))", "i"
            return f"(-{code})", k
        if kind is ir.Builtin:
            if expr.name == "now":
                return "now", "f"
            if expr.name == "key" and self.layout.key_kind is not None:
                return _cell(self.layout.key_kind, "st.I[i, KEY]"), self.layout.key_kind
            raise HostOnly(f"{expr.name}()")
        if kind is ir.AggregateRef:
            agg_kind, col = self.layout.aggs[expr.index]
            return _column(agg_kind, col), agg_kind
        if kind is ir.Interpolate:
            raise HostOnly("string interpolation")
        raise HostOnly(type(expr).__name__)

    def _const(self, expr: ir.Const) -> tuple[str, str]:
        value = expr.value
        if value is None:
            raise HostOnly("none")
        if isinstance(value, bool):
            return ("True" if value else "False"), "b"
        if isinstance(value, str):
            return str(self.strings.intern(value)), "s"
        if isinstance(value, int) and expr.type not in ("float", "duration", "time"):
            if not -(1 << 63) <= value < (1 << 63):
                raise Unsupported(f"the integer {value} does not fit 64 bits")
            return f"({value})", "i"
        number = float(value)
        if math.isnan(number):
            return "np.nan", "f"
        if math.isinf(number):
            return ("np.inf" if number > 0 else "(-np.inf)"), "f"
        return f"({number!r})", "f"

    def _load(self, expr: ir.Load) -> tuple[str, str]:
        entry = self.layout.slots[expr.slot]
        if entry.kind in ("event", "error"):
            raise HostOnly(f"the whole {entry.kind} value of '{entry.slot.name}'")
        if entry.kind is None:
            raise Unsupported(f"variable '{entry.slot.name}' of type {entry.slot.type}")
        if expr.slot not in self.assigned:
            raise Unsupported(f"'{entry.slot.name}' may be read before it is assigned")
        return _column(entry.kind, entry.col), entry.kind

    def _field(self, expr: ir.GetField) -> tuple[str, str]:
        obj = expr.obj
        if not isinstance(obj, ir.Load):
            raise HostOnly("a field of a computed value")
        entry = self.layout.slots[obj.slot]
        guard = self.guard
        if guard is not None and obj.slot == guard.slot:
            where, col = guard.event.columns[expr.name]
            kind = guard.event.kinds[expr.name]
            array = "srcI" if where == "I" else "srcF"
            return _cell(kind, f"{array}[r, {col}]"), kind
        if entry.kind == "event":
            where, col = entry.fields[expr.name]
            event = self.events[entry.slot.event or ""]
            kind = event.kinds[expr.name]
            value = _column(kind, col)
            present = f"st.I[i, {entry.col}]"
        elif entry.kind == "error":
            offset = {"kind": 0, "message": 1, "type": 2}.get(expr.name)
            if offset is None:
                raise Unsupported(f"the field '{expr.name}' of an error")
            kind = "s"
            value = f"st.I[i, {entry.col + offset}]"
            present = f"(st.I[i, {entry.col}] + 1)"
        else:
            raise HostOnly(f"a field of '{entry.slot.name}'")
        if obj.slot in self.assigned:
            return value, kind
        message = self.message(f"cannot read .{expr.name} of none")
        return f"({value} if kchk({present}, err, int64({message}), int64({self.novalue})) else {_zero(kind)})", kind

    def _binary(self, expr: ir.Binary) -> tuple[str, str]:
        op = expr.op
        left, lk = self.gen(expr.left)
        right, rk = self.gen(expr.right)
        if op in ("and", "or"):
            return f"({_truth(left, lk)} {op} {_truth(right, rk)})", "b"
        if op in ("==", "!="):
            if (lk == "s") != (rk == "s"):
                raise HostOnly("comparing a string with a number")
            return f"({left} {op} {right})", "b"
        if lk == "s" or rk == "s":
            raise HostOnly(f"'{op}' of strings")
        if op in ("<", "<=", ">", ">="):
            return f"({left} {op} {right})", "b"
        integral = lk in ("i", "b") and rk in ("i", "b")
        if op == "/":
            message = self.message("division by zero in '/'")
            return f"kdiv({left}, {right}, err, int64({message}), int64({self.zerodiv}))", "f"
        if op == "%":
            message = self.message("division by zero in '%'")
            if lk == "b":
                left = f"int({left})"
            return f"kmod({left}, {right}, err, int64({message}), int64({self.zerodiv}))", "i" if integral else "f"
        if op in ("+", "-", "*"):
            if lk == "b":
                left = f"int({left})"
            if rk == "b":
                right = f"int({right})"
            return f"({left} {op} {right})", "i" if integral else "f"
        raise Unsupported(f"the operator '{op}'")


def _truth(code: str, kind: str) -> str:
    return code if kind == "b" else f"({code} != 0)"


def _zero(kind: str) -> str:
    return "0.0" if kind == "f" else "False" if kind == "b" else "0"


def _cell(kind: str, cell: str) -> str:
    return f"({cell} != 0)" if kind == "b" else cell


def _column(kind: str, col: int) -> str:
    if kind == "f":
        return f"st.F[i, {col}]"
    return _cell(kind, f"st.I[i, {col}]")


def can_raise(expr: ir.Expr, assigned: frozenset[int]) -> bool:
    """Whether evaluating ``expr`` may raise an expression error: a division, a field of a slot
    that may be empty, a built-in other than ``now()`` (conservatively)."""
    from coordlang.runtime.compiled.layout import walk

    for node in walk(expr):
        if isinstance(node, ir.Binary) and node.op in ("/", "%"):
            return True
        if isinstance(node, ir.GetField) and (not isinstance(node.obj, ir.Load) or node.obj.slot not in assigned):
            return True
        if isinstance(node, ir.Builtin) and node.name != "now":
            return True
    return False
