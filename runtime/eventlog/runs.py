"""Runs with a log: recording (and resuming an interrupted recording), and replaying.

Restoring a point of a log is always the same: the newest snapshot at or before it (or the
empty state), then the records after the snapshot played back through a
:class:`~coordlang.runtime.eventlog.recording.Replayer`, step by step, up to the point. The
input events are all queued at once, which gives the same order as the batches they were fed
in (an executor's result does not depend on how its input is batched).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from coordlang.ir.nodes import Program
from coordlang.runtime.eventlog.frames import LogError
from coordlang.runtime.eventlog.inputs import InputPlaces
from coordlang.runtime.eventlog.log import (LogContents, LogWriter, SnapshotWriter, StaleSnapshot, check_backend,
                                            existing_log, load_snapshot, read_log)
from coordlang.runtime.eventlog.recording import LogDiverged, Recorder, Replayer, input_digest
from coordlang.runtime.eventlog.records import event_of, header, program_digest
from coordlang.runtime.executor import Event, RunResult
from coordlang.runtime.interpreter import DEFAULT_INBOX, Interpreter, Work
from coordlang.runtime.interpreter.effects import Effects

SNAPSHOT_EVERY = 100_000
"""Input events between two snapshots of ``coord run --log``."""


@dataclass(slots=True)
class Restored:
    """An interpreter put at a point of a log, and the replayer that took it there."""

    interpreter: Interpreter
    replayer: Replayer
    snapshot: int
    """The records the snapshot it started from stood after (0: none)."""

    @property
    def position(self) -> int:
        return self.replayer.position

    @property
    def finished(self) -> bool:
        """The log's run ended and everything was played back."""
        return self.replayer.position > 0 and self.replayer.records[self.replayer.position - 1][0] == "end"


def restore(program: Program, contents: LogContents, *, stop: int | None = None, until_time: float | None = None,
            after: Effects | None = None, verify: Effects | None = None, handlers: dict | None = None,
            inbox: int = DEFAULT_INBOX) -> Restored:
    """The state after record ``stop`` (default: the last), or before the first step whose
    time is past ``until_time``."""
    records = contents.records
    stop = len(records) if stop is None else max(0, min(stop, len(records)))
    replayer = Replayer(records, after=after, verify=verify)
    interpreter = Interpreter(program, inbox_capacity=inbox, handlers=handlers, effects=replayer)
    if until_time is not None:
        start = _load_newest(contents, interpreter, replayer, _records_before(records, until_time) - 1)
    else:
        # A snapshot is taken once the run has done all it could before its next record, a
        # few steps past the one that wrote its last record: it stands for "after record r"
        # only on the way to later records (or to the end).
        start = _load_newest(contents, interpreter, replayer, stop if stop == len(records) else stop - 1)
    interpreter.push([event_of(r) for r in records[start:] if r[0] == "in"])
    play(interpreter, replayer, stop, until_time)
    return Restored(interpreter, replayer, start)


def _load_newest(contents: LogContents, interpreter: Interpreter, replayer: Replayer, limit: int) -> int:
    if contents.loaded is not None and contents.loaded[0] <= limit:  # a resume's, loaded while reading the log
        records, _, state = contents.loaded
        contents.loaded = None
        interpreter.state = state
        replayer.position = records
        return records
    digest = contents.header["program"]
    for records, path in reversed(contents.snapshots):
        if records > limit:
            continue
        try:
            _, state = load_snapshot(path, digest)
        except LogError as exc:
            warnings.warn(StaleSnapshot(f"{exc}; using an older one"), stacklevel=3)
            continue
        interpreter.state = state
        replayer.position = records
        return records
    return 0


def _records_before(records: list[list], until_time: float) -> int:
    """How many records a snapshot may stand after to be before ``until_time``: those up to
    the last input event at or before it (a snapshot is only ever taken between inputs)."""
    last = 0
    for number, record in enumerate(records, 1):
        if record[0] == "in":
            if record[1] > until_time:
                break
            last = number
    return last


