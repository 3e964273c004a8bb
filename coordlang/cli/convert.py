"""The command line's edge: 1-based ``file:line:col`` positions, excerpts and JSON objects."""

from __future__ import annotations

import sys

from coordlang.diagnostics import Diagnostic
from coordlang.source import LineIndex


def location(lines: LineIndex, offset: int) -> tuple[int, int]:
    """1-based (line, column) of an offset."""
    pos = lines.position(offset)
    return pos.line + 1, pos.column + 1


def render_text(path: str, lines: LineIndex, diag: Diagnostic, excerpt: bool = True) -> str:
    """``file:line:col: severity CODE message``, then the line with a caret under the span."""
    line, column = location(lines, diag.span.start)
    out = [f"{path}:{line}:{column}: {diag.severity.label} {diag.code} {diag.message}"]
    if excerpt and lines.line_count >= line:
        text = lines.line_text(line - 1).replace("\t", " ")
        end_line, end_column = location(lines, diag.span.end)
        width = max(1, (end_column if end_line == line else len(text) + 1) - column)
        gutter = f"{line:>5} | "
        out.append(f"{gutter}{text}")
        out.append(" " * (len(gutter) - 2) + "| " + " " * (column - 1) + "^" * width)
    for rel in diag.related:
        if rel.path is None:
            rline, rcol = location(lines, rel.span.start)
            out.append(f"{path}:{rline}:{rcol}: note: {rel.message}")
        else:
            out.append(f"{rel.path}: note: {rel.message}")
    return "\n".join(out)


def to_json(path: str, lines: LineIndex, diag: Diagnostic) -> dict:
    """The JSON object of ``coord check --format json`` (1-based lines and columns)."""
    line, column = location(lines, diag.span.start)
    end_line, end_column = location(lines, diag.span.end)
    return {"file": path, "line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "severity": diag.severity.label, "code": diag.code, "message": diag.message}


def refuse_on_errors(path: str, analysis, what: str) -> bool:
    """Print the error diagnostics of ``analysis`` to standard error as ``coord check`` prints
    them, then ``path: not <what>: N errors``; True when there were any (the command stops)."""
    errors = [d for d in analysis.diagnostics if d.is_error]
    for diag in errors:
        print(render_text(path, analysis.lines, diag), file=sys.stderr)
    if errors:
        print(f"{path}: not {what}: {len(errors)} error{'s' if len(errors) != 1 else ''}", file=sys.stderr)
    return bool(errors)
