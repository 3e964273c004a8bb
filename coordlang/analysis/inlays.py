"""Inlay hints: what the text leaves implicit, shown where it applies — a ``let``'s inferred
type after its name, and after ``with POLICY`` the longest its retries can wait in all."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from coordlang.analysis.document import Analysis
from coordlang.semantics.constants import format_seconds
from coordlang.source import Span
from coordlang.syntax import ast


@dataclass(frozen=True, slots=True)
class InlayHint:
    offset: int
    """Where the hint is shown (after the text before it)."""
    label: str
    kind: str
    """``type`` (a variable's inferred type) or ``retry`` (a policy's worst-case waiting)."""
    tooltip: str = ""


def inlay_hints(analysis: Analysis, span: Span, types: bool = True, retries: bool = True) -> tuple[InlayHint, ...]:
    """The hints of the declarations ``span`` touches, in document order."""
    decls = analysis.module.decls
    first = max(bisect.bisect_right([d.span.end for d in decls], span.start), 0)
    out: list[InlayHint] = []
    for decl in decls[first:]:
        if decl.span.start > span.end:
            break
        for node in decl.walk():
            if not span.start <= node.span.start <= span.end:
                continue
            if types and isinstance(node, ast.Let) and node.type is None:
                hint = _let_type(analysis, node)
                if hint is not None:
                    out.append(hint)
            elif retries and isinstance(node, (ast.DoStep, ast.CallStep, ast.Compensation)) and node.policy is not None:
                hint = _retry_time(analysis, node.policy)
                if hint is not None:
                    out.append(hint)
    return tuple(sorted(out, key=lambda h: h.offset))


def _let_type(analysis: Analysis, let: ast.Let) -> InlayHint | None:
    ref = analysis.model.reference_at(let.name.span.start)
    if ref is None or ref.symbol.type is None:
        return None
    shown = str(ref.symbol.type)
    if not shown or shown in ("?", "unknown"):
        return None
    return InlayHint(let.name.span.end, f": {shown}", "type")


def _retry_time(analysis: Analysis, policy: ast.Ident) -> InlayHint | None:
    retry = analysis.model.policy(policy.name)
    if retry is None:
        return None
    worst = retry.worst_case_delay
    return InlayHint(policy.span.end, f" ≤ {format_seconds(worst) if worst else '0s'}", "retry",
                     f"{retry.attempts} attempts; the delays between them add up to at most "
                     f"{format_seconds(worst) if worst else '0s'} (the attempts' own time comes on top)")
