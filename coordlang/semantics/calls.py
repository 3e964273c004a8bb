"""Calls: ``do`` steps with their policies and compensations, ``call`` of child workflows, and
matching arguments to parameters (by position, then by name)."""

from __future__ import annotations

from coordlang.diagnostics import Severity, register
from coordlang.semantics.constants import const_duration, format_seconds
from coordlang.semantics.symbols import Symbol, SymbolKind
from coordlang.semantics.types import DURATION, UNKNOWN, HandlerType, PolicyType, Type, WorkflowType, assignable, kind_of
from coordlang.source import Span
from coordlang.syntax import ast

register("T303", Severity.ERROR, "Argument or value of the wrong type",
         "An argument of a handler, workflow or pattern, a field of an `emit` or the message of a "
         "`fail` has a type its place does not accept (an `int` is accepted where a `float` is "
         "expected).",
         'do charge(o.order_id, "12")')
register("T304", Severity.ERROR, "Wrong number of arguments",
         "Handlers, workflows and patterns take exactly their parameters (by position, or by name "
         "as `name: value`).",
         "do charge(o.order_id)")
register("T305", Severity.ERROR, "Bad named argument",
         "A named argument must name a parameter, once, and come after the positional ones.",
         "call Notify(customer: c, txt: t)")
register("W413", Severity.WARNING, "Retries outlast the enclosing timeout",
         "The policy's worst case (every backoff delay at its maximum plus every attempt running to "
         "the handler's `timeout`) is longer than the timeout around the step: the step's own "
         "`timeout D`, or the `sleep D` that starts a sibling branch of the `race` it is in. The "
         "last retries can never run. This is also the optimization hint about retries that "
         "outlast their deadline: `within` bounds an `await` and never encloses a step, so these "
         "two are the deadlines a step can have, and there is no `O6xx` twin.",
         "do charge(id) with five_retries timeout 2s")
register("W425", Severity.ERROR, "Call of an event-started workflow",
         "`call` starts a workflow declared with parameters (`workflow W(p: T) key p`). A workflow "
         "started by an event (`on E as e`) is started by emitting that event.",
         "call Order(order_id: id)")


