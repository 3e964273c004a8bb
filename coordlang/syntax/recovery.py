"""Error recovery: the driver that feeds coord's tokens to the LALR automaton and repairs
where they do not fit, so a parse never fails and one mistake gives one diagnostic.

Each token is fed by ``tables.try_feed``, which undoes the reductions a refused token caused,
so the repairs start from the state the token was refused in. Where a token does not fit, the driver records a P1xx diagnostic and repairs, trying in this order:

1. At the end of the file, or at a declaration keyword at column 0 while a block is still
   open, it closes what is open (a missing ``}``: P102) so the next declaration parses. A
   keyword the parser would take as a field name but that starts a line (``emit E { a: 1``
   then ``try {``) is treated the same way.
2. At a token that starts a line no deeper than the line of an open ``{``, it closes the
   blocks that token is not inside (P102), when the rest of the line then fits: indentation
   says where the ``}`` was lost.
3. Before a token that ends something (newline, ``}``, ``)``, ``]``, ``,``, ``{``, a statement
   keyword), it inserts what is missing (P103): an error expression for a half-typed
   expression, a name after ``.`` or ``as``, a ``)`` or ``]``, a ``{`` before an indented body.
4. It inserts one forgotten token (P103) - ``:`` ``as`` ``->`` ``,`` ``=`` ``in`` ``else``, an
   error expression or type, a version number, a newline before a statement keyword - when
   the next few tokens then fit.
5. Where what came before cannot end here, it deletes up to three stray tokens on the line
   (P101) when the token after them fits (``workflow W ... key id ) {`` keeps its body).
6. Otherwise (P101) it keeps what is complete (``complete x y`` keeps ``complete x``) or pops
   the parser's stack, never into a bracket already closed, to where a declaration,
   statement or list item can start; puts an error node there and skips to the end of the
   line or the enclosing ``}`` (at the top level, to the next declaration).

A repair that follows another with no token but newlines read in between reports nothing
new, and neither does an error right after a bad character (already a P105), so one
mistake gives one diagnostic.
"""

from __future__ import annotations

import bisect

from lark import Token as LarkToken
from lark.exceptions import UnexpectedInput
from lark.parsers.lalr_parser_state import ParserState

from coordlang.diagnostics import Diagnostic, Related, make
from coordlang.source import LineIndex, Span
from coordlang.syntax.lower import TOKENS, span_of
from coordlang.syntax.tables import Tables, fits, no_callbacks, shift_target, try_feed
from coordlang.syntax.tokens import LINE_STARTERS, Token

_DECL_STARTS = frozenset({"MODULE", "IMPORT", "EVENT", "HANDLER", "POLICY", "WORKFLOW", "STREAM",
                          "PATTERN", "MIGRATE", "ON"})
DECLARATION_STARTS = _DECL_STARTS
"""The keywords that start a top-level declaration (at column 0, whatever is open)."""
_ENDERS = frozenset({"NL", "RBRACE", "RPAR", "RSQB", "COMMA", "$END"})
_ERROR_TERMINALS = ("ERROR_ITEM", "ERROR_STMT", "ERROR_DECL")
_CLOSE_PREFERENCE = ("RBRACE", "RPAR", "RSQB", "NL", "ERROR_EXPR", "ERROR_ITEM", "NAME", "ERROR_STMT",
                     "LBRACE", "INT", "STRING", "AS", "KEY", "COLON", "EQ", "ARROW", "IN", "DOTDOT")
# Tokens that only extend what is open (an operand, an optional clause): closing never feeds them.
_NO_PROGRESS = frozenset({"EQEQ", "NE", "LT", "LE", "GT", "GE", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT",
                          "AND", "OR", "NOT", "DOT", "LPAR", "LSQB", "COMMA", "WITH", "TIMEOUT", "COMPENSATE",
                          "WHERE", "WITHIN", "ELSE", "ELIF", "VERSION"})
