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

    digest = hashlib.sha256(f"{numba.__version__}\n{sys.version}\n{source}".encode("utf-8")).hexdigest()
    return kernel_dir(cache_dir) / f"k_{digest[:40]}.py"


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
            path = Path(tempfile.gettempdir()) / f"coordlang-kernels-{os.getuid()}" / path.name
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
