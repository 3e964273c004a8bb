"""Breakpoints: on lines (resolved to the statements there), on event types, on errors; with
conditions, hit conditions and log messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from coordlang.ir import nodes as ir
from coordlang.runtime.debug.model import (ERROR_FILTERS, BreakpointState, EventBreakpoint, LineBreakpoint)
from coordlang.runtime.interpreter.tables import Tables
from coordlang.source import LineIndex

Site = tuple[str, int]
"""(unit, pc): an instruction of a machine, a reaction or a stream's code."""

_INTERNAL = (ir.Jump, ir.TryExit, ir.EndBranch)
"""Instructions that are no statement of their own: a loop's way back, a try's or a branch's end."""

_HIT = re.compile(r"^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$")


def is_statement(instr: ir.Instr) -> bool:
    """Whether the debugger stops before ``instr``: it has a place in the source and is a
    statement's own instruction."""
    return instr.sid >= 0 and not isinstance(instr, _INTERNAL)


def hit_rule(text: str) -> tuple[str, int]:
    """A DAP hit condition: ``N`` or ``==N`` (the Nth hit), ``>N``, ``>=N``, ``<N``, ``<=N``,
    ``%N`` (every Nth). ValueError with the reason otherwise."""
    found = _HIT.match(text)
    if found is None:
        raise ValueError(f"hit condition {text!r}: write a number (the Nth hit), or >N, >=N, <N, <=N, %N")
    op, number = found.group(1) or "==", int(found.group(2))
    if op == "%" and number == 0:
        raise ValueError(f"hit condition {text!r}: %0 never hits; write %N with N of 1 or more")
    return op, number


def hit_holds(rule: tuple[str, int], hits: int) -> bool:
    op, n = rule
    if op == "==":
        return hits == n
    if op == ">":
        return hits > n
    if op == ">=":
        return hits >= n
    if op == "<":
        return hits < n
    if op == "<=":
        return hits <= n
    return hits % n == 0


@dataclass(slots=True)
class Breakpoint:
    id: int
    condition: str | None
    hit: tuple[str, int] | None
    log_message: str | None = None
    event: str | None = None
    """An event breakpoint's type."""
    path: Path | None = None
    line: int | None = None
    sites: frozenset[Site] = field(default_factory=frozenset)


class Breakpoints:
    """Every breakpoint of a session, indexed by what the session meets: a site, an event type."""

    def __init__(self, tables: Tables, lines_of: callable) -> None:
        self.version = 0
        """Bumped at every change (hit counts kept for an older version are stale)."""
        self._next = 0
        self.lines: dict[Path, list[Breakpoint]] = {}
        self.events: list[Breakpoint] = []
        self.errors: dict[str, frozenset[str]] = {}
        """Each error filter set, and the kinds it stops on (empty: every kind)."""
        self.at_site: dict[Site, list[Breakpoint]] = {}
        self.by_event: dict[str, list[Breakpoint]] = {}
        self._statements = _statement_lines(tables, lines_of)

    @property
    def counted(self) -> bool:
        """Whether some breakpoint has a hit condition (hits must then be counted from the start)."""
        return any(bp.hit is not None for bp in self._all())

    def set_lines(self, path: Path, specs: Sequence[LineBreakpoint]) -> list[BreakpointState]:
        path = _key(path)
        lines = self._statements.get(path, {})
        ordered = sorted(lines)
        placed: list[Breakpoint] = []
        states = []
        for spec in specs:
            ident, hit, problem = self._new(spec)
            line = next((n for n in ordered if n >= spec.line), None)
            if line is None:
                problem = problem or (f"no statement at or after line {spec.line} of {path.name}" if lines
                                      else f"{path.name} holds no statement of this program")
            if problem is None:
                placed.append(Breakpoint(ident, spec.condition or None, hit, spec.log_message or None,
                                         path=path, line=line, sites=frozenset(lines[line])))
            states.append(BreakpointState(ident, problem is None, line if problem is None else spec.line, problem))
        self.lines[path] = placed
        self._index()
        return states

    def set_events(self, specs: Sequence[EventBreakpoint], known: Iterable[str]) -> list[BreakpointState]:
        known = set(known)
        self.events = []
        states = []
        for spec in specs:
            ident, hit, problem = self._new(spec)
            if spec.event not in known:
                problem = problem or (f"no event type {spec.event} in this program (its events: "
                                      f"{', '.join(sorted(known)) or 'none'})")
            if problem is None:
                self.events.append(Breakpoint(ident, spec.condition or None, hit, event=spec.event))
            states.append(BreakpointState(ident, problem is None, None, problem))
        self._index()
        return states

    def _new(self, spec: LineBreakpoint | EventBreakpoint) -> tuple[int, tuple[str, int] | None, str | None]:
        """A new breakpoint's id, its hit rule, and what is wrong with that rule (or None)."""
        self._next += 1
        try:
            return self._next, hit_rule(spec.hit_condition) if spec.hit_condition else None, None
        except ValueError as exc:
            return self._next, None, str(exc)

    def set_errors(self, filters: Iterable[str] | Mapping[str, Iterable[str]], kinds: Iterable[str] = ()) -> None:
        """The error filters to stop on: names, all narrowed to ``kinds`` (none: every kind),
        or a mapping of each filter to its own kinds."""
        if isinstance(filters, Mapping):
            wanted = {name: frozenset(k for k in ks if k) for name, ks in filters.items()}
        else:
            shared = frozenset(k for k in kinds if k)
            wanted = {name: shared for name in filters}
        unknown = set(wanted) - {f[0] for f in ERROR_FILTERS}
        if unknown:
            raise ValueError(f"unknown error filter {', '.join(sorted(unknown))}; the filters are "
                             f"{', '.join(f[0] for f in ERROR_FILTERS)}")
        self.errors = wanted
        self.version += 1

    def errors_stop(self, kind: str, escaped: bool) -> bool:
        kinds = self.errors.get("uncaught" if escaped else "caught")
        return kinds is not None and (not kinds or kind in kinds)

    def _all(self) -> list[Breakpoint]:
        return [bp for placed in self.lines.values() for bp in placed] + self.events

    def _index(self) -> None:
        self.version += 1
        self.at_site = {}
        for placed in self.lines.values():
            for bp in placed:
                for site in bp.sites:
                    self.at_site.setdefault(site, []).append(bp)
        self.by_event = {}
        for bp in self.events:
            self.by_event.setdefault(bp.event, []).append(bp)


def _key(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path)


def _statement_lines(tables: Tables, lines_of: callable) -> dict[Path, dict[int, list[Site]]]:
    """Program file → line → the statements' instructions that start on it."""
    spans = tables.program.spans
    found: dict[Path, dict[int, list[Site]]] = {}
    for unit in tables.units.values():
        for pc, instr in enumerate(unit.code):
            if not is_statement(instr) or instr.sid >= len(spans):
                continue
            ref = spans[instr.sid]
            if ref.path is None:
                continue
            index: LineIndex | None = lines_of(ref.path)
            if index is None:
                continue
            line = index.position(ref.span.start).line + 1
            found.setdefault(_key(ref.path), {}).setdefault(line, []).append((unit.id, pc))
    return found
