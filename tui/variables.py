"""The instances pane: each workflow instance, reaction and stream window the session knows,
and under an instance its scopes (locals, the event, inbox, timers, retries, compensation) and
their variables. Scopes are asked for only when an instance is open: a run may hold thousands
of instances."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from coordlang.tui.convert import instance_text, value_text

OPEN_SCOPES = ("Locals",)
"""Scopes shown open the first time their instance is."""


class InstancesTree(Tree):
    """``show`` rebuilds the tree after a stop, keeping open what the user opened."""

    DEFAULT_CSS = """
    InstancesTree { background: $surface; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("instances", id=id, classes=classes)
        self.show_root = False
        self.guide_depth = 2
        self.opened: set[tuple] = set()
        """The data (a path) of every node the user has open."""
        self.closed: set[tuple] = set()
        """Nodes open by default that the user closed."""
        self._scopes: Callable[[int], list] | None = None

    def show(self, instances, current: int | None, scopes: Callable[[int], list]) -> None:
        """``instances``: InstanceViews; ``current``: the one the session stands in (marked and
        open); ``scopes(id)``: its scopes, called only for open instances."""
        self._scopes = scopes
        # Only the user's opening and closing is remembered, not this rebuild's.
        with self.prevent(Tree.NodeExpanded, Tree.NodeCollapsed):
            self.clear()
            here = None
            for view in instances:
                label = Text(("» " if view.id == current else "") + instance_text(view),
                             style="bold" if view.id == current else "")
                node = self.root.add(label, data=("instance", view.id), allow_expand=True)
                if view.id == current:
                    here = node
                if view.id == current or (("instance", view.id) in self.opened):
                    self._fill(node)
                    node.expand()
            if here is not None and not self.has_focus:
                self.move_cursor(here, animate=False)

    def _fill(self, node: TreeNode) -> None:
        """Add an instance's scopes under its node (once)."""
        if node.children or self._scopes is None:
            return
        instance = node.data[1]
        for scope in self._scopes(instance):
            path = ("scope", instance, scope.name)
            child = node.add(Text(scope.name, style="italic"), data=path, allow_expand=bool(scope.variables))
            self._variables(child, path, scope.variables)
            if path in self.opened or (scope.name in OPEN_SCOPES and path not in self.closed):
                child.expand()

    def _variables(self, node: TreeNode, path: tuple, variables) -> None:
        for var in variables:
            here = (*path, var.name)
            label = Text.assemble((var.name, "bold"), " = ", value_text(var.value),
                                  (f"  {var.type}" if var.type else "", "dim"))
            if var.children:
                child = node.add(label, data=here)
                self._variables(child, here, var.children)
                if here in self.opened:
                    child.expand()
            else:
                node.add_leaf(label, data=here)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        self.opened.add(event.node.data)
        self.closed.discard(event.node.data)
        if event.node.data[0] == "instance":
            self._fill(event.node)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed) -> None:
        self.opened.discard(event.node.data)
        self.closed.add(event.node.data)
