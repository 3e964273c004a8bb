"""The watch pane of ``coord debug``: expressions added with ``w``, evaluated again at every
stop in the instance the session stands in, errors in their row, removed with Delete or x."""

from __future__ import annotations

import pytest
from tuikit import settle

from coordlang.tui.app import DebuggerApp
from coordlang.tui.screens import PromptScreen
from coordlang.tui.watch import WatchTable

pytestmark = pytest.mark.asyncio
WIDE = (120, 40)
SMALL = (80, 24)


def rows(app: DebuggerApp) -> list[list[str]]:
    table = app.query_one(WatchTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def add(pilot, text: str) -> None:
    await settle(pilot, "w")
    assert isinstance(pilot.app.screen, PromptScreen)
    await pilot.press(*text)
    await settle(pilot, "enter")


async def test_a_watch_is_evaluated_at_every_stop(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await add(pilot, "risk")
        # At the entry the session stands before an event is routed: the watch sees its fields.
        (expression, value, type_), = rows(order_app)
        assert expression == "risk" and "no variable risk here" in value and type_ == ""
        await settle(pilot, "n", "n")
        assert rows(order_app) == [["risk", "0.06", "float"]]
        await add(pilot, "o.amount * 2")
        assert rows(order_app)[1] == ["o.amount * 2", "240.0", "float"]
        await settle(pilot, "b", "b")  # back at the entry: the error again; the event's fields
        assert "no variable risk here" in rows(order_app)[0][1]
        assert "no variable o here" in rows(order_app)[1][1]


async def test_a_mistake_shows_in_its_row_and_the_rest_goes_on(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "n")
        await add(pilot, "no_such_thing + 1")
        await add(pilot, "key")
        await add(pilot, "1 +")
        watched = rows(order_app)
        assert "no_such_thing" in watched[0][1] and watched[1] == ["key", '"o-1001"', "str"]
        assert watched[2][1]  # a parse error says so
        table = order_app.query_one(WatchTable)
        assert table.get_row_at(0)[1].style == "red"
        await settle(pilot, "n")
        assert order_app.session.position > 1 and len(rows(order_app)) == 3


async def test_escape_and_an_empty_line_add_nothing(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "w", "escape", "w", "enter")
        assert order_app.watches == [] and rows(order_app) == []


async def test_delete_or_x_removes_the_watch_under_the_cursor(order_app) -> None:
    async with order_app.run_test(size=SMALL) as pilot:
        for text in ("key", "risk", "status"):
            await add(pilot, text)
        await settle(pilot, "6")
        table = order_app.query_one(WatchTable)
        assert table.has_focus and table.display
        await settle(pilot, "down", "delete")
        assert order_app.watches == ["key", "status"] and [r[0] for r in rows(order_app)] == ["key", "status"]
        await settle(pilot, "x", "x", "x")
        assert order_app.watches == [] and rows(order_app) == []


async def test_the_wide_layout_makes_room_for_the_watch_once_wanted(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        main, watch = order_app.query_one("#main"), order_app.query_one(WatchTable)
        assert not watch.display and not main.has_class("-watching")  # graph and timers keep their height
        graph_height = order_app.query_one("#graph").size.height
        await add(pilot, "key")
        assert watch.display and main.has_class("-watching") and watch.size.height > 2
        assert order_app.query_one("#graph").size.height < graph_height
        await pilot.resize_terminal(*SMALL)
        await settle(pilot)
        assert not main.has_class("-watching")  # the compact layout shows it as a tab


async def test_key_6_shows_the_watch_pane_in_the_wide_layout_too(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "6")
        watch = order_app.query_one(WatchTable)
        assert watch.display and watch.has_focus
