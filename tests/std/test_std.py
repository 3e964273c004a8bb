"""The standard pattern library (``coordlang/std/*.coord``).

Every module parses cleanly, declares ``module std.NAME`` after its file name, opens with a
header comment that documents each of its patterns with its exact signature and shows a ``use``
example that parses, and has no declaration name that another std module also declares (an
import brings names in unqualified, so two std modules imported together must not clash).
``docs/std.md`` lists every pattern with its exact parameters.

Every module checks with no errors (``coordlang.semantics.check_source``), keeps the
formatter's layout, and so does a program that imports the std modules and uses each of their
patterns: one module at a time, and all of them together.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import coordlang.format as fmt
from coordlang.semantics import check_source

from coordlang.syntax import ast, parse

REPO = Path(__file__).resolve().parents[2]
STD = REPO / "coordlang" / "std"
DOCS = REPO / "docs" / "std.md"
MODULES = sorted(p.stem for p in STD.glob("*.coord"))

# The library may grow; it may not shrink.
REQUIRED = {
    "saga", "circuit_breaker", "bulkhead", "rate_limit", "debounce", "throttle", "scatter_gather",
    "aggregator", "router", "splitter", "resequencer", "dead_letter", "idempotent_receiver",
    "claim_check", "retry_with_fallback", "timeout", "poll", "watchdog",
}


def _text(name: str) -> str:
    return (STD / f"{name}.coord").read_text(encoding="utf-8")


def _module(name: str) -> ast.Module:
    return parse(_text(name)).module


def _patterns(name: str) -> list[ast.PatternDecl]:
    return [d for d in _module(name).decls if isinstance(d, ast.PatternDecl)]


def _signature(decl: ast.PatternDecl) -> str:
    params = ", ".join(f"{p.name.name}: {p.type.name}" for p in decl.params if isinstance(p, ast.Param))
    return f"{decl.name.name}({params})"


def _header(name: str) -> str:
    """The comment lines before the first declaration, without their ``#``."""
    lines = []
    for line in _text(name).splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:])
    return "\n".join(lines)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_library_has_every_required_module() -> None:
    assert REQUIRED <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_parses_without_diagnostics(name: str) -> None:
    result = parse(_text(name))
    assert result.diagnostics == ()


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_its_name_first(name: str) -> None:
    decls = _module(name).decls
    assert isinstance(decls[0], ast.ModuleDecl), "the module declaration comes first, after the header"
    assert decls[0].name.text == f"std.{name}"


@pytest.mark.parametrize("name", MODULES)
def test_module_has_patterns_and_nothing_that_runs_on_import(name: str) -> None:
    decls = _module(name).decls
    assert _patterns(name), "a std module declares at least one pattern"
    # Importing a std module must not start anything: only events and patterns (no workflows,
    # reactions, streams, handlers bound to Python code, or policies a user might clash with).
    allowed = (ast.ModuleDecl, ast.EventDecl, ast.PatternDecl)
    assert all(isinstance(d, allowed) for d in decls), [type(d).__name__ for d in decls]


@pytest.mark.parametrize("name", MODULES)
def test_header_documents_the_pattern(name: str) -> None:
    header = _header(name)
    assert len(header.splitlines()) >= 10, "a header comment explains the pattern"
    assert header.lstrip().startswith(f"std.{name}:"), "the header opens with the module's name"
    for section in ("When:", "Example:", "Limits"):
        assert section in header, f"the header has a {section!r} section"
    flat = _flat(header)
    for decl in _patterns(name):
        assert _signature(decl) in flat, f"the header documents {_signature(decl)} exactly"


def _example(name: str) -> str:
    """The header's Example section, uncommented."""
    lines = _header(name).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Example:")
    body = []
    for line in lines[start + 1:]:
        if not line.strip() or not line.startswith("   "):
            break
        body.append(line[3:])
    return "\n".join(body)


@pytest.mark.parametrize("name", MODULES)
def test_header_example_parses(name: str) -> None:
    example = _example(name)
    assert "use " in example
    # Examples are either declarations or the statements of a workflow body.
    as_module = parse(example)
    if as_module.diagnostics:
        wrapped = parse("workflow Example on Started as s key id {\n" + example + "\n}\n")
        assert wrapped.diagnostics == (), example


@pytest.mark.parametrize("name", MODULES)
def test_module_is_in_canonical_format(name: str) -> None:
    """Std modules are read in editors (go to definition): they keep `coord fmt`'s layout, and
    their lines, comments included, fit its width."""
    text = _text(name)
    assert fmt.format_source(text) == text, f"run: coord fmt coordlang/std/{name}.coord"
    assert all(len(line) <= fmt.WIDTH for line in text.splitlines())


def test_declaration_names_are_unique_across_the_library() -> None:
    seen: dict[str, str] = {}
    for name in MODULES:
        for decl in _module(name).decls:
            ident = getattr(decl, "name", None)
            if not isinstance(ident, ast.Ident):
                continue
            assert ident.name not in seen, f"{ident.name} is declared by std.{seen.get(ident.name)} and std.{name}"
            seen[ident.name] = name


