"""Waits: ``await``, ``select``, ``sleep`` and their labels; key correlation; waits that can
never be satisfied.

A wait can never be satisfied (W405) when, whatever events arrive:

* its ``where`` guard is a constant false (every event is rejected);
* it is a ``select`` clause that an earlier clause always wins: the same event type with no
  guard before it, or an ``after`` whose constant delay is not shorter than an earlier one's;
* it is a ``select`` with no clause at all.

A zero or negative ``within``/``after`` (W406) is reported separately: only an event already in
the inbox can satisfy such a wait.
"""

from __future__ import annotations

from coordlang.diagnostics import Related, Severity, register
from coordlang.semantics.constants import const_duration, const_value, format_seconds
from coordlang.semantics.statements import register_statement
from coordlang.semantics.symbols import SymbolKind, WaitPoint
from coordlang.semantics.types import DURATION, UNKNOWN, EventType, Type
from coordlang.syntax import ast

register("N212", Severity.ERROR, "Duplicate label",
         "A label names one wait point of its workflow; migrations map labels, so each is unique.",
         "label wait\nsleep 1s\nlabel wait\nsleep 1s")
register("W401", Severity.ERROR, "Awaited event lacks the key field",
         "An event is delivered to the instance whose key equals the event's field of the key's "
         "name, so every event type a workflow waits for has that field. Without it the wait can "
         "never be satisfied.",
         "workflow Order on OrderPlaced as o key order_id {\n    await Shipped as s   # Shipped has no order_id\n}")
register("W402", Severity.ERROR, "Key field of another type",
         "The awaited event has the key's field, but with another type than the workflow's key, so "
         "no event can ever match an instance.",
         "event Shipped { order_id: int }   # the key order_id is a str")
register("W405", Severity.WARNING, "Wait can never be satisfied",
         "The wait cannot complete whatever events arrive: its guard is always false; an earlier "
         "clause of the same `select` always wins (the same event with no guard, or an `after` that "
         "is not later); or a `select` has no clause.",
         "await PaymentOk as p where false")
register("W406", Severity.WARNING, "Zero timeout",
         "A `within` or `after` of zero (or less) times out at once: only an event already waiting "
         "in the instance's inbox can satisfy the wait. A negative `sleep` does nothing.",
         "await Paid as p within 0s")
register("W408", Severity.ERROR, "Misplaced label",
         "`label NAME` names a wait point: it stands directly before an `await`, a `select` or a "
         "`sleep` of a workflow. Patterns take no labels (one may expand more than once).",
         "label charging\ndo charge(o.id)")
register("W422", Severity.WARNING, "Event variable may be unset",
         "After `await E as v within D else { ... }` whose else block goes on, `v` has no event on "
         "that path. End the else block with `fail` or `complete`, or do not read `v` after it.",
         "await Paid as p within 1h else { }\nlet a = p.amount")


