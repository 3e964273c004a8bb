"""Screenshots of the debugger's main screens at 80x24 (compact: tabs under the source) and at
120x40 (every pane), compared with the reviewed SVGs in __snapshots__/ (rewrite them with
``pytest tests/tui --snapshot-update`` and look at them before committing).

Deterministic: the session runs on examples/order_saga's events (event time, no wall clock),
and the screens name files by their name alone."""

from __future__ import annotations

from tuikit import ORDER, example_session, line_of, settle

from coordlang.tui.app import DebuggerApp
from coordlang.tui.source import SourceView

SMALL = (80, 24)
WIDE = (120, 40)


def shot(snap_compare, size: tuple[int, int], *keys: str, breakpoint_at: str | None = None) -> bool:
    async def before(pilot) -> None:
        if breakpoint_at is not None:
            pilot.app.query_one(SourceView).cursor = line_of(breakpoint_at, ORDER)
            await settle(pilot, "space")
        await settle(pilot, *keys)

    return snap_compare(DebuggerApp(example_session("order_saga")), terminal_size=size, run_before=before)


def test_stepping_small(snap_compare) -> None:
    assert shot(snap_compare, SMALL, "n", "n", "n", "n")


def test_stepping_wide(snap_compare) -> None:
    assert shot(snap_compare, WIDE, "n", "n", "n", "n")


def test_at_a_breakpoint_in_a_child_workflow_wide(snap_compare) -> None:
    assert shot(snap_compare, WIDE, "c", breakpoint_at="let sent = do send_mail")


def test_timeline_small(snap_compare) -> None:
    assert shot(snap_compare, SMALL, "c", "g", "3", "0", "enter", "j")


def test_graph_small(snap_compare) -> None:
    assert shot(snap_compare, SMALL, "c", "4", breakpoint_at="{ call Notify(")


def test_help_small(snap_compare) -> None:
    assert shot(snap_compare, SMALL, "question_mark")


def test_watch_small(snap_compare) -> None:
    assert shot(snap_compare, SMALL, "n", "n", "w", *"risk * 2", "enter", "w", *"nope", "enter", "6")


def test_diff_small(snap_compare) -> None:
    assert shot(snap_compare, SMALL, "n", "m", "c", "d", breakpoint_at="{ call Notify(")


def test_conditional_and_event_breakpoints_small(snap_compare) -> None:
    keys = ("C", *'key == "o-1002"', "enter", "e", *"PaymentFailed", "enter", "c")
    assert shot(snap_compare, SMALL, *keys, breakpoint_at="let risk = do score")


def test_watch_wide(snap_compare) -> None:
    assert shot(snap_compare, WIDE, "g", "2", "0", "enter", "w", *"o.amount - paid", "enter")
