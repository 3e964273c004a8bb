"""Values as a debugger shows them, and expressions in the language evaluated in an instance.

An expression typed in a watch, a hover, a breakpoint's condition or a logpoint's ``{...}`` is
parsed by the language's own parser and lowered by the compiler's own expression lowering
against the instance's variables, then evaluated by the interpreter's evaluator: it means what
it would mean in the workflow's code.
"""

from __future__ import annotations

import dataclasses
import math

from coordlang.ir import nodes as ir
from coordlang.ir.body import Body
from coordlang.ir.lower import Lowering
from coordlang.runtime.debug.model import EvaluationError, Variable
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.expressions import Evaluator, ExpressionError
from coordlang.runtime.interpreter.state import Instance
from coordlang.runtime.interpreter.tables import Tables, Unit
from coordlang.runtime.interpreter.values import ErrorValue, format_time, format_value
from coordlang.semantics.constants import format_seconds
from coordlang.syntax import ast
from coordlang.syntax.parser import parse_expression

def variable(name: str, value: object, type_: str = "any") -> Variable:
    """A value with its children (an event's fields, an error's kind and message, a list's items)."""
    if isinstance(value, Event):
        children = tuple(variable(k, v) for k, v in value.fields.items())
        return Variable(name, event_text(value), f"event {value.type}", children)
    if isinstance(value, ErrorValue):
        children = (variable("kind", value.kind, "str"), variable("message", value.message, "str"),
                    variable("type", value.type, "str"))
        return Variable(name, f"{value.kind}: {value.message}", "error", children)
    if isinstance(value, (list, tuple)):
        children = tuple(variable(f"[{i}]", v) for i, v in enumerate(value))
        return Variable(name, f"list of {len(value)}", "list", children)
    if isinstance(value, dict):
        children = tuple(variable(str(k), v) for k, v in value.items())
        return Variable(name, f"{len(value)} fields", "record", children)
    return Variable(name, show(value, type_), _type_of(value, type_))


def event_text(event: Event) -> str:
    """``Type { field: value, ... }``, values as :func:`show` writes them."""
    inner = ", ".join(f"{k}: {show(v)}" for k, v in event.fields.items())
    return f"{event.type} {{ {inner} }}" if inner else event.type


def show(value: object, type_: str = "any") -> str:
    """One value in a line: strings quoted, durations and times in the language's notation."""
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, Event):
        return event_text(value)
    if isinstance(value, float) and type_ == "time" and math.isfinite(value):
        return format_time(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and type_ == "duration":
        return format_seconds(float(value))
    return format_value(value, type_)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _type_of(value: object, declared: str) -> str:
    if declared not in ("any", ""):
        return declared
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


class Expressions:
    """Evaluates expression text in an instance of a program (or over a lone event)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.evaluator = Evaluator(tables)
        self._compiled: dict[tuple[str, str], tuple[ir.Expr, Unit, str]] = {}
        """(text, unit) → the lowered expression, the unit it reads, its static type."""

    def evaluate(self, text: str, inst: Instance, clock: float) -> object:
        """The value of ``text`` in ``inst`` (its variables by name, and ``key``)."""
        expr, unit, _ = self._compile(text, inst)
        scope = dataclasses.replace(inst, slots=[*inst.slots, inst.key])
        try:
            return self.evaluator.value(expr, scope, unit, clock)
        except ExpressionError as exc:
            raise EvaluationError(f"{text}: {exc.message}") from None

    def evaluate_over_event(self, text: str, event: Event, clock: float) -> object:
        """The value of ``text`` over ``event`` alone (an event breakpoint's condition): its
        fields are variables, and ``e`` is the whole event."""
        fields = self._event_fields(event.type)
        lone = Instance(0, "event", f"event:{event.type}", event.type, 0, None, "",
                        [event, *(event.fields.get(name) for name, _ in fields)])
        return self.evaluate(text, lone, clock)

    def _event_fields(self, kind: str) -> tuple[tuple[str, str], ...]:
        definition = self.tables.events.get(kind)
        return definition.fields if definition is not None else ()

    def type_of(self, text: str, inst: Instance) -> str:
        """The static type of ``text`` in ``inst``, by the compiler's rule (``Body.type_of``)."""
        return self._compile(text, inst)[2]

    def _compile(self, text: str, inst: Instance) -> tuple[ir.Expr, Unit, str]:
        key = (text, inst.unit)
        found = self._compiled.get(key)
        if found is not None:
            return found
        if not text.strip():
            raise EvaluationError("an empty expression")
        node, problems = parse_expression(text)
        if problems:
            raise EvaluationError(f"{text}: {problems[0].message}")
        slots = self._slots(inst)
        names = {"key": ("slot", len(slots) - 1)}  # the instance's key, unless a variable is named so
        for index, slot in enumerate(slots[:-1]):
            names[slot.name] = ("slot", index)  # a later (inner) declaration of a name wins
        for sub in node.walk():
            if isinstance(sub, ast.Name) and sub.name not in names:
                visible = ", ".join(sorted(n for n in names if not n.startswith("$"))) or "none"
                raise EvaluationError(f"{text}: no variable {sub.name} here (in scope: {visible})")
            if isinstance(sub, ast.CallExpr) and sub.func.name != "now":
                raise EvaluationError(f"{text}: {sub.func.name}() cannot be evaluated here; now() can")
        lowering = Lowering()
        lowering.events = dict(self.tables.events)
        body = Body(lowering, None)
        body.slots = list(slots)
        body.ctx.scopes = [names]
        expr = body.expr(node)
        compiled = self._compiled[key] = (expr, Unit(f"debug:{inst.unit}", tuple(slots), ()), body.type_of(expr))
        return compiled

    def _slots(self, inst: Instance) -> list[ir.Slot]:
        unit = self.tables.units.get(inst.unit)
        if unit is not None:
            slots = list(unit.slots)
        else:  # a lone event: ``e``, and its fields by name
            slots = [ir.Slot("e", "event", inst.workflow),
                     *(ir.Slot(name, type_) for name, type_ in self._event_fields(inst.workflow))]
        return [*slots, ir.Slot("key", "any")]

