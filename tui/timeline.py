"""The timeline pane: every event the session knows of (input events routed, emitted events,
timers firing, instances starting and ending, and the input events the run has not reached
yet), filterable, with a marker at the session's position. Enter on an entry travels there,
forward to an input event not reached too."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input

from coordlang.tui.convert import short_clock_text, value_text

KINDS = ("in", "emit", "timer", "start", "end")
"""Every ``TimelineEntry.kind``."""
MAX_ROWS = 2000
"""At most this many entries are shown, those nearest the session's position: a table of a
whole long log would be slow to draw at every step (a filter narrows it)."""


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    """A parsed filter: every term must match. ``event:NAME`` (or ``type:NAME``) and
    ``key:VALUE`` look in the event type and the key, ``kind:K`` takes one of :data:`KINDS`,
    and a bare word may be in the event type, the key or the title. Case is ignored, and a
    term matches a part of the text (``key:o-10`` matches ``o-1001``)."""

    events: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TimelineFilter:
        events, keys, kinds, words = [], [], [], []
        for term in text.lower().split():
            field, _, value = term.partition(":")
            if value and field in ("event", "type"):
                events.append(value)
            elif value and field == "key":
                keys.append(value)
            elif value and field == "kind":
                kinds.append(value)
            else:
                words.append(term)
        return cls(tuple(events), tuple(keys), tuple(kinds), tuple(words))

    def __bool__(self) -> bool:
        return bool(self.events or self.keys or self.kinds or self.words)

    def matches(self, entry) -> bool:
        event = (entry.event or "").lower()
        key = "" if entry.key is None else str(entry.key).lower()
        title = entry.title.lower()
        return (all(e in event for e in self.events) and all(k in key for k in self.keys)
                and all(k == entry.kind for k in self.kinds)
                and all(w in event or w in key or w in title for w in self.words))


def next_entry(entries, position: int) -> int | None:
    """The index of the first entry the session has not passed yet (its step is at or after
    ``position``, or the run has not reached it), or None when it has passed them all."""
    return next((i for i, e in enumerate(entries) if e.position is None or e.position >= position), None)


class TimelinePane(Vertical):
    """The filter box over the table of entries."""

    DEFAULT_CSS = """
    TimelinePane {
        & > Input { border: none; height: 1; padding: 0 1; background: $boost; }
        & > Input:focus { background: $primary 20%; }
        & > DataTable { height: 1fr; }
        & > DataTable > .datatable--header { text-style: bold; }
    }
    """
    BINDINGS = [Binding("slash", "filter", "Filter", show=False)]

    class Jump(Message):
        """Enter on an entry: travel to the step that did it (``position``), or, for an input
        event not reached yet, run on to it (``input``, its index in the run's input)."""

        def __init__(self, position: int | None, input: int | None = None) -> None:
            super().__init__()
            self.position = position
            self.input = input

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries: list = []
        self.position = 0
        self.filter = TimelineFilter()
        self.rows: list[int] = []
        """The index in ``entries`` of each row shown."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: words, event:NAME key:VALUE kind:in|emit|timer|start|end",
                    id="timeline-filter")
        table: DataTable = DataTable(id="timeline-table", cursor_type="row", zebra_stripes=False)
        table.add_column(" ", key="mark", width=1)
        table.add_column("step", key="step")
        table.add_column("time", key="time")
        table.add_column("event", key="title")
        table.add_column("key", key="key")
        yield table

    @property
    def table(self) -> DataTable:
        return self.query_one("#timeline-table", DataTable)

    def show(self, entries, position: int) -> None:
        """The session's timeline and position, after a stop."""
        if list(entries) == self.entries and position == self.position:
            return
        table = self.table
        pointed = None
        if table.has_focus and 0 <= table.cursor_row < len(self.rows):
            pointed = self._identity(self.rows[table.cursor_row])
        self.entries = list(entries)
        self.position = position
        self._fill(pointed)

    def _identity(self, index: int) -> tuple:
        """What stays the same of an entry when the run reaches it: its input index (an input
        event not reached becomes a reached one, with rows before it), else its place in the
        list (reached entries only ever have more after them)."""
        entry = self.entries[index]
        return ("input", entry.input) if entry.input is not None else ("index", index)

    def _fill(self, pointed: tuple | None = None) -> None:
        """Fill the table; a browsing cursor stays on the entry ``pointed`` at (or its row)."""
        table = self.table
        chosen = [i for i, e in enumerate(self.entries) if not self.filter or self.filter.matches(e)]
        here = next_entry([self.entries[i] for i in chosen], self.position)
        if len(chosen) > MAX_ROWS:
            middle = len(chosen) if here is None else here
            start = max(0, min(middle - MAX_ROWS // 2, len(chosen) - MAX_ROWS))
            chosen = chosen[start:start + MAX_ROWS]
            here = None if here is None else here - start
        browsing = table.has_focus and table.row_count
        keep = table.cursor_row
        table.clear()
        self.rows = chosen
        for row, index in enumerate(chosen):
            entry = self.entries[index]
            ahead = entry.position is None or entry.position >= self.position
            style = "" if row == here else "dim italic" if entry.position is None else "dim" if ahead else ""
            # An entry the run has not reached has no step yet: "·" says so.
            table.add_row(Text("▶" if row == here else " ", style="bold"),
                          Text("·" if entry.position is None else str(entry.position), style=style,
                               justify="right"),
                          Text(short_clock_text(entry.time), style=style),
                          Text(value_text(entry.title), style=style),
                          Text(value_text(entry.key, 20) if entry.key is not None else "", style=style),
                          key=str(index))
        if browsing:
            row = next((r for r, i in enumerate(chosen) if self._identity(i) == pointed), None)
            table.move_cursor(row=min(keep, max(0, table.row_count - 1)) if row is None else row, animate=False)
        elif table.row_count:
            table.move_cursor(row=len(chosen) - 1 if here is None else here, animate=False)

    def focus_current(self) -> None:
        """Focus the table with its cursor on the next entry to happen."""
        here = next_entry([self.entries[i] for i in self.rows], self.position)
        if self.table.row_count:
            self.table.move_cursor(row=self.table.row_count - 1 if here is None else here, animate=False)
        self.table.focus()

    def action_filter(self) -> None:
        self.query_one("#timeline-filter", Input).focus()

    @on(Input.Changed, "#timeline-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = TimelineFilter.parse(event.value)
        self._fill()

    @on(Input.Submitted, "#timeline-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    @on(DataTable.RowSelected, "#timeline-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        entry = self.entries[int(event.row_key.value)]
        self.post_message(self.Jump(entry.position, entry.input))

    def key_escape(self) -> None:
        if self.query_one("#timeline-filter", Input).has_focus:
            self.table.focus()
