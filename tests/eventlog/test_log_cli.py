"""``coord run --log``, ``coord replay`` and ``coord log`` on the command line: what a user
types, sees and gets back."""

from __future__ import annotations

import json

import pytest
from logkit import CHECKOUT, EXAMPLES, checkout_events, copy_log, keep_records, write_events

from coordlang.cli import main
from coordlang.runtime.eventlog.frames import segments

ORDERS = next(p for p in EXAMPLES if p.name == "order_saga")


def coord(capsys, *args) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture()
def logged(tmp_path, capsys):
    """order_saga recorded with --log: (log folder, outcomes of the run)."""
    log = tmp_path / "log"
    status, _, err = coord(capsys, "run", ORDERS / "order_saga.coord", "--events", ORDERS / "events.jsonl",
                           "--log", log, "--out", tmp_path / "out.jsonl", "--snapshot-every", "5",
                           "--backend", "interpreter")
    assert status == 0, err
    return log, (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_run_with_a_log_writes_the_same_outcomes_as_without(tmp_path, capsys, logged):
    log, recorded = logged
    status, _, _ = coord(capsys, "run", ORDERS / "order_saga.coord", "--events", ORDERS / "events.jsonl",
                         "--out", tmp_path / "plain.jsonl", "--backend", "interpreter")
    assert status == 0
    assert (tmp_path / "plain.jsonl").read_text(encoding="utf-8") == recorded
    assert segments(log)


def test_running_the_same_command_again_replays_the_finished_run(tmp_path, capsys, logged):
    log, recorded = logged
    status, _, err = coord(capsys, "run", ORDERS / "order_saga.coord", "--events", ORDERS / "events.jsonl",
                           "--log", log, "--out", tmp_path / "again.jsonl")
    assert status == 0
    assert "holds a finished run" in err and "no handler is called" in err
    assert (tmp_path / "again.jsonl").read_text(encoding="utf-8") == recorded


def test_replay_prints_the_outcomes_and_verify_agrees(capsys, logged):
    log, recorded = logged
    status, out, err = coord(capsys, "replay", log)
    assert status == 0 and out == recorded
    assert "replayed to the end" in err
    status, out, err = coord(capsys, "replay", log, "--verify")
    assert status == 0 and out == recorded and "did as recorded" in err


def test_replay_until_a_record_or_a_time(capsys, logged):
    log, _ = logged
    status, out, err = coord(capsys, "replay", log, "--until", "10")
    assert status == 0 and "replayed to record 10 of" in err
    statuses = {json.loads(line)["status"] for line in out.splitlines()}
    assert "running" in statuses
    status, out, err = coord(capsys, "replay", log, "--until", "2026-01-05T10:01:00Z")
    assert status == 0
    first = [json.loads(line) for line in out.splitlines()]
    assert [o["key"] for o in first] == ["o-1001", "o-1002", "alice"][:len(first)]
    assert coord(capsys, "replay", log, "--until", "yesterday")[0] == 2


def test_replay_verify_reports_a_handler_that_changed(tmp_path, capsys):
    program = tmp_path / "checkout.coord"
    program.write_text(CHECKOUT.read_text(encoding="utf-8"), encoding="utf-8")
    handlers = (CHECKOUT.parent / "checkout_handlers.py").read_text(encoding="utf-8")
    (tmp_path / "checkout_handlers.py").write_text(handlers, encoding="utf-8")
    events = write_events(tmp_path / "events.jsonl", checkout_events(6))
    assert coord(capsys, "run", program, "--events", events, "--log", tmp_path / "log")[0] == 0
    (tmp_path / "checkout_handlers.py").write_text(handlers.replace("amount * 1.1", "amount * 1.2"), encoding="utf-8")
    import sys

    sys.modules.pop("checkout_handlers", None)
    status, _, err = coord(capsys, "replay", tmp_path / "log", "--verify")
    assert status == 1
    assert "verify failed" in err and "charge (o1:0:1) now returned 92.4; when recorded it returned 84.7" in err


def test_log_info_records_and_repair(tmp_path, capsys, logged):
    log, _ = logged
    status, out, _ = coord(capsys, "log", "info", log)
    assert status == 0 and "state      finished" in out and "records    " in out
    status, out, _ = coord(capsys, "log", "records", log, "--from", "2", "--limit", "3")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line[0] for line in lines] == [2, 3, 4] and lines[0][1] == "ok"
    broken = copy_log(log, tmp_path / "broken")
    at = keep_records(broken)[10]  # a frame per record: the flip damages record 10 alone
    (segment,) = segments(broken)
    data = bytearray(segment.read_bytes())
    data[at + 10] ^= 0x40
    segment.write_bytes(bytes(data))
    status, _, err = coord(capsys, "replay", broken)
    assert status == 2 and f"corrupt record at byte {at}" in err and "coord log repair" in err
    status, _, err = coord(capsys, "log", "repair", broken)
    assert status == 0 and "salvaged the 9 records before it" in err
    status, _, err = coord(capsys, "log", "info", tmp_path / "broken.repaired")
    assert status == 0


