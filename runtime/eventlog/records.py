"""The records of the event log, and the header that says which program wrote them.

Each record is a msgpack array whose first element is its kind:

==========  ================================================  =======================================
kind        elements                                          written when
==========  ================================================  =======================================
``in``      time, event type, fields, source                  an input event is routed
``ok``      handler, idempotency key, value, [wall]           a handler attempt returned
``err``     handler, idempotency key, error kind, message,    a handler attempt raised
            exception class, exception lineage, [wall]
``fire``    deadline, timer sequence number                   a timer fires
``emit``    time, event type, fields                          the program emits an event
``fin``     until (None: run on until no timer is left)       the input ended
``end``     input events                                      the run ended (outcomes are final)
==========  ================================================  =======================================

The trace is in the order the interpreter did things, so replaying the ``in`` records with the
``ok``/``err`` results, and no handler call, does everything again in the same order; ``fire``
and ``emit`` are checked on the way, and say what happened to anyone reading the log.

``[wall]`` is optional: the seconds (a float) of wall time the handler call took, measured with
``time.perf_counter`` around it, which the virtual clock does not count (a profile reports it).
A record without it (written before it was kept, or of an attempt nobody measured) reads the
same; a replay or a resume reuses what the log holds and never adds one. Readers take their
elements by position and ignore a trailing one.

Records are written in batches: each frame after a segment's header holds the msgpack array of
the records appended since the last write (:func:`batch`), so the framing, the checksum and the
reader's decoding are paid once a batch, not once a record.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import TYPE_CHECKING

import msgpack

from coordlang import __version__
from coordlang.runtime.eventlog.frames import LogError
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.effects import Attempt
from coordlang.runtime.interpreter.values import ErrorValue

if TYPE_CHECKING:
    from coordlang.ir.nodes import Program

FORMAT = "coordlog"
FORMAT_VERSION = 3
"""2: frames begin with a marker (1 had none). 3: a frame after a segment's header holds a batch
of records (one msgpack array of them), not one record."""
KINDS = ("in", "ok", "err", "fire", "emit", "fin", "end")
WALL_AT = {"ok": 4, "err": 7, "call": 4}
"""Where a record that may end with a handler call's wall time has it, by kind (``call`` is the
compiled backend's)."""


def program_digest(program: Program) -> str:
    """What a log must be replayed with: the program's meaning. Source positions and the
    folder it lives in are left out, so moving a project or editing a comment keeps its logs;
    handler code is not the program's (it may be fixed between a crash and the resume)."""
    handlers = tuple(dataclasses.replace(h, directory=None) for h in program.handlers)
    meaning = dataclasses.replace(program, handlers=handlers, spans=())
    return hashlib.sha256(repr(meaning).encode("utf-8")).hexdigest()[:32]


def header(program: Program, file: str, first: int) -> dict:
    """A segment's header record."""
    return {"format": FORMAT, "version": FORMAT_VERSION, "coordlang": __version__,
            "program": program_digest(program), "file": file, "first": first, "backend": "interpreter"}


def check_header(found: object, where: str, digest: str | None) -> dict:
    """``found``, when it is the header of a log this coordlang can read for the program of
    ``digest`` (None: any program); else a :class:`LogError` saying why not."""
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise LogError(f"{where}: not a coordlang event log (no log header); point at the folder `coord run "
                       f"--log` wrote")
    if found.get("version") != FORMAT_VERSION or found.get("coordlang") != __version__:
        raise LogError(f"{where}: written by coordlang {found.get('coordlang')} (log format {found.get('version')}); "
                       f"this is coordlang {__version__} (log format {FORMAT_VERSION}): replay it with the version "
                       f"that wrote it, or start a new log")
    if digest is not None and found.get("program") != digest:
        raise LogError(f"{where}: recorded for another program (the log's was {found.get('file')}, and its "
                       f"workflows, events or handlers differ from this one's): replay it with the program it "
                       f"was recorded for, or record a new log in another folder")
    return found


def pack(record: object) -> bytes:
    try:
        return _packer.pack(record)
    except (TypeError, ValueError, OverflowError) as exc:
        _packer.reset()  # a failed pack leaves its partial bytes behind
        raise LogError(f"cannot record {_short(record)}: {exc}") from None


