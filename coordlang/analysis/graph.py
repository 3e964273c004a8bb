"""The workflow graph: each workflow version, reaction, stream and pattern of a document as a
graph of steps, waits and branches, built from the checked syntax tree.

Nodes are the places a debugger can stand and a diagram draws: the start (the trigger event or
the parameters), handler steps and child calls, waits (``await``, ``select``, ``sleep``),
branches (``if``, ``for``, a stream's ``when``), ``parallel``/``race`` forks and their joins,
``emit``, ``complete``/``fail``, compensations, ``try``/``catch``, and runs of plain ``let`` and
assignments (one ``set`` node per run, so every statement belongs to a node). Edges say how
control goes from one to the next. Every node keeps its source span, and a node's span holds
the spans of the nodes nested in it, so :func:`node_at` maps a debugger location to the
innermost node that holds it.

Each node also names its ``parent`` (the branching node whose body holds it) and its
``region`` there (``yes``, ``else``, ``on PaymentOk``, ``branch 2``...), which is enough to
print the graph as an indented outline without following edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from coordlang.source import Span
from coordlang.syntax import ast

NODE_KINDS = ("start", "do", "call", "compensate", "await", "select", "sleep", "if", "for", "when",
              "parallel", "race", "join", "emit", "complete", "fail", "try", "catch", "use", "splice", "set",
              "end")
"""Every ``GraphNode.kind``."""
EDGE_KINDS = ("next", "yes", "no", "event", "timeout", "branch", "loop", "error", "compensate")
"""Every ``GraphEdge.kind``: ``next`` is plain sequence; ``yes``/``no`` leave an ``if``, a ``for``
(into the body / past the loop) or a ``when``; ``event`` and ``timeout`` leave a wait (a
clause's event, a ``within``/``after`` timer); ``branch`` leaves a fork for each of its
branches; ``loop`` goes back to a ``for``; ``error`` goes from a ``try`` to each ``catch``;
``compensate`` ties a step to the compensation it registers (run only on failure)."""
LABEL_WIDTH = 48
"""Expressions quoted in labels are cut to this many characters."""


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One step, wait or branch of a workflow."""

    id: int
    """The node's index in :attr:`WorkflowGraph.nodes`."""
    kind: str
    """One of :data:`NODE_KINDS`."""
    label: str
    """A short title as a diagram shows it: ``paid = do charge``, ``select``, ``if risk > 0.9``."""
    span: Span
    """The source it stands for; it holds the spans of the nodes nested in it."""
    detail: str = ""
    """What the label leaves out: policy, timeout and flags of a step, a wait's guard."""
    wait_label: str | None = None
    """The ``label NAME`` written before a wait (migrations and breakpoints name it)."""
    parent: int | None = None
    """The branching node whose body holds this one; None at the top of the body."""
    region: str = ""
    """Which part of ``parent`` holds it: ``yes``, ``else``, ``body``, ``on PaymentOk``,
    ``after 1h``, ``branch 1``, ``catch Timeout``... Empty at the top."""

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "detail": self.detail,
                "wait_label": self.wait_label, "parent": self.parent, "region": self.region,
                "span": {"start": self.span.start, "end": self.span.end}}


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """Control going from one node to another."""

    source: int
    target: int
    kind: str
    """One of :data:`EDGE_KINDS`."""
    label: str = ""
    """What takes it, where that says more than the kind: ``PaymentOk``, ``after 1h``,
    ``Timeout``, ``i in 0..n``."""

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "kind": self.kind, "label": self.label}