def test_a_torn_tail_is_a_warning_and_the_run_resumes(tmp_path, capsys, logged):
    log, recorded = logged
    copy = copy_log(log, tmp_path / "torn")
    for snapshot in copy.glob("snapshot-*"):
        snapshot.unlink()
    offsets = keep_records(copy)
    (segment,) = segments(copy)
    data = segment.read_bytes()
    segment.write_bytes(data[:offsets[30] + 5])  # record 30 cut short: no end, no fin
    status, _, err = coord(capsys, "run", ORDERS / "order_saga.coord", "--events", ORDERS / "events.jsonl",
                           "--log", copy, "--out", tmp_path / "resumed.jsonl")
    assert status == 0, err
    assert "warning:" in err and "cut short by a crash" in err and "resuming the run recorded" in err
    assert (tmp_path / "resumed.jsonl").read_text(encoding="utf-8") == recorded


def test_a_compiled_recording_resumes_and_replays_on_its_backend(tmp_path, capsys, logged):
    _, recorded = logged
    log = tmp_path / "compiled"
    args = ("run", ORDERS / "order_saga.coord", "--events", ORDERS / "events.jsonl", "--log", log)
    status, _, err = coord(capsys, *args, "--backend", "compiled", "--out", tmp_path / "out.jsonl")
    assert status == 0, err
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == recorded
    status, _, err = coord(capsys, *args, "--out", tmp_path / "again.jsonl")  # auto follows the log
    assert status == 0 and "holds a finished run" in err and "(compiled)" in err
    status, out, err = coord(capsys, "replay", log, "--verify")
    assert status == 0 and out == recorded and "compiled" in err
    status, _, err = coord(capsys, "replay", log, "--until", "3")
    assert status == 2 and "recorded by the compiled backend" in err


def test_mistakes_are_one_line_and_exit_2(tmp_path, capsys, logged):
    log, _ = logged
    events = ORDERS / "events.jsonl"
    status, _, err = coord(capsys, "run", ORDERS / "order_saga.coord", "--events", events, "--log", log,
                           "--backend", "compiled")
    assert status == 2 and "recorded by the interpreter backend; resume it with --backend interpreter" in err
    status, _, err = coord(capsys, "run", CHECKOUT, "--events", events, "--log", log)
    assert status == 2 and "recorded for another program" in err
    status, _, err = coord(capsys, "replay", tmp_path / "nowhere")
    assert status == 2 and "no such log folder" in err
    moved = copy_log(log, tmp_path / "moved")
    status, _, err = coord(capsys, "run", ORDERS / "order_saga.coord", "--events", events, "--log", moved,
                           "--snapshot-every", "0")
    assert status == 2 and "--snapshot-every 0" in err
    status, _, err = coord(capsys, "replay", moved, "--program", tmp_path / "missing.coord")
    assert status == 2 and "missing.coord" in err and "--program" in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_event_line_stops_the_run_and_loses_nothing_recorded(tmp_path, capsys):
    events = checkout_events(12_000)
    lines = [json.dumps(e) for e in events]
    broken = list(lines)
    broken[20_000] = '{"event": "Order", "id": '  # cut short, past the reader's first 1 MiB chunk
    bad = tmp_path / "events.jsonl"
    bad.write_text("\n".join(broken) + "\n", encoding="utf-8")
    log = tmp_path / "log"
    args = ("run", CHECKOUT, "--events", bad, "--log", log, "--backend", "interpreter", "--snapshot-every", "5000")
    status, _, err = coord(capsys, *args)
    assert status == 2 and f"{bad}:20001" in err
    recorded = [r for r in _records(log) if r[0] == "in"]
    assert len(recorded) >= 10_000  # the batches read before the bad line ran and were recorded
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")  # the user fixes the line
    status, _, err = coord(capsys, *args, "--out", tmp_path / "resumed.jsonl")
    assert status == 0 and "resuming the run recorded" in err
    plain = tmp_path / "plain.jsonl"
    assert coord(capsys, "run", CHECKOUT, "--events", bad, "--out", plain, "--backend", "interpreter")[0] == 0
    assert (tmp_path / "resumed.jsonl").read_text(encoding="utf-8") == plain.read_text(encoding="utf-8")


def _records(log):
    from coordlang.runtime.eventlog import read_log

    return read_log(log).records
