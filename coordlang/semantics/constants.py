"""Constant folding of literal expressions, for the rules that need a value at check time:
durations of timers and backoffs, guards that are always false, window sizes."""

from __future__ import annotations

from coordlang.syntax import ast


class Seconds(float):
    """A constant duration (a float of seconds that remembers it was a duration)."""

    __slots__ = ()


NOT_CONSTANT = object()


def const_value(expr: ast.Node | None, depth: int = 0) -> object:
    """The value of a constant expression, or ``NOT_CONSTANT``. Durations are :class:`Seconds`.
    Expressions nested past 100 levels are not folded."""
    if depth > 100:
        return NOT_CONSTANT
    t = type(expr)
    if t is ast.IntLit or t is ast.FloatLit or t is ast.BoolLit:
        return expr.value
    if t is ast.DurationLit:
        return Seconds(expr.seconds)
    if t is ast.StringLit:
        return expr.text if expr.is_plain else NOT_CONSTANT
    if t is ast.Paren:
        return const_value(expr.expr, depth + 1)
    if t is ast.Unary:
        value = const_value(expr.operand, depth + 1)
        if value is NOT_CONSTANT:
            return NOT_CONSTANT
        if expr.op == "not":
            return (not value) if isinstance(value, bool) else NOT_CONSTANT
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return NOT_CONSTANT
        return Seconds(-value) if isinstance(value, Seconds) else -value
    if t is ast.Binary:
        return _binary(expr, depth + 1)
    return NOT_CONSTANT


def _binary(expr: ast.Binary, depth: int) -> object:
    op = expr.op
    left = const_value(expr.left, depth)
    # `false and x` is false and `true or x` true whatever x is.
    if op == "and" and left is False:
        return False
    if op == "or" and left is True:
        return True
    right = const_value(expr.right, depth)
    if left is NOT_CONSTANT or right is NOT_CONSTANT:
        return NOT_CONSTANT
    kinds = (_kind(left), _kind(right))
    try:
        if kinds == ("bool", "bool"):
            return _BOOL_OPS[op](left, right) if op in _BOOL_OPS else NOT_CONSTANT
        if kinds in (("num", "num"), ("str", "str"), ("dur", "dur")):
            if op in _COMPARE:
                return _COMPARE[op](left, right)
            if kinds == ("str", "str"):
                return left + right if op == "+" else NOT_CONSTANT
            value = _ARITH[op](left, right)
            if kinds == ("dur", "dur"):
                return float(value) if op == "/" else (Seconds(value) if op != "*" else NOT_CONSTANT)
            return value
        if op == "*" and kinds in (("dur", "num"), ("num", "dur")):
            return Seconds(left * right)
        if op == "/" and kinds == ("dur", "num"):
            return Seconds(left / right)
    except (ZeroDivisionError, OverflowError, KeyError):
        return NOT_CONSTANT
    return NOT_CONSTANT


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Seconds):
        return "dur"
    if isinstance(value, (int, float)):
        return "num"
    return "str" if isinstance(value, str) else "?"


_BOOL_OPS = {"and": lambda a, b: a and b, "or": lambda a, b: a or b,
             "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b, "%": lambda a, b: a % b}


def const_duration(expr: ast.Node | None) -> float | None:
    """The seconds of a constant duration expression, else None."""
    value = const_value(expr)
    return float(value) if isinstance(value, Seconds) else None


def format_seconds(seconds: float) -> str:
    """A duration as a person writes it: ``250ms``, ``1.5s``, ``2m``, ``1h30m``."""
    if seconds < 0:
        return "-" + format_seconds(-seconds)
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000, 3):g}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    parts = []
    rest = round(seconds, 3)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            count = int(rest // size)
            parts.append(f"{count}{unit}")
            rest -= count * size
    if rest:
        parts.append(f"{round(rest, 3):g}s")
    return "".join(parts)
