"""How a generated kernel finds the numba functions of ``jit`` handlers.

The executor binds every handler first (``runtime/handlers.py``) and registers each ``jit``
one here by (target, folder); the kernel module, imported afterwards, asks for them by the
same names. A handler is wrapped with ``numba.njit`` once per process.
"""

from __future__ import annotations

from typing import Callable

_functions: dict[tuple[str, str], Callable] = {}
_jitted: dict[tuple[str, str], object] = {}


def register(target: str, directory: str, function: Callable) -> None:
    key = (target, directory)
    if _functions.get(key) is not function:
        _functions[key] = function
        _jitted.pop(key, None)


def jitted(target: str, directory: str):
    key = (target, directory)
    found = _jitted.get(key)
    if found is None:
        from numba import njit

        function = _functions.get(key)
        if function is None:
            raise LookupError(f"jit handler {target} ({directory or 'no folder'}) was not registered "
                              "before its kernel was imported")
        found = _jitted[key] = njit(function)
    return found
