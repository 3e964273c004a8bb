"""The timers pane: the timers pending at the session's position, soonest first."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from coordlang.tui.convert import duration_text, short_clock_text


class TimersTable(DataTable):
    """One row per pending timer: when it is due, how far that is from the clock, and what it
    is (its purpose and its instance)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", show_cursor=False, zebra_stripes=True)
        self._shown: tuple = ()

    def on_mount(self) -> None:
        self.add_column("due", key="due")
        self.add_column("in", key="in")
        self.add_column("timer", key="timer")

    def show(self, timers, clock: float | None, names: dict[int, str]) -> None:
        """``timers``: the session's TimerViews; ``clock``: its clock (None before the first
        event); ``names``: instance id → name (an instance's timer shows as ``wait  Order@2
        'o-1001' (#1)``; the session's own description repeats the deadline, too long here)."""
        rows = tuple((short_clock_text(t.deadline), duration_text(t.deadline - clock) if clock is not None else "",
                      f"{t.purpose}  {names[t.instance]}" if t.instance in names else t.description)
                     for t in sorted(timers, key=lambda t: t.deadline))
        if rows == self._shown:
            return
        self._shown = rows
        self.clear()
        for due, left, what in rows:
            self.add_row(due, Text(left, justify="right"), what)
