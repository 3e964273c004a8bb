"""Completion candidates: the context from ``context.py``, the names from the semantic model."""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.analysis.context import CompletionContext, context_at
from coordlang.analysis.document import Analysis
from coordlang.semantics import EventType, HandlerType, PolicyType, SymbolKind, WorkflowType
from coordlang.semantics.types import ERROR_KINDS, PATTERN_KINDS, PRIMITIVES
from coordlang.syntax import ast


@dataclass(frozen=True, slots=True)
class CompletionItem:
    label: str
    kind: str
    """keyword, snippet, event, field, handler, policy, workflow, pattern, variable, type,
    label, function, value, error_kind, flag."""
    detail: str = ""
    insert_text: str | None = None
    """Text to insert (the label when None); a snippet with ``${1:...}`` tab stops when ``snippet``."""
    snippet: bool = False
    documentation: str = ""


@dataclass(frozen=True, slots=True)
class Completions:
    context: CompletionContext
    items: tuple[CompletionItem, ...]


_DECLARATION_SNIPPETS = (
    ("event", "event ${1:Name} { ${2:id}: ${3:str} }", "an event type"),
    ("handler", 'handler ${1:name}(${2:id}: ${3:str}) -> ${4:bool} = "${5:module}:${6:function}"',
     "bind a Python function"),
    ("policy", "policy ${1:name} = retry(attempts: ${2:3}, backoff: exponential(${3:100ms}, factor: 2.0, max: ${4:10s}))",
     "a retry policy"),
    ("workflow", "workflow ${1:Name} on ${2:Event} as ${3:e} key ${4:id} {\n    $0\n}", "a workflow started by an event"),
    ("workflow (called)", "workflow ${1:Name}(${2:id}: ${3:str}) key ${2:id} -> ${4:bool} {\n    $0\n}",
     "a workflow started by call"),
    ("on", "on ${1:Event} as ${2:e} {\n    $0\n}", "a reaction"),
    ("stream", "stream ${1:Name} from ${2:Event} as ${3:e} by ${4:key} window tumbling(${5:10s}) {\n    $0\n}",
     "a windowed stream"),
    ("pattern", "pattern ${1:name}(${2:body}: block) {\n    $0\n}", "a reusable piece of workflow"),
    ("migrate", "migrate ${1:Workflow} ${2:1} -> ${3:2} { $0 }", "move running instances to a new version"),
    ("import", 'import "${1:common.coord}"', "import a file"),
    ("module", "module ${1:name}", "name this module"),
)

_STATEMENT_SNIPPETS = (
    ("let", "let ${1:name} = $0", "declare a variable"),
    ("do", "do ${1:handler}($2)", "call a handler"),
    ("await", "await ${1:Event} as ${2:e} within ${3:1h} else {\n    $0\n}", "wait for an event"),
    ("select", "select {\n    on ${1:Event} as ${2:e} { $3 }\n    after ${4:1h} { $0 }\n}", "wait for the first of several"),
    ("sleep", "sleep ${1:1m}", "wait for time"),
    ("if", "if ${1:condition} {\n    $0\n}", "branch"),
    ("for", "for ${1:i} in ${2:0}..${3:10} {\n    $0\n}", "bounded loop"),
    ("parallel", "parallel {\n    { $1 }\n    { $0 }\n}", "run branches concurrently"),
    ("race", "race {\n    { $1 }\n    { $0 }\n}", "continue with the first branch to finish"),
    ("call", "call ${1:Workflow}($2)", "start a child workflow"),
    ("emit", "emit ${1:Event} { $0 }", "publish an event"),
    ("try", "try {\n    $1\n} catch ${2:HandlerError} as ${3:e} {\n    $0\n}", "handle errors"),
    ("complete", "complete $0", "end the instance successfully"),
    ("fail", 'fail "$0"', "end the instance with a failure"),
    ("use", "use ${1:pattern}($0)", "expand a pattern"),
    ("label", "label ${1:name}", "name the next wait point"),
)
_REACTION_STATEMENTS = frozenset({"let", "do", "emit", "if"})
_STREAM_STATEMENTS = (("let", "let ${1:name} = $0", "declare a value"),
                      ("when", "when ${1:condition} emit ${2:Event} { $0 }", "emit as each window closes"))
