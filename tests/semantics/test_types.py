"""The typing rules of operators, assignability and constant folding."""

from __future__ import annotations

import pytest

from coordlang.semantics.constants import NOT_CONSTANT, Seconds, const_duration, const_value, format_seconds
from coordlang.semantics.types import (
    BOOL, DURATION, FLOAT, INT, NONE, STR, TIME, UNKNOWN, ErrorValueType, EventType, HandlerType,
    PolicyType, assignable, binary_result, comparable, join, kind_of, unary_result,
)
from coordlang.syntax import parse_expression


@pytest.mark.parametrize("op, left, right, result", [
    ("+", INT, INT, INT), ("+", INT, FLOAT, FLOAT), ("*", FLOAT, INT, FLOAT), ("/", INT, INT, FLOAT),
    ("%", INT, INT, INT), ("-", FLOAT, FLOAT, FLOAT),
    ("+", STR, STR, STR), ("+", DURATION, DURATION, DURATION), ("-", DURATION, DURATION, DURATION),
    ("*", DURATION, INT, DURATION), ("*", FLOAT, DURATION, DURATION), ("/", DURATION, FLOAT, DURATION),
    ("/", DURATION, DURATION, FLOAT), ("%", DURATION, DURATION, DURATION),
    ("+", TIME, DURATION, TIME), ("+", DURATION, TIME, TIME), ("-", TIME, DURATION, TIME), ("-", TIME, TIME, DURATION),
    ("<", INT, FLOAT, BOOL), ("<", DURATION, DURATION, BOOL), ("<", TIME, TIME, BOOL), ("<", STR, STR, BOOL),
    ("==", INT, FLOAT, BOOL), ("==", STR, NONE, BOOL), ("!=", BOOL, BOOL, BOOL),
    ("and", BOOL, BOOL, BOOL), ("or", BOOL, BOOL, BOOL),
    ("+", UNKNOWN, INT, UNKNOWN), ("<", UNKNOWN, STR, BOOL), ("and", UNKNOWN, INT, BOOL),
])
def test_binary_accepts(op, left, right, result) -> None:
    assert binary_result(op, left, right) is result


@pytest.mark.parametrize("op, left, right", [
    ("+", STR, INT), ("*", STR, INT), ("+", TIME, TIME), ("-", DURATION, TIME), ("*", DURATION, DURATION),
    ("+", BOOL, BOOL), ("+", DURATION, INT), ("<", STR, INT), ("<", BOOL, BOOL), ("==", STR, INT),
    ("and", BOOL, INT), ("or", STR, STR), ("%", TIME, DURATION),
])
def test_binary_rejects(op, left, right) -> None:
    assert binary_result(op, left, right) is None


def test_unary() -> None:
    assert unary_result("not", BOOL) is BOOL
    assert unary_result("-", INT) is INT
    assert unary_result("-", DURATION) is DURATION
    assert unary_result("not", INT) is None
    assert unary_result("-", STR) is None
    assert unary_result("-", UNKNOWN) is UNKNOWN


def test_assignable_promotes_int_only() -> None:
    assert assignable(INT, FLOAT)
    assert not assignable(FLOAT, INT)
    assert assignable(UNKNOWN, STR) and assignable(STR, UNKNOWN)
    assert not assignable(NONE, STR)
    order = EventType("Order", (("id", STR),))
    assert assignable(order, EventType("Order", (("id", STR),)))
    assert not assignable(order, EventType("Paid", (("id", STR),)))
    assert assignable(order, EventType("vote", (), True))


def test_primitives_are_distinct() -> None:
    kinds = [INT, FLOAT, BOOL, STR, DURATION, TIME, NONE]
    assert len({id(k) for k in kinds}) == len(kinds)
    assert all((a == b) is (a is b) for a in kinds for b in kinds)


def test_comparable_and_join() -> None:
    assert comparable(INT, FLOAT) and comparable(STR, NONE) and not comparable(STR, BOOL)
    assert join(INT, FLOAT) is FLOAT and join(STR, STR) is STR and join(STR, INT) is UNKNOWN


def test_kinds() -> None:
    assert kind_of(HandlerType("h", None, UNKNOWN)) == "handler"
    assert kind_of(PolicyType("p")) == "policy"
    assert kind_of(EventType("E")) == "event"
    assert kind_of(DURATION) == "duration"
    assert kind_of(BOOL) == ""
    assert ErrorValueType("Timeout").field("message") is STR
    assert ErrorValueType(None).field("code") is None
    assert not HandlerType("h", (), NONE).is_value and STR.is_value


def _const(text: str):
    expr, problems = parse_expression(text)
    assert not problems
    return const_value(expr)


@pytest.mark.parametrize("text, value", [
    ("1 + 2 * 3", 7), ("1 > 2", False), ("not (1 > 2)", True), ("false and x", False), ("true or x", True),
    ("2.5 * 2", 5.0), ('"a" + "b"', "ab"), ('"a" == "a"', True), ("1 / 2", 0.5), ("-(3)", -3),
    ("true == false", False),
])
def test_const_value(text, value) -> None:
    assert _const(text) == value


@pytest.mark.parametrize("text", ["x + 1", "x and true", "1 / 0", "o.amount", "now()", '"{x}"', "true + 1"])
def test_not_constant(text) -> None:
    assert _const(text) is NOT_CONSTANT


def test_constant_durations() -> None:
    assert isinstance(_const("1m + 30s"), Seconds) and _const("1m + 30s") == 90.0
    assert _const("2 * 500ms") == 1.0 and isinstance(_const("2 * 500ms"), Seconds)
    assert _const("1h / 2") == 1800.0
    assert _const("1h / 30m") == 2.0 and not isinstance(_const("1h / 30m"), Seconds)
    assert _const("-1s") == -1.0 and isinstance(_const("-1s"), Seconds)
    assert _const("1s < 2s") is True
    assert _const("1s * 1s") is NOT_CONSTANT
    assert const_duration(parse_expression("5")[0]) is None


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (0.25, "250ms"), (1.5, "1.5s"), (60, "1m"), (90, "1m30s"), (3600, "1h"), (86400 + 7200, "1d2h"),
    (-2, "-2s"),
])
def test_format_seconds(seconds, text) -> None:
    assert format_seconds(seconds) == text
