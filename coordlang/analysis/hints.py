"""Optimization hints: what a checked document could do faster or more safely.

A pass of its own, run by :func:`~coordlang.analysis.document.analyze` after the checker on
documents that parse clean. Nothing here is wrong code, so every hint is of severity hint or
information, with a quick fix where one is safe to write. Two neighbours are the checker's and
not repeated here: a guard that is always *false* is ``W427`` and retries that outlast the
timeout around a step are ``W413``.

The pass is one walk over the tree (no recursion, so deep nesting costs nothing more), and each
statement is looked at a bounded number of times: an editor runs it on every keystroke.
"""

from __future__ import annotations

from coordlang.diagnostics import Diagnostic, Fix, Related, Severity, TextEdit, make, register
from coordlang.semantics.constants import const_value
from coordlang.semantics.model import SemanticModel
from coordlang.semantics.statements import leading_sleep
from coordlang.semantics.types import HandlerType
from coordlang.source import Span
from coordlang.syntax import ast

register("O601", Severity.HINT, "Independent steps could run in parallel",
         "Consecutive `do` steps of a workflow share no data: no step reads a variable another one "
         "sets, none has a `compensate` (whose order of registration would change), and no handler "
         "is called twice (two calls of one handler keep their order). Run in a `parallel` they "
         "take the longest step's time instead of the sum. The quick fix wraps them in "
         "`parallel { { ... } { ... } }` and declares the variables they set before it, with a "
         "default value, so later statements still see them. Only data is looked at: if one step "
         "must happen before another for a reason outside the workflow (reserve, then charge), "
         "keep them in order. In a `parallel` a failing step cancels the others instead of "
         "keeping them from starting.",
         "let a = do rate(o.amount)\nlet b = do stock(o.sku)   # neither reads the other's result")
register("O602", Severity.HINT, "Plain handler in a reaction",
         "A reaction runs once per event, and a plain handler is called one event at a time, "
         "outside the compiled runtime. A `batch` handler (one call per batch of events, with a "
         "numpy array per parameter, returning an array) or a `jit` handler (compiled into the "
         "runtime) avoids that. Handlers with a `timeout` flag are left alone: the flag only "
         "applies to `async def` handlers, which talk to the outside world one call at a time. "
         "The quick fix adds `batch` to the declaration when every parameter has a type and the "
         "handler returns a value; its Python function must then take and return arrays.",
         'handler score(amount: float) -> float = "m:score"\non Reading as r { let s = do score(r.temp) }')
register("O603", Severity.HINT, "Condition is always true",
         "The condition is a constant true, so it filters nothing: an `if`'s `elif` and `else` "
         "branches never run, a `where` guard lets every event through. The quick fix removes a "
         "`where` that is always true. An always-false condition is `W427`.",
         "await Paid as p where 1 < 2")
register("O604", Severity.INFO, "Select without a timeout",
         "A `select` with no `after D` clause waits for ever if none of its events comes, and the "
         "instance stays `running`. The quick fix adds `after 1h { fail \"...\" }`; change the "
         "delay and what happens to suit. A `select` inside a `race` with a timer branch (a "
         "sibling branch that starts with `sleep D`) already has a deadline and is not hinted.",
         "select {\n    on PaymentOk as p { }\n    on PaymentFailed as f { fail \"declined\" }\n}")

register("O605", Severity.INFO, "Measured in recorded runs",
         "With the editor setting `coordlang.profileLogs` naming a folder of event logs (`coord run "
         "--log`, interpreter backend) of this very program, each step those runs took is shown "
         "with its measurements: in how many runs (and how many times) it ran, the median (p50) "
         "and 99th percentile (p99) of its duration, those of its handler time when the runs "
         "measured it, and the share of its executions that ended in an error (after its "
         "retries); a wait also says how often its timer ran out. Durations are virtual time, "
         "what the run waited for: events, timers, retries' backoff. A handler call takes wall "
         "time but no virtual time: the handler time is that wall time, of all the step's "
         "attempts together (logs written before it was recorded have none). "
         "Logs of another program, or of another version of this one, are left out, so an edit "
         "that changes what the program means hides the figures until new runs are recorded. "
         "The language server reports it; `coord check` does not read logs.",
         "let total = do charge(o.id, o.amount) with quick\n"
         "# measured in 3 runs (90 times): p50 0s, p99 2s; handler time p50 20.4ms, p99 31ms; 6.7% failed")

_DEFAULTS = {"int": "0", "float": "0.0", "bool": "false", "str": '""', "duration": "0s"}
"""A literal of each type a variable set in a parallel branch can be declared with beforehand."""

_BATCHABLE = frozenset({"int", "float", "bool", "str", "duration", "time"})
"""Parameter and result types a batch handler's arrays can carry (docs/runtime.md)."""


def optimization_hints(module: ast.Module, model: SemanticModel, text: str) -> tuple[Diagnostic, ...]:
    """The hints of a checked document, in no particular order."""
    return _Hints(module, model, text).run()


