"""Breakpoints beyond plain lines in ``coord debug``: ``C`` sets or edits the condition of the
breakpoint at the cursor's line (◆ in the gutter), ``e`` toggles breakpoints on event types,
with a condition over the event's fields."""

from __future__ import annotations

import pytest
from tuikit import line_of, settle
from textual.widgets import Input, Label, Static

from coordlang.tui.app import DebuggerApp
from coordlang.tui.screens import PromptScreen
from coordlang.tui.source import SourceView

pytestmark = pytest.mark.asyncio
WIDE = (120, 40)


def status(app: DebuggerApp) -> str:
    return str(app.query_one("#status", Static).content)


def notes(app: DebuggerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def answer(pilot, key: str, text: str, *, clear: bool = False) -> None:
    await settle(pilot, key)
    assert isinstance(pilot.app.screen, PromptScreen)
    if clear:
        pilot.app.screen.query_one(Input).value = ""
    await pilot.press(*text)
    await settle(pilot, "enter")


async def test_a_condition_makes_the_breakpoint_stop_only_where_it_holds(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        risk = line_of("let risk = do score")
        source.cursor = risk
        await answer(pilot, "C", 'o.order_id == "o-1002"')  # no breakpoint there yet: C sets one
        assert source.breakpoints == {risk: True} and source.conditional == {risk}
        await settle(pilot, "c")
        assert source.current == risk and status(order_app).split("│")[2].strip().startswith("breakpoint")
        assert order_app.session.evaluate("key").value == '"o-1002"'
        # C again shows the condition to edit; an empty one leaves a plain breakpoint.
        source.cursor = risk
        await settle(pilot, "C")
        assert order_app.screen.query_one(Input).value == 'o.order_id == "o-1002"'
        await settle(pilot, "escape")
        await answer(pilot, "C", "", clear=True)
        assert source.breakpoints == {risk: True} and source.conditional == frozenset()
        assert order_app.breakpoints.lines[order_app.session.path] == {risk + 1: None}
        await settle(pilot, "space")  # and Space still removes it
        assert source.breakpoints == {}


async def test_a_condition_that_cannot_be_evaluated_stops_and_says_why(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        source.cursor = risk = line_of("let risk = do score")
        await answer(pilot, "C", "nope > 1")
        await settle(pilot, "c")
        assert source.current == risk
        assert any("condition" in note and "nope" in note for note in notes(order_app))


async def test_event_breakpoints_toggle_by_type_with_a_condition(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        await settle(pilot, "e")
        explanation = str(order_app.screen.query_one(Label).render())
        assert "TYPE [if CONDITION]" in explanation and "PaymentFailed" in explanation
        await settle(pilot, "escape")
        await answer(pilot, "e", "PaymentFailed")
        assert order_app.breakpoints.events == {"PaymentFailed": None}
        assert source.border_subtitle == "break on PaymentFailed"
        await settle(pilot, "c")
        work = order_app.session.work()
        assert work.kind == "event" and work.event.type == "PaymentFailed"
        assert status(order_app).split("│")[2].strip().startswith("event breakpoint")
        await answer(pilot, "e", "PaymentFailed")  # again: removed
        assert order_app.breakpoints.events == {} and source.border_subtitle == ""
        await answer(pilot, "e", "PaymentOk if amount < 60")
        assert source.border_subtitle == "break on PaymentOk if …"
        await settle(pilot, "R", "c")
        work = order_app.session.work()
        assert work.event.type == "PaymentOk" and work.event.fields["amount"] < 60


async def test_an_unknown_event_type_is_refused_and_not_kept(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        await answer(pilot, "e", "PaymentOk")
        await answer(pilot, "e", "Nope")
        assert order_app.breakpoints.events == {"PaymentOk": None}
        assert any("no event type Nope" in note and "PaymentOk" in note for note in notes(order_app))
        await settle(pilot, "c")
        assert order_app.session.work().event.type == "PaymentOk"


async def test_error_breakpoints_stop_on_uncaught_or_caught_errors_of_the_kinds_given(order_app) -> None:
    async with order_app.run_test(size=WIDE) as pilot:
        source = order_app.query_one(SourceView)
        await settle(pilot, "E")
        explanation = str(order_app.screen.query_one(Label).render())
        assert "FILTER [KIND ...]" in explanation and "uncaught:" in explanation and "caught:" in explanation
        await settle(pilot, "escape")
        await answer(pilot, "E", "uncaught")
        assert order_app.breakpoints.errors == {"uncaught": ()} and source.border_subtitle == "uncaught"
        await settle(pilot, "c")
        stop = order_app.session.last_stop
        assert stop.reason == "exception" and stop.escaped
        assert status(order_app).split("│")[2].strip().startswith("exception")
        # Narrowed to a kind that never happens, the run goes to its end.
        await answer(pilot, "E", "uncaught NoSuchKind")
        assert order_app.breakpoints.errors == {"uncaught": ("NoSuchKind",)}
        await settle(pilot, "R", "c")
        assert order_app.session.last_stop.reason == "end"
        await answer(pilot, "E", "uncaught NoSuchKind")  # the same again: removed
        assert order_app.breakpoints.errors == {} and source.border_subtitle == ""
        await answer(pilot, "E", "sometimes")
        assert order_app.breakpoints.errors == {}
        assert any("unknown error filter sometimes" in note for note in notes(order_app))