@dataclass(frozen=True, slots=True)
class WorkflowGraph:
    """The graph of one workflow version, reaction, stream or pattern."""

    name: str
    """The workflow's, stream's or pattern's name; ``on EVENT`` for a reaction."""
    kind: str
    """``workflow``, ``reaction``, ``stream`` or ``pattern``."""
    version: int | None
    """A workflow's version (1 when none is written); None for the other kinds."""
    span: Span
    """The declaration."""
    nodes: tuple[GraphNode, ...]
    """In source order; the first is the ``start`` node."""
    edges: tuple[GraphEdge, ...]

    @property
    def title(self) -> str:
        """``Order v2``, ``Notify v1``, ``on Alarm``, ``Overheat``."""
        return f"{self.name} v{self.version}" if self.kind == "workflow" and self.version else self.name

    def successors(self, node: int) -> tuple[GraphEdge, ...]:
        return tuple(e for e in self.edges if e.source == node)

    def to_dict(self) -> dict:
        """A JSON-ready form (spans as code-point offsets into the document)."""
        return {"name": self.name, "kind": self.kind, "version": self.version,
                "span": {"start": self.span.start, "end": self.span.end},
                "nodes": [n.to_dict() for n in self.nodes], "edges": [e.to_dict() for e in self.edges]}


def workflow_graphs(analysis) -> tuple[WorkflowGraph, ...]:
    """The graph of each workflow version, reaction, stream and pattern declared in the
    analyzed document (imports are their own documents), in source order. A damaged tree still
    yields graphs: damaged statements are left out."""
    text = analysis.text
    graphs = []
    for decl in analysis.module.decls:
        if isinstance(decl, ast.WorkflowDecl):
            graph = _Builder(text).build(decl.name.name, "workflow", decl.version_number, decl,
                                         _start_label(decl, text), decl.body)
        elif isinstance(decl, ast.ReactionDecl):
            start = f"on {decl.event.name} as {decl.var.name}"
            if decl.guard is not None:
                start += f" where {_quote(text, decl.guard.span)}"
            graph = _Builder(text).build(f"on {decl.event.name}", "reaction", None, decl, start, decl.body)
        elif isinstance(decl, ast.StreamDecl):
            start = f"from {decl.event.name} as {decl.var.name} by {decl.by.name} window {_quote(text, decl.window.span)}"
            graph = _Builder(text).build(decl.name.name, "stream", None, decl, start, decl.body)
        elif isinstance(decl, ast.PatternDecl):
            start = f"pattern {decl.name.name}({_param_names(decl.params)})"
            graph = _Builder(text).build(decl.name.name, "pattern", None, decl, start, decl.body)
        else:
            continue
        graphs.append(graph)
    return tuple(graphs)


def graph_at(graphs: Iterable[WorkflowGraph], offset: int) -> WorkflowGraph | None:
    """The graph whose declaration holds ``offset``."""
    return next((g for g in graphs if offset in g.span), None)


def node_at(graph: WorkflowGraph, offset: int) -> GraphNode | None:
    """The innermost node whose span holds ``offset`` (a debugger location's start), or None
    outside the body's statements."""
    best = None
    for node in graph.nodes:
        if offset in node.span and (best is None or node.span.length <= best.span.length):
            best = node
    return best


def _param_names(params) -> str:
    return ", ".join(p.name.name for p in params or () if isinstance(p, ast.Param))


def _start_label(decl: ast.WorkflowDecl, text: str) -> str:
    if decl.trigger is not None:
        return f"on {decl.trigger.event.name} as {decl.trigger.var.name}"
    return f"{decl.name.name}({_param_names(decl.params)})"


def _quote(text: str, span: Span) -> str:
    """Source text as one line, cut to :data:`LABEL_WIDTH`."""
    words = " ".join(text[span.start:span.end].split())
    return words if len(words) <= LABEL_WIDTH else words[:LABEL_WIDTH - 1] + "…"


def _closing(span: Span) -> Span:
    """The last character of a span (a block's closing brace): where a join or an end stands."""
    return Span(max(span.start, span.end - 1), span.end)


# A dangling edge: (source node, kind, label), waiting for the node that comes next.
_Pending = tuple[int, str, str]


