"""Checking statements: blocks and scopes, variables, control flow, ``emit``,
``try``, ``complete``/``fail``, and which statement may stand in which body.

Each statement check returns whether the statement always ends the instance (``complete``,
``fail``, or branches that all do), which is how unreachable code is found in the same pass.
"""

from __future__ import annotations

from coordlang.diagnostics import Related, Severity, register
from coordlang.semantics.constants import const_duration, const_value
from coordlang.semantics.expressions import MAX_DEPTH
from coordlang.semantics.symbols import Reference, Symbol, SymbolKind
from coordlang.semantics.types import (
    ERROR_KINDS, INT, STR, UNKNOWN, BlockType, ErrorValueType, EventType, Type, assignable,
)
from coordlang.syntax import ast

register("N210", Severity.ERROR, "Duplicate variable",
         "A block declares the same name twice (`let`, an event variable, a loop or error variable). "
         "Assign the existing variable with `x = ...`, or pick another name. An inner block may "
         "shadow an outer name.",
         "let x = 1\nlet x = 2")
register("T306", Severity.ERROR, "Assignment of the wrong type",
         "A variable keeps the type of its `let` (or of its `let x: T` annotation); `x = e` must give "
         "it a value of that type.",
         'let n = 1\nn = "one"')
register("T309", Severity.ERROR, "Completion value of the wrong type",
         "A workflow declared `-> T` completes with a value of type `T` (`complete e`); without "
         "`-> T` it may complete with any value or none.",
         "workflow W(id: str) key id -> bool {\n    complete 1\n}")
register("T311", Severity.ERROR, "Duration expected",
         "`within`, `after`, `sleep`, a step's `timeout` and a handler's `timeout` take a "
         "`duration` (`250ms`, `5s`, `2m`, `1h`, `1d`), positive where it is a limit.",
         "sleep 5")
register("T312", Severity.ERROR, "Loop bounds are not ints",
         "`for i in A..B` counts over integers from `A` up to `B` excluded.",
         "for i in 0..2.5 { }")
register("T313", Severity.ERROR, "Missing field in emit",
         "An `emit` gives every field of the event.",
         "emit PaymentOk { order_id: o.order_id }   # amount is missing")
register("T314", Severity.ERROR, "Cannot assign",
         "Only `let` variables and a call-started workflow's parameters can be assigned. Event "
         "variables, loop variables, error variables, a stream's `key` and a pattern's parameters "
         "are fixed.",
         "on Paid as p { p = 1 }")
register("W404", Severity.WARNING, "Unreachable code",
         "Statements after `complete` or `fail` (or after a branch statement every branch of which "
         "ends the instance) never run.",
         'fail "no"\ndo notify(x)')
register("W407", Severity.ERROR, "Statement not allowed here",
         "Reactions are stateless: they may `let`, assign, `do`, `if` and `emit`, but not wait, call, "
         "loop, branch in parallel or end an instance. A stream's body holds `let` (with aggregates) "
         "and `when ... emit`. `when` exists only in streams.",
         "on Paid as p { sleep 1s }")
register("W409", Severity.ERROR, "Lone name is not a block parameter",
         "A statement that is just a name expands a pattern's `block` parameter; it is allowed only "
         "inside that pattern.",
         "workflow W(id: str) key id { id }")
register("W423", Severity.WARNING, "Unreachable catch",
         "A `catch` after a catch of every kind, or after a catch of the same kind, never runs.",
         "try { } catch { } catch Timeout { }")
register("W427", Severity.HINT, "Condition is always false",
         "The condition is a constant false, so what it guards never runs: the body of an `if`, a "
         "reaction, a `when`. A condition that is always true is the hint `O603`.",
         "if 1 > 2 { }")

