"""Program-level lowering: declarations to IR definitions, and the source-span table."""

from __future__ import annotations

from pathlib import Path

from coordlang.analysis.document import Analysis
from coordlang.ir import nodes as ir
from coordlang.ir.body import Body, PatternInfo, type_name
from coordlang.semantics.types import PolicyType
from coordlang.source import Span
from coordlang.syntax import ast


class Lowering:
    """Collects a program's definitions (``declarations``), then its behaviour."""

    def __init__(self) -> None:
        self.spans: list[ir.SourceRef] = []
        self._sid_of: dict[tuple[Path | None, Span], int] = {}
        self.events: dict[str, ir.EventDef] = {}
        self.handlers: dict[str, ir.HandlerDef] = {}
        self.policies: dict[str, object] = {}
        self.patterns: dict[str, PatternInfo] = {}
        self.signatures: dict[str, ast.WorkflowDecl] = {}
        self.machines: list[ir.Machine] = []
        self.reactions: list[ir.Reaction] = []
        self.streams: list[ir.Stream] = []

    def sid(self, path: Path | None, span: Span) -> int:
        key = (path, span)
        found = self._sid_of.get(key)
        if found is None:
            found = self._sid_of[key] = len(self.spans)
            self.spans.append(ir.SourceRef(path, span))
        return found

    # ---- first pass: what names mean
    def declarations(self, analysis: Analysis, path: Path | None) -> None:
        model = analysis.model
        for decl in analysis.module.decls:
            if isinstance(decl, ast.EventDecl):
                fields = tuple((f.name.name, f.type.name) for f in decl.fields if isinstance(f, ast.Field))
                self.events[decl.name.name] = ir.EventDef(decl.name.name, fields)
            elif isinstance(decl, ast.HandlerDecl):
                self.handlers[decl.name.name] = self._handler(decl, path)
            elif isinstance(decl, ast.PolicyDecl):
                symbol = model.globals.get(decl.name.name)
                if symbol is not None and isinstance(symbol.type, PolicyType) and symbol.type.retry is not None:
                    self.policies[decl.name.name] = symbol.type.retry
            elif isinstance(decl, ast.PatternDecl):
                self.patterns[decl.name.name] = PatternInfo(decl, path)
            elif isinstance(decl, ast.WorkflowDecl):
                current = self.signatures.get(decl.name.name)
                if current is None or decl.version_number > current.version_number:
                    self.signatures[decl.name.name] = decl

    def _handler(self, decl: ast.HandlerDecl, path: Path | None) -> ir.HandlerDef:
        timeout = None
        mode = "plain"
        idempotent = False
        for flag in decl.flags:
            if flag.name == "timeout" and isinstance(flag.value, ast.DurationLit):
                timeout = flag.value.seconds
            elif flag.name in ("jit", "batch"):
                mode = flag.name
            elif flag.name == "idempotent":
                idempotent = True
        params = tuple((p.name.name, p.type.name) for p in decl.params if isinstance(p, ast.Param))
        return ir.HandlerDef(decl.name.name, decl.target.text, params,
                             decl.returns.name if decl.returns else "none", timeout, idempotent, mode,
                             path.parent if path is not None else None, self.sid(path, decl.span))

    # ---- second pass: machines, reactions, streams
    def behaviour(self, analysis: Analysis, path: Path | None) -> None:
        for decl in analysis.module.decls:
            if isinstance(decl, ast.WorkflowDecl):
                self.machines.append(self._machine(decl, path))
            elif isinstance(decl, ast.ReactionDecl):
                self.reactions.append(self._reaction(decl, path))
            elif isinstance(decl, ast.StreamDecl):
                self.streams.append(self._stream(decl, path))

    def _body(self, path: Path | None) -> Body:
        return Body(self, path)

    def _machine(self, decl: ast.WorkflowDecl, path: Path | None) -> ir.Machine:
        body = self._body(path)
        trigger_slot = None
        params: list[int] = []
        if decl.trigger is not None:
            event = decl.trigger.event.name
            trigger_slot = body.declare(decl.trigger.var.name, "event", event)
            key_type = self.events[event].field_type(decl.key.name) or "any"
        else:
            key_type = "any"
            for param in decl.params or ():
                if isinstance(param, ast.Param):
                    params.append(body.declare(param.name.name, param.type.name))
                    if param.name.name == decl.key.name:
                        key_type = param.type.name
        body.block(decl.body)
        body.finish_with_complete()
        return ir.Machine(decl.name.name, decl.version_number, decl.trigger.event.name if decl.trigger else None,
                          trigger_slot, tuple(params), decl.key.name, key_type,
                          decl.returns.name if decl.returns else "any", tuple(body.slots), tuple(body.code),
                          tuple(body.labels), self.sid(path, decl.name.span))

    def _reaction(self, decl: ast.ReactionDecl, path: Path | None) -> ir.Reaction:
        body = self._body(path)
        slot = body.declare(decl.var.name, "event", decl.event.name)
        guard = body.expr(decl.guard) if decl.guard is not None else None
        body.block(decl.body)
        return ir.Reaction(decl.event.name, slot, guard, tuple(body.slots), tuple(body.code),
                           self.sid(path, decl.span))

    def _stream(self, decl: ast.StreamDecl, path: Path | None) -> ir.Stream:
        body = self._body(path)
        body.declare(decl.var.name, "event", decl.event.name)  # slot 0: the event, for aggregates
        body.stream_key_type = self.events[decl.event.name].field_type(decl.by.name) or "any"
        window, size, every = _window(decl.window)
        body.block(decl.body)
        return ir.Stream(decl.name.name, decl.event.name, decl.by.name, window, size, every,
                         tuple(body.aggregates), tuple(body.slots), tuple(body.code), self.sid(path, decl.span))

    def finish(self) -> ir.Program:
        return ir.Program(tuple(self.events.values()), tuple(self.handlers.values()),
                          tuple(self.policies.items()), tuple(self.machines), tuple(self.reactions),
                          tuple(self.streams), tuple(self.spans))


def _window(expr: ast.Expr) -> tuple[str, float, float | None]:
    """``tumbling(10s)`` → ("tumbling", 10.0, None) and so on (the checker validated it)."""
    assert isinstance(expr, ast.CallExpr)
    positional = [a.value for a in expr.args if a.name is None]
    named = {a.name.name: a.value for a in expr.args if a.name is not None}

    def number(value) -> float:
        if isinstance(value, ast.DurationLit):
            return value.seconds
        if isinstance(value, (ast.IntLit, ast.FloatLit)):
            return float(value.value)
        raise AssertionError(f"unchecked window argument {value!r}")

    kind = expr.func.name
    if kind == "session":
        return kind, number(named.get("gap", positional[0] if positional else None)), None
    if kind == "sliding":
        every = named.get("every", positional[1] if len(positional) > 1 else None)
        return kind, number(positional[0]), number(every)
    return kind, number(positional[0]), None


__all__ = ["Lowering", "type_name"]
