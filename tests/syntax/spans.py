"""Span invariants of a syntax tree, shared by the span tests and the robustness tests."""

from __future__ import annotations

from coordlang.syntax import ast


def span_problems(module: ast.Module, text: str, *, strict: bool) -> list[str]:
    """What is wrong with the spans of ``module``, as readable lines (empty when all is well).

    Always: every span lies in the text, starts before it ends and covers its children; an
    ``Ident`` or ``Name`` spans exactly its name and a literal exactly its text. ``strict``
    (for trees without errors) adds: siblings come in source order without overlapping, and
    no span starts or ends with whitespace.
    """
    problems: list[str] = []
    n = len(text)
    if module.span.start != 0 or module.span.end != n:
        problems.append(f"Module spans {module.span}, not the whole text (0, {n})")
    for node in module.walk():
        s = node.span
        name = type(node).__name__
        where = f"{name} {s.start}-{s.end} {text[s.start:s.end]!r:.60}"
        if not (0 <= s.start <= s.end <= n):
            problems.append(f"{where}: outside the text")
            continue
        source = text[s.start:s.end]
        if isinstance(node, (ast.Ident, ast.Name)):
            if source != node.name:
                problems.append(f"{where}: the span's text is not the name {node.name!r}")
        elif isinstance(node, ast.TypeRef):
            if source != node.name:
                problems.append(f"{where}: the span's text is not the type {node.name!r}")
        elif isinstance(node, ast.DurationLit):
            if source != node.text:
                problems.append(f"{where}: the span's text is not {node.text!r}")
        elif isinstance(node, ast.IntLit) and source and int(source) != node.value:
            problems.append(f"{where}: value {node.value}")
        elif isinstance(node, ast.BoolLit) and source != ("true" if node.value else "false"):
            problems.append(f"{where}: the span's text is not a bool")
        elif isinstance(node, ast.NoneLit) and source != "none":
            problems.append(f"{where}: the span's text is not 'none'")
        elif isinstance(node, ast.StringLit) and source and not source.startswith('"'):
            problems.append(f"{where}: a string's span starts at its quote")
        elif isinstance(node, ast.Paren) and not (source.startswith("(") and (source.endswith(")") or not strict)):
            problems.append(f"{where}: parentheses not in the span")
        children = list(node.children())
        for child in children:
            c = child.span
            if not (s.start <= c.start and c.end <= s.end):
                problems.append(f"{where}: does not cover its child {type(child).__name__} {c.start}-{c.end}")
        if strict:
            if source and not isinstance(node, ast.Module) and (source[0].isspace() or source[-1].isspace()):
                problems.append(f"{where}: starts or ends with whitespace")
            for a, b in zip(children, children[1:]):
                if a.span.end > b.span.start:
                    problems.append(f"{where}: children {type(a).__name__} {a.span.start}-{a.span.end} and "
                                    f"{type(b).__name__} {b.span.start}-{b.span.end} overlap or are out of order")
    return problems
