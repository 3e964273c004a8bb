"""The entry points: a whole document, a range, and the refusal of broken documents."""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.diagnostics import Diagnostic, TextEdit
from coordlang.errors import CoordError
from coordlang.format.compare import strip_spans
from coordlang.format.doc import WIDTH, Suffix, render
from coordlang.format.printer import Printer
from coordlang.source import Span
from coordlang.syntax import ParseResult, parse


class FormatRefused(CoordError):
    """The text was not formatted and must be left as it is: it has syntax errors
    (``diagnostics`` holds them), or, which is a bug, the formatter could not keep its promises
    (every comment kept, the same tree)."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclass(frozen=True, slots=True)
class _Chunk:
    """A top-level declaration with its comments (or the comments after the last one)."""

    start: int
    end: int
    """Source extent, comments included."""
    text: str
    multiline: bool
    blank_before: bool


def format_source(text: str, *, verify: bool = False) -> str:
    """``text`` in canonical layout. Raises :class:`FormatRefused` when it has syntax errors.

    ``verify`` parses the result again and refuses if its tree differs from the input's (a
    safety net for tools that write files unattended; it doubles the time)."""
    out = _join(_chunks(parse(text)))
    if verify:
        _verify(text, out)
    return out


def format_parsed(result: ParseResult) -> str:
    """:func:`format_source` for a document parsed already (an editor's cached analysis)."""
    return _join(_chunks(result))


def format_edits(text: str) -> list[TextEdit]:
    """The formatting of the whole document as edits: none when it is already canonical, else
    one edit replacing the part that changes."""
    new = format_source(text)
    if new == text:
        return []
    prefix = 0
    limit = min(len(text), len(new))
    while prefix < limit and text[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and text[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return [TextEdit(Span(prefix, len(text) - suffix), new[prefix:len(new) - suffix])]


def format_range(text: str, span: Span) -> list[TextEdit]:
    """Edits that reformat the top-level declarations ``span`` touches (with their comments),
    and nothing else. An empty span touches the declaration around it."""
    chunks = _chunks(parse(text))
    touched = [i for i, c in enumerate(chunks)
               if (c.start < span.end and span.start < c.end) or (span.start == span.end and c.start <= span.start <= c.end)]
    if not touched:
        return []
    first, last = touched[0], touched[-1]
    new = _join(chunks[first:last + 1], final_newline=False)
    old = Span(chunks[first].start, chunks[last].end)
    if text[old.start:old.end] == new:
        return []
    return [TextEdit(old, new)]


def _refuse_errors(result: ParseResult) -> None:
    errors = tuple(d for d in result.diagnostics if d.code.startswith("P"))
    if errors:
        first = errors[0]
        where = result.lines.position(first.span.start)
        count = f"{len(errors)} syntax errors" if len(errors) > 1 else "a syntax error"
        raise FormatRefused(f"{count}; the first at {where.line + 1}:{where.column + 1}: {first.code} {first.message}",
                            errors)


def _chunks(result: ParseResult) -> list[_Chunk]:
    _refuse_errors(result)
    printer = Printer(result)
    items, rows = printer.module(result.module)
    lost = printer.comments.left_over()
    if lost:
        where = result.lines.position(lost[0].start)
        raise FormatRefused(f"internal error: the formatter would drop the comment at {where.line + 1}:"
                            f"{where.column + 1}; the text is left as it is")
    chunks: list[_Chunk] = []
    i = 0
    all_rows = rows.rows
    while i < len(all_rows):
        item = all_rows[i].item
        j = i
        parts: list[str] = []
        multiline = False
        while j < len(all_rows) and all_rows[j].item == item:
            row = all_rows[j]
            if j > i:
                parts.append("\n\n" if row.blank else "\n")
            body = render(row.doc, WIDTH)
            if not row.comment:
                multiline = "\n" in body
            if row.trailing is not None:
                body += render(Suffix("  " + row.trailing))
            parts.append(body)
            j += 1
        group = all_rows[i:j]
        chunks.append(_Chunk(min(r.start for r in group), max(r.end for r in group), "".join(parts),
                             multiline and item < len(items), all_rows[i].blank))
        i = j
    return chunks


def _join(chunks: list[_Chunk], *, final_newline: bool = True) -> str:
    """Declarations a line apart, or an empty line apart when the user wrote one or either is
    longer than a line."""
    parts: list[str] = []
    for k, chunk in enumerate(chunks):
        if k:
            blank = chunk.blank_before or chunk.multiline or chunks[k - 1].multiline
            parts.append("\n\n" if blank else "\n")
        parts.append(chunk.text)
    if parts and final_newline:
        parts.append("\n")
    return "".join(parts)


def _verify(text: str, out: str) -> None:
    before = parse(text).module
    after = parse(out)
    if any(d.code.startswith("P") for d in after.diagnostics) or strip_spans(before) != strip_spans(after.module):
        raise FormatRefused("internal error: the formatted text would not mean the same; the text is left as it is")
