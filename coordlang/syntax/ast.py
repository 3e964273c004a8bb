"""The syntax tree of a coord module: frozen nodes, each with its source span.

Class names follow the grammar's rules in CamelCase. Lark's trees stop at the lowering
(``lower.py``): nothing outside ``coordlang.syntax`` sees a lark type. Damaged places hold
``ErrorDecl``/``ErrorStmt``/``ErrorExpr``/``ErrorItem`` nodes, so a tree always exists.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterator, Union

from coordlang.source import Span


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that may hold nodes (all but ``span``), computed once: a
    walk visits every node, and ``dataclasses.fields`` per visit was most of a walk."""
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = _CHILD_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name != "span")
    return names


@dataclass(frozen=True, slots=True)
class Node:
    span: Span

    def children(self) -> Iterator[Node]:
        """The direct child nodes, in source order."""
        for name in _child_fields(self.__class__):
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif value.__class__ is tuple:
                for item in value:
                    if isinstance(item, Node):
                        yield item

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first, in source order."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            kids = list(node.children())
            kids.reverse()
            stack += kids


@dataclass(frozen=True, slots=True)
class Ident(Node):
    """A name as written, with its own span (for definition, references and rename)."""

    name: str

    @property
    def missing(self) -> bool:
        """Inserted by error recovery where a name was expected."""
        return self.name == ""


@dataclass(frozen=True, slots=True)
class TypeRef(Node):
    name: str  # "" where the type is damaged


# ---------------------------------------------------------------- expressions

@dataclass(frozen=True, slots=True)
class Expr(Node):
    pass


@dataclass(frozen=True, slots=True)
class IntLit(Expr):
    value: int


@dataclass(frozen=True, slots=True)
class FloatLit(Expr):
    value: float


@dataclass(frozen=True, slots=True)
class BoolLit(Expr):
    value: bool


@dataclass(frozen=True, slots=True)
class NoneLit(Expr):
    pass


@dataclass(frozen=True, slots=True)
class DurationLit(Expr):
    seconds: float
    text: str