class _Builder:
    """Builds one graph: each statement takes the dangling edges that reach it and returns the
    ones that leave it (none after ``complete``/``fail``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []

    def build(self, name: str, kind: str, version: int | None, decl: ast.Decl, start: str,
              body: ast.Block) -> WorkflowGraph:
        detail = ""
        if isinstance(decl, ast.WorkflowDecl):
            detail = f"key {decl.key.name}" + (f" -> {decl.returns.name}" if decl.returns is not None else "")
        first = self.node("start", start, Span(decl.span.start, body.span.start), None, "", detail)
        exits = self.block(body.stmts, [(first, "next", "")], None, "")
        if exits:
            # A body that runs off its end completes (with no value), as the compiler does.
            end = self.node("end", "end", _closing(body.span), None, "")
            self.connect(exits, end)
        return WorkflowGraph(name, kind, version, decl.span, tuple(self.nodes), tuple(self.edges))

    def node(self, kind: str, label: str, span: Span, parent: int | None, region: str, detail: str = "",
             wait_label: str | None = None) -> int:
        self.nodes.append(GraphNode(len(self.nodes), kind, label, span, detail, wait_label, parent, region))
        return len(self.nodes) - 1

    def connect(self, pending: list[_Pending], target: int) -> None:
        for source, kind, label in pending:
            self.edges.append(GraphEdge(source, target, kind, label))

    def quote(self, node: ast.Node) -> str:
        return _quote(self.text, node.span)

    # ---- statements
    def block(self, stmts: Iterable[ast.Stmt], pending: list[_Pending], parent: int | None,
              region: str) -> list[_Pending]:
        run: list[ast.Stmt] = []
        for stmt in stmts:
            if _is_plain(stmt):
                run.append(stmt)
                continue
            if run:
                pending = self.plain(run, pending, parent, region)
                run = []
            pending = self.stmt(stmt, pending, parent, region)
        if run:
            pending = self.plain(run, pending, parent, region)
        return pending

    def plain(self, run: list[ast.Stmt], pending: list[_Pending], parent: int | None,
              region: str) -> list[_Pending]:
        names = []
        for stmt in run:
            name = stmt.name.name
            if name and name not in names:
                names.append(name)
        span = run[0].span.cover(run[-1].span)
        label = ("let " if all(isinstance(s, ast.Let) for s in run) else "set ") + ", ".join(names)
        detail = "; ".join(self.quote(s) for s in run) if len(run) <= 3 else f"{len(run)} statements"
        node = self.node("set", label.strip(), span, parent, region, detail)
        self.connect(pending, node)
        return [(node, "next", "")]

    def stmt(self, stmt: ast.Stmt, pending: list[_Pending], parent: int | None, region: str,
             wait_label: str | None = None, span: Span | None = None) -> list[_Pending]:
        span = span or stmt.span
        if isinstance(stmt, ast.Labelled):
            # The node spans the label too, so a location on either line finds it.
            return self.stmt(stmt.stmt, pending, parent, region, stmt.label.name or None, stmt.span)
        if _is_plain(stmt):
            return self.plain([stmt], pending, parent, region)
        if isinstance(stmt, (ast.Let, ast.Assign)):
            return self.step(stmt.value, stmt.name.name, pending, parent, region, span)
        if isinstance(stmt, (ast.DoStep, ast.CallStep)):
            return self.step(stmt, None, pending, parent, region, span)
        if isinstance(stmt, ast.Await):
            return self.await_(stmt, pending, parent, region, wait_label, span)
        if isinstance(stmt, ast.Select):
            return self.select(stmt, pending, parent, region, wait_label, span)
        if isinstance(stmt, ast.Sleep):
            node = self.node("sleep", f"sleep {self.quote(stmt.delay)}", span, parent, region, "", wait_label)
            self.connect(pending, node)
            return [(node, "timeout", self.quote(stmt.delay))]
        if isinstance(stmt, ast.If):
            return self.if_(stmt, pending, parent, region)
        if isinstance(stmt, ast.For):
            return self.for_(stmt, pending, parent, region)
        if isinstance(stmt, (ast.Parallel, ast.Race)):
            return self.fork(stmt, pending, parent, region)
        if isinstance(stmt, ast.Try):
            return self.try_(stmt, pending, parent, region)
        if isinstance(stmt, ast.When):
            node = self.node("when", f"when {self.quote(stmt.cond)}", span, parent, region)
            self.connect(pending, node)
            exits = self.stmt(stmt.emit, [(node, "yes", "")], node, "yes")
            return exits + [(node, "no", "")]
        return self.simple(stmt, pending, parent, region, span)

    def simple(self, stmt: ast.Stmt, pending: list[_Pending], parent: int | None, region: str,
               span: Span) -> list[_Pending]:
        if isinstance(stmt, ast.Emit):
            fields = ", ".join(f.name.name for f in stmt.fields if isinstance(f, ast.FieldInit))
            node = self.node("emit", f"emit {stmt.event.name}", span, parent, region, fields)
        elif isinstance(stmt, ast.Complete):
            value = self.quote(stmt.value) if stmt.value is not None else ""
            node = self.node("complete", f"complete {value}".strip(), span, parent, region)
        elif isinstance(stmt, ast.Fail):
            node = self.node("fail", f"fail {self.quote(stmt.message)}", span, parent, region)
        elif isinstance(stmt, ast.Use):
            node = self.node("use", f"use {stmt.pattern.name}", span, parent, region,
                             ", ".join(self.quote(a) for a in stmt.args if not isinstance(a.value, ast.Block)))
        elif isinstance(stmt, ast.Splice):
            node = self.node("splice", stmt.name.name, span, parent, region, "the block argument")
        else:  # a damaged statement: nothing runs there
            return pending
        self.connect(pending, node)
        return [] if isinstance(stmt, (ast.Complete, ast.Fail)) else [(node, "next", "")]

    def step(self, value: ast.DoStep | ast.CallStep, result: str | None, pending: list[_Pending],
             parent: int | None, region: str, span: Span) -> list[_Pending]:
        """``do``/``call``, bare or as the value of a ``let``/assignment (``result``)."""
        prefix = f"{result} = " if result else ""
        if isinstance(value, ast.DoStep):
            parts = []
            if value.policy is not None:
                parts.append(f"with {value.policy.name}")
            if value.timeout is not None:
                parts.append(f"timeout {self.quote(value.timeout)}")
            node = self.node("do", f"{prefix}do {value.handler.name}", span, parent, region, ", ".join(parts))
            self.connect(pending, node)
            comp = value.compensate
            if comp is not None:
                detail = f"with {comp.policy.name}" if comp.policy is not None else ""
                undo = self.node("compensate", f"compensate {comp.handler.name}", comp.span, node, "compensate",
                                 detail)
                self.edges.append(GraphEdge(node, undo, "compensate", ""))
            return [(node, "next", "")]
        detail = f"with {value.policy.name}" if value.policy is not None else ""
        node = self.node("call", f"{prefix}call {value.workflow.name}", span, parent, region, detail)
        self.connect(pending, node)
        return [(node, "next", "")]

    def await_(self, stmt: ast.Await, pending: list[_Pending], parent: int | None, region: str,
               wait_label: str | None, span: Span) -> list[_Pending]:
        detail = f"where {self.quote(stmt.guard)}" if stmt.guard is not None else ""
        node = self.node("await", f"await {stmt.event.name} as {stmt.var.name}", span, parent, region, detail,
                         wait_label)
        self.connect(pending, node)
        exits: list[_Pending] = [(node, "event", stmt.event.name)]
        if stmt.within is not None:
            within = f"within {self.quote(stmt.within)}"
            if stmt.else_body is not None:
                exits += self.block(stmt.else_body.stmts, [(node, "timeout", within)], node, "else")
            # Without `else` the timer raises Timeout: an error, drawn by the enclosing `try`.
        return exits

    def select(self, stmt: ast.Select, pending: list[_Pending], parent: int | None, region: str,
               wait_label: str | None, span: Span) -> list[_Pending]:
        node = self.node("select", "select", span, parent, region,
                         ", ".join(c.event.name for c in stmt.clauses if isinstance(c, ast.OnClause)), wait_label)
        self.connect(pending, node)
        exits: list[_Pending] = []
        for clause in stmt.clauses:
            if isinstance(clause, ast.OnClause):
                label = clause.event.name + (f" where {self.quote(clause.guard)}" if clause.guard else "")
                exits += self.block(clause.body.stmts, [(node, "event", label)], node,
                                    f"on {clause.event.name} as {clause.var.name}")
            elif isinstance(clause, ast.AfterClause):
                label = f"after {self.quote(clause.delay)}"
                exits += self.block(clause.body.stmts, [(node, "timeout", label)], node, label)
        return exits

    def if_(self, stmt: ast.If, pending: list[_Pending], parent: int | None, region: str) -> list[_Pending]:
        exits: list[_Pending] = []
        previous = None
        for i, branch in enumerate(stmt.branches):
            word = "if" if i == 0 else "elif"
            # The first test spans the whole statement; an `elif` from the end of the body
            # before it, and the last one on to the end, so it holds the `else` body.
            end = stmt.span.end if i == len(stmt.branches) - 1 else branch.span.end
            span = stmt.span if previous is None else Span(previous.body.span.end, end)
            test = self.node("if", f"{word} {self.quote(branch.cond)}", span, parent, region)
            self.connect(pending, test)
            exits += self.block(branch.body.stmts, [(test, "yes", "")], test, "yes")
            pending = [(test, "no", "")]
            previous = branch
        if stmt.else_body is not None and previous is not None:
            pending = self.block(stmt.else_body.stmts, pending, test, "else")
        return exits + pending

    def for_(self, stmt: ast.For, pending: list[_Pending], parent: int | None, region: str) -> list[_Pending]:
        over = f"{stmt.var.name} in {self.quote(stmt.start)}..{self.quote(stmt.stop)}"
        node = self.node("for", f"for {over}", stmt.span, parent, region)
        self.connect(pending, node)
        back = self.block(stmt.body.stmts, [(node, "yes", over)], node, "body")
        self.edges += [GraphEdge(source, node, "loop", "") for source, _, _ in back]
        return [(node, "no", "done")]

    def fork(self, stmt: ast.Parallel | ast.Race, pending: list[_Pending], parent: int | None,
             region: str) -> list[_Pending]:
        kind = "race" if isinstance(stmt, ast.Race) else "parallel"
        node = self.node(kind, kind, stmt.span, parent, region, f"{len(stmt.branches)} branches")
        self.connect(pending, node)
        exits: list[_Pending] = []
        for i, branch in enumerate(stmt.branches, 1):
            exits += self.block(branch.stmts, [(node, "branch", str(i))], node, f"branch {i}")
        if not exits:
            return []
        # `race` goes on with the first branch to finish, `parallel` once all have.
        join = self.node("join", "first" if kind == "race" else "all", _closing(stmt.span), parent, region)
        self.connect(exits, join)
        return [(join, "next", "")]

    def try_(self, stmt: ast.Try, pending: list[_Pending], parent: int | None, region: str) -> list[_Pending]:
        kinds = ", ".join(c.kind.name if c.kind is not None else "any" for c in stmt.catches)
        node = self.node("try", "try", stmt.span, parent, region, f"catches {kinds}" if kinds else "")
        self.connect(pending, node)
        exits = self.block(stmt.body.stmts, [(node, "next", "")], node, "body")
        for catch in stmt.catches:
            kind = catch.kind.name if catch.kind is not None else "any"
            label = f"catch {kind}" + (f" as {catch.var.name}" if catch.var is not None else "")
            handler = self.node("catch", label, catch.span, node, "catch")
            self.edges.append(GraphEdge(node, handler, "error", kind))
            exits += self.block(catch.body.stmts, [(handler, "next", "")], handler, "")
        return exits


def _is_plain(stmt: ast.Stmt) -> bool:
    """A ``let`` or assignment of an expression: no node of its own, grouped with its neighbours."""
    return isinstance(stmt, (ast.Let, ast.Assign)) and not isinstance(stmt.value, (ast.DoStep, ast.CallStep))
