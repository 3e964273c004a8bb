"""Code actions: each kind on several documents, applied and re-analysed (the result parses, the
diagnostic it fixes is gone, no new error appears), then the same property over the examples
damaged the way people damage them (a name misspelt, a declaration deleted)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordlang.analysis import Action, analyze, code_actions
from coordlang.source import Span
from coordlang.syntax import ast

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/*/*.coord"))
PATH = ROOT / "tests" / "analysis" / "shop.coord"  # not on disk: only names the handler module

HEAD = '''\
module shop
# The order that starts everything.
event OrderPlaced { order_id: str, amount: float, items: int, vip: bool }
event PaymentOk { order_id: str, amount: float }

handler charge(order_id: str, amount: float) -> float = "shop_handlers:charge"
'''


def apply(text: str, action: Action) -> str:
    """``action``'s edits applied, after checking they lie in the text and do not overlap."""
    edits = sorted(action.edits, key=lambda e: (e.span.start, e.span.end))
    for edit in edits:
        assert 0 <= edit.span.start <= edit.span.end <= len(text), action
    for a, b in zip(edits, edits[1:]):
        assert a.span.end <= b.span.start, action
    for edit in reversed(edits):
        text = text[:edit.span.start] + edit.new_text + text[edit.span.end:]
    return text


def errors(analysis) -> Counter:
    return Counter(d.code for d in analysis.diagnostics if d.is_error)


def fixed(text: str, code: str, title: str = "", path: Path = PATH) -> str:
    """The text after the action titled ``title...`` for the (first) ``code`` diagnostic, checked."""
    before = analyze(text, path)
    target = next(d for d in before.diagnostics if d.code == code)
    actions = [a for a in code_actions(before, target.span) if a.diagnostic is target and a.title.startswith(title)]
    assert actions, [a.title for a in code_actions(before, target.span)]
    after_text = apply(text, actions[0])
    after = analyze(after_text, path)
    assert not [d for d in after.diagnostics if d.code.startswith("P")], after_text
    assert (target.code, target.message) not in {(d.code, d.message) for d in after.diagnostics}, after_text
    grown = errors(after) - errors(before)
    assert not grown, (grown, after_text)
    return after_text


def rewritten(text: str, needle: str, title: str, path: Path = PATH) -> str:
    """The text after the rewrite titled ``title...`` at ``needle``, checked."""
    before = analyze(text, path)
    at = text.index(needle)
    actions = [a for a in code_actions(before, Span(at, at)) if a.title.startswith(title)]
    assert actions and all(a.kind == "refactor.rewrite" and a.diagnostic is None for a in actions)
    after_text = apply(text, actions[0])
    after = analyze(after_text, path)
    assert not [d for d in after.diagnostics if d.code.startswith("P")], after_text
    assert not errors(after) - errors(before), after_text
    return after_text


# ---------------------------------------------------------------- N202: declare the event

def test_an_emit_gives_the_events_fields_and_their_types():
    text = HEAD + '''on OrderPlaced as o { emit Shipped { order_id: o.order_id, count: o.items, note: "x" } }\n'''
    after = fixed(text, "N202", "declare event Shipped")
    assert ("event PaymentOk { order_id: str, amount: float }\n"
            "event Shipped { order_id: str, count: int, note: str }\n") in after


def test_an_await_gives_the_key_and_the_fields_read_typed_by_their_places():
    text = HEAD + '''\
workflow Order on OrderPlaced as o key order_id {
    await Refunded as r within 1h
    if r.partial { fail "partial" }
    do charge(o.order_id, r.total)
    complete "{r.who}"
}
'''
    after = fixed(text, "N202", "declare event Refunded")
    assert "event Refunded { order_id: str, partial: bool, total: float, who: str }" in after


def test_a_select_clause_and_a_module_without_events():
    text = '''\
module m
import std.saga
workflow W(id: int) key id {
    select {
        on Ping as p where p.n > 2 { }
        after 1s { }
    }
}
'''
    after = fixed(text, "N202", "declare event Ping")
    assert "import std.saga\n\nevent Ping { id: int, n: int }\n" in after


# ---------------------------------------------------------------- N203: declare the handler

def test_a_misspelt_handler_is_declared_from_its_call_and_the_use_of_its_result():
    text = HEAD + '''\
workflow Order on OrderPlaced as o key order_id {
    let risk = do score(o.amount, o.items, 3)
    if risk > 0.9 { fail "risky" }
}
'''
    after = fixed(text, "N203", "declare handler score")
    assert 'handler score(amount: float, items: int, arg3: int) -> float = "shop_handlers:score"' in after


