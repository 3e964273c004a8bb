"""Spans: every node's span is where its text is, and a parent's span covers its children's.
Checked on every golden case and every example (strictly where the parse is clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.source import LineIndex
from coordlang.syntax import ast, parse

from .corpus import all_files, file_id, read
from .spans import span_problems

FILES = all_files()


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_spans(path: Path) -> None:
    text = read(path)
    result = parse(text)
    problems = span_problems(result.module, text, strict=not result.diagnostics)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_diagnostic_spans_lie_in_the_text(path: Path) -> None:
    text = read(path)
    for d in parse(text).diagnostics:
        assert 0 <= d.span.start <= d.span.end <= len(text), d
        for related in d.related:
            assert 0 <= related.span.start <= related.span.end <= len(text), d


def test_examples_parse_clean() -> None:
    examples = [p for p in FILES if "cases" not in p.parts]
    assert examples, "no examples found"
    for path in examples:
        assert parse(read(path)).diagnostics == (), file_id(path)


def test_spans_of_a_small_program() -> None:
    text = 'event E { id: str }\nworkflow W on E as e key id {\n    let total = e.id + "x"\n}\n'
    module = parse(text).module
    workflow = module.decls[1]
    assert isinstance(workflow, ast.WorkflowDecl)
    let = workflow.body.stmts[0]
    assert isinstance(let, ast.Let)

    def at(node: ast.Node) -> str:
        return text[node.span.start:node.span.end]

    assert at(workflow) == text[20:].rstrip("\n")
    assert at(workflow.body).startswith("{") and at(workflow.body).endswith("}")
    assert at(let) == 'let total = e.id + "x"'
    assert at(let.name) == "total"
    assert at(let.value) == 'e.id + "x"'
    assert at(let.value.left) == "e.id"
    assert at(let.value.left.name) == "id"
    pos = LineIndex(text).position(let.name.span.start)
    assert (pos.line, pos.column) == (2, 8)


def test_interpolation_spans_point_into_the_string() -> None:
    text = 'policy p = "a {x.y} b {f(1)}"'
    value = parse(text).module.decls[0].value
    assert isinstance(value, ast.StringLit)
    exprs = [p for p in value.parts if isinstance(p, ast.Expr)]
    assert [text[e.span.start:e.span.end] for e in exprs] == ["x.y", "f(1)"]


def test_recovered_nodes_have_spans_where_the_damage_is() -> None:
    text = "workflow W on E as e key id {\n    let x = 1 2 3\n    let y = o.\n}\n"
    result = parse(text)
    stmts = result.module.decls[0].body.stmts
    error = stmts[1]
    assert isinstance(error, ast.ErrorStmt)
    assert text[error.span.start:error.span.end] == "2 3"
    member = stmts[2].value
    assert isinstance(member, ast.Member) and member.name.missing
    assert member.name.span.start == member.name.span.end == text.index("o.") + 2