_AGGREGATES = ("count", "sum", "avg", "min", "max", "stddev", "first", "last")
_WINDOWS = (("tumbling", "tumbling(${1:10s})"), ("sliding", "sliding(${1:1m}, every: ${2:10s})"),
            ("session", "session(gap: ${1:30s})"), ("count", "count(${1:100})"))
_BACKOFFS = (("fixed", "fixed(${1:1s})"), ("exponential", "exponential(${1:100ms}, factor: ${2:2.0}, max: ${3:10s})"),
             ("linear", "linear(${1:1s}, step: ${2:1s}, max: ${3:10s})"))
_RETRY_ARGS = (("attempts", "attempts: ${1:3}"), ("backoff", "backoff: $1"), ("jitter", "jitter: ${1|none,full,equal|}"),
               ("on", "on: [${1:Timeout}]"))


def completions(analysis: Analysis, offset: int) -> Completions:
    """The candidates at ``offset``, filtered by the typed prefix (case-insensitively)."""
    ctx = context_at(analysis.module, analysis.text, offset)
    items = _candidates(analysis, ctx, offset)
    prefix = ctx.prefix.lower()
    if prefix:
        items = [i for i in items if i.label.lower().startswith(prefix)]
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in items:
        if (item.label, item.kind) not in seen:
            seen.add((item.label, item.kind))
            unique.append(item)
    return Completions(ctx, tuple(unique))


def _symbols(analysis: Analysis, offset: int, kind: SymbolKind, item_kind: str) -> list[CompletionItem]:
    return [CompletionItem(name, item_kind, s.detail) for name, s in sorted(analysis.model.scope_at(offset).items())
            if s.kind is kind]


def _enclosing_decl(module: ast.Module, offset: int) -> ast.Decl | None:
    for decl in module.decls:
        if decl.span.start <= offset <= decl.span.end:
            return decl
    return None


