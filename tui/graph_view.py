"""The graph pane: the workflow graph of where the session stands, as an indented outline
(nodes under the branch that holds them, a header where a branch's part begins), with the
node the session stands in marked."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from coordlang.analysis.graph import WorkflowGraph

QUIET_REGIONS = ("", "yes", "body", "compensate", "catch")
"""Regions that need no header line: the label of the node above says what they are."""


def outline(graph: WorkflowGraph, current: int | None = None) -> tuple[Text, int | None]:
    """The graph as lines of text, and the index of the current node's line."""
    lines: list[Text] = []
    depth: dict[int, int] = {}
    last_region: dict[int | None, str] = {}
    at = None
    for node in graph.nodes:
        level = 0 if node.parent is None else depth[node.parent] + 1
        depth[node.id] = level
        if node.region not in QUIET_REGIONS and last_region.get(node.parent) != node.region:
            lines.append(Text("  " * level + node.region + ":", style="italic dim"))
        last_region[node.parent] = node.region
        label = "join " + node.label if node.kind == "join" else node.label
        line = Text("▶ " if node.id == current else "  ")
        line.append("  " * level)
        line.append(label, style="bold reverse" if node.id == current else _STYLES.get(node.kind, ""))
        if node.wait_label:
            line.append(f" [{node.wait_label}]", style="cyan")
        if node.detail:
            line.append(f"  {node.detail}", style="dim")
        if node.id == current:
            at = len(lines)
        lines.append(line)
    return Text("\n").join(lines), at


_STYLES = {"start": "bold", "await": "cyan", "select": "cyan", "sleep": "cyan", "fail": "red", "complete": "green",
           "end": "green", "compensate": "magenta", "catch": "magenta", "emit": "yellow"}


class GraphView(VerticalScroll):
    """Shows one graph; ``show`` again when the session moves."""

    DEFAULT_CSS = """
    GraphView { background: $surface; }
    GraphView > Static { width: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.graph: WorkflowGraph | None = None
        self.current: int | None = None
        self._at: int | None = None
        """The line of the current node in the outline."""

    def compose(self) -> ComposeResult:
        yield Static("no workflow here", id="graph-text")

    def show(self, graph: WorkflowGraph | None, current: int | None) -> None:
        if graph is self.graph and current == self.current:
            return
        self.graph, self.current = graph, current
        text = self.query_one("#graph-text", Static)
        if graph is None:
            self.border_title = "graph"
            self._at = None
            text.update("no workflow here")
            return
        self.border_title = f"graph: {graph.title}"
        body, self._at = outline(graph, current)
        text.update(body)
        self.call_after_refresh(self.scroll_to_current)

    def scroll_to_current(self) -> None:
        """Bring the current node's line to the middle of the pane."""
        if self._at is not None and self.size.height:
            self.scroll_to(y=max(0, self._at - self.size.height // 2), animate=False, immediate=True)

    def on_resize(self) -> None:
        # A pane shown again (a tab picked) gets its size back only now.
        self.call_after_refresh(self.scroll_to_current)
