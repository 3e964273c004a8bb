"""Resuming an interrupted recording: cut the log after any record and run the same command
again; the outcomes, and the log itself, are those of the uninterrupted run."""

from __future__ import annotations

import pytest
from logkit import (CHECKOUT, T0, checkout_events, compiled, copy_log, keep_records, uninterrupted, without_wall,
                    write_events)

from coordlang.runtime.eventlog import LogError, RecordedRun, read_log
from coordlang.runtime.eventlog.log import snapshot_files
from coordlang.runtime.events import EventReader
from coordlang.runtime.handlers import BoundHandler, bind_handlers


@pytest.fixture(scope="module")
def program():
    return compiled(CHECKOUT)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, program):
    tmp = tmp_path_factory.mktemp("full")
    events = write_events(tmp / "events.jsonl", checkout_events(30))
    result = record(program, tmp / "log", events)
    return tmp / "log", events, result


def record(program, directory, events, *, handlers=None, batch_size=7, snapshot_every=4):
    run = RecordedRun(program, directory, file=str(CHECKOUT), snapshot_every=snapshot_every, handlers=handlers)
    with run, EventReader(program, events, batch_size=batch_size) as reader:
        for batch in reader:
            run.feed(batch)
        return run.finish()


def cut(directory, records: int) -> None:
    """Keep the first ``records`` records of a one-segment log (snapshot files stay)."""
    keep_records(directory, records)


def test_the_uninterrupted_recording_has_the_plain_outcomes(recorded, program):
    _, events, result = recorded
    assert result.outcomes == uninterrupted(program, events)
    assert {o.status for o in result.outcomes} == {"completed", "compensated", "failed"}


def test_resuming_after_any_record_repeats_the_uninterrupted_run(tmp_path, recorded, program):
    directory, events, result = recorded
    whole = read_log(directory).records
    inputs = sum(1 for r in whole if r[0] == "in")
    for kept in range(len(whole)):
        copy = copy_log(directory, tmp_path / f"cut{kept}")
        cut(copy, kept)
        resumed = record(program, copy, events, batch_size=5)
        assert resumed.outcomes == result.outcomes, f"cut after record {kept}"
        assert resumed.counters == result.counters
        again = read_log(copy).records
        # The same trace: no input event lost or applied twice, every timer fired once (the
        # handler calls made again took their own wall time).
        assert without_wall(again) == without_wall(whole), f"cut after record {kept}"
        assert [r[4] for r in again if r[0] == "in"] == [f"{events}:{i}" for i in range(1, inputs + 1)]
        fired = [r[2] for r in again if r[0] == "fire"]
        assert len(fired) == len(set(fired))


def test_snapshots_past_the_end_of_a_cut_log_are_dropped(tmp_path, recorded, program):
    directory, events, _ = recorded
    copy = copy_log(directory, tmp_path / "copy")
    cut(copy, 20)
    later = [n for n, _ in snapshot_files(copy) if n > 20]
    assert later
    RecordedRun(program, copy, file=str(CHECKOUT)).close()
    assert all(n <= 20 for n, _ in snapshot_files(copy))


def exploding_handlers(program):
    def explode(*args, **kwargs):
        raise AssertionError("a handler was called")

    return {name: BoundHandler(bound.definition, explode, False) for name, bound in bind_handlers(program).items()}


def test_running_a_finished_log_again_replays_it_without_calling_a_handler(tmp_path, recorded, program):
    directory, events, result = recorded
    copy = copy_log(directory, tmp_path / "copy")
    again = record(program, copy, events, handlers=exploding_handlers(program))
    assert again.outcomes == result.outcomes
    assert read_log(copy).records == read_log(directory).records


def test_a_resume_with_other_input_is_refused(tmp_path, recorded, program):
    directory, _, _ = recorded
    copy = copy_log(directory, tmp_path / "copy")
    cut(copy, 40)
    changed = checkout_events(30)
    changed[3]["amount"] += 1.0
    other = write_events(tmp_path / "other.jsonl", changed)
    with pytest.raises(LogError, match="input events differ from the first"):
        record(program, copy, other)
    short = write_events(tmp_path / "short.jsonl", checkout_events(2))
    with pytest.raises(LogError, match="but this input has only"):
        record(program, copy, short)


def test_a_finished_log_refuses_more_input(tmp_path, recorded, program):
    directory, _, _ = recorded
    more = {"event": "Order", "time": T0 + 1000.0, "id": "o999", "amount": 10.0}
    longer = write_events(tmp_path / "longer.jsonl", [*checkout_events(30), more])
    with pytest.raises(LogError, match="holds a run that ended"):
        record(program, copy_log(directory, tmp_path / "copy"), longer)
