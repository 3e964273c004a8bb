"""The checker on damaged and generated programs: it never raises, and it adds nothing where
the parser left a hole."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given

from coordlang.semantics import ModuleCache, check
from coordlang.syntax import ast, parse

from mutations import mutated_programs, token_soup  # noqa: I001  (tests/ is on sys.path)
from strategies import modules

ROOT = Path(__file__).resolve().parents[2]
# Imports of the seeds resolve beside the examples, so the damaged imports are real ones.
HOME = ROOT / "examples" / "travel_booking" / "damaged.coord"
_CACHE = ModuleCache()
_ERRORS = (ast.ErrorExpr, ast.ErrorStmt, ast.ErrorItem, ast.ErrorDecl)


def _check_invariants(text: str, path: Path | None) -> None:
    result = parse(text)
    model = check(result, path, cache=_CACHE)
    starts = [r.span.start for r in model.references]
    assert starts == sorted(starts)
    for d in model.diagnostics:
        assert 0 <= d.span.start <= d.span.end <= len(text), d
    holes = [n.span for n in result.module.walk() if isinstance(n, _ERRORS)]
    for d in model.diagnostics:
        for hole in holes:
            assert not (hole.start <= d.span.start and d.span.end <= hole.end and d.span != result.module.span), (
                f"{d.code} {d.message!r} inside an error node at {hole}")
    for offset in (0, len(text) // 2, len(text)):
        model.scope_at(offset)
        model.reference_at(offset)


@given(mutated_programs())
def test_damaged_programs(text: str) -> None:
    _check_invariants(text, HOME)


@given(token_soup())
def test_token_soup(text: str) -> None:
    _check_invariants(text, None)


@given(modules())
def test_generated_modules(text: str) -> None:
    _check_invariants(text, None)
