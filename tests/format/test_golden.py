"""Golden before/after pairs: ``golden/NAME.in.coord`` formats to ``golden/NAME.out.coord``.

``pytest --update-goldens tests/format`` rewrites the ``.out.coord`` files; review the diff.
Every pair also passes the round trip (same tree, every comment kept, idempotent), on the
input and on the output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.format import format_source
from .helpers import check_round_trip

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name.removesuffix(".in.coord") for p in GOLDEN.glob("*.in.coord"))


def test_cases_exist() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, golden) -> None:
    text = (GOLDEN / f"{name}.in.coord").read_text(encoding="utf-8")
    golden.check(GOLDEN / f"{name}.out.coord", format_source(text))


@pytest.mark.parametrize("name", CASES)
def test_golden_round_trip(name: str) -> None:
    text = (GOLDEN / f"{name}.in.coord").read_text(encoding="utf-8")
    out = check_round_trip(text)
    assert check_round_trip(out) == out
