"""Semantic token classes: every token of a document with its role, from the syntax tree.

The classes are LSP's standard token types, so editors colour them without configuration:
events and types are ``type``, workflows and streams ``class``, handlers and built-in
functions ``function``, patterns ``macro``, policies read-only ``variable``, wait-point labels
``enumMember``, event fields ``property``.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.source import Span
from coordlang.syntax import ast
from coordlang.syntax.tokens import KEYWORDS, Token, tokenize

TOKEN_TYPES = ("namespace", "type", "class", "function", "macro", "variable", "parameter", "property",
               "enumMember", "keyword", "modifier", "string", "number", "comment", "operator")
TOKEN_MODIFIERS = ("declaration", "readonly", "defaultLibrary")

_KEYWORD_KINDS = frozenset(word.upper() for word in KEYWORDS)
_OPERATORS = frozenset({"EQEQ", "NE", "LT", "LE", "GT", "GE", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT",
                        "EQ", "ARROW", "DOTDOT"})
_NUMBERS = frozenset({"INT", "FLOAT", "DURATION"})


@dataclass(frozen=True, slots=True)
class SemanticToken:
    span: Span
    type: str
    modifiers: frozenset[str] = frozenset()


_DECL = frozenset({"declaration"})
_READONLY = frozenset({"readonly"})
_LIBRARY = frozenset({"defaultLibrary"})


def _roles(module: ast.Module) -> tuple[dict[int, tuple[str, frozenset[str]]], list[ast.StringLit]]:
    """Role by the start offset of each name in the tree; and the strings with interpolations."""
    roles: dict[int, tuple[str, frozenset[str]]] = {}
    strings: list[ast.StringLit] = []

    def mark(ident, kind: str, mods: frozenset[str] = frozenset()) -> None:
        if ident is not None and not getattr(ident, "missing", False):
            roles[ident.span.start] = (kind, mods)

    for node in module.walk():
        t = type(node)
        if t is ast.DottedName:
            for part in node.parts:
                mark(part, "namespace")
        elif t is ast.EventDecl:
            mark(node.name, "type", _DECL)
        elif t is ast.Field:
            mark(node.name, "property", _DECL)
        elif t is ast.TypeRef:
            roles[node.span.start] = ("type", frozenset())
        elif t is ast.HandlerDecl:
            mark(node.name, "function", _DECL)
            for flag in node.flags:
                roles[flag.span.start] = ("modifier", frozenset())
        elif t is ast.Param:
            mark(node.name, "parameter", _DECL)
        elif t is ast.PolicyDecl:
            mark(node.name, "variable", _DECL | _READONLY)
        elif t is ast.WorkflowDecl:
            mark(node.name, "class", _DECL)
            mark(node.key, "property")
        elif t is ast.EventTrigger or t is ast.ReactionDecl:
            mark(node.event, "type")
            mark(node.var, "parameter", _DECL)
        elif t is ast.StreamDecl:
            mark(node.name, "class", _DECL)
            mark(node.event, "type")
            mark(node.var, "parameter", _DECL)
            mark(node.by, "property")
        elif t is ast.PatternDecl:
            mark(node.name, "macro", _DECL)
        elif t is ast.MigrateDecl:
            mark(node.workflow, "class")
        elif t is ast.Mapping:
            mark(node.source, "enumMember")
            mark(node.target, "enumMember")
        elif t is ast.Let:
            mark(node.name, "variable", _DECL)
        elif t is ast.Assign:
            mark(node.name, "variable")
        elif t is ast.DoStep or t is ast.Compensation:
            mark(node.handler, "function")
            mark(node.policy, "variable", _READONLY)
        elif t is ast.CallStep:
            mark(node.workflow, "class")
            mark(node.policy, "variable", _READONLY)
        elif t is ast.Await or t is ast.OnClause:
            mark(node.event, "type")
            mark(node.var, "variable", _DECL)
        elif t is ast.Emit:
            mark(node.event, "type")
        elif t is ast.FieldInit:
            mark(node.name, "property")
        elif t is ast.Catch:
            mark(node.kind, "type")
            mark(node.var, "variable", _DECL)
        elif t is ast.Use:
            mark(node.pattern, "macro")
        elif t is ast.Labelled:
            mark(node.label, "enumMember", _DECL)
        elif t is ast.Splice:
            mark(node.name, "parameter")
        elif t is ast.Arg:
            mark(node.name, "parameter")
        elif t is ast.CallExpr:
            mark(node.func, "function", _LIBRARY)
        elif t is ast.Member:
            mark(node.name, "property")
        elif t is ast.For:
            mark(node.var, "variable", _DECL)
        elif t is ast.Name:
            roles.setdefault(node.span.start, ("variable", _READONLY if node.name == "key" else frozenset()))
        elif t is ast.StringLit and not node.is_plain:
            strings.append(node)
    return roles, strings


def semantic_tokens(module: ast.Module, tokens: tuple[Token, ...], comments: tuple[Token, ...]) -> tuple[SemanticToken, ...]:
    """Every token with its class, in document order, never overlapping."""
    roles, strings = _roles(module)
    interpolated = {s.span.start: s for s in strings}
    out: list[SemanticToken] = []
    for tok in tokens:
        if tok.kind == "STRING" and tok.start in interpolated:
            _string_pieces(interpolated[tok.start], tok, roles, out)
            continue
        token = _classify(tok, roles)
        if token is not None:
            out.append(token)
    out.extend(SemanticToken(Span(c.start, c.end), "comment") for c in comments)
    out.sort(key=lambda t: t.span.start)
    return tuple(out)


def _classify(tok: Token, roles) -> SemanticToken | None:
    span = Span(tok.start, tok.end)
    kind = tok.kind
    role = roles.get(tok.start)
    if role is not None and kind not in ("STRING", "INT", "FLOAT", "DURATION"):
        return SemanticToken(span, role[0], role[1])
    if kind in _KEYWORD_KINDS:
        return SemanticToken(span, "keyword")
    if kind == "STRING":
        return SemanticToken(span, "string")
    if kind in _NUMBERS:
        return SemanticToken(span, "number")
    if kind in _OPERATORS:
        return SemanticToken(span, "operator")
    if kind == "NAME":
        return SemanticToken(span, "variable")
    return None


def _string_pieces(lit: ast.StringLit, tok: Token, roles, out: list[SemanticToken]) -> None:
    """A string with ``{expr}`` inside: the text pieces as ``string``, the expressions' tokens by role."""
    cursor = tok.start
    for part in lit.parts:
        if isinstance(part, str):
            continue
        start, end = part.span.start, part.span.end
        if start - 1 > cursor:
            out.append(SemanticToken(Span(cursor, start - 1), "string"))
        inner, _, _ = tokenize(tok.text[start - tok.start:end - tok.start])
        for t in inner:
            shifted = Token(t.kind, t.text, t.start + start, t.end + start)
            token = _classify(shifted, roles)
            if token is not None:
                out.append(token)
        cursor = end + 1
    if tok.end > cursor:
        out.append(SemanticToken(Span(cursor, tok.end), "string"))
