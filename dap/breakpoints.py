"""setBreakpoints, setFunctionBreakpoints (an event type is a function), setExceptionBreakpoints.

The client's breakpoints are kept (:class:`Breakpoints`) so that ``restart`` sets them again in
the new session, under the ids the client knows them by: the adapter gives the ids, and maps
the session's to them. While the program runs they are set through the runner, which pauses
the program, sets them and resumes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from coordlang.dap.dispatch import argument, request
from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter
    from coordlang.runtime.debug import BreakpointState, DebugSession, EventBreakpoint, LineBreakpoint

ALWAYS, UNCAUGHT = ("caught", "uncaught"), ("uncaught",)
BREAK_MODES = {"never": (), "always": ALWAYS, "unhandled": UNCAUGHT, "userUnhandled": UNCAUGHT}
"""exceptionOptions' break modes as the session's error filters."""
NOT_COORD = "not a .coord file: coord dap stops in .coord files (a Python handler's breakpoints are for debugpy)"


@dataclass(slots=True)
class Breakpoints:
    """Every breakpoint the client has set, as the session takes them."""

    lines: dict[Path, tuple[tuple[LineBreakpoint, ...], list[int]]] = field(default_factory=dict)
    """Per file, the breakpoints and the client's ids of them."""
    events: tuple[tuple[EventBreakpoint, ...], list[int]] = ((), [])
    errors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Each exception filter set, and its error kinds (none: every kind)."""
    ids: dict[int, int] = field(default_factory=dict)
    """The session's breakpoint ids → the client's."""
    last_id: int = 0

    def named(self, states: list[BreakpointState], ids: list[int] | None = None) -> list[BreakpointState]:
        """``states`` under the client's ids: new ones, or ``ids`` (the same breakpoints set
        again in a new session)."""
        named = []
        for i, state in enumerate(states):
            if ids is None:
                self.last_id += 1
            client = self.last_id if ids is None else ids[i]
            self.ids[state.id] = client
            named.append(replace(state, id=client))
        return named

    def client_id(self, session_id: int) -> int:
        return self.ids.get(session_id, session_id)

    def apply(self, session: DebugSession) -> None:
        """Set every breakpoint again, in a new session."""
        self.ids.clear()
        for path, (specs, ids) in self.lines.items():
            self.named(session.set_line_breakpoints(path, specs), ids)
        self.named(session.set_event_breakpoints(self.events[0]), self.events[1])
        session.set_error_breakpoints(self.errors)


def _text(spec: dict, name: str) -> str | None:
    return argument(spec, name, str, None) or None


def _specs(arguments: dict, what: str, required: bool = False) -> list[dict]:
    specs = argument(arguments, what, list) if required else argument(arguments, what, list, [])
    for i, spec in enumerate(specs):
        if not isinstance(spec, dict):
            raise RequestError(f"'{what}[{i}]' must be an object, not {type(spec).__name__}")
    return specs


@request("setBreakpoints", needs="session")
def set_breakpoints(adapter: Adapter, arguments: dict) -> dict:
    from coordlang.runtime.debug import LineBreakpoint

    source = argument(arguments, "source", dict)
    path = adapter.positions.path_in(argument(source, "path", str))
    if "breakpoints" not in arguments and "lines" in arguments:  # the deprecated form
        arguments = {"breakpoints": [{"line": line} for line in argument(arguments, "lines", list)]}
    specs = []
    for spec in _specs(arguments, "breakpoints"):
        line = argument(spec, "line", int)
        specs.append(LineBreakpoint(adapter.positions.line_in(line), _text(spec, "condition"),
                                    _text(spec, "hitCondition"), _text(spec, "logMessage")))
    specs = tuple(specs)
    if path.suffix != ".coord":
        # A client may send every file's breakpoints to every session: a Python handler's are
        # debugpy's (see debugHandlers), not the session's.
        return {"breakpoints": [{"verified": False, "line": line, "message": NOT_COORD}
                                for line in (spec.line for spec in specs)]}
    states = adapter.breakpoints.named(adapter.runner.change(lambda session: session.set_line_breakpoints(path, specs)))
    adapter.breakpoints.lines[path] = (specs, [state.id for state in states])
    echoed = {key: source[key] for key in ("name", "path") if key in source}
    return {"breakpoints": [{**adapter.positions.breakpoint(state), "source": echoed} for state in states]}


@request("setFunctionBreakpoints", needs="session")
def set_function_breakpoints(adapter: Adapter, arguments: dict) -> dict:
    from coordlang.runtime.debug import EventBreakpoint

    specs = tuple(EventBreakpoint(argument(spec, "name", str), _text(spec, "condition"), _text(spec, "hitCondition"))
                  for spec in _specs(arguments, "breakpoints", required=True))
    states = adapter.breakpoints.named(adapter.runner.change(lambda session: session.set_event_breakpoints(specs)))
    adapter.breakpoints.events = (specs, [state.id for state in states])
    return {"breakpoints": [adapter.positions.breakpoint(state) for state in states]}


@request("setExceptionBreakpoints", needs="session")
def set_exception_breakpoints(adapter: Adapter, arguments: dict) -> dict:
    """Filters, each with an optional condition naming error kinds, and exceptionOptions (break
    modes on error kinds). Each filter stops on its own kinds: the union of the kinds given it,
    or every kind when one entry gives it none."""
    from coordlang.runtime.debug import ERROR_FILTERS

    known = [name for name, _, _ in ERROR_FILTERS]
    chosen: list[tuple[str, tuple[str, ...]]] = []  # (filter, its kinds)
    given: list[tuple[tuple[str, ...], tuple[str, ...]]] = []  # (filters, kinds) of each entry, in order
    for name in argument(arguments, "filters", list):
        chosen.append((_filter(name, known), ()))
        given.append(((name,), ()))
    for option in _specs(arguments, "filterOptions"):
        kinds = _kinds(_text(option, "condition") or "")
        name = _filter(argument(option, "filterId", str), known)
        chosen.append((name, kinds))
        given.append(((name,), kinds))
    for option in _specs(arguments, "exceptionOptions"):
        mode = argument(option, "breakMode", str)
        if mode not in BREAK_MODES:
            raise RequestError(f"unknown breakMode '{mode}' (known: {', '.join(BREAK_MODES)})")
        kinds = tuple(kind for step in argument(option, "path", list, []) if isinstance(step, dict)
                      for kind in argument(step, "names", list, []) if isinstance(kind, str))
        names = tuple(name for name in BREAK_MODES[mode] if name in known)
        chosen.extend((name, kinds) for name in names)
        given.append((names, kinds))
    errors: dict[str, tuple[str, ...]] = {}
    for name, kinds in chosen:
        if name in errors and (not errors[name] or not kinds):
            errors[name] = ()
        else:
            errors[name] = tuple(dict.fromkeys((*errors.get(name, ()), *kinds)))
    adapter.runner.change(lambda session: session.set_error_breakpoints(errors))
    adapter.breakpoints.errors = errors
    answers = []
    for names, kinds in given:
        widened = [name for name in names if kinds and not errors[name]]
        message = (f"stops on every kind of error: {' and '.join(widened)} is also set without a condition"
                   if widened else None)
        answers.append({"verified": True, **({"message": message} if message else {})})
    return {"breakpoints": answers}


def _filter(name: object, known: list[str]) -> str:
    if name not in known:
        raise RequestError(f"unknown exception filter {name!r} (known: {', '.join(known)})")
    return name


def _kinds(condition: str) -> tuple[str, ...]:
    return tuple(kind for kind in re.split(r"[\s,]+", condition) if kind)
