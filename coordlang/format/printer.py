"""Documents for statements, blocks and declarations."""

from __future__ import annotations

from coordlang.format import containers
from coordlang.format.doc import HARDLINE, Doc
from coordlang.format.expressions import ExprPrinter
from coordlang.format.trivia import Item, Rows
from coordlang.source import Span
from coordlang.syntax import ast
from coordlang.syntax.parser import ParseResult


def _opt(prefix: str, value: Doc | None) -> Doc:
    return "" if value is None else [prefix, value]


class Printer(ExprPrinter):
    """Builds the document of a parsed module, handing each comment to its place."""

    def __init__(self, result: ParseResult) -> None:
        super().__init__(result)
        self._stmts = {
            ast.Let: self._let, ast.Assign: self._assign, ast.DoStep: self._do, ast.CallStep: self._call,
            ast.Await: self._await, ast.Select: self._select, ast.Sleep: lambda s: ["sleep ", self.expr(s.delay)],
            ast.If: self._if, ast.For: self._for, ast.Parallel: lambda s: self._branches("parallel", s),
            ast.Race: lambda s: self._branches("race", s), ast.Emit: self._emit, ast.Try: self._try,
            ast.Complete: lambda s: "complete" if s.value is None else ["complete ", self.expr(s.value)],
            ast.Fail: lambda s: ["fail ", self.expr(s.message)],
            ast.Use: lambda s: ["use ", s.pattern.name, self.args(s.args, s.pattern.span.end, hug=True)],
            ast.Labelled: lambda s: ["label ", s.label.name, HARDLINE, self.stmt(s.stmt)],
            ast.Splice: lambda s: s.name.name,
            ast.When: lambda s: ["when ", self.expr(s.cond), " ", self.stmt(s.emit)],
            ast.ErrorStmt: self.source,
        }
        self._decls = {
            ast.ModuleDecl: lambda d: ["module ", d.name.text],
            ast.ImportDecl: lambda d: ["import ", self.source(d.path) if d.path is not None else d.module.text],
            ast.EventDecl: self._event, ast.HandlerDecl: self._handler,
            ast.PolicyDecl: lambda d: ["policy ", d.name.name, " = ", self.expr(d.value)],
            ast.WorkflowDecl: self._workflow, ast.ReactionDecl: self._reaction, ast.StreamDecl: self._stream,
            ast.PatternDecl: lambda d: ["pattern ", d.name.name, self.params(d.params, d.name.span.end), " ",
                                        self.block(d.body)],
            ast.MigrateDecl: self._migrate, ast.ErrorDecl: self.source,
        }

    # ---- the module
    def module(self, module: ast.Module) -> tuple[list[Item], Rows]:
        """The top-level rows: declarations and the comments between them."""
        items = [Item(d.span, self.decl(d)) for d in module.decls]
        return items, self.comments.collect(items, None, len(self.text))

    def decl(self, d: ast.Decl) -> Doc:
        return self._decls[type(d)](d)

    # ---- blocks
    def block(self, b: ast.Block, extend: int | None = None) -> Doc:
        """A block; comments up to ``extend`` (after its ``}``) join its end. It stays on one
        line only if it was written on one line."""
        items: list[Item] = []
        for s in b.stmts:
            glued = False
            while isinstance(s, ast.Labelled):  # the label on a line of its own, then its statement
                items.append(Item(Span(s.span.start, s.label.span.end), ["label ", s.label.name], glued=glued))
                glued = True
                s = s.stmt
            items.append(Item(s.span, self.stmt(s), glued=glued))
        rows = self.comments.collect(items, b.span.start + 1, b.span.end - 1, extend=extend)
        return containers.block(rows, one_line=self.text.find("\n", b.span.start, b.span.end) < 0)

    def _stacked(self, keyword_start: int, items: list[Item]) -> Doc:
        """``{ ... }`` of a ``select``, ``parallel`` or ``race``: always one item a line."""
        open_end, close, _ = self.brackets(keyword_start + 1)
        return containers.block(self.comments.collect(items, open_end, close), one_line=False)

    # ---- statements
    def stmt(self, s: ast.Stmt) -> Doc:
        return self._stmts[type(s)](s)

    def _rhs(self, value) -> Doc:
        return self.stmt(value) if isinstance(value, (ast.DoStep, ast.CallStep)) else self.expr(value)

    def _let(self, s: ast.Let) -> Doc:
        typed = "" if s.type is None else [": ", s.type.name]
        return ["let ", s.name.name, typed, " = ", self._rhs(s.value)]

    def _assign(self, s: ast.Assign) -> Doc:
        return [s.name.name, " = ", self._rhs(s.value)]

    def _with(self, policy: ast.Ident | None) -> Doc:
        return "" if policy is None else [" with ", policy.name]

    def _do(self, s: ast.DoStep) -> Doc:
        out = ["do ", s.handler.name, self.args(s.args, s.handler.span.end), self._with(s.policy),
               _opt(" timeout ", None if s.timeout is None else self.expr(s.timeout))]
        c = s.compensate
        if c is not None:
            out += [" compensate ", c.handler.name, self.args(c.args, c.handler.span.end), self._with(c.policy)]
        return out

    def _call(self, s: ast.CallStep) -> Doc:
        return ["call ", s.workflow.name, self.args(s.args, s.workflow.span.end), self._with(s.policy)]

    def _where(self, guard: ast.Expr | None) -> Doc:
        return "" if guard is None else [" where ", self.expr(guard)]

    def _await(self, s: ast.Await) -> Doc:
        out = ["await ", s.event.name, " as ", s.var.name, self._where(s.guard)]
        if s.within is not None:
            out += [" within ", self.expr(s.within)]
            if s.else_body is not None:
                out += [" else ", self.block(s.else_body)]
        return out

    def _select(self, s: ast.Select) -> Doc:
        items = [Item(c.span, self._clause(c)) for c in s.clauses]
        return ["select ", self._stacked(s.span.start, items)]

    def _clause(self, c) -> Doc:
        if isinstance(c, ast.OnClause):
            return ["on ", c.event.name, " as ", c.var.name, self._where(c.guard), " ", self.block(c.body)]
        if isinstance(c, ast.AfterClause):
            return ["after ", self.expr(c.delay), " ", self.block(c.body)]
        return self.source(c)

    def _if(self, s: ast.If) -> Doc:
        out: list[Doc] = []
        branches = s.branches
        for i, br in enumerate(branches):
            if i + 1 < len(branches):
                extend = branches[i + 1].span.start  # the 'elif'
            elif s.else_body is not None:
                extend = self.token_before(s.else_body.span.start).start  # the 'else'
            else:
                extend = None
            out += ["if " if i == 0 else " elif ", self.expr(br.cond), " ", self.block(br.body, extend)]
        if s.else_body is not None:
            out += [" else ", self.block(s.else_body)]
        return out

    def _for(self, s: ast.For) -> Doc:
        return ["for ", s.var.name, " in ", self.expr(s.start), "..", self.expr(s.stop), " ", self.block(s.body)]

    def _branches(self, keyword: str, s: ast.Parallel | ast.Race) -> Doc:
        items = [Item(b.span, self.block(b)) for b in s.branches]
        return [keyword, " ", self._stacked(s.span.start, items)]

    def _emit(self, s: ast.Emit) -> Doc:
        fields = self.braced(s.fields, s.event.span.end, lambda f: f.name.name, lambda f: [": ", self.expr(f.value)])
        return ["emit ", s.event.name, " ", fields]

    def _try(self, s: ast.Try) -> Doc:
        catches = s.catches
        out: list[Doc] = ["try ", self.block(s.body, catches[0].span.start if catches else None)]
        for i, c in enumerate(catches):
            extend = catches[i + 1].span.start if i + 1 < len(catches) else None
            out += [" catch", _opt(" ", None if c.kind is None else c.kind.name),
                    _opt(" as ", None if c.var is None else c.var.name), " ", self.block(c.body, extend)]
        return out

    # ---- declarations
    def _event(self, d: ast.EventDecl) -> Doc:
        fields = self.braced(d.fields, d.name.span.end, lambda f: f.name.name, lambda f: [": ", f.type.name])
        return ["event ", d.name.name, " ", fields]

    def _handler(self, d: ast.HandlerDecl) -> Doc:
        out = ["handler ", d.name.name, self.params(d.params, d.name.span.end),
               _opt(" -> ", None if d.returns is None else d.returns.name), " = ", self.source(d.target)]
        for flag in d.flags:
            out.append([" ", flag.name] if flag.value is None else [" timeout ", self.expr(flag.value)])
        return out

    def _workflow(self, d: ast.WorkflowDecl) -> Doc:
        if d.trigger is not None:
            head: Doc = [" on ", d.trigger.event.name, " as ", d.trigger.var.name]
        else:
            head = self.params(d.params or (), d.name.span.end)
        return ["workflow ", d.name.name, head, " key ", d.key.name,
                _opt(" version ", None if d.version is None else self.source(d.version)),
                _opt(" -> ", None if d.returns is None else d.returns.name), " ", self.block(d.body)]

    def _reaction(self, d: ast.ReactionDecl) -> Doc:
        return ["on ", d.event.name, " as ", d.var.name, self._where(d.guard), " ", self.block(d.body)]

    def _stream(self, d: ast.StreamDecl) -> Doc:
        return ["stream ", d.name.name, " from ", d.event.name, " as ", d.var.name, " by ", d.by.name,
                " window ", self.expr(d.window), " ", self.block(d.body)]

    def _migrate(self, d: ast.MigrateDecl) -> Doc:
        mappings = self.braced(d.mappings, d.to_version.span.end, lambda m: m.source.name,
                               lambda m: [" -> ", m.target.name])
        return ["migrate ", d.workflow.name, " ", self.source(d.from_version), " -> ", self.source(d.to_version),
                " ", mappings]
