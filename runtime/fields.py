"""Checking and converting the fields of input events against their declared types.

An :class:`EventSchema` per declared event type turns a decoded record (a dict from JSON
Lines or msgpack, a row of text cells from CSV) into the fields of an
:class:`~coordlang.runtime.executor.Event`, or raises :class:`BadEvent` with what is wrong.
Times and durations become float seconds; ``float`` accepts integers; ``int`` is a 64-bit
integer (what the compiled backend's columns hold), never a bool or a float.

Times are RFC 3339 text with a UTC offset (``2026-01-05T10:00:00Z``,
``2026-01-05T10:00:00.250+02:00``; ``T`` may be ``t`` or a space, a leap second ``:60`` is the
next minute's ``:00``) or a number of seconds since the epoch. Durations are a number of
seconds or a duration literal of the language (``250ms``, ``5s``, ``1.5m``, ``2h``, ``1d``).
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from coordlang.ir.nodes import EventDef

INT_MIN = -(1 << 63)
INT_MAX = (1 << 63) - 1

TYPE_NAMES = {"int": "an int", "float": "a float", "bool": "a bool", "str": "a str",
              "duration": 'a duration (seconds, or text like "5s" or "250ms")',
              "time": "a time (RFC 3339 text like 2026-01-05T10:00:00Z, or seconds since the epoch)"}

TIME_EXPECTED = "expected RFC 3339 text like 2026-01-05T10:00:00Z or seconds since the epoch"


class BadEvent(Exception):
    """What is wrong with one input record; the reader adds the place."""


# ---------------------------------------------------------------- times and durations

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)", re.ASCII).fullmatch
_RFC3339_PARTS = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))", re.ASCII).fullmatch
_NO_OFFSET = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?", re.ASCII).fullmatch
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", re.ASCII).fullmatch
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII).fullmatch
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII).fullmatch
_from_iso = datetime.fromisoformat


def rfc3339_seconds(text: str) -> float:
    """Seconds since the epoch of RFC 3339 text; ValueError with the reason otherwise."""
    # Most event times are whole seconds, and many events share a minute: look the minute up
    # (it was checked when first seen) and add the seconds. Four times faster than parsing.
    size = len(text)
    if size == 20 or size == 25:
        minute = _MINUTES.get(text[:17] if size == 20 and text[19] == "Z" else text[:17] + text[19:])
        if minute is not None:
            second = _SECONDS.get(text[17:19])
            if second is not None:
                return minute + second
    return _rfc3339_parse(text)


_SECONDS = {f"{s:02d}": s for s in range(61)}
_MINUTES: dict[str, float] = {}
"""``YYYY-MM-DDTHH:MM:`` plus the UTC offset (none for ``Z``) → the minute's seconds since
the epoch."""
_MINUTES_KEPT = 100_000


def _rfc3339_parse(text: str) -> float:
    if _RFC3339(text):
        try:
            # The C parser covers the usual shapes; what it refuses (a lowercase z, a leap
            # second, an impossible date) goes to the exact path below, which decides.
            value = _from_iso(text).timestamp()
        except ValueError:
            value = _rfc3339_slow(text)
        if len(text) in (20, 25) and text[19] != ".":
            if len(_MINUTES) >= _MINUTES_KEPT:
                _MINUTES.clear()
            key = text[:17] if len(text) == 20 and text[19] == "Z" else text[:17] + text[19:]
            _MINUTES[key] = value - int(text[17:19])
        return value
    if _NO_OFFSET(text):
        raise ValueError(f"time {_shown(text)} has no UTC offset; add Z or +HH:MM")
    raise ValueError(f"bad time {_shown(text)}: {TIME_EXPECTED}")


def _rfc3339_slow(text: str) -> float:
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = _RFC3339_PARTS(text).groups()
    y, mo, d, h, mi, s = int(year), int(month), int(day), int(hour), int(minute), int(second)
    if not (1 <= mo <= 12 and 1 <= d <= _days_in_month(y, mo) and h <= 23 and mi <= 59 and s <= 60):
        raise ValueError(f"bad time {_shown(text)}: no such date or time of day")
    offset = 0
    if sign is not None:
        oh, om = int(off_h), int(off_m)
        if oh > 23 or om > 59:
            raise ValueError(f"bad time {_shown(text)}: the UTC offset is out of range")
        offset = (oh * 3600 + om * 60) * (1 if sign == "+" else -1)
    whole = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    # The same arithmetic as datetime.timestamp(), so both paths round alike.
    return (whole * 1_000_000 + micros) / 1_000_000


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_time(value: object) -> float:
    """An event time — RFC 3339 text or seconds since the epoch (int, float or numeric text
    only when ``value`` came from a CSV cell, see :func:`time_from_text`) — in seconds."""
    kind = type(value)
    if kind is str:
        return rfc3339_seconds(value)
    if kind is float or kind is int:
        return _finite(float(value), value)
    if _is_timestamp(value):
        return value.to_unix()  # type: ignore[attr-defined]
    raise ValueError(f"bad time {_shown(value)}: {TIME_EXPECTED}")


def time_from_text(text: str) -> float:
    """A time written as text (a CSV cell, a command-line argument): RFC 3339 or a number."""
    if ":" not in text and _NUMBER(text):  # RFC 3339 always has a colon, a number never
        return _finite(float(text), text)
    return rfc3339_seconds(text)


def parse_duration(value: object) -> float:
    """A duration — a number of seconds or text like ``"5s"`` — in seconds."""
    kind = type(value)
    if kind is float or kind is int:
        return _finite(float(value), value)
    if kind is str:
        match = _DURATION(value)
        if match:
            return float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    raise ValueError(f"bad duration {_shown(value)}: expected seconds or text like \"5s\" or \"250ms\"")


def _finite(number: float, shown: object) -> float:
    if math.isfinite(number):
        return number
    raise ValueError(f"{_shown(shown)} is not a finite number")


def _is_timestamp(value: object) -> bool:
    # msgpack's timestamp extension type; imported lazily so the module loads without msgpack.
    return type(value).__name__ == "Timestamp" and hasattr(value, "to_unix")


# ---------------------------------------------------------------- showing values in messages

def _shown(value: object, limit: int = 60) -> str:
    """A value as JSON would write it, shortened: the way a user wrote it in the input."""
    if value is None:
        text = "null"
    elif value is True or value is False:
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, dict):
        text = "an object"
    elif isinstance(value, (list, tuple)):
        text = "an array"
    elif isinstance(value, (bytes, bytearray)):
        text = f"binary data ({len(value)} bytes)"
    else:
        text = type(value).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


def kind_of(value: object) -> str:
    """The JSON kind of a decoded value, for 'found an array' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    return type(value).__name__


