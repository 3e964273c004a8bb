"""The timeline of ``coord debug`` shows the whole run: the input events not reached yet too
(from the events file), marked apart, and Enter on one runs the session forward to it."""

from __future__ import annotations

import pytest
from tuikit import ORDER_EVENTS, settle

from coordlang.tui.timeline import TimelinePane

pytestmark = pytest.mark.asyncio
WIDE = (120, 40)
INPUTS = len(ORDER_EVENTS.read_text(encoding="utf-8").splitlines())


def cells(pane: TimelinePane, column: int) -> list[str]:
    return [str(pane.table.get_cell_at((row, column))) for row in range(pane.table.row_count)]


async def test_every_input_event_is_listed_before_it_is_reached(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = order_app.query_one(TimelinePane)
        assert pane.table.row_count == INPUTS and cells(pane, 1) == ["·"] * INPUTS
        assert cells(pane, 0)[0] == "▶"  # the first input is the next thing to happen
        assert pane.table.get_cell_at((1, 1)).style == "dim italic"
        await settle(pilot, "n", "n", "n")
        steps = cells(pane, 1)
        assert steps[0] == "0" and "·" in steps  # routed ones have their step, the rest not yet
        reached = [e for e in pane.entries if e.reached]
        assert reached == order_app.session.timeline()
        assert sum(1 for e in pane.entries if e.kind == "in") == INPUTS


async def test_enter_on_an_input_not_reached_runs_forward_to_it(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "slash")
        await pilot.press(*"key:o-1007")
        await settle(pilot, "enter")
        pane = order_app.query_one(TimelinePane)
        shown = [pane.entries[i] for i in pane.rows]
        assert shown and all(not e.reached and str(e.key) == "o-1007" for e in shown)
        await settle(pilot, "ctrl+home", "down", "enter")
        target = shown[1]
        session = order_app.session
        work = session.work()
        assert work.kind == "event" and work.event.fields == target.fields and session.state.events == target.input
        assert "goto" in str(order_app.query_one("#status").content)
        # The marker stands on it, and the entries of that order before it now have their steps.
        shown = [pane.entries[i] for i in pane.rows]
        marked = cells(pane, 0).index("▶")
        assert shown[marked].input == target.input and not shown[marked].reached
        assert pane.table.cursor_row == marked  # the cursor stays on the entry, rows came before it
        assert shown[0].reached and shown[0].position < session.position
        # Enter on a reached entry travels back by its step, as before.
        await settle(pilot, "ctrl+home", "enter")
        assert session.position == shown[0].position
