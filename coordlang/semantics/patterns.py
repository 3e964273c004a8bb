"""Patterns: checking a pattern's body once, with its parameters bound to their kinds, and
checking each ``use`` against what that body needs of its arguments.

A pattern body cannot know the signature of its ``handler`` parameters or the fields of its
``event`` parameters; it records how it uses them (a :class:`PatternSummary`). A ``use`` then
checks its arguments against those uses, reporting at the argument with the pattern's line as
related information; through a pattern nested in another, the needs carry over to the outer
pattern's parameters. Key correlation of the events a pattern awaits is checked at each ``use``
in a workflow, against that workflow's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coordlang.diagnostics import Related, Severity, register
from coordlang.semantics.statements import register_statement
from coordlang.semantics.symbols import Symbol
from coordlang.semantics.types import (
    PRIMITIVES, UNKNOWN, EventType, HandlerType, PatternType, Type, assignable, kind_of,
)
from coordlang.source import Span
from coordlang.syntax import ast

register("W424", Severity.ERROR, "Recursive pattern",
         "A pattern uses itself, directly or through other patterns: its expansion would never end.",
         "pattern p() { use p() }")


@dataclass(frozen=True, slots=True)
class HandlerUse:
    """A call of a ``handler`` parameter inside a pattern."""

    param: str
    span: Span
    path: Path | None
    positional: tuple[Type, ...]
    named: tuple[tuple[str, Type], ...]


@dataclass(frozen=True, slots=True)
class EventUse:
    """A field of an ``event`` parameter the pattern reads or emits, or (``field`` None) a wait
    for that event."""

    param: str
    field: str | None
    span: Span
    path: Path | None


@dataclass(frozen=True, slots=True)
class PatternSummary:
    """What a pattern's body needs of its arguments, and how it behaves once expanded."""

    name: str
    handler_uses: tuple[HandlerUse, ...] = ()
    event_uses: tuple[EventUse, ...] = ()
    awaited_events: tuple[tuple[EventType, Span, Path | None], ...] = ()
    """Declared events the body waits for (correlated with the key where it is used)."""
    waits: bool = False
    """The expansion waits (so it is a wait point of the workflow, and no reaction may use it)."""


class SummaryBuilder:
    """Collects a :class:`PatternSummary` while a pattern body is checked."""

    def __init__(self, name: str, path: Path | None) -> None:
        self.name = name
        self.path = path
        self.handler_uses: list[HandlerUse] = []
        self.event_uses: list[EventUse] = []
        self.awaited_events: list[tuple[EventType, Span, Path | None]] = []
        self.waits = False

    def handler_call(self, param: str, span: Span, positional, named) -> None:
        self.handler_uses.append(HandlerUse(param, span, self.path, positional, named))

    def field_read(self, param: str, field: str, span: Span) -> None:
        self.event_uses.append(EventUse(param, field, span, self.path))

    def awaited(self, param: str, span: Span) -> None:
        self.event_uses.append(EventUse(param, None, span, self.path))

    def awaited_event(self, event: EventType, span: Span, path: Path | None = None) -> None:
        self.awaited_events.append((event, span, path or self.path))

    def build(self) -> PatternSummary:
        return PatternSummary(self.name, tuple(self.handler_uses), tuple(self.event_uses),
                              tuple(self.awaited_events), self.waits)


