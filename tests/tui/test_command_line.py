"""``coord debug``'s command line: what it opens, and the one-line errors (exit 2, no
traceback) for what a user can get wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tuikit import EXAMPLES, ORDER, ORDER_EVENTS

from coordlang.cli import main
from coordlang.tui.app import DebuggerApp


@pytest.fixture
def opened(monkeypatch) -> list:
    """The sessions the app would have run on (the app itself does not start)."""
    sessions = []

    def run(app):
        sessions.append(app.session)
        return 0

    monkeypatch.setattr(DebuggerApp, "run", run)
    return sessions


def fails(capsys, *argv: str) -> str:
    assert main(["debug", *map(str, argv)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coord: ") and "Traceback" not in err and err.count("\n") == 1, err
    return err


def test_launch_over_an_events_file(opened) -> None:
    assert main(["debug", str(ORDER), "--events", str(ORDER_EVENTS)]) == 0
    (session,) = opened
    assert session.path == ORDER and session.position == 0


def test_until_stops_the_clock(opened) -> None:
    # The last event is at 2026-01-08T10:00Z; without --until the 7-day timers run to 01-12.
    assert main(["debug", str(ORDER), "--events", str(ORDER_EVENTS), "--until", "2026-01-09T00:00:00Z"]) == 0
    session = opened[0]
    session.continue_()
    assert session.clock <= 1767916800.0


def test_attach_to_a_recorded_log(opened, tmp_path: Path) -> None:
    folder = tmp_path / "order_saga"
    shutil.copytree(EXAMPLES / "order_saga", folder)
    log = tmp_path / "log"
    assert main(["run", str(folder / "order_saga.coord"), "--events", str(folder / "events.jsonl"), "--backend",
                 "interpreter", "--log", str(log), "--out", str(tmp_path / "out.jsonl")]) == 0
    assert main(["debug", str(log)]) == 0
    assert main(["debug", str(log), "--program", str(folder / "order_saga.coord")]) == 0
    first, second = opened
    assert first.path == second.path == folder / "order_saga.coord"
    assert first.continue_().reason == "end"


def test_errors_are_one_line(capsys, tmp_path: Path) -> None:
    assert "no such program file" in fails(capsys, tmp_path / "nope.coord", "--events", ORDER_EVENTS)
    assert "no such events file" in fails(capsys, ORDER, "--events", tmp_path / "nope.jsonl")
    assert "--events EVENTS" in fails(capsys, ORDER)
    assert "no such file or folder" in fails(capsys, tmp_path / "typo")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"event": "OrderPlaced", "order_id": 3}\n')
    assert "bad.jsonl:1:" in fails(capsys, ORDER, "--events", bad)
    broken = tmp_path / "broken.coord"
    broken.write_text("workflow W on Nothing as n key id { complete }\n")
    assert "broken.coord:1:" in fails(capsys, broken, "--events", ORDER_EVENTS)
    corrupt = tmp_path / "log"
    corrupt.mkdir()
    for n in range(2):  # damage before the last segment: not a torn tail, a corrupt log
        (corrupt / f"segment-{n:06d}.log").write_bytes(b"not a log at all")
    assert "corrupt record" in fails(capsys, corrupt)
    (corrupt / "segment-000001.log").unlink()  # now a torn tail: a warning line, then the error
    assert main(["debug", str(corrupt)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("coord debug: warning: ") and err[1].startswith("coord: ") and len(err) == 2
    assert "--events" in fails(capsys, corrupt, "--events", ORDER_EVENTS)
    assert "--program" in fails(capsys, ORDER, "--events", ORDER_EVENTS, "--program", ORDER)
    assert "--until" in fails(capsys, ORDER, "--events", ORDER_EVENTS, "--until", "soon")