@dataclass(frozen=True, slots=True)
class StringLit(Expr):
    """A string; ``parts`` alternate text and interpolated expressions as written."""

    parts: tuple[Union[str, Expr], ...]

    @property
    def is_plain(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str:
        """The text of a plain string (interpolations left out)."""
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True, slots=True)
class Name(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Member(Expr):
    obj: Expr
    name: Ident


@dataclass(frozen=True, slots=True)
class Arg(Node):
    """A call argument: positional (``name`` is None), named, or a ``{ block }`` for patterns."""

    name: Ident | None
    value: Union[Expr, Block]


@dataclass(frozen=True, slots=True)
class CallExpr(Expr):
    """A call of a built-in function (``now()``, ``avg(x)``, ``retry(...)``)."""

    func: Ident
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: str  # "or" "and" "==" "!=" "<" "<=" ">" ">=" "+" "-" "*" "/" "%"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str  # "not" "-"
    operand: Expr


@dataclass(frozen=True, slots=True)
class ListExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Paren(Expr):
    """Parentheses as written, kept so the formatter can keep them."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class ErrorExpr(Expr):
    """A damaged or missing expression."""


# ---------------------------------------------------------------- statements

@dataclass(frozen=True, slots=True)
class Stmt(Node):
    pass


@dataclass(frozen=True, slots=True)
class Block(Node):
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Compensation(Node):
    handler: Ident
    args: tuple[Arg, ...]
    policy: Ident | None


@dataclass(frozen=True, slots=True)
class DoStep(Stmt):
    """``do h(args) [with P] [timeout D] [compensate h2(args) [with P]]``."""

    handler: Ident
    args: tuple[Arg, ...]
    policy: Ident | None
    timeout: Expr | None
    compensate: Compensation | None


@dataclass(frozen=True, slots=True)
class CallStep(Stmt):
    """``call W(args) [with P]``: start a child workflow and wait for its result."""

    workflow: Ident
    args: tuple[Arg, ...]
    policy: Ident | None


@dataclass(frozen=True, slots=True)
class Let(Stmt):
    name: Ident
    type: TypeRef | None
    value: Union[Expr, DoStep, CallStep]


@dataclass(frozen=True, slots=True)
class Assign(Stmt):
    name: Ident
    value: Union[Expr, DoStep, CallStep]


@dataclass(frozen=True, slots=True)
class Await(Stmt):
    event: Ident
    var: Ident
    guard: Expr | None
    within: Expr | None
    else_body: Block | None


@dataclass(frozen=True, slots=True)
class OnClause(Node):
    event: Ident
    var: Ident
    guard: Expr | None
    body: Block


@dataclass(frozen=True, slots=True)
class AfterClause(Node):
    delay: Expr
    body: Block


@dataclass(frozen=True, slots=True)
class ErrorItem(Node):
    """A damaged item of a list: a field, parameter, clause, argument or mapping."""


@dataclass(frozen=True, slots=True)
class Select(Stmt):
    clauses: tuple[Union[OnClause, AfterClause, ErrorItem], ...]


@dataclass(frozen=True, slots=True)
class Sleep(Stmt):
    delay: Expr


@dataclass(frozen=True, slots=True)
class IfBranch(Node):
    cond: Expr
    body: Block


@dataclass(frozen=True, slots=True)
class If(Stmt):
    branches: tuple[IfBranch, ...]
    else_body: Block | None


@dataclass(frozen=True, slots=True)
class For(Stmt):
    var: Ident
    start: Expr
    stop: Expr
    body: Block


@dataclass(frozen=True, slots=True)
class Parallel(Stmt):
    branches: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Race(Stmt):
    branches: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class FieldInit(Node):
    name: Ident
    value: Expr


@dataclass(frozen=True, slots=True)
class Emit(Stmt):
    event: Ident
    fields: tuple[Union[FieldInit, ErrorItem], ...]


@dataclass(frozen=True, slots=True)
class Catch(Node):
    kind: Ident | None  # None catches every kind
    var: Ident | None
    body: Block


@dataclass(frozen=True, slots=True)
class Try(Stmt):
    body: Block
    catches: tuple[Catch, ...]


@dataclass(frozen=True, slots=True)
class Complete(Stmt):
    value: Expr | None


@dataclass(frozen=True, slots=True)
class Fail(Stmt):
    message: Expr


@dataclass(frozen=True, slots=True)
class Use(Stmt):
    pattern: Ident
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True)
class Labelled(Stmt):
    """``label NAME`` before a wait: names the wait point."""

    label: Ident
    stmt: Stmt


@dataclass(frozen=True, slots=True)
class Splice(Stmt):
    """A lone name as a statement: where a pattern's ``block`` parameter is expanded."""

    name: Ident


@dataclass(frozen=True, slots=True)
class When(Stmt):
    """``when COND emit EV { ... }`` in a stream: runs as each window closes."""

    cond: Expr
    emit: Emit


@dataclass(frozen=True, slots=True)
class ErrorStmt(Stmt):
    """A damaged statement."""


# ---------------------------------------------------------------- declarations

@dataclass(frozen=True, slots=True)
class Decl(Node):
    pass


@dataclass(frozen=True, slots=True)
class DottedName(Node):
    parts: tuple[Ident, ...]

    @property
    def text(self) -> str:
        return ".".join(p.name for p in self.parts)


@dataclass(frozen=True, slots=True)
class ModuleDecl(Decl):
    name: DottedName


@dataclass(frozen=True, slots=True)
class ImportDecl(Decl):
    """``import "file.coord"`` (``path``) or ``import std.saga`` (``module``)."""

    path: StringLit | None
    module: DottedName | None


@dataclass(frozen=True, slots=True)
class Field(Node):
    name: Ident
    type: TypeRef


@dataclass(frozen=True, slots=True)
class EventDecl(Decl):
    name: Ident
    fields: tuple[Union[Field, ErrorItem], ...]


@dataclass(frozen=True, slots=True)
class Param(Node):
    name: Ident
    type: TypeRef


@dataclass(frozen=True, slots=True)
class HandlerFlag(Node):
    """``idempotent``, ``jit``, ``batch`` or ``timeout D`` (with ``value``)."""

    name: str
    value: Expr | None


@dataclass(frozen=True, slots=True)
class HandlerDecl(Decl):
    name: Ident
    params: tuple[Union[Param, ErrorItem], ...]
    returns: TypeRef | None
    target: StringLit
    flags: tuple[HandlerFlag, ...]


@dataclass(frozen=True, slots=True)
class PolicyDecl(Decl):
    name: Ident
    value: Expr


@dataclass(frozen=True, slots=True)
class EventTrigger(Node):
    """``on EVENT as VAR``: an instance starts for each such event."""

    event: Ident
    var: Ident


@dataclass(frozen=True, slots=True)
class WorkflowDecl(Decl):
    name: Ident
    trigger: EventTrigger | None
    params: tuple[Union[Param, ErrorItem], ...] | None  # None for event-started workflows
    key: Ident
    version: IntLit | None
    returns: TypeRef | None
    body: Block

    @property
    def version_number(self) -> int:
        return self.version.value if self.version is not None else 1


@dataclass(frozen=True, slots=True)
class ReactionDecl(Decl):
    event: Ident
    var: Ident
    guard: Expr | None
    body: Block


@dataclass(frozen=True, slots=True)
class StreamDecl(Decl):
    name: Ident
    event: Ident
    var: Ident
    by: Ident
    window: Expr
    body: Block


@dataclass(frozen=True, slots=True)
class PatternDecl(Decl):
    name: Ident
    params: tuple[Union[Param, ErrorItem], ...]
    body: Block


@dataclass(frozen=True, slots=True)
class Mapping(Node):
    source: Ident
    target: Ident


@dataclass(frozen=True, slots=True)
class MigrateDecl(Decl):
    workflow: Ident
    from_version: IntLit
    to_version: IntLit
    mappings: tuple[Union[Mapping, ErrorItem], ...]


@dataclass(frozen=True, slots=True)
class ErrorDecl(Decl):
    """A damaged declaration."""


@dataclass(frozen=True, slots=True)
class Module(Node):
    decls: tuple[Decl, ...]

    @property
    def module_name(self) -> str | None:
        for decl in self.decls:
            if isinstance(decl, ModuleDecl):
                return decl.name.text
        return None
