"""The checker's state and its order of work.

One :class:`Checker` checks one document in one pass over each declaration: the declaration
headers first (``declarations.py``), so bodies can refer to anything declared anywhere in the
module, then the bodies (patterns before the workflows that use them, on demand). Expressions,
statements, waits and pattern uses are mixins over the same state; each reports through
:meth:`Checker.report` and never raises on user error.
"""

from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from coordlang.diagnostics import Diagnostic, make
from coordlang.semantics.bodies import Bodies
from coordlang.semantics.calls import Calls
from coordlang.semantics.declarations import Declarations
from coordlang.semantics.expressions import SUGGESTIONS, Expressions
from coordlang.semantics.model import ModuleInterface, SemanticModel
from coordlang.semantics.patterns import Patterns
from coordlang.semantics.statements import Statements
from coordlang.semantics.symbols import ImportInfo, Reference, ScopeRecord, Symbol, SymbolKind
from coordlang.semantics.types import Type
from coordlang.semantics.waits import Waits
from coordlang.source import Span
from coordlang.syntax import ast
from coordlang.syntax.parser import ParseResult


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What the loader found for one ``import``."""

    path: Path | None
    model: SemanticModel | None
    problem: str = ""
    cycle: tuple[Path, ...] = ()
    """The modules of an import cycle this import closes (empty when none)."""
    digest: str = ""
    """The digest of the imported text that was checked."""


ImportLoader = Callable[[ast.ImportDecl], ImportOutcome]


class Scope:
    """A region's names while it is being checked; frozen into a :class:`ScopeRecord`.

    Most blocks declare nothing, so their containers are created on first use: a 10,000-line
    document has thousands of blocks, and every object made here is one more for the garbage
    collector to scan.
    """

    __slots__ = ("names", "parent", "span", "entries", "children")

    def __init__(self, parent: Scope | None, span: Span) -> None:
        self.names: dict[str, Symbol] = _NO_NAMES
        self.parent = parent
        self.span = span
        self.entries: list[tuple[int, Symbol]] | None = None
        self.children: list[Scope] | None = None

    def freeze(self) -> ScopeRecord | None:
        """The record of this region, or None when neither it nor any region inside declares
        anything."""
        children: tuple[ScopeRecord, ...] = ()
        if self.children:
            frozen = [c.freeze() for c in sorted(self.children, key=_start)]
            children = tuple(c for c in frozen if c is not None)
        if not children and not self.entries:
            return None
        return ScopeRecord(self.span, tuple(self.entries or ()), children)


_NO_NAMES: dict[str, Symbol] = {}
_COUNTS = frozenset({"T304", "T313"})


def _start(scope: Scope) -> int:
    return scope.span.start


_by_start = operator.attrgetter("span.start")


class Body:
    """The state of the declaration body being checked; swapped out when a pattern's body is
    checked on demand from inside another body."""

    __slots__ = ("ctx", "scope", "container", "workflow", "key", "trigger", "wait_points", "labels",
                 "pattern", "race_deadline", "maybe_unset", "locals", "returns", "stream_key", "too_deep")

    def __init__(self, ctx: str, scope: Scope, container: str) -> None:
        self.ctx = ctx
        """``workflow``, ``pattern``, ``reaction``, ``stream`` or ``header``."""
        self.scope = scope
        self.container = container
        self.workflow = None  # the WorkflowType of a workflow body
        self.key: tuple[str, Type] | None = None
        self.trigger: str | None = None
        self.wait_points: list = []
        self.labels: dict[str, Symbol] = {}
        self.pattern = None  # a patterns.SummaryBuilder in a pattern body
        self.race_deadline: float | None = None
        self.maybe_unset: dict[int, Scope] = {}
        """Event variables of waits whose else block goes on, with the block of the wait."""
        self.locals: list[Symbol] = []
        self.returns: Type | None = None
        self.stream_key: Symbol | None = None
        self.too_deep = False


class Checker(Declarations, Bodies, Expressions, Statements, Calls, Waits, Patterns):
    """Checks one parsed document; :meth:`run` returns its :class:`SemanticModel`."""

    def __init__(self, result: ParseResult, path: Path | None, load_import: ImportLoader) -> None:
        self.result = result
        self.text = result.text
        self.module = result.module
        self.path = path
        self.load_import = load_import
        self.diagnostics: list[Diagnostic] = []
        self.symbols: list[Symbol] = []
        self.references: list[Reference] = []
        self.types: dict[int, Type] = {}
        self.typed: list[ast.Node] = []
        self.globals: dict[str, Symbol] = {}
        self.local_decls: dict[str, Symbol] = {}
        self.versions: dict[str, dict[int, Symbol]] = {}
        self.members: dict[int, dict[str, Symbol]] = {}
        self.local_members: dict[int, dict[str, Symbol]] = {}
        self.imported_patterns: dict[int, object] = {}
        self.pattern_summaries: dict[int, object] = {}
        self.pattern_summaries_by_name: dict[str, object] = {}
        self.patterns_in_progress: set[str] = set()
        self.workflow_infos: list = []
        self.workflow_info_by_key: dict[tuple[str, int], object] = {}
        self.imported_workflows: dict[tuple[str, int], object] = {}
        self.imports: list[ImportInfo] = []
        self.import_names: list[tuple[ast.ImportDecl, list[Symbol]]] = []
        self.dependencies: dict[Path, str] = {}
        self.used: set[int] = set()
        self.headers: dict[int, tuple[Symbol | None, tuple[Symbol, ...]]] = {}
        self.pattern_symbols: dict[int, Symbol] = {}
        self.workflow_symbols: dict[int, Symbol] = {}
        self.root = Scope(None, Span(0, len(self.text)))
        self.body = Body("header", self.root, "")
        self.suggestions_left = SUGGESTIONS
        self.depth = 0
        self.syntax_errors = sorted(d.span.start for d in result.diagnostics)
        self.module_name = self.module.module_name or (path.stem if path is not None else "main")

    # ---- reporting and recording
    def report(self, code: str, message: str, span: Span, **extra) -> None:
        self.diagnostics.append(make(code, message, span, **extra))

    def ref(self, span: Span, symbol: Symbol) -> None:
        """A use of ``symbol`` (a read: it counts against 'unused')."""
        self.references.append(Reference(span, symbol))
        self.used.add(id(symbol))

    def define(self, symbol: Symbol) -> None:
        """A declaration of this document: listed in ``symbols`` and as a definition reference."""
        self.symbols.append(symbol)
        self.references.append(Reference(symbol.span, symbol, True))

    def new_symbol(self, kind: SymbolKind, ident: ast.Ident, detail: str, t: Type, node: ast.Node,
                   container: str | None = None) -> Symbol:
        symbol = Symbol(kind, ident.name, ident.span, detail, t, node, container, self.path)
        self.define(symbol)
        return symbol

    # ---- scopes
    def push(self, span: Span) -> Scope:
        parent = self.body.scope
        scope = Scope(parent, span)
        if parent.children is None:
            parent.children = [scope]
        else:
            parent.children.append(scope)
        self.body.scope = scope
        return scope

    def pop(self) -> None:
        scope = self.body.scope
        parent = scope.parent
        if scope.entries is None and scope.children is None:
            # Most blocks declare nothing: forget them now rather than freeze them later.
            parent.children.pop()
            if not parent.children:
                parent.children = None
        self.body.scope = parent

    def lookup(self, name: str) -> Symbol | None:
        scope = self.body.scope
        while scope is not None:
            symbol = scope.names.get(name)
            if symbol is not None:
                return symbol
            scope = scope.parent
        return None

    def bind(self, symbol: Symbol, visible_from: int) -> None:
        """Make ``symbol`` visible in the current region (no new definition)."""
        scope = self.body.scope
        if scope.names is _NO_NAMES:
            scope.names = {}
            scope.entries = []
        scope.names[symbol.name] = symbol
        scope.entries.append((visible_from, symbol))

    def declare_local(self, kind: SymbolKind, ident: ast.Ident, t: Type, node: ast.Node,
                      visible_from: int, detail: str | None = None) -> Symbol | None:
        """A variable of the current block; a second one of the same name in the same block is
        reported. None for a missing name (already reported by the parser)."""
        name = ident.name
        if not name:
            return None
        previous = self.body.scope.names.get(name)
        if previous is not None and previous.kind is not SymbolKind.KEY:
            self.report("N210", f"'{name}' is already declared in this block (line "
                        f"{self.result.lines.position(previous.span.start).line + 1}); use '{name} = ...' "
                        "to assign it", ident.span)
        symbol = self.new_symbol(kind, ident, detail or f"{name}: {t}", t, node, self.body.container)
        self.bind(symbol, visible_from)
        if kind in (SymbolKind.VARIABLE, SymbolKind.ERROR_VAR, SymbolKind.PARAMETER):
            self.body.locals.append(symbol)
        return symbol

    def variables_in_scope(self) -> tuple[Symbol, ...]:
        seen: dict[str, Symbol] = {}
        scope = self.body.scope
        while scope is not None:
            for name, symbol in scope.names.items():
                if name not in seen and symbol.kind.is_value:
                    seen[name] = symbol
            scope = scope.parent
        return tuple(seen.values())

    def enter_body(self, ctx: str, span: Span, container: str) -> Body:
        saved = self.body
        self.body = Body(ctx, self.root, container)
        self.push(span)
        return saved

    def leave_body(self, saved: Body) -> None:
        self.report_unused_locals(self.body.locals)
        self.body = saved

    def explained(self, d: Diagnostic) -> bool:
        """A count of arguments or fields is wrong because the parser dropped a damaged one:
        the syntax error already says so."""
        return d.code in _COUNTS and self.damaged(d.span)

    def damaged(self, span: Span) -> bool:
        """Whether the parser reported a syntax error inside ``span``."""
        i = bisect.bisect_left(self.syntax_errors, span.start)
        return i < len(self.syntax_errors) and self.syntax_errors[i] <= span.end

    def line_of(self, span: Span) -> int:
        return self.result.lines.position(span.start).line + 1

    # ---- the whole document
    def run(self) -> SemanticModel:
        self.declare_module()
        self.check_bodies()
        self.report_unused_declarations()
        # A pattern used twice in another reports its needs once per use: keep one of each.
        unique = {(d.code, d.span, d.message): d for d in self.diagnostics if not self.explained(d)}
        self.diagnostics = sorted(unique.values(), key=lambda d: (d.span.start, d.span.end, d.code))
        self.references.sort(key=_by_start)
        interface = ModuleInterface(
            {n: s for n, s in self.local_decls.items()},
            {n: dict(v) for n, v in self.versions.items() if v and next(iter(v.values())).path == self.path},
            self.local_members, dict(self.pattern_summaries_by_name), dict(self.workflow_info_by_key))
        return SemanticModel(
            self.path, self.module_name, tuple(self.diagnostics), tuple(self.symbols),
            tuple(self.references), tuple(self.imports), self.globals, tuple(self.workflow_infos),
            interface, self.root.freeze() or ScopeRecord(self.root.span, (), ()),
            tuple(self.dependencies.items()), self.module, self.types, self.typed, self.members)
