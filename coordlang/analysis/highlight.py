"""Semantic token classes: every token of a document with its role, from the syntax tree.

The classes are LSP's standard token types, so editors colour them without configuration:
events and types are ``type``, workflows and streams ``class``, handlers and built-in
functions ``function``, patterns ``macro``, policies read-only ``variable``, wait-point labels
``enumMember``, event fields ``property``.
"""

from __future__ import annotations

from typing import NamedTuple

from coordlang.gcpause import gc_paused
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


class SemanticToken(NamedTuple):
    """A token's class. A named tuple: one is made per token of the document."""

    span: Span
    type: str
    modifiers: frozenset[str] = frozenset()


_NONE: frozenset[str] = frozenset()
_DECL = frozenset({"declaration"})
_READONLY = frozenset({"readonly"})
_LIBRARY = frozenset({"defaultLibrary"})
_DECL_READONLY = _DECL | _READONLY

# For each node class, the (field, token type, modifiers) of the names it holds.
_NAME_ROLES: dict[type, tuple[tuple[str, str, frozenset[str]], ...]] = {
    ast.EventDecl: (("name", "type", _DECL),),
    ast.Field: (("name", "property", _DECL),),
    ast.HandlerDecl: (("name", "function", _DECL),),
    ast.Param: (("name", "parameter", _DECL),),
    ast.PolicyDecl: (("name", "variable", _DECL_READONLY),),
    ast.WorkflowDecl: (("name", "class", _DECL), ("key", "property", _NONE)),
    ast.EventTrigger: (("event", "type", _NONE), ("var", "parameter", _DECL)),
    ast.ReactionDecl: (("event", "type", _NONE), ("var", "parameter", _DECL)),
    ast.StreamDecl: (("name", "class", _DECL), ("event", "type", _NONE), ("var", "parameter", _DECL),
                     ("by", "property", _NONE)),
    ast.PatternDecl: (("name", "macro", _DECL),),
    ast.MigrateDecl: (("workflow", "class", _NONE),),
    ast.Mapping: (("source", "enumMember", _NONE), ("target", "enumMember", _NONE)),
    ast.Let: (("name", "variable", _DECL),),
    ast.Assign: (("name", "variable", _NONE),),
    ast.DoStep: (("handler", "function", _NONE), ("policy", "variable", _READONLY)),
    ast.Compensation: (("handler", "function", _NONE), ("policy", "variable", _READONLY)),
    ast.CallStep: (("workflow", "class", _NONE), ("policy", "variable", _READONLY)),
    ast.Await: (("event", "type", _NONE), ("var", "variable", _DECL)),
    ast.OnClause: (("event", "type", _NONE), ("var", "variable", _DECL)),
    ast.Emit: (("event", "type", _NONE),),
    ast.FieldInit: (("name", "property", _NONE),),
    ast.Catch: (("kind", "type", _NONE), ("var", "variable", _DECL)),
    ast.Use: (("pattern", "macro", _NONE),),
    ast.Labelled: (("label", "enumMember", _DECL),),
    ast.Splice: (("name", "parameter", _NONE),),
    ast.Arg: (("name", "parameter", _NONE),),
    ast.CallExpr: (("func", "function", _LIBRARY),),
    ast.Member: (("name", "property", _NONE),),
    ast.For: (("var", "variable", _DECL),),
}


def _roles(module: ast.Module) -> tuple[dict[int, tuple[str, frozenset[str]]], list[ast.StringLit]]:
    """Role by the start offset of each name in the tree; and the strings with interpolations."""
    roles: dict[int, tuple[str, frozenset[str]]] = {}
    strings: list[ast.StringLit] = []
    name_roles = _NAME_ROLES
    for node in module.walk():
        cls = node.__class__
        entries = name_roles.get(cls)
        if entries is not None:
            for field, kind, mods in entries:
                ident = getattr(node, field)
                if ident is not None and ident.name:
                    roles[ident.span.start] = (kind, mods)
            if cls is ast.HandlerDecl:
                for flag in node.flags:
                    roles[flag.span.start] = ("modifier", _NONE)
        elif cls is ast.DottedName:
            for part in node.parts:
                roles[part.span.start] = ("namespace", _NONE)
        elif cls is ast.TypeRef:
            roles[node.span.start] = ("type", _NONE)
        elif cls is ast.Name:
            roles.setdefault(node.span.start, ("variable", _READONLY if node.name == "key" else _NONE))
        elif cls is ast.StringLit and not node.is_plain:
            strings.append(node)
    return roles, strings


def semantic_tokens(module: ast.Module, tokens: tuple[Token, ...], comments: tuple[Token, ...]) -> tuple[SemanticToken, ...]:
    """Every token with its class, in document order, never overlapping."""
    with gc_paused():
        return _semantic_tokens(module, tokens, comments)


def _semantic_tokens(module: ast.Module, tokens: tuple[Token, ...], comments: tuple[Token, ...]) -> tuple[SemanticToken, ...]:
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
