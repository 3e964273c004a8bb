"""An analysis made from the one before (what the language server does on every change)
equals a fresh analysis of the same text: diagnostics, symbols, references, and every editor
feature asked at random places. The central property of incremental analysis
(``coordlang/syntax/incremental.py``, ``analyze(..., previous=...)``).

Sizing: 200 edit sequences in the ``ci`` Hypothesis profile, 4,000 with
``COORD_HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import dataclasses

from edits import edit_sequences
from hypothesis import given, settings
from hypothesis import strategies as st

from coordlang.analysis import (
    AnalysisCache, analyze, code_actions, completions, definition, folding_ranges, hover, inlay_hints, outline,
    references, semantic_tokens, signature_help, symbol_at, workflow_graphs,
)
from coordlang.semantics.symbols import Symbol
from coordlang.source import Span
from coordlang.syntax import ast

BASE = settings.default.max_examples  # 100 under "ci", 2,000 under "long"


def comparable(value: object, depth: int = 0) -> object:
    """``value`` in a form that compares by content: symbols compare by identity, so each
    becomes what it says (kind, name, place, signature, type); other value types field by
    field."""
    if depth > 12:
        return type(value).__name__
    if isinstance(value, Symbol):
        return ("symbol", value.kind, value.name, value.span, value.detail, str(value.type), value.container,
                value.path)
    if isinstance(value, (ast.Node, Span, str, int, float, bool, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        return tuple(comparable(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((repr(k), comparable(v, depth + 1)) for k, v in value.items()), key=lambda kv: kv[0]))
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, *(comparable(getattr(value, f.name), depth + 1)
                                        for f in dataclasses.fields(value) if not f.name.startswith("_")))
    return value


def features(analysis, offsets: list[int]) -> list[object]:
    """What every editor feature answers about ``analysis``, in comparable form."""
    text = analysis.text
    whole = Span(0, len(text))
    found: list[object] = [
        analysis.diagnostics, analysis.model.symbols, analysis.model.references, analysis.model.diagnostics,
        analysis.model.scopes, analysis.model.workflows, analysis.model.imports, analysis.model.dependencies,
        outline(analysis.module), folding_ranges(analysis.module, analysis.parse.comments, analysis.lines),
        semantic_tokens(analysis.module, analysis.parse.tokens, analysis.parse.comments),
        inlay_hints(analysis, whole), code_actions(analysis, whole),
        workflow_graphs(analysis),
    ]
    for offset in offsets:
        found += [completions(analysis, offset), symbol_at(analysis, offset), definition(analysis, offset),
                  references(analysis, offset), hover(analysis, offset), signature_help(analysis, offset)]
    return [comparable(f) for f in found]


@settings(max_examples=2 * BASE)
@given(edit_sequences(), st.lists(st.floats(0, 1), min_size=1, max_size=3))
def test_incremental_analysis_equals_fresh(texts: list[str], fractions: list[float]) -> None:
    previous = analyze(texts[0])
    for text in texts[1:]:
        incremental = analyze(text, previous=previous)
        fresh = analyze(text)
        offsets = [int(f * len(text)) for f in fractions]
        assert features(incremental, offsets) == features(fresh, offsets)
        previous = incremental


def test_cache_analyses_a_new_version_from_the_one_before() -> None:
    cache = AnalysisCache()
    first = cache.get("file:///a.coord", "event A { id: str }\nevent B { id: str }\n", 1)
    second = cache.get("file:///a.coord", "event A { id: str }\nevent Bx { id: str }\n", 2)
    assert second.version == 2 and second.module.decls[0] is first.module.decls[0]
    assert second.diagnostics == analyze(second.text).diagnostics
