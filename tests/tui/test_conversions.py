"""The TUI's edge conversions and the timeline filter, without an app."""

from __future__ import annotations

import math

from coordlang.runtime.debug import TimelineEntry
from coordlang.source import LineIndex
from coordlang.tui.convert import clock_text, duration_text, location_offset, value_text
from coordlang.tui.timeline import TimelineFilter, next_entry


def entry(position: int, kind: str = "in", event: str | None = "PaymentOk", key: object = "o-1001",
          title: str = "in PaymentOk { order_id: \"o-1001\" }") -> TimelineEntry:
    return TimelineEntry(position, kind, 0.0, title, event, key, None, None)


def test_clock_and_durations() -> None:
    assert clock_text(1767607200.0) == "2026-01-05 10:00:00Z"
    assert clock_text(1767607200.25) == "2026-01-05 10:00:00.250Z"
    assert clock_text(None) == clock_text(-math.inf) == "-"
    assert duration_text(3600) == "+1h"
    assert duration_text(3570) == "+59m 30s"
    assert duration_text(7 * 86400 + 3600 + 5) == "+7d 1h"
    assert duration_text(0.25) == "+250ms"
    assert duration_text(-1) == "due"


def test_values_are_one_line_and_cut() -> None:
    assert value_text("a\n  b") == "a b"
    assert value_text(None) == "none"
    assert value_text(12) == "12"
    assert value_text("x" * 100, 10) == "x" * 9 + "…"


def test_locations_are_one_based_code_points() -> None:
    lines = LineIndex("ab\nçd\n")
    assert location_offset(lines, 1, 1) == 0
    assert location_offset(lines, 2, 2) == 4


def test_filter_terms() -> None:
    ok, other = entry(3), entry(4, event="OrderPlaced", key="o-2002", title="in OrderPlaced {}")
    start = entry(5, kind="start", event=None, key="o-1001", title="start Order@2 'o-1001'")
    assert not TimelineFilter.parse("  ")
    picks = lambda text: [e.position for e in (ok, other, start) if TimelineFilter.parse(text).matches(e)]  # noqa: E731
    assert picks("event:paymentok") == picks("type:PaymentOk") == [3]
    assert picks("key:o-1001") == [3, 5]
    assert picks("key:o-10") == [3, 5]
    assert picks("kind:start") == [5]
    assert picks("order@2") == [5]  # a bare word looks in the title too
    assert picks("o-2002") == [4]
    assert picks("key:o-1001 kind:in") == [3]  # every term must match
    assert picks("key:nobody") == []


def test_next_entry_is_the_first_not_passed() -> None:
    entries = [entry(0), entry(0, kind="start"), entry(5), entry(9)]
    assert next_entry(entries, 0) == 0
    assert next_entry(entries, 1) == 2
    assert next_entry(entries, 5) == 2
    assert next_entry(entries, 10) is None
