"""Replay equals the original run on every example; time travel to any point equals a fresh
run stopped there; the differences between two points."""

from __future__ import annotations

import copy
import random

import pytest
from logkit import (CHECKOUT, as_written_before, checkout_events, compiled, programs, uninterrupted, without_wall,
                    write_events)

from coordlang.runtime.eventlog import Change, RecordedRun, Timeline, read_log, replay
from coordlang.runtime.eventlog.records import wall_of
from coordlang.runtime.events import EventReader
from coordlang.runtime.interpreter import Interpreter
from coordlang.runtime.interpreter.effects import Effects


def record(program, file, directory, events, *, snapshot_every=3, batch_size=5):
    run = RecordedRun(program, directory, file=str(file), snapshot_every=snapshot_every)
    with run, EventReader(program, events, batch_size=batch_size) as reader:
        for batch in reader:
            run.feed(batch)
        return run.finish()


@pytest.fixture(scope="module", params=programs())
def recorded(request, tmp_path_factory):
    """(program, events file, log folder, the recorded run's result) for one program."""
    file, events = request.param
    tmp = tmp_path_factory.mktemp("replay")
    if events is None:
        events = write_events(tmp / "events.jsonl", checkout_events(25))
    program = compiled(file)
    result = record(program, file, tmp / "log", events)
    return program, events, tmp / "log", result


def test_recording_changes_nothing(recorded):
    program, events, _, result = recorded
    assert result.outcomes == uninterrupted(program, events)


def test_replay_equals_the_original_run(recorded):
    program, _, directory, result = recorded
    done = replay(program, directory)
    assert done.restored.finished
    assert done.result.outcomes == result.outcomes
    assert done.result.counters == result.counters
    assert done.result.events == result.events


def test_a_log_without_wall_times_reads_and_replays_the_same(recorded, tmp_path):
    """Handler calls' records end with their wall time; a log written before (records without
    it) replays to the same run, and travels to the same states."""
    program, _, directory, result = recorded
    records = read_log(directory).records
    calls = [r for r in records if r[0] in ("ok", "err")]
    assert all(isinstance(wall_of(r), float) and wall_of(r) >= 0.0 for r in calls)
    old = as_written_before(directory, tmp_path / "old")
    assert read_log(old).records == without_wall(records)
    done = replay(program, old)
    assert done.restored.finished
    assert (done.result.outcomes, done.result.counters, done.result.events) == \
        (result.outcomes, result.counters, result.events)
    middle = len(records) // 2
    then, before = Timeline.open(program, directory), Timeline.open(program, old)
    assert then.seek(middle) == before.seek(middle) == middle
    assert then.state == before.state


def test_verify_runs_every_handler_again_and_agrees(recorded):
    program, _, directory, result = recorded
    done = replay(program, directory, verify=True)
    assert done.restored.snapshot == 0  # verifying starts from the first record
    assert done.result.outcomes == result.outcomes


class Counting(Effects):
    """Counts what a recorder would write."""

    def __init__(self) -> None:
        self.records = 0

    def attempt(self, *args):
        self.records += 1
        return super().attempt(*args)

    def routed(self, event):
        self.records += 1

    def fired(self, timer):
        self.records += 1

    def emitted(self, event):
        self.records += 1

    def finishing(self, until):
        self.records += 1


def fresh_state(program, events, stop: int):
    """A run without a log, given all its input at once, stopped after its ``stop``-th record."""
    counting = Counting()
    interpreter = Interpreter(program, effects=counting)
    with EventReader(program, events) as reader:
        for batch in reader:
            interpreter.push(batch)
    while counting.records < stop:
        if not interpreter.step():
            interpreter.end_input(None)
    return interpreter.state


def test_time_travel_to_any_point_equals_a_fresh_run_stopped_there(recorded):
    program, events, directory, _ = recorded
    timeline = Timeline.open(program, directory, checkpoint_every=8)
    last = timeline.records - 1  # the final "end" record is the runner's, not the interpreter's
    rng = random.Random(timeline.records)
    points = [rng.randint(0, last) for _ in range(12)] + [0, last, last // 2, 1]
    for point in points:
        assert timeline.seek(point) == point
        assert timeline.state == fresh_state(program, events, point), f"record {point}"


def test_stepping_back_then_forward_returns_to_the_same_state(recorded):
    program, _, directory, _ = recorded
    timeline = Timeline.open(program, directory, checkpoint_every=5)
    middle = timeline.records // 2
    timeline.seek(middle)
    here = copy.deepcopy(timeline.state)
    steps = min(middle, 9)
    for _ in range(steps):
        timeline.back()
    assert timeline.position == middle - steps
    for _ in range(steps):
        timeline.step()
    assert timeline.position == middle
    assert timeline.state == here


def test_instances_and_differences_between_two_points(tmp_path):
    program = compiled(CHECKOUT)
    events = write_events(tmp_path / "events.jsonl", checkout_events(5))
    record(program, CHECKOUT, tmp_path / "log", events)
    records = read_log(tmp_path / "log").records
    charged = next(n for n, r in enumerate(records, 1) if r[0] == "ok" and r[2] == "o1:0:1")
    timeline = Timeline.open(program, tmp_path / "log")
    timeline.seek(charged)
    o1 = timeline.instance("Checkout", "o1")
    assert o1.status == "running" and o1.variables["total"] == 84.7
    assert o1.compensations == ("refund",)
    (thread,) = o1.threads
    assert thread.at is not None and thread.at.startswith(str(CHECKOUT))
    changes = timeline.diff(charged, timeline.records)
    assert timeline.position == timeline.records
    assert Change("Checkout 'o1'", "status", "running", "completed") in changes
    assert Change("Checkout 'o1'", "value", None, 84.7) in changes
    assert any(c.instance == "Checkout 'o5'" and c.what == "instance" and c.after == "compensated" for c in changes)
    assert any(c.instance is None and c.what == "clock" for c in changes)
    assert timeline.diff(3, 3) == []
    with pytest.raises(KeyError, match="no Checkout instance with key 'o404'"):
        timeline.instance("Checkout", "o404")
