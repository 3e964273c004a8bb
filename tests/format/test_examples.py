"""Every example project formats stably: the result means the same, keeps the comments and is
a fixed point (the examples need not be canonical already)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import check_round_trip

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.glob("**/*.coord"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_formats_stably(path: Path) -> None:
    check_round_trip(path.read_text(encoding="utf-8"))
