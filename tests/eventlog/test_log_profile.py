"""Step timings from recorded runs (``runtime/eventlog/profile.py``): a real run of the
checkout recorded with ``coord run --log``, and what its replay must have measured."""

from __future__ import annotations

import shutil

import pytest
from logkit import CHECKOUT, EXAMPLES, as_written_before, checkout_events, compiled, write_events

from coordlang.cli import main
from coordlang.runtime.eventlog.frames import LogError, segments
from coordlang.runtime.eventlog.log import LogWriter
from coordlang.runtime.eventlog.profile import profile, profile_folder
from coordlang.runtime.eventlog.records import header

ORDERS = 30
"""Orders 7, 14, 21 and 28 fail their first charge (ConnectionError) and are retried after a
fixed 2 s backoff; 11 and 22 are refused (ValueError, not retried): the charge fails. Every
fifth order is never paid (its wait times out after 1 m), the others are paid 30.5 s later."""


def record(tmp_path, capsys, program, events, log) -> None:
    status = main(["run", str(program), "--events", str(events), "--log", str(log), "--backend", "interpreter",
                   "--out", str(tmp_path / f"{log.name}.out.jsonl")])
    assert status == 0, capsys.readouterr().err
    capsys.readouterr()


@pytest.fixture()
def logs(tmp_path, capsys):
    events = write_events(tmp_path / "events.jsonl", checkout_events(ORDERS))
    folder = tmp_path / "logs"
    record(tmp_path, capsys, CHECKOUT, events, folder / "first")
    return folder


def test_a_logged_run_gives_each_steps_count_durations_and_failures(logs):
    program = compiled(CHECKOUT)
    steps = profile(program, logs / "first")
    by_name = {(workflow, kind, name): (sid, step) for (workflow, kind, name, sid), step in steps.items()}
    assert set(by_name) == {("Checkout", "do", "charge"), ("Checkout", "wait", ""),
                            ("Checkout", "compensate", "refund"), ("reaction#0", "do", "thank")}
    sid, charge = by_name["Checkout", "do", "charge"]
    assert charge.count == ORDERS and charge.runs == 1
    assert charge.statuses == {"ok": 28, "error": 2} and charge.failure_rate == pytest.approx(2 / 30)
    assert sorted(charge.durations) == [0.0] * 26 + [2.0] * 4
    assert charge.p50 == 0.0 and charge.p99 == 2.0
    assert program.spans[sid].path == CHECKOUT
    text = CHECKOUT.read_text(encoding="utf-8")
    assert text[program.spans[sid].span.start:].startswith("do charge(o.id, o.amount)")
    _, wait = by_name["Checkout", "wait", ""]
    assert wait.count == ORDERS - 2  # the two refused charges failed their instance first
    assert wait.statuses == {"ok": 22, "timer": 6} and wait.failure_rate == 0.0
    assert wait.p50 == 30.5 and wait.p99 == 60.0
    assert by_name["Checkout", "compensate", "refund"][1].count == 6
    thanks = by_name["reaction#0", "do", "thank"][1]
    # A receipt (paid, not refused) of a total over 100 is thanked.
    totals = [round((40 + (i * 37) % 150) * 1.1, 2) for i in range(1, ORDERS + 1) if i % 5 and i % 11]
    assert thanks.count == sum(1 for total in totals if total > 100) and thanks.statuses == {"ok": thanks.count}


SLEEP = 0.02
"""Seconds each call of the checkout's ``charge`` and ``thank`` sleeps in :func:`slow_log`."""


@pytest.fixture()
def slow_log(tmp_path, capsys, monkeypatch):
    """(the checkout program, a log of 7 orders whose handler calls each sleep :data:`SLEEP`)."""
    folder = tmp_path / "slow"
    folder.mkdir()
    for source in (CHECKOUT, CHECKOUT.with_name("checkout_handlers.py")):
        shutil.copy(source, folder / source.name)
    # Read when the handlers are imported: from a folder of their own, they are imported afresh.
    monkeypatch.setenv("COORD_TEST_HANDLER_SLEEP", str(SLEEP))
    events = write_events(tmp_path / "events.jsonl", checkout_events(7))
    record(tmp_path, capsys, folder / "checkout.coord", events, tmp_path / "log")
    return compiled(folder / "checkout.coord"), tmp_path / "log"


def test_a_logged_run_gives_the_wall_time_of_each_steps_handler_calls(slow_log):
    program, log = slow_log
    steps = profile(program, log)
    by_name = {(workflow, kind, name): step for (workflow, kind, name, _), step in steps.items()}
    charge = by_name["Checkout", "do", "charge"]
    # The virtual clock stands still during a call: the calls' time is only in their wall times.
    assert charge.count == len(charge.walls) == 7 and charge.p50 == 0.0
    assert charge.wall_p50 >= SLEEP and charge.wall_p99 >= charge.wall_p50
    # A step's ending counts all its attempts: order 7's charge failed once and was retried.
    assert max(charge.walls) >= 2 * SLEEP
    thanks = by_name["reaction#0", "do", "thank"]
    assert thanks.walls and min(thanks.walls) >= SLEEP
    wait = by_name["Checkout", "wait", ""]
    assert wait.walls == [] and wait.wall_p50 is None and wait.wall_p99 is None


def test_a_log_without_wall_times_is_profiled_as_before(slow_log, tmp_path):
    program, log = slow_log
    now, before = profile(program, log), profile(program, as_written_before(log, tmp_path / "old"))
    assert set(before) == set(now)
    for key, step in before.items():
        assert (step.durations, step.statuses, step.runs) == (now[key].durations, now[key].statuses, now[key].runs)
        assert step.walls == [] and step.wall_p50 is None


def test_a_folder_merges_the_logs_of_the_program_and_skips_the_others(tmp_path, capsys, logs):
    program = compiled(CHECKOUT)
    shutil.copytree(logs / "first", logs / "second")
    orders = next(p for p in EXAMPLES if p.name == "order_saga")
    record(tmp_path, capsys, orders / "order_saga.coord", orders / "events.jsonl", logs / "other")
    compiled_log = logs / "compiled"
    writer = LogWriter(compiled_log, {**header(program, "checkout.coord", 0), "backend": "compiled"})
    writer.append(["end", 0])
    writer.close()
    damaged = shutil.copytree(logs / "first", logs / "damaged")
    [segment] = segments(damaged)
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(bytes(data))
    (logs / "notes").mkdir()

    found = profile_folder(program, logs)
    assert [p.name for p in found.logs] == ["first", "second"]
    reasons = {p.name: why for p, why in found.skipped}
    assert set(reasons) == {"other", "compiled", "damaged"}
    assert "another program" in reasons["other"] and "order_saga.coord" in reasons["other"]
    assert "compiled backend" in reasons["compiled"]
    assert reasons["damaged"]
    charge = next(s for k, s in found.steps.items() if k[2] == "charge")
    assert charge.count == 2 * ORDERS and charge.runs == 2 and charge.statuses == {"ok": 56, "error": 4}
    assert len(charge.walls) == 2 * ORDERS

    alone = profile_folder(program, logs / "first")
    assert [p.name for p in alone.logs] == ["first"] and not alone.skipped


def test_a_missing_folder_is_an_error_and_an_empty_one_measures_nothing(tmp_path):
    program = compiled(CHECKOUT)
    with pytest.raises(LogError, match="no such folder"):
        profile_folder(program, tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    found = profile_folder(program, tmp_path / "empty")
    assert found.steps == {} and found.logs == [] and found.skipped == []
