"""Typing expressions: names, fields, operators, built-in functions and aggregates."""

from __future__ import annotations

import difflib

from coordlang.diagnostics import Severity, register
from coordlang.semantics.symbols import Symbol, SymbolKind
from coordlang.semantics.types import (
    BOOL, DURATION, FLOAT, INT, NONE, STR, TIME, UNKNOWN, ErrorValueType, EventType, HandlerType, ListType,
    Type, binary_result, unary_result,
)
from coordlang.syntax import ast

register("N201", Severity.ERROR, "Unknown name",
         "The name is not a variable, parameter or event variable in scope here, nor a declaration "
         "of the module or its imports. Variables are block-scoped: a `let` inside `{ }` is not "
         "visible after the `}`.",
         "complete totl")
register("N202", Severity.ERROR, "Unknown event",
         "`await`, `select`, `emit`, a workflow's `on`, a reaction and a stream name an event "
         "declared in the module or an import (or a pattern's `event` parameter).",
         "await PaymentOkk as p")
register("N203", Severity.ERROR, "Unknown handler",
         "`do` and `compensate` name a declared handler (or a pattern's `handler` parameter).",
         "do chrage(o.id)")
register("N204", Severity.ERROR, "Unknown policy",
         "`with` names a declared policy (or a pattern's `policy` parameter).",
         "do charge(o.id) with transiant")
register("N205", Severity.ERROR, "Unknown workflow",
         "`call` and `migrate` name a declared workflow.",
         "call Notfy(customer: o.customer)")
register("N206", Severity.ERROR, "Unknown pattern",
         "`use` names a declared pattern (of the module, an import or `std.*`).",
         "use with_fallbak(charge, backup, transient)")
register("N207", Severity.ERROR, "Unknown field",
         "The event has no field of that name: in a member access `v.field`, an `emit`, a stream's "
         "`by`, or (through a pattern's `event` parameter) a field the pattern reads.",
         "o.amout")
register("N216", Severity.ERROR, "Unknown function",
         "Expressions call the built-ins `now()` and, in streams, the aggregates `count()`, `sum()`, "
         "`avg()`, `min()`, `max()`, `stddev()`, `first()`, `last()`. Handlers are called with `do`, "
         "workflows with `call`, patterns with `use`; `retry(...)` and window shapes only stand in "
         "policies and stream headers.",
         "let x = charge(o.id)")
register("T301", Severity.ERROR, "Operator type mismatch",
         "Arithmetic is on numbers (an `int` promotes to `float`), `duration`s (added, subtracted, "
         "scaled by a number) and `time` (plus or minus a duration; a time minus a time is a "
         "duration); `+` also joins strings. `<` and friends compare two numbers, durations, times "
         "or strings; `==` compares values of one type (or anything with `none`). `and`, `or`, "
         "`not` take `bool`.",
         'let x = "a" * 2')
register("T302", Severity.ERROR, "Condition is not a bool",
         "`if`, `elif`, `where` guards and `when` conditions are `bool` expressions.",
         "if o.amount { }")
register("T308", Severity.ERROR, "No fields",
         "Only events (`v.field`) and caught errors (`e.kind`, `e.message`, `e.type`) have members.",
         "let n = o.amount.value")
register("T310", Severity.ERROR, "Not a value",
         "A handler, policy, workflow, pattern, stream, event type or list is not a value: it can "
         "be passed to a pattern parameter of its kind, not computed with.",
         "let h = charge")
register("W428", Severity.WARNING, "Nesting too deep to check",
         "Blocks and expressions nested more than 150 levels deep are not checked further. Split "
         "the code with patterns, or flatten the expression.",
         "let x = ((((((((((1))))))))))   # ... 150 levels")
register("W410", Severity.ERROR, "Aggregate or key outside a stream",
         "Aggregates (`count()`, `sum()`, `avg()`...) and `key` only mean something in a stream's "
         "window.",
         "let n = count()")

AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "stddev", "first", "last"})
_DECLARATION_FUNCTIONS = {
    "retry": "a policy's value", "fixed": "a policy's backoff", "exponential": "a policy's backoff",
    "linear": "a policy's backoff", "tumbling": "a stream's window", "sliding": "a stream's window",
    "session": "a stream's window",
}
_KIND_NOUN = {SymbolKind.EVENT: "an event", SymbolKind.HANDLER: "a handler", SymbolKind.POLICY: "a policy",
              SymbolKind.WORKFLOW: "a workflow", SymbolKind.PATTERN: "a pattern", SymbolKind.STREAM: "a stream"}
SUGGESTIONS = 50
MAX_DEPTH = 150
"""Blocks and expressions nested deeper are not checked (W428)."""
_CANDIDATES = 400


class Expressions:
    """Mixin of :class:`Checker`: the type of every expression, recorded for ``type_of``."""

    def expr(self, e: ast.Node) -> Type:
        t = _LITERALS.get(type(e))
        if t is None:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                t = self.too_deep(e)
            else:
                t = _DISPATCH.get(type(e), _other)(self, e)
            self.depth -= 1
        self.types[id(e)] = t
        self.typed.append(e)
        return t

    def too_deep(self, node: ast.Node) -> Type:
        """Nesting past ``MAX_DEPTH`` is not checked (the checker recurses, and Python's stack
        is finite); it is reported once per declaration."""
        if not self.body.too_deep:
            self.body.too_deep = True
            self.report("W428", f"nested more than {MAX_DEPTH} levels deep: the checker does not look further in",
                        node.span)
        return UNKNOWN

    def value(self, e: ast.Node) -> Type:
        """An expression used as a value: a declaration's name is reported (T310)."""
        t = self.expr(e)
        if t.is_value:
            return t
        self.report("T310", f"{_describe_kind(e, t)} is not a value", e.span)
        return UNKNOWN

    def condition(self, e: ast.Node | None, what: str) -> None:
        if e is None:
            return
        t = self.value(e)
        if t is not UNKNOWN and t != BOOL:
            self.report("T302", f"{what} must be a bool, not {t}", e.span)

    def expect(self, e: ast.Node, expected: Type, code: str, what: str) -> Type:
        from coordlang.semantics.types import assignable
        t = self.value(e)
        if not assignable(t, expected):
            self.report(code, f"{what} must be {_article(expected)}, not {t}", e.span)
        return t

    # ---- names
    def name_expr(self, e: ast.Name) -> Type:
        name = e.name
        symbol = self.lookup(name)
        if symbol is not None:
            self.ref(e.span, symbol)
            # Only a read in the wait's own block is reported: one inside an `if` after it may
            # well be guarded by a flag the else block set.
            if self.body.maybe_unset and self.body.maybe_unset.get(id(symbol)) is self.body.scope:
                del self.body.maybe_unset[id(symbol)]
                self.report("W422", f"'{name}' is not set when the wait before timed out and its else block "
                            "went on: end that block with fail or complete, or test in it", e.span)
            return symbol.type
        if name == "key":
            self.report("W410", "key is the window's key: it only exists in a stream", e.span)
            return UNKNOWN
        symbol = self.globals.get(name)
        if symbol is None:
            self.unknown("N201", "name", e, None)
            return UNKNOWN
        self.ref(e.span, symbol)
        return symbol.type

    def unknown(self, code: str, what: str, ident: ast.Ident | ast.Name, found: Symbol | None,
                extra: tuple[str, ...] = ()) -> None:
        """Report a name that does not resolve to the kind ``what``, with a suggestion."""
        name = ident.name
        if found is not None:
            message = f"'{name}' is {_KIND_NOUN.get(found.kind, 'a ' + found.kind.value)}, not {_article_word(what)}"
        else:
            close = self.suggest(name, what, extra)
            message = f"unknown {what} '{name}'" + (f": did you mean '{close}'?" if close else "")
        self.report(code, message, ident.span)

    def suggest(self, name: str, what: str, extra: tuple[str, ...] = ()) -> str | None:
        """A declared name close to ``name``. Suggestions are a courtesy: a document full of
        unknown names among thousands of declarations gets only the first few, so the check
        stays linear."""
        self.suggestions_left -= 1
        if self.suggestions_left < 0:
            return None
        noun = " " + what
        candidates = [n for n, s in self.globals.items()
                      if what == "name" or _KIND_NOUN.get(s.kind, "").endswith(noun)]
        if what == "name":
            candidates += self.variables_names()
        candidates += extra
        # difflib's ratio is at least 0.7 only between names of similar length.
        slack = max(2, len(name) // 3)
        candidates = [c for c in candidates if abs(len(c) - len(name)) <= slack][:_CANDIDATES]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
        return close[0] if close else None

    def variables_names(self) -> list[str]:
        names: list[str] = []
        scope = self.body.scope
        while scope is not None:
            names.extend(scope.names)
            scope = scope.parent
        return names

    def member(self, e: ast.Member) -> Type:
        t = self.expr(e.obj)
        name = e.name.name
        if not name or t is UNKNOWN:
            return UNKNOWN
        if isinstance(t, EventType):
            if t.open:
                if self.body.pattern is not None:
                    self.body.pattern.field_read(t.name, name, e.name.span)
                return UNKNOWN
            field_type = t.field(name)
            event = self.globals.get(t.name)
            if field_type is None:
                fields = [n for n, _ in t.fields]
                close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
                hint = f": did you mean '{close[0]}'?" if close else f"; it has {', '.join(fields) or 'no fields'}"
                self.report("N207", f"{t.name} has no field '{name}'{hint}", e.name.span)
                return UNKNOWN
            field_symbol = self.members.get(id(event), {}).get(name) if event is not None else None
            if field_symbol is not None:
                self.ref(e.name.span, field_symbol)
            return field_type
        if isinstance(t, ErrorValueType):
            field_type = t.field(name)
            if field_type is None:
                self.report("N207", f"an error has kind, message and type, not '{name}'", e.name.span)
                return UNKNOWN
            return field_type
        self.report("T308", f"{t} has no fields", e.name.span)
        return UNKNOWN

    # ---- calls of built-in functions
    def call_expr(self, e: ast.CallExpr) -> Type:
        name = e.func.name
        if name == "now":
            self.arity(e, 0)
            return TIME
        if name in AGGREGATES:
            return self.aggregate(e)
        for arg in e.args:
            if not isinstance(arg.value, ast.Block):
                self.expr(arg.value)
        if name in _DECLARATION_FUNCTIONS:
            self.report("N216", f"{name}(...) only stands as {_DECLARATION_FUNCTIONS[name]}", e.func.span)
            return UNKNOWN
        symbol = self.lookup(name) or self.globals.get(name)
        if symbol is not None and isinstance(symbol.type, HandlerType):
            self.ref(e.func.span, symbol)
            self.report("N216", f"call the handler with do: do {name}(...)", e.func.span)
        elif symbol is not None and symbol.kind is SymbolKind.WORKFLOW:
            self.ref(e.func.span, symbol)
            self.report("N216", f"start the workflow with call: call {name}(...)", e.func.span)
        elif symbol is not None and symbol.kind is SymbolKind.PATTERN:
            self.ref(e.func.span, symbol)
            self.report("N216", f"expand the pattern with use: use {name}(...)", e.func.span)
        elif name:
            close = difflib.get_close_matches(name, ["now", *sorted(AGGREGATES)], n=1, cutoff=0.7)
            self.report("N216", f"unknown function '{name}'" + (f": did you mean '{close[0]}'?" if close else ""),
                        e.func.span)
        return UNKNOWN

    def arity(self, e: ast.CallExpr, count: int) -> bool:
        if len(e.args) != count:
            self.report("T304", f"{e.func.name}() takes {count} argument{'s' if count != 1 else ''}, "
                        f"not {len(e.args)}", e.span)
            return False
        return True

    def aggregate(self, e: ast.CallExpr) -> Type:
        name = e.func.name
        if self.body.ctx != "stream":
            self.report("W410", f"{name}() aggregates a stream's window: it only exists in a stream", e.func.span)
        if name == "count":
            self.arity(e, 0)
            return INT
        if not self.arity(e, 1) or isinstance(e.args[0].value, ast.Block):
            for arg in e.args:
                if not isinstance(arg.value, ast.Block):
                    self.expr(arg.value)
            return UNKNOWN
        t = self.value(e.args[0].value)
        if t is UNKNOWN or name in ("first", "last"):
            return t
        if name in ("min", "max"):
            if t in (INT, FLOAT, DURATION, TIME, STR):
                return t
        elif name == "sum":
            if t in (INT, FLOAT, DURATION):
                return t
        elif name == "avg":
            if t in (INT, FLOAT):
                return FLOAT
            if t == DURATION:
                return DURATION
        elif name == "stddev" and t in (INT, FLOAT):
            return FLOAT
        self.report("T301", f"{name}() does not apply to {t}", e.args[0].span)
        return UNKNOWN

    # ---- operators
    def binary(self, e: ast.Binary) -> Type:
        left = self.value(e.left)
        right = self.value(e.right)
        result = binary_result(e.op, left, right)
        if result is None:
            if e.op in ("and", "or"):
                bad = left if left != BOOL else right
                self.report("T301", f"'{e.op}' takes bools, not {bad}", e.span)
                return BOOL
            if e.op in ("==", "!=", "<", "<=", ">", ">="):
                self.report("T301", f"cannot compare {left} with {right}", e.span)
                return BOOL
            self.report("T301", f"'{e.op}' does not apply to {left} and {right}", e.span)
            return UNKNOWN
        return result

    def unary(self, e: ast.Unary) -> Type:
        t = self.value(e.operand)
        result = unary_result(e.op, t)
        if result is None:
            self.report("T301", f"'{e.op}' does not apply to {t}", e.span)
            return BOOL if e.op == "not" else UNKNOWN
        return result

    def string(self, e: ast.StringLit) -> Type:
        for part in e.parts:
            if not isinstance(part, str):
                self.value(part)  # interpolation takes any value
        return STR

    def list_expr(self, e: ast.ListExpr) -> Type:
        item = UNKNOWN
        for x in e.items:
            item = self.expr(x)
        return ListType(item)


def _other(checker, e) -> Type:
    return UNKNOWN


def _describe_kind(e: ast.Node, t: Type) -> str:
    if isinstance(t, ListType):
        return "a list (only a policy's on: takes one)"
    name = getattr(e, "name", None)
    return f"the {t} '{name}'" if isinstance(name, str) else f"a {t}"


def _article(t: Type) -> str:
    return _article_word(str(t))


def _article_word(word: str) -> str:
    return ("an " if word[:1] in ("a", "e", "i", "o", "u") else "a ") + word


_LITERALS = {ast.IntLit: INT, ast.FloatLit: FLOAT, ast.BoolLit: BOOL, ast.NoneLit: NONE, ast.DurationLit: DURATION}
_DISPATCH = {
    ast.StringLit: Expressions.string,
    ast.Name: Expressions.name_expr,
    ast.Member: Expressions.member,
    ast.CallExpr: Expressions.call_expr,
    ast.Binary: Expressions.binary,
    ast.Unary: Expressions.unary,
    ast.ListExpr: Expressions.list_expr,
    ast.Paren: lambda c, e: c.expr(e.expr),
    ast.ErrorExpr: _other,
}

