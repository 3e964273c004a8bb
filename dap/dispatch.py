"""The table from DAP commands to their handlers, and what each needs before it can run.

Each feature module registers its handlers with :func:`request`; the adapter checks the
precondition, reads the arguments with :func:`argument` and turns a :class:`RequestError`
into an error response naming the command and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter

NEEDS = ("nothing", "initialize", "session", "stopped")
"""Preconditions, each implying the ones before it: ``initialize`` done, a program launched
or attached, the program not running."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer when something must follow its response (a motion starts only once
    the client has its response, so the ``stopped`` event comes after it)."""

    body: dict | None = None
    then: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Handler:
    function: Callable[[Adapter, dict], dict | Reply | None]
    needs: str


HANDLERS: dict[str, Handler] = {}


def request(command: str, needs: str = "stopped"):
    """Register the decorated function as the handler of ``command``."""
    assert needs in NEEDS, needs

    def register(function):
        HANDLERS[command] = Handler(function, needs)
        return function

    return register


_MISSING = object()
KINDS = {str: "a string", int: "an integer", bool: "a boolean", list: "an array", dict: "an object",
         float: "a number"}


def argument(arguments: dict, name: str, kind: type | tuple[type, ...], default: object = _MISSING) -> object:
    """``arguments[name]``, checked to be of ``kind``; ``default`` when it is absent or null
    (without a default, an absent argument is an error)."""
    value = arguments.get(name)
    if value is None:
        if default is _MISSING:
            raise RequestError(f"missing argument '{name}'")
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int in Python, not in JSON.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        wanted = " or ".join(KINDS.get(k, k.__name__) for k in kinds)
        raise RequestError(f"argument '{name}' must be {wanted}, not {json_type(value)}")
    return value


def json_type(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(value), type(value).__name__)
