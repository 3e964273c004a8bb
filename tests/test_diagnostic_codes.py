"""Every diagnostic code is exercised by a golden file and documented, in one place."""

from __future__ import annotations

import re
from pathlib import Path

import coordlang.analysis.hints  # noqa: F401  (registers the hints' codes)
import coordlang.semantics  # noqa: F401  (registers the checker's codes)
import coordlang.syntax  # noqa: F401
from coordlang.diagnostics import CODES, render_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_every_code_has_a_golden_case() -> None:
    expected: set[str] = set()
    for path in (ROOT / "tests").rglob("*.coord"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#:"):
                expected.update(re.findall(r"\b[PNTWRO]\d{3}\b", line))
    missing = sorted(set(CODES) - expected)
    assert not missing, f"codes with no golden case under tests/: {missing}"


def test_docs_list_every_code_as_generated() -> None:
    docs = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert docs == render_markdown(), "regenerate: python -m coordlang.diagnostics > docs/diagnostics.md"
