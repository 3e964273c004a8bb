"""Evaluating IR expressions over an instance's slots.

Arithmetic is Python's on ints and floats (``/`` is true division, ``%`` takes the sign of the
divisor); ``and``/``or`` short-circuit. A division by zero, or a field read on a slot that holds
no event, raises :class:`ExpressionError`, which the interpreter raises in the thread as a
``Failed`` error (``e.type`` is ``ZeroDivisionError`` / ``NoValue``).
"""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.state import Instance
from coordlang.runtime.interpreter.tables import Tables, Unit
from coordlang.runtime.interpreter.values import ErrorValue, format_value


class ExpressionError(Exception):
    """An expression that has no value (not a bug of the interpreter)."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


class Evaluator:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def value(self, expr: ir.Expr, inst: Instance, unit: Unit, clock: float) -> object:
        kind = type(expr)
        if kind is ir.Const:
            return expr.value
        if kind is ir.Load:
            return inst.slots[expr.slot]
        if kind is ir.GetField:
            obj = self.value(expr.obj, inst, unit, clock)
            if isinstance(obj, Event):
                return obj.fields.get(expr.name)
            if isinstance(obj, ErrorValue):
                return obj.field(expr.name)
            raise ExpressionError("NoValue", f"cannot read .{expr.name} of {format_value(obj, 'any')}")
        if kind is ir.Binary:
            return self._binary(expr, inst, unit, clock)
        if kind is ir.Unary:
            operand = self.value(expr.operand, inst, unit, clock)
            if expr.op == "not":
                return not operand
            try:
                return -operand
            except TypeError:
                raise ExpressionError("NoValue", f"'-' of {format_value(operand, 'any')}") from None
        if kind is ir.Interpolate:
            out = []
            for part in expr.parts:
                if isinstance(part, str):
                    out.append(part)
                else:
                    out.append(format_value(self.value(part, inst, unit, clock), self.type_of(part, unit)))
            return "".join(out)
        if kind is ir.Builtin:
            if expr.name == "now":
                return clock
            if expr.name == "key":
                return inst.stream_key
            raise ExpressionError("NoValue", f"unknown built-in {expr.name}()")
        if kind is ir.AggregateRef:
            return inst.aggregates[expr.index]
        raise AssertionError(f"unknown expression {expr!r}")

    def _binary(self, expr: ir.Binary, inst: Instance, unit: Unit, clock: float) -> object:
        op = expr.op
        left = self.value(expr.left, inst, unit, clock)
        if op == "and":
            return bool(left) and bool(self.value(expr.right, inst, unit, clock))
        if op == "or":
            return bool(left) or bool(self.value(expr.right, inst, unit, clock))
        right = self.value(expr.right, inst, unit, clock)
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        try:
            if op == "+":
                if isinstance(left, str) or isinstance(right, str):
                    return f"{left}{right}"
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if op == "/":
                return left / right
            if op == "%":
                return left % right
            if op == "<":
                return left < right
            if op == "<=":
                return left <= right
            if op == ">":
                return left > right
            if op == ">=":
                return left >= right
        except ZeroDivisionError:
            raise ExpressionError("ZeroDivisionError", f"division by zero in '{op}'") from None
        except TypeError:
            raise ExpressionError("NoValue", f"'{op}' of {format_value(left, 'any')} and "
                                  f"{format_value(right, 'any')}") from None
        raise AssertionError(f"unknown operator {op}")

    def type_of(self, expr: ir.Expr, unit: Unit) -> str:
        """The static type, which says how a float prints (a number, a duration or a time)."""
        kind = type(expr)
        if kind is ir.Const:
            return expr.type
        if kind is ir.Load:
            return unit.slots[expr.slot].type
        if kind is ir.GetField:
            obj = expr.obj
            if isinstance(obj, ir.Load):
                slot = unit.slots[obj.slot]
                if slot.type == "error":
                    return "str"
                event = self.tables.events.get(slot.event or "")
                if event is not None:
                    return event.field_type(expr.name) or "any"
            return "any"
        if kind is ir.Binary:
            return expr.type
        if kind is ir.Unary:
            return "bool" if expr.op == "not" else self.type_of(expr.operand, unit)
        if kind is ir.Interpolate:
            return "str"
        if kind is ir.Builtin:
            return "time" if expr.name == "now" else unit.key_type if expr.name == "key" else "any"
        if kind is ir.AggregateRef:
            aggregate = unit.aggregates[expr.index]
            if aggregate.kind == "count":
                return "int"
            if aggregate.kind == "stddev":
                return "float"
            inner = self.type_of(aggregate.value, unit) if aggregate.value is not None else "any"
            return "float" if aggregate.kind == "avg" and inner != "duration" else inner
        return "any"
