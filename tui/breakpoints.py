"""The breakpoints set in ``coord debug``: as the user asked for them (a line and its
condition, an event type and its condition, an error filter and its kinds) and as the session placed them (the line a
breakpoint really stands on, whether it is verified). The session keeps the breakpoints; this
keeps what the keys need to toggle and edit them, since the session is given whole lists."""

from __future__ import annotations

from pathlib import Path

from coordlang.errors import CoordError
from coordlang.runtime.debug import BreakpointState, DebugSession, EventBreakpoint, LineBreakpoint


class BreakpointBook:
    """Line breakpoints per file and event breakpoints, each with an optional condition."""

    def __init__(self) -> None:
        self.lines: dict[Path, dict[int, str | None]] = {}
        """Per file, the lines asked for (1-based) and each one's condition."""
        self.states: dict[Path, list[BreakpointState]] = {}
        """What the session said of each line asked for, in the order of the lines."""
        self.marks: dict[Path, dict[int, bool]] = {}
        """Where breakpoints stand (0-based line → verified), per file."""
        self.conditional: dict[Path, set[int]] = {}
        """Per file, the 0-based lines whose breakpoint has a condition."""
        self.events: dict[str, str | None] = {}
        """Event types to stop before, and each one's condition."""
        self.errors: dict[str, tuple[str, ...]] = {}
        """Error filters set (``uncaught``, ``caught``), each with its error kinds (none: every kind)."""

    def standing_at(self, path: Path, line: int) -> list[int]:
        """The lines asked for whose breakpoint stands on ``line`` (1-based): that line, and
        those the session moved to it (a line without a statement moves to the next)."""
        asked = sorted(self.lines.get(path, {}))
        states = self.states.get(path, [])
        return [a for a, s in zip(asked, states) if a == line or (s.verified and s.line == line)]

    def condition_at(self, path: Path, line: int) -> str | None:
        return next((self.lines[path][a] for a in self.standing_at(path, line) if self.lines[path][a]), None)

    def toggle(self, session: DebugSession, path: Path, line: int) -> str | None:
        """A breakpoint at ``line`` if none stands there, else none; why the new one is not
        verified (or None)."""
        asked = self.lines.setdefault(path, {})
        standing = self.standing_at(path, line)
        for a in standing:
            del asked[a]
        if not standing:
            asked[line] = None
        return self._place(session, path, None if standing else line)

    def set_condition(self, session: DebugSession, path: Path, line: int, condition: str) -> str | None:
        """Give the breakpoint at ``line`` this condition (an empty one: none), setting one
        there if there is none; why it is not verified (or None)."""
        asked = self.lines.setdefault(path, {})
        standing = self.standing_at(path, line) or [line]
        for a in standing:
            asked[a] = condition or None
        return self._place(session, path, standing[0])

    def _place(self, session: DebugSession, path: Path, changed: int | None) -> str | None:
        items = sorted(self.lines[path].items())
        states = session.set_line_breakpoints(path, [LineBreakpoint(n, condition) for n, condition in items])
        self.states[path] = states
        marks, conditional, problem = {}, set(), None
        for (asked, condition), state in zip(items, states):
            where = ((state.line or asked) if state.verified else asked) - 1
            marks[where] = state.verified
            if condition and state.verified:
                conditional.add(where)
            if asked == changed and not state.verified:
                problem = state.message
        self.marks[path], self.conditional[path] = marks, conditional
        return problem

    def toggle_event(self, session: DebugSession, text: str) -> str | None:
        """``TYPE`` stops before events of that type are routed (or, set already, no longer);
        ``TYPE if CONDITION`` (the ``if`` may be left out) sets or changes its condition. Why
        it could not be set (an unknown type), or None."""
        kind, _, condition = text.strip().partition(" ")
        condition = condition.strip()
        condition = condition[3:].strip() if condition.startswith("if ") else condition
        if kind in self.events and not condition:
            del self.events[kind]
        else:
            self.events[kind] = condition or None
        specs = [EventBreakpoint(name, cond) for name, cond in self.events.items()]
        states = session.set_event_breakpoints(specs)
        problem = None
        for spec, state in zip(specs, states):
            if not state.verified:
                del self.events[spec.event]  # what the session refused is not kept (nor shown)
                problem = state.message
        if problem is not None:
            session.set_event_breakpoints([EventBreakpoint(name, cond) for name, cond in self.events.items()])
        return problem

    def toggle_errors(self, session: DebugSession, text: str) -> str | None:
        """``FILTER [KIND ...]`` (FILTER ``uncaught`` or ``caught``; kinds separated by spaces or
        commas) stops on those errors, narrowed to the kinds; a filter set already with the same
        kinds is removed. Why it could not be set (an unknown filter), or None."""
        name, _, rest = text.strip().partition(" ")
        kinds = tuple(k for k in rest.replace(",", " ").split() if k)
        wanted = dict(self.errors)
        if wanted.get(name) == kinds:
            del wanted[name]
        else:
            wanted[name] = kinds
        try:
            session.set_error_breakpoints(wanted)
        except CoordError as exc:
            return str(exc)
        self.errors = wanted
        return None

    def events_text(self) -> str:
        """``break on PaymentOk, Delivered if …; uncaught Timeout``: the event and error
        breakpoints, for the source pane's edge."""
        parts = []
        if self.events:
            parts.append("break on " + ", ".join(name + (" if …" if cond else "") for name, cond in self.events.items()))
        parts.extend(" ".join((name, *kinds)) for name, kinds in self.errors.items())
        return "; ".join(parts)
