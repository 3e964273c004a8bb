"""What the uses of an undeclared name show: the fields an event is read or emitted with, the
parameters and result of a handler, the type the place of an expression expects.

The code actions (``actions.py``) declare a missing event, handler or field from these. Each
guess is a primitive type name; where a use shows nothing, the caller picks a default.
"""

from __future__ import annotations

from coordlang.analysis.document import Analysis
from coordlang.semantics.symbols import Symbol, SymbolKind
from coordlang.semantics.types import EventType, HandlerType, Prim, Type, WorkflowType
from coordlang.source import Span
from coordlang.syntax import ast
from coordlang.syntax.tokens import KEYWORDS

_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_FLOAT_AGGREGATES = frozenset({"sum", "avg", "min", "max", "stddev", "first", "last"})


def primitive(t: Type | None) -> str | None:
    """The name of a value type a declaration can spell (``int`` ... ``time``), else None."""
    return t.name if isinstance(t, Prim) and t.name != "none" else None


class Inference:
    """Questions about one analysis's tree; built per request, so its indexes die with it."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.text = analysis.text
        self.model = analysis.model
        self.module = analysis.module
        self.parents: dict[int, ast.Node] = {}
        self.names: dict[Span, ast.Name] = {}
        for node in self.module.walk():
            for child in node.children():
                self.parents[id(child)] = node
            if type(node) is ast.Name:
                self.names[node.span] = node

    # ---- finding nodes
    def statement_at(self, span: Span) -> ast.Stmt | None:
        """The innermost statement holding ``span`` (a label's statement, not the label)."""
        found = None
        for node in self.module.walk():
            if isinstance(node, ast.Stmt) and node.span.start <= span.start and span.end <= node.span.end:
                found = node
        return found.stmt if isinstance(found, ast.Labelled) else found

    def node_named(self, span: Span, kinds: tuple[type, ...]) -> ast.Node | None:
        """The step or clause whose name (``handler``/``event``) has exactly ``span``."""
        for node in self.module.walk():
            if isinstance(node, kinds):
                ident = getattr(node, "handler", None) or getattr(node, "event", None)
                if ident is not None and ident.span == span:
                    return node
        return None

    def enclosing(self, node: ast.Node, kind: type) -> ast.Node | None:
        while node is not None and not isinstance(node, kind):
            node = self.parents.get(id(node))
        return node

    def symbol_declared_at(self, span: Span) -> Symbol | None:
        return next((s for s in self.model.symbols if s.span == span and s.path == self.analysis.path), None)

    def emits_of(self, event: str) -> list[ast.Emit]:
        return [n for n in self.module.walk() if isinstance(n, ast.Emit) and n.event.name == event]

    # ---- what a place expects
    def expected(self, node: ast.Node) -> str | None:
        """The type the place of expression ``node`` asks for, when it shows one."""
        parent = self.parents.get(id(node))
        model = self.model
        if isinstance(parent, ast.Paren):
            return self.expected(parent)
        if isinstance(parent, (ast.IfBranch, ast.When)):
            return "bool" if parent.cond is node else None
        if isinstance(parent, (ast.Await, ast.OnClause, ast.ReactionDecl)):
            return "bool" if parent.guard is node else ("duration" if node is getattr(parent, "within", None) else None)
        if isinstance(parent, ast.Unary):
            return "bool" if parent.op == "not" else self.expected(parent) or "float"
        if isinstance(parent, ast.Binary):
            if parent.op in ("and", "or"):
                return "bool"
            other = primitive(model.type_of(parent.right if parent.left is node else parent.left))
            if parent.op in _COMPARISONS or parent.op in "+-":
                return other
            return other if other in ("int", "float") else "float"
        if isinstance(parent, ast.StringLit) or isinstance(parent, ast.Fail):
            return "str"
        if isinstance(parent, (ast.Sleep, ast.AfterClause)):
            return "duration"
        if isinstance(parent, ast.For):
            return "int"
        if isinstance(parent, ast.Arg):
            return self._argument_type(parent)
        if isinstance(parent, ast.FieldInit):
            emit = self.parents.get(id(parent))
            et = self._event_type(emit.event.name) if isinstance(emit, ast.Emit) else None
            return primitive(et.field(parent.name.name)) if et is not None else None
        if isinstance(parent, ast.Complete):
            workflow = self.enclosing(parent, ast.WorkflowDecl)
            if workflow is not None and workflow.returns is not None and workflow.returns.name:
                return workflow.returns.name
            return None
        if isinstance(parent, ast.Let):
            if parent.type is not None and parent.type.name:
                return parent.type.name
            symbol = self.symbol_declared_at(parent.name.span)
            return self.usage(symbol) if symbol is not None else None
        if isinstance(parent, ast.Assign):
            symbol = self.model.scope_at(parent.span.start).get(parent.name.name)
            return primitive(symbol.type) if symbol is not None else None
        return None

    def usage(self, symbol: Symbol) -> str | None:
        """The first type a read of ``symbol`` asks for."""
        for ref in self.model.references_to(symbol):
            name = self.names.get(ref.span)
            if name is not None and not ref.is_definition and not ref.is_write:
                found = self.expected(name)
                if found is not None:
                    return found
        return None

    def _argument_type(self, arg: ast.Arg) -> str | None:
        call = self.parents.get(id(arg))
        if isinstance(call, ast.CallExpr):
            return "float" if call.func.name in _FLOAT_AGGREGATES else None
        if isinstance(call, (ast.DoStep, ast.Compensation)):
            target = self.model.globals.get(call.handler.name)
            t = target.type if target is not None else None
            params = t.params if isinstance(t, HandlerType) else None
        elif isinstance(call, ast.CallStep):
            target = self.model.globals.get(call.workflow.name)
            t = target.type if target is not None else None
            params = t.params if isinstance(t, WorkflowType) else None
        else:
            return None
        if not params:
            return None
        if arg.name is not None:
            return next((primitive(pt) for pn, pt in params if pn == arg.name.name), None)
        i = call.args.index(arg)
        return primitive(params[i][1]) if i < len(params) else None

    def _event_type(self, name: str) -> EventType | None:
        symbol = self.model.globals.get(name)
        return symbol.type if symbol is not None and isinstance(symbol.type, EventType) else None

    # ---- a missing event
    def event_fields(self, event: str) -> dict[str, str]:
        """The fields every use of the undeclared ``event`` in this document shows: an emit's
        (typed by its values), a variable's reads (typed by their places), the key of a
        workflow that starts on it or awaits it, a stream's ``by``."""
        fields: dict[str, str] = {}

        def add(name: str, t: str | None) -> None:
            if name and (name not in fields or fields[name] == "str" and t):
                fields[name] = t or "str"

        for node in self.module.walk():
            ident = getattr(node, "event", None)
            if not isinstance(ident, ast.Ident) or ident.name != event:
                continue
            if isinstance(node, ast.Emit):
                for item in node.fields:
                    if isinstance(item, ast.FieldInit):
                        add(item.name.name, primitive(self.model.type_of(item.value)))
                continue
            workflow = self.enclosing(node, ast.WorkflowDecl)
            if workflow is not None and workflow.key.name:
                add(workflow.key.name, self._key_type(workflow))
            var = getattr(node, "var", None)
            symbol = self.symbol_declared_at(var.span) if isinstance(var, ast.Ident) else None
            if symbol is not None:
                for ref in self.model.references_to(symbol):
                    member = self.parents.get(id(self.names.get(ref.span)))
                    if isinstance(member, ast.Member) and member.name.name:
                        add(member.name.name, self.expected(member))
            if isinstance(node, ast.StreamDecl) and node.by.name:
                add(node.by.name, None)
        return fields

    def _key_type(self, workflow: ast.WorkflowDecl) -> str | None:
        key = workflow.key.name
        if workflow.trigger is not None:
            et = self._event_type(workflow.trigger.event.name)
            return primitive(et.field(key)) if et is not None else None
        for param in workflow.params or ():
            if isinstance(param, ast.Param) and param.name.name == key:
                return param.type.name or None
        return None

    # ---- a missing handler
    def handler_params(self, step: ast.DoStep | ast.Compensation) -> dict[str, str]:
        """Parameter names and types from a call's arguments: ``o.amount`` gives ``amount``."""
        params: dict[str, str] = {}
        for i, arg in enumerate(step.args):
            value = arg.value
            if arg.name is not None:
                name = arg.name.name
            elif isinstance(value, ast.Name):
                name = value.name
            elif isinstance(value, ast.Member):
                name = value.name.name
            else:
                name = f"arg{i + 1}"
            if not name.isidentifier() or name in KEYWORDS:
                name = f"arg{i + 1}"
            while name in params:
                name += "_"
            t = primitive(self.model.type_of(value)) if isinstance(value, ast.Expr) else None
            params[name] = t or "str"
        return params

    def result_type(self, step: ast.DoStep | ast.Compensation) -> str:
        """The type how the step's result is used asks for; ``bool`` when unused."""
        return (self.expected(step) if isinstance(step, ast.DoStep) else None) or "bool"

    # ---- a missing field
    def unknown_field(self, span: Span) -> tuple[ast.EventDecl, str, str] | None:
        """For an N207 at ``span``: the event declaration of this document lacking the field,
        the field's name and its type (from the place it is read, or the value emitted)."""
        for node in self.module.walk():
            if isinstance(node, ast.Member) and node.name.span == span:
                t = self.model.type_of(node.obj)
                event, field_type = (t.name if isinstance(t, EventType) else None), self.expected(node)
                break
            if isinstance(node, ast.FieldInit) and node.name.span == span:
                emit = self.parents.get(id(node))
                event = emit.event.name if isinstance(emit, ast.Emit) else None
                field_type = primitive(self.model.type_of(node.value))
                break
            if isinstance(node, ast.StreamDecl) and node.by.span == span:
                event, field_type = node.event.name, None
                break
        else:
            return None
        symbol = self.model.globals.get(event) if event else None
        if symbol is None or symbol.kind is not SymbolKind.EVENT:
            return None
        decl = next((d for d in self.module.decls if d is symbol.node), None)
        if not isinstance(decl, ast.EventDecl) or any(isinstance(f, ast.ErrorItem) for f in decl.fields):
            return None  # imported, or being typed
        name = self.text[span.start:span.end]
        return decl, name, field_type or "str"