def batch(payloads: list[bytes]) -> bytes:
    """One frame's payload holding the records packed as ``payloads``: their msgpack array
    (an array header and the records' own bytes, which need no packing again)."""
    return _packer.pack_array_header(len(payloads)) + b"".join(payloads)


def batch_length(payload: bytes) -> int:
    """How many records a frame :func:`batch` wrote holds, read from its array header alone (a
    resume counts its way to a snapshot's record without decoding the batches before it)."""
    head = payload[0] if payload else 0
    if 0x90 <= head <= 0x9F:
        return head & 0x0F
    if head in (0xDC, 0xDD):
        size = 2 if head == 0xDC else 4
        if len(payload) > size:
            return int.from_bytes(payload[1:1 + size], "big")
    raise ValueError("it holds no batch of records")


def unpack_batch(payload: bytes) -> list[list]:
    """The records of a frame :func:`batch` wrote; ValueError when it holds something else."""
    found = unpack(payload)
    # The shape only, at C speed: a frame whose checksum matched was written by coordlang, and
    # each record's own elements are checked where they are read.
    if type(found) is not list or not set(map(type, found)) <= {list}:
        raise ValueError("it holds no batch of records")
    return found


def split_batch(payload: bytes) -> list[bytes]:
    """The bytes of each record in a frame :func:`batch` wrote, exactly as they were packed."""
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=len(payload))
    unpacker.feed(payload)
    count = unpacker.read_array_header()
    pieces = []
    at = unpacker.tell()
    for _ in range(count):
        unpacker.skip()
        end = unpacker.tell()
        pieces.append(payload[at:end])
        at = end
    return pieces


def _short(record: object) -> str:
    text = repr(record)
    return text if len(text) <= 120 else text[:117] + "..."


def _plain(value: object) -> object:
    """numpy scalars and arrays (batch handlers return them) as Python values."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"a {type(value).__name__} value cannot be logged (handlers return plain values)")


# One packer for every record: msgpack.packb would build a new one per call.
_packer = msgpack.Packer(use_bin_type=True, default=_plain)


def unpack(payload: bytes) -> object:
    return msgpack.unpackb(payload, raw=False, strict_map_key=False, use_list=True)


def event_record(kind: str, event: Event) -> list:
    if kind == "in":
        return ["in", event.time, event.type, event.fields, event.source]
    return ["emit", event.time, event.type, event.fields]


def event_of(record: list) -> Event:
    """The input event an ``in`` record holds."""
    return Event(record[2], record[1], record[3], record[4])


def attempt_record(handler: str, key: str, attempt: Attempt) -> list:
    err = attempt.error
    if err is None:
        record = ["ok", handler, key, attempt.value]
    else:
        record = ["err", handler, key, err.kind, err.message, err.type, list(err.lineage)]
    if attempt.wall is not None:
        record.append(attempt.wall)
    return record


def attempt_of(record: list) -> Attempt:
    if record[0] == "ok":
        return Attempt(record[3], wall=wall_of(record))
    return Attempt(error=ErrorValue(record[3], record[4], record[5], tuple(record[6])), wall=wall_of(record))


def wall_of(record: list) -> float | None:
    """The wall time a handler call's record ends with; None when it has none."""
    at = WALL_AT.get(record[0])
    return record[at] if at is not None and len(record) > at else None


def describe(record: list) -> str:
    """A record in a few words, for messages."""
    kind = record[0]
    if kind in ("in", "emit"):
        return f"{'input' if kind == 'in' else 'emitted'} {record[2]} at {record[1]}"
    if kind == "ok":
        return f"{record[1]} ({record[2]}) returned {record[3]!r}"
    if kind == "err":
        return f"{record[1]} ({record[2]}) raised {record[5]}: {record[4]}"
    if kind == "fire":
        return f"timer {record[2]} due at {record[1]}"
    if kind == "fin":
        return "the input ended" + (f" (until {record[1]})" if record[1] is not None else "")
    if kind == "end":
        return f"the run ended after {record[1]} input events"
    return repr(record)
