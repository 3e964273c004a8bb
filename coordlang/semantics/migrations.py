"""``migrate W a -> b { l1 -> l2, ... }``: moving running instances between versions.

A running instance of version ``a`` sits at one of its wait points. The migration must map every
labelled one to a label of version ``b``; unlabelled ones cannot be mapped at all. At each
mapped pair, every variable version ``b`` reads after its point must exist (with the same type)
at version ``a``'s point. "Reads after" is the statements that can run after the wait resumes:
the wait's own guards and branches, what follows it in each enclosing block, a whole enclosing
loop body (later iterations) and the catches of an enclosing ``try``. It is a name-based
over-approximation: a name both redeclared and read later still counts as read.
"""

from __future__ import annotations

from coordlang.diagnostics import Severity, register
from coordlang.semantics.expressions import MAX_DEPTH
from coordlang.semantics.symbols import SymbolKind, WaitPoint, WorkflowInfo
from coordlang.semantics.types import UNKNOWN
from coordlang.source import Span
from coordlang.syntax import ast

register("N213", Severity.ERROR, "Unknown label",
         "A migration maps labels (`label NAME` before a wait) of the old version to labels of the "
         "new one; each must exist in its version.",
         "migrate Order 1 -> 2 { wait_paymnet -> wait_payment }")
register("W418", Severity.ERROR, "Unknown or invalid version",
         "A migration names two existing, different versions of the workflow; a version is at "
         "least 1.",
         "migrate Order 1 -> 3 { }   # there is no version 3")
register("W419", Severity.ERROR, "Unmapped wait point",
         "A labelled wait point of the old version is not mapped: instances waiting there could not "
         "move to the new version.",
         "migrate Order 1 -> 2 { }   # version 1 waits at wait_payment")
register("W420", Severity.ERROR, "Migrated variable never set",
         "The new version reads a variable after the target point that the old version does not "
         "have at the source point, so a migrated instance would read nothing.",
         "migrate Order 1 -> 2 { wait -> wait }   # version 2 reads risk after wait")
register("W421", Severity.WARNING, "Unlabelled wait point",
         "The old version waits at points without a label (or inside a pattern's expansion); "
         "instances waiting there cannot be migrated. Label them.",
         "migrate Order 1 -> 2 { }   # version 1 has an unlabelled await")
register("W426", Severity.ERROR, "Migrated variable changes type",
         "A variable the new version reads after the target point has another type in the old "
         "version at the source point.",
         "migrate Order 1 -> 2 { wait -> wait }   # amount is an int in 1, a float in 2")


def check_migration(checker, decl: ast.MigrateDecl) -> None:
    name = decl.workflow.name
    if not name:
        return
    workflow = checker.globals.get(name)
    if workflow is None or workflow.kind is not SymbolKind.WORKFLOW:
        checker.unknown("N205", "workflow", decl.workflow, workflow)
        return
    checker.ref(decl.workflow.span, workflow)
    header = Span(decl.span.start, decl.to_version.span.end)
    versions = checker.versions.get(name, {})
    infos = []
    for literal in (decl.from_version, decl.to_version):
        symbol = versions.get(literal.value)
        if symbol is None:
            have = ", ".join(str(v) for v in sorted(versions)) or "none"
            checker.report("W418", f"{name} has no version {literal.value} (it has {have})", literal.span)
            infos.append(None)
            continue
        checker.ref(literal.span, symbol)
        infos.append(checker.workflow_info_by_key.get((name, literal.value))
                     or checker.imported_workflows.get((name, literal.value)))
    if decl.from_version.value == decl.to_version.value and infos[0] is not None:
        checker.report("W418", f"a migration goes from one version to another, not from {decl.from_version.value} "
                       "to itself", header)
        return
    old, new = infos
    if old is None or new is None:
        return
    old_labels, new_labels = old.labels, new.labels
    mapped: set[str] = set()
    for mapping in decl.mappings:
        if not isinstance(mapping, ast.Mapping):
            continue
        source = _label(checker, mapping.source, old, old_labels)
        target = _label(checker, mapping.target, new, new_labels)
        if mapping.source.name in mapped:
            checker.report("N211", f"the label '{mapping.source.name}' is mapped twice", mapping.source.span)
            continue
        if mapping.source.name:
            mapped.add(mapping.source.name)
        if source is not None and target is not None:
            _variables(checker, mapping, source, target, new, old.version)
    for label in old_labels:
        if label not in mapped:
            checker.report("W419", f"instances of {name} version {old.version} waiting at '{label}' are not mapped: "
                           f"add {label} -> LABEL", header)
    unlabelled = [w for w in old.wait_points if w.label is None]
    if unlabelled:
        where = ""
        if old.symbol.path == checker.path:
            where = " (line" + ("s " if len(unlabelled) > 1 else " ") + ", ".join(
                str(checker.line_of(w.span)) for w in unlabelled) + ")"
        checker.report("W421", f"version {old.version} of {name} waits at {len(unlabelled)} unlabelled "
                       f"point{'s' if len(unlabelled) > 1 else ''}{where}: instances there cannot migrate", header)


