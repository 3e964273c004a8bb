"""The debug session's views and calls that front-ends share beyond stepping: watch lists,
the whole run's timeline (the input events not reached yet too) and going to an input event,
per-filter error kinds, and logpoint output as it is said."""

from __future__ import annotations

from pathlib import Path

from coordlang.runtime.debug import DebugSession, Watched

ROOT = Path(__file__).resolve().parents[2]
SAGA = ROOT / "examples" / "order_saga"


def launch(example: Path, **options) -> DebugSession:
    return DebugSession.launch(example / f"{example.name}.coord", example / "events.jsonl", **options)


def test_watch_evaluates_each_expression_and_keeps_errors_in_place() -> None:
    session = launch(SAGA)
    session.step_in()
    watched = session.watch(["o.amount * 2", "nope + 1", "key"])
    assert [w.expression for w in watched] == ["o.amount * 2", "nope + 1", "key"]
    assert watched[0] == Watched("o.amount * 2", session.evaluate("o.amount * 2"))
    assert watched[1].value is None and "no variable nope here" in watched[1].error
    assert watched[2].value.value == '"o-1001"' and watched[2].error is None
    assert session.watch([]) == []
    assert "no instance 999" in session.watch(["key"], 999)[0].error
