"""Module-level declarations: imports, the headers of every declaration, duplicates and clashes,
and the hints about what is declared but never used."""

from __future__ import annotations

import re

from coordlang.diagnostics import Related, Severity, register
from coordlang.semantics.constants import Seconds, const_value, format_seconds
from coordlang.semantics.policies import policy_summary, read_policy
from coordlang.semantics.symbols import ImportInfo, Symbol, SymbolKind
from coordlang.semantics.types import (
    BLOCK, NONE, PATTERN_KINDS, PRIMITIVES, UNKNOWN, EventType, HandlerType, PatternType,
    PolicyType, StreamType, Type, WorkflowType,
)
from coordlang.syntax import ast

register("N208", Severity.ERROR, "Duplicate declaration",
         "Events, handlers, policies, workflows, patterns and streams share one namespace per "
         "module. Two workflows may share a name only when their `version`s differ.",
         'event Paid { id: str }\nhandler Paid() -> bool = "m:paid"')
register("N209", Severity.ERROR, "Import clash",
         "An import brings a name that another import, or a declaration of this module, also "
         "declares. It is reported at the import; the local declaration wins.",
         'import "common.coord"   # declares event Paid\nevent Paid { id: str }')
register("N211", Severity.ERROR, "Duplicate field, parameter or argument",
         "A name appears twice in one list: an event's fields, a handler's, workflow's or pattern's "
         "parameters, an `emit`'s fields, a migration's mappings.",
         "event Paid { id: str, id: int }")
register("N217", Severity.HINT, "Unused variable",
         "A variable, parameter or error variable is never read. Start its name with `_` to keep it "
         "on purpose. Event variables and loop variables, which the syntax requires, are exempt.",
         "let unused = 1")
register("N218", Severity.HINT, "Unused handler or policy",
         "A handler or policy of this module is never used in it.",
         'handler never_called() -> bool = "m:f"')
register("N219", Severity.HINT, "Unused import",
         "Nothing the import brings is used in this module.",
         'import "common.coord"')
register("T307", Severity.ERROR, "Unknown or misplaced type",
         "Values are typed `int`, `float`, `bool`, `str`, `duration` or `time`; only pattern "
         "parameters take the kinds `handler`, `policy`, `event` and `block`.",
         "event E { n: integer }")
register("W403", Severity.ERROR, "Bad workflow key",
         "The key of an event-started workflow is a field of its start event; the key of a "
         "call-started workflow is one of its parameters.",
         "workflow W on OrderPlaced as o key id { }   # OrderPlaced has no field id")
register("W414", Severity.ERROR, "Conflicting handler flags",
         "`jit` (compiled into the runtime, one call per event) and `batch` (one call per batch, "
         "with arrays) exclude each other, and a flag is given once. A handler `timeout` is a "
         "positive constant duration.",
         'handler h(x: int) -> int = "m:h" jit batch')
register("W415", Severity.ERROR, "Bad handler target",
         "A handler binds a Python callable written `\"module:function\"` (the module may be "
         "dotted: `\"shop.pay:charge\"`).",
         'handler h() -> bool = "shop.pay.charge"')
register("W417", Severity.ERROR, "Bad pattern parameter kind",
         "Pattern parameters are `handler`, `policy`, `event`, `duration`, `int`, `float`, `str` "
         "or `block`.",
         "pattern p(flag: bool) { }")

_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*\Z")
_KIND_TYPES = ("handler", "policy", "event", "block")


