"""The compiled backend's tests share one kernel cache for the session: under pytest's cache
directory (so a second session compiles nothing), or ``$COORDLANG_CACHE_DIR`` when it is set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).resolve().parent / "programs"
if str(PROGRAMS) not in sys.path:
    sys.path.insert(0, str(PROGRAMS))  # the programs' handlers module, ct_handlers


@pytest.fixture(scope="session", autouse=True)
def kernel_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if os.environ.get("COORDLANG_CACHE_DIR"):
        yield Path(os.environ["COORDLANG_CACHE_DIR"])
        return
    cache = getattr(request.config, "cache", None)
    path = cache.mkdir("coordlang-kernels") if cache is not None else tmp_path_factory.mktemp("kernels")
    os.environ["COORDLANG_CACHE_DIR"] = str(path)
    try:
        yield Path(path)
    finally:
        os.environ.pop("COORDLANG_CACHE_DIR", None)
