"""The server's edge: code-point offsets and coordlang's types to LSP's, and back.

The analysis API counts code points from the start of a document; LSP counts lines and, within
a line, the units of the position encoding the client and the server agreed on (UTF-16 unless
the client offers another). Nothing else in the server converts a position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls.uris import from_fs_path

from coordlang.diagnostics import Diagnostic, Severity
from coordlang.source import LineIndex, Span

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


class Positions:
    """Offsets of one text to LSP positions and back, in the agreed encoding."""

    __slots__ = ("text", "lines", "_units")

    def __init__(self, text: str, lines: LineIndex | None = None,
                 encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.lines = lines if lines is not None else LineIndex(text)
        self._units = {types.PositionEncodingKind.Utf8: 1, types.PositionEncodingKind.Utf32: 4}.get(encoding, 2)

    def _line(self, line: int) -> tuple[int, str]:
        start = self.lines.offset(line, 0)
        return start, self.text[start:self.lines.line_end(line)]

    def position(self, offset: int) -> types.Position:
        where = self.lines.position(offset)
        if self._units == 4:
            return types.Position(where.line, where.column)
        start, text = self._line(where.line)
        return types.Position(where.line, _units(text[:where.column], self._units))

    def range(self, span: Span) -> types.Range:
        return types.Range(self.position(span.start), self.position(span.end))

    def offset(self, position: types.Position) -> int:
        """The offset of a client's position, clamped into the text (a position past a line's
        end is its end, as LSP says; one inside a character's units is that character)."""
        if position.line >= self.lines.line_count:
            return len(self.text)
        if self._units == 4:
            return self.lines.offset(position.line, position.character)
        start, text = self._line(position.line)
        units = 0
        for column, char in enumerate(text):
            if units >= position.character:
                return start + column
            units += _units(char, self._units)
        return start + len(text)

    def span(self, range_: types.Range) -> Span:
        start, end = self.offset(range_.start), self.offset(range_.end)
        return Span(start, max(start, end))


def _units(text: str, size: int) -> int:
    if text.isascii():
        return len(text)
    if size == 1:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def uri(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def diagnostic(d: Diagnostic, positions: Positions, document_uri: str,
               positions_of: Callable[[Path], Positions | None]) -> types.Diagnostic:
    """``d`` of the document at ``document_uri``; ``positions_of`` gives another file's
    positions (its related information may point into an imported module)."""
    related = []
    for r in d.related:
        if r.path is None:
            related.append(types.DiagnosticRelatedInformation(types.Location(document_uri, positions.range(r.span)),
                                                              r.message))
            continue
        other = positions_of(Path(r.path))
        if other is not None:
            related.append(types.DiagnosticRelatedInformation(types.Location(uri(Path(r.path)), other.range(r.span)),
                                                              r.message))
    return types.Diagnostic(range=positions.range(d.span), message=d.message, severity=SEVERITIES[d.severity],
                            code=d.code, source="coord",
                            tags=[types.DiagnosticTag.Unnecessary] if d.unnecessary else None,
                            related_information=related or None)
