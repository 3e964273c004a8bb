"""The debugger's modal screens: the help (every key), going to a step, and a prompt for a line
of text."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class HelpScreen(ModalScreen[None]):
    """Every key, by pane; any key closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", show=False)]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections
        """(title, [(keys, what they do)]) per pane."""

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, keys in self.sections:
            table.add_row(Text(title, style="underline"), "")
            for key, what in keys:
                table.add_row(Text(key), Text(what))  # plain text: "[if CONDITION]" is not markup
        with VerticalScroll() as scroll:
            scroll.border_title = "keys (escape closes)"
            yield Static(table)

    def on_key(self, event) -> None:
        if event.key not in ("up", "down", "pageup", "pagedown"):
            event.stop()
            self.dismiss()


class GotoScreen(ModalScreen[int | None]):
    """Ask for a step number to travel to; escape gives None."""

    DEFAULT_CSS = """
    GotoScreen { align: center middle; }
    GotoScreen > Vertical {
        width: 44; height: auto; border: round $primary; background: $surface; padding: 0 1;
    }
    GotoScreen Input { width: 100%; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, position: int, last: int | None) -> None:
        super().__init__()
        self.position = position
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "go to step"
            known = f", known up to {self.last}" if self.last is not None else ""
            yield Label(f"now at step {self.position}{known}")
            yield Input(placeholder="step number", type="integer", id="goto-step")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(int(event.value) if event.value.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (an expression, a condition, an event type); Enter gives it
    (empty too: it may mean "none"), escape gives None."""

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 72; max-width: 100%; height: auto; border: round $primary; background: $surface; padding: 0 1;
    }
    PromptScreen Input { width: 100%; }
    PromptScreen Label { width: 100%; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str, explanation: str, *, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Label(self.explanation, markup=False)  # "[if CONDITION]" is no markup
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-text")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class DiffScreen(ModalScreen[None]):
    """What differs between the states at two positions (the session's ``diff``): one row per
    place, its value at the mark and here; escape (or d, q) closes it."""

    DEFAULT_CSS = """
    DiffScreen { align: center middle; }
    DiffScreen > VerticalScroll {
        width: 110; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,d", "dismiss", "Close", show=False)]

    def __init__(self, mark: int, position: int, changes) -> None:
        super().__init__()
        self.mark = mark
        self.position = position
        self.changes = list(changes)

    def compose(self) -> ComposeResult:
        from coordlang.tui.convert import value_text

        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
        table.add_column("", style="bold", max_width=40, no_wrap=True, overflow="ellipsis")
        table.add_column(f"step {self.mark}", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(f"step {self.position}", ratio=1, no_wrap=True, overflow="ellipsis")
        for change in self.changes:
            table.add_row(change.where, _side(change.before, value_text), _side(change.after, value_text))
        with VerticalScroll() as scroll:
            scroll.border_title = f"diff: step {self.mark} → step {self.position} (escape closes)"
            if self.changes:
                yield Static(table)
            else:
                yield Static(Text("the two states are the same", style="italic"))


def _side(value: str | None, cut) -> Text:
    return Text("—", style="dim") if value is None else Text(cut(value, 80))