_REACTION = frozenset({ast.Let, ast.Assign, ast.DoStep, ast.If, ast.Emit, ast.ErrorStmt})
_STREAM = frozenset({ast.Let, ast.When, ast.ErrorStmt})
_NAMES = {ast.Await: "await", ast.Select: "select", ast.Sleep: "sleep", ast.CallStep: "call",
          ast.Complete: "complete", ast.Fail: "fail", ast.Use: "use", ast.Parallel: "parallel",
          ast.Race: "race", ast.For: "for", ast.Try: "try", ast.Labelled: "label", ast.When: "when",
          ast.Emit: "emit outside when", ast.If: "if", ast.DoStep: "do", ast.Assign: "assignment",
          ast.Splice: "a lone name"}


class Statements:
    """Mixin of :class:`Checker`: statements."""

    def block(self, block: ast.Block | None, scope: bool = True) -> bool:
        if block is None:
            return False
        if self.depth >= MAX_DEPTH:
            self.too_deep(block)
            return False
        self.depth += 1
        if scope:
            self.push(block.span)
        ends = False
        dead: list[ast.Stmt] = []
        ctx = self.body.ctx
        allowed = _REACTION if ctx == "reaction" else _STREAM if ctx == "stream" else None
        for stmt in block.stmts:
            kind = type(stmt)
            if ends and kind is not ast.ErrorStmt:
                dead.append(stmt)
            if allowed is not None and kind not in allowed:
                self.not_allowed(stmt)
            elif kind is ast.When and ctx != "stream":
                self.report("W407", "when only stands in a stream's body", stmt.span)
            if _DISPATCH[kind](self, stmt):
                ends = True
        if dead:
            self.report("W404", "unreachable: the statement before always ends the instance",
                        dead[0].span.cover(dead[-1].span), unnecessary=True)
        if scope:
            self.pop()
        self.depth -= 1
        return ends

    def not_allowed(self, stmt: ast.Stmt) -> None:
        what = _NAMES.get(type(stmt), "this statement")
        if self.body.ctx == "reaction":
            self.report("W407", f"{what} is not allowed in a reaction: a reaction may let, assign, do, if and emit, "
                        "but not wait or end an instance", stmt.span)
        else:
            self.report("W407", f"{what} is not allowed in a stream: its body holds let and when ... emit", stmt.span)

    # ---- variables
    def let(self, s: ast.Let) -> bool:
        value = s.value
        t = self.rhs(value)
        if s.type is not None:
            declared = self.value_type(s.type)
            if not assignable(t, declared):
                self.report("T306", f"'{s.name.name}' is declared {declared} but given {_a(t)}", value.span)
            t = declared
        symbol = self.declare_local(SymbolKind.VARIABLE, s.name, t, s, s.span.end, f"let {s.name.name}: {t}")
        if isinstance(value, ast.DoStep) and value.compensate is not None:
            # `let paid = do charge(...) compensate refund(paid)`: the compensation runs later, with
            # the step's result in hand.
            self.push(value.compensate.span)
            if symbol is not None:
                self.bind(symbol, value.compensate.span.start)
            self.compensation(value.compensate)
            self.pop()
        return False

    def rhs(self, value: ast.Node) -> Type:
        if isinstance(value, ast.DoStep):
            if self.body.ctx == "stream":
                self.report("W407", "do is not allowed in a stream: its body holds let and when ... emit", value.span)
            return self.do_step(value, compensation=False)
        if isinstance(value, ast.CallStep):
            if self.body.ctx in ("reaction", "stream"):
                self.report("W407", f"call is not allowed in a {self.body.ctx}: it waits for the child workflow",
                            value.span)
            return self.call_step(value)
        return self.value(value)

    def assign(self, s: ast.Assign) -> bool:
        name = s.name.name
        t = self.rhs(s.value)
        if not name:
            return False
        symbol = self.lookup(name)
        if symbol is None:
            found = self.globals.get(name)
            if found is not None:
                self.report("T314", f"'{name}' is a {found.kind.value}, not a variable", s.name.span)
            else:
                self.unknown("N201", "name", s.name, None)
            return False
        self.references.append(Reference(s.name.span, symbol, is_write=True))
        if symbol.kind is not SymbolKind.VARIABLE and not (
                symbol.kind is SymbolKind.PARAMETER and self.body.ctx == "workflow"):
            self.report("T314", f"'{name}' is {_a_kind(symbol)} and cannot be assigned", s.name.span)
            return False
        if not assignable(t, symbol.type):
            self.report("T306", f"'{name}' is {_a(symbol.type)}, not {_a(t)}", s.value.span)
        return False

    # ---- handlers and child workflows
    def do_stmt(self, s: ast.DoStep) -> bool:
        self.do_step(s)
        return False

    def call_stmt(self, s: ast.CallStep) -> bool:
        self.call_step(s)
        return False

    def if_stmt(self, s: ast.If) -> bool:
        ends = s.else_body is not None
        for branch in s.branches:
            self.guard(branch.cond, "an if condition")
            ends = self.block(branch.body) and ends
        if s.else_body is not None:
            ends = self.block(s.else_body) and ends
        return ends

    def guard(self, cond: ast.Expr | None, what: str) -> None:
        if cond is None:
            return
        self.condition(cond, what)
        if const_value(cond) is False:
            self.report("W427", f"{what} is always false: what it guards never runs", cond.span, unnecessary=True)

    def for_stmt(self, s: ast.For) -> bool:
        for bound in (s.start, s.stop):
            t = self.value(bound)
            if t is not UNKNOWN and t != INT:
                self.report("T312", f"a loop bound must be an int, not {t}", bound.span)
        self.push(s.span)
        self.declare_local(SymbolKind.LOOP_VAR, s.var, INT, s, s.body.span.start, f"{s.var.name}: int")
        self.block(s.body)
        self.pop()
        return False

    def parallel(self, s: ast.Parallel) -> bool:
        ends = False
        for branch in s.branches:
            ends = self.block(branch) or ends
        return ends

    def race(self, s: ast.Race) -> bool:
        sleeps = [leading_sleep(b) for b in s.branches]
        ends = bool(s.branches)
        saved = self.body.race_deadline
        for i, branch in enumerate(s.branches):
            others = [d for j, d in enumerate(sleeps) if j != i and d is not None]
            deadline = min(others) if others else None
            if saved is not None and (deadline is None or saved < deadline):
                deadline = saved
            self.body.race_deadline = deadline
            ends = self.block(branch) and ends
        self.body.race_deadline = saved
        return ends

    def emit(self, s: ast.Emit) -> bool:
        event = self.resolve(s.event, "event")
        et = event.type if event is not None else None
        members = self.members.get(id(event), {}) if event is not None else {}
        given: set[str] = set()
        for item in s.fields:
            if not isinstance(item, ast.FieldInit):
                continue
            name = item.name.name
            if not name:
                self.value(item.value)
                continue
            if name in given:
                self.report("N211", f"the field '{name}' is given twice", item.name.span)
                self.value(item.value)
                continue
            given.add(name)
            if not isinstance(et, EventType):
                self.value(item.value)
            elif et.open:
                self.value(item.value)
                if self.body.pattern is not None:
                    self.body.pattern.field_read(et.name, name, item.name.span)
            else:
                expected = et.field(name)
                if expected is None:
                    self.report("N207", f"{et.name} has no field '{name}'", item.name.span)
                    self.value(item.value)
                    continue
                if name in members:
                    self.ref(item.name.span, members[name])
                self.expect(item.value, expected, "T303", f"the field {name}")
        if isinstance(et, EventType) and not et.open and not any(isinstance(i, ast.ErrorItem) for i in s.fields):
            missing = [n for n, _ in et.fields if n not in given]
            if missing:
                self.report("T313", f"emit {et.name} is missing {', '.join(missing)}", s.event.span)
        return False

    def try_stmt(self, s: ast.Try) -> bool:
        ends = self.block(s.body)
        seen: set[str] = set()
        catch_all: ast.Catch | None = None
        for c in s.catches:
            kind = c.kind.name if c.kind is not None else None
            if kind and kind not in ERROR_KINDS:
                self.report("N220", f"unknown error kind '{kind}': use one of {', '.join(ERROR_KINDS)}", c.kind.span)
            elif catch_all is not None or (kind is not None and kind in seen):
                self.report("W423", "this catch never runs: an earlier catch takes " +
                            ("every kind" if catch_all is not None else f"{kind}"), c.span, unnecessary=True,
                            related=((Related(catch_all.span, "catches every kind"),) if catch_all else ()))
            if kind is None and c.kind is None:
                catch_all = catch_all or c
            elif kind:
                seen.add(kind)
            self.push(c.span)
            if c.var is not None:
                self.declare_local(SymbolKind.ERROR_VAR, c.var, ErrorValueType(kind), c, c.body.span.start,
                                   f"{c.var.name}: error" + (f" ({kind})" if kind else ""))
            ends = self.block(c.body) and ends
            self.pop()
        return ends

    def complete(self, s: ast.Complete) -> bool:
        workflow = self.body.workflow
        if workflow is not None and workflow.declared_returns:
            if s.value is None:
                self.report("T309", f"{workflow.name} completes with {_a(workflow.returns)}: complete VALUE", s.span)
            else:
                self.expect(s.value, workflow.returns, "T309", f"the result of {workflow.name}")
        elif s.value is not None:
            self.value(s.value)
        return True

    def fail(self, s: ast.Fail) -> bool:
        self.expect(s.message, STR, "T303", "a fail message")
        return True

    def splice(self, s: ast.Splice) -> bool:
        name = s.name.name
        if not name:
            return False
        symbol = self.lookup(name)
        if symbol is not None and isinstance(symbol.type, BlockType) and self.body.ctx == "pattern":
            self.ref(s.name.span, symbol)
            return False
        if symbol is not None:
            self.ref(s.name.span, symbol)
        if self.body.ctx == "pattern":
            self.report("W409", f"'{name}' is not a block parameter of this pattern: only a block parameter "
                        "stands alone", s.span)
        else:
            self.report("W409", f"a lone name expands a pattern's block parameter; '{name}' does nothing here",
                        s.span)
        return False

    def when(self, s: ast.When) -> bool:
        self.guard(s.cond, "a when condition")
        self.emit(s.emit)
        return False

    def error_stmt(self, s: ast.ErrorStmt) -> bool:
        return False


