"""The semantic model's queries: symbols, references, scopes, types, workflows."""

from __future__ import annotations

import bisect

import pytest

from coordlang.semantics import (
    BOOL, FLOAT, STR, ErrorValueType, EventType, ModuleCache, SymbolKind, check, check_source,
)
from coordlang.syntax import ast, parse

SOURCE = '''\
module shop.orders
event OrderPlaced { order_id: str, customer: str, amount: float, vip: bool }
event PaymentOk { order_id: str, amount: float }
handler charge(order_id: str, amount: float) -> float = "shop.pay:charge" timeout 5s
handler refund(order_id: str, amount: float) -> bool = "shop.pay:refund"
policy transient = retry(attempts: 5, backoff: exponential(100ms, factor: 2.0, max: 10s))

workflow Order on OrderPlaced as o key order_id version 2 -> float {
    let paid = do charge(o.order_id, o.amount) with transient compensate refund(o.order_id, paid)
    label wait_payment
    await PaymentOk as p where p.amount >= paid within 1h else {
        fail "late"
    }
    if o.vip {
        let bonus = paid * 0.1
        complete bonus
    }
    try {
        select {
            on PaymentOk as again where again.amount > 0.0 { }
            after 5m { }
        }
    } catch Timeout as e {
        fail e.message
    }
    complete p.amount
}

stream Totals from PaymentOk as r by order_id window tumbling(1m) {
    let total = sum(r.amount)
    when total > 10.0 emit PaymentOk { order_id: key, amount: total }
}
'''


@pytest.fixture(scope="module")
def model():
    result = parse(SOURCE)
    assert not result.diagnostics
    return check(result, None, cache=ModuleCache())


def at(text: str, nth: int = 0) -> int:
    """The offset of the ``nth`` occurrence of ``text`` in SOURCE."""
    offset = -1
    for _ in range(nth + 1):
        offset = SOURCE.index(text, offset + 1)
    return offset


def test_clean(model) -> None:
    assert model.diagnostics == ()
    assert model.module_name == "shop.orders"


def test_symbols(model) -> None:
    by_name = {(s.kind, s.name): s for s in model.symbols}
    order = by_name[(SymbolKind.WORKFLOW, "Order")]
    assert order.detail == "workflow Order on OrderPlaced as o key order_id version 2 -> float"
    assert isinstance(order.node, ast.WorkflowDecl) and order.container == "shop.orders"
    charge = by_name[(SymbolKind.HANDLER, "charge")]
    assert charge.detail == 'handler charge(order_id: str, amount: float) -> float = "shop.pay:charge" timeout 5s'
    assert SOURCE[charge.span.start:charge.span.end] == "charge"
    field = by_name[(SymbolKind.FIELD, "customer")]
    assert field.container == "OrderPlaced" and field.type is STR
    assert by_name[(SymbolKind.VARIABLE, "paid")].type is FLOAT
    assert by_name[(SymbolKind.VARIABLE, "paid")].container == "Order"
    assert by_name[(SymbolKind.LABEL, "wait_payment")].detail == "label wait_payment"
    assert isinstance(by_name[(SymbolKind.ERROR_VAR, "e")].type, ErrorValueType)
    assert "worst" not in by_name[(SymbolKind.POLICY, "transient")].detail
    assert "waits up to 1.5s" in by_name[(SymbolKind.POLICY, "transient")].detail
    starts = [s.span.start for s in model.symbols if s.path is None]
    assert len(starts) == len(model.symbols)


def test_references_are_sorted_and_resolved(model) -> None:
    starts = [r.span.start for r in model.references]
    assert starts == sorted(starts)
    for ref in model.references:
        assert SOURCE[ref.span.start:ref.span.end] == ref.symbol.name or ref.symbol.kind is SymbolKind.WORKFLOW
    # `paid` inside the compensation is the let being declared.
    ref = model.reference_at(at("paid)"))
    assert ref.symbol.kind is SymbolKind.VARIABLE and ref.symbol.name == "paid" and not ref.is_definition
    definition = model.reference_at(at("paid ="))
    assert definition.is_definition and definition.symbol is ref.symbol
    assert len(model.references_to(ref.symbol)) == 4  # the let, the compensation, the guard, the bonus
    # A field in a member access, the key in the header and `key` in the stream.
    assert model.reference_at(at("amount)", 0)).symbol.container == "OrderPlaced"
    assert model.reference_at(at("order_id version")).symbol.kind is SymbolKind.FIELD
    key = model.reference_at(at("key, amount"))
    assert key.symbol.kind is SymbolKind.KEY and key.symbol.type is STR
    assert model.reference_at(at("module")) is None


