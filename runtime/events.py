"""Reading input events for a program: JSON Lines, msgpack and CSV, in batches.

Each input event is a record with ``"event"`` (its type), an optional ``"time"`` (RFC 3339 text
or seconds since the epoch; without one, the moment it was read) and the fields its type
declares — no more, no fewer, each of its declared type (see :mod:`.fields`). A record that is
not so stops the run with an :class:`EventError` ``file:line: what is wrong`` (``file:#N`` for
the N-th msgpack record), or, with ``skip_bad``, is written to a rejects file as
``{"line": N, "reason": "...", "text": "..."}`` and reading goes on.

- **JSON Lines** (``.jsonl``, ``.json``, ``.ndjson``): one object per line; blank lines are
  skipped. Read in chunks of 1 MiB, one ``orjson.loads`` per line.
- **msgpack** (``.msgpack``, ``.mpk``): a stream of maps with the same keys as JSON; a time may
  also be a msgpack timestamp. A stream that is not msgpack cannot be resynchronised, so that
  stops the run even with ``skip_bad``.
- **columnar** (``.coordcols``): frames of numpy columns, see :mod:`.columnar`; any problem stops
  the run, with ``file:frame N``.
- **CSV** (``.csv``): a header row naming the columns, ``event``, then ``time`` (optional) and
  field names, in any order; an empty cell is a missing field, so a row fills the cells of its
  own type's fields and leaves the others empty. Header problems stop the run even with
  ``skip_bad``.

A UTF-8 byte order mark at the start is accepted. ``-`` reads standard input (JSON Lines unless
a format is given). Batches are ``batch_size`` events, or fewer when standard input has nothing
more ready, so a live stream is not held back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import select
import stat
import sys
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterator

import orjson

from coordlang.errors import CoordError
from coordlang.gcpause import gc_paused
from coordlang.ir.nodes import Program
from coordlang.sources import unreadable
from coordlang.runtime.executor import Event
from coordlang.runtime.fields import (TEXT_CONVERTERS, BadEvent, EventSchema, _shown, kind_of, rfc3339_seconds, suggestion,
                                      time_from_text)

if TYPE_CHECKING:
    from coordlang.runtime.columnar import Frame

FORMATS = ("jsonl", "msgpack", "csv", "columns")
EXTENSIONS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".msgpack": "msgpack", ".mpk": "msgpack",
              ".csv": "csv", ".coordcols": "columns"}
BATCH_SIZE = 10_000
CHUNK = 1 << 20
STDIN = "<stdin>"

_BOM = b"\xef\xbb\xbf"
_NO_TIME = object()

# Events are built by setting their slots directly: a frozen dataclass's __init__ goes through
# object.__setattr__ per field, which doubles the cost of the reader's innermost step.
_new = object.__new__
_set_type = Event.type.__set__  # type: ignore[attr-defined]
_set_time = Event.time.__set__  # type: ignore[attr-defined]
_set_fields = Event.fields.__set__  # type: ignore[attr-defined]
_set_source = Event.source.__set__  # type: ignore[attr-defined]


def _event(etype: str, stamp: float, fields: dict, source: str) -> Event:
    event = _new(Event)
    _set_type(event, etype)
    _set_time(event, stamp)
    _set_fields(event, fields)
    _set_source(event, source)
    return event


class EventError(CoordError):
    """An events file that cannot be read, or a bad input event: ``file:line: what is wrong``."""


def event_format(path: str | Path, explicit: str | None = None) -> str:
    """The format of an events file: ``explicit``, else by extension (JSON Lines for ``-``)."""
    if explicit is not None:
        if explicit not in FORMATS:
            raise EventError(f"unknown events format '{explicit}'; use one of {', '.join(FORMATS)}")
        return explicit
    if str(path) == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    shown = f"extension '{suffix}'" if suffix else "name (no extension)"
    raise EventError(f"{path}: cannot tell the events format from its {shown}; "
                     f"name it .jsonl, .msgpack, .csv or .coordcols, or give --format {'|'.join(FORMATS)}")


class EventReader:
    """Reads one events file (or standard input) for ``program``, in batches of :class:`Event`.

    Iterate it once (``for batch in reader``); ``position`` and ``size`` (bytes, ``size`` None
    for a pipe) tell the progress, ``events`` and ``rejected`` the counts so far. Use it as a
    context manager, or call :meth:`close`, to close the files."""

    def __init__(self, program: Program, path: str | Path, *, format: str | None = None,
                 skip_bad: str | Path | None = None, batch_size: int = BATCH_SIZE,
                 clock: Callable[[], float] = time.time, stdin: BinaryIO | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.format = event_format(path, format)
        self.name = STDIN if str(path) == "-" else str(path)
        self._prefix = self.name + ":"
        self.batch_size = batch_size
        self.size: int | None = None
        self.position = 0
        self.events = 0
        self.rejected = 0
        self._clock = clock
        self._chunk = CHUNK
        self._schemas = {e.name: EventSchema.of(e) for e in program.events}
        self._regular = True
        if str(path) == "-":
            self._stream: BinaryIO = stdin if stdin is not None else sys.stdin.buffer
            self._owned = False
        else:
            self._stream = _open_events(Path(path))
            self._owned = True
        try:
            info = os.fstat(self._stream.fileno())
            self._regular = stat.S_ISREG(info.st_mode)
            self.size = info.st_size if self._regular else None
        except (OSError, AttributeError, io.UnsupportedOperation):
            pass  # an in-memory stream: everything is ready, its size unknown
        self._offset = 0
        """Where reading starts: 0, or a logged run's place (:meth:`resume_at`)."""
        self._line = 0
        """Lines before ``_offset``."""
        self._recent: deque = deque(maxlen=4)
        """(lines before it, offset, block, offset after it) of the last JSON Lines blocks read."""
        self._batch_lines = None
        """The line of each event of the last batch handed out (JSON Lines)."""
        self._rejects = None
        self.rejects_path = skip_bad
        if skip_bad is not None:
            try:
                self._rejects = open(skip_bad, "w", encoding="utf-8")
            except OSError as exc:
                self.close()
                raise EventError(f"{skip_bad}: cannot write the rejects file: {exc.strerror or exc}") from None

    def __enter__(self) -> EventReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self._stream.close()
        if self._rejects is not None:
            self._rejects.close()

    def __iter__(self) -> Iterator[list[Event]]:
        reader = {"jsonl": self._jsonl, "msgpack": self._msgpack, "csv": self._csv,
                  "columns": self._columns}[self.format]
        for batch in reader():
            self.events += len(batch)
            yield batch
        if self._rejects is not None:
            self._rejects.flush()

    # ------------------------------------------------------------ places in the input

    def placeable(self) -> int | None:
        """The file descriptor of a JSON Lines input whose places :meth:`place_after` tells and
        :meth:`resume_at` can go back to (a regular file), else None."""
        if self.format != "jsonl" or not self._regular:
            return None
        try:
            return self._stream.fileno()
        except (OSError, AttributeError, io.UnsupportedOperation):
            return None

    def resume_at(self, offset: int, lines: int, events: int) -> None:
        """Start reading at byte ``offset``, after ``lines`` lines holding ``events`` events (a
        logged run's place, whose bytes the caller has checked); before iterating."""
        self._stream.seek(offset)
        self.position = self._offset = offset
        self._line = lines
        self.events = events

    def place_after(self, events: int) -> tuple[int, int] | None:
        """(byte offset, lines before it) just after the line of input event ``events`` (counted
        from the input's first) when it is in the last batch handed out; else None."""
        lines = self._batch_lines
        if lines is None:
            return None
        k = events - (self.events - len(lines))
        if not 0 < k <= len(lines):
            return None
        line = int(lines[k - 1])
        for before, offset, block, after in reversed(self._recent):
            if before < line:
                row = line - before - 1
                ends = _line_ends(block)
                if row >= len(ends):
                    return None
                return (offset + int(ends[row]) + 1 if row < len(ends) - 1 else after), line
        return None

    # ------------------------------------------------------------ shared steps

    def _read(self) -> bytes:
        try:
            read = getattr(self._stream, "read1", self._stream.read)
            chunk = read(self._chunk)
        except OSError as exc:
            raise EventError(f"{self.name}: cannot read: {exc.strerror or exc}") from None
        self.position += len(chunk)
        return chunk

    def _ready(self) -> bool:
        """Whether more input can be read without waiting (always, for a regular file)."""
        if self._regular:
            return True
        try:
            return bool(select.select([self._stream], [], [], 0)[0])
        except (OSError, ValueError, TypeError, io.UnsupportedOperation):
            return True

    def _batches(self, pending: list[Event], chunk_done: bool,
                 lines: list[int] | None = None) -> Iterator[list[Event]]:
        """Batches of ``pending`` (taken out of it); ``lines``, when given, are their events'
        lines, taken out alike (see :meth:`place_after`)."""
        size = self.batch_size
        while len(pending) >= size:
            if lines is not None:
                self._batch_lines = lines[:size]
                del lines[:size]
            yield pending[:size]
            del pending[:size]
        if pending and chunk_done and not self._ready():
            if lines is not None:
                self._batch_lines = lines[:]
                lines.clear()
            yield pending[:]
            pending.clear()

    def _reject(self, place: str, reason: str, text: str) -> None:
        if self._rejects is None:
            raise EventError(f"{self.name}:{place}: {reason}")
        self.rejected += 1
        line: object = int(place.lstrip("#"))
        self._rejects.write(json.dumps({"line": line, "reason": reason, "text": text}, ensure_ascii=False) + "\n")

    def _event(self, record: object, now: float, place: object) -> Event:
        """One decoded record (JSON, msgpack) as an event, or :class:`BadEvent`. ``place`` is
        the line number, or ``#N`` for the N-th record."""
        if type(record) is not dict:
            raise BadEvent(f"expected an object {{\"event\": TYPE, ...}}, found {kind_of(record)}")
        etype = record.pop("event", None)
        schema = self._schemas.get(etype) if type(etype) is str else None
        if schema is None or schema.conflict:
            raise BadEvent(schema.conflict if schema is not None else self._type_problem(etype))
        stamp = record.pop("time", _NO_TIME)
        if stamp is _NO_TIME:
            stamp = now
        elif type(stamp) is str:
            try:
                stamp = rfc3339_seconds(stamp)
            except ValueError as exc:
                raise BadEvent(str(exc)) from None
        elif type(stamp) is float or type(stamp) is int:
            stamp = float(stamp)
            if not (-_INF < stamp < _INF):
                raise BadEvent(f"bad time {_shown(stamp)}: not a finite number")
        else:
            stamp = _other_time(stamp)
        if schema.fast(record) and not schema.converted:
            fields = record
        else:
            fields = schema.check(record)
        if schema.time_field:
            fields["time"] = stamp
        return _event(etype, stamp, fields, f"{self._prefix}{place}")

    def _type_problem(self, etype: object) -> str:
        if etype is None:
            return 'no "event" key naming the event type'
        if type(etype) is not str:
            return f'"event" must name an event type (a string), found {_shown(etype)}'
        if not self._schemas:
            return f"unknown event type '{etype}': the program declares no events"
        hint = suggestion(etype, self._schemas)
        if hint:
            return f"unknown event type '{etype}'{hint}"
        declared = ", ".join(sorted(self._schemas))
        return f"unknown event type '{etype}'; the program declares {declared}"

    # ------------------------------------------------------------ JSON Lines

    def _blocks(self) -> Iterator[tuple[int, bytes, int]]:
        """The input's lines a chunk at a time: (its offset in the file, the block, the offset
        after it). Each block is whole lines joined by ``\n`` (without the last one's), the byte
        order mark taken off the first."""
        carry: list[bytes] = []
        first = self._offset == 0
        at = self._offset
        while True:
            chunk = self._read()
            if first and chunk:
                if carry:
                    chunk, carry = b"".join(carry) + chunk, []
                if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                    carry.append(chunk)  # a BOM split across reads: wait for the rest
                    continue
                first = False
                if chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM):]
                    at += len(_BOM)
                    if not chunk:
                        continue
            if chunk:
                cut = chunk.rfind(b"\n")
                if cut < 0:
                    carry.append(chunk)
                    continue
                # One copy of the chunk's lines: joining a memoryview does not copy it first.
                block = b"".join((*carry, memoryview(chunk)[:cut])) if carry else chunk[:cut]
                yield at, block, at + len(block) + 1
                at += len(block) + 1
                carry = [chunk[cut + 1:]] if cut + 1 < len(chunk) else []
            else:
                if carry:
                    block = b"".join(carry)
                    yield at, block, at + len(block)
                break

    def _jsonl(self) -> Iterator[list[Event]]:
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        make = self._event
        clock = self._clock
        pending: list[Event] = []
        pending_lines: list[int] = []
        lineno = self._line
        recent = self._recent
        for offset, block, after in self._blocks():
            recent.append((lineno, offset, block, after))
            lines = block.split(b"\n")
            now = clock()
            # A chunk's records and events are thousands of acyclic objects: collecting while
            # they are built only rescans them (a fifth of the reading time).
            with gc_paused():
                for line in lines:
                    lineno += 1
                    try:
                        record = loads(line)
                    except decode_error as exc:
                        if line.strip():
                            self._reject(str(lineno), _json_problem(exc, line), _line_text(line))
                        continue
                    try:
                        pending.append(make(record, now, lineno))
                    except BadEvent as exc:
                        self._reject(str(lineno), str(exc), _line_text(line))
                        continue
                    pending_lines.append(lineno)
            yield from self._batches(pending, True, pending_lines)
        if pending:
            self._batch_lines = pending_lines
            yield pending

    # ------------------------------------------------------------ msgpack

    def _msgpack(self) -> Iterator[list[Event]]:
        import msgpack

        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        make = self._event
        pending: list[Event] = []
        fed = 0
        record = 0
        while True:
            chunk = self._read()
            if not chunk:
                break
            fed += len(chunk)
            unpacker.feed(chunk)
            now = self._clock()
            with gc_paused():
                while True:
                    try:
                        value = unpacker.unpack()
                    except msgpack.OutOfData:
                        break
                    except (ValueError, msgpack.UnpackException) as exc:
                        detail = str(exc) or "bytes that start no msgpack value"
                        raise EventError(f"{self.name}:#{record + 1}: not msgpack: {detail}") from None
                    record += 1
                    try:
                        pending.append(make(value, now, f"#{record}"))
                    except BadEvent as exc:
                        self._reject(f"#{record}", str(exc), _record_text(value))
            yield from self._batches(pending, True)
        if unpacker.tell() < fed:
            raise EventError(f"{self.name}:#{record + 1}: the input ends inside a msgpack record")
        if pending:
            yield pending

    # ------------------------------------------------------------ columnar files

    def frames(self) -> Iterator[Frame]:
        """The checked frames of a columnar file (see :mod:`.columnar`)."""
        from coordlang.runtime.columnar import ColumnsError, read_frames  # numpy: only for this format

        def chunks() -> Iterator[bytes]:
            while True:
                chunk = self._read()
                if not chunk:
                    return
                yield chunk

        try:
            yield from read_frames(chunks(), self._schemas, self._type_problem,
                                   lambda number: f"{self.name}:frame {number}")
        except ColumnsError as exc:
            raise EventError(str(exc)) from None

    def _columns(self) -> Iterator[list[Event]]:
        from coordlang.runtime.columnar import nan_to

        size = self.batch_size
        for frame in self.frames():
            times = nan_to(frame.time, self._clock()).tolist()
            codes = frame.type.tolist()
            source = f"{self._prefix}frame {frame.number}"
            # Per type: (type name, its fields as (name, Python values over all rows)); a column
            # shared by several types is converted once.
            converted: dict[int, list] = {}
            plans: list = [None] * len(frame.types)
            for code, etype in enumerate(frame.types):
                entries = frame.fields.get(etype)
                if entries is None:
                    continue
                values = []
                for name, _kind, array, vocabulary in entries:
                    key = id(array)
                    if key not in converted:
                        python = array.tolist()
                        if vocabulary is not None:
                            python = [vocabulary[c] for c in python]
                        converted[key] = python
                    values.append((name, converted[key]))
                plans[code] = (etype, tuple(values), self._schemas[etype].time_field)
            with gc_paused():
                for lo in range(0, len(codes), size):
                    batch = []
                    for row in range(lo, min(lo + size, len(codes))):
                        etype, values, time_field = plans[codes[row]]
                        stamp = times[row]
                        fields = {name: column[row] for name, column in values}
                        if time_field:
                            fields["time"] = stamp
                        batch.append(_event(etype, stamp, fields, source))
                    yield batch

    # ------------------------------------------------------------ CSV

    def _csv(self) -> Iterator[list[Event]]:
        lines = _CsvLines(self)
        # Strict: a stray quote is an error to report, not text to guess at.
        rows = csv.reader(lines, strict=True)
        pending: list[Event] = []
        size = self.batch_size
        header: _CsvHeader | None = None
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                start, raw, _ = lines.take()
                if header is None:
                    raise EventError(f"{self.name}:{start}: the header row is not CSV: {exc}") from None
                self._reject(str(start), f"not CSV: {exc}", raw)
                continue
            start, raw, bad_bytes = lines.take()
            if not any(row):
                continue  # a blank line, or a row of empty cells
            if header is None:
                header = _CsvHeader.of(row, self, start)
                continue
            try:
                if bad_bytes:
                    raise BadEvent(bad_bytes)
                pending.append(header.event(row, lines.read_time, start))
            except BadEvent as exc:
                self._reject(str(start), str(exc), raw)
            if len(pending) >= size or (pending and lines.exhausted()):
                yield from self._batches(pending, lines.exhausted())
        if pending:
            yield pending


