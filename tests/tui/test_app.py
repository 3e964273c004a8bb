"""Each key and pane of ``coord debug``, on examples/order_saga with its events: what the
source, the status line, the timeline, the instances and the graph show after the key."""

from __future__ import annotations

import threading

import pytest
from tuikit import ORDER, example_session, line_of, settle
from textual.widgets import DataTable, Input, Static, Tabs

from coordlang.errors import CoordError
from coordlang.tui.app import DebuggerApp
from coordlang.tui.graph_view import GraphView
from coordlang.tui.screens import GotoScreen, HelpScreen
from coordlang.tui.source import SourceView
from coordlang.tui.timeline import TimelinePane
from coordlang.tui.timers import TimersTable
from coordlang.tui.variables import InstancesTree

pytestmark = pytest.mark.asyncio
WIDE = (120, 40)
SMALL = (80, 24)


def status(app: DebuggerApp) -> str:
    return str(app.query_one("#status", Static).content)


def current_node(app: DebuggerApp) -> str | None:
    view = app.query_one(GraphView)
    return None if view.current is None else view.graph.nodes[view.current].label


def tree_labels(app: DebuggerApp) -> list[str]:
    out, todo = [], list(app.query_one(InstancesTree).root.children)
    while todo:
        node = todo.pop(0)
        out.append(str(node.label))
        if node.is_expanded:
            todo[:0] = node.children
    return out


