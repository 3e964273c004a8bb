"""The IR: each workflow version, reaction and stream as a state machine over typed slots.

The compiler (``compile.py``) lowers a checked module to a :class:`Program`; the runtime's
executors run it and know nothing of the syntax tree. Every instruction and expression has
an ``sid``: an index into :attr:`Program.spans`, so runtime errors and the debugger point at
source.

A workflow is a flat list of instructions addressed by index (``pc``). An instance runs on one
or more threads (``parallel``/``race`` branches), each with a pc; it waits only at a
:class:`Wait`, a :class:`Do` (the handler's result, or a retry's backoff timer) or a
:class:`Call` (the child's end). Variables live in numbered slots of declared types, so an
executor can keep them as columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

from coordlang.semantics.policies import RetryPolicy
from coordlang.source import Span

# ---------------------------------------------------------------- types and expressions

TYPES = ("int", "float", "bool", "str", "duration", "time", "none", "event", "error", "any")
"""Slot and value types. ``duration`` and ``time`` are float seconds; an ``event`` slot holds
an event record, an ``error`` slot an error value (``kind``, ``message``, ``type``)."""


@dataclass(frozen=True, slots=True)
class Const:
    value: object  # int, float, bool, str or None
    type: str
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Load:
    """The value of a slot."""

    slot: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class GetField:
    """A field of an event record (``o.amount``) or of an error value (``e.kind``)."""

    obj: Expr
    name: str
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # "or" "and" "==" "!=" "<" "<=" ">" ">=" "+" "-" "*" "/" "%"
    left: Expr
    right: Expr
    type: str
    """The result's type (``/`` is always float; ``+`` on strings concatenates)."""
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not" "-"
    operand: Expr
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Interpolate:
    """A string with ``{expr}`` parts."""

    parts: tuple[Union[str, Expr], ...]
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Builtin:
    """``now()``, or (in a stream) ``key``."""

    name: str
    args: tuple[Expr, ...] = ()
    sid: int = -1


@dataclass(frozen=True, slots=True)
class AggregateRef:
    """The current value of a stream's aggregate number ``index`` (see :class:`Stream`)."""

    index: int
    sid: int = -1


Expr = Union[Const, Load, GetField, Binary, Unary, Interpolate, Builtin, AggregateRef]


# ---------------------------------------------------------------- instructions

@dataclass(frozen=True, slots=True)
class Assign:
    """``let x = e`` / ``x = e``."""

    slot: int
    value: Expr
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Compensation:
    """What a completed ``do ... compensate h(args)`` registers; the arguments are evaluated
    when the step completes, so they may read its result."""

    handler: str
    args: tuple[Expr, ...]
    policy: str | None
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Do:
    """Call a handler with retries; store its result in ``target``; on final failure raise.

    ``step`` numbers the calls of a machine, for idempotency keys (instance key, step,
    attempt) and jitter seeds."""

    handler: str
    args: tuple[Expr, ...]
    target: int | None
    policy: str | None
    timeout: float | None
    """``timeout D`` of the step: the whole step with its retries (the handler's own
    ``timeout`` flag limits each attempt)."""
    compensation: Compensation | None
    step: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class CallChild:
    """Start a child workflow and wait for its result (``ChildFailed`` when it fails)."""

    workflow: str
    args: tuple[Expr, ...]
    """In the child's parameter order."""
    target: int | None
    policy: str | None
    step: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Clause:
    """``on EVENT as v where guard``: deliver an event of that type to ``slot``, then continue
    at ``target`` when ``guard`` holds (else the event is discarded as ``rejected``)."""

    event: str
    slot: int
    guard: Expr | None
    target: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Timer:
    """After ``delay`` (from when the wait starts), continue at ``target``."""

    delay: Expr
    target: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Wait:
    """``await`` (one clause, perhaps a timer), ``select`` (clauses and perhaps a timer) or
    ``sleep`` (a timer only). The instance thread suspends here."""

    kind: str  # "await" | "select" | "sleep"
    clauses: tuple[Clause, ...]
    timer: Timer | None
    label: str | None
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Jump:
    target: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Branch:
    """Continue at the next instruction when ``cond`` holds, else at ``otherwise``."""

    cond: Expr
    otherwise: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Fork:
    """Start one thread per branch entry; the forking thread waits for the join.

    ``parallel``: the join happens when every branch has ended; the first failure cancels
    the others and raises. ``race``: the first branch to end wins; the others are cancelled."""

    branches: tuple[int, ...]
    join: int
    race: bool
    sid: int = -1


@dataclass(frozen=True, slots=True)
class EndBranch:
    """The end of a parallel or race branch."""

    sid: int = -1


@dataclass(frozen=True, slots=True)
class Emit:
    event: str
    fields: tuple[tuple[str, Expr], ...]
    """Every field of the event, in its declared order."""
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Catch:
    kind: str | None
    """An error kind, or None for every kind."""
    slot: int | None
    target: int
    sid: int = -1


