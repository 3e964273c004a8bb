"""``coord convert``: events to the columnar file, checked as ``coord run`` checks them; a
mistake is one line and exit 2, and leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAYMENTS = ROOT / "examples" / "payment_retries"


def convert(capsys: pytest.CaptureFixture[str], *args) -> tuple[int, str]:
    status = main(["convert", *map(str, args)])
    return status, capsys.readouterr().err


def test_convert_then_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ev.coordcols"
    status, err = convert(capsys, PAYMENTS / "payment_retries.coord", "--events", PAYMENTS / "events.jsonl",
                          "--out", out, "--frame-rows", 5)
    assert status == 0
    assert err.startswith(f"{out}: 16 events in 4 frames from {PAYMENTS / 'events.jsonl'} (")
    written = []
    for events in (PAYMENTS / "events.jsonl", out):
        assert main(["run", str(PAYMENTS / "payment_retries.coord"), "--events", str(events), "--out",
                     str(tmp_path / "o.jsonl")]) == 0
        written.append((tmp_path / "o.jsonl").read_bytes())
    assert written[0] == written[1] and written[0]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_mistakes_are_one_line_and_leave_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = PAYMENTS / "payment_retries.coord"
    events = tmp_path / "ev.jsonl"
    events.write_text('{"event": "Settled", "payment_id": "p", "amount": 1.0, "batch_id": "b"}\n'
                      '{"event": "Setled"}\n', encoding="utf-8")
    out = tmp_path / "ev.coordcols"
    assert convert(capsys, source, "--events", events, "--out", tmp_path / "ev.msgpack") == (
        2, f"coord: {tmp_path / 'ev.msgpack'}: name the output .coordcols (the columnar events file, the one format "
           "coord convert writes)\n")
    assert convert(capsys, source, "--events", events, "--out", out, "--frame-rows", 0) == (
        2, "coord: --frame-rows 0: a frame holds at least 1 event\n")
    assert convert(capsys, source, "--events", events, "--out", out) == (
        2, f"coord: {events}:2: unknown event type 'Setled'; did you mean 'Settled'?\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev.jsonl"]
    status, err = convert(capsys, source, "--events", events, "--out", out, "--skip-bad", tmp_path / "bad.jsonl")
    assert status == 0 and "1 event in 1 frame" in err and f"1 bad record written to {tmp_path / 'bad.jsonl'}" in err
