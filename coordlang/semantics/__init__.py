"""Semantics: name resolution, types and workflow rules.

The entry points::

    check(parse_result, path: Path | None = None, provider: SourceProvider | None = None,
          *, cache: ModuleCache | None = None) -> SemanticModel
    check_source(text, path=None, provider=None, *, cache=None) -> (ParseResult, SemanticModel)

``check`` never raises on anything a user can write: every problem is a diagnostic. Imports are
read through ``provider`` (default: the file system; the language server passes an
:class:`OverlayProvider` with its unsaved buffers), checked recursively and cached by
(path, text digest) in ``cache`` (default: one cache per process).

What a :class:`SemanticModel` answers (all immutable):

``diagnostics``
    The checker's own diagnostics (codes ``N2xx`` names, ``T3xx`` types, ``W4xx`` workflow
    rules), sorted by (start, end, code). The parser's are in ``parse_result.diagnostics``: the
    caller merges the two. Nothing the parser already reported (an ``ErrorExpr``, an
    ``ErrorStmt``, a missing name) is reported again or causes a cascade.
``symbols``
    Every declaration in the document: :class:`Symbol` with ``kind`` (:class:`SymbolKind`),
    ``name``, ``span`` (of the name), ``detail`` (a one-line signature for hover), ``type``
    (the value type, or the signature of a handler, workflow, policy, pattern), ``container``,
    ``node`` (the declaring AST node) and ``path``.
``references``
    Every resolved name occurrence, definitions included (``is_definition``; assignments have
    ``is_write``), sorted by ``span.start`` for bisection. A symbol declared in an imported file
    carries that file's ``path`` and ``span``. ``reference_at(offset)``, ``references_to(symbol)``.
``scope_at(offset) -> dict[str, Symbol]``
    The names visible at an offset (module-level declarations and imports, then parameters,
    variables, event variables; inner ones shadow outer ones), for completion.
``type_of(expr_node)`` / ``type_at(span)``
    The type of an expression. ``members(type)`` lists what may follow ``.`` (an event's fields
    with their symbols; an error's ``kind``/``message``/``type``); ``event_type_of(symbol)``
    gives the event type of an event variable.
``imports``
    :class:`ImportInfo` per ``import``: the resolved path (None when unresolved) and the names
    it brought. ``dependencies`` lists every file imported, transitively, with its digest.
``workflows``
    :class:`WorkflowInfo` per workflow version: its key, wait points (:class:`WaitPoint`: kind,
    span, label, awaited events, variables in scope) and label symbols. ``workflow(name,
    version=None)`` picks one.
``policy(name)`` / ``policy_worst_case(name)``
    The checked :class:`RetryPolicy` (defaults filled in) and the longest its backoff delays can
    add up to, in seconds (``RetryPolicy.worst_case(per_attempt)`` adds attempt timeouts).
``globals`` / ``interface``
    The module-level names visible in the document; what the document exports to importers.

The rules where the language reference is silent are in ``docs/language.md`` ("Checker rules").
"""

from coordlang.semantics import bodies, calls, declarations, expressions, migrations, patterns, policies  # noqa: F401
from coordlang.semantics import statements, waits  # noqa: F401  (register their codes)
from coordlang.semantics.driver import check, check_source
from coordlang.semantics.loader import (
    DEFAULT_CACHE, FileSystemProvider, ModuleCache, OverlayProvider, SourceProvider,
)
from coordlang.semantics.model import ModuleInterface, SemanticModel
from coordlang.semantics.patterns import PatternSummary
from coordlang.semantics.policies import RetryPolicy
from coordlang.semantics.symbols import ImportInfo, Reference, ScopeRecord, Symbol, SymbolKind, WaitPoint, WorkflowInfo
from coordlang.semantics.types import (
    BOOL, DURATION, FLOAT, INT, NONE, STR, TIME, UNKNOWN, ErrorValueType, EventType, HandlerType,
    PatternType, PolicyType, Type, WorkflowType,
)

__all__ = [
    "check", "check_source", "SemanticModel", "ModuleInterface", "SourceProvider", "FileSystemProvider",
    "OverlayProvider", "ModuleCache", "DEFAULT_CACHE", "Symbol", "SymbolKind", "Reference", "ScopeRecord",
    "ImportInfo", "WaitPoint", "WorkflowInfo", "RetryPolicy", "PatternSummary", "Type", "EventType",
    "ErrorValueType", "HandlerType", "PolicyType", "WorkflowType", "PatternType", "INT", "FLOAT", "BOOL",
    "STR", "DURATION", "TIME", "NONE", "UNKNOWN",
]