def play(interpreter: Interpreter, replayer: Replayer, stop: int, until_time: float | None = None) -> None:
    """Step until ``stop`` records are played back (or the next step is past ``until_time``)."""
    while replayer.position < stop:
        work = interpreter.peek()
        if work is None:
            kind = replayer.next_kind()
            if kind == "fin":
                interpreter.end_input(replayer.records[replayer.position][1])
            elif kind == "fire":
                # The timer fired because the next input event's time passed its deadline; that
                # event is not in the log (a crash, or a stop between them), so raise the clock.
                interpreter.state.clock = max(interpreter.state.clock, replayer.records[replayer.position][1])
            elif kind == "end":
                replayer.position += 1
                until = interpreter.state.until
                if math.isfinite(until):
                    interpreter.state.clock = max(interpreter.state.clock, until)
            else:
                raise LogDiverged(f"record {replayer.position + 1}: the log goes on ("
                                  f"{replayer.records[replayer.position][0]}), but the program had nothing left "
                                  "to do")
            continue
        if until_time is not None and work_time(work, interpreter.state.clock) > until_time:
            break
        interpreter.step()


def work_time(work: Work, clock: float) -> float:
    """The virtual time a step happens at."""
    if work.kind == "timer":
        assert work.timer is not None
        return work.timer.deadline
    if work.kind == "event":
        assert work.event is not None
        return max(clock, work.event.time)
    return clock


# ---------------------------------------------------------------- coord run --log

