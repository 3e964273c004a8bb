"""The compiled backend's log: recording changes no outcome, replay and verify agree on every
example, and a resume after any record gives the uninterrupted outcomes with every input event
fed once."""

from __future__ import annotations

import numpy as np
import pytest
from logkit import (CHECKOUT, checkout_events, compiled, copy_log, keep_records, programs, uninterrupted,
                    write_events)

from coordlang.runtime.eventlog import LogError, RecordedRun, read_log
from coordlang.runtime.eventlog.compiled import CompiledRecording, replay_compiled
from coordlang.runtime.compiled.reader import KernelReader


def record(program, file, directory, events, *, snapshot_every=7, batch_size=10_000):
    run = CompiledRecording(program, directory, file=str(file), snapshot_every=snapshot_every)
    with run, KernelReader(program, run.codec, events, batch_size=batch_size) as reader:
        for columns in reader:
            run.feed_columns(columns)
        return run.finish()


@pytest.fixture(scope="module", params=programs())
def recorded(request, tmp_path_factory):
    file, events = request.param
    tmp = tmp_path_factory.mktemp("compiled")
    if events is None:
        events = write_events(tmp / "events.jsonl", checkout_events(30))
    program = compiled(file)
    return program, file, events, tmp / "log", record(program, file, tmp / "log", events)


def test_recording_on_the_compiled_backend_changes_no_outcome(recorded):
    program, _, events, _, result = recorded
    assert result.outcomes == uninterrupted(program, events)


def test_replay_and_verify_equal_the_recorded_run(recorded):
    program, _, _, directory, result = recorded
    contents = read_log(directory)
    again, position, finished, _ = replay_compiled(program, contents)
    assert finished and position == len(contents.records)
    assert again.outcomes == result.outcomes and again.counters == result.counters
    verified, _, _, _ = replay_compiled(program, contents, verify=True)
    assert verified.outcomes == result.outcomes


def test_a_finished_compiled_log_run_again_calls_no_handler(recorded, tmp_path):
    program, file, events, directory, result = recorded
    copy = copy_log(directory, tmp_path / "copy")
    again = record(program, file, copy, events)
    assert again.outcomes == result.outcomes
    assert read_log(copy).records == read_log(directory).records


def cut(directory, records: int) -> None:
    """Keep the first ``records`` records of a one-segment log (snapshot files stay)."""
    keep_records(directory, records)


def fed_rows(records: list[list]) -> np.ndarray:
    """The type column of every ``cols`` record, in order: the input as the kernel was fed it."""
    parts = [np.frombuffer(r[2][2], dtype=np.dtype(r[2][0])) for r in records if r[0] == "cols"]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def test_resuming_after_any_record_gives_the_uninterrupted_outcomes(tmp_path):
    program = compiled(CHECKOUT)
    events = write_events(tmp_path / "events.jsonl", checkout_events(30))
    full = tmp_path / "full"
    result = record(program, CHECKOUT, full, events, batch_size=9)
    whole = read_log(full).records
    rows = fed_rows(whole)
    assert {r[0] for r in whole} == {"cols", "call", "fin", "end"}
    for kept in range(len(whole)):
        copy = copy_log(full, tmp_path / f"cut{kept}")
        cut(copy, kept)
        resumed = record(program, CHECKOUT, copy, events, batch_size=4)
        assert resumed.outcomes == result.outcomes, f"cut after record {kept}"
        assert resumed.counters == result.counters, f"cut after record {kept}"
        # Every input event fed once, in order, whatever the batches.
        assert np.array_equal(fed_rows(read_log(copy).records), rows), f"cut after record {kept}"


def test_each_backend_refuses_the_others_log(recorded, tmp_path):
    program, file, _, directory, _ = recorded
    with pytest.raises(LogError, match="recorded by the compiled backend; resume or replay it with --backend "
                                       "compiled"):
        RecordedRun(program, copy_log(directory, tmp_path / "copy"), file=str(file))


def test_replay_until_a_time_agrees_with_the_interpreters(recorded, tmp_path):
    program, file, events, directory, _ = recorded
    from coordlang.runtime.eventlog import replay
    from coordlang.runtime.events import EventReader

    interpreted = tmp_path / "interpreted"
    run = RecordedRun(program, interpreted, file=str(file))
    with run, EventReader(program, events) as reader:
        times = []
        for batch in reader:
            times += [e.time for e in batch]
            run.feed(batch)
        run.finish()
    contents = read_log(directory)
    for when in sorted({times[0] - 1, times[len(times) // 3] + 0.5, times[len(times) // 2], times[-1] + 7200}):
        compiled_result = replay_compiled(program, contents, until_time=when)[0]
        interpreted_result = replay(program, interpreted, until_time=when).result
        assert compiled_result.outcomes == interpreted_result.outcomes, f"until {when}"


def test_a_compiled_resume_with_other_input_is_refused(tmp_path):
    program = compiled(CHECKOUT)
    events = write_events(tmp_path / "events.jsonl", checkout_events(30))
    log = tmp_path / "log"
    record(program, CHECKOUT, log, events, batch_size=9)
    cut(log, 6)
    changed = checkout_events(30)
    changed[2]["amount"] += 1.0
    other = write_events(tmp_path / "other.jsonl", changed)
    with pytest.raises(LogError, match="input events differ from the first"):
        record(program, CHECKOUT, log, other)
    short = write_events(tmp_path / "short.jsonl", checkout_events(1))
    with pytest.raises(LogError, match="but this input has only"):
        record(program, CHECKOUT, log, short)