class Waits:
    """Mixin of :class:`Checker`: wait statements."""

    def await_stmt(self, s: ast.Await, label: str | None = None) -> bool:
        event = self.resolve(s.event, "event")
        et: Type = event.type if event is not None else UNKNOWN
        if s.within is not None:
            self.timer(s.within, "within")
        else_ends = self.block(s.else_body) if s.else_body is not None else True
        self.record_wait("await", s, label, (s.event.name,) if s.event.name else ())
        symbol = self.declare_local(SymbolKind.EVENT_VAR, s.var, et, s, s.span.end,
                                    f"{s.var.name}: {s.event.name}")
        if s.guard is not None:
            self.push(s.guard.span)
            if symbol is not None:
                self.bind(symbol, s.guard.span.start)
            self.wait_guard(s.guard)
            self.pop()
        if symbol is not None and not else_ends:
            self.body.maybe_unset[id(symbol)] = self.body.scope
        self.correlate(et, s.event)
        return False

    def timer(self, e: ast.Expr, what: str) -> float | None:
        self.expect(e, DURATION, "T311", f"{what}")
        seconds = const_duration(e)
        if seconds is not None and seconds <= 0:
            self.report("W406", f"{what} {format_seconds(seconds)} times out at once: only an event already in "
                        "the inbox can arrive in time", e.span)
        return seconds

    def wait_guard(self, guard: ast.Expr) -> None:
        self.condition(guard, "a where guard")
        if const_value(guard) is False:
            self.report("W405", "the guard is always false: every event is rejected and the wait never ends",
                        guard.span)

    def correlate(self, et: Type, at: ast.Ident) -> None:
        """Every awaited event type carries the workflow's key (LANGUAGE.md §3, Correlation)."""
        if not isinstance(et, EventType):
            return
        if et.open:
            if self.body.pattern is not None:
                self.body.pattern.awaited(et.name, at.span)
            return
        if self.body.pattern is not None:
            self.body.pattern.awaited_event(et, at.span)
            return
        key = self.body.key
        if key is None:
            return
        # Awaiting the workflow's own start event is satisfiable: a repeat of it with the same
        # key is a duplicate start for the workflow and is delivered to the running instance
        # (docs/language.md, "Runtime decisions"); std.debounce and std.throttle rely on it.
        self.check_key(et, at.span, key)

    def check_key(self, et: EventType, span, key: tuple[str, Type], via: str = "") -> None:
        name, key_type = key
        field_type = et.field(name)
        if field_type is None:
            self.report("W401", f"{et.name} has no field '{name}', the key of {self.body.container}: "
                        f"it can never be delivered to an instance{via}", span)
        elif key_type is not UNKNOWN and field_type is not UNKNOWN and field_type != key_type:
            self.report("W402", f"{et.name}.{name} is {field_type} but the key of {self.body.container} is "
                        f"{key_type}{via}", span)

    def record_wait(self, kind: str, s: ast.Node, label: str | None, events: tuple[str, ...]) -> None:
        if self.body.pattern is not None:
            self.body.pattern.waits = True
        if self.body.ctx == "workflow":
            self.body.wait_points.append(WaitPoint(kind, s.span, label, events, self.variables_in_scope()))

    def select(self, s: ast.Select, label: str | None = None) -> bool:
        clauses = [c for c in s.clauses if not isinstance(c, ast.ErrorItem)]
        if not s.clauses:
            self.report("W405", "a select with no clause waits forever", s.span)
        self.record_wait("select", s, label, tuple(c.event.name for c in clauses
                                                   if isinstance(c, ast.OnClause) and c.event.name))
        ends = bool(clauses)
        unguarded: dict[str, ast.OnClause] = {}
        # Timers race whatever their order: only the earliest constant one can fire.
        delays = {id(c): const_duration(c.delay) for c in clauses if isinstance(c, ast.AfterClause)}
        known = [(d, i) for i, d in enumerate(delays.values()) if d is not None]
        first = min(known)[1] if known else -1
        earliest = [c for c in clauses if isinstance(c, ast.AfterClause)][first] if known else None
        for clause in clauses:
            if isinstance(clause, ast.OnClause):
                ends = self.on_clause(clause, unguarded) and ends
                continue
            self.timer(clause.delay, "after")
            if earliest is not None and clause is not earliest and delays[id(clause)] is not None:
                self.report("W405", f"this after never fires: the after {format_seconds(delays[id(earliest)])} is "
                            "due first", clause.delay.span, related=(Related(earliest.span, "due first"),))
            ends = self.block(clause.body) and ends
        return ends

    def on_clause(self, clause: ast.OnClause, unguarded: dict[str, ast.OnClause]) -> bool:
        event = self.resolve(clause.event, "event")
        et: Type = event.type if event is not None else UNKNOWN
        name = clause.event.name
        if name in unguarded:
            self.report("W405", f"this clause never runs: the clause on {name} before it has no guard and takes "
                        "every such event", clause.event.span,
                        related=(Related(unguarded[name].span, "takes every event first"),))
        elif name and clause.guard is None:
            unguarded[name] = clause
        self.push(clause.span)
        self.declare_local(SymbolKind.EVENT_VAR, clause.var, et, clause, clause.var.span.end,
                           f"{clause.var.name}: {name}")
        if clause.guard is not None:
            self.wait_guard(clause.guard)
        ends = self.block(clause.body)
        self.pop()
        self.correlate(et, clause.event)
        return ends

    def sleep(self, s: ast.Sleep, label: str | None = None) -> bool:
        self.expect(s.delay, DURATION, "T311", "sleep")
        seconds = const_duration(s.delay)
        if seconds is not None and seconds < 0:
            self.report("W406", "a negative sleep does nothing", s.delay.span)
        self.record_wait("sleep", s, label, ())
        return False

    def labelled(self, s: ast.Labelled) -> bool:
        name = s.label.name
        inner = s.stmt
        if self.body.ctx == "pattern":
            self.report("W408", "a pattern takes no labels: it may expand more than once", s.label.span)
        elif not isinstance(inner, (ast.Await, ast.Select, ast.Sleep, ast.ErrorStmt)):
            self.report("W408", "a label stands directly before an await, a select or a sleep", s.label.span)
        elif name and self.body.ctx == "workflow":
            previous = self.body.labels.get(name)
            if previous is not None:
                self.report("N212", f"the label '{name}' is already used at line {self.line_of(previous.span)}",
                            s.label.span, related=(Related(previous.span, "first used here"),))
            else:
                self.body.labels[name] = self.new_symbol(SymbolKind.LABEL, s.label, f"label {name}", UNKNOWN, s,
                                                         self.body.container)
        kind = type(inner)
        if kind is ast.Await:
            return self.await_stmt(inner, name or None)
        if kind is ast.Select:
            return self.select(inner, name or None)
        if kind is ast.Sleep:
            return self.sleep(inner, name or None)
        from coordlang.semantics.statements import _DISPATCH
        return _DISPATCH[kind](self, inner)


register_statement(ast.Await, Waits.await_stmt)
register_statement(ast.Select, Waits.select)
register_statement(ast.Sleep, Waits.sleep)
register_statement(ast.Labelled, Waits.labelled)