async def test_the_first_screen(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        source = order_app.query_one(SourceView)
        assert source.border_title == "order_saga.coord"
        assert source.current is None  # the first step routes an event: no line of the program
        assert status(order_app).startswith("step 0 │ - │ entry")
        assert order_app.query_one(GraphView).graph.title == "Order v1"  # the program's first workflow
        assert source.has_focus


async def test_step_over_into_out_and_back(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        await settle(pilot, "n")
        assert source.current == line_of("let risk = do score")
        assert current_node(order_app) == "risk = do score"
        assert status(order_app).startswith("step 1 │ 2026-01-05 10:00:00Z │ step: Order@2 'o-1001' (#1)")
        await settle(pilot, "f10")  # F10 steps over too
        assert source.current == line_of("if risk > 0.9")
        assert current_node(order_app) == "if risk > 0.9 and not o.vip"
        await settle(pilot, "b")
        assert source.current == line_of("let risk = do score")
        assert order_app.session.position == 1
        # Into the child workflow Notify (`s` on the `call`), then out of it back into its caller.
        call = line_of("{ call Notify(")
        source.cursor = call
        await settle(pilot, "space", "c", "space", "s")
        assert source.current == line_of("let sent = do send_mail")
        assert current_node(order_app) == "sent = do send_mail"
        assert order_app.query_one(GraphView).graph.title == "Notify v1"
        await settle(pilot, "o")
        assert order_app.query_one(GraphView).graph.title == "Order v2"


async def test_variables_follow_the_instance(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "n", "n")
        labels = tree_labels(order_app)
        assert labels[0] == "» Order@2 'o-1001' (#1) running"
        assert "Locals" in labels and "risk = 0.06  float" in labels
        assert any(label.startswith("o = OrderPlaced {") for label in labels)
        # A second instance appears once its event is routed, and the session moves into it:
        # the mark and the open scopes follow; what the user opens stays open.
        await settle(pilot, "n", "n", "n", "n")
        labels = tree_labels(order_app)
        assert labels[0] == "Order@2 'o-1001' (#1) running" and labels[1] == "» Order@2 'o-1002' (#3) running"
        assert 'key = "o-1002"  str' in labels and 'key = "o-1001"  str' not in labels
        tree = order_app.query_one(InstancesTree)
        tree.root.children[0].expand()  # the user opens the first instance
        await settle(pilot, "n")
        assert 'key = "o-1001"  str' in tree_labels(order_app)


async def test_continue_reverse_continue_and_restart(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "c")
        assert order_app.session.finished
        assert "│ end: the run ended: 26 input events" in status(order_app)
        assert order_app.query_one(SourceView).current is None
        await settle(pilot, "r")  # no breakpoint: back to the start
        assert order_app.session.position == 0 and "entry" in status(order_app)
        await settle(pilot, "f5", "R")
        assert order_app.session.position == 0


async def test_breakpoints_toggle_stop_and_show_in_the_gutter(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        # The second `await Delivered` is version 2's, where new orders run.
        target = [i for i, line in enumerate(ORDER.read_text().splitlines()) if "await Delivered" in line][1]
        source.cursor = target
        await settle(pilot, "space")
        assert source.breakpoints == {target: True}
        await settle(pilot, "c")
        assert source.current == target
        assert status(order_app).split("│")[2].strip().startswith("breakpoint")
        first = order_app.session.position
        await settle(pilot, "c")
        assert order_app.session.position > first and source.current == target
        await settle(pilot, "r")  # back to the first hit
        assert order_app.session.position == first
        source.cursor = target
        await settle(pilot, "f9")  # F9 toggles too: off
        assert source.breakpoints == {}
        await settle(pilot, "c")
        assert order_app.session.finished


async def test_a_breakpoint_on_a_line_without_a_statement_moves_to_the_next(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        label = [i for i, line in enumerate(ORDER.read_text().splitlines()) if "label wait_delivery" in line][1]
        source.cursor = label - 1  # `}` closing the parallel block
        await settle(pilot, "space")
        (line, verified), = source.breakpoints.items()
        assert verified and line > label - 1
        source.cursor = line  # toggling where it landed removes it
        await settle(pilot, "space")
        assert source.breakpoints == {} and order_app.breakpoints.lines[order_app.session.path] == {}


async def test_source_cursor_keys(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        await settle(pilot, "down", "down", "pagedown")
        assert source.cursor > 2
        await settle(pilot, "end")
        assert source.cursor == len(source.lines) - 1
        await settle(pilot, "home")
        assert source.cursor == 0
        await settle(pilot, "n", "home", "full_stop")
        assert source.cursor == source.current == line_of("let risk = do score")
        await pilot.click(SourceView, offset=(10, 3))  # the third line shown (the border is row 0)
        assert source.cursor == round(source.scroll_y) + 2


async def test_timeline_jump_filter_and_enter(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "c", "j")
        pane = order_app.query_one(TimelinePane)
        table = pane.table
        assert table.has_focus and table.row_count == len(order_app.session.timeline())
        # Filter on a key, by the filter box ("/"): only that order's entries stay.
        await settle(pilot, "slash")
        assert order_app.query_one("#timeline-filter", Input).has_focus
        await pilot.press(*"key:o-1002")
        await settle(pilot, "enter")
        assert table.has_focus
        shown = [pane.entries[i] for i in pane.rows]
        assert shown and all(str(e.key) == "o-1002" for e in shown)
        # Enter on an entry travels to just before it.
        await settle(pilot, "ctrl+home", "down", "enter")
        entry = shown[1]
        assert order_app.session.position == entry.position
        marked = next(row for row, e in enumerate(shown) if e.position == entry.position)
        assert [str(table.get_cell_at((row, 0))) for row in range(table.row_count)].index("▶") == marked
        assert "goto" in status(order_app)


async def test_goto_a_step(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "g")
        assert isinstance(order_app.screen, GotoScreen)
        await pilot.press("1", "2")
        await settle(pilot, "enter")
        assert order_app.session.position == 12
        await settle(pilot, "g", "escape")
        assert order_app.session.position == 12 and not isinstance(order_app.screen, GotoScreen)


async def test_timers_pane(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "n", "n", "n", "n", "n")  # order o-1001 waits for its payment: a 1h timer
        table = order_app.query_one(TimersTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)] == ["01-05 11:00:00", "+1h", "wait  Order@2 'o-1001' (#1)"]


async def test_help_lists_every_key(order_app) -> None:
    async with order_app.run_test(size=SMALL) as pilot:
        await settle(pilot, "question_mark")
        assert isinstance(order_app.screen, HelpScreen)
        assert all(b.action in DebuggerApp.HELP for b in DebuggerApp.BINDINGS if not b.action.startswith("pane"))
        listed = {key for _, keys in order_app.screen.sections for key, _ in keys}
        for key in ("n  F10", "s  F11", "o  Shift+F11", "b  Shift+F10", "c  F5", "r", "Space  F9", "j", "g", "/",
                    "R", "p", "w", "m", "d", "C", "e", "?  F1", "q", "1 2 3 4 5 6"):
            assert key in listed
        await settle(pilot, "escape")
        assert not isinstance(order_app.screen, HelpScreen)
        await settle(pilot, "f1", "x")
        assert not isinstance(order_app.screen, HelpScreen)


async def test_compact_layout_shows_one_pane_under_the_source(order_app) -> None:
    async with order_app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert order_app.query_one("#main").has_class("-compact")
        shown = lambda: [n for n in ("variables", "timeline", "graph", "timers", "watch")  # noqa: E731
                         if order_app.query_one(f"#{n}").display and order_app.query_one(f"#{n}").has_class("-shown")]
        assert shown() == ["variables"]
        await settle(pilot, "4")
        assert shown() == ["graph"] and order_app.query_one(Tabs).active == "tab-graph"
        await settle(pilot, "j")
        assert shown() == ["timeline"] and order_app.query_one(TimelinePane).table.has_focus
        await settle(pilot, "1")
        assert order_app.query_one(SourceView).has_focus
        await pilot.resize_terminal(*WIDE)
        await settle(pilot)
        assert not order_app.query_one("#main").has_class("-compact")


async def test_pause_stops_a_running_continue() -> None:
    session = example_session("order_saga")
    paused = threading.Event()
    session.continue_ = lambda: (paused.wait(10), session.step_in())[1]
    session.pause = paused.set
    app = DebuggerApp(session)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert app.busy and "continue… (p pauses)" in status(app)
        await pilot.press("n")  # ignored while running
        await settle(pilot, "p")
        assert not app.busy and session.position == 1


async def test_a_session_error_shows_in_the_status_line() -> None:
    session = example_session("order_saga")

    def broken():
        raise CoordError("the log holds no result for charge")

    session.step_over = broken
    app = DebuggerApp(session)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, "n")
        assert "error: the log holds no result for charge" in status(app)
        assert app.query_one("#status").has_class("-error")
        await settle(pilot, "s")
        assert "error" not in status(app) and session.position == 1


async def test_quit() -> None:
    app = DebuggerApp(example_session("order_saga"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("name", ["approval_flow", "etl_scatter_gather", "payment_retries", "sensor_alarms",
                                  "service_choreography", "subworkflows", "travel_booking"])
async def test_every_example_runs_to_its_end(name: str) -> None:
    app = DebuggerApp(example_session(name))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, "c")
        assert app.session.finished and "end:" in status(app)
        await settle(pilot, "r")
        assert app.session.position == 0


async def test_the_timeline_table_counts(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await settle(pilot, "c")
        table = order_app.query_one(TimelinePane).query_one(DataTable)
        assert table.row_count == len(order_app.session.timeline()) == 62
