"""Golden diagnostics: every ``golden/*.coord`` file announces its diagnostics inline."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.diagnostics import CODES
from coordlang.semantics import ModuleCache, check
from coordlang.syntax import parse
from .expectations import actual, expected, rewrite

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = sorted(GOLDEN.glob("*.coord"))


def _diagnostics(path: Path, text: str):
    result = parse(text)
    model = check(result, path, cache=ModuleCache())
    return [*result.diagnostics, *model.diagnostics]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path: Path, request: pytest.FixtureRequest) -> None:
    text = path.read_text(encoding="utf-8")
    diagnostics = _diagnostics(path, text)
    if request.config.getoption("--update-goldens"):
        updated = rewrite(text, diagnostics)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
        return
    want = expected(text)
    got = actual(diagnostics, text)
    missing = sorted(want - got)
    unexpected = sorted(got - want)
    details = [f"  line {line}: {d.code} {d.message}" for d in diagnostics
               for line, code in unexpected
               if code == d.code and text.count("\n", 0, d.span.start) + 1 == line]
    assert not missing and not unexpected, (
        f"missing {missing}, unexpected {unexpected}\n" + "\n".join(details))


def test_every_checker_code_has_a_golden() -> None:
    seen: set[str] = set()
    for path in FILES:
        seen |= {code for _, code in expected(path.read_text(encoding="utf-8"))}
    registered = {code for code in CODES if code[0] in "NTW"}
    assert registered - seen == set(), f"codes without a golden file: {sorted(registered - seen)}"


def test_every_checker_code_is_documented() -> None:
    for code in (c for c in CODES.values() if c.code[0] in "NTW"):
        assert code.title and code.explanation and code.example, code.code


def test_every_checker_code_is_in_the_docs() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    for code in (c for c in CODES.values() if c.code[0] in "NTW"):
        assert f"### {code.code} — {code.title}" in docs, (
            f"{code.code} is missing from docs/diagnostics.md: regenerate it")