class Calls:
    """Mixin of :class:`Checker`: handler and workflow calls."""

    def resolve(self, ident: ast.Ident | None, kind: str) -> Symbol | None:
        """The declaration (or pattern parameter) of ``kind`` an ident names; reported if none."""
        if ident is None or not ident.name:
            return None
        name = ident.name
        local = self.lookup(name)
        if local is not None and local.kind is SymbolKind.PARAMETER and kind_of(local.type) == kind:
            self.ref(ident.span, local)
            return local
        found = self.globals.get(name)
        if found is not None and found.kind.value == kind:
            self.ref(ident.span, found)
            return found
        code = {"event": "N202", "handler": "N203", "policy": "N204", "workflow": "N205", "pattern": "N206"}[kind]
        self.unknown(code, kind, ident, found or local)
        return None

    def do_step(self, s: ast.DoStep, compensation: bool = True) -> Type:
        handler = self.resolve(s.handler, "handler")
        ht = handler.type if handler is not None else None
        self.handler_args(s.args, ht, s.handler, s.span)
        policy = self.resolve(s.policy, "policy")
        limit = None
        if s.timeout is not None:
            self.expect(s.timeout, DURATION, "T311", "a step's timeout")
            limit = const_duration(s.timeout)
            if limit is not None and limit <= 0:
                self.report("T311", "a step's timeout must be positive", s.timeout.span)
                limit = None
        if policy is not None and isinstance(policy.type, PolicyType) and policy.type.retry is not None:
            per_attempt = ht.timeout if isinstance(ht, HandlerType) else None
            self.retry_budget(s.policy, policy.type, per_attempt, limit)
        if compensation and s.compensate is not None:
            self.compensation(s.compensate)
        return ht.returns if isinstance(ht, HandlerType) else UNKNOWN

    def compensation(self, c: ast.Compensation) -> None:
        handler = self.resolve(c.handler, "handler")
        self.handler_args(c.args, handler.type if handler is not None else None, c.handler, c.span)
        self.resolve(c.policy, "policy")

    def retry_budget(self, at: ast.Ident, policy: PolicyType, per_attempt: float | None, limit: float | None) -> None:
        retry = policy.retry
        where = "step's timeout"
        race = self.body.race_deadline
        if race is not None and (limit is None or race < limit):
            limit, where = race, "race's deadline (the sleep of a sibling branch)"
        if limit is None:
            return
        worst = retry.worst_case(per_attempt)
        if worst > limit:
            parts = f"{retry.attempts} attempts"
            if per_attempt:
                parts += f" of up to {format_seconds(per_attempt)}"
            parts += f" and {format_seconds(retry.worst_case_delay)} of backoff"
            self.report("W413", f"policy {policy.name} can take {format_seconds(worst)} ({parts}), longer than the "
                        f"{where} of {format_seconds(limit)}: the last retries never run", at.span)

    def handler_args(self, args: tuple[ast.Arg, ...], ht: Type | None, name: ast.Ident, span: Span) -> None:
        if not isinstance(ht, HandlerType):
            for arg in args:
                self.arg_value(arg)
            return
        if ht.params is None:  # a pattern's handler parameter: recorded for the use site
            positional = []
            named = []
            for arg in args:
                t = self.arg_value(arg)
                if arg.name is None:
                    positional.append(t)
                else:
                    named.append((arg.name.name, t))
            if self.body.pattern is not None:
                self.body.pattern.handler_call(ht.name, span, tuple(positional), tuple(named))
            return
        members = self.members.get(id(self.globals.get(ht.name)), {})
        self.typed_args(args, ht.params, f"handler {ht.name}", span, members)

    def arg_value(self, arg: ast.Arg) -> Type:
        if isinstance(arg.value, ast.Block):
            self.report("T303", "a { block } argument only goes to a pattern's block parameter", arg.span)
            self.block(arg.value)
            return UNKNOWN
        return self.value(arg.value)

    def bind_args(self, args: tuple[ast.Arg, ...], names: list[str], what: str, span: Span,
                  members: dict[str, Symbol]) -> list[tuple[str, ast.Arg]] | None:
        """Arguments matched to parameter names; None (after reporting) when they do not fit."""
        bound: dict[str, ast.Arg] = {}
        position = 0
        named_seen = False
        ok = True
        for arg in args:
            if arg.name is None:
                if isinstance(arg.value, ast.ErrorExpr):
                    position += 1  # damaged (reported by the parser) but it holds its place
                    continue
                if named_seen:
                    self.report("T305", "a positional argument cannot follow a named one", arg.span)
                    ok = False
                    continue
                if position < len(names):
                    bound[names[position]] = arg
                position += 1
                continue
            named_seen = True
            name = arg.name.name
            if name not in names:
                self.report("T305", f"{what} has no parameter '{name}': it takes {', '.join(names) or 'none'}",
                            arg.name.span)
                ok = False
            elif name in bound:
                self.report("T305", f"the argument '{name}' is given twice", arg.name.span)
                ok = False
            else:
                bound[name] = arg
                if name in members:
                    self.ref(arg.name.span, members[name])
        if position > len(names):
            self.report("T304", f"{what} takes {len(names)} argument{'s' if len(names) != 1 else ''} "
                        f"({', '.join(names)}), not {position}", span)
            return None
        missing = [n for n in names if n not in bound]
        if missing and ok and not any(isinstance(a.value, ast.ErrorExpr) for a in args):
            self.report("T304", f"{what} is missing {', '.join(repr(m) for m in missing)}", span)
            ok = False
        return [(n, bound[n]) for n in names if n in bound] if ok else None

    def typed_args(self, args, params: tuple[tuple[str, Type], ...], what: str, span: Span,
                   members: dict[str, Symbol]) -> None:
        bound = self.bind_args(args, [n for n, _ in params], what, span, members)
        types = dict(params)
        checked: set[int] = set()
        for name, arg in bound or ():
            checked.add(id(arg))
            t = self.arg_value(arg)
            expected = types[name]
            if not assignable(t, expected):
                self.report("T303", f"argument '{name}' of {what} must be {_a(expected)}, not {t}", arg.value.span)
        for arg in args:
            if id(arg) not in checked:
                self.arg_value(arg)

    def call_step(self, s: ast.CallStep) -> Type:
        workflow = self.resolve(s.workflow, "workflow")
        self.resolve(s.policy, "policy")
        wt = workflow.type if workflow is not None else None
        if not isinstance(wt, WorkflowType):
            for arg in s.args:
                self.arg_value(arg)
            return UNKNOWN
        if wt.params is None:
            self.report("W425", f"{wt.name} is started by {wt.trigger} events, not by call: emit {wt.trigger} "
                        "instead", s.workflow.span)
            for arg in s.args:
                self.arg_value(arg)
            return UNKNOWN
        self.typed_args(s.args, wt.params, f"workflow {wt.name}", s.span, self.members.get(id(workflow), {}))
        policy = self.globals.get(s.policy.name) if s.policy is not None else None
        if policy is not None and isinstance(policy.type, PolicyType) and policy.type.retry is not None:
            self.retry_budget(s.policy, policy.type, None, None)
        return wt.returns

    # ---- control flow


def _a(t: Type) -> str:
    word = str(t)
    return ("an " if word[:1] in "aeiou" else "a ") + word
