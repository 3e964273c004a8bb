"""Lowering bodies (workflows, reactions, streams, expanded patterns) to instructions.

Scopes map names to bindings: a slot, or, inside an expanded pattern, what a parameter stands
for (a handler, policy or event name, a value expression of the caller, a block of the
caller's to compile in the caller's scope). Forward jumps are emitted with a placeholder
target and patched once the target is known.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coordlang.ir import nodes as ir
from coordlang.syntax import ast

if TYPE_CHECKING:
    from coordlang.ir.lower import Lowering

_AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "stddev", "first", "last"})
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "and", "or"})


@dataclass(frozen=True, slots=True)
class PatternInfo:
    decl: ast.PatternDecl
    path: Path | None


@dataclass(slots=True)
class _Context:
    """Where names are looked up: a stack of scopes, and the file the code comes from."""

    scopes: list[dict[str, tuple[str, Any]]]
    path: Path | None


def type_name(t: str | None) -> str:
    return t or "any"


class Body:
    """The slots and instructions of one machine, reaction or stream."""

    def __init__(self, program: Lowering, path: Path | None) -> None:
        self.program = program
        self.ctx = _Context([{}], path)
        self.slots: list[ir.Slot] = []
        self.code: list[ir.Instr] = []
        self.labels: list[tuple[str, int]] = []
        self.aggregates: list[ir.Aggregate] = []
        self.stream_key_type: str | None = None
        self._steps = 0
        self._expanding: list[str] = []

    # ---- slots, scopes, code
    def declare(self, name: str, type: str, event: str | None = None) -> int:
        self.slots.append(ir.Slot(name, type_name(type), event))
        slot = len(self.slots) - 1
        self.ctx.scopes[-1][name] = ("slot", slot)
        return slot

    def lookup(self, name: str) -> tuple[str, Any] | None:
        for scope in reversed(self.ctx.scopes):
            if name in scope:
                return scope[name]
        return None

    def resolve(self, ident: ast.Ident, kind: str) -> str:
        """A handler, policy, event or workflow name, through pattern parameters."""
        binding = self.lookup(ident.name)
        if binding is not None and binding[0] == kind:
            return binding[1]
        return ident.name

    def sid(self, node: ast.Node) -> int:
        return self.program.sid(self.ctx.path, node.span)

    def emit(self, instr: ir.Instr) -> int:
        self.code.append(instr)
        return len(self.code) - 1

    def patch(self, pc: int, **changes: Any) -> None:
        self.code[pc] = replace(self.code[pc], **changes)

    @property
    def pc(self) -> int:
        return len(self.code)

    def step(self) -> int:
        self._steps += 1
        return self._steps - 1

    def finish_with_complete(self) -> None:
        """A workflow body that runs off its end completes with no value."""
        if not self.code or not isinstance(self.code[-1], (ir.Complete, ir.FailWith, ir.Raise, ir.Jump)):
            self.emit(ir.Complete(None))
        elif isinstance(self.code[-1], ir.Jump):
            self.emit(ir.Complete(None))

    # ---- statements
    def block(self, block: ast.Block) -> None:
        self.ctx.scopes.append({})
        try:
            for stmt in block.stmts:
                self.stmt(stmt)
        finally:
            self.ctx.scopes.pop()

    def stmt(self, stmt: ast.Stmt, label: str | None = None) -> None:
        method = getattr(self, "_" + type(stmt).__name__.lower(), None)
        if method is None:
            raise AssertionError(f"statement {type(stmt).__name__} reached the compiler")
        if label is not None:
            method(stmt, label)
        else:
            method(stmt)

    def _let(self, stmt: ast.Let) -> None:
        target, value_type = self._rhs(stmt.value, None)
        declared = stmt.type.name if stmt.type is not None else value_type
        slot = self.declare(stmt.name.name, declared)
        self._store(stmt.value, slot, target, stmt)

    def _assign(self, stmt: ast.Assign) -> None:
        binding = self.lookup(stmt.name.name)
        assert binding is not None and binding[0] == "slot", f"assignment to {stmt.name.name}"
        target, _ = self._rhs(stmt.value, binding[1])
        self._store(stmt.value, binding[1], target, stmt)

    def _rhs(self, value, slot: int | None) -> tuple[Any, str]:
        if isinstance(value, ast.DoStep):
            return None, self.program.handlers[self.resolve(value.handler, "handler")].returns
        if isinstance(value, ast.CallStep):
            workflow = self.program.signatures[self.resolve(value.workflow, "workflow")]
            return None, workflow.returns.name if workflow.returns else "any"
        expr = self.expr(value)
        return expr, self.type_of(expr)

    def _store(self, value, slot: int, expr, node: ast.Node) -> None:
        if isinstance(value, ast.DoStep):
            self._dostep(value, slot)
        elif isinstance(value, ast.CallStep):
            self._callstep(value, slot)
        else:
            self.emit(ir.Assign(slot, expr, self.sid(node)))

    def _dostep(self, stmt: ast.DoStep, target: int | None = None) -> None:
        handler = self.resolve(stmt.handler, "handler")
        args = self._arguments(stmt.args, self.program.handlers[handler].params)
        policy = self.resolve(stmt.policy, "policy") if stmt.policy is not None else None
        timeout = _constant_seconds(self.expr(stmt.timeout)) if stmt.timeout is not None else None
        compensation = None
        if stmt.compensate is not None:
            comp = stmt.compensate
            undo = self.resolve(comp.handler, "handler")
            compensation = ir.Compensation(undo, self._arguments(comp.args, self.program.handlers[undo].params),
                                           self.resolve(comp.policy, "policy") if comp.policy else None,
                                           self.sid(comp))
        self.emit(ir.Do(handler, args, target, policy, timeout, compensation, self.step(), self.sid(stmt)))

    def _callstep(self, stmt: ast.CallStep, target: int | None = None) -> None:
        name = self.resolve(stmt.workflow, "workflow")
        decl = self.program.signatures[name]
        params = tuple((p.name.name, p.type.name) for p in decl.params or () if isinstance(p, ast.Param))
        policy = self.resolve(stmt.policy, "policy") if stmt.policy is not None else None
        self.emit(ir.CallChild(name, self._arguments(stmt.args, params), target, policy, self.step(),
                               self.sid(stmt)))

    def _arguments(self, args: tuple[ast.Arg, ...], params: tuple[tuple[str, str], ...]) -> tuple[ir.Expr, ...]:
        """Arguments in parameter order (named ones placed by name)."""
        values: list[ir.Expr | None] = [None] * len(params)
        names = [p[0] for p in params]
        position = 0
        for arg in args:
            if arg.name is not None:
                values[names.index(arg.name.name)] = self.expr(arg.value)
            else:
                values[position] = self.expr(arg.value)
                position += 1
        return tuple(v if v is not None else ir.Const(None, "none") for v in values)

    def _await(self, stmt: ast.Await, label: str | None = None) -> None:
        self.ctx.scopes.append({})
        event = self.resolve(stmt.event, "event")
        slot = self.declare(stmt.var.name, "event", event)
        guard = self.expr(stmt.guard) if stmt.guard is not None else None
        clause = ir.Clause(event, slot, guard, -1, self.sid(stmt.event))
        timer = ir.Timer(self.expr(stmt.within), -1, self.sid(stmt.within)) if stmt.within is not None else None
        wait = self.emit(ir.Wait("await", (clause,), timer, label, self.sid(stmt)))
        if label is not None:
            self.labels.append((label, wait))
        if timer is not None:
            self.patch(wait, timer=replace(timer, target=self.pc))
            scopes, self.ctx.scopes = self.ctx.scopes, self.ctx.scopes[:-1]  # else does not see the variable
            try:
                if stmt.else_body is not None:
                    self.block(stmt.else_body)
                    jump = self.emit(ir.Jump(-1))
                else:
                    jump = None
                    self.emit(ir.Raise("Timeout", f"no {event} within the time allowed", self.sid(stmt)))
            finally:
                self.ctx.scopes = scopes
            if jump is not None:
                self.patch(jump, target=self.pc)
        self.patch(wait, clauses=(replace(clause, target=self.pc),))
        # The event variable stays visible after the await, to the end of the enclosing block.
        inner = self.ctx.scopes.pop()
        self.ctx.scopes[-1].update(inner)

    def _select(self, stmt: ast.Select, label: str | None = None) -> None:
        wait = self.emit(ir.Wait("select", (), None, label, self.sid(stmt)))
        if label is not None:
            self.labels.append((label, wait))
        clauses: list[ir.Clause] = []
        timer = None
        ends: list[int] = []
        for clause in stmt.clauses:
            if isinstance(clause, ast.OnClause):
                self.ctx.scopes.append({})
                event = self.resolve(clause.event, "event")
                slot = self.declare(clause.var.name, "event", event)
                guard = self.expr(clause.guard) if clause.guard is not None else None
                clauses.append(ir.Clause(event, slot, guard, self.pc, self.sid(clause)))
                self.block(clause.body)
                self.ctx.scopes.pop()
            elif isinstance(clause, ast.AfterClause):
                timer = ir.Timer(self.expr(clause.delay), self.pc, self.sid(clause))
                self.block(clause.body)
            else:
                continue
            ends.append(self.emit(ir.Jump(-1)))
        for end in ends:
            self.patch(end, target=self.pc)
        self.patch(wait, clauses=tuple(clauses), timer=timer)

    def _sleep(self, stmt: ast.Sleep, label: str | None = None) -> None:
        wait = self.emit(ir.Wait("sleep", (), ir.Timer(self.expr(stmt.delay), -1, self.sid(stmt.delay)), label,
                                 self.sid(stmt)))
        if label is not None:
            self.labels.append((label, wait))
        self.patch(wait, timer=replace(self.code[wait].timer, target=self.pc))

    def _labelled(self, stmt: ast.Labelled) -> None:
        self.stmt(stmt.stmt, stmt.label.name)

    def _if(self, stmt: ast.If) -> None:
        ends: list[int] = []
        for branch in stmt.branches:
            test = self.emit(ir.Branch(self.expr(branch.cond), -1, self.sid(branch.cond)))
            self.block(branch.body)
            ends.append(self.emit(ir.Jump(-1)))
            self.patch(test, otherwise=self.pc)
        if stmt.else_body is not None:
            self.block(stmt.else_body)
        for end in ends:
            self.patch(end, target=self.pc)

    def _for(self, stmt: ast.For) -> None:
        self.ctx.scopes.append({})
        var = self.declare(stmt.var.name, "int")
        stop = self.declare(f"{stmt.var.name}$stop", "int")
        self.emit(ir.Assign(var, self.expr(stmt.start), self.sid(stmt.start)))
        self.emit(ir.Assign(stop, self.expr(stmt.stop), self.sid(stmt.stop)))
        top = self.emit(ir.Branch(ir.Binary("<", ir.Load(var), ir.Load(stop), "bool"), -1, self.sid(stmt)))
        self.block(stmt.body)
        self.emit(ir.Assign(var, ir.Binary("+", ir.Load(var), ir.Const(1, "int"), "int"), self.sid(stmt.var)))
        self.emit(ir.Jump(top))
        self.patch(top, otherwise=self.pc)
        self.ctx.scopes.pop()

    def _fork(self, stmt, race: bool) -> None:
        fork = self.emit(ir.Fork((), -1, race, self.sid(stmt)))
        entries = []
        for branch in stmt.branches:
            entries.append(self.pc)
            self.block(branch)
            self.emit(ir.EndBranch(self.sid(branch)))
        self.patch(fork, branches=tuple(entries), join=self.pc)

    def _parallel(self, stmt: ast.Parallel) -> None:
        self._fork(stmt, race=False)

    def _race(self, stmt: ast.Race) -> None:
        self._fork(stmt, race=True)

    def _emit(self, stmt: ast.Emit) -> None:
        event = self.resolve(stmt.event, "event")
        given = {f.name.name: f.value for f in stmt.fields if isinstance(f, ast.FieldInit)}
        fields = tuple((name, self.expr(given[name]) if name in given else ir.Const(None, "none"))
                       for name, _ in self.program.events[event].fields)
        self.emit(ir.Emit(event, fields, self.sid(stmt)))

    def _when(self, stmt: ast.When) -> None:
        test = self.emit(ir.Branch(self.expr(stmt.cond), -1, self.sid(stmt.cond)))
        self._emit(stmt.emit)
        self.patch(test, otherwise=self.pc)

    def _try(self, stmt: ast.Try) -> None:
        enter = self.emit(ir.TryEnter((), self.sid(stmt)))
        self.block(stmt.body)
        self.emit(ir.TryExit(self.sid(stmt)))
        ends = [self.emit(ir.Jump(-1))]
        catches = []
        for catch in stmt.catches:
            self.ctx.scopes.append({})
            slot = self.declare(catch.var.name, "error") if catch.var is not None else None
            catches.append(ir.Catch(catch.kind.name if catch.kind else None, slot, self.pc, self.sid(catch)))
            self.block(catch.body)
            self.ctx.scopes.pop()
            ends.append(self.emit(ir.Jump(-1)))
        for end in ends:
            self.patch(end, target=self.pc)
        self.patch(enter, catches=tuple(catches))

    def _complete(self, stmt: ast.Complete) -> None:
        self.emit(ir.Complete(self.expr(stmt.value) if stmt.value is not None else None, self.sid(stmt)))

    def _fail(self, stmt: ast.Fail) -> None:
        self.emit(ir.FailWith(self.expr(stmt.message), self.sid(stmt)))

    def _use(self, stmt: ast.Use) -> None:
        name = stmt.pattern.name
        info = self.program.patterns[name]
        if name in self._expanding:  # the checker reports recursion (W424); never loop here
            raise AssertionError(f"recursive pattern {name}")
        params = [p for p in info.decl.params if isinstance(p, ast.Param)]
        bindings: dict[str, tuple[str, Any]] = {}
        position = 0
        for arg in stmt.args:
            if arg.name is not None:
                param = next(p for p in params if p.name.name == arg.name.name)
            else:
                param = params[position]
                position += 1
            bindings[param.name.name] = self._bind(param.type.name, arg.value)
        caller = self.ctx
        self.ctx = _Context([bindings, {}], info.path)
        self._expanding.append(name)
        try:
            self.block(info.decl.body)
        finally:
            self._expanding.pop()
            self.ctx = caller

    def _bind(self, kind: str, value) -> tuple[str, Any]:
        if kind == "block":
            return ("block", (value, _Context(list(self.ctx.scopes), self.ctx.path)))
        if kind in ("handler", "policy", "event"):
            assert isinstance(value, ast.Name), f"a {kind} argument is a name"
            return (kind, self.resolve(ast.Ident(value.span, value.name), kind))
        return ("value", self.expr(value))

    def _splice(self, stmt: ast.Splice) -> None:
        binding = self.lookup(stmt.name.name)
        assert binding is not None and binding[0] == "block"
        block, context = binding[1]
        inside = self.ctx
        self.ctx = _Context(list(context.scopes), context.path)
        try:
            self.block(block)
        finally:
            self.ctx = inside

    # ---- expressions
    def expr(self, node: ast.Expr) -> ir.Expr:
        sid = self.sid(node)
        if isinstance(node, ast.Paren):
            return self.expr(node.expr)
        if isinstance(node, ast.IntLit):
            return ir.Const(node.value, "int", sid)
        if isinstance(node, ast.FloatLit):
            return ir.Const(node.value, "float", sid)
        if isinstance(node, ast.BoolLit):
            return ir.Const(node.value, "bool", sid)
        if isinstance(node, ast.NoneLit):
            return ir.Const(None, "none", sid)
        if isinstance(node, ast.DurationLit):
            return ir.Const(node.seconds, "duration", sid)
        if isinstance(node, ast.StringLit):
            if node.is_plain:
                return ir.Const(node.text, "str", sid)
            return ir.Interpolate(tuple(p if isinstance(p, str) else self.expr(p) for p in node.parts), sid)
        if isinstance(node, ast.Name):
            binding = self.lookup(node.name)
            if binding is None and node.name == "key":
                return ir.Builtin("key", (), sid)
            assert binding is not None, f"unresolved name {node.name}"
            if binding[0] == "slot":
                return ir.Load(binding[1], sid)
            if binding[0] == "value":
                return binding[1]
            raise AssertionError(f"{node.name} is a {binding[0]}, not a value")
        if isinstance(node, ast.Member):
            return ir.GetField(self.expr(node.obj), node.name.name, sid)
        if isinstance(node, ast.Binary):
            left, right = self.expr(node.left), self.expr(node.right)
            return ir.Binary(node.op, left, right, _binary_type(node.op, self.type_of(left), self.type_of(right)), sid)
        if isinstance(node, ast.Unary):
            return ir.Unary(node.op, self.expr(node.operand), sid)
        if isinstance(node, ast.CallExpr):
            name = node.func.name
            if name in _AGGREGATES:
                value = self.expr(node.args[0].value) if node.args else None
                self.aggregates.append(ir.Aggregate(name, value))
                return ir.AggregateRef(len(self.aggregates) - 1, sid)
            return ir.Builtin(name, tuple(self.expr(a.value) for a in node.args), sid)
        raise AssertionError(f"expression {type(node).__name__} reached the compiler")

    def type_of(self, expr: ir.Expr) -> str:
        """The static type of an IR expression."""
        if isinstance(expr, ir.Const):
            return expr.type
        if isinstance(expr, ir.Load):
            return self.slots[expr.slot].type
        if isinstance(expr, ir.GetField):
            obj = expr.obj
            if isinstance(obj, ir.Load) and self.slots[obj.slot].type == "event":
                event = self.program.events.get(self.slots[obj.slot].event or "")
                return (event.field_type(expr.name) if event else None) or "any"
            if isinstance(obj, ir.Load) and self.slots[obj.slot].type == "error":
                return "str"
            return "any"
        if isinstance(expr, ir.Binary):
            return expr.type
        if isinstance(expr, ir.Unary):
            return "bool" if expr.op == "not" else self.type_of(expr.operand)
        if isinstance(expr, ir.Interpolate):
            return "str"
        if isinstance(expr, ir.Builtin):
            if expr.name == "now":
                return "time"
            if expr.name == "key":
                return self.stream_key_type or "any"
            return "any"
        if isinstance(expr, ir.AggregateRef):
            aggregate = self.aggregates[expr.index]
            if aggregate.kind == "count":
                return "int"
            if aggregate.kind in ("avg", "stddev"):
                return "float"
            return self.type_of(aggregate.value) if aggregate.value is not None else "any"
        return "any"


def _binary_type(op: str, left: str, right: str) -> str:
    if op in _COMPARISONS:
        return "bool"
    if op == "/":
        return "duration" if left == "duration" and right in ("int", "float") else "float"
    if left == "str" or right == "str":
        return "str"
    if left == "time" and right == "time":
        return "duration"
    if "time" in (left, right):
        return "time"
    if "duration" in (left, right):
        return "duration"
    if "float" in (left, right):
        return "float"
    if left == right == "int":
        return "int"
    return "any"


def _constant_seconds(expr: ir.Expr) -> float | None:
    return float(expr.value) if isinstance(expr, ir.Const) and isinstance(expr.value, (int, float)) else None
