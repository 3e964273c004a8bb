"""What is being typed at an offset: the completion context, from tokens alone.

Works on half-typed text that does not parse. The context says what kind of name belongs at
the cursor (an event after ``await``, a handler after ``do``, a field after ``o.``, ...); the
candidates themselves come from the semantic model (``completion.py``).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass

from coordlang.source import Span
from coordlang.syntax.tokens import Token, tokenize

_WORD_TAIL = re.compile(r"[A-Za-z0-9_]*\Z")


@dataclass(frozen=True, slots=True)
class CompletionContext:
    """The kind of thing expected at the cursor and the partial word to replace."""

    kind: str
    """``declaration`` (top level), ``statement``, ``expression``, ``rhs`` (after ``let x =``),
    ``member`` (after ``.``), ``event``, ``handler``, ``policy``, ``workflow``, ``pattern``,
    ``type``, ``error_kind``, ``emit_field``, ``label``, ``window``, ``policy_arg``, ``backoff``,
    ``jitter``, ``handler_flag``, ``select_clause``, or ``none`` (in a comment or a string)."""
    prefix: str
    replace: Span
    target: tuple[str, ...] = ()
    """For ``member``: the names of the chain before the dot (``o.a.`` → ``("o", "a")``).
    For ``emit_field``: the event name and the fields already given. For ``label``: the
    workflow name, the version and ``from`` or ``to``."""
    call: str | None = None
    """The handler, workflow or pattern whose argument list holds the cursor, if any."""
    argument: int = 0
    """The 0-based index of the argument at the cursor inside ``call``."""


@dataclass(slots=True)
class _Open:
    kind: str  # block | event_fields | emit_fields | migrate | select | branches | paren | list
    tokens_before: tuple[Token, ...]
    commas: int = 0


def completion_context(text: str, offset: int) -> CompletionContext:
    """The completion context at ``offset`` (0-based, code points) of ``text``."""
    offset = max(0, min(offset, len(text)))
    tokens, trivia, _ = tokenize(text[:offset])
    prefix = _WORD_TAIL.search(text, 0, offset).group() if offset else ""
    # Extend the word to the right, so a completion in the middle of a word replaces all of it.
    right = offset
    while right < len(text) and (text[right].isalnum() or text[right] == "_"):
        right += 1
    replace = Span(offset - len(prefix), right)
    if trivia and trivia[-1].kind == "COMMENT" and trivia[-1].end >= offset and "\n" not in text[trivia[-1].start:offset]:
        return CompletionContext("none", prefix, replace)
    if tokens and tokens[-1].kind == "STRING" and tokens[-1].end >= offset:
        return _in_string(text, tokens[-1], offset, prefix, replace)
    if prefix and tokens and tokens[-1].end == offset:
        tokens = tokens[:-1]  # the partial word itself
    return _context(text, tokens, offset, prefix, replace)


def _in_string(text: str, tok: Token, offset: int, prefix: str, replace: Span) -> CompletionContext:
    """Inside ``{...}`` of a string the cursor is in an expression; elsewhere, no completion."""
    depth, start = 0, None
    i = tok.start + 1
    while i < offset:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
            if depth == 1:
                start = i + 1
        elif c == "}" and depth:
            depth -= 1
        i += 1
    if depth == 0 or start is None:
        return CompletionContext("none", prefix, replace)
    inner = completion_context(text[start:offset], offset - start)
    if inner.kind in ("member", "expression", "rhs", "statement", "declaration"):
        kind = "member" if inner.kind == "member" else "expression"
        return CompletionContext(kind, inner.prefix, replace, inner.target)
    return CompletionContext("expression", prefix, replace)


def _context(text: str, tokens: list[Token], offset: int, prefix: str, replace: Span) -> CompletionContext:
    stack: list[_Open] = []
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind == "LBRACE":
            stack.append(_Open(_brace_kind(tokens, i, stack), tuple(tokens[max(0, i - 8):i])))
        elif kind == "LPAR":
            stack.append(_Open("paren", tuple(tokens[max(0, i - 3):i])))
        elif kind == "LSQB":
            stack.append(_Open("list", tuple(tokens[max(0, i - 3):i])))
        elif kind in ("RBRACE", "RPAR", "RSQB") and stack:
            stack.pop()
        elif kind == "COMMA" and stack:
            stack[-1].commas += 1
    top = stack[-1] if stack else None
    prev = tokens[-1] if tokens else None
    pk = prev.kind if prev else None
    call, argument = _call_at(stack)

    def ctx(kind: str, target: tuple[str, ...] = ()) -> CompletionContext:
        return CompletionContext(kind, prefix, replace, target, call, argument)

    if pk == "DOT":
        return ctx("member", _chain(tokens[:-1]))
    if pk in ("AWAIT", "EMIT", "FROM"):
        return ctx("event")
    if pk == "ON":
        return ctx("event")
    if pk in ("DO", "COMPENSATE"):
        return ctx("handler")
    if pk == "WITH":
        return ctx("policy")
    if pk == "CALL":
        return ctx("workflow")
    if pk == "USE":
        return ctx("pattern")
    if pk == "CATCH":
        return ctx("error_kind")
    if pk == "WINDOW":
        return ctx("window")
    if pk == "MIGRATE":
        return ctx("workflow")
    if pk == "ARROW" and (top is None or top.kind != "migrate"):
        migrating = len(tokens) >= 3 and tokens[-3].kind == "MIGRATE"
        return ctx("none" if migrating else "type")
    line_start = _at_line_start(text, offset - len(prefix), pk)
    if pk == "STRING" and _handler_header(tokens):
        return ctx("handler_flag")
    if pk in ("NAME", "RPAR") and top is None and _handler_header(tokens):
        return ctx("handler_flag")
    if top is not None and top.kind == "migrate":
        return _migrate_context(tokens, top, ctx, line_start)
    if top is not None and top.kind == "emit_fields" and (pk in ("LBRACE", "COMMA") or line_start):
        return ctx("emit_field", _emit_target(tokens, top))
    if top is not None and top.kind == "event_fields" and (pk in ("LBRACE", "COMMA") or line_start):
        return ctx("none")
    if pk == "COLON":
        before = tokens[-2].text if len(tokens) >= 2 else ""
        if top is not None and top.kind == "event_fields":
            return ctx("type")
        if top is not None and top.kind == "paren" and _declares_params(top):
            return ctx("type")
        if before == "backoff":
            return ctx("backoff")
        if before == "jitter":
            return ctx("jitter")
        if before == "on" and call == "retry":
            return ctx("error_kind")
        if top is not None and top.kind == "emit_fields":
            return ctx("expression")
        return ctx("expression")
    if top is not None and top.kind == "list" and call == "retry":
        return ctx("error_kind")
    if top is not None and top.kind == "paren" and call == "retry" and pk in ("LPAR", "COMMA"):
        return ctx("policy_arg")
    if top is not None and top.kind == "paren" and pk in ("LPAR", "COMMA") and _declares_params(top):
        return ctx("none")
    if pk == "EQ" and len(tokens) >= 3 and tokens[-3].kind in ("LET",) or (
            pk == "EQ" and len(tokens) >= 2 and tokens[-2].kind == "NAME" and top is not None and top.kind == "block"
            and (len(tokens) < 3 or tokens[-3].kind in ("NL", "LBRACE", "RBRACE"))):
        return ctx("rhs")
    if pk == "EQ" and len(tokens) >= 3 and tokens[-3].kind == "POLICY":
        return ctx("policy_arg")
    if line_start:
        if top is None:
            return ctx("declaration")
        if top.kind == "block":
            return ctx("statement")
        if top.kind == "select":
            return ctx("select_clause")
    if pk is None:
        return ctx("declaration")
    return ctx("expression")


def _at_line_start(text: str, start: int, prev_kind: str | None) -> bool:
    if prev_kind in ("LBRACE", "NL") or prev_kind is None:
        return True
    line_start = text.rfind("\n", 0, start) + 1
    return text[line_start:start].strip() == ""


def _brace_kind(tokens: list[Token], i: int, stack: list[_Open]) -> str:
    """What a ``{`` at index ``i`` opens, from the tokens before it."""
    prev = tokens[i - 1].kind if i else None
    prev2 = tokens[i - 2].kind if i > 1 else None
    if prev == "NAME" and prev2 == "EVENT":
        return "event_fields"
    if prev == "NAME" and prev2 == "EMIT":
        return "emit_fields"
    if prev in ("PARALLEL", "RACE"):
        return "branches"
    if prev == "SELECT":
        return "select"
    if prev == "INT" and any(t.kind == "MIGRATE" for t in tokens[max(0, i - 6):i]):
        return "migrate"
    return "block"


def _chain(tokens: list[Token]) -> tuple[str, ...]:
    """The names of ``a.b.c`` ending the token list."""
    names: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        tok = tokens[i]
        if tok.kind == "NAME" or (tok.kind.isupper() and tok.text.isidentifier() and tok.kind not in ("NL",)):
            names.append(tok.text)
            if i > 0 and tokens[i - 1].kind == "DOT":
                i -= 2
                continue
        break
    return tuple(reversed(names))


def _call_at(stack: list[_Open]) -> tuple[str | None, int]:
    """The innermost named call whose parentheses hold the cursor, and the argument index."""
    for entry in reversed(stack):
        if entry.kind == "paren":
            before = entry.tokens_before
            if before and before[-1].kind == "NAME":
                return before[-1].text, entry.commas
            return None, entry.commas
        if entry.kind == "list":
            continue
        return None, 0
    return None, 0


def _declares_params(entry: _Open) -> bool:
    before = entry.tokens_before
    return len(before) >= 2 and before[-1].kind == "NAME" and before[-2].kind in ("HANDLER", "PATTERN", "WORKFLOW")


def _handler_header(tokens: list[Token]) -> bool:
    """True after ``handler h(...) -> T = "m:f"`` on the current declaration."""
    for j in range(len(tokens) - 1, -1, -1):
        kind = tokens[j].kind
        if kind in ("NL", "LBRACE", "RBRACE"):
            return False
        if kind == "EQ" and j + 1 < len(tokens) and tokens[j + 1].kind == "STRING":
            return any(t.kind == "HANDLER" for t in tokens[max(0, j - 40):j])
    return False


def _emit_target(tokens: list[Token], top: _Open) -> tuple[str, ...]:
    event = top.tokens_before[-1].text if top.tokens_before else ""
    given: list[str] = []
    depth = 0
    for j in range(len(tokens) - 1, -1, -1):
        kind = tokens[j].kind
        if kind in ("RBRACE", "RPAR", "RSQB"):
            depth += 1
        elif kind in ("LBRACE", "LPAR", "LSQB"):
            if depth == 0:
                break
            depth -= 1
        elif kind == "COLON" and depth == 0 and j > 0:
            given.append(tokens[j - 1].text)
    return (event, *reversed(given))


def _migrate_context(tokens: list[Token], top: _Open, ctx, line_start: bool) -> CompletionContext:
    before = top.tokens_before
    ints = [t.text for t in before if t.kind == "INT"]
    workflow = next((before[j + 1].text for j, t in enumerate(before[:-1]) if t.kind == "MIGRATE"), "")
    prev = tokens[-1].kind if tokens else None
    if prev == "ARROW":
        return ctx("label", (workflow, ints[-1] if ints else "", "to"))
    if prev in ("LBRACE", "COMMA") or line_start:
        return ctx("label", (workflow, ints[0] if ints else "", "from"))
    return ctx("none")


def context_at(module, text: str, offset: int) -> CompletionContext:
    """:func:`completion_context` of ``text`` (whose syntax tree is ``module``), read from the
    start of the top-level declaration before the cursor: a declaration starts at the top
    level, so nothing before it changes the context, and a request costs the size of one
    declaration rather than of the whole document (the tokens up to the cursor are read
    again at each request)."""
    starts = [d.span.start for d in module.decls]
    i = bisect.bisect_right(starts, offset) - 1
    start = starts[i] if i >= 0 and starts[i] < offset else 0
    if start == 0:
        return completion_context(text, offset)
    ctx = completion_context(text[start:], offset - start)
    return dataclasses.replace(ctx, replace=ctx.replace.shift(start))