def _candidates(analysis: Analysis, ctx: CompletionContext, offset: int) -> list[CompletionItem]:
    kind = ctx.kind
    model = analysis.model
    if kind == "none":
        return []
    if kind == "declaration":
        return [CompletionItem(label, "snippet", doc, text, True) for label, text, doc in _DECLARATION_SNIPPETS]
    if kind == "statement":
        decl = _enclosing_decl(analysis.module, offset)
        if isinstance(decl, ast.StreamDecl):
            return [CompletionItem(label, "snippet", doc, text, True) for label, text, doc in _STREAM_STATEMENTS]
        snippets = _STATEMENT_SNIPPETS
        if isinstance(decl, ast.ReactionDecl):
            snippets = tuple(s for s in snippets if s[0] in _REACTION_STATEMENTS)
        items = [CompletionItem(label, "snippet", doc, text, True) for label, text, doc in snippets]
        return items + _values(analysis, offset)
    if kind in ("expression", "rhs"):
        items = _values(analysis, offset)
        if kind == "rhs":
            items += [CompletionItem("do", "keyword", "call a handler", "do "),
                      CompletionItem("call", "keyword", "start a child workflow", "call ")]
        return items
    if kind == "member":
        return _members(analysis, ctx, offset)
    if kind == "event":
        return _symbols(analysis, offset, SymbolKind.EVENT, "event") + [
            CompletionItem(name, "event", s.detail) for name, s in sorted(model.scope_at(offset).items())
            if s.kind is SymbolKind.PARAMETER and isinstance(s.type, EventType)]
    if kind == "handler":
        return _symbols(analysis, offset, SymbolKind.HANDLER, "handler") + [
            CompletionItem(name, "handler", s.detail) for name, s in sorted(model.scope_at(offset).items())
            if s.kind is SymbolKind.PARAMETER and isinstance(s.type, HandlerType)]
    if kind == "policy":
        return _symbols(analysis, offset, SymbolKind.POLICY, "policy") + [
            CompletionItem(name, "policy", s.detail) for name, s in sorted(model.scope_at(offset).items())
            if s.kind is SymbolKind.PARAMETER and isinstance(s.type, PolicyType)]
    if kind == "workflow":
        return [CompletionItem(name, "workflow", s.detail) for name, s in sorted(model.scope_at(offset).items())
                if s.kind is SymbolKind.WORKFLOW and isinstance(s.type, WorkflowType)
                and (s.type.params is not None or _after(analysis.text, ctx, "migrate"))]
    if kind == "pattern":
        return _symbols(analysis, offset, SymbolKind.PATTERN, "pattern")
    if kind == "type":
        names = list(PRIMITIVES)
        if isinstance(_enclosing_decl(analysis.module, offset), ast.PatternDecl):
            names += [k for k in PATTERN_KINDS if k not in names]
        return [CompletionItem(n, "type") for n in names]
    if kind == "error_kind":
        return [CompletionItem(k, "error_kind") for k in ERROR_KINDS]
    if kind == "emit_field":
        return _emit_fields(analysis, ctx, offset)
    if kind == "label":
        workflow, version, _ = ctx.target
        info = model.workflow(workflow, int(version)) if version.isdigit() else None
        return [CompletionItem(label, "label", f"{point.kind} in {workflow} version {version}")
                for label, point in sorted(info.labels.items())] if info else []
    if kind == "window":
        return [CompletionItem(label, "function", "window", text, True) for label, text in _WINDOWS]
    if kind == "policy_arg":
        if ctx.call == "retry":
            return [CompletionItem(label, "field", "", text, True) for label, text in _RETRY_ARGS]
        return [CompletionItem("retry", "function", "a retry policy",
                               "retry(attempts: ${1:3}, backoff: ${2:exponential(100ms, factor: 2.0, max: 10s)})", True)]
    if kind == "backoff":
        return [CompletionItem(label, "function", "backoff", text, True) for label, text in _BACKOFFS]
    if kind == "jitter":
        return [CompletionItem(j, "value") for j in ("none", "full", "equal")]
    if kind == "handler_flag":
        return [CompletionItem("timeout", "flag", "per-attempt timeout", "timeout ${1:5s}", True),
                CompletionItem("idempotent", "flag", "safe to call twice"),
                CompletionItem("jit", "flag", "numba-compiled, called inside the runtime"),
                CompletionItem("batch", "flag", "called once per batch with arrays")]
    if kind == "select_clause":
        return [CompletionItem("on", "snippet", "wait for an event", "on ${1:Event} as ${2:e} {\n    $0\n}", True),
                CompletionItem("after", "snippet", "a timeout", "after ${1:1h} {\n    $0\n}", True)]
    return []


def _after(text: str, ctx: CompletionContext, word: str) -> bool:
    return text[:ctx.replace.start].rstrip().endswith(word)


def _values(analysis: Analysis, offset: int) -> list[CompletionItem]:
    items = [CompletionItem(name, "variable", s.detail) for name, s in sorted(analysis.model.scope_at(offset).items())
             if s.kind.is_value]
    decl = _enclosing_decl(analysis.module, offset)
    items.append(CompletionItem("now", "function", "the runtime's clock: time", "now()"))
    if isinstance(decl, ast.StreamDecl):
        items += [CompletionItem(a, "function", "aggregate over the window", f"{a}()" if a == "count" else f"{a}($1)",
                                 a != "count") for a in _AGGREGATES]
    items += [CompletionItem(v, "value") for v in ("true", "false", "none")]
    items.append(CompletionItem("not", "keyword"))
    return items


def _members(analysis: Analysis, ctx: CompletionContext, offset: int) -> list[CompletionItem]:
    model = analysis.model
    if not ctx.target:
        return []
    symbol = model.scope_at(offset).get(ctx.target[0])
    if symbol is None:
        return []
    t = symbol.type
    for name in ctx.target[1:]:
        member = next((mt for mn, mt, _ in model.members(t) if mn == name), None)
        if member is None:
            return []
        t = member
    return [CompletionItem(name, "field", str(mt), documentation=decl.detail if decl else "")
            for name, mt, decl in model.members(t)]


def _emit_fields(analysis: Analysis, ctx: CompletionContext, offset: int) -> list[CompletionItem]:
    event, *given = ctx.target
    symbol = analysis.model.scope_at(offset).get(event)
    if symbol is None or not isinstance(symbol.type, EventType):
        return []
    return [CompletionItem(name, "field", str(ft), f"{name}: ") for name, ft in symbol.type.fields
            if name not in given]