def test_reference_at_end_of_word(model) -> None:
    offset = at("transient compensate") + len("transient")
    assert model.reference_at(offset).symbol.kind is SymbolKind.POLICY


def test_scope_at(model) -> None:
    in_compensation = model.scope_at(at("paid)"))
    assert "paid" in in_compensation and "o" in in_compensation
    before_let = model.scope_at(at("let paid"))
    assert "paid" not in before_let and "o" in before_let and "OrderPlaced" in before_let
    in_guard = model.scope_at(at("p.amount >="))
    assert in_guard["p"].kind is SymbolKind.EVENT_VAR and "paid" in in_guard
    in_else = model.scope_at(at('fail "late"'))
    assert "p" not in in_else
    after_await = model.scope_at(at("if o.vip"))
    assert "p" in after_await and "bonus" not in after_await and "wait_payment" not in after_await
    in_branch = model.scope_at(at("complete bonus"))
    assert in_branch["bonus"].type == FLOAT
    in_clause = model.scope_at(at("again.amount"))
    assert "again" in in_clause
    assert "again" not in model.scope_at(at("after 5m"))
    in_catch = model.scope_at(at("fail e.message"))
    assert in_catch["e"].kind is SymbolKind.ERROR_VAR
    in_stream = model.scope_at(at("when total"))
    assert {"r", "key", "total"} <= set(in_stream) and "o" not in in_stream
    top = model.scope_at(0)
    assert set(top) == {"OrderPlaced", "PaymentOk", "charge", "refund", "transient", "Order", "Totals"}


def test_types(model) -> None:
    module = model.module
    members = [n for n in module.walk() if isinstance(n, ast.Member)]
    vip = next(m for m in members if m.name.name == "vip")
    assert model.type_of(vip) is BOOL
    assert model.type_at(vip.span) is BOOL
    assert isinstance(model.type_of(vip.obj), EventType)
    assert model.type_at(vip.obj.span).name == "OrderPlaced"
    guard = next(n for n in module.walk() if isinstance(n, ast.Await)).guard
    assert model.type_of(guard) is BOOL


def test_members_for_completion(model) -> None:
    o = model.scope_at(at("if o.vip"))["o"]
    event = model.event_type_of(o)
    names = [name for name, _, _ in model.members(event)]
    assert names == ["order_id", "customer", "amount", "vip"]
    assert all(symbol is not None and symbol.kind is SymbolKind.FIELD for _, _, symbol in model.members(event))
    e = model.scope_at(at("fail e.message"))["e"]
    assert [n for n, _, _ in model.members(e.type)] == ["kind", "message", "type"]
    assert model.members(STR) == ()


def test_workflows_and_wait_points(model) -> None:
    info = model.workflow("Order")
    assert (info.name, info.version, info.key) == ("Order", 2, "order_id")
    kinds = [(w.kind, w.label, w.events) for w in info.wait_points]
    assert kinds == [("await", "wait_payment", ("PaymentOk",)), ("select", None, ("PaymentOk",))]
    assert {s.name for s in info.wait_points[0].variables} == {"o", "paid"}
    assert set(info.labels) == {"wait_payment"}
    assert model.workflow("Order", 1) is None


def test_diagnostics_are_sorted_and_the_parsers_are_left_out() -> None:
    result, model = check_source("event E { id: str }\nworkflow W on E as e key id {\n    let x = totl\n"
                                 "    let y = = 2\n    complete zz\n}\n", cache=ModuleCache())
    assert [d.code for d in result.diagnostics] == ["P101"]
    assert [d.code for d in model.diagnostics] == ["N217", "N201", "N201"]
    starts = [(d.span.start, d.span.end, d.code) for d in model.diagnostics]
    assert starts == sorted(starts)
    assert not any(d.code.startswith("P") for d in model.diagnostics)


def test_unnecessary_flags() -> None:
    _, model = check_source("event E { id: str }\nworkflow W on E as e key id {\n    let x = 1\n"
                            '    fail "no"\n    complete\n}\n', cache=ModuleCache())
    flags = {d.code: d.unnecessary for d in model.diagnostics}
    assert flags == {"N217": True, "W404": True}


def test_references_bisect_like_the_analysis_api(model) -> None:
    starts = [r.span.start for r in model.references]
    offset = at("o.customer") if "o.customer" in SOURCE else at("o.amount")
    i = bisect.bisect_right(starts, offset) - 1
    assert model.references[i].symbol.name == "o"
