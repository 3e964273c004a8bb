"""``parse_expression``: one expression on its own (interpolations, watch and evaluate)."""

from __future__ import annotations

import pytest

from coordlang.syntax import ast, parse_expression
from coordlang.syntax.dump import dump


def shape(node: ast.Node) -> str:
    """A compact rendering: ``(+ a (* b c))``."""
    if isinstance(node, ast.Binary):
        return f"({node.op} {shape(node.left)} {shape(node.right)})"
    if isinstance(node, ast.Unary):
        return f"({node.op} {shape(node.operand)})"
    if isinstance(node, ast.Member):
        return f"{shape(node.obj)}.{node.name.name}"
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Paren):
        return f"[{shape(node.expr)}]"
    if isinstance(node, (ast.IntLit, ast.FloatLit, ast.BoolLit)):
        return str(node.value).lower()
    if isinstance(node, ast.CallExpr):
        return f"{node.func.name}({', '.join(shape(a.value) for a in node.args)})"
    if isinstance(node, ast.ErrorExpr):
        return "<error>"
    return type(node).__name__


@pytest.mark.parametrize("text, expected", [
    ("a or b and c", "(or a (and b c))"),
    ("a and b or c", "(or (and a b) c)"),
    ("not a and b", "(and (not a) b)"),
    ("not a == b", "(not (== a b))"),
    ("a == b + c", "(== a (+ b c))"),
    ("a + b * c", "(+ a (* b c))"),
    ("a * b + c", "(+ (* a b) c)"),
    ("a - b - c", "(- (- a b) c)"),
    ("a / b % c", "(% (/ a b) c)"),
    ("-a * b", "(* (- a) b)"),
    ("- -a", "(- (- a))"),
    ("-a.b", "(- a.b)"),
    ("not not a", "(not (not a))"),
    ("(a + b) * c", "(* [(+ a b)] c)"),
    ("a.b.c", "a.b.c"),
    ("f(a, b).c", "f(a, b).c"),
    ("x < 1 or y >= 2.5", "(or (< x 1) (>= y 2.5))"),
    ("key.key", "key.key"),
    ("o.from + o.event", "(+ o.from o.event)"),
])
def test_precedence_and_associativity(text: str, expected: str) -> None:
    expr, diagnostics = parse_expression(text)
    assert diagnostics == []
    assert shape(expr) == expected


def test_base_shifts_every_span() -> None:
    expr, _ = parse_expression("a + b.c", base=100)
    assert expr.span.start == 100 and expr.span.end == 107
    assert all(100 <= n.span.start <= n.span.end <= 107 for n in expr.walk())
    assert expr.right.name.span.start == 106


def test_errors_are_reported_not_raised() -> None:
    expr, diagnostics = parse_expression("a +")
    assert shape(expr) == "(+ a <error>)"
    assert [d.code for d in diagnostics] == ["P103"]


def test_an_empty_expression_is_one_diagnostic() -> None:
    expr, diagnostics = parse_expression("   ", base=5)
    assert isinstance(expr, ast.ErrorExpr) and expr.span.start == 5
    assert [d.code for d in diagnostics] == ["P103"]


@pytest.mark.parametrize("text", ["{ {1: 2} }", ") a", "a b c", "1 $ 2", "f(", "[1, 2", '"x', "a..b",
                                  "let x = 1", "}", "a.", "...", "\n\n", "a\nb"])
def test_garbage_gives_one_diagnostic_and_a_tree(text: str) -> None:
    expr, diagnostics = parse_expression(text, base=10)
    assert isinstance(expr, ast.Expr)
    assert diagnostics, text
    assert len([d for d in diagnostics if d.code in ("P101", "P103")]) <= 1, diagnostics
    for d in diagnostics:
        assert 10 <= d.span.start <= d.span.end <= 10 + len(text)


def test_string_with_interpolation() -> None:
    expr, diagnostics = parse_expression('"total {a + 1}!"')
    assert diagnostics == []
    assert isinstance(expr, ast.StringLit)
    assert expr.parts[0] == "total " and expr.parts[2] == "!"
    assert shape(expr.parts[1]) == "(+ a 1)"
    assert expr.parts[1].span.start == 8


def test_dump_of_an_expression() -> None:
    text = "-x.y * 2"
    expr, _ = parse_expression(text)
    assert dump(expr, text) == (
        'Binary @1:1-1:9 op="*"\n'
        '  left: Unary @1:1-1:5 op="-"\n'
        '    operand: Member @1:2-1:5\n'
        '      obj: Name @1:2-1:3 name="x"\n'
        '      name: Ident @1:4-1:5 name="y"\n'
        '  right: IntLit @1:8-1:9 value=2\n')
