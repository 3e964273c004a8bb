"""The tokenizer.

Newlines end statements, so the tokenizer decides which newlines matter: it drops those inside
``( )`` and ``[ ]``, after a token that cannot end a statement (``{``, ``,``, an operator, ``=``,
``->``, ``:``) and before ``elif``/``else``/``catch``, and folds runs of newlines and ``;`` into one
``NL`` token. Comments and bad characters are kept as tokens of their own, outside the stream
the parser sees, for the formatter and the editor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

KEYWORDS = frozenset("""
    module import event handler policy workflow on as key version let do with timeout compensate
    await where within else select after sleep if elif for in parallel race call emit try catch
    complete fail use label stream from by window when pattern migrate and or not true false none
""".split())

PUNCTUATION = {
    "{": "LBRACE", "}": "RBRACE", "(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB",
    ",": "COMMA", ":": "COLON", ".": "DOT", "..": "DOTDOT", "->": "ARROW", "=": "EQ",
    "==": "EQEQ", "!=": "NE", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE",
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "%": "PERCENT",
}

DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

# Kinds the parser never sees.
TRIVIA = frozenset({"COMMENT", "BAD"})

_CONTINUES = frozenset({
    "LBRACE", "LPAR", "LSQB", "COMMA", "COLON", "DOTDOT", "ARROW", "EQ", "EQEQ", "NE",
    "LT", "LE", "GT", "GE", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "AND", "OR", "NOT", "NL",
})
_JOINS_PREVIOUS = frozenset({"ELIF", "ELSE", "CATCH"})

_TOKEN_RE = re.compile(r"""
    (?P<NL>[\n;])
  | (?P<COMMENT>\#[^\n]*)
  | (?P<DURATION>\d+(?:\.\d+)?(?:ms|s|m|h|d)(?![A-Za-z0-9_]))
  | (?P<FLOAT>\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
  | (?P<INT>\d+)
  | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<STRING>"(?:[^"\\\n{]|\\[^\n]|\{[^{}"\\\n]*\})*")
  | (?P<QUOTE>")
  | (?P<PUNCT>\.\.|->|==|!=|<=|>=|[{}()\[\],:.=<>+\-*/%])
  | (?P<BAD>[^ \t\r\f\v\ufeff])
""", re.VERBOSE)


class Token(NamedTuple):
    """A token: its kind (the grammar's terminal name), its text and its span.

    A named tuple rather than a frozen dataclass: one is made per token, and a tuple is
    several times cheaper to create."""

    kind: str
    text: str
    start: int
    end: int

    # Lark's names for the same things: the parser's value stack holds these tokens and the
    # lark tokens error recovery makes, and the lowering reads both alike.
    @property
    def type(self) -> str:
        return self.kind

    @property
    def value(self) -> str:
        return self.text

    @property
    def start_pos(self) -> int:
        return self.start

    @property
    def end_pos(self) -> int:
        return self.end


@dataclass(frozen=True, slots=True)
class LexProblem:
    """Something the tokenizer could not read; turned into a P1xx diagnostic by the parser."""

    start: int
    end: int
    message: str
    kind: str  # "unterminated-string" | "bad-character" | "bad-escape"


def scan_string(text: str, start: int) -> tuple[int, bool]:
    """The end of the string literal opening at ``start`` and whether it is terminated.

    Interpolations ``{...}`` may hold strings and braces of their own; a newline ends an
    unterminated literal.
    """
    i = start + 1
    depth = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            return i, False
        if c == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                return i + 1, False  # a backslash does not join lines
            i += 2
            continue
        if depth == 0:
            if c == '"':
                return i + 1, True
            if c == "{":
                depth = 1
        else:
            if c == '"':
                end, closed = scan_string(text, i)
                if not closed:
                    # No string inside: the quote closes the literal and the '{' is unclosed
                    # (reported once, by ``string_pieces``).
                    return i + 1, True
                i = end
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
        i += 1
    return n, False


def tokenize(text: str) -> tuple[list[Token], list[Token], list[LexProblem]]:
    """Split ``text`` into the tokens the parser sees, the trivia (comments, bad characters)
    and the problems found. Never raises.

    One pass: a run of newlines (and ``;``) is held until the next token shows whether it
    ends a statement (see the module docstring); at most one ``NL`` is kept per run."""
    out: list[Token] = []
    trivia: list[Token] = []
    problems: list[LexProblem] = []
    append = out.append
    new = _new_token
    keywords = _KEYWORD_KINDS
    punctuation = PUNCTUATION
    continues = _CONTINUES
    first_nl = last_nl = None  # the pending run of newlines
    # Open brackets, innermost last: "(" for ( and [, "{" for braces. Newlines count only where
    # the innermost is a brace (or none is open): a block passed inside ( ) holds statements.
    open_brackets: list[str] = []
    last = None  # the kind of the last token kept
    after_dot = False  # whether that token came right after a '.'
    pos = 0
    while pos is not None:
        resume = None
        # finditer skips whitespace, the one thing no group matches
        for m in _TOKEN_RE.finditer(text, pos):
            group = m.lastgroup
            if group == "NAME":
                word = m.group()
                kind = keywords.get(word, "NAME")
                tok = new(Token, (kind, word, m.start(), m.end()))
            elif group == "NL":
                tok = new(Token, ("NL", m.group(), m.start(), m.end()))
                if first_nl is None:
                    first_nl = tok
                last_nl = tok
                continue
            elif group == "PUNCT":
                piece = m.group()
                kind = punctuation[piece]
                tok = new(Token, (kind, piece, m.start(), m.end()))
            elif group == "COMMENT":
                trivia.append(new(Token, ("COMMENT", m.group(), m.start(), m.end())))
                continue
            elif group == "QUOTE":
                # A string the STRING pattern cannot read: an interpolation holding quotes or
                # braces, or no closing quote. Measured by hand; the scan resumes after it.
                start = m.start()
                resume, closed = scan_string(text, start)
                if not closed:
                    problems.append(LexProblem(start, resume, "unterminated string: add the closing '\"'",
                                               "unterminated-string"))
                kind = "STRING"
                tok = new(Token, (kind, text[start:resume], start, resume))
            elif group == "BAD":
                bad = new(Token, ("BAD", m.group(), m.start(), m.end()))
                trivia.append(bad)
                problems.append(LexProblem(bad.start, bad.end, f"unexpected character {bad.text!r}",
                                           "bad-character"))
                continue
            else:
                kind = group
                tok = new(Token, (kind, m.group(), m.start(), m.end()))
            if first_nl is not None:
                if last is not None and kind not in _JOINS_PREVIOUS:
                    # `and`/`or`/`not` continue a line, but not as a name after '.' (`o.and`)
                    if (not open_brackets or open_brackets[-1] == "{") and (last not in continues or after_dot):
                        append(first_nl)
                    elif kind in LINE_STARTERS and last != "LBRACE":
                        append(last_nl)  # a statement keyword starts a new line whatever came before
                        while open_brackets and open_brackets[-1] == "(":
                            open_brackets.pop()
                first_nl = None
            if kind == "LPAR" or kind == "LSQB":
                open_brackets.append("(")
            elif kind == "LBRACE":
                open_brackets.append("{")
            elif kind == "RPAR" or kind == "RSQB":
                if open_brackets and open_brackets[-1] == "(":
                    open_brackets.pop()
            elif kind == "RBRACE":
                # A '}' closes its brace and any '(' left open inside it.
                while open_brackets and open_brackets.pop() != "{":
                    pass
            append(tok)
            after_dot = last == "DOT"
            last = kind
            if resume is not None:
                break
        pos = resume
    return out, trivia, problems


_new_token = tuple.__new__
_KEYWORD_KINDS = {word: word.upper() for word in KEYWORDS}

# Words that start a statement or a declaration and never stand inside ( ) or [ ]: a newline
# before one of them ends the statement even where a bracket was left open, so a missing ')'
# damages one line instead of the rest of the block.
LINE_STARTERS = frozenset({
    "MODULE", "IMPORT", "EVENT", "HANDLER", "POLICY", "WORKFLOW", "LET", "DO", "AWAIT", "SELECT",
    "SLEEP", "IF", "FOR", "PARALLEL", "RACE", "CALL", "EMIT", "TRY", "COMPLETE", "FAIL", "USE",
    "LABEL", "STREAM", "WHEN", "PATTERN", "MIGRATE",
})


def duration_seconds(text: str) -> float:
    """The value of a duration literal such as ``250ms`` or ``1.5s``, in seconds."""
    number = text.rstrip("smhd")
    unit = text[len(number):]
    return float(number) * DURATION_UNITS[unit]


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "{": "{", "}": "}"}


def string_pieces(literal: str, base: int) -> tuple[list[tuple[str, str, int, int]], list[LexProblem]]:
    """Split a string literal (with its quotes, starting at offset ``base``) into pieces:
    ``("text", value, start, end)`` with escapes resolved, and ``("expr", "", start, end)`` for
    the source of each interpolation (``"unclosed"`` for one missing its ``}``; offsets
    absolute)."""
    pieces: list[tuple[str, str, int, int]] = []
    problems: list[LexProblem] = []
    body_end = len(literal) - 1 if len(literal) >= 2 and literal.endswith('"') else len(literal)
    i = 1
    buf: list[str] = []
    buf_start = base + 1
    while i < body_end:
        c = literal[i]
        if c == "\\":
            nxt = literal[i + 1] if i + 1 < body_end else ""
            if not nxt:
                break  # the literal is unterminated, which is reported already
            if nxt in _ESCAPES:
                buf.append(_ESCAPES[nxt])
            else:
                problems.append(LexProblem(base + i, base + i + 2,
                                           f"unknown escape '\\{nxt}': use \\\" \\\\ \\n \\t \\{{ or \\}}",
                                           "bad-escape"))
                buf.append(nxt)
            i += 2
            continue
        if c == "{":
            if buf:
                pieces.append(("text", "".join(buf), buf_start, base + i))
                buf = []
            depth = 1
            j = i + 1
            while j < body_end and depth:
                if literal[j] == '"':
                    j, _ = scan_string(literal, j)
                    continue
                if literal[j] == "{":
                    depth += 1
                elif literal[j] == "}":
                    depth -= 1
                j += 1
            inner_end = j - 1 if depth == 0 else j
            pieces.append(("expr" if depth == 0 else "unclosed", "", base + i + 1, base + inner_end))
            if depth:
                problems.append(LexProblem(base + i, base + inner_end,
                                           "unclosed '{' in string: add '}' or write \\{ for a brace",
                                           "unclosed-interpolation"))
            i = j
            buf_start = base + i
            continue
        buf.append(c)
        i += 1
    if buf:
        pieces.append(("text", "".join(buf), buf_start, base + body_end))
    return pieces, problems