# Inserted, one at a time, where the rest of the line then parses: what people forget.
_GLUE = ("COLON", "AS", "ARROW", "COMMA", "EQ", "IN", "ERROR_EXPR", "INT", "ELSE", "NL")
_LOOKAHEAD = 3
# Tokens that hold the structure together: never deleted as stray (a deleted ',' would merge items).
_STRUCTURE = frozenset({"NL", "LBRACE", "RBRACE", "COMMA"})
# Keywords that start a declaration or a statement: checked before they are taken as names.
_KEYWORD_STARTS = LINE_STARTERS | {"MODULE", "IMPORT", "EVENT", "HANDLER", "POLICY", "WORKFLOW", "STREAM",
                                   "PATTERN", "MIGRATE"}
_OPENERS = frozenset({"LBRACE", "LPAR", "LSQB"})
_CLOSERS = frozenset({"RBRACE", "RPAR", "RSQB"})
_OPERATORS = frozenset({"EQEQ", "NE", "LT", "LE", "GT", "GE", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT",
                        "AND", "OR"})
# The order of what a message lists as expected: holes and ends first.
_FIRST = ("ERROR_DECL", "ERROR_STMT", "ERROR_EXPR", "NL", "$END", "RBRACE", "RPAR", "RSQB", "COMMA", "COLON",
          "OPERATOR")