class _Hints:
    def __init__(self, module: ast.Module, model: SemanticModel, text: str) -> None:
        self.module = module
        self.model = model
        self.text = text
        self.out: list[Diagnostic] = []
        self.handlers = {d.name.name: d for d in module.decls if isinstance(d, ast.HandlerDecl)}

    def run(self) -> tuple[Diagnostic, ...]:
        # (block, context, the race deadline around it)
        work: list[tuple[ast.Block, str, float | None]] = []
        for decl in self.module.decls:
            if isinstance(decl, ast.WorkflowDecl):
                work.append((decl.body, "workflow", None))
            elif isinstance(decl, ast.PatternDecl):
                work.append((decl.body, "pattern", None))
            elif isinstance(decl, ast.ReactionDecl):
                self.where(decl.guard, decl.var)
                work.append((decl.body, "reaction", None))
            elif isinstance(decl, ast.StreamDecl):
                work.append((decl.body, "stream", None))
        while work:
            block, ctx, deadline = work.pop()
            if ctx == "workflow":
                self.steps(block.stmts)
            for stmt in block.stmts:
                self.stmt(stmt, ctx, deadline, work)
        return tuple(self.out)

    # ---- statements
    def stmt(self, s: ast.Stmt, ctx: str, deadline: float | None, work: list) -> None:
        t = type(s)
        if t is ast.Labelled:
            self.stmt(s.stmt, ctx, deadline, work)
        elif t is ast.If:
            for i, branch in enumerate(s.branches):
                if const_value(branch.cond) is True and (i + 1 < len(s.branches) or s.else_body is not None):
                    self.out.append(make("O603", "this condition is always true: the branches after it never run",
                                         branch.cond.span))
                elif const_value(branch.cond) is True:
                    self.out.append(make("O603", "this condition is always true: it can go", branch.cond.span))
                work.append((branch.body, ctx, deadline))
            if s.else_body is not None:
                work.append((s.else_body, ctx, deadline))
        elif t is ast.For:
            work.append((s.body, ctx, deadline))
        elif t is ast.Parallel:
            work.extend((b, ctx, deadline) for b in s.branches)
        elif t is ast.Race:
            # Only a positive sleep is a deadline here (W406 reports a zero one).
            sleeps = [d if d is not None and d > 0 else None for d in map(leading_sleep, s.branches)]
            for i, branch in enumerate(s.branches):
                others = [d for j, d in enumerate(sleeps) if j != i and d is not None]
                inner = min([*others, *([deadline] if deadline is not None else [])], default=None)
                work.append((branch, ctx, inner))
        elif t is ast.Try:
            work.append((s.body, ctx, deadline))
            work.extend((c.body, ctx, deadline) for c in s.catches)
        elif t is ast.Select:
            if deadline is None and not any(isinstance(c, ast.AfterClause) for c in s.clauses):
                self.select(s)
            for c in s.clauses:
                if isinstance(c, ast.OnClause):
                    self.where(c.guard, c.var)
                    work.append((c.body, ctx, deadline))
                elif isinstance(c, ast.AfterClause):
                    work.append((c.body, ctx, deadline))
        elif t is ast.Await:
            self.where(s.guard, s.var)
            if s.else_body is not None:
                work.append((s.else_body, ctx, deadline))
        elif t is ast.When:
            if const_value(s.cond) is True:
                self.out.append(make("O603", "this condition is always true: every window that closes emits",
                                     s.cond.span))
        elif t is ast.Use:
            work.extend((a.value, ctx, deadline) for a in s.args if isinstance(a.value, ast.Block))
        elif ctx == "reaction":
            step = _do_of(s)
            if step is not None:
                self.reaction_call(step)

    def where(self, guard: ast.Expr | None, var: ast.Ident) -> None:
        if guard is None or const_value(guard) is not True:
            return
        # `as v where g`: the text from the end of the variable to the end of the guard goes.
        fix = Fix("Remove the always-true where", (TextEdit(Span(var.span.end, guard.span.end), ""),))
        self.out.append(make("O603", "this where guard is always true: it lets every event through",
                             guard.span, fixes=(fix,)))

    # ---- O604
    def select(self, s: ast.Select) -> None:
        keyword = Span(s.span.start, s.span.start + len("select"))
        fixes = ()
        last = s.clauses[-1] if s.clauses else None
        indent = self.indent_of(last.span.start) if last is not None else None
        if last is not None and indent is not None:
            clause = 'after 1h { fail "no event came within 1h" }'
            fixes = (Fix("Add a timeout: after 1h { fail ... }",
                         (TextEdit(Span(last.span.end, last.span.end), f"\n{indent}{clause}"),)),)
        self.out.append(make("O604", "this select has no timeout: without any of its events it waits for ever",
                             keyword, fixes=fixes))

    # ---- O602
    def reaction_call(self, step: ast.DoStep) -> None:
        symbol = self.model.globals.get(step.handler.name)
        ht = symbol.type if symbol is not None else None
        if not isinstance(ht, HandlerType) or ht.params is None:
            return
        if {"jit", "batch", "timeout"} & set(ht.flags):
            return
        fixes = ()
        decl = self.handlers.get(ht.name)
        if (decl is not None and symbol.node is decl and ht.params and ht.returns is not None
                and str(ht.returns) in _BATCHABLE and all(str(t) in _BATCHABLE for _, t in ht.params)):
            at = decl.flags[-1].span.end if decl.flags else decl.target.span.end
            fixes = (Fix(f"Declare {ht.name} batch (its function then takes and returns numpy arrays)",
                         (TextEdit(Span(at, at), " batch"),)),)
        self.out.append(make("O602", f"{ht.name} is a plain handler, called once per event of this reaction: "
                             "declared batch or jit it would not leave the compiled runtime per call",
                             step.handler.span, fixes=fixes))

    # ---- O601
    def steps(self, stmts: tuple[ast.Stmt, ...]) -> None:
        group: list[tuple[ast.Stmt, ast.DoStep, frozenset[str], str | None]] = []
        sets: set[str] = set()
        reads: set[str] = set()
        handlers: set[str] = set()
        for s in (*stmts, None):
            step = _step(s) if s is not None else None
            if step is not None:
                do, name = step
                uses = _names_read(do)
                independent = (do.compensate is None and not (uses & sets) and do.handler.name not in handlers
                               and (name is None or (name not in reads and name not in sets and name not in uses)))
                if independent:
                    group.append((s, do, uses, name))
                    reads |= uses
                    handlers.add(do.handler.name)
                    if name is not None:
                        sets.add(name)
                    continue
            if len(group) >= 2:
                self.parallel(group)
            group, sets, reads, handlers = [], set(), set(), set()
            if step is not None and step[0].compensate is None:
                do, name = step
                group.append((s, do, _names_read(do), name))
                reads |= group[0][2]
                handlers.add(do.handler.name)
                if name is not None:
                    sets.add(name)

    def parallel(self, group: list) -> None:
        first, first_do = group[0][0], group[0][1]
        span = Span(first.span.start, first_do.handler.span.end)
        related = tuple(Related(Span(s.span.start, do.handler.span.end), "independent of the steps before it")
                        for s, do, _, _ in group[1:])
        fix = self.parallel_fix(group)
        self.out.append(make("O601", f"these {len(group)} do steps share no data: they could run in parallel",
                             span, related=related, fixes=(fix,) if fix is not None else ()))

    def parallel_fix(self, group: list) -> Fix | None:
        text = self.text
        indent = self.indent_of(group[0][0].span.start)
        if indent is None:
            return None
        for (a, _, _, _), (b, _, _, _) in zip(group, group[1:]):
            if text[a.span.end:b.span.start].strip(" \t\r\n;"):
                return None  # a comment between the steps would be lost
        declarations = []
        branches = []
        for s, do, _, name in group:
            step = text[do.span.start:do.span.end].replace("\n", "\n    ")
            if name is not None:
                type_name = self.let_type(s, do)
                if type_name not in _DEFAULTS:
                    return None
                declarations.append(f"let {name}: {type_name} = {_DEFAULTS[type_name]}\n{indent}")
                step = f"{name} = {step}"
            branches.append(f"{indent}    {{ {step} }}\n")
        new = "".join(declarations) + "parallel {\n" + "".join(branches) + f"{indent}}}"
        return Fix("Run these steps in parallel", (TextEdit(Span(group[0][0].span.start, group[-1][0].span.end), new),))

    def let_type(self, s: ast.Let, do: ast.DoStep) -> str | None:
        if s.type is not None:
            return s.type.name
        symbol = self.model.globals.get(do.handler.name)
        return str(symbol.type.returns) if symbol is not None and isinstance(symbol.type, HandlerType) else None

    def indent_of(self, offset: int) -> str | None:
        """The whitespace before ``offset`` on its line, or None when something else is there."""
        start = self.text.rfind("\n", 0, offset) + 1
        indent = self.text[start:offset]
        return indent if not indent.strip() else None


def _do_of(s: ast.Stmt) -> ast.DoStep | None:
    if type(s) is ast.DoStep:
        return s
    if type(s) in (ast.Let, ast.Assign) and type(s.value) is ast.DoStep:
        return s.value
    return None


def _step(s: ast.Stmt) -> tuple[ast.DoStep, str | None] | None:
    """A ``do`` statement or a ``let x = do ...``, with the variable it sets."""
    if type(s) is ast.DoStep:
        return s, None
    if type(s) is ast.Let and type(s.value) is ast.DoStep and s.name.name:
        return s.value, s.name.name
    return None


def _names_read(do: ast.DoStep) -> frozenset[str]:
    names = set()
    roots: list[ast.Node] = [*do.args]
    if do.timeout is not None:
        roots.append(do.timeout)
    for root in roots:
        for node in root.walk():
            if type(node) is ast.Name:
                names.add(node.name)
    return frozenset(names)
