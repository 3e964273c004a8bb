"""The parser: coord's tokens (``tokens.py``) fed to lark's LALR(1) automaton for
``coord.lark``, lowered to the AST as it goes (``lower.py``).

The parse never fails: where the tokens do not fit the grammar, ``recovery.Driver`` records
a P1xx diagnostic and repairs, so the tree always exists, damaged places hold error nodes,
and one mistake gives one diagnostic. The codes are registered here.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import lark
from lark import Lark
from lark.lexer import Lexer
from lark.parsers.lalr_parser_state import ParseConf

from coordlang.cachedir import cache_file
from coordlang.gcpause import gc_paused
from coordlang.diagnostics import Diagnostic, Severity, make, register
from coordlang.source import LineIndex, Span
from coordlang.syntax import ast
from coordlang.syntax.lower import Lowering
from coordlang.syntax.recovery import Driver, describe
from coordlang.syntax.tables import Tables
from coordlang.syntax.tokens import KEYWORDS, LexProblem, Token, tokenize

__all__ = ["ParseResult", "describe", "parse", "parse_expression"]

P101 = register("P101", Severity.ERROR, "Unexpected token",
                "The parser met a token that cannot stand there. It drops the damaged statement "
                "and goes on, so later errors are still reported.",
                "workflow W on E as e key id {\n    let x = = 1\n}")
P102 = register("P102", Severity.ERROR, "Missing closing brace",
                "A block opened with `{` is not closed before the next declaration or the end of "
                "the file. Add the `}`; the related location shows the opening brace.",
                "workflow W on E as e key id {\n    complete\n")
P103 = register("P103", Severity.ERROR, "Missing token",
                "Something is missing before this point: an expression or a type, a name after `.` "
                "or `as`, a closing `)` or `]`, a `{` before an indented body, or a separator people "
                "forget (`:` `,` `=` `->` `as` `in` `else`). The parser inserts it and goes on.",
                "let total = o.amount +")
P104 = register("P104", Severity.ERROR, "Unterminated string",
                "A string literal is not closed on its line. Strings cannot span lines; add the "
                "closing `\"`.",
                'fail "declined')
P105 = register("P105", Severity.ERROR, "Unexpected character",
                "A character that is not part of the language, outside strings and comments.",
                "let x = 1 $ 2")
P106 = register("P106", Severity.ERROR, "Bad escape or interpolation in a string",
                "Strings know the escapes `\\\"` `\\\\` `\\n` `\\t` `\\{` `\\}`; `{expr}` interpolates an "
                "expression, which must be closed with `}`.",
                'fail "bad \\q"')
P107 = register("P107", Severity.ERROR, "Unknown handler flag",
                "A handler takes the flags `timeout D`, `idempotent`, `jit` and `batch`.",
                'handler h() -> bool = "m:f" fast')


_GRAMMAR = Path(__file__).with_name("coord.lark")
_KNOWN_FLAGS = frozenset({"idempotent", "jit", "batch"})


class _NoLexer(Lexer):
    """Tokens come from ``tokens.tokenize``; lark's lexer is never used."""

    def __init__(self, conf) -> None:  # noqa: D107
        pass

    def lex(self, *args):  # pragma: no cover - never called
        raise AssertionError("coord tokens are fed by the parser driver")


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A module's tree, its tokens (for editors and the formatter) and the syntax diagnostics."""

    text: str
    module: ast.Module
    tokens: tuple[Token, ...]
    comments: tuple[Token, ...]
    diagnostics: tuple[Diagnostic, ...]
    lines: LineIndex


class _Context(threading.local):
    text: str = ""
    diagnostics: list | None = None


_context = _Context()
_lark: Lark | None = None
_lark_lock = threading.Lock()


def _parser() -> Lark:
    global _lark
    with _lark_lock:
        if _lark is None:
            # Building the LALR table is a quarter of a second at every start; lark caches the
            # analysis (checked against the grammar's digest) in a file of the user's own, not
            # in the shared temporary directory it would pick, since the file is unpickled.
            cache = cache_file("parser", f"coord-lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}.pickle")
            _lark = Lark(_GRAMMAR.read_text(), parser="lalr", lexer=_NoLexer, start=["start", "expr"],
                         transformer=Lowering(_parse_interpolation, _report_lex_problems),
                         maybe_placeholders=False, cache=str(cache) if cache is not None else False)
        return _lark


_tables_by_start: dict[str, Tables] = {}


def _tables(start: str) -> Tables:
    tables = _tables_by_start.get(start)
    if tables is None:
        lalr = _parser().parser.parser.parser  # ParsingFrontend -> LALR_Parser -> _Parser
        with _lark_lock:
            tables = _tables_by_start.setdefault(start, Tables(ParseConf(lalr.parse_table, lalr.callbacks, start)))
    return tables


def parse(text: str) -> ParseResult:
    """Parse a module. Never raises on any text."""
    with gc_paused():
        return _parse(text)


