"""The adapter's edge: the debug session's types to DAP's, and back.

The session counts lines and columns from 1, columns in code points; the client says in
``initialize`` whether its lines and columns start at 1 (``linesStartAt1``,
``columnsStartAt1``) and whether it names files by path or by URI (``pathFormat``). Nothing else
in the adapter converts a position or a path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.runtime.debug import BreakpointState, InstanceView, Location, Stop, Variable

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
"""A URI's scheme (two letters at least: ``C:`` is a drive)."""
STOP_REASONS = {"entry": "entry", "step": "step", "breakpoint": "breakpoint", "event": "function breakpoint",
                "exception": "exception", "pause": "pause", "goto": "goto", "restart": "restart", "end": "end"}
"""The session's stop reasons as DAP's ``stopped`` reasons ("end" is ours: see ``docs/dap.md``)."""
EVENTS_THREAD = 2**31 - 1
"""The thread that stands for the event router: stops outside any instance (the entry, an
input event about to be routed, a timer of no instance) are on it. Every other thread's id is
its instance's (they count from 1), so the id is one no instance takes, and not 0, which some
clients take for "no thread"."""


def thread_id(instance: int | None) -> int:
    return EVENTS_THREAD if instance is None else instance


def instance_of(thread: int) -> int | None:
    return None if thread == EVENTS_THREAD else thread


class Positions:
    """Lines, columns and paths as the client counts and names them."""

    __slots__ = ("line_base", "column_base", "uris")

    def __init__(self, lines_start_at_1: bool = True, columns_start_at_1: bool = True,
                 path_format: str = "path") -> None:
        self.line_base = 0 if lines_start_at_1 else 1
        self.column_base = 0 if columns_start_at_1 else 1
        self.uris = path_format == "uri"

    @classmethod
    def of_client(cls, arguments: dict) -> Positions:
        return cls(arguments.get("linesStartAt1", True) is not False,
                   arguments.get("columnsStartAt1", True) is not False, arguments.get("pathFormat") or "path")

    def line_out(self, line: int) -> int:
        return line - self.line_base

    def line_in(self, line: int) -> int:
        return line + self.line_base

    def column_out(self, column: int) -> int:
        return column - self.column_base

    def path_out(self, path: Path) -> str:
        return path.resolve().as_uri() if self.uris else str(path)

    def path_in(self, text: str) -> Path:
        """A file named by path or by ``file:`` URI (either is accepted whatever the client's
        pathFormat: launch arguments are paths even from a client that names sources by URI)."""
        if text.startswith("file:"):
            return Path(url2pathname(unquote(urlparse(text).path)))
        if self.uris and SCHEME.match(text):
            raise RequestError(f"'{text}' is not a file: coord dap debugs files only")
        return Path(text)

    def source(self, path: Path | None) -> dict | None:
        if path is None:
            return None
        return {"name": path.name, "path": self.path_out(path)}

    def location(self, location: Location | None) -> dict:
        """``line``, ``column``, ``endLine``, ``endColumn`` and ``source`` of a place; line and
        column 0 (DAP's "no place") for none, or a place outside the source (an event)."""
        if location is None or location.line == 0:
            return {"line": 0, "column": 0}
        placed = {"line": self.line_out(location.line), "column": self.column_out(location.column),
                  "endLine": self.line_out(location.end_line), "endColumn": self.column_out(location.end_column)}
        source = self.source(location.path)
        if source is not None:
            placed["source"] = source
        return placed

    def breakpoint(self, state: BreakpointState, path: Path | None = None) -> dict:
        converted: dict = {"id": state.id, "verified": state.verified}
        if state.line is not None:
            converted["line"] = self.line_out(state.line)
        if state.message:
            converted["message"] = state.message
        source = self.source(path)
        if source is not None:
            converted["source"] = source
        return converted


def thread(view: InstanceView) -> dict:
    """An instance as a thread: its name, what it is and how it stands."""
    return {"id": thread_id(view.id), "name": f"{view.name}: {view.status}"}


def events_thread() -> dict:
    return {"id": EVENTS_THREAD, "name": "events"}


def variable(value: Variable, reference: int) -> dict:
    converted = {"name": value.name, "value": value.value, "type": value.type, "variablesReference": reference}
    if value.children:
        converted["namedVariables"] = len(value.children)
    return converted


def stopped(stop: Stop, client_id: Callable[[int], int]) -> dict:
    """A ``stopped`` event's body; ``client_id`` gives the client's id of a session's breakpoint."""
    body = {"reason": STOP_REASONS.get(stop.reason, stop.reason), "description": stop.description,
            "threadId": thread_id(stop.instance), "allThreadsStopped": True, "preserveFocusHint": False}
    if stop.breakpoints:
        body["hitBreakpointIds"] = [client_id(ident) for ident in stop.breakpoints]
    if stop.error is not None:
        body["text"] = f"{stop.error.kind}: {stop.error.message}"
    return body