def test_an_unused_result_is_a_bool_and_a_compensation_is_declared_too():
    text = HEAD + '''\
workflow Order on OrderPlaced as o key order_id {
    let paid = do charge(o.order_id, o.amount) compensate refund(o.order_id, paid)
    do notify(o.order_id, "paid {paid}")
}
'''
    after = fixed(text, "N203", "declare handler refund")
    assert 'handler refund(order_id: str, paid: float) -> bool = "shop_handlers:refund"' in after
    after = fixed(after, "N203", "declare handler notify")
    assert 'handler notify(order_id: str, arg2: str) -> bool' in after


def test_a_handler_goes_after_the_events_when_there_is_none():
    text = 'event E { id: str }\non E as e { do tell(id: e.id) }\n'
    after = fixed(text, "N203", "declare handler tell")
    assert after.startswith('event E { id: str }\n\nhandler tell(id: str) -> bool = "shop_handlers:tell"\n')


# ---------------------------------------------------------------- N207: add the field

def test_a_field_read_is_added_to_the_event_with_the_type_its_place_asks_for():
    text = HEAD + '''\
workflow Order on OrderPlaced as o key order_id {
    do charge(o.order_id, o.discount)
}
on OrderPlaced as o { emit PaymentOk { order_id: o.order_id, amount: 1.0 } }
'''
    after = fixed(text, "N207", "add field discount")
    assert "vip: bool, discount: float }" in after


def test_a_field_emitted_is_added_to_the_event_and_to_its_other_emits():
    text = HEAD + '''\
on OrderPlaced as o { emit PaymentOk { order_id: o.order_id, amount: 1.0, late: true } }
on PaymentOk as p { emit PaymentOk { order_id: p.order_id, amount: 2.0 } }
event Empty {}
on Empty as e { if e.flag { } }
'''
    after = fixed(text, "N207", "add field late: bool")
    assert "event PaymentOk { order_id: str, amount: float, late: bool }" in after
    assert "amount: 2.0, late: false }" in after
    after = fixed(after, "N207", "add field flag: bool")
    assert "event Empty { flag: bool }" in after


def test_no_field_is_added_to_an_imported_event(tmp_path):
    (tmp_path / "common.coord").write_text("event E { id: str }\n")
    text = 'import "common.coord"\non E as e { if e.flag { } }\n'
    analysis = analyze(text, tmp_path / "main.coord")
    [d] = [d for d in analysis.diagnostics if d.code == "N207"]
    assert not [a for a in code_actions(analysis, d.span) if a.diagnostic is d]


# ---------------------------------------------------------------- timeouts

def test_an_await_and_a_select_get_a_timeout():
    text = HEAD + '''\
workflow Order on OrderPlaced as o key order_id {
    label waiting
    await PaymentOk as p where p.amount > 1.0
    select {
        on PaymentOk as q { }
    }
    await PaymentOk as r within 1s
}
'''
    after = rewritten(text, "await PaymentOk as p", "add a timeout")
    assert 'await PaymentOk as p where p.amount > 1.0 within 1h else { fail "no PaymentOk within 1h" }' in after
    after = rewritten(after, "on PaymentOk as q", "add a timeout")
    assert '        on PaymentOk as q { }\n        after 1h { fail "no event within 1h" }\n    }' in after
    analysis = analyze(after, PATH)
    at = after.index("await PaymentOk as r")
    assert not [a for a in code_actions(analysis, Span(at, at)) if a.title.startswith("add a timeout")]


# ---------------------------------------------------------------- retry policies

def test_a_step_is_wrapped_in_each_policy_in_scope():
    text = HEAD + '''\
policy quick = retry(attempts: 2, backoff: fixed(1s))
policy slow = retry(attempts: 5, backoff: fixed(1m))
workflow Order on OrderPlaced as o key order_id {
    let paid = do charge(o.order_id, (o.amount)) timeout 1h
    complete paid
}
'''
    analysis = analyze(text, PATH)
    at = text.index("charge(o.")
    titles = [a.title for a in code_actions(analysis, Span(at, at))]
    assert titles == ["retry with policy quick", "retry with policy slow"]
    after = rewritten(text, "charge(o.", "retry with policy slow")
    assert "do charge(o.order_id, (o.amount)) with slow timeout 1h" in after


def test_without_a_policy_a_new_one_is_declared():
    text = HEAD + '''\
workflow Order on OrderPlaced as o key order_id {
    do charge(o.order_id, o.amount)
}
'''
    after = rewritten(text, "do charge", "wrap in a new retry policy")
    assert ('"shop_handlers:charge"\n\npolicy retry_charge = retry(attempts: 3, backoff: exponential(100ms, '
            'factor: 2.0, max: 10s))\n') in after
    assert "do charge(o.order_id, o.amount) with retry_charge\n" in after