@dataclass(frozen=True, slots=True)
class TryEnter:
    """Errors raised until the matching :class:`TryExit` go to the first matching catch."""

    catches: tuple[Catch, ...]
    sid: int = -1


@dataclass(frozen=True, slots=True)
class TryExit:
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Complete:
    value: Expr | None
    sid: int = -1


@dataclass(frozen=True, slots=True)
class FailWith:
    """``fail "msg"``: raises ``Failed`` (caught by an enclosing ``try``; else the instance
    ends ``compensated`` or ``failed``)."""

    message: Expr
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Raise:
    """An error the compiler introduces: ``Timeout`` of an ``await ... within`` with no
    ``else``."""

    kind: str
    message: str
    sid: int = -1


Instr = Union[Assign, Do, CallChild, Wait, Jump, Branch, Fork, EndBranch, Emit, TryEnter, TryExit,
              Complete, FailWith, Raise]


# ---------------------------------------------------------------- declarations

@dataclass(frozen=True, slots=True)
class EventDef:
    name: str
    fields: tuple[tuple[str, str], ...]
    """(name, type) in declared order."""

    def field_type(self, name: str) -> str | None:
        for field, kind in self.fields:
            if field == name:
                return kind
        return None


@dataclass(frozen=True, slots=True)
class HandlerDef:
    name: str
    target: str
    """``"module:function"``."""
    params: tuple[tuple[str, str], ...]
    returns: str
    timeout: float | None
    """Per attempt."""
    idempotent: bool
    mode: str  # "plain" | "jit" | "batch"
    directory: Path | None
    """The folder of the declaring .coord file: first on the import path for the target."""
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Slot:
    name: str
    type: str
    event: str | None = None
    """For an ``event`` slot: its event type."""


@dataclass(frozen=True, slots=True)
class Machine:
    """One version of one workflow."""

    name: str
    version: int
    trigger: str | None
    """The start event, or None for a workflow started by ``call``."""
    trigger_slot: int | None
    """Where the start event is stored."""
    params: tuple[int, ...]
    """The slots of the parameters of a called workflow, in order."""
    key: str
    """The key field (of the start event) or parameter."""
    key_type: str
    returns: str
    slots: tuple[Slot, ...]
    code: tuple[Instr, ...]
    labels: tuple[tuple[str, int], ...]
    """Label → pc of its :class:`Wait`."""
    sid: int = -1

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def key_param(self) -> int:
        """The position, among a called workflow's parameters, of its key."""
        for position, slot in enumerate(self.params):
            if self.slots[slot].name == self.key:
                return position
        raise KeyError(f"{self.id} has no key parameter {self.key}")


@dataclass(frozen=True, slots=True)
class Reaction:
    """``on EVENT as v where g { ... }``: runs to completion for each event, never waits."""

    event: str
    slot: int
    guard: Expr | None
    slots: tuple[Slot, ...]
    code: tuple[Instr, ...]
    sid: int = -1


@dataclass(frozen=True, slots=True)
class Aggregate:
    kind: str  # count sum avg min max stddev first last
    value: Expr | None
    """Evaluated per event with the event in slot 0 (None for ``count``)."""


@dataclass(frozen=True, slots=True)
class Stream:
    """``stream NAME from EVENT as v by FIELD window W { let ...; when c emit ... }``.

    Per key, aggregates accumulate over the window; as the window closes the code runs with
    :class:`AggregateRef` giving their values and ``Builtin("key")`` the window's key."""

    name: str
    event: str
    by: str
    window: str  # tumbling sliding session count
    size: float
    """Tumbling/sliding: the length in seconds; session: the gap; count: the number of events."""
    every: float | None
    """Sliding: the step."""
    aggregates: tuple[Aggregate, ...]
    slots: tuple[Slot, ...]
    code: tuple[Instr, ...]
    sid: int = -1


@dataclass(frozen=True, slots=True)
class SourceRef:
    path: Path | None
    span: Span


@dataclass(frozen=True, slots=True)
class Program:
    """Everything the runtime needs to run a module and what it imports."""

    events: tuple[EventDef, ...]
    handlers: tuple[HandlerDef, ...]
    policies: tuple[tuple[str, RetryPolicy], ...]
    machines: tuple[Machine, ...]
    reactions: tuple[Reaction, ...]
    streams: tuple[Stream, ...]
    spans: tuple[SourceRef, ...]
    """By ``sid``."""

    def event(self, name: str) -> EventDef:
        return next(e for e in self.events if e.name == name)

    def handler(self, name: str) -> HandlerDef:
        return next(h for h in self.handlers if h.name == name)

    def policy(self, name: str) -> RetryPolicy:
        return next(p for n, p in self.policies if n == name)

    def machine(self, name: str, version: int | None = None) -> Machine:
        """A workflow's given version, or its highest."""
        candidates = [m for m in self.machines if m.name == name and (version is None or m.version == version)]
        return max(candidates, key=lambda m: m.version)
