"""Checking a document and, recursively, what it imports."""

from __future__ import annotations

from pathlib import Path

from coordlang.gcpause import gc_paused
from coordlang.semantics.checker import Checker, ImportOutcome
from coordlang.semantics.loader import (
    DEFAULT_CACHE, FileSystemProvider, ModuleCache, SourceProvider, digest, normalize, resolve,
)
from coordlang.semantics.model import SemanticModel
from coordlang.syntax import ast, parse
from coordlang.syntax.parser import ParseResult


class _Session:
    """One top-level check: the stack of documents being checked finds import cycles."""

    def __init__(self, provider: SourceProvider, cache: ModuleCache) -> None:
        self.provider = provider
        self.cache = cache
        self.stack: list[Path] = []
        self.cycle_edges: dict[tuple[Path, Path], tuple[Path, ...]] = {}
        self.cyclic: set[Path] = set()

    def check(self, result: ParseResult, path: Path | None) -> SemanticModel:
        key = normalize(path) if path is not None else None
        if key is not None:
            self.stack.append(key)
        try:
            return Checker(result, path, lambda decl: self.load(decl, key, path)).run()
        finally:
            if key is not None:
                self.stack.pop()

    def load(self, decl: ast.ImportDecl, importer: Path | None, importer_path: Path | None) -> ImportOutcome:
        resolved = resolve(decl, importer_path)
        target = resolved.path
        if target is None:
            return ImportOutcome(None, None, resolved.problem)
        if target in self.stack:
            start = self.stack.index(target)
            cycle = (*self.stack[start:], target)
            # Every module of the cycle reports it, at its own import along the cycle.
            for a, b in zip(cycle[:-2], cycle[1:-1]):
                self.cycle_edges[(a, b)] = cycle
            self.cyclic.update(cycle)
            return ImportOutcome(target, None, "", cycle)
        text = self.provider.read(target)
        if text is None:
            if decl.module is not None:
                what = decl.module.text
                return ImportOutcome(None, None, f"no module {what}: {target} does not exist")
            return ImportOutcome(None, None, f"cannot read '{decl.path.text}' ({target})")
        text_digest = digest(text)
        model = self.cache.get(target, text_digest, self.provider)
        if model is not None:
            return ImportOutcome(target, model, digest=text_digest)
        model = self.check(parse(text), target)
        cycle = self.cycle_edges.pop((importer, target), ()) if importer is not None else ()
        if target not in self.cyclic:
            self.cache.put(target, text_digest, model)
        return ImportOutcome(target, model, "", cycle, text_digest)


def check(result: ParseResult, path: Path | None = None, provider: SourceProvider | None = None, *,
          cache: ModuleCache | None = None) -> SemanticModel:
    """Check a parsed document (the text of ``path``, if it has one) and what it imports."""
    session = _Session(provider or FileSystemProvider(), cache if cache is not None else DEFAULT_CACHE)
    with gc_paused():
        return session.check(result, Path(path) if path is not None else None)


def check_source(text: str, path: Path | None = None, provider: SourceProvider | None = None, *,
                 cache: ModuleCache | None = None) -> tuple[ParseResult, SemanticModel]:
    """Parse and check ``text``."""
    result = parse(text)
    return result, check(result, path, provider, cache=cache)