# ---------------------------------------------------------------- removing what is unused

def test_an_unused_handler_goes_with_its_comment_and_an_unused_policy_too():
    text = '''\
module m
event E { id: str }

# Never called.
# Really.
handler h() -> bool = "m:h"

policy p = retry(
    attempts: 2,
    backoff: fixed(1s),
)

on E as e { }
'''
    after = fixed(text, "N218", "remove the unused handler h")
    assert after == ('module m\nevent E { id: str }\n\n'
                     'policy p = retry(\n    attempts: 2,\n    backoff: fixed(1s),\n)\n\non E as e { }\n')
    after = fixed(after, "N218", "remove the unused policy p")
    assert after == "module m\nevent E { id: str }\n\non E as e { }\n"


def test_unused_variables_and_imports_are_removed():
    text = '''\
import std.saga
event E { id: str }
handler h() -> bool = "m:h"
workflow W on E as e key id {
    let unused = 1  # a note
    let result = do h()
    try { do h() } catch Timeout as err { }
}
'''
    after = fixed(text, "N219", "remove the unused import")
    assert after.startswith("event E")
    after = fixed(after, "N217", "remove the unused variable unused")
    assert "let unused" not in after and "a note" not in after
    after = fixed(after, "N217", "remove the unused variable result (keep the call)")
    assert "    do h()\n" in after
    after = fixed(after, "N217", "remove the unused error variable err")
    assert "catch Timeout { }" in after


def test_an_assigned_variable_and_a_parameter_are_not_removed():
    text = 'workflow W(id: str, extra: int) key id {\n    let x = 1\n    x = 2\n}\n'
    analysis = analyze(text, PATH)
    hints = [d for d in analysis.diagnostics if d.code == "N217"]
    assert len(hints) == 2
    assert not [a for d in hints for a in code_actions(analysis, d.span) if a.diagnostic is d]


# ---------------------------------------------------------------- property over the examples

UNMASKED = ("W426",)
"""Checks a declaration makes possible: a variable of an undeclared event has no type, so a
migration cannot compare it with the next version's until the event is declared."""


def _damaged(draw, text: str) -> str:
    """The example with a used name misspelt or a declaration (or a line) deleted."""
    analysis = analyze(text)
    module = analysis.module
    kind = draw(st.sampled_from(["rename", "delete_decl", "unused"]))
    if kind == "rename":
        refs = [r for r in analysis.model.references if not r.is_definition and r.symbol.path is None
                and r.symbol.kind.value in ("event", "handler", "field", "policy")]
        if refs:
            ref = draw(st.sampled_from(refs))
            return text[:ref.span.start] + text[ref.span.start:ref.span.end] + "x" + text[ref.span.end:]
    decls = [d for d in module.decls if isinstance(d, (ast.EventDecl, ast.HandlerDecl, ast.PolicyDecl))]
    if kind == "delete_decl" and decls:
        decl = draw(st.sampled_from(decls))
        return text[:decl.span.start] + text[decl.span.end:]
    stmts = [s for b in module.walk() if isinstance(b, ast.Block) for s in b.stmts]
    if stmts:
        stmt = draw(st.sampled_from(stmts))
        return text[:stmt.span.start] + "let unused_x = 1\n" + text[stmt.span.start:]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_action_on_a_damaged_example_applies_cleanly(data):
    path = data.draw(st.sampled_from(EXAMPLES))
    text = _damaged(data.draw, path.read_text(encoding="utf-8"))
    before = analyze(text, path)
    places = [d.span for d in before.diagnostics]
    places += [n.span for n in before.module.walk() if isinstance(n, (ast.Await, ast.Select, ast.DoStep))]
    for span in places:
        for action in code_actions(before, span):
            after_text = apply(text, action)
            after = analyze(after_text, path)
            assert not [d for d in after.diagnostics if d.code.startswith("P")], (action, after_text)
            grown = errors(after) - errors(before)
            if action.diagnostic is not None:
                del grown[action.diagnostic.code]
                if action.diagnostic.code in ("N202", "N203"):
                    for code in UNMASKED:
                        del grown[code]
                if action.diagnostic.is_error:
                    assert errors(after)[action.diagnostic.code] < errors(before)[action.diagnostic.code], action
            assert not grown, (action.title, grown, after_text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_clean_example_offers_only_rewrites(path):
    text = path.read_text(encoding="utf-8")
    analysis = analyze(text, path)
    for stmt in analysis.module.walk():
        if isinstance(stmt, ast.Stmt):
            for action in code_actions(analysis, Span(stmt.span.start, stmt.span.start)):
                assert action.kind == "refactor.rewrite" and action.diagnostic is None
                after = analyze(apply(text, action), path)
                assert not errors(after), action
