"""The compiler: a checked module, and what it imports, lowered to an IR :class:`Program`.

A program is the module and every module it imports, transitively; each workflow, reaction and
stream of any of them runs (as every workflow a worker registers does in Temporal). Patterns
are expanded where they are used: a pattern's body is compiled in a scope of its own (its
parameters and its own variables, nothing of the caller's), except its ``block`` arguments,
which are compiled in the caller's scope at the ``use``.

Only programs without error diagnostics are compiled; :func:`compile_program` refuses others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coordlang.analysis.document import Analysis, analyze
from coordlang.errors import CoordError
from coordlang.ir import nodes as ir
from coordlang.ir.lower import Lowering
from coordlang.semantics.loader import normalize
from coordlang.sources import read_source
from coordlang.syntax import ast


class CompileError(CoordError):
    """A program that cannot be compiled: it has errors (run ``coord check``)."""


@dataclass(slots=True)
class _Module:
    path: Path | None
    analysis: Analysis


def compile_program(analysis: Analysis) -> ir.Program:
    """The IR of the analyzed module and of everything it imports."""
    errors = [d for d in analysis.diagnostics if d.is_error]
    if errors:
        where = str(analysis.path) if analysis.path else "<input>"
        raise CompileError(f"{where}: {len(errors)} error(s); run coord check to see them")
    modules = _modules(analysis)
    program = Lowering()
    for module in modules:
        program.declarations(module.analysis, module.path)
    for module in modules:
        program.behaviour(module.analysis, module.path)
    return program.finish()


def compile_file(path: Path) -> ir.Program:
    """Read, check and compile a .coord file."""
    path = normalize(path)
    return compile_program(analyze(read_source(path), path))


def _modules(root: Analysis) -> list[_Module]:
    """The root and every module it imports, each once, imports first."""
    seen: dict[Path, _Module] = {}
    order: list[_Module] = []

    def visit(analysis: Analysis, path: Path | None) -> None:
        for info in analysis.model.imports:
            if info.path is None:
                continue
            key = normalize(info.path)
            if key in seen:
                continue
            imported = _Module(key, analyze(read_source(key), key))
            seen[key] = imported
            errors = [d for d in imported.analysis.diagnostics if d.is_error]
            if errors:
                raise CompileError(f"{key}: {len(errors)} error(s) in an imported module; run coord check on it")
            visit(imported.analysis, key)
            order.append(imported)

    if root.path is not None:
        seen[normalize(root.path)] = _Module(root.path, root)
    visit(root, root.path)
    order.append(_Module(root.path, root))
    return order


__all__ = ["CompileError", "compile_file", "compile_program", "ast"]
