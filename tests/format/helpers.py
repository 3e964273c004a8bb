"""Checks shared by the formatter tests: the formatter's three promises on one text."""

from __future__ import annotations

from coordlang.format import format_source, strip_spans
from coordlang.syntax import parse


def comment_texts(text: str) -> list[str]:
    """The comments of ``text`` in order, without trailing whitespace (which formatting
    drops)."""
    return [c.text.rstrip() for c in parse(text).comments]


def check_round_trip(text: str) -> str:
    """Format ``text`` and assert: the result parses cleanly to the same tree (spans aside),
    keeps every comment in order, and formats to itself. Returns the formatted text."""
    before = parse(text)
    assert not [d for d in before.diagnostics if d.code.startswith("P")], "the input must be valid"
    out = format_source(text)
    after = parse(out)
    problems = [f"{d.code} {d.message} at {d.span}" for d in after.diagnostics if d.code.startswith("P")]
    assert not problems, f"formatted text does not parse: {problems}\n{out}"
    assert strip_spans(after.module) == strip_spans(before.module), f"the tree changed:\n{out}"
    # Every comment kept; the order may change only where a comment inside an expression moved
    # before its statement (see coordlang.format).
    assert sorted(comment_texts(out)) == sorted(comment_texts(text)), f"comments changed:\n{out}"
    again = format_source(out)
    assert again == out, f"not idempotent:\n--- once\n{out}\n--- twice\n{again}"
    assert not [line for line in out.splitlines() if line != line.rstrip()], "trailing whitespace"
    return out
