"""Documents for expressions, argument lists and the brackets around them.

Expressions print as written, token for token: literals keep their source text (``1e3``,
``1.50``, ``250ms``, strings with their escapes and interpolations), parentheses are kept where
they were written and never added, and only the spaces change. So the printed text parses to
the same tree. Binary expressions never break (a newline before an operator would end the
statement); the lists inside them do.
"""

from __future__ import annotations

import bisect

from coordlang.format import containers
from coordlang.format.doc import Doc
from coordlang.format.trivia import Comments, Item
from coordlang.syntax import ast
from coordlang.syntax.parser import ParseResult
from coordlang.syntax.tokens import LINE_STARTERS as _LINE_STARTER_KINDS

# The tokenizer ends a statement at a newline followed by one of these words, even inside
# brackets (so that a missing ')' damages one line only). A field or an argument named with
# one of them must therefore never start a line after a comma.
LINE_STARTERS = frozenset(kind.lower() for kind in _LINE_STARTER_KINDS)

_OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}


def _match_brackets(tokens: tuple) -> dict[int, int]:
    match: dict[int, int] = {}
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind in _OPENERS:
            stack.append(i)
        elif kind in ("RPAR", "RSQB", "RBRACE") and stack:
            match[stack.pop()] = i
    return match


class ExprPrinter:
    """Expressions and argument lists; :class:`coordlang.format.printer.Printer` adds the
    statements and declarations."""

    def __init__(self, result: ParseResult) -> None:
        self.text = result.text
        self.tokens = result.tokens
        self.token_starts = [t.start for t in result.tokens]
        self.match = _match_brackets(result.tokens)
        self.comments = Comments(result.text, result.comments)
        self._exprs = {
            ast.IntLit: self.source, ast.FloatLit: self.source, ast.StringLit: self.source,
            ast.ErrorExpr: self.source,
            ast.DurationLit: lambda e: e.text,
            ast.BoolLit: lambda e: "true" if e.value else "false",
            ast.NoneLit: lambda e: "none",
            ast.Name: lambda e: e.name,
            ast.Member: lambda e: [self.expr(e.obj), ".", e.name.name],
            ast.CallExpr: lambda e: [e.func.name, self.args(e.args, e.func.span.end)],
            ast.Binary: self._binary,
            ast.Unary: lambda e: ["not " if e.op == "not" else "-", self.expr(e.operand)],
            ast.Paren: lambda e: ["(", self.expr(e.expr), ")"],
            ast.ListExpr: self._list,
        }

    # ---- source and tokens
    def source(self, node: ast.Node) -> str:
        return self.text[node.span.start:node.span.end]

    def brackets(self, pos: int) -> tuple[int, int, bool]:
        """The first bracket pair opening at or after ``pos``: where the opening bracket ends,
        where the closing one starts, and whether the source asks for one item a line (a comma
        before the closing bracket, or for braces a newline)."""
        i = bisect.bisect_left(self.token_starts, pos)
        while self.tokens[i].kind == "NL":
            i += 1
        j = self.match[i]
        before = self.tokens[j - 1].kind
        magic = before == "COMMA" or (before == "NL" and self.tokens[i].kind == "LBRACE")
        return self.tokens[i].end, self.tokens[j].start, magic

    def token_before(self, pos: int):
        """The last token starting before ``pos``."""
        return self.tokens[bisect.bisect_left(self.token_starts, pos) - 1]

    # ---- expressions
    def expr(self, e: ast.Expr) -> Doc:
        return self._exprs[type(e)](e)

    def _binary(self, e: ast.Binary) -> Doc:
        # Chains are left-deep; walk them without recursion so a long sum cannot overflow.
        rights = []
        while isinstance(e, ast.Binary):
            rights.append((e.op, e.right))
            e = e.left
        out: list[Doc] = [self.expr(e)]
        for op, right in reversed(rights):
            out.append(f" {op} ")
            out.append(self.expr(right))
        return out

    def _list(self, e: ast.ListExpr) -> Doc:
        open_end, close, magic = self.brackets(e.span.start)
        items = [Item(x.span, self.expr(x)) for x in e.items]
        rows = self.comments.collect(items, open_end, close, blanks=False)
        return containers.bracket_list(rows, "[", "]", magic=magic)

    # ---- lists
    def args(self, args: tuple[ast.Arg, ...], after: int, *, hug: bool = False) -> Doc:
        """``(args)`` for the parenthesis following offset ``after``; with ``hug``, a block as
        the last argument may be hugged (``(a, {`` ... ``})``, see ``containers.hugged_list``)."""
        open_end, close, magic = self.brackets(after)
        items = [Item(a.span, self.arg(a), keyword_named=a.name is not None and a.name.name in LINE_STARTERS)
                 for a in args]
        rows = self.comments.collect(items, open_end, close, blanks=False, inline_keyword_named=True)
        spread = containers.bracket_list(rows, "(", ")", magic=magic)
        if hug and args and isinstance(args[-1].value, ast.Block):
            return containers.hugged_list(rows, spread, "(", ")")
        return spread

    def arg(self, a: ast.Arg) -> Doc:
        value = self.block(a.value) if isinstance(a.value, ast.Block) else self.expr(a.value)
        return value if a.name is None else [a.name.name, ": ", value]

    def params(self, params: tuple, after: int) -> Doc:
        open_end, close, magic = self.brackets(after)
        items = [Item(p.span, self.source(p) if isinstance(p, ast.ErrorItem) else [p.name.name, ": ", p.type.name])
                 for p in params]
        rows = self.comments.collect(items, open_end, close, blanks=False)
        return containers.bracket_list(rows, "(", ")", magic=magic)

    def braced(self, entries: tuple, after: int, key, value) -> Doc:
        """``{ k: v, ... }`` (fields, field values, mappings) for the brace after ``after``."""
        open_end, close, magic = self.brackets(after)
        items = []
        for entry in entries:
            if isinstance(entry, ast.ErrorItem):
                items.append(Item(entry.span, self.source(entry)))
                continue
            k = key(entry)
            keyword_named = k in LINE_STARTERS
            # A newline before such a field may be what ended an earlier statement inside a
            # block argument's parentheses (see ``tokens``): keep the list broken, and it.
            magic = magic or (keyword_named and self.token_before(entry.span.start).kind == "NL")
            items.append(Item(entry.span, [k, value(entry)], keyword_named=keyword_named))
        rows = self.comments.collect(items, open_end, close, blanks=False)
        return containers.bracket_list(rows, "{", "}", magic=magic)

    def block(self, b: ast.Block, extend: int | None = None) -> Doc:  # pragma: no cover - overridden
        raise NotImplementedError
