"""The document outline and folding ranges, from the syntax tree alone."""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.source import LineIndex, Span
from coordlang.syntax import ast
from coordlang.syntax.tokens import Token


@dataclass(frozen=True, slots=True)
class OutlineItem:
    """A node of the document outline (LSP document symbols)."""

    name: str
    kind: str
    """One of module, import, event, field, handler, policy, workflow, reaction, stream,
    pattern, migration, label, variable."""
    span: Span
    selection: Span
    """The part to select when the item is picked: usually the declared name."""
    detail: str = ""
    children: tuple[OutlineItem, ...] = ()


def outline(module: ast.Module) -> tuple[OutlineItem, ...]:
    """The declarations of a module with their parts (fields, labels, variables)."""
    return tuple(item for decl in module.decls if (item := _decl_item(decl)) is not None)


def _params(params) -> str:
    return ", ".join(f"{p.name.name}: {p.type.name}" for p in params or () if isinstance(p, ast.Param))


def _decl_item(decl: ast.Decl) -> OutlineItem | None:
    if isinstance(decl, ast.ModuleDecl):
        return OutlineItem(decl.name.text, "module", decl.span, decl.name.span)
    if isinstance(decl, ast.ImportDecl):
        target = decl.module.text if decl.module is not None else decl.path.text if decl.path else ""
        return OutlineItem(target, "import", decl.span, decl.span)
    if isinstance(decl, ast.EventDecl):
        fields = tuple(OutlineItem(f.name.name, "field", f.span, f.name.span, f.type.name)
                       for f in decl.fields if isinstance(f, ast.Field))
        return OutlineItem(decl.name.name, "event", decl.span, decl.name.span,
                           "{ " + ", ".join(f"{f.name}: {f.detail}" for f in fields) + " }", fields)
    if isinstance(decl, ast.HandlerDecl):
        returns = f" -> {decl.returns.name}" if decl.returns else ""
        return OutlineItem(decl.name.name, "handler", decl.span, decl.name.span,
                           f"({_params(decl.params)}){returns} = {decl.target.text!r}")
    if isinstance(decl, ast.PolicyDecl):
        return OutlineItem(decl.name.name, "policy", decl.span, decl.name.span)
    if isinstance(decl, ast.WorkflowDecl):
        if decl.trigger is not None:
            detail = f"on {decl.trigger.event.name} key {decl.key.name}"
        else:
            detail = f"({_params(decl.params)}) key {decl.key.name}"
        if decl.version is not None:
            detail += f" version {decl.version.value}"
        return OutlineItem(decl.name.name, "workflow", decl.span, decl.name.span, detail,
                           _body_items(decl.body))
    if isinstance(decl, ast.ReactionDecl):
        return OutlineItem(f"on {decl.event.name}", "reaction", decl.span, decl.event.span,
                           f"as {decl.var.name}", _body_items(decl.body))
    if isinstance(decl, ast.StreamDecl):
        return OutlineItem(decl.name.name, "stream", decl.span, decl.name.span,
                           f"from {decl.event.name} by {decl.by.name}", _body_items(decl.body))
    if isinstance(decl, ast.PatternDecl):
        return OutlineItem(decl.name.name, "pattern", decl.span, decl.name.span, f"({_params(decl.params)})",
                           _body_items(decl.body))
    if isinstance(decl, ast.MigrateDecl):
        name = f"{decl.workflow.name} {decl.from_version.value} -> {decl.to_version.value}"
        return OutlineItem(name, "migration", decl.span, decl.workflow.span)
    return None


def _body_items(body: ast.Block) -> tuple[OutlineItem, ...]:
    """Labels (wait points) and variables declared anywhere in a body, in source order."""
    items = []
    for node in body.walk():
        if isinstance(node, ast.Labelled):
            items.append(OutlineItem(node.label.name, "label", node.span, node.label.span))
        elif isinstance(node, ast.Let) and not node.name.missing:
            items.append(OutlineItem(node.name.name, "variable", node.span, node.name.span))
    return tuple(items)


@dataclass(frozen=True, slots=True)
class FoldingRange:
    """0-based first and last line of a foldable region."""

    start_line: int
    end_line: int
    kind: str  # "region" | "comment" | "imports"


def folding_ranges(module: ast.Module, comments: tuple[Token, ...], lines: LineIndex) -> tuple[FoldingRange, ...]:
    """Blocks and declarations over several lines, runs of comment lines, the import group."""
    out: dict[tuple[int, int], FoldingRange] = {}

    def add(start: int, end: int, kind: str) -> None:
        first, last = lines.position(start).line, lines.position(max(start, end - 1)).line
        if last > first and (first, last) not in out:
            out[(first, last)] = FoldingRange(first, last, kind)

    for node in module.walk():
        if isinstance(node, (ast.Block, ast.EventDecl, ast.Select, ast.MigrateDecl, ast.PolicyDecl, ast.Emit,
                             ast.Parallel, ast.Race)):
            add(node.span.start, node.span.end, "region")
    imports = [d for d in module.decls if isinstance(d, ast.ImportDecl)]
    if len(imports) > 1:
        add(imports[0].span.start, imports[-1].span.end, "imports")
    run: list[Token] = []
    for tok in comments:
        if run and lines.position(tok.start).line == lines.position(run[-1].start).line + 1:
            run.append(tok)
            continue
        if len(run) > 1:
            add(run[0].start, run[-1].end, "comment")
        run = [tok]
    if len(run) > 1:
        add(run[0].start, run[-1].end, "comment")
    return tuple(sorted(out.values(), key=lambda r: (r.start_line, -r.end_line)))
