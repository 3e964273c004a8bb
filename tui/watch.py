"""The watch pane: expressions in the language the user added, evaluated again at every stop
(by the session's ``watch``, in the instance the session stands in). One that cannot be
evaluated here shows its error in its row; nothing of it reaches the rest of the screen."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from coordlang.tui.convert import value_text


class WatchTable(DataTable):
    """One row per expression: the expression, its value (or its error, in red), its type."""

    BINDINGS = [Binding("delete,x", "remove", "Remove the watch", show=False)]

    class Removed(Message):
        """Delete (or x) on a row: stop watching that expression."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._shown: tuple = ()

    def on_mount(self) -> None:
        self.add_column("expression", key="expression")
        self.add_column("value", key="value")
        self.add_column("type", key="type")

    def show(self, watched) -> None:
        """``watched``: the session's Watched values, in the order the user added them."""
        rows = tuple((w.expression, w.value.value if w.value is not None else None,
                      w.value.type if w.value is not None else "", w.error) for w in watched)
        if rows == self._shown:
            return
        self._shown = rows
        keep = self.cursor_row
        self.clear()
        for expression, value, type_, error in rows:
            shown = Text(value_text(value, 40)) if error is None else Text(value_text(error, 50), style="red")
            self.add_row(Text(value_text(expression, 30), style="bold"), shown, Text(type_, style="dim"))
        if self.row_count:
            self.move_cursor(row=min(keep, self.row_count - 1), animate=False)

    def action_remove(self) -> None:
        if self.row_count:
            self.post_message(self.Removed(self.cursor_row))
