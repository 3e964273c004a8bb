"""Comparing two positions in ``coord debug``: ``m`` marks the current one, ``d`` shows what
differs between the mark and where the session stands (the session's diff)."""

from __future__ import annotations

import pytest
from tuikit import settle
from textual.widgets import Static

from coordlang.tui.app import DebuggerApp
from coordlang.tui.screens import DiffScreen

pytestmark = pytest.mark.asyncio
WIDE = (120, 40)


def status(app: DebuggerApp) -> str:
    return str(app.query_one("#status", Static).content)


async def test_mark_then_diff_shows_what_changed(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "n", "m")
        assert order_app.mark == 1 and status(order_app).startswith("step 1 (mark 1) │")
        await settle(pilot, "n", "n", "d")
        screen = order_app.screen
        assert isinstance(screen, DiffScreen) and (screen.mark, screen.position) == (1, order_app.session.position)
        changed = {c.where: c for c in screen.changes}
        assert changed == {c.where: c for c in order_app.session.diff(1, order_app.session.position)}
        assert changed["Order@2 'o-1001' (#1).risk"].before is None
        assert changed["Order@2 'o-1001' (#1).risk"].after == "0.06"
        assert order_app.session.position == 3  # the diff went back and forth, and came back here
        await settle(pilot, "escape")
        assert not isinstance(order_app.screen, DiffScreen)
        await settle(pilot, "b", "b", "d")  # the mark may lie ahead of here too
        assert isinstance(order_app.screen, DiffScreen) and order_app.screen.position == 1
        assert order_app.screen.changes == []


async def test_diff_without_a_mark_says_how_to_make_one(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "n", "d")
        assert not isinstance(order_app.screen, DiffScreen)
        assert any("m marks" in str(n.message) for n in order_app._notifications)