class Declarations:
    """Mixin of :class:`Checker`: the module level."""

    # ---- imports
    def declare_module(self) -> None:
        for decl in self.module.decls:
            if isinstance(decl, ast.ImportDecl):
                self.import_module(decl)
        for decl in self.module.decls:
            if isinstance(decl, ast.EventDecl):
                self.event_header(decl)
        for decl in self.module.decls:
            kind = type(decl)
            if kind is ast.HandlerDecl:
                self.handler_header(decl)
            elif kind is ast.PolicyDecl:
                self.policy_header(decl)
            elif kind is ast.WorkflowDecl:
                self.workflow_header(decl)
            elif kind is ast.PatternDecl:
                self.pattern_header(decl)
            elif kind is ast.StreamDecl:
                self.declare_global(decl.name, SymbolKind.STREAM, StreamType(decl.name.name, decl.event.name),
                                    f"stream {decl.name.name} from {decl.event.name} by {decl.by.name}", decl)

    def import_module(self, decl: ast.ImportDecl) -> None:
        target = f'"{decl.path.text}"' if decl.path is not None else (decl.module.text if decl.module else "")
        outcome = self.load_import(decl)
        if outcome.problem:
            self.report("N214", outcome.problem, decl.span)
        if outcome.cycle:
            names = " → ".join(p.name for p in outcome.cycle)
            self.report("N215", f"import cycle: {names}", decl.span)
        model = outcome.model
        brought: list[Symbol] = []
        if model is not None:
            self.dependencies.update(dict(model.dependencies))
            if outcome.path is not None and outcome.digest:
                self.dependencies[outcome.path] = outcome.digest
            interface = model.interface
            clashes: list[str] = []
            for name, symbol in interface.declarations.items():
                existing = self.globals.get(name)
                if existing is not None and existing is not symbol:
                    where = existing.path.name if existing.path else "another module"
                    clashes.append(f"'{name}' (already imported from {where})")
                    continue
                self.globals[name] = symbol
                brought.append(symbol)
                if symbol.kind is SymbolKind.WORKFLOW and name in interface.versions:
                    self.versions[name] = dict(interface.versions[name])
            if clashes:
                self.report("N209", f"{target} brings {', '.join(clashes)}", decl.span)
            self.members.update(interface.members)
            for name, summary in interface.patterns.items():
                symbol = interface.declarations.get(name)
                if symbol is not None:
                    self.imported_patterns[id(symbol)] = summary
            self.imported_workflows.update(interface.workflows)
        self.imports.append(ImportInfo(decl.span, target, outcome.path, tuple(s.name for s in brought)))
        self.import_names.append((decl, brought))

    # ---- declarations
    def declare_global(self, ident: ast.Ident, kind: SymbolKind, t: Type, detail: str, decl: ast.Decl,
                       version: int | None = None) -> Symbol | None:
        name = ident.name
        if not name:
            return None
        symbol = self.new_symbol(kind, ident, detail, t, decl, self.module_name)
        previous = self.local_decls.get(name)
        if previous is not None:
            if version is not None and previous.kind is SymbolKind.WORKFLOW:
                versions = self.versions.setdefault(name, {})
                if version in versions:
                    self.report("N208", f"workflow {name} version {version} is declared twice",
                                ident.span, related=(Related(versions[version].span, "first declared here"),))
                    return symbol
                versions[version] = symbol
                if version > max(v for v in versions if versions[v] is not symbol):
                    self.local_decls[name] = self.globals[name] = symbol
                return symbol
            self.report("N208", f"'{name}' is already declared as {_a(previous.kind)} at line "
                        f"{self.line_of(previous.span)}", ident.span,
                        related=(Related(previous.span, "first declared here"),))
            return symbol
        imported = self.globals.get(name)
        if imported is not None and imported.path != self.path:
            for import_decl, brought in self.import_names:
                if imported in brought:
                    self.report("N209", f"this import brings '{name}', which line {self.line_of(ident.span)} "
                                "also declares", import_decl.span,
                                related=(Related(ident.span, "declared here"),))
            self.versions.pop(name, None)
        self.local_decls[name] = self.globals[name] = symbol
        if version is not None:
            self.versions[name] = {version: symbol}
        return symbol

    def value_type(self, ref: ast.TypeRef | None, *, default: Type = UNKNOWN) -> Type:
        """A value type as written (a primitive); T307 otherwise."""
        if ref is None:
            return default
        if not ref.name:
            return UNKNOWN
        t = PRIMITIVES.get(ref.name)
        if t is not None:
            return t
        if ref.name in _KIND_TYPES:
            self.report("T307", f"'{ref.name}' is a pattern parameter kind; values are int, float, bool, "
                        "str, duration or time", ref.span)
        else:
            self.report("T307", f"unknown type '{ref.name}': use int, float, bool, str, duration or time",
                        ref.span)
        return UNKNOWN

    def params_of(self, params, container: str, *, pattern: bool = False) -> tuple[tuple[str, Type], tuple[Symbol, ...]]:
        typed: list[tuple[str, Type]] = []
        symbols: list[Symbol] = []
        seen: set[str] = set()
        for param in params or ():
            if not isinstance(param, ast.Param) or not param.name.name:
                continue
            name = param.name.name
            t = self.pattern_kind(param) if pattern else self.value_type(param.type)
            if name in seen:
                self.report("N211", f"parameter '{name}' is declared twice", param.name.span)
                continue
            seen.add(name)
            typed.append((name, t))
            shown = param.type.name if pattern else str(t)
            symbols.append(Symbol(SymbolKind.PARAMETER, name, param.name.span, f"{name}: {shown}", t, param,
                                  container, self.path))
        return tuple(typed), tuple(symbols)

    def pattern_kind(self, param: ast.Param) -> Type:
        kind = param.type.name
        name = param.name.name
        if not kind:
            return UNKNOWN
        if kind not in PATTERN_KINDS:
            self.report("W417", f"'{kind}' is not a pattern parameter kind: use {', '.join(PATTERN_KINDS)}",
                        param.type.span)
            return UNKNOWN
        if kind == "handler":
            return HandlerType(name, None, UNKNOWN)
        if kind == "policy":
            return PolicyType(name)
        if kind == "event":
            return EventType(name, (), True)
        if kind == "block":
            return BLOCK
        return PRIMITIVES[kind]

    def event_header(self, decl: ast.EventDecl) -> None:
        fields: list[tuple[str, Type]] = []
        field_symbols: dict[str, Symbol] = {}
        for item in decl.fields:
            if not isinstance(item, ast.Field) or not item.name.name:
                continue
            t = self.value_type(item.type)
            name = item.name.name
            if name in field_symbols:
                self.report("N211", f"field '{name}' is declared twice", item.name.span)
                continue
            fields.append((name, t))
            field_symbols[name] = Symbol(SymbolKind.FIELD, name, item.name.span, f"{decl.name.name}.{name}: {t}",
                                         t, item, decl.name.name, self.path)
        shown = ", ".join(f"{n}: {t}" for n, t in fields)
        symbol = self.declare_global(decl.name, SymbolKind.EVENT, EventType(decl.name.name, tuple(fields)),
                                     f"event {decl.name.name} {{ {shown} }}", decl)
        self.add_members(symbol, field_symbols.values())

    def add_members(self, symbol: Symbol | None, members) -> None:
        members = list(members)
        for member in members:
            self.define(member)
        if symbol is not None:
            table = {m.name: m for m in members}
            self.members[id(symbol)] = self.local_members[id(symbol)] = table

    def handler_header(self, decl: ast.HandlerDecl) -> None:
        params, symbols = self.params_of(decl.params, decl.name.name)
        returns = self.value_type(decl.returns, default=NONE)
        target = decl.target.text if decl.target.is_plain else ""
        # A zero-width target was inserted by error recovery: the parser reported it.
        if (not decl.target.is_plain or not _TARGET.match(target)) and decl.target.span.length \
                and not self.damaged(decl.target.span):
            self.report("W415", f"a handler target is \"module:function\", not \"{target or '...'}\"",
                        decl.target.span)
        timeout, flags = self.handler_flags(decl)
        shown = ", ".join(f"{n}: {t}" for n, t in params)
        detail = f"handler {decl.name.name}({shown})" + (f" -> {returns}" if decl.returns else "")
        detail += f' = "{target}"' + "".join(
            f" timeout {format_seconds(timeout)}" if f == "timeout" and timeout is not None else f" {f}"
            for f in flags if f != "timeout" or timeout is not None)
        t = HandlerType(decl.name.name, params, returns, timeout, flags, target)
        symbol = self.declare_global(decl.name, SymbolKind.HANDLER, t, detail, decl)
        self.add_members(symbol, symbols)

    def handler_flags(self, decl: ast.HandlerDecl) -> tuple[float | None, tuple[str, ...]]:
        timeout = None
        seen: list[str] = []
        for flag in decl.flags:
            if flag.name in seen:
                self.report("W414", f"the flag '{flag.name}' is given twice", flag.span)
                continue
            if flag.name not in ("timeout", "idempotent", "jit", "batch"):
                continue  # P107, reported by the parser
            seen.append(flag.name)
            if flag.name == "timeout":
                self.expr(flag.value)
                value = const_value(flag.value)
                if not isinstance(value, Seconds) or value <= 0:
                    if not isinstance(flag.value, ast.ErrorExpr):
                        self.report("W414", "a handler timeout is a positive constant duration such as 5s",
                                    flag.value.span)
                else:
                    timeout = float(value)
            elif flag.name in ("jit", "batch") and {"jit", "batch"} <= set(seen):
                self.report("W414", "a handler is jit (called per event inside the compiled runtime) or batch "
                            "(called per batch with arrays), not both", flag.span)
        return timeout, tuple(seen)

    def policy_header(self, decl: ast.PolicyDecl) -> None:
        retry = read_policy(decl.value, self.diagnostics.append)
        if retry is not None:
            detail = f"policy {decl.name.name} = {retry.describe()}  # {policy_summary(retry)}"
        else:
            detail = f"policy {decl.name.name} = {' '.join(self.text[decl.value.span.start:decl.value.span.end].split())}"
        self.declare_global(decl.name, SymbolKind.POLICY, PolicyType(decl.name.name, retry), detail, decl)

    def workflow_header(self, decl: ast.WorkflowDecl) -> None:
        name = decl.name.name
        version = decl.version_number
        if version < 1:
            self.report("W418", f"a workflow version is at least 1, not {version}", decl.version.span)
        returns = self.value_type(decl.returns, default=NONE)
        key_name = decl.key.name
        key_type: Type = UNKNOWN
        trigger_var = None
        params: tuple[tuple[str, Type], ...] | None = None
        param_symbols: tuple[Symbol, ...] = ()
        if decl.trigger is not None:
            event = self.event_named(decl.trigger.event)
            event_type = event.type if event is not None else UNKNOWN
            if decl.trigger.var.name:
                trigger_var = Symbol(SymbolKind.EVENT_VAR, decl.trigger.var.name, decl.trigger.var.span,
                                     f"{decl.trigger.var.name}: {decl.trigger.event.name}", event_type,
                                     decl.trigger, name, self.path)
                self.define(trigger_var)
            if isinstance(event_type, EventType) and key_name:
                field_type = event_type.field(key_name)
                if field_type is None:
                    self.report("W403", f"the key '{key_name}' is not a field of {event_type.name}: "
                                f"use one of {', '.join(n for n, _ in event_type.fields) or 'its fields'}",
                                decl.key.span)
                else:
                    key_type = field_type
                    member = self.members.get(id(event), {}).get(key_name)
                    if member is not None:
                        self.ref(decl.key.span, member)
            header = f"workflow {name} on {decl.trigger.event.name} as {decl.trigger.var.name} key {key_name}"
        else:
            params, param_symbols = self.params_of(decl.params, name)
            found = next((s for s in param_symbols if s.name == key_name), None)
            if found is None and key_name:
                self.report("W403", f"the key '{key_name}' is not a parameter of {name}", decl.key.span)
            elif found is not None:
                key_type = found.type
                self.ref(decl.key.span, found)
            shown = ", ".join(f"{n}: {t}" for n, t in params)
            header = f"workflow {name}({shown}) key {key_name}"
        if decl.version is not None:
            header += f" version {version}"
        if decl.returns is not None:
            header += f" -> {returns}"
        t = WorkflowType(name, version, decl.trigger.event.name if decl.trigger else None, params, key_name,
                         key_type, returns, decl.returns is not None)
        symbol = self.declare_global(decl.name, SymbolKind.WORKFLOW, t, header, decl, version)
        self.add_members(symbol, param_symbols)
        if symbol is not None:
            self.workflow_symbols[id(decl)] = symbol
        self.headers[id(decl)] = (trigger_var, param_symbols)

    def pattern_header(self, decl: ast.PatternDecl) -> None:
        params, symbols = self.params_of(decl.params, decl.name.name, pattern=True)
        kinds = []
        for param in decl.params:
            if isinstance(param, ast.Param) and param.name.name and param.type.name:
                kinds.append((param.name.name, param.type.name))
        shown = ", ".join(f"{n}: {k}" for n, k in kinds)
        t = PatternType(decl.name.name, tuple((n, k) for n, k in kinds if k in PATTERN_KINDS))
        symbol = self.declare_global(decl.name, SymbolKind.PATTERN, t, f"pattern {decl.name.name}({shown})", decl)
        self.add_members(symbol, symbols)
        if symbol is not None:
            self.pattern_symbols[id(decl)] = symbol
        self.headers[id(decl)] = (None, symbols)

    def event_named(self, ident: ast.Ident) -> Symbol | None:
        """The event a name in a declaration header refers to (N202 when none)."""
        if not ident.name:
            return None
        symbol = self.globals.get(ident.name)
        if symbol is None or symbol.kind is not SymbolKind.EVENT:
            self.unknown("N202", "event", ident, symbol)
            return None
        self.ref(ident.span, symbol)
        return symbol

    # ---- bodies
    def check_bodies(self) -> None:
        for decl in self.module.decls:
            if isinstance(decl, ast.PatternDecl) and id(decl) in self.pattern_symbols:
                self.summary_of(self.pattern_symbols[id(decl)], None)
        for decl in self.module.decls:
            kind = type(decl)
            if kind is ast.WorkflowDecl:
                self.workflow_body(decl)
            elif kind is ast.ReactionDecl:
                self.reaction_body(decl)
            elif kind is ast.StreamDecl:
                self.stream_body(decl)
        from coordlang.semantics.migrations import check_migration
        for decl in self.module.decls:
            if isinstance(decl, ast.MigrateDecl):
                check_migration(self, decl)

    # ---- hints
    def report_unused_locals(self, symbols: list[Symbol]) -> None:
        for symbol in symbols:
            if isinstance(symbol.node, ast.Let) and self.damaged(symbol.node.span):
                continue  # being typed: the parser has its say first
            if id(symbol) not in self.used and not symbol.name.startswith("_"):
                what = "parameter" if symbol.kind is SymbolKind.PARAMETER else "variable"
                self.report("N217", f"the {what} '{symbol.name}' is never read", symbol.span, unnecessary=True)

    def report_unused_declarations(self) -> None:
        for symbol in self.local_decls.values():
            if symbol.kind in (SymbolKind.HANDLER, SymbolKind.POLICY) and id(symbol) not in self.used:
                self.report("N218", f"the {symbol.kind.value} '{symbol.name}' is never used", symbol.span,
                            unnecessary=True)
        for decl, brought in self.import_names:
            if brought and not any(id(s) in self.used for s in brought):
                self.report("N219", "nothing this import brings is used", decl.span, unnecessary=True)


def _a(kind: SymbolKind) -> str:
    word = kind.value
    return ("an " if word[0] in "aeiou" else "a ") + word

