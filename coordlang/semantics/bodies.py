"""The bodies of workflows, reactions and streams, and a stream's window."""

from __future__ import annotations

from coordlang.diagnostics import Severity, register
from coordlang.semantics.constants import NOT_CONSTANT, Seconds, const_value
from coordlang.semantics.symbols import Symbol, SymbolKind, WorkflowInfo
from coordlang.semantics.types import UNKNOWN, EventType, Type, WorkflowType
from coordlang.syntax import ast

register("W416", Severity.ERROR, "Bad stream window",
         "A stream's window is `tumbling(D)`, `sliding(D, every: D)`, `session(gap: D)` or "
         "`count(N)`, with positive constant durations and counts; `by` names a field of the "
         "stream's event.",
         "stream S from Reading as r by sensor window hopping(10s) { }")

_WINDOWS = {"tumbling": ("size",), "sliding": ("size", "every"), "session": ("gap",), "count": ("n",)}


class Bodies:
    """Mixin of :class:`Checker`: workflow, reaction and stream bodies."""

    def workflow_body(self, decl: ast.WorkflowDecl) -> None:
        symbol = self.workflow_symbol(decl)
        wt = symbol.type if symbol is not None else None
        saved = self.enter_body("workflow", decl.span, decl.name.name)
        trigger_var, params = self.headers.get(id(decl), (None, ()))
        if isinstance(wt, WorkflowType):
            self.body.workflow = wt
            self.body.trigger = wt.trigger
            if wt.key and wt.key_type is not UNKNOWN:
                self.body.key = (wt.key, wt.key_type)
        if trigger_var is not None:
            self.bind(trigger_var, decl.body.span.start)
        for param in params:
            self.bind(param, decl.body.span.start)
        self.body.locals.extend(p for p in params if p.name != decl.key.name)
        self.block(decl.body)
        waits = tuple(self.body.wait_points)
        labels = tuple(self.body.labels.values())
        self.leave_body(saved)
        if symbol is not None and isinstance(wt, WorkflowType):
            info = WorkflowInfo(symbol, wt.name, wt.version, wt.key, waits, labels)
            self.workflow_infos.append(info)
            self.workflow_info_by_key.setdefault((wt.name, wt.version), info)

    def workflow_symbol(self, decl: ast.WorkflowDecl) -> Symbol | None:
        return self.workflow_symbols.get(id(decl))

    def reaction_body(self, decl: ast.ReactionDecl) -> None:
        event = self.event_named(decl.event)
        et: Type = event.type if event is not None else UNKNOWN
        saved = self.enter_body("reaction", decl.span, f"on {decl.event.name}")
        if decl.var.name:
            var = self.new_symbol(SymbolKind.EVENT_VAR, decl.var, f"{decl.var.name}: {decl.event.name}", et, decl,
                                  self.body.container)
            self.bind(var, decl.var.span.end)
        if decl.guard is not None:
            self.guard(decl.guard, "a reaction's where guard")
        self.block(decl.body)
        self.leave_body(saved)

    def stream_body(self, decl: ast.StreamDecl) -> None:
        event = self.event_named(decl.event)
        et: Type = event.type if event is not None else UNKNOWN
        key_type: Type = UNKNOWN
        if isinstance(et, EventType) and decl.by.name:
            field_type = et.field(decl.by.name)
            if field_type is None:
                self.report("N207", f"{et.name} has no field '{decl.by.name}' to group the stream by", decl.by.span)
            else:
                key_type = field_type
                member = self.members.get(id(event), {}).get(decl.by.name)
                if member is not None:
                    self.ref(decl.by.span, member)
        self.window(decl.window)
        saved = self.enter_body("stream", decl.span, decl.name.name)
        if decl.var.name:
            var = self.new_symbol(SymbolKind.EVENT_VAR, decl.var, f"{decl.var.name}: {decl.event.name}", et, decl,
                                  decl.name.name)
            self.bind(var, decl.var.span.end)
        key = Symbol(SymbolKind.KEY, "key", decl.by.span, f"key: {key_type} (the window's {decl.by.name})", key_type,
                     decl, decl.name.name, self.path)
        self.bind(key, decl.body.span.start)
        self.block(decl.body)
        self.leave_body(saved)

    def window(self, e: ast.Expr) -> None:
        if isinstance(e, ast.ErrorExpr):
            return
        if not isinstance(e, ast.CallExpr) or e.func.name not in _WINDOWS:
            self.report("W416", "a window is tumbling(D), sliding(D, every: D), session(gap: D) or count(N)", e.span)
            return
        shape = e.func.name
        names = _WINDOWS[shape]
        given: dict[str, ast.Expr] = {}
        if any(isinstance(arg.value, ast.ErrorExpr) for arg in e.args):
            return  # the parser reported the damage
        for i, arg in enumerate(e.args):
            name = arg.name.name if arg.name is not None else (names[i] if i < len(names) else "")
            if isinstance(arg.value, ast.Block) or name not in names or name in given:
                self.report("W416", f"{shape} takes {', '.join(names)}", arg.span)
                return
            given[name] = arg.value
        if len(given) != len(names):
            self.report("W416", f"{shape} takes {', '.join(names)}", e.span)
            return
        for name, value in given.items():
            self.expr(value)
            constant = const_value(value)
            if shape == "count":
                if isinstance(constant, bool) or not isinstance(constant, int) or constant < 1:
                    self.report("W416", "count(N) takes a constant int of at least 1", value.span)
            elif constant is NOT_CONSTANT or not isinstance(constant, Seconds) or constant <= 0:
                self.report("W416", f"the window's {name} is a positive constant duration", value.span)
