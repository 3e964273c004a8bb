"""The compiled backend: numba kernels generated from the IR, over columnar instance state.

``CompiledExecutor(program, inbox=16, cache_dir=None)`` implements
:class:`~coordlang.runtime.executor.Executor` with the reference interpreter's outcomes and
counters; :func:`ensure_supported` raises :class:`UnsupportedProgram` (naming the first
construct it cannot run and its ``file:line:col``) for a program it cannot run yet. The design
and what is built are in ``docs/runtime.md``.
"""

from __future__ import annotations

from coordlang.runtime.compiled.support import UnsupportedProgram
from coordlang.runtime.compiled.support import ensure_supported as _plan

__all__ = ["CompiledExecutor", "UnsupportedProgram", "ensure_supported"]


def ensure_supported(program) -> None:
    """Raise :class:`UnsupportedProgram` unless the compiled backend can run ``program``."""
    _plan(program)


def __getattr__(name: str):
    # The executor imports numba (about 0.3 s); checking support does not.
    if name == "CompiledExecutor":
        from coordlang.runtime.compiled.executor import CompiledExecutor

        return CompiledExecutor
    raise AttributeError(name)
