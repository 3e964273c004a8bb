"""The terminal debugger, ``coord debug`` (docs/tui.md): a Textual app that drives a
:class:`coordlang.runtime.debug.DebugSession` and shows its answers. It never runs the
interpreter itself."""

from coordlang.tui.app import DebuggerApp

__all__ = ["DebuggerApp"]
