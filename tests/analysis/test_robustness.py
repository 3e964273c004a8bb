"""Damaged programs never break the analysis API, nor the formatter: every query at every
kind of place answers (a result or None), and spans stay inside the text.

The parser and the checker have robustness tests of their own (tests/syntax, tests/semantics);
this one drives the whole chain an editor drives on each keystroke.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from mutations import mutated_programs

from coordlang.analysis import (
    analyze, completion_context, completions, definition, folding_ranges, hover, outline, references,
    semantic_tokens, signature_help, symbol_at,
)
from coordlang.format import FormatRefused, format_source

BASE = settings.default.max_examples  # 100 under "ci", 2,000 under "long"


def every_query(text: str, offsets: list[int]) -> None:
    analysis = analyze(text)
    n = len(text)
    for d in analysis.diagnostics:
        assert 0 <= d.span.start <= d.span.end <= n, d
    module = analysis.module
    for item in outline(module):
        assert 0 <= item.span.start <= item.span.end <= n
    for fold in folding_ranges(module, analysis.parse.comments, analysis.lines):
        assert 0 <= fold.start_line < fold.end_line < analysis.lines.line_count
    tokens = semantic_tokens(module, analysis.parse.tokens, analysis.parse.comments)
    for a, b in zip(tokens, tokens[1:]):
        assert a.span.end <= b.span.start, "semantic tokens never overlap"
    for offset in offsets:
        completion_context(text, offset)
        completions(analysis, offset)
        found = symbol_at(analysis, offset)
        if found is not None:
            assert 0 <= found[1].start <= found[1].end <= n
        definition(analysis, offset)
        for loc in references(analysis, offset):
            assert loc.span.end <= n
        hover(analysis, offset)
        signature_help(analysis, offset)
    try:
        formatted = format_source(text)
    except FormatRefused:
        return
    assert format_source(formatted) == formatted, "formatting is idempotent"


@settings(max_examples=20 * BASE)
@given(mutated_programs(), st.lists(st.floats(0, 1), min_size=1, max_size=4))
def test_damaged_programs(text: str, fractions: list[float]) -> None:
    every_query(text, [int(f * len(text)) for f in fractions] + [len(text)])


@settings(max_examples=2 * BASE)
@given(st.text(max_size=300), st.lists(st.integers(0, 300), max_size=3))
def test_random_text(text: str, offsets: list[int]) -> None:
    every_query(text, [min(o, len(text)) for o in offsets])
