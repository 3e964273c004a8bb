"""Golden parse trees: each ``cases/*.coord`` beside its ``.ast`` (the diagnostics with source
excerpts, then the tree). ``pytest --update-goldens`` rewrites the ``.ast`` files.

Each case also states its diagnostics inline (``#: P101`` above the line, see
``expectations.py``): exactly those, one per mistake, must be reported. A case without
markers must parse clean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.syntax import parse
from coordlang.syntax.dump import dump, render_diagnostics

from . import expectations
from .corpus import case_files, read


def golden_text(path: Path) -> str:
    text = read(path)
    result = parse(text)
    diagnostics = render_diagnostics(result.diagnostics, text) or "(none)\n"
    return (f"# {path.name}: parser diagnostics\n{diagnostics}\n"
            f"# {path.name}: syntax tree\n{dump(result.module, text)}")


CASES = case_files()


def test_there_are_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_tree(path: Path, golden) -> None:
    golden.check(path.with_suffix(".ast"), golden_text(path))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_inline_expectations(path: Path) -> None:
    text = read(path)
    wanted = expectations.expected(text)
    got = expectations.actual(parse(text).diagnostics, text, wanted)
    assert got == wanted, render_diagnostics(parse(text).diagnostics, text)


def test_no_stale_goldens() -> None:
    stale = [p.name for p in CASES[0].parent.glob("*.ast") if not p.with_suffix(".coord").exists()]
    assert not stale, f"golden files without a case: {stale}"