def suggestion(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


# ---------------------------------------------------------------- per-type conversion

def _check_int(value: object) -> int:
    if type(value) is int and INT_MIN <= value <= INT_MAX:
        return value
    raise ValueError


def _check_float(value: object) -> float:
    kind = type(value)
    if kind is float:
        return _finite(value, value)  # type: ignore[arg-type]
    if kind is int:
        return float(value)  # type: ignore[arg-type]
    raise ValueError


def _check_bool(value: object) -> bool:
    if type(value) is bool:
        return value  # type: ignore[return-value]
    raise ValueError


def _check_str(value: object) -> str:
    if type(value) is str:
        return value  # type: ignore[return-value]
    raise ValueError


def _text_int(text: str) -> int:
    if _INTEGER(text):
        return _check_int(int(text))
    raise ValueError


def _text_float(text: str) -> float:
    if _NUMBER(text):
        return _finite(float(text), text)
    raise ValueError


def _text_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError


def _text_duration(text: str) -> float:
    return _text_float(text) if _NUMBER(text) else parse_duration(text)


VALUE_CONVERTERS: dict[str, Callable[[object], object]] = {
    "int": _check_int, "float": _check_float, "bool": _check_bool, "str": _check_str,
    "duration": parse_duration, "time": parse_time,
}
"""A decoded value (JSON, msgpack) to its field type; ValueError when it does not fit."""

TEXT_CONVERTERS: dict[str, Callable[[str], object]] = {
    "int": _text_int, "float": _text_float, "bool": _text_bool, "str": str,
    "duration": _text_duration, "time": time_from_text,
}
"""A CSV cell (never empty: an empty cell is a missing field) to its field type."""

_EXACT = {"int": int, "float": float, "bool": bool, "str": str}


@dataclass(frozen=True, slots=True)
class EventSchema:
    """How to check one declared event type's records."""

    name: str
    fields: tuple[tuple[str, str], ...]
    keys: frozenset[str]
    fast: Callable[[dict], bool]
    """True when a record has exactly the declared keys, each of its exact Python type
    (ints in range, no conversion needed): the common case, checked in one call."""
    converted: tuple[tuple[str, Callable[[object], object]], ...]
    """The ``duration`` and ``time`` fields, converted even on the fast path."""
    time_field: bool
    """The type declares a ``time: time`` field: it is the event's ``"time"`` key too."""
    conflict: str | None
    """Why records of this type cannot be given as input at all (a field named ``event``,
    or a ``time`` field of another type than ``time``)."""

    @classmethod
    def of(cls, event: EventDef) -> EventSchema:
        conflict = None
        types = dict(event.fields)
        if "event" in types:
            conflict = (f"event type {event.name} declares a field named 'event', which input cannot carry "
                        "(the \"event\" key names the type); rename the field")
        elif "time" in types and types["time"] != "time":
            conflict = (f"event type {event.name} declares a field 'time' of type {types['time']}, but the "
                        "\"time\" key of input is the event time; rename the field or make it a time")
        keys = frozenset(name for name, _ in event.fields if name != "time")
        return cls(event.name, event.fields, keys, _fast_check(event.fields),
                   tuple((n, VALUE_CONVERTERS[t]) for n, t in event.fields if t in ("duration", "time") and n != "time"),
                   types.get("time") == "time", conflict)

    def check(self, record: dict) -> dict:
        """The record's fields, converted (in place), or :class:`BadEvent`. ``record`` holds
        the fields only: the ``"event"`` and ``"time"`` keys are already taken out."""
        if self.fast(record):
            for name, convert in self.converted:
                try:
                    record[name] = convert(record[name])
                except ValueError:
                    raise BadEvent(self.mistyped(name, record[name])) from None
            return record
        self.unknown_fields(record.keys())
        for name, kind in self.fields:
            if name == "time":
                continue
            if name not in record:
                raise BadEvent(f"{self.name}: missing field '{name}' ({kind})")
            try:
                record[name] = VALUE_CONVERTERS[kind](record[name])
            except ValueError:
                raise BadEvent(self.mistyped(name, record[name])) from None
        return record

    def unknown_fields(self, names) -> None:
        for name in names:
            if name not in self.keys:
                shown = f"'{name}'" if isinstance(name, str) else _shown(name)
                declared = ", ".join(n for n, _ in self.fields) or "none"
                hint = suggestion(name, self.keys) if isinstance(name, str) else ""
                raise BadEvent(f"{self.name} has no field {shown}{hint} (its fields: {declared})")

    def mistyped(self, name: str, value: object) -> str:
        kind = dict(self.fields)[name]
        if kind == "time" and isinstance(value, str) and _NO_OFFSET(value):
            return f"{self.name}: field '{name}': time {_shown(value)} has no UTC offset; add Z or +HH:MM"
        if kind in ("float", "duration", "time") and isinstance(value, (int, float)) and not math.isfinite(value):
            return f"{self.name}: field '{name}' must be a finite number, found {_shown(value)}"
        if kind == "int" and type(value) is int:
            return f"{self.name}: field '{name}' must be an int in the 64-bit range, found {_shown(value)}"
        return f"{self.name}: field '{name}' must be {TYPE_NAMES[kind]}, found {_shown(value)}"


def _fast_check(fields: tuple[tuple[str, str], ...]) -> Callable[[dict], bool]:
    # One generated expression per event type: several times faster than a loop over the
    # fields, and this runs for every input event. Names enter the source only through repr().
    terms = ["d.keys() == keys"]
    for name, kind in fields:
        if name == "time":
            continue
        if kind in _EXACT:
            terms.append(f"type(d[{name!r}]) is {kind}")
            if kind == "int":
                terms.append(f"{INT_MIN} <= d[{name!r}] <= {INT_MAX}")
            elif kind == "float":
                terms.append(f"-_inf < d[{name!r}] < _inf")
    source = f"def fast(d):\n    return {' and '.join(terms)}\n"
    namespace: dict = {"keys": frozenset(n for n, _ in fields if n != "time"), "_inf": math.inf}
    exec(source, namespace)  # noqa: S102 - the source is built above from reprs
    return namespace["fast"]
