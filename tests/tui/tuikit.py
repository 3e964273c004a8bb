"""Shared helpers of the terminal debugger's tests (imported as ``tuikit``: a module named
``conftest`` is whichever folder's conftest Python imported first).

``settle(pilot, *keys)`` presses keys one by one and waits, after each, for the motion it
started (a worker thread) and for the panes to be redrawn from its stop."""

from __future__ import annotations

from pathlib import Path

from coordlang.runtime.debug import DebugSession

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ORDER = EXAMPLES / "order_saga" / "order_saga.coord"
ORDER_EVENTS = EXAMPLES / "order_saga" / "events.jsonl"


def example_session(name: str) -> DebugSession:
    folder = EXAMPLES / name
    return DebugSession.launch(folder / f"{name}.coord", folder / "events.jsonl")


async def settle(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()


def line_of(text: str, path: Path = ORDER) -> int:
    """The 0-based line of the first line of ``path`` that holds ``text``."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if text in line)