def _parse(text: str) -> ParseResult:
    tokens, trivia, problems = tokenize(text)
    diagnostics: list[Diagnostic] = []
    saved = (_context.text, _context.diagnostics)
    _context.text, _context.diagnostics = text, diagnostics
    try:
        _report_lex_problems(problems)
        bad = tuple(t.start for t in trivia if t.kind == "BAD")
        module = Driver(_tables("start"), tokens, "start", text, diagnostics, bad=bad).run()
    finally:
        _context.text, _context.diagnostics = saved
    if not isinstance(module, ast.Module):  # an empty file
        module = ast.Module(Span(0, len(text)), ())
    else:
        module = ast.Module(Span(0, len(text)), module.decls)
    _check_flags(module, diagnostics)
    diagnostics.sort(key=lambda d: (d.span.start, d.code))
    comments = tuple(t for t in trivia if t.kind == "COMMENT")
    return ParseResult(text, module, tuple(tokens), comments, tuple(diagnostics), LineIndex(text))


def parse_chunk(text: str, start: int, end: int) -> tuple[tuple[ast.Decl, ...], list[Token], list[Token]] | None:
    """The declarations, tokens and comments of ``text[start:end]``, a run of whole top-level
    declarations (``start`` and ``end`` at column-0 declaration keywords or the text's ends),
    with absolute offsets; None when the run does not parse clean on its own (see
    ``incremental.py`` for why only then its parse is the one the whole text would give)."""
    # The tokenizer keeps a run of newlines only when the token after it shows that the line
    # ended: let it see the keyword that follows the chunk, then leave that keyword out.
    follow = end
    while follow < len(text) and (text[follow].isalnum() or text[follow] == "_"):
        follow += 1
    tokens, trivia, problems = tokenize(text[start:follow])
    if problems:
        return None
    if start:
        tokens = [Token(k, t, s + start, e + start) for k, t, s, e in tokens if s + start < end]
        trivia = [Token(k, t, s + start, e + start) for k, t, s, e in trivia if s + start < end]
    else:
        tokens = [t for t in tokens if t.start < end]
        trivia = [t for t in trivia if t.start < end]
    diagnostics: list[Diagnostic] = []
    saved = (_context.text, _context.diagnostics)
    _context.text, _context.diagnostics = text, diagnostics
    try:
        module = Driver(_tables("start"), tokens, "start", text, diagnostics).run()
    finally:
        _context.text, _context.diagnostics = saved
    decls = module.decls if isinstance(module, ast.Module) else ()
    _check_flags(ast.Module(Span(start, end), decls), diagnostics)
    if diagnostics:
        return None
    return decls, tokens, trivia


def parse_expression(text: str, base: int = 0) -> tuple[ast.Expr, list[Diagnostic]]:
    """Parse one expression (used for string interpolation, watch and evaluate)."""
    diagnostics: list[Diagnostic] = []
    saved = (_context.text, _context.diagnostics)
    _context.text, _context.diagnostics = text, diagnostics
    try:
        return _parse_expression_at(text, base, diagnostics), diagnostics
    finally:
        _context.text, _context.diagnostics = saved


_NAME_CHAIN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _name_chain(source: str, base: int) -> ast.Expr | None:
    """``{o.order_id}``, most interpolations, built directly: the tree the parser would build,
    without a parser run per string."""
    m = _NAME_CHAIN.match(source)
    if m is None or (m.group(1) in KEYWORDS and m.group(1) != "key"):
        return None
    expr: ast.Expr = ast.Name(Span(base + m.start(1), base + m.end(1)), m.group(1))
    for word in _WORD.finditer(source, m.start(2), m.end(2)):
        name = ast.Ident(Span(base + word.start(), base + word.end()), word.group())
        expr = ast.Member(Span(expr.span.start, name.span.end), expr, name)
    return expr


def _parse_expression_at(source: str, base: int, diagnostics: list[Diagnostic]) -> ast.Expr:
    simple = _name_chain(source, base)
    if simple is not None:
        return simple
    tokens, trivia, problems = tokenize(source)
    tokens = [Token(t.kind, t.text, t.start + base, t.end + base) for t in tokens if t.kind != "NL"]
    bad = tuple(t.start + base for t in trivia if t.kind == "BAD")
    _report_lex_problems([LexProblem(p.start + base, p.end + base, p.message, p.kind) for p in problems],
                         diagnostics)
    span = Span(base, base + len(source))
    if not tokens:
        diagnostics.append(make("P103", "empty interpolation: write an expression inside '{}'", span))
        return ast.ErrorExpr(span)
    result = Driver(_tables("expr"), tokens, "expr", source, diagnostics, base=base, bad=bad).run()
    return result if isinstance(result, ast.Expr) else ast.ErrorExpr(span)


def _parse_interpolation(start: int, end: int) -> ast.Expr:
    return _parse_expression_at(_context.text[start:end], start, _context.diagnostics)


def _report_lex_problems(problems: list[LexProblem], into: list[Diagnostic] | None = None) -> None:
    target = into if into is not None else _context.diagnostics
    for p in problems:
        code = {"unterminated-string": "P104", "bad-character": "P105"}.get(p.kind, "P106")
        target.append(make(code, p.message, Span(p.start, p.end)))


def _check_flags(module: ast.Module, diagnostics: list[Diagnostic]) -> None:
    for decl in module.decls:
        if isinstance(decl, ast.HandlerDecl):
            for flag in decl.flags:
                if flag.value is None and flag.name not in _KNOWN_FLAGS:
                    diagnostics.append(make("P107", f"unknown handler flag '{flag.name}': use timeout D, "
                                            "idempotent, jit or batch", flag.span))
