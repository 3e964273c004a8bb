"""The valid corpus: every example and every standard library module checks clean (hints such
as an unused import are allowed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.diagnostics import Severity
from coordlang.semantics import ModuleCache, check
from coordlang.syntax import parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted([*ROOT.glob("examples/**/*.coord"), *ROOT.glob("coordlang/std/*.coord")])


@pytest.mark.parametrize("path", CORPUS, ids=[str(p.relative_to(ROOT)) for p in CORPUS])
def test_checks_clean(path: Path) -> None:
    result = parse(path.read_text(encoding="utf-8"))
    model = check(result, path, cache=ModuleCache())
    problems = [f"{result.lines.position(d.span.start).line + 1}: {d.code} {d.message}"
                for d in [*result.diagnostics, *model.diagnostics] if d.severity > Severity.HINT]
    assert problems == []
