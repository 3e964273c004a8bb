"""Re-parsing after an edit: only the top-level declarations the edit touches.

A top-level declaration starts at column 0 with a declaration keyword, so the text between two
such lines (a *chunk*) can be found without parsing. When the previous version of a document
parsed clean, :func:`reparse` finds the chunks the edit touches (from the text the two versions
share at their start and end), parses just those, and keeps the other declarations and tokens.
The result equals :func:`coordlang.syntax.parse` of the new text, node for node and token for
token (``tests/syntax/test_incremental.py`` holds it to that on random edits).

**Why the pieces may be glued.** ``start: NL? (decl (NL decl)* NL?)?`` makes a clean module a
sequence of declarations: after ``decl NL`` the automaton is where it started, and the
tokenizer, at a column-0 keyword after a closed declaration, has no bracket open and nothing
pending. So a clean document's parse is the concatenation of its chunks' parses. That holds
only for clean text, which decides when the short way is taken: the previous version must have
parsed without a diagnostic, the chunk boundaries must fall between its declarations, and the
re-parsed chunks must parse without one. Anything else (an edit that leaves a syntax error, a
keyword at column 0 inside a declaration) is parsed whole, which recovery needs anyway: one
missing ``}`` changes how the rest of the document reads.

**Why spans stay absolute.** Declarations before the edit are reused as they are; those after
it moved, and are copied with shifted spans by per-class copiers generated from the node
fields, and their tokens with them. Measured at 10,000 lines with an edit in the middle, that
copy is about a fifth of a fresh parse (the 1,089 declarations and 41,000 tokens after the edit
against all 2,257 and 83,000, parsed). Spans relative to their declaration would make a moved
declaration free to reuse, but every consumer of the tree (the checker and its symbols and
types keyed by node, the queries, the formatter, the compiler and its span table, the
debugger) reads absolute spans, and the check, which would still run whole, costs more than
the copy: making spans relative is a change of the whole core that only pays together with a
per-declaration check. The figures are in ``docs/benchmarks.md`` ("Incremental parsing").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import fields
from typing import Any, Callable

from coordlang.gcpause import gc_paused
from coordlang.source import LineIndex, Span
from coordlang.syntax import ast
from coordlang.syntax.parser import ParseResult, parse, parse_chunk
from coordlang.syntax.recovery import DECLARATION_STARTS
from coordlang.syntax.tokens import Token

__all__ = ["reparse", "edited_range", "shift_node", "shift_tokens"]

# A line that opens a top-level declaration (``on`` opens a reaction): the keywords error
# recovery also takes for the start of a declaration.
_DECLARATION_LINE = re.compile(
    "(?:" + "|".join(sorted(k.lower() for k in DECLARATION_STARTS)) + ")(?![A-Za-z0-9_])")
_BLOCK = 4096


def edited_range(old: str, new: str) -> tuple[int, int, int]:
    """``(start, old_end, new_end)``: ``old[start:old_end]`` became ``new[start:new_end]``, the
    rest of the two texts being the same (the longest common prefix, then the longest common
    suffix of what is left)."""
    limit = min(len(old), len(new))
    start = 0
    # Compare blocks first: a character loop over a 400 KB document is tens of milliseconds.
    while start + _BLOCK <= limit and old[start:start + _BLOCK] == new[start:start + _BLOCK]:
        start += _BLOCK
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    room = limit - start
    while tail + _BLOCK <= room and old[len(old) - tail - _BLOCK:len(old) - tail] == new[len(new) - tail - _BLOCK:len(new) - tail]:
        tail += _BLOCK
    while tail < room and old[len(old) - tail - 1] == new[len(new) - tail - 1]:
        tail += 1
    return start, len(old) - tail, len(new) - tail


def _chunk_start(text: str, before: int) -> int:
    """The last declaration line whose keyword (and the character after it, which decides that
    it is a keyword) lies before ``before``; 0 when there is none."""
    line = text.rfind("\n", 0, before) + 1
    while line > 0:
        m = _DECLARATION_LINE.match(text, line)
        if m is not None and m.end() < before:
            return line
        line = text.rfind("\n", 0, line - 1) + 1
    return 0


def _chunk_end(text: str, after: int) -> int:
    """The first declaration line starting after ``after`` (so the newline before it lies at or
    after ``after``); the end of the text when there is none."""
    line = text.find("\n", after)
    while line != -1:
        if _DECLARATION_LINE.match(text, line + 1) is not None:
            return line + 1
        line = text.find("\n", line + 1)
    return len(text)


def reparse(previous: ParseResult, text: str) -> ParseResult:
    """The parse of ``text``, reusing what ``previous`` (the parse of an earlier version of the
    same document) already holds where that is certain to give the same result."""
    if previous.diagnostics or previous.text == text:
        return parse(text) if previous.text != text else previous
    with gc_paused():
        result = _reparse(previous, text)
    return result if result is not None else parse(text)


def _reparse(previous: ParseResult, text: str) -> ParseResult | None:
    old = previous.text
    start, old_end, new_end = edited_range(old, text)
    delta = new_end - old_end
    first = _chunk_start(old, start)
    last = _chunk_end(old, old_end)
    decls = previous.module.decls
    starts = [d.span.start for d in decls]
    i = bisect.bisect_left(starts, first)
    j = bisect.bisect_left(starts, last)
    # The boundaries must be declaration starts of the previous parse, with nothing across them.
    if first and (i == len(decls) or starts[i] != first or (i and decls[i - 1].span.end > first)):
        return None
    if last < len(old) and (j == len(decls) or starts[j] != last or (j and decls[j - 1].span.end > last)):
        return None
    chunk = parse_chunk(text, first, last + delta)
    if chunk is None:
        return None
    new_decls, new_tokens, new_comments = chunk
    tokens, comments = previous.tokens, previous.comments
    ti = bisect.bisect_left(tokens, first, key=_token_start)
    tj = bisect.bisect_left(tokens, last, key=_token_start)
    ci = bisect.bisect_left(comments, first, key=_token_start)
    cj = bisect.bisect_left(comments, last, key=_token_start)
    moved = decls[j:]
    if delta:
        moved = tuple(shift_node(d, delta) for d in moved)
    module = ast.Module(Span(0, len(text)), (*decls[:i], *new_decls, *moved))
    return ParseResult(
        text, module,
        (*tokens[:ti], *new_tokens, *shift_tokens(tokens[tj:], delta)),
        (*comments[:ci], *new_comments, *shift_tokens(comments[cj:], delta)),
        (), LineIndex(text))


def _token_start(token: Token) -> int:
    return token.start


_new_tuple = tuple.__new__


def shift_tokens(tokens: tuple[Token, ...] | list[Token], delta: int) -> list[Token] | tuple[Token, ...]:
    """The tokens moved by ``delta`` code points."""
    if not delta:
        return tokens
    return [_new_tuple(Token, (k, t, s + delta, e + delta)) for k, t, s, e in tokens]


# ---------------------------------------------------------------- shifting nodes

_PLAIN = frozenset({"str", "int", "float", "bool"})


class _Shifters(dict):
    """Node class -> its generated copier, made on first use."""

    def __missing__(self, cls: type) -> Callable[[Any, int], Any]:
        fn = self[cls] = _make_shifter(cls)
        return fn


_SHIFTERS = _Shifters()


def shift_node(node: ast.Node, delta: int) -> ast.Node:
    """A copy of ``node`` and everything below it with every span moved by ``delta``."""
    return _SHIFTERS[node.__class__](node, delta)


def _shift_value(value: Any, delta: int) -> Any:
    if value is None or value.__class__ is str:
        return value
    if value.__class__ is tuple:
        return tuple([_shift_value(v, delta) for v in value])
    if isinstance(value, ast.Node):
        return _SHIFTERS[value.__class__](value, delta)
    return value


def _field_code(name: str, annotation: str) -> str:
    """The expression that copies field ``name`` of ``n``, by what its annotation says it holds:
    the copy of a node is a table lookup away, and the generic walk is kept for mixed tuples
    (a string's text and interpolations)."""
    if name == "span":
        return "S(n.span.start + d, n.span.end + d)"
    if annotation in _PLAIN:
        return f"n.{name}"
    optional = annotation.endswith(" | None")
    inner = annotation.removesuffix(" | None")
    if inner.startswith("tuple[") and "str" not in inner:
        code = f"tuple([H[x.__class__](x, d) for x in n.{name}])"
    elif not inner.startswith("tuple[") and "str" not in inner:
        code = f"H[n.{name}.__class__](n.{name}, d)"
    else:
        return f"v(n.{name}, d)"
    return f"(None if n.{name} is None else {code})" if optional else code


def _make_shifter(cls: type) -> Callable[[Any, int], Any]:
    """A function that copies one node of ``cls``, generated from its fields' annotations."""
    args = ", ".join(_field_code(f.name, f.type) for f in fields(cls))
    source = f"def shift(n, d):\n    return cls({args})\n"
    scope: dict[str, Any] = {"cls": cls, "S": Span, "v": _shift_value, "H": _SHIFTERS}
    exec(compile(source, f"<shift {cls.__name__}>", "exec"), scope)  # noqa: S102 - our own fields
    return scope["shift"]
