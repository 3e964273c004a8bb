"""The TUI's edge: the debug session's values as the text the panes show, and its 1-based
locations as the 0-based lines and code-point offsets the analysis API works in."""

from __future__ import annotations

import math
from datetime import datetime, timezone

from coordlang.source import LineIndex

MAX_VALUE = 60
"""Keys and field values longer than this are cut in the timeline and the status line."""


def location_offset(lines: LineIndex, line: int, column: int) -> int:
    """The code-point offset of a session location (1-based line and column)."""
    return lines.offset(line - 1, column - 1)


def short_clock_text(seconds: float | None) -> str:
    """``01-05 10:01:00``: the clock without the year and zone, for columns of times."""
    text = clock_text(seconds)
    return text[5:19] if text != "-" else text


def clock_text(seconds: float | None) -> str:
    """Event time as UTC, RFC 3339 style (``2026-01-05 10:01:00Z``, milliseconds when there
    are any); ``-`` before the first event."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def duration_text(seconds: float) -> str:
    """``+1h``, ``+2d 3h``, ``+250ms``: how far a deadline is from the clock."""
    if seconds < 0:
        return "due"
    if seconds < 1:
        return f"+{round(seconds * 1000)}ms"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{int(count)}{unit}")
    return "+" + " ".join(parts[:2])


def value_text(value: object, width: int = MAX_VALUE) -> str:
    """A key or a field value on one line, cut to ``width``."""
    text = "none" if value is None else value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def instance_text(view) -> str:
    """``Order@2 'o-1001' (#1) running`` for an InstanceView."""
    return f"{view.name} {view.status}"


def stop_text(stop) -> str:
    """What the last stop was: ``breakpoint: line 12``, ``exception: HandlerError: boom``."""
    if stop.error is not None:
        return f"{stop.reason}: {stop.error.kind}: {value_text(stop.error.message)}"
    if not stop.description:
        return stop.reason
    # Breakpoint stops describe themselves as "breakpoint 1: ...": no need to say it twice.
    return stop.description if stop.description.startswith(stop.reason) else f"{stop.reason}: {stop.description}"
