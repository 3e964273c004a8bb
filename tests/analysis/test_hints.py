"""Optimization hints (``coordlang.analysis.hints``): each hint where it belongs and not where it
does not, and each quick fix applied and re-analysed (it parses, the hint is gone, nothing worse
appears)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.analysis import analyze
from coordlang.diagnostics import Diagnostic, Fix, Severity
from semantics.expectations import actual, expected

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"

HEADER = """\
event Order { id: str, amount: float, sku: str }
event Paid { id: str, amount: float }
event Declined { id: str, reason: str }
handler rate(amount: float) -> float = "m:rate"
handler stock(sku: str) -> int = "m:stock"
handler reserve(id: str, n: int) -> bool = "m:reserve" idempotent
handler release(id: str) -> bool = "m:release"
handler mail(id: str, text: str) -> bool = "m:mail" timeout 2s
handler stamp(id: str) -> time = "m:stamp"
handler log(id: str) = "m:log"
handler fast(amount: float) -> float = "m:fast" jit
"""


def workflow(body: str) -> str:
    lines = "".join(f"    {line}\n" if line else "\n" for line in body.strip("\n").split("\n"))
    return HEADER + "workflow W on Order as o key id {\n" + lines + "}\n"


def hints(text: str, code: str | None = None) -> list[Diagnostic]:
    return [d for d in analyze(text).diagnostics if d.code.startswith("O") and (code is None or d.code == code)]


def apply(text: str, fix: Fix) -> str:
    for edit in sorted(fix.edits, key=lambda e: e.span.start, reverse=True):
        text = text[:edit.span.start] + edit.new_text + text[edit.span.end:]
    return text


def applied(text: str, code: str) -> str:
    """``text`` with the one quick fix of its one ``code`` hint applied, checked: the result has
    no parse error, no error and no warning it did not have, and not that hint any more."""
    found = hints(text, code)
    assert len(found) == 1, found
    assert len(found[0].fixes) == 1
    fixed = apply(text, found[0].fixes[0])
    before = analyze(text)
    after = analyze(fixed)
    assert not after.parse.diagnostics, (fixed, after.parse.diagnostics)
    worse = {(d.code, d.message) for d in after.diagnostics if d.severity >= Severity.WARNING} - {
        (d.code, d.message) for d in before.diagnostics if d.severity >= Severity.WARNING}
    assert not worse, (fixed, worse)
    assert not hints(fixed, code), fixed
    return fixed


# ---------------------------------------------------------------- O601 parallel

def test_independent_steps_are_hinted_and_the_fix_runs_them_in_parallel() -> None:
    text = workflow("""
let r = do rate(o.amount)
let n = do stock(o.sku)
do release(o.id)
complete r + n
""")
    [hint] = hints(text, "O601")
    assert hint.severity is Severity.HINT
    assert "3 do steps" in hint.message and len(hint.related) == 2
    fixed = applied(text, "O601")
    assert "let r: float = 0.0\n    let n: int = 0\n    parallel {\n" in fixed
    assert "        { r = do rate(o.amount) }\n        { n = do stock(o.sku) }\n        { do release(o.id) }\n" in fixed


def test_a_step_reading_anothers_result_is_not_hinted() -> None:
    text = workflow("""
let n = do stock(o.sku)
do reserve(o.id, n)
""")
    assert hints(text, "O601") == []


def test_the_dependence_splits_the_run() -> None:
    text = workflow("""
let n = do stock(o.sku)
let r = do rate(o.amount)
do reserve(o.id, n)
do release(o.id)
""")
    first, second = hints(text, "O601")
    assert "2 do steps" in first.message
    assert text[first.span.start:first.span.end] == "let n = do stock"
    assert [text[r.span.start:r.span.end] for r in first.related] == ["let r = do rate"]
    # reserve reads n: it starts a group of its own, with release.
    assert text[second.span.start:second.span.end] == "do reserve"
    fixed = apply(text, first.fixes[0])
    assert not analyze(fixed).parse.diagnostics
    [left] = hints(fixed, "O601")
    assert fixed[left.span.start:left.span.end] == "do reserve"


def test_compensated_steps_repeated_handlers_and_single_steps_are_not_hinted() -> None:
    compensated = workflow("""
let r = do rate(o.amount) compensate release(o.id)
let n = do stock(o.sku)
""")
    repeated = workflow("""
do release(o.id)
do release("other")
""")
    single = workflow("""
let r = do rate(o.amount)
let x = r + 1.0
let n = do stock(o.sku)
""")
    for text in (compensated, repeated, single):
        assert hints(text, "O601") == [], text


def test_steps_outside_workflows_are_not_hinted() -> None:
    text = HEADER + "on Order as o {\n    let r = do rate(o.amount)\n    let n = do stock(o.sku)\n}\n"
    assert hints(text, "O601") == []


def test_no_fix_when_a_variable_has_no_default_or_a_comment_sits_between() -> None:
    no_default = workflow("""
let t = do stamp(o.id)
let n = do stock(o.sku)
""")
    comment = workflow("""
