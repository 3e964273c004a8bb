"""Hypothesis strategies for coord source text, shared by the test suites.

``modules()`` draws whole modules that parse without a syntax diagnostic: every kind of
declaration, every statement nested a few levels deep, expressions of every precedence (with
the parentheses they need, and now and then some they don't), strings with escapes and
interpolations, durations, keyword-named fields and arguments — in a random layout: one-line
and multi-line blocks, ``;`` separators, odd indentation and spacing, runs of empty lines,
trailing commas, lists broken over lines — and with comments wherever a comment can stand
(own lines, ends of lines, after an opening bracket, after an operator or ``=``, between a
``}`` and its ``else``, at the end of a block and of the file).

The programs are valid syntax only: names are not declared and types do not match, so the
checker will report plenty. ``expressions()``, ``statements()`` and ``comments()`` draw the
pieces.

Newlines matter in coord, and the tokenizer's rules shape the generator: a newline is dropped
inside ``( )`` and ``[ ]`` and after a token that continues (``,`` ``(`` ``{`` ``=`` an
operator), but kept before a word that starts statements (``LINE_STARTERS``) wherever it is.
Hence: a keyword-named argument never starts a line; in braces one is separated by a bare
newline, not ``,`` and a newline (while ``else``, ``elif`` and ``catch`` join the line before
theirs, so a field so named needs its comma); and blocks inside a call's parentheses (pattern arguments)
only put a statement on a new line when it starts with such a word.
"""

from __future__ import annotations

from hypothesis import strategies as st

from coordlang.syntax import tokens as _tokens

KEYWORDS = sorted(_tokens.KEYWORDS)
LINE_STARTERS = frozenset(k.lower() for k in _tokens.LINE_STARTERS)

_NAMES = ["a", "b", "x", "order", "amount", "total", "o", "p", "e", "r", "sensor", "ok", "n", "i",
          "_tmp", "v2", "camelCase", "K"]
_LONG_NAMES = ["a_rather_long_identifier_to_make_lines_wrap", "customer_notification_preferences",
               "x" * 48]
_TYPES = ["int", "float", "bool", "str", "duration", "time", "handler", "policy", "event", "block", "Money"]
_EVENTS = ["OrderPlaced", "PaymentOk", "Tick", "E", "Reading", "Alarm"]
_FLAGS = ["idempotent", "jit", "batch"]
_BINARY = {1: ["or"], 2: ["and"], 4: ["==", "!=", "<", "<=", ">", ">="], 5: ["+", "-"], 6: ["*", "/", "%"]}
_STRING_CHARS = st.text(st.characters(blacklist_characters='"\\{}\n\r', blacklist_categories=("Cs", "Cc")),
                        max_size=8)
_COMMENT_TEXT = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs", "Cc")), max_size=20)
_INDENT = "    "
_JOINS_PREVIOUS = ("else", "elif", "catch")


def comments() -> st.SearchStrategy[str]:
    """A comment: ``#`` and the rest of the line (sometimes with trailing spaces)."""
    return st.builds(lambda body, pad, tail: "#" + pad + body + tail, _COMMENT_TEXT,
                     st.sampled_from(["", " "]), st.sampled_from(["", "", "  "]))


