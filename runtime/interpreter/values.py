"""Run-time values besides the primitives: error values, how values print, JSON shapes, and
the jittered retry delays.

Primitive values are plain Python (``int``, ``float``, ``bool``, ``str``, ``None``); durations
and times are float seconds, and the static type (from the IR) says how to print them. An
event record is the :class:`~coordlang.runtime.executor.Event` that arrived.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timezone

from coordlang.runtime.executor import Event
from coordlang.semantics.constants import format_seconds
from coordlang.semantics.policies import RetryPolicy


@dataclass(frozen=True, slots=True)
class ErrorValue:
    """An error raised in a workflow: what a ``catch K as e`` slot holds."""

    kind: str
    """``Timeout``, ``HandlerError``, ``ChildFailed``, ``Cancelled`` or ``Failed``."""
    message: str
    type: str
    """The Python exception's class name for a handler's exception; else the kind."""
    lineage: tuple[str, ...] = ()
    """Class names of the exception and its bases (short and dotted), so a policy's
    ``on: ["ConnectionError"]`` also retries ``ConnectionRefusedError``, as ``except`` would."""

    def field(self, name: str) -> object:
        if name == "kind":
            return self.kind
        if name == "message":
            return self.message
        if name == "type":
            return self.type
        raise KeyError(name)

    def as_json(self) -> dict:
        return {"kind": self.kind, "message": self.message, "type": self.type}


def error(kind: str, message: str) -> ErrorValue:
    """An error that did not come from a Python exception."""
    return ErrorValue(kind, message, kind)


def from_exception(exc: BaseException) -> ErrorValue:
    """A handler's exception: ``TimeoutError`` (and its subclasses) is a ``Timeout``, since a
    handler takes no virtual time and only its own clock can say an attempt ran too long;
    every other exception is a ``HandlerError``. An exception replayed from an event log
    carries the error it was recorded as (``recorded_error``)."""
    recorded = getattr(exc, "recorded_error", None)
    if isinstance(recorded, ErrorValue):
        return recorded
    lineage: list[str] = []
    for cls in type(exc).__mro__:
        if cls in (BaseException, object):
            break
        lineage.append(cls.__name__)
        lineage.append(f"{cls.__module__}.{cls.__qualname__}")
    kind = "Timeout" if isinstance(exc, TimeoutError) else "HandlerError"
    return ErrorValue(kind, str(exc), type(exc).__name__, tuple(lineage))


def retries_on(policy: RetryPolicy, err: ErrorValue) -> bool:
    """Whether ``policy`` retries after ``err`` (attempts aside)."""
    return err.kind in policy.on_kinds or any(name in policy.on_exceptions for name in err.lineage)


def retry_delay(policy: RetryPolicy, retry: int, seed: tuple[object, ...]) -> float:
    """The delay before retry number ``retry`` (0 before the second attempt), jittered by a
    generator seeded from ``seed`` (instance key, step, attempt): a replay draws the same
    delays. Python's ``hash()`` is salted per process, so the seed is a SHA-256 of the repr."""
    base = policy.delay(retry)
    if policy.jitter == "none" or base <= 0:
        return base
    digest = hashlib.sha256(repr(seed).encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    if policy.jitter == "full":
        return rng.uniform(0.0, base)
    return base / 2 + rng.uniform(0.0, base / 2)


FLOATS = frozenset({"float", "duration", "time"})


def coerce(value: object, type_: str) -> object:
    """A value stored where ``type_`` is declared: an int where a float (duration, time) is
    expected becomes a float, as it would in a float column."""
    if type_ in FLOATS and type(value) is int:
        return float(value)
    return value


def format_value(value: object, type_: str) -> str:
    """How a value reads inside an interpolated string."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if type_ == "duration":
            return format_seconds(value)
        if type_ == "time":
            return format_time(value)
        return repr(value)
    if isinstance(value, int):
        if type_ == "duration":
            return format_seconds(float(value))
        if type_ == "time":
            return format_time(float(value))
        return str(value)
    if isinstance(value, ErrorValue):
        return f"{value.kind}: {value.message}"
    if isinstance(value, Event):
        inner = ", ".join(f"{k}: {v!r}" for k, v in value.fields.items())
        return f"{value.type} {{ {inner} }}"
    return str(value)


def format_time(seconds: float) -> str:
    """RFC 3339 in UTC, with fractions of a second only when there are some."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    text = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def json_value(value: object) -> object:
    """A value as it goes into ``OUTCOMES.jsonl``."""
    if isinstance(value, ErrorValue):
        return value.as_json()
    if isinstance(value, Event):
        return {"event": value.type, **value.fields}
    return value