def leading_sleep(block: ast.Block) -> float | None:
    """The constant delay of a race branch that starts by sleeping: the race's deadline."""
    if not block.stmts:
        return None
    first = block.stmts[0]
    if isinstance(first, ast.Labelled):
        first = first.stmt
    return const_duration(first.delay) if isinstance(first, ast.Sleep) else None


def _a(t: Type) -> str:
    word = str(t)
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _a_kind(symbol: Symbol) -> str:
    if symbol.kind is SymbolKind.PARAMETER:
        return "a pattern parameter"
    word = symbol.kind.value
    return ("an " if word[:1] in "aeiou" else "a ") + word


_DISPATCH = {
    ast.Let: Statements.let, ast.Assign: Statements.assign, ast.DoStep: Statements.do_stmt,
    ast.CallStep: Statements.call_stmt, ast.If: Statements.if_stmt, ast.For: Statements.for_stmt,
    ast.Parallel: Statements.parallel, ast.Race: Statements.race, ast.Emit: Statements.emit,
    ast.Try: Statements.try_stmt, ast.Complete: Statements.complete, ast.Fail: Statements.fail,
    ast.Splice: Statements.splice, ast.When: Statements.when, ast.ErrorStmt: Statements.error_stmt,
}


def register_statement(kind: type, method) -> None:
    """Statements checked by other mixins (waits, pattern uses) add themselves here."""
    _DISPATCH[kind] = method