class _Writer:
    """Writes random source text. ``flat`` forbids newlines (and so comments); ``parens``
    marks text inside a call's parentheses, where a newline only survives before a statement
    keyword."""

    def __init__(self, draw, max_depth: int, with_comments: bool) -> None:
        self.draw = draw
        self.max_depth = max_depth
        self.with_comments = with_comments

    # ---- choices
    def maybe(self, percent: int) -> bool:
        """True ``percent`` times in a hundred; shrinks towards False."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def count(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def ident(self) -> str:
        if self.maybe(20):
            word = self.draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True))
            if word not in _tokens.KEYWORDS:
                return word
        if self.maybe(4):
            return self.pick(_LONG_NAMES)
        return self.pick(_NAMES)

    def word(self) -> str:
        """A field, argument or member name: any word, keywords included."""
        return self.pick(KEYWORDS) if self.maybe(15) else self.ident()

    def event(self) -> str:
        return self.pick(_EVENTS)

    def type(self) -> str:
        return self.pick(_TYPES)

    def sp(self) -> str:
        return self.pick([" ", " ", " ", "  "])

    def comment(self) -> str:
        return self.draw(comments())

    def comment_here(self, flat: bool, percent: int = 15) -> bool:
        return self.with_comments and not flat and self.maybe(percent)

    def trailing(self, flat: bool) -> str:
        return self.pick(["  ", " ", "\t"]) + self.comment() if self.comment_here(flat) else ""

    def own_lines(self, ind: str, flat: bool) -> str:
        """Comment lines (and empty lines) before something at indentation ``ind``."""
        out = ""
        if flat:
            return out
        for _ in range(self.count(0, 2) if self.with_comments and self.maybe(20) else 0):
            out += ind + self.comment() + "\n" + ("\n" if self.maybe(15) else "")
        return out

    def gap(self) -> str:
        return self.pick(["\n", "\n", "\n", "\n\n", "\n\n\n"])

    # ---- expressions
    def expr(self, level: int = 1, depth: int = 3, ind: str = "", flat: bool = True) -> str:
        """An expression that parses at precedence ``level`` or tighter (1 ``or`` … 9 atom)."""
        kinds = ["atom", "atom", "name"]
        if depth > 0:
            kinds += ["or", "and", "not", "cmp", "sum", "prod", "neg", "member", "call", "list", "paren", "string"]
        kind = self.pick(kinds)
        d = depth - 1
        if kind in ("or", "and", "cmp", "sum", "prod"):
            prec = {"or": 1, "and": 2, "cmp": 4, "sum": 5, "prod": 6}[kind]
            left_level = prec + 1 if kind == "cmp" else prec
            right_level = prec + 1
            left = self.expr(left_level, d, ind, flat)
            right = self.expr(right_level, d, ind, flat)
            op = self.pick(_BINARY[prec])
            if self.comment_here(flat, 8):  # a newline may follow an operator
                text = f"{left} {op}  {self.comment()}\n{ind}{_INDENT}{right}"
            else:
                text = f"{left}{self.sp()}{op}{self.sp()}{right}"
        elif kind == "not":
            prec, text = 3, "not " + self.expr(3, d, ind, flat)
        elif kind == "neg":
            prec, text = 7, "-" + self.expr(7, d, ind, flat)
        elif kind == "member":
            base = self.pick(["name", "call", "paren"])
            obj = self.ident() if base == "name" or d <= 0 else (
                self.call(d, ind, flat) if base == "call" else "(" + self.expr(1, d, ind, flat) + ")")
            prec, text = 8, f"{obj}.{self.word()}"
        elif kind == "call":
            prec, text = 9, self.call(d, ind, flat)
        elif kind == "list":
            items = [self.expr(1, d, ind + _INDENT, flat) for _ in range(self.count(0, 3))]
            prec, text = 9, self.bracketed("[", "]", [(i, False) for i in items], ind, flat)
        elif kind == "paren":
            prec, text = 9, "(" + self.expr(1, d, ind, flat) + ")"
        elif kind == "string":
            prec, text = 9, self.string(d)
        elif kind == "name":
            prec, text = 9, self.pick([self.ident(), "key"])
        else:
            prec, text = 9, self.literal()
        if prec < level or (prec < 9 and self.maybe(5)):
            text = "(" + text + ")"
        return text

    def literal(self) -> str:
        kind = self.pick(["int", "float", "duration", "string", "bool", "none"])
        if kind == "int":
            return str(self.count(0, 10_000))
        if kind == "float":
            return self.pick(["0.5", "3.25", "1e3", "2.5e-3", "10.0", "1.50"])
        if kind == "duration":
            return self.pick(["250ms", "5s", "2m", "1h", "1d", "1.5s", "0ms"])
        if kind == "string":
            return self.string(0)
        return self.pick(["true", "false", "none"])

    def string(self, depth: int) -> str:
        parts = []
        for _ in range(self.count(0, 3)):
            piece = self.pick(["text", "text", "escape", "long", "interp"] if depth > 0 else ["text", "escape"])
            if piece == "long":
                parts.append("a long piece of text, so that the line it is on has to wrap somewhere")
            elif piece == "text":
                parts.append(self.draw(_STRING_CHARS))
            elif piece == "escape":
                parts.append(self.pick(['\\"', "\\\\", "\\n", "\\t", "\\{", "\\}"]))
            else:
                parts.append("{" + self.expr(1, depth - 1) + "}")
        return '"' + "".join(parts) + '"'

    def call(self, depth: int, ind: str, flat: bool) -> str:
        return self.ident() + self.args(depth, ind, flat)

    def args(self, depth: int, ind: str, flat: bool, blocks: bool = False) -> str:
        items = []
        for _ in range(self.count(0, 3)):
            if blocks and self.maybe(30):
                items.append((self.block(ind + _INDENT, depth, flat, parens=True), False))
            elif self.maybe(40):
                name = self.word()
                value = self.expr(1, depth, ind + _INDENT, flat)
                items.append((f"{name}:{self.sp()}{value}", name in LINE_STARTERS))
            else:
                items.append((self.expr(1, depth, ind + _INDENT, flat), False))
        return self.bracketed("(", ")", items, ind, flat)

    def bracketed(self, open: str, close: str, items: list[tuple[str, bool]], ind: str, flat: bool) -> str:
        """``items`` (text, keyword-named) between brackets: on one line, or one a line."""
        if flat or not items or not self.maybe(30):
            inner = ", ".join(text for text, _ in items)
            comma = "," if items and self.maybe(10) else ""
            return open + inner + comma + close
        inner_ind = ind + _INDENT
        out = open
        for k, (text, keyword_named) in enumerate(items):
            if keyword_named:  # never at the start of a line: stays on the previous one
                out += ("" if k == 0 else ", ") + text
                continue
            if k:
                out += ","
                out += self.trailing(False)
            elif self.comment_here(False, 10):
                out += "  " + self.comment()
            out += "\n" + self.own_lines(inner_ind, False) + inner_ind + text
        if self.maybe(50):
            out += "," + self.trailing(False) + "\n" + self.own_lines(inner_ind, False) + ind + close
        else:
            out += close
        return out

    def braced(self, entries: list[tuple[str, bool]], ind: str, flat: bool, parens: bool) -> str:
        """``{ name: value, ... }`` entries (text, keyword-named): one line, or one a line with
        ``,`` or newlines between them."""
        if not entries:
            return self.pick(["{ }", "{}"])
        if flat or parens or not self.maybe(30):
            if parens and any(k for _, k in entries):
                entries = [(t, k) for t, k in entries if not k] or [("a: 1", False)]
            return "{ " + ", ".join(t for t, _ in entries) + (", " if self.maybe(10) else " ") + "}"
        inner_ind = ind + _INDENT
        out = "{" + ("  " + self.comment() if self.comment_here(False, 10) else "")
        for k, (text, keyword_named) in enumerate(entries):
            if k:
                # A newline before 'else', 'elif' or 'catch' is dropped: only a comma separates.
                if not keyword_named and (text.split(":")[0] in _JOINS_PREVIOUS or self.maybe(60)):
                    out += ","
                out += self.trailing(False)
            out += "\n" + self.own_lines(inner_ind, False) + inner_ind + text
        if self.maybe(50):
            out += ","
        return out + self.trailing(False) + "\n" + self.own_lines(inner_ind, False) + ind + "}"

    # ---- statements
    def block(self, ind: str, depth: int, flat: bool, parens: bool = False, stream: bool = False) -> str:
        """``{ ... }`` whose ``}`` is at indentation ``ind``."""
        high = 3 if depth > 0 else 1
        one_line = flat or self.maybe(25)
        if one_line and parens:
            high = 1  # ';' inside parentheses is dropped like a newline
        n = self.count(0, high)
        if one_line:
            stmts = [self.stmt(ind, depth - 1, True, parens, stream, first=k == 0) for k in range(n)]
            return "{ " + "; ".join(stmts) + " }" if stmts else self.pick(["{ }", "{}"])
        inner = ind + _INDENT
        out = "{" + ("  " + self.comment() if self.comment_here(False, 10) else "")
        for k in range(n):
            stmt = self.stmt(inner, depth - 1, False, parens, stream, first=k == 0)
            out += self.gap() if k else "\n"
            out += self.own_lines(inner, False) + inner + stmt + self.trailing(False)
        if self.comment_here(False, 10):
            out += "\n" + inner + self.comment()
        return out + "\n" + ind + "}"

    def stmt(self, ind: str, depth: int, flat: bool, parens: bool = False, stream: bool = False,
             first: bool = True) -> str:
        kinds = ["let", "do", "call", "await", "sleep", "emit", "complete", "fail", "label"]
        if not parens or first:
            kinds += ["assign", "splice"]  # a newline before a plain name is dropped in parentheses
        if depth > 0:
            kinds += ["if", "for", "select", "parallel", "race", "try", "use", "await_else"]
        if stream:
            kinds += ["when", "when"]
        kind = self.pick(kinds)
        d = max(depth, 0)
        e = lambda level=1: self.expr(level, min(d + 1, 2), ind, flat)  # noqa: E731
        if kind == "let":
            typed = f": {self.type()}" if self.maybe(20) else ""
            return f"let {self.ident()}{typed} ={self.rhs(ind, d, flat)}"
        if kind == "assign":
            return f"{self.ident()} ={self.rhs(ind, d, flat)}"
        if kind == "do":
            return self.do(ind, d, flat)
        if kind == "call":
            return self.call_step(ind, d, flat)
        if kind in ("await", "await_else"):
            out = f"await {self.event()} as {self.ident()}"
            if self.maybe(40):
                out += " where " + e()
            if kind == "await_else" or self.maybe(30):
                out += " within " + e()
                if kind == "await_else":
                    out += " else " + self.block(ind, d, flat, parens)
            return out
        if kind == "sleep":
            return "sleep " + e()
        if kind == "emit":
            return self.emit(ind, d, flat, parens)
        if kind == "complete":
            return "complete" + (" " + e() if self.maybe(60) else "")
        if kind == "fail":
            return "fail " + e()
        if kind == "label":
            inner = self.stmt(ind, depth, flat, parens, stream, first=False)
            sep = " " if flat or self.maybe(30) else "\n" + self.own_lines(ind, flat or parens) + ind
            return f"label {self.ident()}{sep}{inner}"
        if kind == "splice":
            return self.ident()
        if kind == "when":
            return f"when {e()} {self.emit(ind, d, flat, parens)}"
        if kind == "if":
            out = f"if {e()} " + self.block(ind, d, flat, parens)
            for _ in range(self.count(0, 2)):
                out += self.between(ind, flat) + f"elif {e()} " + self.block(ind, d, flat, parens)
            if self.maybe(50):
                out += self.between(ind, flat) + "else " + self.block(ind, d, flat, parens)
            return out
        if kind == "for":
            return f"for {self.ident()} in {e(5)}..{e(5)} " + self.block(ind, d, flat, parens)
        if kind == "select":
            clauses = []
            for _ in range(self.count(0, 1 if parens else 3)):
                if self.maybe(70):
                    guard = f" where {e()}" if self.maybe(40) else ""
                    clause = f"on {self.event()} as {self.ident()}{guard} "
                else:
                    clause = f"after {e()} "
                clauses.append(clause + self.block(ind + _INDENT, d, flat, parens))
            return "select " + self.stacked(clauses, ind, flat, "; ")
        if kind in ("parallel", "race"):
            branches = [self.block(ind + _INDENT, d, flat, parens) for _ in range(self.count(0, 3))]
            return kind + " " + self.stacked(branches, ind, flat, " ")
        if kind == "try":
            out = "try " + self.block(ind, d, flat, parens)
            for _ in range(self.count(1, 3)):
                kind_name = f" {self.pick(['Timeout', 'HandlerError', 'Failed', 'ChildFailed'])}" if self.maybe(70) else ""
                var = f" as {self.ident()}" if self.maybe(50) else ""
                out += self.between(ind, flat) + f"catch{kind_name}{var} " + self.block(ind, d, flat, parens)
            return out
        if kind == "use":
            return f"use {self.ident()}" + self.args(d, ind, flat, blocks=True)
        raise AssertionError(kind)

    def between(self, ind: str, flat: bool) -> str:
        """What separates a ``}`` from the ``else``/``elif``/``catch`` after it."""
        if self.comment_here(flat, 10):
            if self.maybe(50):
                return "  " + self.comment() + "\n" + ind  # after the '}'
            return "\n" + ind + self.comment() + "\n" + ind  # on a line of its own
        if not flat and self.maybe(10):
            return "\n" + ind
        return " "

    def stacked(self, items: list[str], ind: str, flat: bool, sep: str) -> str:
        if not items:
            return self.pick(["{ }", "{}"])
        if flat:
            return "{ " + sep.join(items) + " }"
        inner = ind + _INDENT
        out = "{" + ("  " + self.comment() if self.comment_here(False, 10) else "")
        for k, item in enumerate(items):
            out += (self.gap() if k else "\n") + self.own_lines(inner, False) + inner + item + self.trailing(False)
        return out + "\n" + ind + "}"

    def rhs(self, ind: str, depth: int, flat: bool) -> str:
        kind = self.pick(["expr", "expr", "do", "call"])
        if kind == "do":
            return " " + self.do(ind, depth, flat)
        if kind == "call":
            return " " + self.call_step(ind, depth, flat)
        if self.comment_here(flat, 8):  # a newline may follow '=', but not before 'do'
            return "  " + self.comment() + "\n" + ind + _INDENT + self.expr(1, 2, ind + _INDENT, flat)
        return " " + self.expr(1, 2, ind, flat)

    def do(self, ind: str, depth: int, flat: bool) -> str:
        out = f"do {self.ident()}" + self.args(min(depth, 1), ind, flat)
        if self.maybe(30):
            out += f" with {self.ident()}"
        if self.maybe(20):
            out += " timeout " + self.expr(1, 1, ind, flat)
        if self.maybe(25):
            out += f" compensate {self.ident()}" + self.args(min(depth, 1), ind, flat)
            if self.maybe(40):
                out += f" with {self.ident()}"
        return out

    def call_step(self, ind: str, depth: int, flat: bool) -> str:
        out = f"call {self.event()}" + self.args(min(depth, 1), ind, flat)
        return out + (f" with {self.ident()}" if self.maybe(30) else "")

    def emit(self, ind: str, depth: int, flat: bool, parens: bool) -> str:
        entries = []
        for _ in range(self.count(0, 3)):
            name = self.word()
            entries.append((f"{name}:{self.sp()}{self.expr(1, 1, ind + _INDENT, flat)}", name in LINE_STARTERS))
        return f"emit {self.event()} " + self.braced(entries, ind, flat, parens)

    # ---- declarations
    def params(self) -> str:
        params = [f"{self.ident()}: {self.type()}" for _ in range(self.count(0, 3))]
        return self.bracketed("(", ")", [(p, False) for p in params], "", self.maybe(70))

    def decl(self) -> str:
        kind = self.pick(["event", "handler", "policy", "workflow", "workflow", "reaction", "stream", "pattern",
                          "migrate", "module", "import"])
        depth = self.max_depth
        flat = self.maybe(10)
        if kind == "module":
            return "module " + ".".join(self.word() if k else self.ident() for k in range(self.count(1, 3)))
        if kind == "import":
            return "import " + (f'"{self.ident()}.coord"' if self.maybe(50) else "std." + self.ident())
        if kind == "event":
            fields = []
            for _ in range(self.count(0, 4)):
                name = self.word()
                fields.append((f"{name}: {self.type()}", name in LINE_STARTERS))
            return f"event {self.event()} " + self.braced(fields, "", flat, False)
        if kind == "handler":
            returns = f" -> {self.type()}" if self.maybe(70) else ""
            flags = "".join(" " + (self.pick(_FLAGS) if self.maybe(70) else "timeout " + self.expr(9, 0))
                            for _ in range(self.count(0, 2)))
            return f'handler {self.ident()}{self.params()}{returns} = "mod:{self.ident()}"{flags}'
        if kind == "policy":
            return f"policy {self.ident()} ={self.rhs_expr(flat)}"
        if kind == "workflow":
            version = f" version {self.count(1, 9)}" if self.maybe(40) else ""
            returns = f" -> {self.type()}" if self.maybe(40) else ""
            if self.maybe(60):
                head = f" on {self.event()} as {self.ident()} key {self.ident()}{version}"
            else:
                head = f"{self.params()} key {self.ident()}"
            return f"workflow {self.event()}{head}{returns} " + self.block("", depth, flat)
        if kind == "reaction":
            guard = f" where {self.expr(1, 2)}" if self.maybe(40) else ""
            return f"on {self.event()} as {self.ident()}{guard} " + self.block("", depth, flat)
        if kind == "stream":
            window = self.pick(["tumbling(10s)", "sliding(1m, every: 10s)", "session(gap: 30s)", "count(100)"])
            return (f"stream {self.event()} from {self.event()} as {self.ident()} by {self.ident()} window {window} "
                    + self.block("", 1, flat, stream=True))
        if kind == "pattern":
            return f"pattern {self.ident()}{self.params()} " + self.block("", depth, flat)
        mappings = [(f"{self.ident()} -> {self.ident()}", False) for _ in range(self.count(0, 3))]
        return f"migrate {self.event()} {self.count(1, 3)} -> {self.count(2, 5)} " + self.braced(mappings, "", flat, False)

    def rhs_expr(self, flat: bool) -> str:
        if self.comment_here(flat, 8):
            return "  " + self.comment() + "\n" + _INDENT + self.expr(1, 3, _INDENT, False)
        return " " + self.expr(1, 3, "", flat)

    def module(self, max_decls: int) -> str:
        out = self.own_lines("", False)
        after_comment = False
        for k in range(self.count(0, max_decls)):
            if k:
                sep = self.pick(["\n", "\n", "\n\n", "\n\n\n", "; "])
                out += "\n" if after_comment and sep == "; " else sep
            out += self.own_lines("", False) + self.decl()
            trailing = self.trailing(False)
            out += trailing
            after_comment = bool(trailing)
        if self.comment_here(False, 20):
            out += ("\n" if out and not out.endswith("\n") else "") + self.comment()
        return out + self.pick(["", "\n", "\n\n"])


@st.composite
def modules(draw, max_decls: int = 6, max_depth: int = 3, with_comments: bool = True) -> str:
    """A syntactically valid module in a random layout, with random comments."""
    return _Writer(draw, max_depth, with_comments).module(max_decls)


@st.composite
def statements(draw, max_depth: int = 2, with_comments: bool = True) -> str:
    """One statement (possibly spanning lines, at indentation 0)."""
    return _Writer(draw, max_depth, with_comments).stmt("", max_depth, False)


@st.composite
def expressions(draw, max_depth: int = 3) -> str:
    """One expression on one line."""
    return _Writer(draw, max_depth, False).expr(1, max_depth)
