"""A 10,000-line file formats in well under a second (the layout itself; parsing is the
syntax package's budget and is measured beside it)."""

from __future__ import annotations

import time
from pathlib import Path

from coordlang.format import format_parsed
from coordlang.syntax import parse

ROOT = Path(__file__).resolve().parents[2]


def ten_thousand_lines() -> str:
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("**/*.coord"))]
    sources += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/format/golden").glob("*.in.coord"))]
    body = "\n\n".join(sources)
    copies = 10_000 // body.count("\n") + 1
    return "\n\n".join([body] * copies)


def test_ten_thousand_lines_format_in_well_under_a_second() -> None:
    text = ten_thousand_lines()
    assert text.count("\n") >= 10_000
    result = parse(text)
    best = float("inf")
    for _ in range(3):  # the best of three, so a busy machine does not fail the test
        start = time.perf_counter()
        out = format_parsed(result)
        best = min(best, time.perf_counter() - start)
    assert out.count("\n") >= 10_000
    assert best < 1.0, f"formatting 10,000 lines took {best:.2f} s"
