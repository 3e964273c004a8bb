"""Source text, spans and line indexes.

A span is 0-based and half-open, in code-point offsets into the source text. Lines and columns
are derived from a :class:`LineIndex`; each front-end converts to its own convention once, at
its edge (UTF-16 for LSP, 1-based for the command line).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of code-point offsets."""

    start: int
    end: int

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and self.start <= offset < self.end

    def touches(self, offset: int) -> bool:
        """True when ``offset`` is inside the span or right after its last character."""
        return self.start <= offset <= self.end

    def cover(self, other: Span) -> Span:
        """The smallest span covering both."""
        return Span(min(self.start, other.start), max(self.end, other.end))

    def shift(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta)

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Position:
    """A 0-based line and a 0-based column in code points."""

    line: int
    column: int


class LineIndex:
    """Maps offsets to (line, column) and back, in code points."""

    __slots__ = ("text", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(line, offset - self._starts[line])

    def offset(self, line: int, column: int) -> int:
        """The offset of a 0-based (line, column), clamped into the text and its line."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.text)
        start = self._starts[line]
        return min(start + max(column, 0), self.line_end(line))

    def line_start(self, line: int) -> int:
        return self._starts[line]

    def line_end(self, line: int) -> int:
        """The offset of the line's end, before its newline."""
        if line + 1 < len(self._starts):
            return self._starts[line + 1] - 1
        return len(self.text)

    def line_text(self, line: int) -> str:
        return self.text[self._starts[line] : self.line_end(line)]
