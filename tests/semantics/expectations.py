"""Expected diagnostics written inline in golden ``.coord`` files.

A comment line ``#: CODE [CODE...]`` announces one diagnostic of each code on the next line that
is not such a comment (stack several marker lines for one line). The comparison is the set of
(line, code) pairs: parser and checker diagnostics together, so a golden file of damaged code
also proves the checker adds nothing to what the parser reported.
"""

from __future__ import annotations

import re
from typing import Iterable

from coordlang.diagnostics import Diagnostic
from coordlang.source import LineIndex

_MARKER = re.compile(r"^(\s*)#:\s*(.*)$")
_CODE = re.compile(r"[A-Z]\d{3}\Z")


def expected(text: str) -> set[tuple[int, str]]:
    """The (1-based line, code) pairs the markers of ``text`` announce."""
    out: set[tuple[int, str]] = set()
    pending: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        m = _MARKER.match(line)
        if m:
            for code in m.group(2).split():
                if not _CODE.match(code):
                    raise ValueError(f"line {number}: bad expectation {code!r}")
                pending.append(code)
            continue
        out.update((number, code) for code in pending)
        pending = []
    if pending:
        raise ValueError("an expectation marker at the end of the file announces nothing")
    return out


def actual(diagnostics: Iterable[Diagnostic], text: str) -> set[tuple[int, str]]:
    index = LineIndex(text)
    return {(index.position(d.span.start).line + 1, d.code) for d in diagnostics}


def rewrite(text: str, diagnostics: Iterable[Diagnostic]) -> str:
    """``text`` with its markers replaced by the ones ``diagnostics`` call for (for
    ``--update-goldens``): each above its line, indented like it."""
    lines = [line for line in text.split("\n") if not _MARKER.match(line)]
    stripped = "\n".join(lines)
    index = LineIndex(stripped)
    # Spans point into the text with markers; map each diagnostic's line to the stripped text.
    original = text.split("\n")
    kept_number: dict[int, int] = {}
    kept = 0
    for number, line in enumerate(original):
        if not _MARKER.match(line):
            kept_number[number] = kept
            kept += 1
    by_line: dict[int, list[str]] = {}
    old_index = LineIndex(text)
    for d in diagnostics:
        line = old_index.position(d.span.start).line
        target = kept_number.get(line)
        if target is None:
            continue
        by_line.setdefault(target, []).append(d.code)
    out: list[str] = []
    for number, line in enumerate(lines):
        if number in by_line:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}#: {' '.join(sorted(set(by_line[number])))}")
        out.append(line)
    del index
    return "\n".join(out)