_DESCRIBE = {
    "NL": "end of line", "$END": "end of file", "NAME": "a name", "INT": "an integer",
    "FLOAT": "a number", "DURATION": "a duration", "STRING": "a string",
    "ERROR_EXPR": "an expression", "ERROR_STMT": "a statement", "ERROR_DECL": "a declaration",
    "ERROR_ITEM": "an item", "OPERATOR": "an operator",
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


class Driver:
    """Feeds tokens to lark's LALR automaton and repairs where they do not fit.

    Offsets in tokens are absolute; ``base`` is the offset of ``text`` in the document (non-zero
    for an interpolation parsed on its own). ``bad`` holds the offsets of bad characters, already
    reported by the tokenizer: a parse error right after one is its consequence, not news.
    """

    def __init__(self, tables: Tables, tokens: list[Token], start: str, text: str,
                 diagnostics: list[Diagnostic], base: int = 0, bad: tuple[int, ...] = ()) -> None:
        self.tokens = tokens
        self.start = start
        self.text = text
        self.base = base
        self.bad = bad
        self.diagnostics = diagnostics
        self.state = ParserState(tables.conf, None)
        self.actions = tables.actions
        self.units = tables.units
        self.end_state = tables.end_state
        self.quiet_until = -1  # no new diagnostic for a repair at or before this token index
        self.end = tokens[-1].end if tokens else base
        self.failed = False

    def run(self):
        tokens = self.tokens
        i = 0
        last_repair = -1
        repairs_here = 0
        while True:
            if self.failed:
                return None
            if i < len(tokens):
                tok = tokens[i]
                kind = tok.kind
                if not (kind in _KEYWORD_STARTS and self.keyword_out_of_place(i)) and try_feed(
                        self.actions, self.state, kind, tok, self.units):
                    i += 1
                    continue
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

    # ---- looking around
    def choices(self) -> frozenset[str]:
        """The terminals the parser can shift now. The table's row is not enough: LALR lists
        lookaheads of reductions that other contexts merged in, and a token fed on such a
        lookahead reduces and then fails."""
        return self.choices_of(self.state.state_stack)

    def choices_of(self, stack: list) -> frozenset[str]:
        row = self.actions[stack[-1]]
        return frozenset(k for k in row if k.isupper() and fits(self.actions, stack, k, self.end_state))

    def column(self, offset: int) -> int:
        at = offset - self.base
        return at - (self.text.rfind("\n", 0, at) + 1)

    def starts_line(self, tok: Token) -> bool:
        at = tok.start - self.base
        line_start = self.text.rfind("\n", 0, at) + 1
        return self.text[line_start:at].strip() == ""

    def new_declaration(self, i: int) -> bool:
        """A declaration keyword at column 0 that is not a field name (``event: int``) or a
        member (``o.event``): it starts a declaration whatever is open."""
        tok = self.tokens[i]
        if self.column(tok.start) != 0:
            return False
        if i + 1 < len(self.tokens) and self.tokens[i + 1].kind == "COLON":
            return False
        return not (i > 0 and self.tokens[i - 1].kind == "DOT")

    def keyword_out_of_place(self, i: int) -> bool:
        """A keyword the parser would take as a name (``event``, ``try`` as a field name) that
        really starts a declaration or a statement: the block around it was left open.

        A declaration keyword at column 0 while a block is open, or a statement keyword that
        starts a line where a name is expected, not followed by ``:`` nor preceded by ``.``
        (``emit E { a: 1`` and then ``try {`` on the next line)."""
        tok = self.tokens[i]
        if tok.kind in _DECL_STARTS and tok.kind != "ON" and self.new_declaration(i):
            return bool(self.open_braces())
        if not self.starts_line(tok) or not self.taken_as_name(tok.kind):
            return False
        if i + 1 < len(self.tokens) and self.tokens[i + 1].kind == "COLON":
            return False
        return not (i > 0 and self.tokens[i - 1].kind == "DOT")

    def taken_as_name(self, kind: str) -> bool:
        """Whether the parser would shift the keyword ``kind`` only to make it a ``name``."""
        target = shift_target(self.actions, self.state.state_stack, kind)
        if target is None:
            return False
        row = self.actions[target]
        return all(a.__class__ is tuple and a[1] == "name" for a in row.values())

    def open_braces(self) -> list[LarkToken]:
        return [v for v in self.state.value_stack if isinstance(v, TOKENS) and v.type == "LBRACE"]

    def prev_end(self, i: int) -> int:
        """The end of the last token before index ``i`` that is not a newline."""
        for j in range(min(i, len(self.tokens)) - 1, -1, -1):
            if self.tokens[j].kind != "NL":
                return self.tokens[j].end
        return self.base

    def after_bad_character(self, i: int, tok: Token) -> bool:
        if not self.bad:
            return False
        lo = self.tokens[i - 1].end if 0 < i <= len(self.tokens) else self.base
        k = bisect.bisect_left(self.bad, lo)
        return k < len(self.bad) and self.bad[k] < max(tok.start, lo + 1)

    def report(self, index: int, code: str, message: str, span: Span, related=(), tok: Token | None = None) -> None:
        if index > self.quiet_until and not (tok is not None and self.after_bad_character(index, tok)):
            self.diagnostics.append(make(code, message, span, related=related))
        # A repair at the end of a line covers the start of the next one (an unfinished field
        # then a new declaration is one mistake, not two): newlines are not reading on.
        while index < len(self.tokens) and self.tokens[index].kind == "NL":
            index += 1
        self.quiet_until = max(self.quiet_until, index)

    def expected(self, choices: frozenset[str] | None = None) -> str:
        if choices is None:
            choices = self.choices()
        names = [k for k in choices if k.isupper() and not k.startswith("ERROR_")]
        if "NAME" in names:  # where any word is a name, list no keywords
            names = [k for k in names if k in _DESCRIBE or k in _PUNCT_TEXT]
        hole = next((k for k in ("ERROR_EXPR", "ERROR_STMT", "ERROR_DECL") if k in choices), None)
        if hole is not None:
            names = [hole] + [n for n in names if n in ("RBRACE", "RPAR", "RSQB", "NL")]
        operators = [n for n in names if n in _OPERATORS]
        if len(operators) >= 3:
            names = [n for n in names if n not in _OPERATORS] + ["OPERATOR"]
        names = sorted(set(names), key=lambda k: (_FIRST.index(k) if k in _FIRST else len(_FIRST),
                                                  k not in _DESCRIBE and k not in _PUNCT_TEXT, describe(k)))
        shown = [describe(k) for k in names[:6]]
        if len(names) > 6:
            shown.append("…")
        return ", ".join(shown) if shown else "nothing more"

    def unexpected(self, tok: Token) -> str:
        if tok.kind in _DECL_STARTS and tok.kind != "ON" and self.open_braces():
            return (f"unexpected {describe(tok.kind, tok.text)} inside a block: declarations stand at the "
                    "top level, outside any '{ }'")
        if tok.kind == "RBRACE" and not self.open_braces():
            return "unexpected '}': it closes no block (one '{' too few, or one '}' too many)"
        return f"unexpected {describe(tok.kind, tok.text)}; expected {self.expected()}"

    def probe(self, kinds: tuple[str, ...], i: int, lookahead: int = _LOOKAHEAD):
        """A copy of the state after feeding the synthetic ``kinds`` and then the real tokens
        from ``i`` up to the end of the line (at most ``_LOOKAHEAD``); None if any is refused."""
        probe = self.state.copy(deepcopy_values=False)
        probe.parse_conf = no_callbacks(probe.parse_conf)
        try:
            for kind in kinds:
                probe.feed_token(LarkToken(kind, "", start_pos=0, end_pos=0))
            for tok in self.tokens[i:i + lookahead]:
                probe.feed_token(tok)
                if tok.kind in ("NL", "RBRACE"):
                    break
        except (UnexpectedInput, AssertionError):
            return None
        return probe

    def accepts(self, kind: str) -> bool:
        probe = self.state.copy(deepcopy_values=False)
        probe.parse_conf = no_callbacks(probe.parse_conf)
        try:
            probe.feed_token(LarkToken(kind, "", start_pos=0, end_pos=0), kind == "$END")
            return True
        except (UnexpectedInput, AssertionError):
            return False
        except Exception:  # an end-of-input probe reduces to the end: that is acceptance
            return kind == "$END"

    # ---- repairs
    def repair(self, i: int, tok: Token) -> int:
        """Repair the parse before ``tok`` (at index ``i``); return the index to go on from."""
        if tok.kind == "$END":
            if not self.insert_missing(i, tok):
                self.close(i, tok)
            return i
        if tok.kind in _DECL_STARTS and self.column(tok.start) == 0 and self.open_braces() and (
                tok.kind != "ON" or self.new_declaration(i)):
            self.close(i, tok)
            return i
        if self.close_by_indentation(i, tok):
            return i
        if (tok.kind in _ENDERS or tok.kind == "LBRACE" or tok.kind in LINE_STARTERS) and self.insert_missing(i, tok):
            return i
        if tok.kind == "NL" and i + 1 < len(self.tokens) and self.tokens[i + 1].kind in _DECL_STARTS \
                and self.column(self.tokens[i + 1].start) == 0 and self.open_braces():
            return i + 1  # the newline before a declaration that closes the open blocks: P102 there
        if self.insert_glue(i, tok):
            return i
        if tok.kind not in _STRUCTURE and not self.can_end_here():
            j = self.delete_tokens(i, tok)
            if j is not None:
                return j
        return self.drop_statement(i, tok)

    def close(self, i: int, tok: Token) -> None:
        """At the end of the file or a new declaration: close every open block (one P102 for
        the innermost), or report the unfinished declaration and complete it."""
        braces = self.open_braces()
        if braces:
            opening = braces[-1]
            at = self.prev_end(i)
            where = LineIndex(self.text).position(opening.start_pos - self.base)
            self.report(i, "P102", f"missing '}}' to close the block opened at line {where.line + 1}",
                        Span(at, at), related=(_related(opening, "the block opens here"),))
        else:
            self.report(i, "P101", self.unexpected(tok), Span(tok.start, tok.end), tok=tok)
        self.close_until(tok, self.prev_end(i))

    def indentation(self, offset: int) -> int:
        """The indentation (in characters) of the line holding ``offset``."""
        at = offset - self.base
        start = self.text.rfind("\n", 0, at) + 1
        line = self.text[start:at]
        return len(line) - len(line.lstrip(" \t"))

    def close_by_indentation(self, i: int, tok: Token) -> bool:
        """A refused token that starts a line no deeper than the line of an open '{': that
        block lacks its '}' (a clause of a select, say, left open before the next clause).
        Close the blocks it is not inside when the rest of its line then fits (P102)."""
        if tok.kind in ("RBRACE", "$END") or not self.starts_line(tok):
            return False
        braces = self.open_braces()
        column = self.column(tok.start)
        n = 0
        for brace in reversed(braces):
            if column > self.indentation(brace.start_pos):
                break
            n += 1
        if n == 0:
            return False
        probe = self.state.copy(deepcopy_values=False)
        probe.parse_conf = no_callbacks(probe.parse_conf)
        fed = self._close_blocks(probe, n, tok.kind)
        if fed is None:
            return False
        rest = probe.copy(deepcopy_values=False)
        try:
            for t in self.tokens[i:i + _LOOKAHEAD]:
                rest.feed_token(t)
                if t.kind in ("NL", "RBRACE"):
                    break
        except (UnexpectedInput, AssertionError):
            return False
        at = self.prev_end(i)
        where = LineIndex(self.text).position(braces[-1].start_pos - self.base)
        self.report(i, "P102", f"missing '}}' to close the block opened at line {where.line + 1}",
                    Span(at, at), related=(_related(braces[-1], "the block opens here"),))
        for kind in fed:
            self.feed_synthetic(kind, at)
        return True

    def _close_blocks(self, state, n: int, kind: str) -> list[str] | None:
        """Feed ``state`` what closes ``n`` blocks and lets ``kind`` follow; the kinds fed, or
        None when that does not work."""
        fed: list[str] = []
        closed = 0
        for _ in range(60):
            if closed == n:
                if fits(self.actions, state.state_stack, kind, self.end_state):
                    return fed
                if "NL" not in fed[-1:] and fits(self.actions, state.state_stack, "NL", self.end_state):
                    state.feed_token(LarkToken("NL", "", start_pos=0, end_pos=0))
                    fed.append("NL")
                    continue
                return None
            for k in ("RBRACE", "RPAR", "RSQB", "NL", "ERROR_EXPR"):
                if fits(self.actions, state.state_stack, k, self.end_state):
                    state.feed_token(LarkToken(k, "", start_pos=0, end_pos=0))
                    fed.append(k)
                    closed += k == "RBRACE"
                    break
            else:
                return None
        return None

    def feed_synthetic(self, kind: str, at: int, text: str = "") -> bool:
        try:
            self.state.feed_token(LarkToken(kind, text, start_pos=at, end_pos=at))
            return True
        except UnexpectedInput:
            return False

    def close_until(self, tok: Token, at: int) -> None:
        """Feed closing tokens until ``tok`` fits (at the top level, for a declaration keyword)."""
        for _ in range(400):
            top_level = not self.open_braces()
            if (tok.kind == "$END" or top_level) and self.accepts(tok.kind):
                return
            choices = self.choices()
            for kind in _CLOSE_PREFERENCE:
                if kind in choices and self.feed_synthetic(kind, at):
                    break
            else:
                # Whatever the grammar requires next (a keyword such as 'emit' or 'by'), in a fixed
                # order, never what only makes an expression or a clause longer.
                for kind in sorted(choices - _NO_PROGRESS):
                    if kind != "$END" and self.feed_synthetic(kind, at):
                        break
                else:
                    return

    def _what(self, kind: str, choices: frozenset[str], i: int) -> str:
        """How a message names the missing ``kind`` inserted before token ``i``."""
        if kind == "ERROR_EXPR":
            return "a type" if "HANDLER" in choices and "INT" not in choices else "an expression"
        if kind == "NAME":
            return f"a name after {describe(self.tokens[i - 1].kind)}" if i else "a name"
        named = {"DOTDOT": "'..' and the range's end", "LBRACE": "'{'", "INT": "a version number",
                 "RPAR": "')'", "RSQB": "']'", "NL": "end of line"}
        return named.get(kind) or describe(kind)

    def insert_missing(self, i: int, tok: Token) -> bool:
        """Insert up to three missing tokens before an ending token; False if that is no help."""
        at = self.prev_end(i) if tok.kind in ("NL", "$END") else tok.start  # where the caret goes
        fill = self.prev_end(i)  # where the inserted tokens go: right after what is there
        previous = self.tokens[i - 1] if i > 0 else None
        saved = self.state.copy(deepcopy_values=False)
        what = None
        inserted: list[str] = []
        for _ in range(3):
            choices = self.choices()
            if "ERROR_EXPR" in choices:
                kind = "ERROR_EXPR"
            elif "NAME" in choices and previous is not None and previous.kind in ("DOT", "AS"):
                kind = "NAME"
            elif "DOTDOT" in choices and tok.kind in ("LBRACE", "NL") and not inserted:
                kind = "DOTDOT"  # 'for i in 0 {': the range lost its '..' and its end
            elif "LBRACE" in choices and tok.kind == "NL" and self.next_line_deeper(i):
                kind = "LBRACE"  # a header whose '{' is missing: the indented body follows
            elif tok.kind == "LBRACE":
                break
            elif "RPAR" in choices and tok.kind != "RSQB":
                kind = "RPAR"
            elif "RSQB" in choices:
                kind = "RSQB"
            else:
                break
            what = what or self._what(kind, choices, i)
            if not self.feed_synthetic(kind, fill):
                break
            inserted.append(kind)
            if tok.kind in LINE_STARTERS and not self.accepts(tok.kind) and self.accepts("NL"):
                # A statement keyword ends the line that lacked its closer: 'f(x emit E {...}'.
                probe = self.probe(("NL",), i, 1)
                if probe is not None:
                    self.feed_synthetic("NL", fill)
            if self.accepts(tok.kind):
                self.report(i, "P103", f"expected {what} before {describe(tok.kind, tok.text)}",
                            Span(at, at), tok=tok)
                return True
        self.state = saved
        return False

    def next_line_deeper(self, i: int) -> bool:
        """Whether the line after token ``i`` (a newline) is indented deeper than its own."""
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        if nxt is None or nxt.kind == "RBRACE":
            return False
        return self.indentation(nxt.start) > self.indentation(self.tokens[i].start)

    def insert_glue(self, i: int, tok: Token) -> bool:
        """Insert one missing separator (``:`` ``as`` ``->`` ``,`` ``=`` ``in``, a missing
        expression or type, a newline before a statement keyword) when the rest of the line
        then fits."""
        choices = self.choices()
        for kind in _GLUE:
            if kind not in choices or (kind == "NL" and tok.kind not in LINE_STARTERS):
                continue
            # A newline only has to let the keyword start its line; what follows is its own story.
            if self.probe((kind,), i, 1 if kind == "NL" else _LOOKAHEAD) is None:
                continue
            what = self._what(kind, choices, i)
            self.feed_synthetic(kind, tok.start)
            self.report(i, "P103", f"expected {what} before {describe(tok.kind, tok.text)}",
                        Span(tok.start, tok.start), tok=tok)
            return True
        return False

    def can_end_here(self) -> bool:
        """True where a newline could end what is open: trailing junk is then an error node of
        its own, not deleted."""
        probe = self.probe(("NL",), len(self.tokens))
        return probe is not None and any(k in self.choices_of(probe.state_stack) for k in _ERROR_TERMINALS)

    def delete_tokens(self, i: int, tok: Token) -> int | None:
        """Drop up to three stray tokens on this line when the token after them fits."""
        tokens = self.tokens
        for n in range(1, 4):
            j = i + n
            if j > len(tokens) or tokens[j - 1].kind in _STRUCTURE:
                return None
            if j == len(tokens):
                fits = self.accepts("$END")
            else:
                nxt = tokens[j]
                if nxt.kind in _DECL_STARTS and self.column(nxt.start) == 0:
                    return None
                fits = self.probe((), j) is not None
            if fits:
                self.report(i, "P101", self.unexpected(tok), Span(tok.start, tokens[j - 1].end), tok=tok)
                self.quiet_until = max(self.quiet_until, j)
                return j
        return None

    def drop_statement(self, i: int, tok: Token) -> int:
        """Put an error node where the damaged statement (or declaration, or list item) starts
        and skip to the end of the line or the enclosing block.

        Where the statement so far is complete (``complete x y``), it is kept and the error
        node holds only the rest of the line; otherwise the parser's stack is popped back to
        where an error node can stand, never into a bracket that was already closed."""
        self.report(i, "P101", self.unexpected(tok),
                    Span(tok.start, max(tok.end, tok.start + 1) if tok.kind != "$END" else tok.start), tok=tok)
        # A refused newline may be the second of two (the first was a continuation): the hole
        # goes after the last real token, inside whatever encloses it.
        start = self.prev_end(i) if tok.kind == "NL" else tok.start
        hole = None
        if tok.kind != "NL":
            after_nl = self.probe(("NL",), len(self.tokens))
            if after_nl is not None:
                hole = next((k for k in _ERROR_TERMINALS if k in self.choices_of(after_nl.state_stack)), None)
                if hole is not None:
                    self.feed_synthetic("NL", tok.start)
        if hole is None:
            state = self.state
            depth = 0  # closing brackets popped and not yet matched: holes inside them are closed
            while True:
                choices = self.choices_of(state.state_stack)
                hole = next((k for k in _ERROR_TERMINALS if k in choices), None)
                if (hole is not None and depth == 0) or len(state.state_stack) <= 1:
                    break
                popped = state.value_stack.pop()
                state.state_stack.pop()
                if isinstance(popped, TOKENS):
                    if popped.type in _CLOSERS:
                        depth += 1
                    elif popped.type in _OPENERS:
                        depth = max(0, depth - 1)
                s = span_of(popped)
                if s is not None:
                    start = min(start, s.start)
            if hole is None or depth:
                if self.start == "expr":
                    self.failed = True  # an expression has no place to resynchronise
                return i + 1
        self.quiet_until = max(self.quiet_until, i)
        j = self.skip(i, hole)
        # With nothing skipped, the node ends where the last real token before it does: the
        # refused token (a newline, say) may lie beyond the enclosing block's end.
        end = self.tokens[j - 1].end if j > i else max(start, self.prev_end(i))
        if not self.feed_synthetic_span(hole, start, end):
            return i + 1
        self.quiet_until = max(self.quiet_until, j)
        if j == i:
            # Nothing skipped and the hole did not consume the token: drop the token itself.
            try:
                self.state.feed_token(tok)
            except UnexpectedInput:
                pass
            return i + 1
        return j

    def skip(self, i: int, hole: str) -> int:
        """The index of the token that ends the damage starting at ``i``: the end of the line
        or the enclosing ``}`` (for a list item also ``,`` ``)`` ``]``; for a declaration the
        next declaration), minding braces. A newline the tokenizer kept inside ``( )`` comes
        before a statement keyword, so it ends the damage too."""
        j = i
        braces = parens = 0
        tokens = self.tokens
        if hole == "ERROR_STMT" and i < len(tokens) and tokens[i].kind == "LBRACE":
            # A stray '{' where a statement starts: drop it alone, so the statements after it
            # and the blocks around them keep their shape (the unmatched '}' shows up later).
            return i + 1
        while j < len(tokens):
            t = tokens[j]
            kind = t.kind
            if j > i and kind in _DECL_STARTS and self.starts_line(t) and (
                    self.column(t.start) == 0 or (braces == 0 and hole == "ERROR_DECL")):
                break
            if braces == 0 and hole != "ERROR_DECL":
                if kind in ("NL", "RBRACE"):
                    break
                if hole == "ERROR_ITEM" and parens == 0 and kind in ("COMMA", "RPAR", "RSQB"):
                    break
                if hole == "ERROR_ITEM" and j > i and kind in LINE_STARTERS and tokens[j - 1].kind != "DOT" \
                        and not (j + 1 < len(tokens) and tokens[j + 1].kind == "COLON"):
                    break  # 'count( >= 3 emit ...': the item ends where a statement keyword is
            if kind == "LBRACE":
                braces += 1
            elif kind == "RBRACE":
                braces = max(0, braces - 1)
            elif kind in ("LPAR", "LSQB"):
                parens += 1
            elif kind in ("RPAR", "RSQB"):
                parens = max(0, parens - 1)
            j += 1
        while j > i + 1 and tokens[j - 1].kind == "NL":
            j -= 1  # the newline separates the damage from what follows
        return j

    def feed_synthetic_span(self, kind: str, start: int, end: int) -> bool:
        try:
            text = self.text[start - self.base:end - self.base]
            self.state.feed_token(LarkToken(kind, text, start_pos=start, end_pos=end))
            return True
        except UnexpectedInput:
            return False


def _related(tok: LarkToken, message: str) -> Related:
    return Related(Span(tok.start_pos, tok.end_pos), message)