class RecordedRun:
    """``coord run --log DIR``: a new recording, or the resumption of an interrupted one.

    Feed it the whole input, from its first event: :meth:`feed` drops the events the log
    already holds (checking they are the same ones) and runs the rest."""

    def __init__(self, program: Program, directory: Path, *, file: str, fsync: str = "batch",
                 snapshot_every: int = SNAPSHOT_EVERY, handlers: dict | None = None,
                 inbox: int = DEFAULT_INBOX, events: str | None = None) -> None:
        if snapshot_every < 1:
            raise LogError(f"--snapshot-every {snapshot_every}: snapshots are taken every N input events, N >= 1")
        self.directory = Path(directory)
        self.fsync = fsync
        self.snapshot_every = snapshot_every
        self.events_name = events
        self.digest = program_digest(program)
        self._header = header(program, file, 0)
        del self._header["first"]
        contents = existing_log(self.directory, self.digest, "interpreter", usable=lambda meta: "input_digest" in meta)
        self.resumed_records = len(contents.records) if contents is not None else 0
        self.finished = contents is not None and contents.finished
        meta = contents.loaded[1] if contents is not None and contents.loaded is not None else {}
        fast = "input_digest" in meta
        self._inputs = InputPlaces(meta.get("input") if fast else None, events)
        self._resumed_meta = meta if fast else None
        self.writer = LogWriter(self.directory, self._header, next_record=self.resumed_records + 1, fsync=fsync)
        self._snapshots = SnapshotWriter(self.directory, fsync)
        self.recorder = Recorder(self.writer)
        self._expected_crc = 0
        if contents is None:
            self.interpreter = Interpreter(program, inbox_capacity=inbox, handlers=handlers, effects=self.recorder)
            self._to_skip = 0
        else:
            start = contents.loaded[0] if fast else 0
            try:
                restored = restore(program, contents, after=self.recorder, handlers=handlers, inbox=inbox)
            except BaseException:
                self.writer.close()
                self._inputs.close()
                raise
            self.interpreter = restored.interpreter
            if fast:  # the input events before the snapshot, as its meta counts them
                self.recorder.inputs += meta["inputs"]
                self._expected_crc = meta["input_digest"]
            for record in contents.records[start:]:
                if record[0] == "in":
                    self.recorder.inputs += 1
                    self._expected_crc = input_digest(self._expected_crc, record[2], record[3])
            self._to_skip = self.recorder.inputs
        self.skipped = 0
        self._skipped_crc = 0
        self._digest = 0
        """The running checksum of the input events fed (the snapshots' ``input_digest``)."""
        self._snapshot_inputs = self.recorder.inputs

    def attach(self, reader) -> None:
        """Read the input with ``reader`` (an ``EventReader``, before iterating it): snapshots
        keep their place in it, and a resume starts reading at its snapshot's place when the
        input's bytes before it are those it was recorded from."""
        meta = self._resumed_meta
        if self._inputs.attach(reader, meta["inputs"] if meta else 0) and meta is not None:
            self.skipped = meta["inputs"]
            self._skipped_crc = meta["input_digest"]
            if self.skipped == self._to_skip:
                self._digest = self._skipped_crc

    def feed(self, events: Sequence[Event]) -> None:
        if self._to_skip > self.skipped:
            events = self._skip(events)
        if not events:
            return
        if self.finished:
            raise LogError(f"--log {self.directory}: holds a run that ended after {self.skipped} input events, "
                           "but the input has more; record this input in a new folder")
        crc = self._digest
        for event in events:
            crc = input_digest(crc, event.type, event.fields)
        self._digest = crc
        self.interpreter.feed(events)
        self.writer.flush()
        if self.recorder.inputs - self._snapshot_inputs >= self.snapshot_every:
            self.snapshot()

    def _skip(self, events: Sequence[Event]) -> Sequence[Event]:
        take = min(len(events), self._to_skip - self.skipped)
        crc = self._skipped_crc
        for event in events[:take]:
            crc = input_digest(crc, event.type, event.fields)
        self._skipped_crc = crc
        self.skipped += take
        if self.skipped == self._to_skip:
            if crc != self._expected_crc:
                where = f" ({self.events_name})" if self.events_name not in (None, "-") else ""
                raise LogError(f"--log {self.directory}: its first {self._to_skip} input events differ from the "
                               f"first {self._to_skip} of this input{where}; resume with the input it was recorded "
                               "from, or record this one in a new folder")
            self._digest = crc
        return events[take:]

    def finish(self, until: float | None = None) -> RunResult:
        if self.skipped < self._to_skip:
            raise LogError(f"--log {self.directory}: holds {self._to_skip} input events, but this input has only "
                           f"{self.skipped}; resume with the input it was recorded from")
        if self.finished:
            result = self.interpreter.result()
        elif self.interpreter.state.finishing:
            # The log's run stopped while its input had already ended: it goes on, not again.
            self.interpreter.run()
            result = self.interpreter.result()
            self.writer.append(["end", self.interpreter.state.events])
            self.snapshot()
        else:
            # What a resumed run replayed may have left threads ready: they ran before the input
            # ended the first time.
            self.interpreter.run()
            result = self.interpreter.finish(until)
            self.writer.append(["end", self.interpreter.state.events])
            self.snapshot()
        self.close()
        return result

    def snapshot(self) -> None:
        """Save the state as it is now (between input events)."""
        self.writer.flush()
        meta = {**self._header, "records": self.writer.records, "inputs": self.recorder.inputs,
                "input_digest": self._digest}
        self._snapshots.submit(meta, self.interpreter.state, more=self._inputs.place(self.recorder.inputs))
        self._snapshot_inputs = self.recorder.inputs

    def close(self) -> None:
        """Write out what is buffered (an interrupted run keeps everything it recorded)."""
        try:
            self.writer.close()
            self._snapshots.wait()
        finally:
            self._inputs.close()

    def __enter__(self) -> RecordedRun:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# ---------------------------------------------------------------- coord replay

@dataclass(slots=True)
class Replay:
    restored: Restored
    records: int
    """Records in the log."""
    seconds: float

    @property
    def result(self) -> RunResult:
        result = self.restored.interpreter.result()
        result.seconds = self.seconds
        return result


def replay(program: Program, directory: Path, *, stop: int | None = None, until_time: float | None = None,
           verify: bool = False, inbox: int = DEFAULT_INBOX) -> Replay:
    """Rebuild the state of a log (up to ``stop`` records or ``until_time``); with ``verify``,
    run every handler again and check it does what was recorded."""
    contents = read_log(Path(directory), program_digest(program), truncate=False)
    check_backend(contents, "interpreter")
    started = time.perf_counter()
    if verify:
        restored = restore(program, _without_snapshots(contents), stop=stop, until_time=until_time,
                           verify=Effects(), inbox=inbox)
    else:
        # Nothing is called: handlers are bound only to give the interpreter their signatures.
        restored = restore(program, contents, stop=stop, until_time=until_time, inbox=inbox)
    return Replay(restored, len(contents.records), time.perf_counter() - started)


def _without_snapshots(contents: LogContents) -> LogContents:
    """Verifying re-executes everything, from the first record."""
    return LogContents(contents.directory, contents.header, contents.records, [])
