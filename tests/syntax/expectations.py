"""Expected diagnostics written inline in a ``.coord`` file, parso style.

A comment line ``#: CODE [CODE...]`` says the next line that is not such a comment holds one
diagnostic of each code listed (write a code twice for two). ``CODE:COL`` pins the 1-based
column too. The comparison is by (line, code), plus the column where one is given.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from coordlang.diagnostics import Diagnostic
from coordlang.source import LineIndex

_MARKER = re.compile(r"^\s*#:\s*(.*)$")
_ITEM = re.compile(r"^([A-Z]\d{3})(?::(\d+))?$")


def expected(text: str) -> Counter:
    """``Counter`` of ``(line, code, column or None)`` (1-based) announced by markers."""
    out: Counter = Counter()
    pending: list[tuple[str, int | None]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        m = _MARKER.match(line)
        if m:
            for item in m.group(1).split():
                im = _ITEM.match(item)
                if im is None:
                    raise ValueError(f"line {number}: bad expectation {item!r}")
                pending.append((im.group(1), int(im.group(2)) if im.group(2) else None))
            continue
        for code, column in pending:
            out[(number, code, column)] += 1
        pending = []
    if pending:
        raise ValueError("an expectation marker at the end of the file announces nothing")
    return out


def actual(diagnostics: Iterable[Diagnostic], text: str, pinned: Counter) -> Counter:
    """The diagnostics as ``(line, code, column)``, the column kept only where ``pinned``
    (the expected counter) pins one for that line and code."""
    index = LineIndex(text)
    pins = {(line, code) for line, code, column in pinned if column is not None}
    out: Counter = Counter()
    for d in diagnostics:
        pos = index.position(d.span.start)
        key = (pos.line + 1, d.code)
        out[key + ((pos.column + 1) if key in pins else None,)] += 1
    return out