do release(o.id)
# keep me
let n = do stock(o.sku)
""")
    for text in (no_default, comment):
        [hint] = hints(text, "O601")
        assert hint.fixes == ()


# ---------------------------------------------------------------- O602 batch / jit

def test_a_plain_handler_in_a_reaction_is_hinted_and_declared_batch() -> None:
    text = HEADER + "on Order as o {\n    let r = do rate(o.amount)\n    do release(o.id)\n}\n"
    found = hints(text, "O602")
    assert sorted(text[d.span.start:d.span.end] for d in found) == ["rate", "release"]
    [rate] = [d for d in found if text[d.span.start:d.span.end] == "rate"]
    [release] = [d for d in found if d is not rate]
    assert len(rate.fixes) == 1 and len(release.fixes) == 1
    fixed = apply(text, rate.fixes[0])
    assert 'handler rate(amount: float) -> float = "m:rate" batch\n' in fixed
    after = analyze(fixed)
    assert not [d for d in after.diagnostics if d.severity >= Severity.WARNING]
    assert [fixed[d.span.start:d.span.end] for d in hints(fixed, "O602")] == ["release"]


def test_jit_batch_timeout_workflow_calls_and_unbatchable_signatures() -> None:
    reaction = HEADER + ("on Order as o {\n    let f = do fast(o.amount)\n    do mail(o.id, \"x\")\n"
                         "    let t = do stamp(o.id)\n    do log(o.id)\n}\n")
    found = hints(reaction, "O602")
    # fast is jit and mail has a timeout (an async handler): not hinted; stamp returns a time,
    # which a batch array carries; log returns nothing, so it cannot be declared batch.
    assert sorted(reaction[d.span.start:d.span.end] for d in found) == ["log", "stamp"]
    assert [d.fixes for d in found if reaction[d.span.start:d.span.end] == "log"] == [()]
    assert hints(workflow("let r = do rate(o.amount)\ncomplete r"), "O602") == []


# ---------------------------------------------------------------- O603 always true

def test_an_always_true_where_is_hinted_and_removed() -> None:
    text = workflow("""
await Paid as p where 1 < 2
complete p.amount
""")
    [hint] = hints(text, "O603")
    assert text[hint.span.start:hint.span.end] == "1 < 2"
    fixed = applied(text, "O603")
    assert "await Paid as p\n" in fixed


def test_always_true_conditions_of_if_select_reaction_and_when() -> None:
    text = workflow("""
if true or o.amount > 1.0 { } else { complete 0.0 }
select {
    on Paid as p where not false { }
    after 1h { }
}
""") + "on Paid as q where true { }\n" + (
        "stream S from Order as r by id window count(2) {\n    when 1 == 1 emit Declined { id: key, reason: \"x\" }\n}\n")
    found = hints(text, "O603")
    assert sorted(text[d.span.start:d.span.end] for d in found) == ["1 == 1", "not false", "true", "true or o.amount > 1.0"]


def test_conditions_that_depend_on_data_and_always_false_ones_are_not_hinted_here() -> None:
    text = workflow("""
if o.amount > 1.0 { }
if 1 > 2 { }
await Paid as p where p.amount > o.amount
""")
    assert hints(text, "O603") == []
    assert [d.code for d in analyze(text).diagnostics if "always" in d.message] == ["W427"]


# ---------------------------------------------------------------- O604 select timeout

def test_a_select_without_timeout_gets_one() -> None:
    text = workflow("""
select {
    on Paid as p { }
    on Declined as d { fail "declined: {d.reason}" }
}
complete 1.0
""")
    [hint] = hints(text, "O604")
    assert hint.severity is Severity.INFO
    assert text[hint.span.start:hint.span.end] == "select"
    fixed = applied(text, "O604")
    assert '        on Declined as d { fail "declined: {d.reason}" }\n        after 1h { fail' in fixed


def test_selects_with_a_timer_are_not_hinted() -> None:
    after = workflow("select {\n    on Paid as p { }\n    after 5m { }\n}")
    raced = workflow("race {\n    { select {\n        on Paid as p { }\n    } }\n    { sleep 1h }\n}")
    assert hints(after, "O604") == [] and hints(raced, "O604") == []
    unraced = workflow("race {\n    { select {\n        on Paid as p { }\n    } }\n    { await Declined as d }\n}")
    assert len(hints(unraced, "O604")) == 1


# ---------------------------------------------------------------- the pass as a whole

def test_no_hints_on_a_document_with_syntax_errors() -> None:
    text = workflow("select {\n    on Paid as p { }\n}\nlet x = = 1")
    assert hints(text) == []


def test_retries_against_a_timeout_stay_the_checkers_w413() -> None:
    text = HEADER.replace('"m:rate"', '"m:rate" timeout 1s') + (
        "policy p = retry(attempts: 5, backoff: fixed(1s))\n"
        "workflow W on Order as o key id {\n    let r = do rate(o.amount) with p timeout 2s\n    complete r\n}\n")
    codes = [d.code for d in analyze(text).diagnostics]
    assert "W413" in codes and not [c for c in codes if c.startswith("O")]


GOLDENS = sorted(GOLDEN.glob("*.coord"))


@pytest.mark.parametrize("path", GOLDENS, ids=[p.stem for p in GOLDENS])
def test_golden(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert actual(analyze(text, path).diagnostics, text) == expected(text)


EXAMPLES = sorted((ROOT / "examples").glob("*/*.coord"))


def test_the_examples_get_only_the_hints_we_defend() -> None:
    found = {(p.name, text[d.span.start:d.span.end], d.code)
             for p in EXAMPLES for text in [p.read_text(encoding="utf-8")]
             for d in analyze(text, p.resolve()).diagnostics if d.code.startswith("O")}
    # Plain, synchronous, per-event functions called from reactions: batch candidates.
    assert found == {("service_choreography.coord", "reserve_stock", "O602"),
                     ("service_choreography.coord", "release_stock", "O602"),
                     ("service_choreography.coord", "pick_carrier", "O602")}


def test_the_parallel_fix_keeps_a_multi_line_step_inside_a_nested_block() -> None:
    text = workflow("""
if o.amount > 1.0 {
    let r = do rate(
        o.amount,
    )
    do release(o.id)
    complete r
}
""")
    fixed = applied(text, "O601")
    assert "        let r: float = 0.0\n        parallel {\n            { r = do rate(\n                o.amount,\n            ) }\n" in fixed
