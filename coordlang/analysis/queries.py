"""Questions about a document by offset: the symbol there, its definition, its references,
hover text and signature help. Pure functions over an :class:`Analysis`."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from coordlang.analysis.context import context_at
from coordlang.analysis.document import Analysis
from coordlang.semantics import HandlerType, PolicyType, Symbol, SymbolKind, WorkflowType
from coordlang.semantics.constants import format_seconds
from coordlang.source import Span
from coordlang.syntax import ast


@dataclass(frozen=True, slots=True)
class Location:
    """A span in a file; ``path`` is None for the analyzed document when it has no path."""

    path: Path | None
    span: Span


@dataclass(frozen=True, slots=True)
class Hover:
    """Markdown for a hover, and the span it describes."""

    markdown: str
    span: Span


@dataclass(frozen=True, slots=True)
class Signature:
    """Signature help inside a call's parentheses."""

    label: str
    parameters: tuple[str, ...]
    """Each parameter as shown in ``label`` (``amount: float``)."""
    active: int
    documentation: str = ""


def symbol_at(analysis: Analysis, offset: int) -> tuple[Symbol, Span] | None:
    """The symbol named at ``offset`` (or by the word ending there) and the name's span."""
    ref = analysis.model.reference_at(offset)
    return (ref.symbol, ref.span) if ref is not None else None


def _location(analysis: Analysis, symbol: Symbol) -> Location:
    return Location(symbol.path if symbol.path is not None else analysis.path, symbol.span)


def definition(analysis: Analysis, offset: int) -> Location | None:
    """Where the symbol at ``offset`` is declared, in this file or an imported one."""
    found = symbol_at(analysis, offset)
    return _location(analysis, found[0]) if found else None


def same_symbol(a: Symbol, b: Symbol) -> bool:
    """Symbols from two analyses (two documents importing one file) that are one declaration."""
    return a is b or (a.kind is b.kind and a.name == b.name and a.span == b.span and a.path == b.path)


def references(analysis: Analysis, offset: int, include_declaration: bool = True) -> tuple[Location, ...]:
    """Every occurrence in this document of the symbol at ``offset`` (its declaration too,
    when it is declared here and ``include_declaration``)."""
    found = symbol_at(analysis, offset)
    if found is None:
        return ()
    return references_to(analysis, found[0], include_declaration)


def references_to(analysis: Analysis, symbol: Symbol, include_declaration: bool = True) -> tuple[Location, ...]:
    """Occurrences of ``symbol`` (possibly from another document's analysis) in this document."""
    refs = analysis.model.references_to(symbol)
    if not refs:
        refs = tuple(r for r in analysis.model.references if same_symbol(r.symbol, symbol))
    return tuple(Location(analysis.path, r.span) for r in refs if include_declaration or not r.is_definition)


def hover(analysis: Analysis, offset: int) -> Hover | None:
    """What the thing at ``offset`` is: its declaration, type, binding or retry budget."""
    found = symbol_at(analysis, offset)
    if found is not None:
        symbol, span = found
        return Hover(_describe(analysis, symbol), span)
    literal = _literal_at(analysis.module, offset)
    if isinstance(literal, ast.DurationLit):
        return Hover(f"```coord\n{literal.text}\n```\nduration: {literal.seconds:g} seconds", literal.span)
    return None


def _describe(analysis: Analysis, symbol: Symbol) -> str:
    parts = [f"```coord\n{symbol.detail}\n```"]
    t = symbol.type
    if isinstance(t, HandlerType):
        if t.target:
            parts.append(f"Python: `{t.target}`")
        notes = []
        if t.timeout is not None:
            notes.append(f"each attempt times out after {format_seconds(t.timeout)}")
        notes += [f for f in t.flags if f != "timeout"]
        if notes:
            parts.append("; ".join(notes))
    elif isinstance(t, PolicyType) and t.retry is not None:
        retry = t.retry
        parts.append(f"{retry.attempts} attempts; the delays between them add up to at most "
                     f"{format_seconds(retry.worst_case_delay)} (jitter never adds time)")
    elif isinstance(t, WorkflowType):
        start = f"started by `{t.trigger}`" if t.trigger else "started by `call`"
        parts.append(f"{start}; instances keyed by `{t.key}`; version {t.version}; completes with `{t.returns}`")
    elif symbol.kind is SymbolKind.EVENT_VAR and analysis.model.event_type_of(symbol) is not None:
        fields = analysis.model.event_type_of(symbol).fields
        if fields:
            parts.append("fields: " + ", ".join(f"`{n}: {ft}`" for n, ft in fields))
    if symbol.path is not None and symbol.path != analysis.path:
        parts.append(f"declared in `{symbol.path.name}`")
    return "\n\n".join(parts)


def _literal_at(module: ast.Module, offset: int) -> ast.Node | None:
    """The innermost node at ``offset``, searched only inside the declaration that holds it:
    hover runs on every mouse rest, and a walk of a whole large module is tens of ms."""
    starts = [d.span.start for d in module.decls]
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0 or offset >= module.decls[i].span.end:
        return None
    best = None
    for node in module.decls[i].walk():
        if node.span.start <= offset < node.span.end:
            best = node
    return best


def signature_help(analysis: Analysis, offset: int) -> Signature | None:
    """The signature of the handler, workflow or pattern whose argument list holds ``offset``."""
    ctx = context_at(analysis.module, analysis.text, offset)
    if ctx.call is None:
        return None
    symbol = analysis.model.scope_at(offset).get(ctx.call)
    if symbol is None:
        return None
    t = symbol.type
    if isinstance(t, HandlerType) and t.params is not None:
        params = tuple(f"{n}: {pt}" for n, pt in t.params)
        label = f"{symbol.name}({', '.join(params)}) -> {t.returns}"
    elif isinstance(t, WorkflowType) and t.params is not None:
        params = tuple(f"{n}: {pt}" for n, pt in t.params)
        label = f"{symbol.name}({', '.join(params)}) -> {t.returns}"
    elif symbol.kind is SymbolKind.PATTERN:
        params = tuple(f"{n}: {kind}" for n, kind in getattr(t, "params", ()))
        label = f"{symbol.name}({', '.join(params)})"
    else:
        return None
    return Signature(label, params, min(ctx.argument, max(len(params) - 1, 0)), symbol.detail)
