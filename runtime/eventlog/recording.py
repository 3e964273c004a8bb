"""Recording a run into the log, and playing a log back into the interpreter.

Both are :class:`~coordlang.runtime.interpreter.effects.Effects`: the interpreter does not know
whether it is being recorded, replayed or resumed.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from coordlang.runtime.eventlog.frames import LogError
from coordlang.runtime.eventlog.records import (attempt_of, attempt_record, describe, event_record, pack, unpack)
from coordlang.runtime.interpreter.effects import Attempt, Effects

if TYPE_CHECKING:
    from coordlang.runtime.eventlog.log import LogWriter
    from coordlang.runtime.executor import Event
    from coordlang.runtime.handlers import BoundHandler, HandlerLoop
    from coordlang.runtime.interpreter.state import ThreadTimer, WindowTimer


class LogDiverged(LogError):
    """Running the program again did not do what the log says it did."""


def input_digest(crc: int, kind: str, fields: dict) -> int:
    """A running checksum of input events' types and fields (not their times: an event without
    a ``time`` field gets the moment it was read, which differs from run to run), so a resumed
    run can tell whether its input starts with the events the log holds."""
    return zlib.crc32(pack([kind, fields]), crc)


class Recorder(Effects):
    """Writes the trace to a :class:`LogWriter`; ``inner`` makes the handler attempts."""

    def __init__(self, writer: LogWriter, inner: Effects | None = None, *, inputs: int = 0) -> None:
        self.writer = writer
        self.inner = Effects() if inner is None else inner
        self.inputs = inputs
        """Input events recorded so far (in this log, across resumes)."""

    def attempt(self, handler: BoundHandler, args: tuple, idempotency_key: str, loop: HandlerLoop,
                workflow: str) -> Attempt:
        outcome = self.inner.attempt(handler, args, idempotency_key, loop, workflow)
        self.writer.append(attempt_record(handler.definition.name, idempotency_key, outcome))
        self.writer.flush_if_stale()
        return outcome

    def routed(self, event: Event) -> None:
        self.writer.append(event_record("in", event))
        self.inputs += 1

    def fired(self, timer: ThreadTimer | WindowTimer) -> None:
        self.writer.append(["fire", timer.deadline, timer.seq])

    def emitted(self, event: Event) -> None:
        self.writer.append(event_record("emit", event))

    def finishing(self, until: float | None) -> None:
        self.writer.append(["fin", until])


class Replayer(Effects):
    """Plays ``records`` back from record ``start + 1``: each handler attempt gets its recorded
    result (no handler runs), and each step of the trace is checked against its record.

    Past the last record, ``after`` takes over (a :class:`Recorder` that appends to the same
    log, when a run resumes); without one, going past the end is an error, so a replay stops
    at the end. With ``verify``, handlers run again (through ``verify``) and every result, and
    every emitted event, must equal the recorded one."""

    def __init__(self, records: list[list], start: int = 0, *, after: Effects | None = None,
                 verify: Effects | None = None) -> None:
        self.records = records
        self.position = start
        """Records played back so far: the number of the last one."""
        self.after = after
        self.verify = verify

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.records)

    def next_kind(self) -> str | None:
        return None if self.at_end else self.records[self.position][0]

    def attempt(self, handler: BoundHandler, args: tuple, idempotency_key: str, loop: HandlerLoop,
                workflow: str) -> Attempt:
        name = handler.definition.name
        if self.at_end and self.after is not None:
            return self.after.attempt(handler, args, idempotency_key, loop, workflow)
        record = self._take(("ok", "err"), f"an attempt of {name} ({idempotency_key})")
        if record[1] != name or record[2] != idempotency_key:
            self._diverged(record, f"an attempt of {name} ({idempotency_key})")
        recorded = attempt_of(record)
        if self.verify is not None:
            again = self.verify.attempt(handler, args, idempotency_key, loop, workflow)
            if _attempt_key(again) != _attempt_key(recorded):
                raise LogDiverged(f"record {self.position}: {name} ({idempotency_key}) now "
                                  f"{_attempt_text(again)}; when recorded it {_attempt_text(recorded)}")
        return recorded

    def routed(self, event: Event) -> None:
        if self.at_end and self.after is not None:
            self.after.routed(event)
            return
        what = f"input {event.type} at {event.time}"
        record = self._take(("in",), what)
        if record[2] != event.type or record[1] != event.time:
            self._diverged(record, what)

    def fired(self, timer: ThreadTimer | WindowTimer) -> None:
        if self.at_end and self.after is not None:
            self.after.fired(timer)
            return
        what = f"timer {timer.seq} due at {timer.deadline}"
        record = self._take(("fire",), what)
        if record[1] != timer.deadline or record[2] != timer.seq:
            self._diverged(record, what)

    def emitted(self, event: Event) -> None:
        if self.at_end and self.after is not None:
            self.after.emitted(event)
            return
        what = f"emitted {event.type} at {event.time}"
        record = self._take(("emit",), what)
        if record[2] != event.type or record[1] != event.time:
            self._diverged(record, what)
        if self.verify is not None and record[3] != unpack(pack(event.fields)):
            raise LogDiverged(f"record {self.position}: emitted {event.type} with {event.fields!r} now; when "
                              f"recorded with {record[3]!r}")

    def finishing(self, until: float | None) -> None:
        if self.at_end and self.after is not None:
            self.after.finishing(until)
            return
        record = self._take(("fin",), "the input's end")
        if record[1] != until:
            self._diverged(record, f"the input's end (until {until})")

    def _take(self, kinds: tuple[str, ...], what: str) -> list:
        if self.at_end:
            raise LogDiverged(f"the log ends at record {self.position}, but the program went on: {what}")
        record = self.records[self.position]
        self.position += 1
        if record[0] not in kinds:
            self._diverged(record, what)
        return record

    def _diverged(self, record: list, what: str) -> None:
        raise LogDiverged(f"record {self.position}: the log says {describe(record)}, but the program did {what} "
                          "(the handlers or the input behave differently from when it was recorded)")


def _attempt_key(attempt: Attempt) -> tuple:
    err = attempt.error
    if err is None:
        return ("ok", unpack(pack(attempt.value)))
    return ("err", err.kind, err.type, err.message)


def _attempt_text(attempt: Attempt) -> str:
    err = attempt.error
    return f"returned {attempt.value!r}" if err is None else f"raised {err.type}: {err.message}"
