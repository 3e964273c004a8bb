"""A readable, deterministic dump of a syntax tree and of diagnostics, for golden files.

One node per line, ``ClassName @line:col-line:col`` (1-based, like the command line) followed
by the node's scalar fields as ``field=value``; child nodes and lists of them are indented
below, one ``field:`` line each, list items marked with ``- ``. Fields that hold no node
(``None``) and empty lists stay on the node's own line (``guard=None``, ``args=[]``) so every
field of every node is shown.

``render_diagnostics`` prints diagnostics as a compiler does: code, position, message and the
source line with a caret under the span.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Iterable

from coordlang.diagnostics import Diagnostic
from coordlang.source import LineIndex, Span
from coordlang.syntax import ast

_INDENT = "  "


def dump(node: ast.Node, text: str) -> str:
    """The tree below ``node`` (a module or any other node) as indented text, newline-ended."""
    lines: list[str] = []
    _Dumper(LineIndex(text), lines).node(node, 0, "")
    return "\n".join(lines) + "\n"


def span_text(span: Span, index: LineIndex) -> str:
    """``line:col-line:col``, 1-based."""
    a = index.position(span.start)
    b = index.position(span.end)
    return f"{a.line + 1}:{a.column + 1}-{b.line + 1}:{b.column + 1}"


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)  # None, int, float


class _Dumper:
    def __init__(self, index: LineIndex, lines: list[str]) -> None:
        self.index = index
        self.lines = lines

    def node(self, node: ast.Node, depth: int, prefix: str) -> None:
        header = [f"{type(node).__name__} @{span_text(node.span, self.index)}"]
        nested: list[tuple[str, object]] = []
        for f in dataclasses.fields(node):
            if f.name == "span":
                continue
            value = getattr(node, f.name)
            if isinstance(value, ast.Node):
                nested.append((f.name, value))
            elif isinstance(value, tuple):
                if value:
                    nested.append((f.name, value))
                else:
                    header.append(f"{f.name}=[]")
            else:
                header.append(f"{f.name}={_scalar(value)}")
        self.lines.append(_INDENT * depth + prefix + " ".join(header))
        for name, value in nested:
            if isinstance(value, ast.Node):
                self.node(value, depth + 1, f"{name}: ")
            else:
                self.lines.append(_INDENT * (depth + 1) + f"{name}:")
                for item in value:
                    if isinstance(item, ast.Node):
                        self.node(item, depth + 2, "- ")
                    else:
                        self.lines.append(_INDENT * (depth + 2) + "- " + _scalar(item))


def render_diagnostics(diagnostics: Iterable[Diagnostic], text: str) -> str:
    """Each diagnostic as ``CODE line:col-line:col message`` with the source line and a caret
    line under the span (``^`` for an empty span, ``^^^`` under the characters it covers, up
    to the end of its first line)."""
    index = LineIndex(text)
    out: list[str] = []
    for d in diagnostics:
        out.append(f"{d.code} {span_text(d.span, index)} {d.severity.label}: {d.message}")
        out += _excerpt(d.span, index)
        for related in d.related:
            out.append(f"  note {span_text(related.span, index)}: {related.message}")
            out += _excerpt(related.span, index)
    return "\n".join(out) + ("\n" if out else "")


def _excerpt(span: Span, index: LineIndex) -> list[str]:
    start = index.position(span.start)
    line = start.line
    source = index.line_text(line)
    width = max(1, min(span.end, index.line_end(line)) - span.start)
    gutter = str(line + 1)
    pad = " " * len(gutter)
    # Tabs are kept under the caret so it lines up in any editor.
    lead = "".join(c if c == "\t" else " " for c in source[: start.column])
    return [f"{pad} |", f"{gutter} | {source}".rstrip(), f"{pad} | {lead}{'^' * width}"]
