"""Finding, reading and caching imported modules.

``import "rel/path.coord"`` is relative to the importing file (to the working directory for a
document with no path); ``import std.NAME`` is ``coordlang/std/NAME.coord``; ``import PKG.NAME``
is ``NAME.coord`` in the folder of the Python package a ``coordlang.patterns`` entry point
named ``PKG`` points at. Text comes from a :class:`SourceProvider`, so the language server can
serve unsaved editor buffers.

A checked import is cached by (path, text digest) together with the digests of everything it
imports in turn, so editing a file two imports away invalidates it too. A module that is part
of an import cycle is never cached: its view of the cycle is partial.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Protocol

from coordlang.diagnostics import Severity, register
from coordlang.syntax import ast

if TYPE_CHECKING:
    from coordlang.semantics.model import SemanticModel

register("N214", Severity.ERROR, "Unresolved import",
         "The imported file cannot be read, or the module is not in the standard library (`std.*`) "
         "or in an installed pattern package. Relative paths are relative to the importing file.",
         'import "missing.coord"\nimport std.no_such_module')
register("N215", Severity.ERROR, "Import cycle",
         "Modules import each other in a circle. Each module of the cycle reports it at the import "
         "that closes the circle; move the shared declarations into a module both import.",
         '# a.coord\nimport "b.coord"\n# b.coord\nimport "a.coord"')


class SourceProvider(Protocol):
    """Where module text comes from: the file system, or an editor's unsaved buffers."""

    def read(self, path: Path) -> str | None:
        """The text of ``path``, or None when there is no such readable UTF-8 file."""


class FileSystemProvider:
    """Reads files from disk."""

    def read(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


class OverlayProvider:
    """Editor buffers first (by absolute path), then ``fallback`` (the file system)."""

    def __init__(self, overlays: Mapping[Path, str], fallback: SourceProvider | None = None) -> None:
        self._overlays = {normalize(p): text for p, text in overlays.items()}
        self._fallback = fallback or FileSystemProvider()

    def read(self, path: Path) -> str | None:
        text = self._overlays.get(normalize(path))
        return text if text is not None else self._fallback.read(path)


def normalize(path: Path) -> Path:
    """An absolute path without ``..``; symlinks are left alone (no file system access)."""
    return Path(os.path.abspath(path))


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where an import points, or why it points nowhere."""

    path: Path | None
    problem: str = ""


def resolve(decl: ast.ImportDecl, importer: Path | None) -> Resolved:
    """The file an import names (not yet read)."""
    if decl.path is not None:
        if not decl.path.is_plain:
            return Resolved(None, "an import path is a plain string, without {interpolation}")
        relative = decl.path.text
        if not relative:
            return Resolved(None, "the import path is empty")
        base = importer.parent if importer is not None else Path.cwd()
        return Resolved(normalize(base / relative))
    if decl.module is None:
        return Resolved(None)
    parts = [p.name for p in decl.module.parts]
    if not parts or any(not p for p in parts):
        return Resolved(None)  # damaged: the parser reported it
    if parts[0] == "std":
        if len(parts) == 1:
            return Resolved(None, "import a module of the standard library: import std.NAME")
        return Resolved(normalize(_std_folder().joinpath(*parts[1:-1], parts[-1] + ".coord")))
    if len(parts) == 1:
        return Resolved(None, f"no module '{parts[0]}': import a file with import \"{parts[0]}.coord\", "
                        f"or a library module as std.{parts[0]}")
    folder = _package_folder(parts[0])
    if folder is None:
        return Resolved(None, f"no installed pattern package '{parts[0]}' (entry point group coordlang.patterns)")
    return Resolved(normalize(folder.joinpath(*parts[1:-1], parts[-1] + ".coord")))


def _std_folder() -> Path:
    import coordlang.std
    return Path(coordlang.std.__file__).parent


_packages: dict[str, Path | None] = {}
_packages_lock = threading.Lock()


def _package_folder(name: str) -> Path | None:
    """The folder of the package a ``coordlang.patterns`` entry point ``name`` names."""
    with _packages_lock:
        if name in _packages:
            return _packages[name]
    from importlib.metadata import entry_points
    folder = None
    for point in entry_points(group="coordlang.patterns"):
        if point.name != name:
            continue
        try:
            spec = importlib.util.find_spec(point.value.split(":")[0])
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            folder = Path(list(spec.submodule_search_locations)[0])
        elif spec is not None and spec.origin:
            folder = Path(spec.origin).parent
        break
    with _packages_lock:
        _packages[name] = folder
    return folder


@dataclass(frozen=True, slots=True)
class _Entry:
    model: SemanticModel
    dependencies: tuple[tuple[Path, str], ...]


class ModuleCache:
    """Checked imports by (path, digest), each valid while its own imports are unchanged."""

    def __init__(self, capacity: int = 512) -> None:
        self._entries: OrderedDict[tuple[Path, str], _Entry] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, path: Path, text_digest: str, provider: SourceProvider) -> SemanticModel | None:
        with self._lock:
            entry = self._entries.get((path, text_digest))
            if entry is not None:
                self._entries.move_to_end((path, text_digest))
        if entry is None:
            return None
        for dep_path, dep_digest in entry.dependencies:
            text = provider.read(dep_path)
            if text is None or digest(text) != dep_digest:
                return None
        return entry.model

    def put(self, path: Path, text_digest: str, model: SemanticModel) -> None:
        with self._lock:
            self._entries[(path, text_digest)] = _Entry(model, model.dependencies)
            self._entries.move_to_end((path, text_digest))
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


DEFAULT_CACHE = ModuleCache()
