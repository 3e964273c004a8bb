"""The document generator others use for benchmarks: exact size, valid, deterministic."""

from __future__ import annotations

import pytest

from coordlang.syntax import parse

from .generate import generate_document


@pytest.mark.parametrize("lines", [10, 11, 97, 1_000])
def test_exact_line_count_and_clean_parse(lines: int) -> None:
    text = generate_document(lines, seed=lines)
    assert text.count("\n") == lines and text.endswith("\n")
    assert parse(text).diagnostics == ()


def test_deterministic_per_seed() -> None:
    assert generate_document(300, 7) == generate_document(300, 7)
    assert generate_document(300, 7) != generate_document(300, 8)


def test_realistic_mix() -> None:
    module = parse(generate_document(2_000, 1)).module
    kinds = {type(d).__name__ for d in module.decls}
    assert {"ModuleDecl", "EventDecl", "HandlerDecl", "PolicyDecl", "WorkflowDecl", "ReactionDecl",
            "StreamDecl"} <= kinds
    statements = {type(n).__name__ for n in module.walk()}
    assert {"Select", "Await", "Parallel", "Race", "Try", "For", "Emit", "Sleep", "If", "Labelled",
            "CallStep", "DoStep"} <= statements