def _label(checker, ident: ast.Ident, info: WorkflowInfo, labels: dict[str, WaitPoint]) -> WaitPoint | None:
    if not ident.name:
        return None
    point = labels.get(ident.name)
    if point is None:
        shown = ", ".join(labels) or "no labels"
        checker.report("N213", f"version {info.version} of {info.name} has no label '{ident.name}' (it has {shown})",
                       ident.span)
        return None
    for symbol in info.label_symbols:
        if symbol.name == ident.name:
            checker.ref(ident.span, symbol)
    return point


def _variables(checker, mapping: ast.Mapping, source: WaitPoint, target: WaitPoint, new: WorkflowInfo,
               old_version: int) -> None:
    decl = new.symbol.node
    if not isinstance(decl, ast.WorkflowDecl) or target.label is None:
        return
    reads = reads_after(decl.body, target.label)
    at_target = {s.name: s for s in target.variables}
    at_source = {s.name: s for s in source.variables}
    for name in sorted(reads):
        needed = at_target.get(name)
        if needed is None:
            continue
        had = at_source.get(name)
        if had is None:
            checker.report("W420", f"version {new.version} reads '{name}' after '{target.label}', but version "
                           f"{old_version} has no '{name}' at '{source.label}'", mapping.span)
        elif had.type is not UNKNOWN and needed.type is not UNKNOWN and had.type != needed.type:
            checker.report("W426", f"'{name}' is {had.type} in version {old_version} at '{source.label}' but "
                           f"{needed.type} in version {new.version} at '{target.label}'", mapping.span)


def reads_after(body: ast.Block, label: str) -> set[str]:
    """The names read by whatever can run once the wait labelled ``label`` resumes."""
    path: list[tuple[ast.Block, int, ast.Stmt]] = []
    if not _find(body, label, path):
        return set()
    reads = _names(path[-1][2])
    for depth in range(len(path) - 1, -1, -1):
        block, index, _ = path[depth]
        for later in block.stmts[index + 1:]:
            reads |= _names(later)
        if depth > 0:
            owner = path[depth - 1][2]
            if isinstance(owner, ast.Labelled):
                owner = owner.stmt
            if isinstance(owner, ast.For):
                reads |= _names(owner.body)
            elif isinstance(owner, ast.Try) and block is owner.body:
                for catch in owner.catches:
                    reads |= _names(catch.body)
    return reads


def _find(block: ast.Block, label: str, path: list) -> bool:
    if len(path) > MAX_DEPTH:
        return False  # not checked that deep (W428)
    for index, stmt in enumerate(block.stmts):
        path.append((block, index, stmt))
        if isinstance(stmt, ast.Labelled) and stmt.label.name == label:
            return True
        for child in _child_blocks(stmt):
            if _find(child, label, path):
                return True
        path.pop()
    return False


def _child_blocks(stmt: ast.Stmt) -> list[ast.Block]:
    if isinstance(stmt, ast.Labelled):
        stmt = stmt.stmt
    if isinstance(stmt, ast.If):
        return [b.body for b in stmt.branches] + ([stmt.else_body] if stmt.else_body else [])
    if isinstance(stmt, ast.For):
        return [stmt.body]
    if isinstance(stmt, (ast.Parallel, ast.Race)):
        return list(stmt.branches)
    if isinstance(stmt, ast.Try):
        return [stmt.body] + [c.body for c in stmt.catches]
    if isinstance(stmt, ast.Select):
        return [c.body for c in stmt.clauses if isinstance(c, (ast.OnClause, ast.AfterClause))]
    if isinstance(stmt, ast.Await) and stmt.else_body is not None:
        return [stmt.else_body]
    return []


def _names(node: ast.Node) -> set[str]:
    return {n.name for n in node.walk() if isinstance(n, ast.Name)}
