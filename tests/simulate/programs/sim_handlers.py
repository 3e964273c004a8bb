"""Handlers for the simulation tests: functions of their arguments only, as retried handlers
should be (a universe's result must not depend on the universes run before it)."""

from __future__ import annotations


class Refused(Exception):
    """A handler's own exception class: an injected error of this name is an instance of it."""


def echo(id: str) -> str:
    return f"echo {id}"


def undo(id: str) -> bool:
    return True
