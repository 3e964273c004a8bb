"""The formatter's entry points: refusal of broken text, edits, ranges, verification."""

from __future__ import annotations

import pytest

from coordlang.diagnostics import TextEdit
from coordlang.errors import CoordError
from coordlang.format import FormatError, FormatRefused, format_edits, format_range, format_source, strip_spans
from coordlang.source import Span
from coordlang.syntax import parse
from .helpers import check_round_trip

MESSY = "event A{a:int}\nevent B{b:int}\n\nworkflow W on A as a key a {\nlet x=1  # one\n}\n"
CLEAN = "event A { a: int }\nevent B { b: int }\n\nworkflow W on A as a key a {\n    let x = 1  # one\n}\n"


def apply(text: str, edits: list[TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: e.span.start, reverse=True):
        text = text[:edit.span.start] + edit.new_text + text[edit.span.end:]
    return text


def test_format_source() -> None:
    assert format_source(MESSY) == CLEAN
    assert format_source(CLEAN) == CLEAN


@pytest.mark.parametrize("broken", [
    "workflow W on A as a key a {\n    let x = = 1\n}\n",  # P101
    "workflow W on A as a key a {\n    complete\n",  # P102
    "policy p = 1 +\n",  # P103
    'policy p = "open\n',  # P104
    "policy p = 1 $ 2\n",  # P105
    'policy p = "bad \\q"\n',  # P106
    'handler h() -> bool = "m:f" fast\n',  # P107
])
def test_syntax_errors_are_refused(broken: str) -> None:
    codes = {d.code for d in parse(broken).diagnostics}
    assert codes and all(c.startswith("P") for c in codes)
    with pytest.raises(FormatRefused) as info:
        format_source(broken)
    assert isinstance(info.value, CoordError)
    assert {d.code for d in info.value.diagnostics} == codes
    assert "syntax error" in str(info.value)
    with pytest.raises(FormatRefused):
        format_edits(broken)
    with pytest.raises(FormatRefused):
        format_range(broken, Span(0, len(broken)))


def test_format_error_is_the_refusal() -> None:
    assert FormatError is FormatRefused


def test_format_edits() -> None:
    assert format_edits(CLEAN) == []
    edits = format_edits(MESSY)
    assert len(edits) == 1
    assert apply(MESSY, edits) == CLEAN


def test_format_range_touches_only_the_declarations_in_range() -> None:
    start = MESSY.index("event B")
    edits = format_range(MESSY, Span(start + 2, start + 3))
    assert edits == [TextEdit(Span(start, start + len("event B{b:int}")), "event B { b: int }")]
    assert apply(MESSY, edits) == MESSY.replace("event B{b:int}", "event B { b: int }")


def test_format_range_with_a_cursor_takes_the_declaration_around_it() -> None:
    at = MESSY.index("let x")
    result = apply(MESSY, format_range(MESSY, Span(at, at)))
    assert result == MESSY[:MESSY.index("workflow")] + CLEAN[CLEAN.index("workflow"):]


def test_format_range_over_everything_is_format_source() -> None:
    assert apply(MESSY, format_range(MESSY, Span(0, len(MESSY)))) == CLEAN


def test_format_range_of_canonical_text_changes_nothing() -> None:
    assert format_range(CLEAN, Span(0, len(CLEAN))) == []
    assert format_range(MESSY, Span(MESSY.index("\n\n") + 1, MESSY.index("\n\n") + 1)) == []


def test_verify() -> None:
    assert format_source(MESSY, verify=True) == CLEAN


def test_empty_and_blank_documents() -> None:
    assert format_source("") == ""
    assert format_source("\n\n  \n") == ""
    assert format_source("# c") == "# c\n"


def test_line_endings_tabs_and_bom() -> None:
    text = "\ufeffevent A { a: int }  # c  \r\n\r\nworkflow W on A as a key a {\r\n\tlet x = 1\r\n}\r\n"
    assert check_round_trip(text) == ("event A { a: int }  # c\n\nworkflow W on A as a key a {\n"
                                      "    let x = 1\n}\n")


def test_strip_spans_ignores_positions_only() -> None:
    a = parse("policy p = f(1, x: 2)\n").module
    b = parse("\n\npolicy   p =\n  f(\n  1,\n  x: 2,\n)").module
    c = parse("policy p = f(1, y: 2)\n").module
    assert a != b
    assert strip_spans(a) == strip_spans(b)
    assert strip_spans(a) != strip_spans(c)


def test_strip_spans_handles_deep_trees() -> None:
    deep = "policy p = " + " + ".join(["1"] * 3000) + "\n"
    tree = strip_spans(parse(deep).module)
    assert tree == strip_spans(parse(format_source(deep)).module)


def test_keyword_named_fields_and_arguments_stay_valid() -> None:
    # A newline before 'label' (a statement keyword) would end the statement, even inside
    # brackets; the formatter never puts one there after a comma.
    text = ("policy p = retry(attempts: 5, backoff: exponential(100ms, factor: 2.0, max: 10s), "
            "label: 1, emit: 2, on: [a])\n"
            "on A as a { emit Keywords { order_id: a.order_id, customer: a.customer, label: a.label, "
            "when: a.when, catch: a.catch } }\n")
    out = check_round_trip(text)
    assert "\n    label" not in out.split("on A")[0]
    assert "customer: a.customer\n        label: a.label\n        when: a.when,\n" in out


def test_comment_that_cannot_stay_moves_before_its_statement() -> None:
    text = "on A as a {\n    let y = a.x +  # why\n        1\n}\n"
    assert check_round_trip(text) == "on A as a {\n    # why\n    let y = a.x + 1\n}\n"
