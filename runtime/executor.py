"""What every executor of the IR offers: the reference interpreter and the compiled backend
run a :class:`~coordlang.ir.nodes.Program` over input events to the same outcomes.

An executor is fed events in time order (batches of any size, as they are read), then told
the input ended; it reports one :class:`Outcome` per started instance, in start order, and
the counters of LANGUAGE.md section 3 ("Outcomes").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

COUNTERS = ("completed", "failed", "compensated", "cancelled", "running", "duplicate_start", "rejected",
            "unrouted", "inbox_dropped")
"""The counters of ``STATS.json``, besides ``events``, ``seconds``, ``load_seconds`` and
``compile_seconds``."""


@dataclass(frozen=True, slots=True)
class Event:
    """One input event."""

    type: str
    time: float
    """Event time, seconds since the epoch (the ``time`` field, or when it was read)."""
    fields: dict[str, object]
    """The event's declared fields, converted to their types (durations and times as float
    seconds)."""
    source: str = ""
    """Where it came from, for messages: ``events.jsonl:12``."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One instance at the end of a run: a line of ``OUTCOMES.jsonl``."""

    workflow: str
    version: int
    key: object
    status: str
    """``completed``, ``failed``, ``compensated``, ``cancelled`` or ``running``."""
    value: object = None
    """The ``complete`` value of a completed instance."""
    message: str | None = None
    """The error or ``fail`` message of a failed or compensated instance."""

    def as_json(self) -> dict:
        return {"workflow": self.workflow, "version": self.version, "key": self.key, "status": self.status,
                "value": self.value, "message": self.message}


@dataclass(slots=True)
class RunResult:
    outcomes: list[Outcome]
    counters: dict[str, int]
    """Every name of :data:`COUNTERS`."""
    events: int
    """Input events processed."""
    seconds: float
    """Time spent processing them (reading, decoding, compilation and start-up excluded)."""
    extra: dict[str, float] = field(default_factory=dict)
    """``load_seconds``, ``compile_seconds`` and the like, filled in by the caller."""

    def stats(self) -> dict:
        """The object of ``STATS.json``."""
        return {**self.counters, "events": self.events, "seconds": self.seconds, **self.extra}


class Executor(Protocol):
    """Runs one program over one stream of events. Not reusable across runs."""

    def feed(self, events: Sequence[Event]) -> None:
        """Process events in input order. The clock is the largest event time seen: a late
        event (older than the clock) is handled at the clock's time, after the timers due."""

    def finish(self, until: float | None = None) -> RunResult:
        """The input has ended: let virtual time run on, firing timers in deadline order until
        none is left (or until ``until``, in seconds since the epoch), then report."""
