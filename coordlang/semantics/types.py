"""The checker's types and the typing rules of operators.

Value types are the primitives (``int float bool str duration time none``), event types and the
error value a ``catch ... as e`` binds. Declarations have kind types (a handler's signature, a
policy, a workflow, a pattern, a ``block``), which are what a pattern's ``handler``/``policy``/
``event``/``block`` parameters stand for; they are not values. ``UNKNOWN`` is the type of
anything already reported (or damaged): every rule accepts it and yields it, so one mistake
gives one diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordlang.semantics.policies import RetryPolicy


@dataclass(frozen=True, slots=True, eq=False)
class Type:
    """Base of every type."""

    @property
    def is_value(self) -> bool:
        """False for declarations' kinds (handler, policy, workflow, pattern, block)."""
        return True

    def __str__(self) -> str:  # pragma: no cover - every subclass overrides
        return "?"


@dataclass(frozen=True, slots=True, eq=False)
class Prim(Type):
    """``int float bool str duration time none``. One instance each (the constants below), so
    they compare by identity: the checker compares types on every operator."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Unknown(Type):
    """Anything already reported: accepted everywhere, produces no further diagnostics."""

    def __str__(self) -> str:
        return "unknown"


INT = Prim("int")
FLOAT = Prim("float")
BOOL = Prim("bool")
STR = Prim("str")
DURATION = Prim("duration")
TIME = Prim("time")
NONE = Prim("none")
UNKNOWN = Unknown()

PRIMITIVES: dict[str, Type] = {t.name: t for t in (INT, FLOAT, BOOL, STR, DURATION, TIME)}
NUMERIC = (INT, FLOAT)


@dataclass(frozen=True, slots=True)
class EventType(Type):
    """An event's fields. ``open`` for a pattern's ``event`` parameter, whose fields are only
    known where the pattern is used: any field reads as ``UNKNOWN``."""

    name: str
    fields: tuple[tuple[str, Type], ...] = ()
    open: bool = False

    def field(self, name: str) -> Type | None:
        if self.open:
            return UNKNOWN
        for field_name, field_type in self.fields:
            if field_name == name:
                return field_type
        return None

    def __str__(self) -> str:
        return f"event {self.name}" if self.open else self.name


ERROR_KINDS = ("Timeout", "HandlerError", "ChildFailed", "Cancelled", "Failed")
ERROR_FIELDS: tuple[tuple[str, Type], ...] = (("kind", STR), ("message", STR), ("type", STR))


@dataclass(frozen=True, slots=True)
class ErrorValueType(Type):
    """What ``catch KIND as e`` binds: ``e.kind``, ``e.message`` and ``e.type`` (the Python
    exception's class name for a ``HandlerError``)."""

    kind: str | None  # None for a catch of every kind

    def field(self, name: str) -> Type | None:
        return STR if name in ("kind", "message", "type") else None

    def __str__(self) -> str:
        return f"error({self.kind})" if self.kind else "error"


@dataclass(frozen=True, slots=True)
class ListType(Type):
    """Only a policy's ``on: [...]`` takes a list; it is not a value elsewhere."""

    item: Type

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"[{self.item}]"


@dataclass(frozen=True, slots=True)
class HandlerType(Type):
    """A handler's signature. ``params`` is None for a pattern's ``handler`` parameter, whose
    signature is only known where the pattern is used."""

    name: str
    params: tuple[tuple[str, Type], ...] | None
    returns: Type
    timeout: float | None = None
    """The per-attempt ``timeout`` flag, in seconds."""
    flags: tuple[str, ...] = ()
    target: str = ""

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return "handler"


@dataclass(frozen=True, slots=True)
class PolicyType(Type):
    """A policy; ``retry`` is None for a pattern's ``policy`` parameter or a damaged policy."""

    name: str
    retry: RetryPolicy | None = None

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return "policy"


@dataclass(frozen=True, slots=True)
class WorkflowType(Type):
    """A workflow's interface: started by ``trigger`` (an event name) or by ``call`` with
    ``params``; completes with ``returns`` (``NONE`` without ``-> T``)."""

    name: str
    version: int
    trigger: str | None
    params: tuple[tuple[str, Type], ...] | None
    key: str
    key_type: Type
    returns: Type
    declared_returns: bool = False

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return "workflow"


PATTERN_KINDS = ("handler", "policy", "event", "duration", "int", "float", "str", "block")


@dataclass(frozen=True, slots=True)
class PatternType(Type):
    """A pattern's parameters (name, kind) and what its body needs of its arguments."""

    name: str
    params: tuple[tuple[str, str], ...]
    summary: object = None  # a patterns.PatternSummary, filled in once the body is checked

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return "pattern"


@dataclass(frozen=True, slots=True)
class BlockType(Type):
    """A pattern's ``block`` parameter."""

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return "block"


@dataclass(frozen=True, slots=True)
class StreamType(Type):
    name: str
    event: str

    @property
    def is_value(self) -> bool:
        return False

    def __str__(self) -> str:
        return "stream"


BLOCK = BlockType()


def kind_of(t: Type) -> str:
    """The pattern-parameter kind a type satisfies ("" when none)."""
    if isinstance(t, HandlerType):
        return "handler"
    if isinstance(t, PolicyType):
        return "policy"
    if isinstance(t, EventType):
        return "event"
    if isinstance(t, BlockType):
        return "block"
    if isinstance(t, Prim) and t.name in PATTERN_KINDS:
        return t.name
    return ""


def assignable(source: Type, target: Type) -> bool:
    """Whether a value of ``source`` may stand where ``target`` is expected (int promotes to
    float)."""
    if source is target or source is UNKNOWN or target is UNKNOWN:
        return True
    if source == target:
        return True
    if source == INT and target == FLOAT:
        return True
    if isinstance(source, EventType) and isinstance(target, EventType):
        return source.open or target.open or source.name == target.name
    return False


def join(a: Type, b: Type) -> Type:
    """The type of a value that is ``a`` on one path and ``b`` on another (or ``UNKNOWN``)."""
    if a == b:
        return a
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if {a, b} == {INT, FLOAT}:
        return FLOAT
    return UNKNOWN


def _numeric(t: Type) -> bool:
    return t == INT or t == FLOAT


def binary_result(op: str, left: Type, right: Type) -> Type | None:
    """The type of ``left op right``; None when the operator does not apply. ``UNKNOWN``
    operands give ``UNKNOWN`` (nothing more to report)."""
    if left is UNKNOWN or right is UNKNOWN:
        return BOOL if op in ("==", "!=", "<", "<=", ">", ">=", "and", "or") else UNKNOWN
    if op in ("and", "or"):
        return BOOL if left == BOOL and right == BOOL else None
    if op in ("==", "!="):
        return BOOL if comparable(left, right) else None
    if op in ("<", "<=", ">", ">="):
        if (_numeric(left) and _numeric(right)) or (left == right and left in (DURATION, TIME, STR)):
            return BOOL
        return None
    if _numeric(left) and _numeric(right):
        if op == "/":
            return FLOAT  # true division, as in Python
        return INT if left == INT and right == INT else FLOAT
    return _time_arithmetic(op, left, right)


def _time_arithmetic(op: str, left: Type, right: Type) -> Type | None:
    if op == "+":
        if left == STR and right == STR:
            return STR
        if left == DURATION and right == DURATION:
            return DURATION
        if {left, right} == {TIME, DURATION}:
            return TIME
    elif op == "-":
        if left == DURATION and right == DURATION:
            return DURATION
        if left == TIME and right == DURATION:
            return TIME
        if left == TIME and right == TIME:
            return DURATION
    elif op == "*":
        if (left == DURATION and _numeric(right)) or (_numeric(left) and right == DURATION):
            return DURATION
    elif op == "/":
        if left == DURATION and _numeric(right):
            return DURATION
        if left == DURATION and right == DURATION:
            return FLOAT
    elif op == "%":
        if left == DURATION and right == DURATION:
            return DURATION
    return None


def comparable(left: Type, right: Type) -> bool:
    """``==`` and ``!=``: equal types, two numbers, or anything against ``none``."""
    if left is UNKNOWN or right is UNKNOWN or left == NONE or right == NONE:
        return True
    if _numeric(left) and _numeric(right):
        return True
    if isinstance(left, EventType) and isinstance(right, EventType):
        return assignable(left, right)
    return left == right and left.is_value


def unary_result(op: str, operand: Type) -> Type | None:
    if operand is UNKNOWN:
        return BOOL if op == "not" else UNKNOWN
    if op == "not":
        return BOOL if operand == BOOL else None
    if _numeric(operand) or operand == DURATION:
        return operand
    return None


def parse_type_name(name: str) -> Type | None:
    """A primitive type written in the source (``int`` ...); None for anything else."""
    return PRIMITIVES.get(name)
