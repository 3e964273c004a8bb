"""Definition, references, hover, signature help and completion over real documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.analysis import (
    analyze, completions, definition, hover, references, signature_help, symbol_at,
)

ROOT = Path(__file__).resolve().parents[2]
ORDER = ROOT / "examples" / "order_saga" / "order_saga.coord"

COMMON = ('event Booked { trip: str, price: float }\nevent Repriced { trip: str, price: float }\n'
          'handler pay(trip: str) -> bool = "m:pay"\n')
MAIN = '''\
import "common.coord"
policy twice = retry(attempts: 2, backoff: fixed(1s))
workflow Trip on Booked as b key trip {
    let ok = do pay(b.trip) with twice
    label waiting
    await Repriced as again where again.price > b.price within 1h else { fail "late {b.trip}" }
    complete ok
}
'''


@pytest.fixture
def project(tmp_path: Path):
    (tmp_path / "common.coord").write_text(COMMON)
    main = tmp_path / "main.coord"
    main.write_text(MAIN)
    return analyze(MAIN, main), main, tmp_path


def at(text: str, needle: str, delta: int = 1) -> int:
    return text.index(needle) + delta


def test_the_project_checks_clean(project) -> None:
    analysis, _, _ = project
    assert [d.code for d in analysis.diagnostics] == []


def test_definition_crosses_imports(project) -> None:
    analysis, _, folder = project
    loc = definition(analysis, at(MAIN, "pay(b"))
    assert loc.path == (folder / "common.coord").resolve() or loc.path == folder / "common.coord"
    assert COMMON[loc.span.start:loc.span.end] == "pay"


def test_definition_of_a_field_and_a_local(project) -> None:
    analysis, main, folder = project
    field = definition(analysis, at(MAIN, "price > b") )
    assert COMMON[field.span.start:field.span.end] == "price"
    local = definition(analysis, at(MAIN, "ok\n}"))
    assert local.path == main and MAIN[local.span.start:local.span.end] == "ok"
    assert local.span.start == MAIN.index("let ok") + 4


def test_references_include_the_declaration(project) -> None:
    analysis, _, _ = project
    spans = [MAIN[r.span.start:r.span.end] for r in references(analysis, at(MAIN, "b key"))]
    assert spans == ["b"] * 4
    without = references(analysis, at(MAIN, "b key"), include_declaration=False)
    assert len(without) == 3


def test_symbol_at_the_end_of_a_word(project) -> None:
    analysis, _, _ = project
    symbol, span = symbol_at(analysis, MAIN.index("twice\n") + len("twice"))
    assert symbol.name == "twice" and MAIN[span.start:span.end] == "twice"


def test_hover_on_policy_shows_worst_case(project) -> None:
    analysis, _, _ = project
    text = hover(analysis, at(MAIN, "twice\n")).markdown
    assert "policy twice = retry(attempts: 2" in text
    assert "2 attempts; the delays between them add up to at most 1s" in text


def test_hover_on_handler_shows_binding_and_origin(project) -> None:
    analysis, _, _ = project
    text = hover(analysis, at(MAIN, "pay(b")).markdown
    assert 'handler pay(trip: str) -> bool = "m:pay"' in text
    assert "Python: `m:pay`" in text
    assert "declared in `common.coord`" in text


def test_hover_on_event_variable_lists_fields(project) -> None:
    analysis, _, _ = project
    text = hover(analysis, at(MAIN, "b.trip", 0)).markdown
    assert "b: Booked" in text and "`price: float`" in text


def test_hover_on_duration_literal(project) -> None:
    analysis, _, _ = project
    assert "3600 seconds" in hover(analysis, at(MAIN, "1h")).markdown


def test_hover_on_nothing(project) -> None:
    analysis, _, _ = project
    assert hover(analysis, at(MAIN, "    let", 1)) is None


def test_signature_help_tracks_the_argument() -> None:
    text = ORDER.read_text()
    analysis = analyze(text, ORDER)
    offset = text.index("charge(o.order_id, o.amount)") + len("charge(o.order_id, ")
    sig = signature_help(analysis, offset)
    assert sig.label == "charge(order_id: str, amount: float) -> float"
    assert sig.active == 1


def _complete(text: str, path: Path, marker: str, insert: str) -> list[str]:
    i = text.index(marker) + len(marker)
    edited = text[:i] + insert + text[i:]
    return [item.label for item in completions(analyze(edited, path), i + len(insert)).items]


@pytest.mark.parametrize("insert,expected", [
    ("    let q = o.", ["order_id", "customer", "amount", "items", "vip"]),
    ("    do ", ["charge", "refund", "score", "send_mail", "ship"]),
    ("    await ", ["Delivered", "OrderPlaced", "PaymentFailed", "PaymentOk"]),
    ("    emit PaymentOk { order_id: o.order_id, ", ["amount"]),
    ("    let z = ri", ["risk"]),
    ("    let p = do charge(o.order_id, o.amount) with ", ["transient"]),
    ("    let c = call ", ["Notify"]),
    ("    try { } catch ", ["Timeout", "HandlerError", "ChildFailed", "Cancelled", "Failed"]),
])
def test_completion_in_a_workflow(insert: str, expected: list[str]) -> None:
    labels = _complete(ORDER.read_text(), ORDER, "let risk = do score(o.amount, o.items)\n", insert)
    assert labels == expected


def test_statement_completion_offers_snippets_and_variables() -> None:
    labels = _complete(ORDER.read_text(), ORDER, "let risk = do score(o.amount, o.items)\n", "    ")
    assert {"let", "await", "select", "parallel", "emit", "complete", "fail"} <= set(labels)
    assert {"o", "risk"} <= set(labels)


def test_migrate_labels() -> None:
    text = ORDER.read_text()
    assert _complete(text, ORDER, "migrate Order 1 -> 2 { ", "") == ["wait_delivery", "wait_payment"]


def test_completion_after_dot_on_an_error_variable() -> None:
    text = ORDER.read_text()
    labels = _complete(text, ORDER, "let risk = do score(o.amount, o.items)\n",
                       "    try { do refund(o.order_id, 1.0) } catch HandlerError as e { fail e.")
    assert labels == ["kind", "message", "type"]
