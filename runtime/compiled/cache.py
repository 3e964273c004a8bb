"""Kernel modules as content-addressed files, so numba's own cache can keep their machine code.

numba caches a function (``cache=True``) beside the file that defines it, keyed by that file's
path and modification time, and cannot cache code given to ``exec()``. So each kernel's source
is written once to ``<dir>/k_<sha256 of the source, numba and Python versions>.py`` (never
rewritten: a different source is a different file) and imported with importlib. A second run
of the same program finds the file and numba's index beside it, and compiles nothing.

The directory is ``cache_dir`` if given, else ``kernels`` under coordlang's cache root
(``$COORDLANG_CACHE_DIR``, else ``~/.cache/coordlang``: see ``coordlang.cachedir``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from coordlang.cachedir import cache_root


def kernel_dir(cache_dir: Path | str | None = None) -> Path:
    return Path(cache_dir) if cache_dir is not None else cache_root() / "kernels"


def kernel_path(source: str, cache_dir: Path | str | None = None) -> Path:
    import numba

    return _kernel_path(source, numba.__version__, cache_dir)


def _kernel_path(source: str, numba_version: str, cache_dir: Path | str | None) -> Path:
    digest = hashlib.sha256(f"{numba_version}\n{sys.version}\n{source}".encode("utf-8")).hexdigest()
    return kernel_dir(cache_dir) / f"k_{digest[:40]}.py"


def is_cached(source: str, cache_dir: Path | str | None = None) -> bool:
    """Whether an earlier run compiled the kernel of ``source``: its file is there and so is
    numba's index for its entry point, so loading it compiles nothing.

    Answers without importing numba (0.3 s to 1 s, as long as the interpreter's whole start),
    so that ``coord run --backend auto`` can ask before choosing. A wrong answer costs time,
    never a result: the kernel is compiled, or the interpreter runs."""
    try:
        version = importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        return False
    path = _kernel_path(source, version, cache_dir)
    for kernel in (path, _fallback_path(path)):
        if not kernel.exists():
            continue
        # The entry point ``kernel`` is compiled last, after every function it calls.
        if any(any(folder.glob(f"{kernel.stem}.kernel-*.nbi")) for folder in _index_dirs(kernel)):
            return True
    return False


def _index_dirs(kernel: Path) -> list[Path]:
    """Where numba keeps the index of a function cached from ``kernel``: under
    ``$NUMBA_CACHE_DIR`` when it is set (named as numba's ``UserProvidedCacheLocator`` names
    it), else in ``__pycache__`` beside the file."""
    folders = [kernel.parent / "__pycache__"]
    numba_dir = os.environ.get("NUMBA_CACHE_DIR")
    if numba_dir:
        parent = os.path.dirname(os.path.abspath(kernel))
        hashed = hashlib.sha1(parent.encode()).hexdigest()
        folders.insert(0, Path(numba_dir) / f"{os.path.basename(parent)}_{hashed}")
    return folders


def _fallback_path(path: Path) -> Path:
    """Where a kernel goes when the cache folder cannot be written."""
    return Path(tempfile.gettempdir()) / f"coordlang-kernels-{os.getuid()}" / path.name


def load_kernel(source: str, cache_dir: Path | str | None = None) -> ModuleType:
    """The kernel module of ``source``: already imported in this process, or imported from
    its file (written first if missing)."""
    path = kernel_path(source, cache_dir)
    name = f"coordlang_kernel_{path.stem}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    if not path.exists():
        try:
            _write(path, source)
        except OSError:
            # An unwritable cache (a read-only home, say) costs the cache, not the run.
            path = _fallback_path(path)
            if not path.exists():
                _write(path, source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _write(path: Path, source: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a concurrent run sees the whole file or none.
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".k_", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(source)
    os.replace(temp, path)
