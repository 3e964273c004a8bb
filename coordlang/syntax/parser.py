"""The parser: coord's tokens fed to a lark LALR(1) parser, with error recovery.

The parse never fails. Where the tokens do not fit the grammar it records a P1xx diagnostic
and repairs, in this order:

1. At the end of the file, or at a declaration keyword that starts a line while a block is
   still open, it closes what is open (a missing ``}``) so the next declaration parses.
2. Before a token that ends something (newline, ``}``, ``)``, ``]``, ``,``), it inserts what is
   missing: an error expression for a half-typed expression, a name after ``.``, a ``)``.
3. Otherwise it drops the damaged statement (popping the parser's stack to where a
   declaration, statement or list item could start), puts an error node there and skips the
   input to the end of the line or the enclosing ``}``.

A repair that follows another with no token read in between reports nothing new, so one
mistake gives one diagnostic.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lark import Lark
from lark import Token as LarkToken
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer

from coordlang.diagnostics import Diagnostic, Severity, make, register
from coordlang.source import LineIndex, Span
from coordlang.syntax import ast
from coordlang.syntax.lower import Lowering
from coordlang.syntax.tokens import LexProblem, Token, tokenize

P101 = register("P101", Severity.ERROR, "Unexpected token",
                "The parser met a token that cannot stand there. It drops the damaged statement "
                "and goes on, so later errors are still reported.",
                "workflow W on E as e key id {\n    let x = = 1\n}")
P102 = register("P102", Severity.ERROR, "Missing closing brace",
                "A block opened with `{` is not closed before the next declaration or the end of "
                "the file. Add the `}`; the related location shows the opening brace.",
                "workflow W on E as e key id {\n    complete\n")
P103 = register("P103", Severity.ERROR, "Missing token",
                "Something is missing before this point: an expression, a name after `.`, or a "
                "closing `)` or `]`.",
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
_DECL_STARTS = frozenset({"MODULE", "IMPORT", "EVENT", "HANDLER", "POLICY", "WORKFLOW", "STREAM",
                          "PATTERN", "MIGRATE", "ON"})
_ENDERS = frozenset({"NL", "RBRACE", "RPAR", "RSQB", "COMMA", "$END"})
_ERROR_TERMINALS = ("ERROR_ITEM", "ERROR_STMT", "ERROR_DECL")
_CLOSE_PREFERENCE = ("RBRACE", "RPAR", "RSQB", "NL", "ERROR_EXPR", "ERROR_ITEM", "NAME", "ERROR_STMT",
                     "LBRACE", "INT", "STRING", "AS", "KEY", "COLON", "EQ", "ARROW", "IN", "DOTDOT")
_KNOWN_FLAGS = frozenset({"idempotent", "jit", "batch"})

_DESCRIBE = {
    "NL": "end of line", "$END": "end of file", "NAME": "a name", "INT": "an integer",
    "FLOAT": "a number", "DURATION": "a duration", "STRING": "a string",
    "ERROR_EXPR": "an expression", "ERROR_STMT": "a statement", "ERROR_DECL": "a declaration",
    "ERROR_ITEM": "an item",
}
_PUNCT_TEXT = {"LBRACE": "{", "RBRACE": "}", "LPAR": "(", "RPAR": ")", "LSQB": "[", "RSQB": "]",
               "COMMA": ",", "COLON": ":", "DOT": ".", "DOTDOT": "..", "ARROW": "->", "EQ": "=",
               "EQEQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "PLUS": "+",
               "MINUS": "-", "STAR": "*", "SLASH": "/", "PERCENT": "%"}


def describe(kind: str, text: str = "") -> str:
    """A terminal as a person reads it in a message."""
    if kind in _PUNCT_TEXT:
        return f"'{_PUNCT_TEXT[kind]}'"
    if kind in _DESCRIBE:
        if text and kind in ("NAME", "INT", "FLOAT", "DURATION"):
            return f"'{text}'"
        return _DESCRIBE[kind]
    return f"'{kind.lower()}'"


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
            _lark = Lark(_GRAMMAR.read_text(), parser="lalr", lexer=_NoLexer, start=["start", "expr"],
                         transformer=Lowering(_parse_interpolation, _report_lex_problems),
                         maybe_placeholders=False, cache=False)
        return _lark


def parse(text: str) -> ParseResult:
    """Parse a module. Never raises on any text."""
    tokens, trivia, problems = tokenize(text)
    diagnostics: list[Diagnostic] = []
    saved = (_context.text, _context.diagnostics)
    _context.text, _context.diagnostics = text, diagnostics
    try:
        _report_lex_problems(problems)
        module = _Driver(_parser(), tokens, "start", text, diagnostics).run()
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


def parse_expression(text: str, base: int = 0) -> tuple[ast.Expr, list[Diagnostic]]:
    """Parse one expression (used for string interpolation, watch and evaluate)."""
    diagnostics: list[Diagnostic] = []
    saved = (_context.text, _context.diagnostics)
    _context.text, _context.diagnostics = text, diagnostics
    try:
        return _parse_expression_at(text, base, diagnostics), diagnostics
    finally:
        _context.text, _context.diagnostics = saved


def _parse_expression_at(source: str, base: int, diagnostics: list[Diagnostic]) -> ast.Expr:
    tokens, _, problems = tokenize(source)
    tokens = [Token(t.kind, t.text, t.start + base, t.end + base) for t in tokens if t.kind != "NL"]
    _report_lex_problems([LexProblem(p.start + base, p.end + base, p.message, p.kind) for p in problems],
                         diagnostics)
    span = Span(base, base + len(source))
    if not tokens:
        diagnostics.append(make("P103", "empty interpolation: write an expression inside '{}'", span))
        return ast.ErrorExpr(span)
    result = _Driver(_parser(), tokens, "expr", source, diagnostics).run()
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


def _lark_token(tok: Token) -> LarkToken:
    return LarkToken(tok.kind, tok.text, start_pos=tok.start, end_pos=tok.end)


class _Driver:
    """Feeds tokens to lark's LALR automaton and repairs where they do not fit."""

    def __init__(self, lark: Lark, tokens: list[Token], start: str, text: str,
                 diagnostics: list[Diagnostic]) -> None:
        self.tokens = tokens
        self.start = start
        self.text = text
        self.diagnostics = diagnostics
        self.state = lark.parse_interactive("", start=start).parser_state
        self.states = self.state.parse_conf.parse_table.states
        self.quiet_until = -1  # no new diagnostic for a repair at or before this token index
        self.end = tokens[-1].end if tokens else 0

    def run(self):
        tokens = self.tokens
        i = 0
        last_repair = -1
        repairs_here = 0
        while True:
            if i < len(tokens):
                tok = tokens[i]
                try:
                    self.state.feed_token(_lark_token(tok))
                    i += 1
                    continue
                except UnexpectedInput:
                    pass
            else:
                eof = LarkToken("$END", "", start_pos=self.end, end_pos=self.end)
                try:
                    return self.state.feed_token(eof, True)
                except UnexpectedInput:
                    tok = Token("$END", "", self.end, self.end)
            repairs_here = repairs_here + 1 if i == last_repair else 0
            last_repair = i
            if repairs_here > 3 and i < len(tokens):
                i += 1  # no repair helps this token: drop it
                continue
            if repairs_here > 8:
                return None
            i = self.repair(i, tok)

    # ---- repairs
    def choices(self) -> dict:
        return self.states[self.state.position]

    def report(self, index: int, code: str, message: str, span: Span, related=()) -> None:
        if index > self.quiet_until:
            self.diagnostics.append(make(code, message, span, related=related))
        self.quiet_until = index

    def expected(self) -> str:
        names = [k for k in self.choices() if k.isupper() and not k.startswith("ERROR_")]
        if "NAME" in names:  # where any word is a name, list no keywords
            names = [k for k in names if k in _DESCRIBE or k in _PUNCT_TEXT]
        if any(k.startswith("ERROR_") for k in self.choices()):
            hole = next(k for k in ("ERROR_EXPR", "ERROR_STMT", "ERROR_DECL", "ERROR_ITEM") if k in self.choices())
            names = [hole] + [n for n in names if n in ("RBRACE", "RPAR", "RSQB", "NL")]
        names = sorted(set(names), key=lambda k: (k not in _DESCRIBE and k not in _PUNCT_TEXT, k))
        shown = [describe(k) for k in names[:6]]
        if len(names) > 6:
            shown.append("…")
        return ", ".join(shown) if shown else "nothing more"

    def open_braces(self) -> list[LarkToken]:
        return [v for v in self.state.value_stack if isinstance(v, LarkToken) and v.type == "LBRACE"]

    def starts_line(self, tok: Token) -> bool:
        line_start = self.text.rfind("\n", 0, tok.start) + 1
        return self.text[line_start:tok.start].strip() == ""

    def repair(self, i: int, tok: Token) -> int:
        """Repair the parse before ``tok`` (at index ``i``); return the index to go on from."""
        braces = self.open_braces()
        if tok.kind == "$END" and self.insert_missing(i, tok):
            return i
        if tok.kind == "$END" or (tok.kind in _DECL_STARTS and braces and self.starts_line(tok)
                                  and (tok.kind != "ON" or tok.start == self.text.rfind("\n", 0, tok.start) + 1)):
            if braces:
                opening = braces[-1]
                at = self._end_of_previous(i)
                where = LineIndex(self.text).position(opening.start_pos)
                self.report(i, "P102", f"missing '}}' to close the block opened at line {where.line + 1}",
                            Span(at, at), related=(_related(opening, "the block opens here"),))
            else:
                self.report(i, "P101", f"unexpected {describe(tok.kind, tok.text)}; expected {self.expected()}",
                            Span(tok.start, tok.end))
            self.close_until(tok)
            return i
        if (tok.kind in _ENDERS or tok.kind == "LBRACE") and self.insert_missing(i, tok):
            return i
        return self.drop_statement(i, tok)

    def _end_of_previous(self, i: int) -> int:
        return self.tokens[i - 1].end if 0 < i <= len(self.tokens) else 0

    def feed_synthetic(self, kind: str, at: int, text: str = "") -> bool:
        try:
            self.state.feed_token(LarkToken(kind, text, start_pos=at, end_pos=at))
            return True
        except UnexpectedInput:
            return False

    def accepts(self, kind: str) -> bool:
        probe = self.state.copy(deepcopy_values=False)
        probe.parse_conf = _no_callbacks(probe.parse_conf)
        try:
            probe.feed_token(LarkToken(kind, "", start_pos=0, end_pos=0), kind == "$END")
            return True
        except (UnexpectedInput, AssertionError):
            return False
        except Exception:  # an end-of-input probe reduces to the end: that is acceptance
            return kind == "$END"

    def close_until(self, tok: Token) -> None:
        """Feed closing tokens until ``tok`` fits (at the top level, for a declaration keyword)."""
        at = self._end_of_previous_pos(tok)
        for _ in range(400):
            top_level = not self.open_braces()
            if (tok.kind == "$END" or top_level) and self.accepts(tok.kind):
                return
            choices = self.choices()
            for kind in _CLOSE_PREFERENCE:
                if kind in choices and self.feed_synthetic(kind, at):
                    break
            else:
                for kind in choices:
                    if kind.isupper() and kind != "$END" and self.feed_synthetic(kind, at):
                        break
                else:
                    return

    def _end_of_previous_pos(self, tok: Token) -> int:
        return tok.start if tok.kind != "$END" else self.end

    def insert_missing(self, i: int, tok: Token) -> bool:
        """Insert up to three missing tokens before an ending token; False if that is no help."""
        at = tok.start
        previous = self.tokens[i - 1] if i > 0 else None
        saved = self.state.copy(deepcopy_values=False)
        inserted = []
        for _ in range(3):
            choices = self.choices()
            if "ERROR_EXPR" in choices:
                kind = "ERROR_EXPR"
            elif "NAME" in choices and previous is not None and previous.kind == "DOT":
                kind = "NAME"
            elif tok.kind == "LBRACE":
                break
            elif "RPAR" in choices and tok.kind != "RSQB":
                kind = "RPAR"
            elif "RSQB" in choices:
                kind = "RSQB"
            else:
                break
            if not self.feed_synthetic(kind, at):
                break
            inserted.append(kind)
            if self.accepts(tok.kind):
                what = {"ERROR_EXPR": "an expression", "NAME": "a name after '.'",
                        "RPAR": "')'", "RSQB": "']'"}[inserted[0]]
                found = describe(tok.kind, tok.text)
                self.report(i, "P103", f"expected {what} before {found}", Span(at, at) if tok.kind != "$END"
                            else Span(self.end, self.end))
                return True
        self.state = saved
        return False

    def drop_statement(self, i: int, tok: Token) -> int:
        """Pop back to where a statement (or declaration, or list item) starts, put an error
        node there and skip to the end of the line or the enclosing block."""
        self.report(i, "P101", f"unexpected {describe(tok.kind, tok.text)}; expected {self.expected()}",
                    Span(tok.start, max(tok.end, tok.start + 1) if tok.kind != "$END" else tok.start))
        state = self.state
        start = tok.start
        while True:
            choices = self.states[state.state_stack[-1]]
            hole = next((k for k in _ERROR_TERMINALS if k in choices), None)
            if hole is not None or len(state.state_stack) <= 1:
                break
            popped = state.value_stack.pop()
            state.state_stack.pop()
            from coordlang.syntax.lower import span_of
            s = span_of(popped)
            if s is not None:
                start = min(start, s.start)
        if hole is None:
            return i + 1
        self.quiet_until = max(self.quiet_until, i)
        # Skip to the end of the line or the enclosing '}' (not consumed), minding brackets.
        j = i
        depth = 0
        tokens = self.tokens
        while j < len(tokens):
            kind = tokens[j].kind
            if depth == 0 and (kind in ("NL", "RBRACE") or (hole == "ERROR_ITEM" and kind in ("COMMA", "RPAR", "RSQB"))):
                break
            if j > i and kind in _DECL_STARTS and self.starts_line(tokens[j]) and (
                    depth == 0 or tokens[j].start == self.text.rfind("\n", 0, tokens[j].start) + 1):
                break
            if kind in ("LBRACE", "LPAR", "LSQB"):
                depth += 1
            elif kind in ("RBRACE", "RPAR", "RSQB"):
                depth -= 1
            j += 1
        end = tokens[j - 1].end if j > i else max(tok.end, start)
        if not self.feed_synthetic_span(hole, start, end):
            return i + 1
        self.quiet_until = j
        if j == i:
            # Nothing skipped and the hole did not consume the token: drop the token itself.
            try:
                self.state.feed_token(_lark_token(tok))
                return i + 1
            except UnexpectedInput:
                return i + 1
        return j

    def feed_synthetic_span(self, kind: str, start: int, end: int) -> bool:
        try:
            self.state.feed_token(LarkToken(kind, self.text[start:end], start_pos=start, end_pos=end))
            return True
        except UnexpectedInput:
            return False


def _no_callbacks(conf):
    from copy import copy
    quiet = copy(conf)
    quiet.callbacks = {}
    return quiet


def _related(tok: LarkToken, message: str):
    from coordlang.diagnostics import Related
    return Related(Span(tok.start_pos, tok.end_pos), message)
