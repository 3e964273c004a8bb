"""Shared test machinery: golden files and Hypothesis profiles.

Golden files
    ``pytest --update-goldens`` rewrites every golden file a test compares against, instead of
    failing on a difference; review the diff (``git diff tests/``) before committing it. A test
    asks for the ``golden`` fixture and calls ``golden.check(path, actual)``; outside pytest
    fixtures, ``check_golden(path, actual, update=...)`` does the same.

One cache for the session
    Every test, and every ``coord`` process a test starts, shares one coordlang cache (compiled
    kernels, parser tables): ``$COORDLANG_CACHE_DIR`` when it is set, else a folder under
    pytest's cache directory, so a second session compiles nothing and no test writes to the
    user's own cache. One folder matters: a kernel imported in this process from one cache is
    not in another, and ``--backend auto`` asks the folder.

Hypothesis profiles
    ``ci`` (the default) is derandomized and sized so the whole suite stays fast on two cores;
    ``long`` (``COORD_HYPOTHESIS_PROFILE=long``) runs many more, random, examples. A profile
    another conftest or module registered first is left as it is.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

TESTS = Path(__file__).resolve().parent
# Shared helpers (``mutations``, ``strategies``) are importable as top-level modules wherever
# pytest is started from and whatever its import mode.
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


# ---------------------------------------------------------------- Hypothesis profiles

PROFILES: dict[str, dict] = {
    "ci": dict(max_examples=100, deadline=None, derandomize=True, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
    "long": dict(max_examples=2_000, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
}


def register_profiles() -> None:
    """Register ``ci`` and ``long`` unless someone already did, then load the chosen one."""
    for name, options in PROFILES.items():
        try:
            settings.get_profile(name)
        except InvalidArgument:
            settings.register_profile(name, **options)
    settings.load_profile(os.environ.get("COORD_HYPOTHESIS_PROFILE", "ci"))


register_profiles()


# ---------------------------------------------------------------- one cache for the session

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


# ---------------------------------------------------------------- golden files

def pytest_configure(config: pytest.Config) -> None:
    # Warnings are errors in this suite, but Hypothesis's failure explanation imports a module
    # that warns on import: a failing property test then ends in an INTERNALERROR instead of
    # its falsifying example.
    config.addinivalue_line("filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files with the current output instead of comparing")


def check_golden(path: Path, actual: str, *, update: bool) -> None:
    """Compare ``actual`` with the golden file at ``path``, or rewrite it when ``update``.

    Fails with a unified diff (expected → actual) and the command that rewrites the file.
    """
    path = Path(path)
    if update:
        if not path.exists() or path.read_text(encoding="utf-8") != actual:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {_shown(path)} is missing: run pytest --update-goldens and review it",
                    pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            f"{_shown(path)} (golden)", f"{_shown(path)} (actual)"))
        pytest.fail(f"output differs from the golden file; if the change is intended, run "
                    f"pytest --update-goldens and review the diff\n{diff}", pytrace=False)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(TESTS.parent))
    except ValueError:
        return str(path)


class Golden:
    """What the ``golden`` fixture gives: ``check(path, actual)`` compares or rewrites."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, path: Path, actual: str) -> None:
        check_golden(path, actual, update=self.update)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare output with a golden file, or rewrite it under ``--update-goldens``."""
    return Golden(bool(request.config.getoption("--update-goldens")))
