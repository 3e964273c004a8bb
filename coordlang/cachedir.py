"""Where coordlang keeps what it can rebuild: ``$COORDLANG_CACHE_DIR``, else
``~/.cache/coordlang``. Nothing in it is needed; deleting it costs only time."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "COORDLANG_CACHE_DIR"


def cache_root() -> Path:
    env = os.environ.get(ENV)
    return Path(env) if env else Path.home() / ".cache" / "coordlang"


def cache_file(*parts: str) -> Path | None:
    """A path under the cache root with its folder created, or None when it cannot be."""
    path = cache_root().joinpath(*parts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path
