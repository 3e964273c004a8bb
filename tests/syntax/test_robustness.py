"""The parser never fails: damaged real programs, token soup and random text all parse to a
Module, with diagnostics inside the text, spans that nest, and the same result every time.

CI runs about 2,100 cases (profile ``ci``); ``COORD_HYPOTHESIS_PROFILE=long`` runs 20 times as
many, randomized.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from coordlang.syntax import ast, parse
from coordlang.syntax.dump import dump, render_diagnostics
from mutations import mutated_programs, token_soup

from .spans import span_problems

BASE = settings.default.max_examples  # 100 under "ci", 2,000 under "long"


def check_parse(text: str) -> None:
    result = parse(text)
    assert isinstance(result.module, ast.Module)
    n = len(text)
    for d in result.diagnostics:
        assert 0 <= d.span.start <= d.span.end <= n, (d, n)
        assert d.code.startswith("P"), d
        for related in d.related:
            assert 0 <= related.span.start <= related.span.end <= n, (d, n)
    problems = span_problems(result.module, text, strict=False)
    assert not problems, "\n".join(problems[:10])
    # Every tree can be shown (goldens, the debugger's views), and the parse is deterministic.
    shown = dump(result.module, text)
    render_diagnostics(result.diagnostics, text)
    again = parse(text)
    assert again.module == result.module
    assert again.diagnostics == result.diagnostics
    assert dump(again.module, text) == shown


@settings(max_examples=15 * BASE)
@given(mutated_programs())
def test_mutated_programs(text: str) -> None:
    check_parse(text)


@settings(max_examples=3 * BASE)
@given(token_soup())
@example("")
@example("{" * 200)
@example("(" * 200 + "x")
@example("workflow W on E as e key id {" * 50)
@example('"' + "{" * 50)
def test_token_soup(text: str) -> None:
    check_parse(text)


@settings(max_examples=3 * BASE)
@given(st.text())
@example("\x00\ufeff\u2028\r")
@example("\r\n\r\n")
def test_random_text(text: str) -> None:
    check_parse(text)
