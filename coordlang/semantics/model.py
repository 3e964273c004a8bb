"""The result of checking one document: what editors and the analysis API ask questions of."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from coordlang.diagnostics import Diagnostic
from coordlang.semantics.policies import RetryPolicy
from coordlang.semantics.symbols import ImportInfo, Reference, ScopeRecord, Symbol, SymbolKind, WorkflowInfo
from coordlang.semantics.types import ERROR_FIELDS, EventType, ErrorValueType, PolicyType, Type
from coordlang.source import Span
from coordlang.syntax import ast


@dataclass(frozen=True, slots=True)
class ModuleInterface:
    """What a module gives the modules that import it."""

    declarations: dict[str, Symbol]
    """This module's own top-level declarations by name (a workflow's highest version)."""
    versions: dict[str, dict[int, Symbol]]
    """Every version of every workflow."""
    members: dict[int, dict[str, Symbol]]
    """By ``id(declaration symbol)``: an event's fields, a handler's, workflow's or pattern's
    parameters."""
    patterns: dict[str, object]
    """Pattern name → ``patterns.PatternSummary`` (what its body needs of its arguments)."""
    workflows: dict[tuple[str, int], WorkflowInfo]


@dataclass(frozen=True, slots=True)
class SemanticModel:
    """Everything the checker knows about one document. Immutable; cheap to query by offset."""

    path: Path | None
    module_name: str
    diagnostics: tuple[Diagnostic, ...]
    """The checker's diagnostics, sorted by (start, end, code); none of the parser's."""
    symbols: tuple[Symbol, ...]
    """Every declaration in this document (module-level ones, fields, parameters, variables,
    labels), in source order."""
    references: tuple[Reference, ...]
    """Every resolved name occurrence in this document, definitions included, sorted by start.
    A symbol declared in an imported file carries that file's path and span."""
    imports: tuple[ImportInfo, ...]
    globals: dict[str, Symbol]
    """Every module-level name visible in this document: its own declarations and imports."""
    workflows: tuple[WorkflowInfo, ...]
    """Each workflow version declared here: its labels and wait points."""
    interface: ModuleInterface
    scopes: ScopeRecord
    """The root region; ``scope_at`` descends it."""
    dependencies: tuple[tuple[Path, str], ...]
    """Every file imported, directly or not, with the digest of the text checked."""
    module: ast.Module
    """The tree checked (kept alive, so node identities stay unique while the model lives)."""
    _types: dict[int, Type] = field(repr=False)
    _typed: list[ast.Node] = field(repr=False)
    _members: dict[int, dict[str, Symbol]] = field(repr=False)
    _lazy: dict = field(default_factory=dict, repr=False)

    # ---- names
    def scope_at(self, offset: int) -> dict[str, Symbol]:
        """The names visible at ``offset``: module-level declarations, then the parameters,
        variables, event variables and labels of the regions around it (inner ones win)."""
        visible: dict[str, Symbol] = dict(self.globals)
        record = self.scopes
        while True:
            for start, symbol in record.entries:
                if start <= offset:
                    visible[symbol.name] = symbol
            # Sibling regions never overlap, so at most one child holds the offset.
            i = bisect.bisect_right(self._starts(record), offset) - 1
            if i < 0 or not record.children[i].span.touches(offset):
                return visible
            record = record.children[i]

    def _starts(self, record: ScopeRecord) -> list[int]:
        key = ("starts", id(record))
        starts = self._lazy.get(key)
        if starts is None:
            starts = self._lazy[key] = [c.span.start for c in record.children]
        return starts

    def reference_at(self, offset: int) -> Reference | None:
        """The name occurrence at ``offset`` or ending right before it (as after typing a word)."""
        starts = self._lazy.get("ref_starts")
        if starts is None:
            starts = self._lazy["ref_starts"] = [r.span.start for r in self.references]
        i = bisect.bisect_right(starts, offset) - 1
        # Names never nest, so only the last two starting at or before the offset can touch it.
        for ref in self.references[max(i - 1, 0):i + 1][::-1]:
            if ref.span.touches(offset):
                return ref
        return None

    def references_to(self, symbol: Symbol) -> tuple[Reference, ...]:
        """Every occurrence of ``symbol`` in this document, its definition included."""
        index = self._lazy.get("by_symbol")
        if index is None:
            index = {}
            for ref in self.references:
                index.setdefault(id(ref.symbol), []).append(ref)
            self._lazy["by_symbol"] = index
        return tuple(index.get(id(symbol), ()))

    def symbol_named(self, name: str) -> Symbol | None:
        """A module-level declaration visible in this document."""
        return self.globals.get(name)

    # ---- types
    def type_of(self, node: ast.Node) -> Type | None:
        """The type of an expression node of this document (None for a node never typed)."""
        return self._types.get(id(node))

    def type_at(self, span: Span) -> Type | None:
        """The type of the expression with exactly this span (the outermost, when several)."""
        index = self._lazy.get("by_span")
        if index is None:
            index = {}
            types = self._types
            for node in self._typed:  # inner expressions come first, so the outermost wins
                index[node.span] = types[id(node)]
            self._lazy["by_span"] = index
        return index.get(span)

    def event_type_of(self, symbol: Symbol) -> EventType | None:
        """The event type of an event variable (``o`` in ``on OrderPlaced as o``)."""
        return symbol.type if isinstance(symbol.type, EventType) else None

    def members(self, t: Type) -> tuple[tuple[str, Type, Symbol | None], ...]:
        """What may follow ``.`` on a value of type ``t``: (name, type, declaring symbol)."""
        if isinstance(t, EventType) and not t.open:
            event = self.globals.get(t.name)
            fields = self._members.get(id(event), {}) if event is not None else {}
            return tuple((name, ft, fields.get(name)) for name, ft in t.fields)
        if isinstance(t, ErrorValueType):
            return tuple((name, ft, None) for name, ft in ERROR_FIELDS)
        return ()

    def interface_members(self, symbol: Symbol) -> dict[str, Symbol]:
        """An event's field symbols, or a handler's, workflow's or pattern's parameters (of
        any declaration visible here, imported ones included)."""
        return self._members.get(id(symbol), {})

    # ---- workflows and policies
    def workflow(self, name: str, version: int | None = None) -> WorkflowInfo | None:
        """A workflow of this document (its highest version unless ``version`` is given)."""
        matches = [w for w in self.workflows if w.name == name and (version is None or w.version == version)]
        return max(matches, key=lambda w: w.version) if matches else None

    def policy(self, name: str) -> RetryPolicy | None:
        """The checked ``retry(...)`` of a visible policy (None when it has errors)."""
        symbol = self.globals.get(name)
        if symbol is not None and isinstance(symbol.type, PolicyType):
            return symbol.type.retry
        return None

    def policy_worst_case(self, name: str) -> float | None:
        """The longest a policy's retries can wait in all, in seconds (delays only)."""
        policy = self.policy(name)
        return policy.worst_case_delay if policy is not None else None

    def symbols_of_kind(self, kind: SymbolKind) -> tuple[Symbol, ...]:
        return tuple(s for s in self.symbols if s.kind is kind)
