"""Code actions: quick fixes for diagnostics and rewrites of the statement at a span.

``code_actions(analysis, span)`` offers, for the diagnostics touching ``span`` and the statement
around it:

- N202: declare the missing event, with the fields its uses show;
- N203: declare the missing handler, its parameters and return type from the call;
- N207: add the missing field to the event's declaration (in this document only);
- an ``await`` without ``within`` or a ``select`` without ``after``: add a timeout;
- a ``do`` without ``with``: wrap it in a retry policy (an existing one, or a new one);
- N217/N218/N219: remove the unused variable, handler, policy or import;

and the fixes the diagnostics carry themselves. Every action is a set of non-overlapping edits
of this document; applied, the result parses and the diagnostic it fixes is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.analysis.document import Analysis
from coordlang.analysis.inference import Inference
from coordlang.diagnostics import Diagnostic, TextEdit
from coordlang.semantics.symbols import SymbolKind
from coordlang.semantics.types import PolicyType
from coordlang.source import Span
from coordlang.syntax import ast
from coordlang.syntax.tokens import KEYWORDS

QUICKFIX = "quickfix"
REWRITE = "refactor.rewrite"
MAX_POLICIES = 3
"""At most this many "with POLICY" actions for one step: a menu, not a catalogue."""
TIMEOUT = "1h"
NEW_POLICY = "retry(attempts: 3, backoff: exponential(100ms, factor: 2.0, max: 10s))"
DEFAULT_VALUES = {"int": "0", "float": "0.0", "bool": "false", "str": '""', "duration": "0s", "time": "now()"}


@dataclass(frozen=True, slots=True)
class Action:
    """One entry of an editor's code action menu."""

    title: str
    kind: str
    """``"quickfix"`` (fixes ``diagnostic``) or ``"refactor.rewrite"``."""
    edits: tuple[TextEdit, ...]
    """Non-overlapping edits of the analysed document."""
    diagnostic: Diagnostic | None = None
    """The diagnostic the action fixes, if any."""
    preferred: bool = False
    """The obvious fix, which an editor may apply with one key."""


def code_actions(analysis: Analysis, span: Span) -> tuple[Action, ...]:
    """The actions for the diagnostics touching ``span`` and the statement around it."""
    actions: list[Action] = []
    inference = Inference(analysis)
    for d in analysis.diagnostics:
        if d.span.end < span.start or span.end < d.span.start:
            continue
        for fix in d.fixes:
            actions.append(Action(fix.title, QUICKFIX, fix.edits, d, len(d.fixes) == 1))
        maker = _FIXES.get(d.code)
        if maker is not None:
            action = maker(inference, d)
            if action is not None:
                actions.append(action)
    stmt = inference.statement_at(span)
    if isinstance(stmt, (ast.Await, ast.Select)):
        actions += _timeout(inference, stmt)
    step = stmt.value if isinstance(stmt, (ast.Let, ast.Assign)) else stmt
    if isinstance(step, ast.DoStep) and step.policy is None:
        actions += _retry(inference, step)
    return tuple(actions)


# ---------------------------------------------------------------- missing declarations

def _declare_event(inf: Inference, d: Diagnostic) -> Action | None:
    name = inf.text[d.span.start:d.span.end]
    if not _declarable(inf, name):
        return None
    fields = inf.event_fields(name)
    body = ", ".join(f"{f}: {t}" for f, t in fields.items())
    text = f"event {name} {{ {body} }}" if body else f"event {name} {{ }}"
    return Action(f"declare event {name}", QUICKFIX,
                  (_insert_declaration(inf, text, (ast.EventDecl,)),), d, True)


def _declare_handler(inf: Inference, d: Diagnostic) -> Action | None:
    name = inf.text[d.span.start:d.span.end]
    step = inf.node_named(d.span, (ast.DoStep, ast.Compensation))
    if step is None or not _declarable(inf, name):
        return None
    params = ", ".join(f"{p}: {t}" for p, t in inf.handler_params(step).items())
    module = (inf.analysis.path.stem if inf.analysis.path is not None else "coord") + "_handlers"
    if not module.isidentifier():
        module = "handlers"
    text = f'handler {name}({params}) -> {inf.result_type(step)} = "{module}:{name}"'
    return Action(f"declare handler {name}", QUICKFIX,
                  (_insert_declaration(inf, text, (ast.HandlerDecl, ast.EventDecl)),), d, True)