_INF = float("inf")


def _other_time(stamp: object) -> float:
    if type(stamp).__name__ == "Timestamp" and hasattr(stamp, "to_unix"):
        return stamp.to_unix()  # type: ignore[attr-defined]
    raise BadEvent(f"bad time {_shown(stamp)}: expected RFC 3339 text like 2026-01-05T10:00:00Z "
                   "or seconds since the epoch")


def _open_events(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise EventError(unreadable(path, exc, "is a directory, not an events file")) from None


def _line_ends(block: bytes) -> list[int] | object:
    """The offsets of the ``\n`` in a block, and one past its end (the last line's end)."""
    import numpy as np  # only when a snapshot asks where it stands

    ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    return np.append(ends, len(block))


def _line_text(line: bytes) -> str:
    return line.rstrip(b"\r").decode("utf-8", "replace")


def _json_problem(exc: Exception, line: bytes) -> str:
    """``not valid JSON at column N (what orjson says)``: the column is ours to promise, the
    words are orjson's and vary between its versions."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return _not_utf8(line, bad)
    message = str(exc)
    # orjson: "unexpected character: line 1 column 7 (char 6)"; each line is its own document.
    what, _, where = message.partition(": line 1 column ")
    column = where.split(" ", 1)[0]
    if what.startswith("unexpected content after document"):
        what = "more after the object"
    return f"not valid JSON at column {column} ({what})" if column.isdigit() else f"not valid JSON ({message})"


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    column = len(data[:exc.start].decode("utf-8", "replace")) + 1
    return f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column})"


def _record_text(value: object) -> str:
    try:
        return orjson.dumps(value, default=repr, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return repr(value)


class _CsvLines:
    """The lines of a CSV input for ``csv.reader``, read a chunk at a time, remembering the
    raw text and the first line number of the row being read."""

    def __init__(self, reader: EventReader) -> None:
        self._reader = reader
        self._lines: list[bytes] = []
        self._next = 0
        self._carry = b""
        self._eof = False
        self._first = True
        self._lineno = 0
        self.start = 1
        self.read_time = reader._clock()
        self._raw: list[str] = []
        self._bad: str | None = None

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self._next >= len(self._lines) and not self._fill():
            raise StopIteration
        data = self._lines[self._next]
        self._next += 1
        self._lineno += 1
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self._bad is None:
                self._bad = _not_utf8(data.rstrip(b"\r\n"), exc)
            text = data.decode("utf-8", "replace")
        self._raw.append(text)
        return text

    def _fill(self) -> bool:
        while not self._eof:
            chunk = self._reader._read()
            if not chunk:
                self._eof = True
                if self._carry:
                    self._lines, self._next, self._carry = [self._carry], 0, b""
                    return True
                return False
            self.read_time = self._reader._clock()
            data = self._carry + chunk
            if self._first:
                if len(data) < len(_BOM) and _BOM.startswith(data):
                    self._carry = data  # a BOM split across reads: wait for the rest
                    continue
                self._first = False
                if data.startswith(_BOM):
                    data = data[len(_BOM):]
            cut = data.rfind(b"\n")
            if cut < 0:
                self._carry = data
                continue
            self._lines = data[:cut + 1].splitlines(keepends=True)
            self._next = 0
            self._carry = data[cut + 1:]
            return True
        return False

    def take(self) -> tuple[int, str, str | None]:
        """The row just read: its first line number, its raw text, any UTF-8 problem."""
        start, raw, bad = self.start, "".join(self._raw).rstrip("\r\n"), self._bad
        self.start = self._lineno + 1
        self._raw = []
        self._bad = None
        return start, raw, bad

    def exhausted(self) -> bool:
        """No line is left in the current chunk: the next row needs another read."""
        return self._next >= len(self._lines)


class _CsvHeader:
    """The columns of a CSV input and, per event type, which column holds which field."""

    def __init__(self, reader: EventReader, columns: list[str]) -> None:
        self.reader = reader
        self.columns = columns
        self.event_column = columns.index("event")
        self.time_column = columns.index("time") if "time" in columns else None
        self._plans: dict[str, tuple] = {}

    @classmethod
    def of(cls, row: list[str], reader: EventReader, line: int) -> _CsvHeader:
        place = f"{reader.name}:{line}"
        if "event" not in row:
            raise EventError(f"{place}: the header row has no 'event' column; name the columns "
                             "event, time (optional), then the fields")
        known = {"event", "time"} | {name for s in reader._schemas.values() for name, _ in s.fields}
        seen: set[str] = set()
        for index, name in enumerate(row):
            if name in seen:
                raise EventError(f"{place}: the header names column '{name}' twice")
            seen.add(name)
            if not name:
                raise EventError(f"{place}: column {index + 1} of the header has no name")
            if name not in known:
                raise EventError(f"{place}: column '{name}' is not a field of any declared event type"
                                 f"{suggestion(name, known)}")
        return cls(reader, row)

    def _plan(self, etype: str) -> tuple:
        """For rows of one event type: its schema, (name, type, column, converter) per field,
        and the other columns, whose cells must be empty."""
        schema = self.reader._schemas.get(etype)
        if schema is None:
            raise BadEvent(self.reader._type_problem(etype) if etype else "the event cell is empty")
        if schema.conflict:
            raise BadEvent(schema.conflict)
        index = {name: i for i, name in enumerate(self.columns)}
        fields = tuple((name, kind, index.get(name), TEXT_CONVERTERS[kind])
                       for name, kind in schema.fields if name != "time")
        others = tuple(i for i, name in enumerate(self.columns)
                       if name not in ("event", "time") and name not in schema.keys)
        plan = self._plans[etype] = (schema, fields, others)
        return plan

    def event(self, row: list[str], now: float, place: int) -> Event:
        if len(row) != len(self.columns):
            raise BadEvent(f"the row has {len(row)} cells; the header has {len(self.columns)} columns")
        etype = row[self.event_column]
        plan = self._plans.get(etype)
        schema, fields_plan, others = plan if plan is not None else self._plan(etype)
        stamp = now
        if self.time_column is not None and row[self.time_column]:
            try:
                stamp = time_from_text(row[self.time_column])
            except ValueError as exc:
                raise BadEvent(str(exc)) from None
        for index in others:
            if row[index]:
                schema.unknown_fields([self.columns[index]])
        fields: dict[str, object] = {}
        for name, kind, index, convert in fields_plan:
            cell = row[index] if index is not None else ""
            if not cell:
                raise BadEvent(f"{schema.name}: missing field '{name}' ({kind})")
            try:
                fields[name] = convert(cell)
            except ValueError:
                raise BadEvent(schema.mistyped(name, cell)) from None
        if schema.time_field:
            fields["time"] = stamp
        return _event(etype, stamp, fields, f"{self.reader._prefix}{place}")


def read_batches(program: Program, path: str | Path, **options) -> Iterator[list[Event]]:
    """The events of ``path`` in batches (see :class:`EventReader` for the options)."""
    with EventReader(program, path, **options) as reader:
        yield from reader


def read_events(program: Program, path: str | Path, **options) -> list[Event]:
    """Every event of ``path`` in one list: for tests, the debugger and small inputs."""
    return [event for batch in read_batches(program, path, **options) for event in batch]
