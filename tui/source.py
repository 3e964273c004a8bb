"""The source pane: a program file with a gutter of breakpoint markers and line numbers, the
line the session stands on highlighted, and a cursor line that breakpoints are toggled at."""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

GUTTER = 8
"""``▶● 1234 ``: the current-line arrow, the breakpoint marker, the line number, a space."""


class SourceView(ScrollView, can_focus=True):
    """A read-only view of one file. ``current`` is the 0-based line the session stands on
    (None when it stands in no line of this file), ``cursor`` the line the user points at."""

    DEFAULT_CSS = """
    SourceView {
        background: $surface;
        & > .source--gutter { color: $text-muted; }
        & > .source--current { background: $warning 30%; }
        & > .source--cursor { background: $primary 25%; }
        & > .source--breakpoint { color: $error; text-style: bold; }
        & > .source--arrow { color: $warning; text-style: bold; }
        &:focus > .source--cursor { background: $primary 45%; }
    }
    """
    COMPONENT_CLASSES = {"source--gutter", "source--current", "source--cursor", "source--breakpoint",
                         "source--arrow"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First line", show=False),
        Binding("end", "cursor_to(-1)", "Last line", show=False),
        Binding("full_stop", "to_current", "Cursor to the current line", show=False),
    ]

    cursor: reactive[int] = reactive(0)
    current: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: list[str] = []
        self.name_shown = ""
        self.breakpoints: dict[int, bool] = {}
        """0-based line → verified."""
        self.conditional: frozenset[int] = frozenset()
        """0-based lines whose breakpoint has a condition (marked ◆)."""

    def show(self, name: str, text: str) -> None:
        """Show a file (``name`` titles the pane: a file name, never a full path, so screens are
        the same on every machine)."""
        if name == self.name_shown and self.lines == text.splitlines():
            return
        self.name_shown = name
        self.border_title = name
        self.lines = text.splitlines() or [""]
        self.virtual_size = Size(GUTTER + max(len(line) for line in self.lines), len(self.lines))
        self.cursor = min(self.cursor, len(self.lines) - 1)
        self.refresh()

    def set_breakpoints(self, marks: dict[int, bool], conditional=()) -> None:
        self.breakpoints = dict(marks)
        self.conditional = frozenset(conditional)
        self.refresh()

    # ---- cursor and scrolling
    def validate_cursor(self, line: int) -> int:
        return max(0, min(line, len(self.lines) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_line(new)

    def watch_current(self, old: int | None, new: int | None) -> None:
        for line in (old, new):
            if line is not None:
                self.refresh_line(line)
        if new is not None:
            self.cursor = new
            self.scroll_to_line(new, center=True)

    def refresh_line(self, line: int) -> None:
        self.refresh(Region(0, line - round(self.scroll_y), self.size.width, 1))

    def scroll_to_line(self, line: int, center: bool = False) -> None:
        self.scroll_to_region(Region(0, line, 1, 1), animate=False, center=center, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_cursor_to(self, line: int) -> None:
        self.cursor = line if line >= 0 else len(self.lines) - 1

    def action_to_current(self) -> None:
        if self.current is not None:
            self.cursor = self.current

    # ---- drawing
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        base = self.rich_style
        if index == self.current:
            base += self.get_component_rich_style("source--current")
        elif index == self.cursor and (self.has_focus or self.current is None):
            base += self.get_component_rich_style("source--cursor")
        gutter = base + self.get_component_rich_style("source--gutter", partial=True)
        arrow = Segment("▶" if index == self.current else " ",
                        base + self.get_component_rich_style("source--arrow", partial=True))
        verified = self.breakpoints.get(index)
        symbol = "◆" if verified and index in self.conditional else "●" if verified else "○"
        mark = Segment(" " if verified is None else symbol,
                       base + self.get_component_rich_style("source--breakpoint", partial=True))
        number = Segment(f"{index + 1:>5} ", gutter)
        text = self.lines[index][scroll_x:]
        body = Segment(text.ljust(max(0, width - GUTTER)), base)
        return Strip([arrow, mark, number, body]).crop(0, width).simplify()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # None on the border or a scrollbar
        if offset is not None and 0 <= offset.y + round(self.scroll_y) < len(self.lines):
            self.cursor = offset.y + round(self.scroll_y)