@pytest.mark.parametrize("name", MODULES)
def test_pattern_locals_are_prefixed(name: str) -> None:
    """Names a pattern body declares start with ``_``, so they cannot shadow or clash with the
    caller's names, whatever the expansion's scoping."""
    for decl in _patterns(name):
        for node in decl.body.walk():
            declared = []
            if isinstance(node, ast.Let):
                declared.append(node.name.name)
            elif isinstance(node, (ast.Await, ast.OnClause)):
                declared.append(node.var.name)
            elif isinstance(node, ast.For):
                declared.append(node.var.name)
            elif isinstance(node, ast.Catch) and node.var is not None:
                declared.append(node.var.name)
            for local in declared:
                assert local.startswith("_"), f"{decl.name.name} declares {local}"


def test_docs_list_every_pattern_with_its_parameters() -> None:
    docs = _flat(DOCS.read_text(encoding="utf-8"))
    assert "Standard library" in docs
    for name in MODULES:
        assert f"std.{name}" in docs
        for decl in _patterns(name):
            assert _signature(decl) in docs, f"docs/std.md lists {_signature(decl)}"


# ---------------------------------------------------------------- with the checker

def _check(text: str, path: Path) -> list[str]:
    """The parser's and the checker's errors and warnings for ``text``, saved at ``path`` so
    that imports resolve as they would for a file. (Hints, such as an unused handler of the
    shared prelude, are not problems.)"""
    path.write_text(text, encoding="utf-8")
    parsed, model = check_source(text, path)
    errors = []
    for d in (*parsed.diagnostics, *model.diagnostics):
        if d.severity.name in ("ERROR", "WARNING"):
            pos = parsed.lines.position(d.span.start)
            errors.append(f"{path.name}:{pos.line + 1}:{pos.column + 1}: {d.code} {d.message}")
    return errors


@pytest.mark.parametrize("name", MODULES)
def test_module_checks_clean(name: str) -> None:
    # Checked in place, as an import would load it; library code has no diagnostic at all.
    _, model = check_source(_text(name), STD / f"{name}.coord")
    assert [f"{d.code} {d.message}" for d in model.diagnostics] == []


# One shared prelude; each std module gets a workflow that uses every one of its patterns with
# arguments that satisfy the std conventions (handlers `(str) -> T`, `value: float`, `seq: int`).
PRELUDE = '''\
event OrderPlaced { order_id: str, customer: str, amount: float, items: int, country: str }
event Edited { order_id: str }
event Bid { order_id: str, value: float }
event Part { order_id: str, seq: int }
event QuoteRequested { order_id: str, amount: float }

handler act(id: str) -> bool = "shop:act"
handler quote(id: str) -> float = "shop:quote"
handler put(id: str) -> str = "shop:put"
handler charge(order_id: str, amount: float) -> float = "shop:charge" timeout 5s
handler refund(order_id: str, amount: float) -> bool = "shop:refund" idempotent

policy transient = retry(attempts: 3, backoff: exponential(100ms, factor: 2.0, max: 5s), jitter: full,
                         on: [Timeout, "ConnectionError"])
'''