def _declarable(inf: Inference, name: str) -> bool:
    return name.isidentifier() and name.isascii() and name not in KEYWORDS and name not in inf.model.globals


def _add_field(inf: Inference, d: Diagnostic) -> Action | None:
    found = inf.unknown_field(d.span)
    if found is None:
        return None
    decl, name, type_name = found
    edits = [_append_item(inf.text, decl.fields, decl.span, f"{name}: {type_name}")]
    for emit in inf.emits_of(decl.name.name):
        given = {f.name.name for f in emit.fields if isinstance(f, ast.FieldInit)}
        if name not in given:  # the emits in this document stay complete (T313)
            edits.append(_append_item(inf.text, emit.fields, emit.span, f"{name}: {DEFAULT_VALUES[type_name]}"))
    return Action(f"add field {name}: {type_name} to event {decl.name.name}", QUICKFIX, tuple(edits), d, True)


def _append_item(text: str, items: tuple[ast.Node, ...], braced: Span, item: str) -> TextEdit:
    """Add ``item`` to a ``{ a, b }`` list whose braces end ``braced``."""
    if items:
        return TextEdit(Span(items[-1].span.end, items[-1].span.end), f", {item}")
    close = text.rfind("}", braced.start, braced.end)
    pad = "" if text[close - 1:close].isspace() else " "
    return TextEdit(Span(close, close), f"{pad}{item} ")


# ---------------------------------------------------------------- waits and steps

def _timeout(inf: Inference, stmt: ast.Await | ast.Select) -> list[Action]:
    if isinstance(stmt, ast.Await):
        if stmt.within is not None or not stmt.event.name:
            return []
        message = f'fail "no {stmt.event.name} within {TIMEOUT}"'
        edit = TextEdit(Span(stmt.span.end, stmt.span.end), f" within {TIMEOUT} else {{ {message} }}")
        return [Action(f"add a timeout ({TIMEOUT}) to await {stmt.event.name}", REWRITE, (edit,))]
    if any(isinstance(c, (ast.AfterClause, ast.ErrorItem)) for c in stmt.clauses):
        return []
    clause = f'after {TIMEOUT} {{ fail "no event within {TIMEOUT}" }}'
    if stmt.clauses:
        last = stmt.clauses[-1].span
        edit = TextEdit(Span(last.end, last.end), "\n" + _indent_of(inf, last.start) + clause)
    else:
        close = inf.text.rfind("}", stmt.span.start, stmt.span.end)
        edit = TextEdit(Span(close, close), clause + " ")
    return [Action(f"add a timeout ({TIMEOUT}) to the select", REWRITE, (edit,))]


def _retry(inf: Inference, step: ast.DoStep) -> list[Action]:
    close = _closing_paren(inf, step.handler.span.end, step.span.end)
    if close is None or not step.handler.name:
        return []
    at = Span(close, close)
    policies = [s.name for s in inf.model.scope_at(step.span.start).values()
                if isinstance(s.type, PolicyType) and s.kind in (SymbolKind.POLICY, SymbolKind.PARAMETER)]
    if policies:
        return [Action(f"retry with policy {p}", REWRITE, (TextEdit(at, f" with {p}"),))
                for p in policies[:MAX_POLICIES]]
    name = f"retry_{step.handler.name}"
    declaration = _insert_declaration(inf, f"policy {name} = {NEW_POLICY}",
                                         (ast.PolicyDecl, ast.HandlerDecl, ast.EventDecl))
    return [Action(f"wrap in a new retry policy {name}", REWRITE, (declaration, TextEdit(at, f" with {name}")))]


# ---------------------------------------------------------------- unused declarations

