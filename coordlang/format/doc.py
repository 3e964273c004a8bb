"""A small Wadler-style document algebra and its printer.

A document is a ``str``, a ``list`` of documents (concatenation), or one of the nodes below.
A :class:`Group` prints flat (every :data:`LINE` a space, every :data:`SOFTLINE` nothing) when
it fits in the remaining width up to the next possible line break, and broken (every line a
newline at the current indentation) otherwise. Outer groups break before inner ones. A group
holding a hard line, a comment or a broken group is broken: :func:`group` works that out once,
when the group is built, so the printer never searches below a group.

A :class:`Hug` chooses between a group and a second layout that keeps a bracket on its line
and breaks only the block that ends the brackets (``use p(a, {`` ... ``})``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

INDENT = 4
WIDTH = 100


@dataclass(frozen=True, slots=True)
class Line:
    """A place where a group may break the line."""

    flat: str
    """What it prints when its group is flat."""
    hard: bool = False
    """Always a newline; breaks every enclosing group."""
    blank: bool = False
    """A newline with one empty line before it (implies ``hard``)."""


LINE = Line(" ")
SOFTLINE = Line("")
HARDLINE = Line("", hard=True)
BLANKLINE = Line("", hard=True, blank=True)


@dataclass(frozen=True, slots=True)
class Group:
    contents: Doc
    broken: bool
    """Decided when built: a hard line or a comment inside, or asked for."""


@dataclass(frozen=True, slots=True)
class Indent:
    contents: Doc


@dataclass(frozen=True, slots=True)
class IfBreak:
    """``broken`` when the enclosing group breaks, else ``flat`` (a trailing comma)."""

    broken: str
    flat: str = ""


@dataclass(frozen=True, slots=True)
class Suffix:
    """A trailing comment. It takes no width when deciding whether a group fits (so a long
    comment never breaks the code before it) and it breaks every enclosing group, because a
    newline must follow it."""

    text: str


@dataclass(frozen=True, slots=True)
class Hug:
    """Brackets whose last item is a block, printed in the first layout that works:

    1. ``spread`` flat, when it all fits;
    2. ``spread`` broken, one item a line, when ``last`` (the block and its comma, flat) fits on
       a line of its own there: a block that may stay on one line keeps that layout;
    3. hugged, when ``head`` fits on the current line: ``head`` flat, then ``block`` broken at
       the indentation of the line it starts on, then ``tail``;
    4. ``spread`` broken.
    """

    spread: Group
    head: Doc
    """``(`` and the items before the block, ``(a, b, ``; always flat."""
    block: Group
    """The block, broken."""
    tail: str
    """The closing bracket."""
    last: Doc | None
    """The last item of ``spread`` broken, with its comma; None when the block cannot stay on
    one line."""


Doc = Union[str, list, Group, Indent, IfBreak, Suffix, Line, Hug]


def group(contents: Doc, broken: bool = False) -> Group:
    """A group, broken when asked or when ``contents`` must break."""
    return Group(contents, broken or _must_break(contents))


def _must_break(doc: Doc) -> bool:
    # Nested groups already know their answer, so each node is looked at by one group only.
    stack = [doc]
    while stack:
        d = stack.pop()
        t = type(d)
        if t is list:
            stack.extend(d)
        elif t is Group:
            if d.broken:
                return True
        elif t is Indent:
            stack.append(d.contents)
        elif t is Hug:
            stack.append(d.spread)
        elif t is Suffix:
            return True
        elif t is Line and d.hard:
            return True
    return False


def render(doc: Doc, width: int = WIDTH) -> str:
    """Lay ``doc`` out in ``width`` columns. Lines carry no trailing whitespace: indentation is
    written only when text follows it."""
    out: list[str] = []
    col = 0
    pending = 0  # indentation owed to the next text on this line
    stack: list[tuple[int, bool, Doc]] = [(0, False, doc)]
    push = stack.append
    while stack:
        ind, flat, d = stack.pop()
        t = type(d)
        if t is str:
            if d:
                if pending:
                    out.append(" " * pending)
                    pending = 0
                out.append(d)
                col += len(d)
        elif t is list:
            for x in reversed(d):
                push((ind, flat, x))
        elif t is Line:
            if flat and not d.hard:
                if d.flat:
                    push((ind, flat, d.flat))
            else:
                out.append("\n\n" if d.blank else "\n")
                pending = col = ind
        elif t is Group:
            if flat or d.broken:
                push((ind, flat, d.contents))
            else:
                push((ind, _fits(d.contents, width - col, stack), d.contents))
        elif t is Indent:
            push((ind + INDENT, flat, d.contents))
        elif t is IfBreak:
            push((ind, flat, d.flat if flat else d.broken))
        elif t is Suffix:
            push((ind, flat, d.text))
        elif t is Hug:
            spread = d.spread
            if flat or (not spread.broken and _fits(spread.contents, width - col, stack)):
                push((ind, True, spread.contents))
            elif ((d.last is not None and _fits(d.last, width - ind - INDENT, ()))
                  or not _fits([d.head, d.block], width - col, ())):
                push((ind, False, spread.contents))
            else:
                push((ind, False, d.tail))
                push((ind, False, d.block))
                push((ind, True, d.head))
        else:  # pragma: no cover - a bug in a caller
            raise TypeError(f"not a document: {d!r}")
    return "".join(out)


def _fits(doc: Doc, room: int, rest: list[tuple[int, bool, Doc]]) -> bool:
    """Whether ``doc`` printed flat, then what follows it up to the next line break, takes at
    most ``room`` columns. What follows is printed in its own mode: in a broken group its first
    line is a newline, which ends the measure."""
    todo: list[tuple[bool, Doc]] = [(True, doc)]
    r = len(rest)
    while room >= 0:
        if not todo:
            if r == 0:
                return True
            r -= 1
            _, flat, d = rest[r]
            todo.append((flat, d))
            continue
        flat, d = todo.pop()
        t = type(d)
        if t is str:
            room -= len(d)
        elif t is list:
            for x in reversed(d):
                todo.append((flat, x))
        elif t is Line:
            if d.hard or not flat:
                return True
            room -= len(d.flat)
        elif t is Group:
            todo.append((flat and not d.broken, d.contents))
        elif t is Indent:
            todo.append((flat, d.contents))
        elif t is Hug:
            # As its spread layout: exact when flat. Broken, it is measured to its bracket, as a
            # group is; only statement keywords and names come before one on its line.
            todo.append((flat and not d.spread.broken, d.spread.contents))
        elif t is IfBreak:
            room -= len(d.flat if flat else d.broken)
    return False
