"""Comments: where each one goes in the formatted text.

The AST has no comments; the tokenizer keeps them aside with their offsets. The printer lays a
document out as *containers* of *items*: the declarations of the module, the statements of a
block, the clauses of a ``select``, the arguments of a call, the fields of an event. Each
comment is given to the innermost container whose brackets hold it, and there it is

- *trailing* the item it follows on the same source line (``do h()  # why``), printed after it;
- *opening* the container when it follows the opening bracket on its line (``{  # why``);
- *leading* the next item when it stands on its own line, printed on a line of its own before
  it (or at the end of the container, before the closing bracket, after the last item);
- *hoisted* when it sits inside an item but in no container of the item (``a +  # why`` then a
  newline): it is printed on its own line before the item, since no line break can stay there.

Each comment is handed out once (:meth:`Comments.take`); the formatter checks at the end that
none was left behind. Whether an empty line separated two rows is read from the source, so a
blank line the user wrote between statements is kept, and only one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from coordlang.format.doc import Doc
from coordlang.source import Span
from coordlang.syntax.tokens import Token


@dataclass(frozen=True, slots=True)
class Item:
    """An item of a container: its source span and its document."""

    span: Span
    doc: Doc
    glued: bool = False
    """Never preceded by an empty line (the statement after its ``label``)."""
    keyword_named: bool = False
    """A field or argument named with a word that starts statements: a newline before it ends
    the statement unless it is the separator (see ``containers.bracket_list``)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line (or more, for a multi-line item) of a container: an item or a comment."""

    doc: Doc
    comment: bool
    blank: bool
    """An empty line before it."""
    start: int
    end: int
    item: int
    """The index of the item it belongs to; ``len(items)`` for comments after the last."""
    trailing: str | None = None
    keyword_named: bool = False


@dataclass(frozen=True, slots=True)
class Rows:
    rows: tuple[Row, ...]
    opening: str | None
    """A comment after the opening bracket, on its line."""

    @property
    def has_comments(self) -> bool:
        return self.opening is not None or any(r.comment or r.trailing for r in self.rows)


class Comments:
    """The comments of one document, each handed out once."""

    __slots__ = ("text", "tokens", "starts", "used")

    def __init__(self, text: str, tokens: tuple[Token, ...]) -> None:
        self.text = text
        self.tokens = tokens
        self.starts = [t.start for t in tokens]
        self.used = [False] * len(tokens)

    def take(self, start: int, end: int) -> list[Token]:
        """The comments starting in ``[start, end)`` not handed out yet, in source order."""
        if not self.tokens:
            return []
        i = bisect.bisect_left(self.starts, start)
        out = []
        starts, used = self.starts, self.used
        n = len(starts)
        while i < n and starts[i] < end:
            if not used[i]:
                used[i] = True
                out.append(self.tokens[i])
            i += 1
        return out

    def left_over(self) -> list[Token]:
        return [t for t, u in zip(self.tokens, self.used) if not u]

    def collect(self, items: list[Item], open_end: int | None, close: int, *,
                extend: int | None = None, blanks: bool = True, inline_keyword_named: bool = False) -> Rows:
        """The rows of a container whose opening bracket ends at ``open_end`` (None for the
        module) and whose closing bracket starts at ``close``. Comments from ``close`` to
        ``extend`` (between a ``}`` and the ``else`` after it) join the end of the container
        (trailing its last item when on the same line, as in ``{ x }  # why`` then ``else``).
        ``blanks`` keeps the user's empty lines between rows. With ``inline_keyword_named``
        (argument lists) no comment is placed right before a keyword-named item, since the
        newline after it would end the statement: such comments are left to the enclosing
        item, which hoists them."""
        text = self.text
        rows: list[Row] = []
        opening: str | None = None
        pos = open_end if open_end is not None else 0
        last_end = pos

        def place(c: Token, item: int, may_blank: bool) -> None:
            nonlocal opening, last_end
            body = c.text.rstrip()
            if rows and not rows[-1].comment and rows[-1].trailing is None and text.find("\n", rows[-1].end, c.start) < 0:
                rows[-1] = replace(rows[-1], trailing=body, end=c.end)
            elif not rows and opening is None and open_end is not None and text.find("\n", open_end, c.start) < 0:
                opening = body
            else:
                blank = may_blank and bool(rows) and text.count("\n", last_end, c.start) >= 2
                rows.append(Row(body, True, blank, c.start, c.end, item))
            last_end = c.end

        for k, item in enumerate(items):
            start, end = item.span.start, item.span.end
            may_blank = blanks and not item.glued
            hoisted: list[Token] = []
            if not (inline_keyword_named and item.keyword_named):
                for c in self.take(pos, start):
                    place(c, k, may_blank)
                hoisted = self.take(start, end)
            blank = may_blank and bool(rows) and text.count("\n", last_end, start) >= 2
            for c in hoisted:
                rows.append(Row(c.text.rstrip(), True, blank, c.start, c.end, k))
                blank = False
            rows.append(Row(item.doc, False, blank, start, end, k, keyword_named=item.keyword_named))
            pos = last_end = end
        for c in self.take(pos, close):
            place(c, len(items), blanks)
        if extend is not None:
            for c in self.take(close, extend):
                place(c, len(items), False)
        return Rows(tuple(rows), opening)