class Patterns:
    """Mixin of :class:`Checker`: pattern bodies and ``use``."""

    def summary_of(self, symbol: Symbol, at: ast.Use | None) -> PatternSummary | None:
        """The summary of a pattern, checking a local pattern's body first if needed."""
        if symbol.path != self.path or symbol.node is None:
            return self.imported_patterns.get(id(symbol))
        name = symbol.name
        done = self.pattern_summaries.get(id(symbol))
        if done is not None:
            return done
        if id(symbol) in self.patterns_in_progress:
            if at is not None:
                self.report("W424", f"pattern {name} uses itself: its expansion would never end", at.pattern.span)
            return None
        self.patterns_in_progress.add(id(symbol))
        summary = self.pattern_body(symbol.node, symbol)
        self.patterns_in_progress.discard(id(symbol))
        self.pattern_summaries[id(symbol)] = summary
        if self.local_decls.get(name) is symbol:
            self.pattern_summaries_by_name[name] = summary
        return summary

    def pattern_body(self, decl: ast.PatternDecl, symbol: Symbol) -> PatternSummary:
        saved = self.enter_body("pattern", decl.span, decl.name.name)
        self.body.pattern = SummaryBuilder(decl.name.name, self.path)
        _, params = self.headers.get(id(decl), (None, ()))
        for param in params:
            self.bind(param, decl.body.span.start)
        self.body.locals.extend(params)
        self.block(decl.body)
        summary = self.body.pattern.build()
        self.leave_body(saved)
        return summary

    def use(self, s: ast.Use) -> bool:
        if self.body.ctx in ("reaction", "stream"):
            for arg in s.args:
                if not isinstance(arg.value, ast.Block):
                    self.expr(arg.value)
            return False
        symbol = self.resolve(s.pattern, "pattern")
        if symbol is None or not isinstance(symbol.type, PatternType):
            for arg in s.args:
                if isinstance(arg.value, ast.Block):
                    self.block(arg.value)
                else:
                    self.expr(arg.value)
            return False
        pt = symbol.type
        members = self.members.get(id(symbol), {})
        bound = self.bind_args(s.args, [n for n, _ in pt.params], f"pattern {pt.name}", s.span, members)
        kinds = dict(pt.params)
        arguments: dict[str, tuple[ast.Arg, Type]] = {}
        checked: set[int] = set()
        for name, arg in bound or ():
            checked.add(id(arg))
            arguments[name] = (arg, self.pattern_arg(arg, name, kinds[name], pt.name))
        for arg in s.args:
            if id(arg) not in checked:
                if isinstance(arg.value, ast.Block):
                    self.block(arg.value)
                else:
                    self.expr(arg.value)
        summary = self.summary_of(symbol, s)
        if summary is not None:
            self.apply_summary(s, summary, arguments)
        return False

    def pattern_arg(self, arg: ast.Arg, name: str, kind: str, pattern: str) -> Type:
        if kind == "block":
            if isinstance(arg.value, ast.Block):
                self.block(arg.value)
                return UNKNOWN
            self.expr(arg.value)
            self.report("T303", f"the parameter '{name}' of {pattern} takes a {{ block }}", arg.span)
            return UNKNOWN
        if isinstance(arg.value, ast.Block):
            self.block(arg.value)
            self.report("T303", f"the parameter '{name}' of {pattern} takes {_a(kind)}, not a block", arg.span)
            return UNKNOWN
        t = self.expr(arg.value)
        if kind in ("handler", "policy", "event"):
            if t is not UNKNOWN and kind_of(t) != kind:
                self.report("T303", f"the parameter '{name}' of {pattern} takes {_a(kind)}, not {_kind_word(t)}",
                            arg.value.span)
                return UNKNOWN
            return t
        expected = PRIMITIVES[kind]
        if not t.is_value:
            self.report("T303", f"the parameter '{name}' of {pattern} takes {_a(kind)}, not {_kind_word(t)}",
                        arg.value.span)
        elif not assignable(t, expected):
            self.report("T303", f"the parameter '{name}' of {pattern} takes {_a(kind)}, not {t}", arg.value.span)
        return t

    def apply_summary(self, s: ast.Use, summary: PatternSummary, arguments: dict[str, tuple[ast.Arg, Type]]) -> None:
        outer = self.body.pattern
        if summary.waits:
            self.record_wait("use", s, None, tuple(e.name for e, _, _ in summary.awaited_events))
        for use in summary.handler_uses:
            arg, t = arguments.get(use.param, (None, None))
            if not isinstance(t, HandlerType):
                continue
            if t.params is None:
                if outer is not None:
                    outer.handler_uses.append(HandlerUse(t.name, use.span, use.path, use.positional, use.named))
                continue
            self.handler_fits(t, use, arg, summary.name)
        for use in summary.event_uses:
            arg, t = arguments.get(use.param, (None, None))
            if not isinstance(t, EventType):
                continue
            if t.open:
                if outer is not None:
                    outer.event_uses.append(EventUse(t.name, use.field, use.span, use.path))
                continue
            related = (Related(use.span, f"{summary.name} uses it here", _path_text(use.path, self.path)),)
            if use.field is None:
                self.check_awaited(t, arg.value.span, summary.name, outer)
            elif t.field(use.field) is None:
                self.report("N207", f"{t.name} has no field '{use.field}', which pattern {summary.name} reads",
                            arg.value.span, related=related)
        for et, span, path in summary.awaited_events:
            self.check_awaited(et, s.pattern.span, summary.name, outer)

    def check_awaited(self, et: EventType, span: Span, pattern: str, outer: SummaryBuilder | None) -> None:
        if outer is not None:
            outer.awaited_events.append((et, span, self.path))
            return
        if self.body.key is not None:
            self.check_key(et, span, self.body.key, f" (pattern {pattern} waits for it)")

    def handler_fits(self, t: HandlerType, use: HandlerUse, arg: ast.Arg, pattern: str) -> None:
        related = (Related(use.span, f"{pattern} calls it here", _path_text(use.path, self.path)),)
        names = [n for n, _ in t.params]
        types = dict(t.params)
        count = len(use.positional) + len(use.named)
        if len(use.positional) > len(names) or count != len(names):
            self.report("T304", f"pattern {pattern} calls {t.name} with {count} argument{'s' if count != 1 else ''}, "
                        f"but it takes {len(names)}", arg.value.span, related=related)
            return
        for name, given in zip(names, use.positional):
            if not assignable(given, types[name]):
                self.report("T303", f"pattern {pattern} passes {_a(str(given))} as '{name}' of {t.name}, which takes "
                            f"{_a(str(types[name]))}", arg.value.span, related=related)
        for name, given in use.named:
            if name not in types:
                self.report("T305", f"pattern {pattern} passes '{name}' to {t.name}, which has no such parameter",
                            arg.value.span, related=related)
            elif not assignable(given, types[name]):
                self.report("T303", f"pattern {pattern} passes {_a(str(given))} as '{name}' of {t.name}, which takes "
                            f"{_a(str(types[name]))}", arg.value.span, related=related)


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _kind_word(t: Type) -> str:
    if isinstance(t, EventType):
        return "an event"
    return _a(str(t))


def _path_text(path: Path | None, here: Path | None) -> str | None:
    return None if path == here else (str(path) if path is not None else None)


register_statement(ast.Use, Patterns.use)
