from __future__ import annotations

from coordlang.analysis.highlight import TOKEN_TYPES, semantic_tokens
from coordlang.analysis.outline import folding_ranges, outline
from coordlang.syntax import parse

SOURCE = '''\
# Orders.
# Two comment lines fold.
event OrderPlaced { order_id: str, amount: float }
handler charge(order_id: str, amount: float) -> float = "shop:charge" timeout 5s
policy quick = retry(attempts: 3, backoff: fixed(1s))
workflow Order on OrderPlaced as o key order_id version 2 {
    let paid = do charge(o.order_id, o.amount) with quick
    label wait_payment
    await OrderPlaced as again within 1h
    parallel {
        { complete paid }
        { fail "no {o.order_id}" }
    }
}
'''


def test_outline_lists_declarations_with_parts() -> None:
    items = outline(parse(SOURCE).module)
    assert [(i.kind, i.name) for i in items] == [
        ("event", "OrderPlaced"), ("handler", "charge"), ("policy", "quick"), ("workflow", "Order")]
    event, handler, _, workflow = items
    assert [c.name for c in event.children] == ["order_id", "amount"]
    assert handler.detail == "(order_id: str, amount: float) -> float = 'shop:charge'"
    assert workflow.detail == "on OrderPlaced key order_id version 2"
    assert [(c.kind, c.name) for c in workflow.children] == [("variable", "paid"), ("label", "wait_payment")]
    assert SOURCE[workflow.selection.start:workflow.selection.end] == "Order"


def test_folding_ranges_cover_blocks_and_comment_runs() -> None:
    r = parse(SOURCE)
    ranges = {(f.start_line, f.end_line, f.kind) for f in folding_ranges(r.module, r.comments, r.lines)}
    assert (0, 1, "comment") in ranges
    assert (5, 13, "region") in ranges  # the workflow body
    assert (9, 12, "region") in ranges  # parallel


def test_semantic_tokens_classify_names_by_role() -> None:
    r = parse(SOURCE)
    tokens = semantic_tokens(r.module, r.tokens, r.comments)
    by_text = {}
    for t in tokens:
        by_text.setdefault(SOURCE[t.span.start:t.span.end], t.type)
        assert t.type in TOKEN_TYPES
    assert by_text["OrderPlaced"] == "type"
    assert by_text["charge"] == "function"
    assert by_text["quick"] == "variable"
    assert by_text["Order"] == "class"
    assert by_text["wait_payment"] == "enumMember"
    assert by_text["timeout"] == "modifier"
    assert by_text["5s"] == "number"
    assert by_text["# Orders."] == "comment"
    starts = [t.span.start for t in tokens]
    assert starts == sorted(starts)
    for a, b in zip(tokens, tokens[1:]):
        assert a.span.end <= b.span.start, "semantic tokens must not overlap"


def test_interpolated_strings_are_split_around_expressions() -> None:
    r = parse(SOURCE)
    tokens = semantic_tokens(r.module, r.tokens, r.comments)
    line = SOURCE.index('"no {o.order_id}"')
    inside = [(SOURCE[t.span.start:t.span.end], t.type) for t in tokens if line <= t.span.start < line + 20]
    assert inside == [('"no ', "string"), ("o", "variable"), ("order_id", "property"), ('"', "string")]
