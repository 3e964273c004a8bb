"""Symbols, references and the other records the checker hands to editors.

A :class:`Symbol` is one declaration: a module-level declaration, an event field, a parameter,
a variable, an event variable, a label, a stream's ``key``. Symbols compare by identity: two
``let x`` are two symbols.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from coordlang.semantics.types import Type
from coordlang.source import Span
from coordlang.syntax import ast


class SymbolKind(enum.Enum):
    EVENT = "event"
    FIELD = "field"
    HANDLER = "handler"
    POLICY = "policy"
    WORKFLOW = "workflow"
    PATTERN = "pattern"
    STREAM = "stream"
    PARAMETER = "parameter"
    """Of a handler, a call-started workflow or a pattern."""
    VARIABLE = "variable"
    """``let``."""
    EVENT_VAR = "event variable"
    """``on E as v``, ``await E as v``, a select clause's ``as v``."""
    LOOP_VAR = "loop variable"
    ERROR_VAR = "error variable"
    """``catch KIND as e``."""
    LABEL = "label"
    KEY = "key"
    """``key`` inside a stream: the window's key."""

    @property
    def is_declaration(self) -> bool:
        """A module-level declaration (importable, in the module's namespace)."""
        return self in _DECLARATIONS

    @property
    def is_value(self) -> bool:
        """Something an expression can read."""
        return self in _VALUES


_DECLARATIONS = frozenset({SymbolKind.EVENT, SymbolKind.HANDLER, SymbolKind.POLICY,
                           SymbolKind.WORKFLOW, SymbolKind.PATTERN, SymbolKind.STREAM})
_VALUES = frozenset({SymbolKind.PARAMETER, SymbolKind.VARIABLE, SymbolKind.EVENT_VAR,
                     SymbolKind.LOOP_VAR, SymbolKind.ERROR_VAR, SymbolKind.KEY})


@dataclass(frozen=True, slots=True, eq=False)
class Symbol:
    """One declaration. Compares by identity."""

    kind: SymbolKind
    name: str
    span: Span
    """The span of the name where it is declared (in ``path``)."""
    detail: str
    """A one-line signature for hover: ``handler charge(order_id: str) -> float = "m:f"``."""
    type: Type
    """The value's type, or the declaration's kind type (signature) for handlers, workflows..."""
    node: ast.Node | None
    """The declaring node (a ``Let``, an ``EventDecl``, a ``Field``, a ``Param``...)."""
    container: str | None = None
    """The enclosing declaration's name (the event of a field, the workflow of a variable)."""
    path: Path | None = None
    """The file that declares it; None for the document itself when it has no path."""

    def __repr__(self) -> str:
        return f"Symbol({self.kind.value} {self.name!r} at {self.span.start})"


@dataclass(frozen=True, slots=True)
class Reference:
    """An occurrence of a name in this document, resolved to its symbol."""

    span: Span
    symbol: Symbol
    is_definition: bool = False
    is_write: bool = False
    """An assignment ``x = e`` (not a read)."""


@dataclass(frozen=True, slots=True)
class ScopeRecord:
    """Names declared in one region: each visible from its offset to the region's end.

    Regions nest (a block inside a block), so :meth:`SemanticModel.scope_at` descends them.
    """

    span: Span
    entries: tuple[tuple[int, Symbol], ...]
    children: tuple[ScopeRecord, ...]


@dataclass(frozen=True, slots=True)
class WaitPoint:
    """A place where an instance waits: an ``await``, a ``select`` or a ``sleep`` (also one
    inside a pattern, at the ``use`` that expands it)."""

    kind: str  # "await" | "select" | "sleep" | "use"
    span: Span
    label: str | None
    events: tuple[str, ...]
    """The event types it waits for (none for ``sleep``)."""
    variables: tuple[Symbol, ...] = ()
    """The variables in scope at that point, the wait's own event variable excepted."""


@dataclass(frozen=True, slots=True)
class WorkflowInfo:
    """What editors and migrations need to know about one workflow version."""

    symbol: Symbol
    name: str
    version: int
    key: str
    wait_points: tuple[WaitPoint, ...]
    label_symbols: tuple[Symbol, ...] = ()

    @property
    def labels(self) -> dict[str, WaitPoint]:
        return {w.label: w for w in self.wait_points if w.label}


@dataclass(frozen=True, slots=True)
class ImportInfo:
    """One ``import``: what it names, where that resolved (None when it did not) and what it
    brought into scope."""

    span: Span
    target: str
    """``"common.coord"`` or ``std.saga`` as written."""
    path: Path | None
    names: tuple[str, ...] = ()
