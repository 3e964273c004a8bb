"""Completion contexts on half-typed text; ``|`` marks the cursor."""

from __future__ import annotations

import pytest

from coordlang.analysis.context import completion_context

WF = "workflow A on E as o key id {\n    "

CASES = [
    (WF + "let x = o.|", "member", "", ("o",)),
    (WF + "let x = o.am|", "member", "am", ("o",)),
    (WF + "let x = o.am|ount + 1", "member", "am", ("o",)),
    (WF + "await |", "event", "", ()),
    (WF + "emit |", "event", "", ()),
    ("on |", "event", "", ()),
    ("stream S from |", "event", "", ()),
    (WF + "select {\n        on |", "event", "", ()),
    (WF + "select {\n        |", "select_clause", "", ()),
    (WF + "do ch|", "handler", "ch", ()),
    (WF + "do a() compensate |", "handler", "", ()),
    (WF + "let y = do charge(o.id) with |", "policy", "", ()),
    (WF + "let c = call |", "workflow", "", ()),
    (WF + "use |", "pattern", "", ()),
    (WF + "try { } catch |", "error_kind", "", ()),
    (WF + "le|", "statement", "le", ()),
    ("wor|", "declaration", "wor", ()),
    ("|", "declaration", "", ()),
    ("event E { id: |", "type", "", ()),
    ("handler h(a: |", "type", "", ()),
    ("handler h(a: int) -> |", "type", "", ()),
    ('handler h(a: int) -> int = "m:f" |', "handler_flag", "", ()),
    ("policy p = retry(attempts: 3, backoff: |", "backoff", "", ()),
    ("policy p = retry(attempts: 3, jitter: |", "jitter", "", ()),
    ("policy p = retry(attempts: 3, |", "policy_arg", "", ()),
    ("policy p = |", "policy_arg", "", ()),
    ("policy p = retry(on: [Timeout, |", "error_kind", "", ()),
    (WF + "emit Foo { a: 1, |", "emit_field", "", ("Foo", "a")),
    (WF + "emit Foo {\n        a: 1\n        |", "emit_field", "", ("Foo", "a")),
    ("migrate A 1 -> 2 { |", "label", "", ("A", "1", "from")),
    ("migrate A 1 -> 2 { a -> |", "label", "", ("A", "2", "to")),
    ("stream S from R as r by s window |", "window", "", ()),
    (WF + 'fail "x {o.|}"', "member", "", ("o",)),
    (WF + 'fail "plain |text"', "none", "", ()),
    (WF + "# comment |", "none", "", ()),
    (WF + "let y = |", "rhs", "", ()),
    (WF + "y = |", "rhs", "", ()),
    (WF + "if o.amount > |", "expression", "", ()),
]


@pytest.mark.parametrize("source,kind,prefix,target", CASES)
def test_context(source: str, kind: str, prefix: str, target: tuple) -> None:
    offset = source.index("|")
    text = source.replace("|", "")
    ctx = completion_context(text, offset)
    assert (ctx.kind, ctx.prefix, ctx.target) == (kind, prefix, target)
    assert ctx.replace.start == offset - len(prefix)


def test_replace_covers_the_whole_word() -> None:
    text = WF + "do charge()"
    offset = text.index("charge") + 2
    ctx = completion_context(text, offset)
    assert text[ctx.replace.start:ctx.replace.end] == "charge"


def test_argument_index_inside_handler_call() -> None:
    text = WF + "do charge(o.id, "
    ctx = completion_context(text, len(text))
    assert (ctx.kind, ctx.call, ctx.argument) == ("expression", "charge", 1)


def test_offsets_outside_the_text_are_clamped() -> None:
    assert completion_context("event", 999).kind == "declaration"
    assert completion_context("event", -5).kind == "declaration"
