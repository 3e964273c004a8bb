"""Lowering from lark's parse to the AST, as lark callbacks (no intermediate tree).

Each callback gets the children of its rule: lark tokens (all terminals are kept, so spans
include braces and keywords) and the AST values built below it.
"""

from __future__ import annotations

from typing import Any, Callable

from lark import Token as LarkToken
from lark import Transformer

from coordlang.source import Span
from coordlang.syntax import ast
from coordlang.syntax.tokens import Token, duration_seconds, string_pieces


class _Tagged:
    """An intermediate value of an optional clause (``with P``, ``where g``...)."""

    __slots__ = ("tag", "value", "span")

    def __init__(self, tag: str, value: Any, span: Span) -> None:
        self.tag, self.value, self.span = tag, value, span


class _Seq(tuple):
    """A list of items with the span of its source (empty lists have none)."""

    span: Span | None = None


# The parser's tokens are ours (``tokens.Token``); error recovery's are lark's. Both have
# ``type``, ``value``, ``start_pos`` and ``end_pos``.
TOKENS = (Token, LarkToken)


def span_of(item: Any) -> Span | None:
    cls = item.__class__
    if cls is Token:
        return Span(item.start, item.end)
    if isinstance(item, (ast.Node, _Tagged)):
        return item.span
    if isinstance(item, LarkToken):
        return Span(item.start_pos, item.end_pos)
    if isinstance(item, _Seq):
        return item.span
    return None


def cover(children: list[Any]) -> Span:
    """From the first child with a position to the last one."""
    for child in children:
        first = span_of(child)
        if first is not None:
            break
    else:
        return Span(0, 0)
    for child in reversed(children):
        last = span_of(child)
        if last is not None:
            return Span(first.start, last.end)
    return first


def ident(tok: LarkToken) -> ast.Ident:
    return ast.Ident(Span(tok.start_pos, tok.end_pos), tok.value)


def _int(tok: LarkToken) -> int:
    """An integer token's value; 0 for one that error recovery inserted (empty text)."""
    return int(tok.value) if tok.value else 0


def _tokens(children: list[Any], kind: str) -> list[LarkToken]:
    return [c for c in children if isinstance(c, TOKENS) and c.type == kind]


def _first(children: list[Any], cls: type) -> Any:
    for c in children:
        if isinstance(c, cls):
            return c
    return None


def _tag(children: list[Any], tag: str) -> Any:
    for c in children:
        if isinstance(c, _Tagged) and c.tag == tag:
            return c.value
    return None


def _seq(children: list[Any]) -> _Seq:
    return _first(children, _Seq) or _Seq()


def _nodes(children: list[Any]) -> _Seq:
    out = _Seq(c for c in children if isinstance(c, ast.Node))
    out.span = cover(children) if children else None
    return out


_BINARY = {"OR": "or", "AND": "and", "EQEQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">",
           "GE": ">=", "PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/", "PERCENT": "%"}


