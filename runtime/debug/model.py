"""What a debug session answers with: plain, immutable values the front-ends (``coord dap``,
``coord debug``) turn into their own messages and widgets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coordlang.errors import CoordError
from coordlang.runtime.interpreter.values import ErrorValue

ERROR_FILTERS: tuple[tuple[str, str, str], ...] = (
    ("uncaught", "Uncaught errors", "Stop when an error escapes a workflow instance: it fails, or starts compensating."),
    ("caught", "Caught errors", "Stop when a try/catch takes an error (a failed step after its retries, a fail, "
                                "a timeout, a child that failed)."),
)
"""(id, label, description) of each kind of error breakpoint."""


class EvaluationError(CoordError):
    """An expression that cannot be evaluated here: it does not parse, names something unknown,
    or has no value (a division by zero, a field of nothing)."""


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a program file; lines and columns are 1-based, columns in code points."""

    path: Path | None
    line: int
    column: int
    end_line: int
    end_column: int
    instance: int | None
    """The instance whose code is there (None: an event or a timer of no instance)."""
    description: str


@dataclass(frozen=True, slots=True)
class Stop:
    """Where a motion of the session came to, and why."""

    reason: str
    """``entry``, ``step``, ``breakpoint``, ``event`` (an event breakpoint), ``exception``,
    ``pause``, ``goto``, ``restart`` (a frame restarted) or ``end`` (nothing left to do)."""
    description: str
    position: int
    instance: int | None
    breakpoints: tuple[int, ...] = ()
    """The ids of the breakpoints hit."""
    error: ErrorValue | None = None
    """For ``exception``: the error."""
    output: tuple[str, ...] = ()
    """What logpoints said on the way, in order."""
    escaped: bool | None = None
    """For ``exception``: whether the error escaped its instance (else a ``catch`` took it)."""


@dataclass(frozen=True, slots=True)
class LineBreakpoint:
    line: int
    condition: str | None = None
    hit_condition: str | None = None
    log_message: str | None = None
    """A logpoint: the message (with ``{expr}`` parts) is output instead of stopping."""


@dataclass(frozen=True, slots=True)
class EventBreakpoint:
    """Stops before an event of this type is routed. The condition sees the event's fields as
    variables, and the whole event as ``e`` (``event`` is a keyword of the language)."""

    event: str
    condition: str | None = None
    hit_condition: str | None = None


@dataclass(frozen=True, slots=True)
class BreakpointState:
    id: int
    verified: bool
    line: int | None
    """Where a line breakpoint really is: the first line with a statement at or after the one asked for."""
    message: str | None
    """Why it is not verified."""


@dataclass(frozen=True, slots=True)
class InstanceView:
    id: int
    name: str
    kind: str
    """``workflow``, ``reaction`` or ``stream``."""
    workflow: str
    version: int
    key: object
    status: str
    parent: int | None
    """The instance whose ``call`` started it."""


@dataclass(frozen=True, slots=True)
class Frame:
    instance: int
    name: str
    location: Location | None


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    value: str
    type: str
    children: tuple[Variable, ...] = ()


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    variables: tuple[Variable, ...]


@dataclass(frozen=True, slots=True)
class TimerView:
    deadline: float
    purpose: str
    """``wait``, ``backoff``, ``latency`` or ``window``."""
    instance: int | None
    description: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    position: int | None
    """The step that did it: ``goto(position)`` stands just before it. None for an input event
    the run has not reached yet (``goto_input(input)`` runs on to it)."""
    kind: str
    """``in`` (an input event routed), ``emit`` (an emitted event routed), ``timer`` (a timer
    fired), ``start`` or ``end`` (of a workflow instance)."""
    time: float
    title: str
    event: str | None
    key: object
    fields: dict | None
    instance: int | None
    input: int | None = None
    """For ``in``: the event's index in the run's input (0-based)."""
    reached: bool = True
    """Whether the run has got this far (False: an input event known from the events file or
    the log, not routed yet)."""


@dataclass(frozen=True, slots=True)
class Watched:
    """A watch expression evaluated at the current position: its value, or why it has none."""

    expression: str
    value: Variable | None
    error: str | None = None
    """The evaluation error (a mistake in the expression, or nothing to evaluate it in here)."""


@dataclass(frozen=True, slots=True)
class Change:
    where: str
    before: str | None
    after: str | None