def _remove(inf: Inference, d: Diagnostic) -> Action | None:
    if d.code == "N219":
        decl = next((x for x in inf.module.decls if isinstance(x, ast.ImportDecl) and x.span == d.span), None)
        return None if decl is None else Action("remove the unused import", QUICKFIX,
                                                (_delete_lines(inf, decl.span),), d, True)
    symbol = next((s for s in inf.model.symbols if s.span == d.span and s.path == inf.analysis.path), None)
    if symbol is None:
        return None
    node = symbol.node
    if isinstance(node, (ast.HandlerDecl, ast.PolicyDecl)):
        return Action(f"remove the unused {symbol.kind.value} {symbol.name}", QUICKFIX,
                      (_delete_lines(inf, node.span),), d, True)
    if isinstance(node, ast.Catch) and node.var is not None:
        start = node.kind.span.end if node.kind is not None else node.span.start + len("catch")
        return Action(f"remove the unused error variable {symbol.name}", QUICKFIX,
                      (TextEdit(Span(start, node.var.span.end), ""),), d, True)
    if not isinstance(node, ast.Let) or any(r.is_write for r in inf.model.references_to(symbol)):
        return None  # a parameter is part of a signature; an assigned variable would dangle
    if isinstance(node.value, (ast.DoStep, ast.CallStep)):  # the call stays: it does something
        return Action(f"remove the unused variable {symbol.name} (keep the call)", QUICKFIX,
                      (TextEdit(Span(node.span.start, node.value.span.start), ""),), d, True)
    return Action(f"remove the unused variable {symbol.name}", QUICKFIX, (_delete_lines(inf, node.span),), d, True)


# ---------------------------------------------------------------- placing text

def _insert_declaration(inf: Inference, text: str, after: tuple[type, ...]) -> TextEdit:
    """``text`` on a line of its own after the last declaration of the first kind of ``after``
    the module has, else after its ``module`` and imports, else at the top."""
    for kinds in (*((k,) for k in after), (ast.ImportDecl, ast.ModuleDecl)):
        last = [d for d in inf.module.decls if isinstance(d, kinds)]
        if last:
            end = _line_end(inf.text, last[-1].span.end)
            gap = "\n" if kinds == (after[0],) else "\n\n"
            return TextEdit(Span(end, end), gap + text)
    return TextEdit(Span(0, 0), text + "\n\n")


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _indent_of(inf: Inference, offset: int) -> str:
    start = _line_start(inf.text, offset)
    line = inf.text[start:offset]
    return line[:len(line) - len(line.lstrip())]


def _closing_paren(inf: Inference, start: int, end: int) -> int | None:
    """The offset after the ``)`` closing the first ``(`` in ``[start, end)``."""
    depth = 0
    for token in inf.analysis.parse.tokens:
        if token.start < start or token.start >= end:
            continue
        if token.kind == "LPAR":
            depth += 1
        elif token.kind == "RPAR":
            depth -= 1
            if depth == 0:
                return token.end
        elif depth == 0:
            return None
    return None


def _delete_lines(inf: Inference, span: Span) -> TextEdit:
    """Delete ``span``: its whole lines when nothing else stands on them (a trailing comment
    goes too), with the comment lines right above; else just the span."""
    text = inf.text
    start, end = _line_start(text, span.start), _line_end(text, span.end)
    tail = text[span.end:end].strip()
    if text[start:span.start].strip() or (tail and not tail.startswith("#")):
        return TextEdit(span, "")
    while start > 0:
        above = _line_start(text, start - 1)
        if not text[above:start].lstrip().startswith("#"):
            break
        start = above
    if end < len(text):
        end += 1
        # Leave one blank line between the neighbours, not two.
        if (start == 0 or text[_line_start(text, start - 1):start].strip() == "") and \
                text[end:_line_end(text, end)].strip() == "" and end < len(text):
            end = _line_end(text, end) + (1 if _line_end(text, end) < len(text) else 0)
    elif start > 0:
        start -= 1
    return TextEdit(Span(start, end), "")


_FIXES = {"N202": _declare_event, "N203": _declare_handler, "N207": _add_field,
          "N217": _remove, "N218": _remove, "N219": _remove}
