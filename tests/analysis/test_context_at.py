"""``context_at`` reads from the declaration before the cursor: on well-formed documents it
must give exactly what reading the whole document gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from coordlang.analysis import analyze
from coordlang.analysis.context import completion_context, context_at

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(ROOT.glob("examples/*/*.coord")) + sorted((ROOT / "coordlang" / "std").glob("*.coord"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_the_declarations_context_is_the_whole_documents(path):
    text = path.read_text(encoding="utf-8")
    analysis = analyze(text, path)
    rng = random.Random(path.name)
    for offset in [0, len(text), *(rng.randrange(len(text) + 1) for _ in range(200))]:
        assert context_at(analysis.module, text, offset) == completion_context(text, offset), offset