USES = {
    "saga": '''
    use saga("order", o.order_id, {
        use step(act, act, o.order_id, transient)
        use step_with(act, act, o.order_id, transient, transient)
        let paid = do charge(o.order_id, o.amount) with transient compensate refund(o.order_id, paid)
    })''',
    "circuit_breaker": '''
    use circuit_breaker("payments", act, act, o.order_id, transient, 30s)
    use circuit("payments", o.order_id, 30s, { do charge(o.order_id, o.amount) with transient }, {
        fail "payments are down"
    })''',
    "bulkhead": '''
    parallel {
        { use bulkhead("mail", o.order_id, 30s, { do act(o.customer) }) }
        { use isolated("crm", act, o.order_id, transient, 1m) }
    }''',
    "rate_limit": '''
    use rate_limit(act, o.order_id, o.items, 10, 1s, transient)
    use paced(act, o.order_id, o.items, 100ms, transient)''',
    "debounce": '''
    use debounce(Edited, o.order_id, 30s, 5m, act)
    use debounced(Edited, 30s, 5m, { do act(o.order_id) })''',
    "throttle": '''
    use throttle(Edited, o.order_id, 10s, 5m, 100, act)''',
    "aggregator": '''
    use aggregator(Bid, o.order_id, o.items, 10m)''',
    "scatter_gather": '''
    use scatter_gather(o.order_id, { emit QuoteRequested { order_id: o.order_id, amount: o.amount } }, Bid, 3, 30s)
    use best_of(quote, quote, quote, o.order_id, transient, 30s)''',
    "router": '''
    use router("shipping", o.country, o.order_id, transient, "DE", act, "US", act)
    use router3("shipping", o.country, o.order_id, transient, "DE", act, "US", act, "FR", act)
    use routed("billing", o.country, o.order_id, "DE", { do charge(o.order_id, o.amount) }, "US", {
        emit Edited { order_id: o.order_id }
    })''',
    "splitter": '''
    use splitter(o.order_id, o.items)
    use split_each(o.order_id, o.items, act, transient)''',
    "resequencer": '''
    use resequencer(Part, o.order_id, o.items, 10m, act, transient)''',
    "dead_letter": '''
    use dead_letter("invoices", act, o.order_id, transient)
    use dead_letter_block("payments", o.order_id, { do charge(o.order_id, o.amount) with transient })''',
    "idempotent_receiver": '''
    use idempotent_receiver(Part, o.order_id, 1000, 1d, act, transient)''',
    "claim_check": '''
    use claim_check(put, act, o.order_id, transient)''',
    "retry_with_fallback": '''
    use retry_with_fallback(act, act, o.order_id, transient)
    use retry_block(3, 5s, o.order_id, { do charge(o.order_id, o.amount) }, { fail "no payment" })''',
    "poll": '''
    use poll(act, o.order_id, 30s, 10, transient)
    use poll_backoff(act, o.order_id, 5s, 2.0, 5m, 20, transient)
    use await_or_poll(Edited, act, o.order_id, 1m, 30, transient)''',
    "watchdog": '''
    use watchdog("telemetry", Edited, Part, o.order_id, 1m, 3, {
        do act(o.order_id)
    })''',
    "timeout": '''
    use deadline(15m, {
        do act(o.order_id) with transient
        await Edited as e
    }, {
        fail "not confirmed in time"
    })
    use deadline_or_fail(1h, { do charge(o.order_id, o.amount) with transient })''',
}

# Workflows started by the events std modules publish: their `id` field is the key.
CONSUMERS = {
    "splitter": "workflow PickLine on SplitPart as s key id {\n    do act(s.id) with transient\n}\n",
    "claim_check": "workflow Ocr on ClaimTicket as c key ticket {\n"
                   "    use redeem(act, act, c.ticket, transient)\n}\n",
    "dead_letter": 'on DeadLetter as d where d.channel == "invoices" {\n    do act(d.id)\n}\n',
    "aggregator": "on Aggregated as a where a.partial {\n    do act(a.id)\n}\n",
    "watchdog": "on WatchdogExpired as w {\n    do act(w.id)\n}\n",
}


def _program(names: list[str]) -> str:
    parts = [f"import std.{n}" for n in names] + ["", PRELUDE]
    for n in names:
        title = "".join(w.capitalize() for w in n.split("_"))
        parts.append(f"workflow Use{title} on OrderPlaced as o key order_id {{{USES[n]}\n}}\n")
        if n in CONSUMERS:
            parts.append(CONSUMERS[n])
    return "\n".join(parts)


def test_every_module_has_a_usage_program() -> None:
    assert set(USES) == set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_usage_program_parses(name: str) -> None:
    assert parse(_program([name])).diagnostics == ()


@pytest.mark.parametrize("name", MODULES)
def test_using_the_module_checks_clean(name: str, tmp_path: Path) -> None:
    errors = _check(_program([name]), tmp_path / f"use_{name}.coord")
    assert errors == [], errors


def test_all_modules_imported_together_check_clean(tmp_path: Path) -> None:
    errors = _check(_program(MODULES), tmp_path / "use_all.coord")
    assert errors == [], errors


def test_usage_mentions_every_pattern() -> None:
    for name in MODULES:
        used = set(re.findall(r"\buse (\w+)\(", USES[name] + CONSUMERS.get(name, "")))
        assert {d.name.name for d in _patterns(name)} <= used, name


# The conventions of docs/std.md are checked at the `use`: a handler of another shape, or an
# event without the field a pattern reads, is an error there.
MISUSES = {
    "handler with two parameters": ("saga", "use step(charge, refund, o.order_id, transient)", "charge"),
    "event without value": ("aggregator", "use aggregator(Part, o.order_id, 3, 1m)", "value"),
    "event without seq": ("resequencer", "use resequencer(Bid, o.order_id, 3, 1m, act, transient)", "seq"),
    "int where the id goes": ("dead_letter", 'use dead_letter("x", act, o.items, transient)', "str"),
}


@pytest.mark.parametrize("case", sorted(MISUSES))
def test_misuse_is_reported_at_the_use(case: str, tmp_path: Path) -> None:
    module, use, mentioned = MISUSES[case]
    text = (f"import std.{module}\n\n{PRELUDE}\n"
            f"workflow Misuse on OrderPlaced as o key order_id {{\n    {use}\n}}\n")
    line = text.splitlines().index(f"    {use}") + 1
    errors = _check(text, tmp_path / "misuse.coord")
    assert any(mentioned in e and f"misuse.coord:{line}:" in e for e in errors), errors