class Lowering(Transformer):
    """Lark callbacks building the AST. ``parse_interpolation`` parses ``{expr}`` in strings."""

    def __init__(self, parse_interpolation: Callable[[int, int], ast.Expr],
                 report: Callable[[list], None]) -> None:
        super().__init__()
        self._parse_interpolation = parse_interpolation
        self._report = report

    # ---- module and declarations
    def start(self, c):
        decls = []
        for item in c:
            if isinstance(item, ast.Decl):
                decls.append(item)
            elif isinstance(item, TOKENS) and item.type == "ERROR_DECL":
                decls.append(ast.ErrorDecl(span_of(item)))
        return ast.Module(cover(c), tuple(decls))

    def module_decl(self, c):
        return ast.ModuleDecl(cover(c), c[1])

    def import_decl(self, c):
        target = c[1]
        if isinstance(target, ast.DottedName):
            return ast.ImportDecl(cover(c), None, target)
        return ast.ImportDecl(cover(c), self._string(target), None)

    def dotted(self, c):
        return ast.DottedName(cover(c), tuple(x for x in c if isinstance(x, ast.Ident)))

    def name(self, c):
        return ident(c[0])

    def type(self, c):
        tok = c[0]
        return ast.TypeRef(span_of(tok), "" if tok.type == "ERROR_EXPR" else tok.value)

    def event_decl(self, c):
        return ast.EventDecl(cover(c), ident(c[1]), tuple(_seq(c)))

    def _list(self, c):
        return _nodes(c)

    fields = params = mappings = inits = args = _list

    def field(self, c):
        if len(c) == 1:
            return ast.ErrorItem(cover(c))
        return ast.Field(cover(c), c[0], c[2])

    def param(self, c):
        if len(c) == 1:
            return ast.ErrorItem(cover(c))
        return ast.Param(cover(c), ident(c[0]), c[2])

    def handler_decl(self, c):
        flags = tuple(x for x in c if isinstance(x, ast.HandlerFlag))
        target = _tokens(c, "STRING")
        return ast.HandlerDecl(cover(c), ident(c[1]), tuple(_seq(c)), _first(c, ast.TypeRef),
                               self._string(target[0]), flags)

    def handler_flag(self, c):
        if len(c) == 1:
            return ast.HandlerFlag(cover(c), c[0].value, None)
        return ast.HandlerFlag(cover(c), "timeout", c[1])

    def policy_decl(self, c):
        return ast.PolicyDecl(cover(c), ident(c[1]), c[3])

    def event_trigger(self, c):
        return ast.EventTrigger(cover(c), ident(c[1]), ident(c[3]))

    def param_trigger(self, c):
        return _Tagged("params", tuple(_seq(c)), cover(c))

    def version(self, c):
        return ast.IntLit(span_of(c[1]), _int(c[1]))

    def returns(self, c):
        return _Tagged("returns", c[1], cover(c))

    def workflow_decl(self, c):
        trigger = _first(c, ast.EventTrigger)
        params = _tag(c, "params")
        return ast.WorkflowDecl(cover(c), ident(c[1]), trigger,
                                None if trigger is not None else (params or ()),
                                _first(c, ast.Ident), _first(c, ast.IntLit), _tag(c, "returns"),
                                _first(c, ast.Block))

    def reaction_decl(self, c):
        return ast.ReactionDecl(cover(c), ident(c[1]), ident(c[3]), _tag(c, "where"), _first(c, ast.Block))

    def stream_decl(self, c):
        return ast.StreamDecl(cover(c), ident(c[1]), ident(c[3]), ident(c[5]), c[7], c[9], c[10])

    def pattern_decl(self, c):
        return ast.PatternDecl(cover(c), ident(c[1]), tuple(_seq(c)), _first(c, ast.Block))

    def migrate_decl(self, c):
        ints = _tokens(c, "INT")
        return ast.MigrateDecl(cover(c), ident(c[1]), ast.IntLit(span_of(ints[0]), _int(ints[0])),
                               ast.IntLit(span_of(ints[1]), _int(ints[1])), tuple(_seq(c)))

    def mapping(self, c):
        if len(c) == 1:
            return ast.ErrorItem(cover(c))
        return ast.Mapping(cover(c), ident(c[0]), ident(c[2]))

    # ---- statements
    def block(self, c):
        stmts = []
        for item in c:
            if isinstance(item, ast.Stmt):
                stmts.append(item)
            elif isinstance(item, TOKENS) and item.type == "ERROR_STMT":
                stmts.append(ast.ErrorStmt(span_of(item)))
        return ast.Block(cover(c), tuple(stmts))

    def let_stmt(self, c):
        return ast.Let(cover(c), ident(c[1]), _first(c, ast.TypeRef), c[-1])

    def assign_stmt(self, c):
        return ast.Assign(cover(c), ident(c[0]), c[2])

    def with_policy(self, c):
        return _Tagged("with", ident(c[1]), cover(c))

    def timeout(self, c):
        return _Tagged("timeout", c[1], cover(c))

    def compensation(self, c):
        return ast.Compensation(cover(c), ident(c[1]), tuple(_seq(c)), _tag(c, "with"))

    def do_step(self, c):
        return ast.DoStep(cover(c), ident(c[1]), tuple(_seq(c)), _tag(c, "with"), _tag(c, "timeout"),
                          _first(c, ast.Compensation))

    def call_step(self, c):
        return ast.CallStep(cover(c), ident(c[1]), tuple(_seq(c)), _tag(c, "with"))

    def where(self, c):
        return _Tagged("where", c[1], cover(c))

    def within(self, c):
        return _Tagged("within", (c[1], _first(c, ast.Block)), cover(c))

    def await_stmt(self, c):
        within, else_body = _tag(c, "within") or (None, None)
        return ast.Await(cover(c), ident(c[1]), ident(c[3]), _tag(c, "where"), within, else_body)

    def select_stmt(self, c):
        return ast.Select(cover(c), tuple(x for x in c if isinstance(x, ast.Node)))

    def on_clause(self, c):
        return ast.OnClause(cover(c), ident(c[1]), ident(c[3]), _tag(c, "where"), _first(c, ast.Block))

    def after_clause(self, c):
        return ast.AfterClause(cover(c), c[1], c[2])

    def error_clause(self, c):
        return ast.ErrorItem(cover(c))

    def sleep_stmt(self, c):
        return ast.Sleep(cover(c), c[1])

    def if_stmt(self, c):
        branches = [ast.IfBranch(Span(span_of(c[0]).start, c[2].span.end), c[1], c[2])]
        branches += [x for x in c[3:] if isinstance(x, ast.IfBranch)]
        return ast.If(cover(c), tuple(branches), _tag(c, "else"))

    def elif_branch(self, c):
        return ast.IfBranch(cover(c), c[1], c[2])

    def else_branch(self, c):
        return _Tagged("else", c[1], cover(c))

    def for_stmt(self, c):
        return ast.For(cover(c), ident(c[1]), c[3], c[5], c[6])

    def branches(self, c):
        return _Tagged("branches", tuple(x for x in c if isinstance(x, ast.Block)), cover(c))

    def parallel_stmt(self, c):
        return ast.Parallel(cover(c), c[1].value)

    def race_stmt(self, c):
        return ast.Race(cover(c), c[1].value)

    def emit_stmt(self, c):
        return ast.Emit(cover(c), ident(c[1]), tuple(_seq(c)))

    def init(self, c):
        if len(c) == 1:
            return ast.ErrorItem(cover(c))
        return ast.FieldInit(cover(c), c[0], c[2])

    def try_stmt(self, c):
        return ast.Try(cover(c), c[1], tuple(x for x in c if isinstance(x, ast.Catch)))

    def catch(self, c):
        names = [x for x in c if isinstance(x, TOKENS) and x.type == "NAME"]
        has_as = bool(_tokens(c, "AS"))
        kind = ident(names[0]) if names and (not has_as or len(names) == 2) else None
        var = ident(names[-1]) if has_as and names else None
        return ast.Catch(cover(c), kind, var, c[-1])

    def complete_stmt(self, c):
        return ast.Complete(cover(c), c[1] if len(c) > 1 else None)

    def fail_stmt(self, c):
        return ast.Fail(cover(c), c[1])

    def use_stmt(self, c):
        return ast.Use(cover(c), ident(c[1]), tuple(_seq(c)))

    def label_stmt(self, c):
        return ast.Labelled(cover(c), ident(c[1]), c[-1] if isinstance(c[-1], ast.Stmt)
                            else ast.ErrorStmt(span_of(c[-1])))

    def splice_stmt(self, c):
        return ast.Splice(cover(c), ident(c[0]))

    def when_stmt(self, c):
        return ast.When(cover(c), c[1], c[2])

    def arg(self, c):
        return ast.Arg(cover(c), None, c[0])

    def named_arg(self, c):
        return ast.Arg(cover(c), c[0], c[2])

    def block_arg(self, c):
        return ast.Arg(cover(c), None, c[0])

    def error_arg(self, c):
        return ast.Arg(cover(c), None, ast.ErrorExpr(cover(c)))

    # ---- expressions
    def _chain(self, c):  # noqa: D401
        left = c[0]
        for i in range(1, len(c) - 1, 2):
            right = c[i + 1]
            left = ast.Binary(Span(left.span.start, right.span.end), _BINARY[c[i].type], left, right)
        return left

    or_expr = and_expr = compare = sum = product = _chain

    def unary(self, c):
        return ast.Unary(cover(c), "not" if c[0].type == "NOT" else "-", c[1])

    def member(self, c):
        return ast.Member(cover(c), c[0], c[2])

    def int_lit(self, c):
        return ast.IntLit(cover(c), _int(c[0]))

    def float_lit(self, c):
        return ast.FloatLit(cover(c), float(c[0].value) if c[0].value else 0.0)

    def duration_lit(self, c):
        return ast.DurationLit(cover(c), duration_seconds(c[0].value) if c[0].value else 0.0, c[0].value)

    def string_lit(self, c):
        return self._string(c[0])

    def bool_lit(self, c):
        return ast.BoolLit(cover(c), c[0].type == "TRUE")

    def none_lit(self, c):
        return ast.NoneLit(cover(c))

    def name_ref(self, c):
        return ast.Name(cover(c), c[0].value)

    def call_expr(self, c):
        return ast.CallExpr(cover(c), ident(c[0]), tuple(_seq(c)))

    def paren(self, c):
        return ast.Paren(cover(c), c[1])

    def list_expr(self, c):
        return ast.ListExpr(cover(c), tuple(x for x in c if isinstance(x, ast.Expr)))

    def error_expr(self, c):
        return ast.ErrorExpr(cover(c))

    def _string(self, tok: LarkToken) -> ast.StringLit:
        span = span_of(tok)
        pieces, problems = string_pieces(tok.value, span.start)
        if problems:
            self._report(problems)
        parts: list[str | ast.Expr] = []
        for kind, value, start, end in pieces:
            if kind == "expr":
                parts.append(self._parse_interpolation(start, end))
            elif kind == "unclosed":  # already reported; parsing it would only repeat the error
                parts.append(ast.ErrorExpr(Span(start, end)))
            else:
                parts.append(value)
        return ast.StringLit(span, tuple(parts))
