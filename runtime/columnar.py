"""The columnar events file (``.coordcols``): events as frames of numpy columns.

A file is a stream of msgpack maps, one per *frame*; each frame stands alone (its own type list,
field list and string vocabularies) and holds up to about a million events in input order::

    {"format": "coord-columns", "version": 1,
     "types": [TYPE, ...],                        # the frame's event types; "type" indexes them
     "fields": {TYPE: [[FIELD, KIND], ...]},      # per type, its fields (KIND as declared)
     "rows": N,
     "type": <N bytes: uint8>,                    # each event's type, an index into "types"
     "time": <N * 8 bytes: float64 little-endian> # seconds since the epoch; NaN: no time given
     "columns": {COLUMN: [DTYPE, <N * itemsize bytes>]},
     "strings": {COLUMN: [TEXT, ...]}}            # a str column holds codes into its vocabulary

A field's values are in the column of its own name, shared by every type of the frame with a field
of that name and kind; a field entry ``[FIELD, KIND, COLUMN]`` names another column (for two types
whose fields share a name but not a kind). A row's cells in the columns of other types' fields are
meaningless. ``DTYPE`` is numpy's ``dtype.str``: ``<i8`` for ``int``; ``<f8`` for ``float``,
``duration`` (seconds) and ``time`` (seconds since the epoch); ``|b1`` for ``bool``; for ``str``, an
unsigned or signed integer type (``|u1``, ``<u2``, ``<u4``, ``<i4``, ``<i8``) of codes into the
column's vocabulary in ``"strings"``. A type's declared ``time: time`` field is the frame's time
column and is not listed. The writer is :func:`write_frame`; ``coord convert`` writes these files
from JSON Lines, msgpack or CSV.

:func:`read_frames` checks each frame against the program and yields :class:`Frame` objects whose
columns are numpy views of the file's bytes; anything wrong stops the read with one
``file:frame N: what is wrong`` message (even with ``--skip-bad``: the file was written by a
program that checked each event, so a bad frame means a damaged file or another program's file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

import numpy as np

from coordlang.errors import CoordError
from coordlang.runtime.fields import BadEvent, EventSchema, _shown, suggestion

FORMAT = "coord-columns"
VERSION = 1
EXTENSION = ".coordcols"
FRAME_ROWS = 1_000_000
"""Rows per frame the writers aim for."""
MAX_FRAME_BYTES = (1 << 31) - 1

KIND_DTYPES = {"int": "<i8", "float": "<f8", "duration": "<f8", "time": "<f8", "bool": "|b1"}
"""The one dtype of each non-string kind."""
CODE_DTYPES = ("|u1", "<u2", "<u4", "|i1", "<i2", "<i4", "<i8")
"""Dtypes a ``str`` column's codes may have."""


class FrameError(Exception):
    """What is wrong with one frame; the reader adds ``file:frame N``."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One checked frame: per used event type, its rows and its field columns."""

    number: int
    """1-based, for messages."""
    types: tuple[str, ...]
    type: np.ndarray
    """uint8 codes into ``types``, one per row."""
    time: np.ndarray
    """float64 seconds since the epoch, NaN where the event carried no time."""
    fields: dict[str, tuple[tuple[str, str, np.ndarray, tuple[str, ...] | None], ...]]
    """Per type present in the frame: (field, kind, column over all rows, vocabulary or None)."""

    def __len__(self) -> int:
        return len(self.type)


# ---------------------------------------------------------------- writing

def frame_bytes(types: list[str], fields: dict[str, list[tuple[str, str]]], type_codes: np.ndarray,
                times: np.ndarray, columns: dict[str, np.ndarray], strings: dict[str, list[str]] | None = None,
                column_of: dict[tuple[str, str], str] | None = None) -> bytes:
    """One frame as bytes. ``fields`` per type, without a ``time: time`` field; ``columns`` one
    array per column name (codes for a str column, whose vocabulary is in ``strings``);
    ``column_of`` maps (type, field) to its column where that is not the field's own name."""
    import msgpack

    if len(types) > 256:
        raise ValueError(f"a frame holds at most 256 event types, not {len(types)}")
    column_of = column_of or {}
    rows = len(type_codes)
    listed = {}
    for t in types:
        entries = []
        for name, kind in fields.get(t, ()):
            column = column_of.get((t, name), name)
            entries.append([name, kind] if column == name else [name, kind, column])
        listed[t] = entries
    frame = {
        "format": FORMAT, "version": VERSION, "types": list(types), "fields": listed, "rows": rows,
        "type": _le(np.asarray(type_codes), "|u1"), "time": _le(np.asarray(times), "<f8"),
        "columns": {name: [_dtype(col), _le(col, _dtype(col))] for name, col in columns.items()},
        "strings": {name: list(v) for name, v in (strings or {}).items()},
    }
    return msgpack.packb(frame)


def write_frame(out: BinaryIO, *args, **options) -> None:
    """Append one frame to ``out`` (the arguments of :func:`frame_bytes`)."""
    out.write(frame_bytes(*args, **options))


def _dtype(column: np.ndarray) -> str:
    return np.asarray(column).dtype.newbyteorder("<").str


def _le(column: np.ndarray, dtype: str) -> bytes:
    return np.ascontiguousarray(column, dtype=np.dtype(dtype)).tobytes()


class FrameWriter:
    """Writes events to a columnar file, a frame per ``frame_rows`` events: batches of
    :class:`~coordlang.runtime.executor.Event` (:meth:`add`, as the event reader reads them), or
    the compiled backend's kernel columns (:meth:`add_kernel_columns`, as its reader reads them,
    with no object per event). ``events`` are the program's event types, in its order. Each field
    has the column of its name, or ``NAME:KIND`` where types give one name different kinds. An
    event whose time was not given has a NaN time (read with ``clock=lambda: math.nan``)."""

    def __init__(self, out: BinaryIO, events: tuple, frame_rows: int = FRAME_ROWS) -> None:
        self.out = out
        self.frame_rows = frame_rows
        self.frames = 0
        self.rows = 0
        self.types = [e.name for e in events]
        self._code = {name: code for code, name in enumerate(self.types)}
        self.fields = {e.name: [(n, k) for n, k in e.fields if n != "time"] for e in events}
        kinds: dict[str, set[str]] = {}
        for fields in self.fields.values():
            for name, kind in fields:
                kinds.setdefault(name, set()).add(kind)
        self.column_of = {(t, n): (n if len(kinds[n]) == 1 else f"{n}:{k}")
                          for t, fields in self.fields.items() for n, k in fields}
        self._kind = {self.column_of[t, n]: k for t, fields in self.fields.items() for n, k in fields}
        self._pending: list = []
        self._kernel: list[tuple] = []
        self._kernel_rows = 0
        self._codec = None

    def add_kernel_columns(self, columns: tuple, codec) -> None:
        """Events as the compiled backend's columns ``(type, time, I, F)``, their layouts and
        strings in ``codec`` (a ``coordlang.runtime.compiled.codec.Codec``)."""
        self._codec = codec
        self._kernel.append(columns)
        self._kernel_rows += len(columns[0])
        while self._kernel_rows >= self.frame_rows:
            self._write_kernel(self.frame_rows)

    def _write_kernel(self, rows: int) -> None:
        joined = [np.concatenate(parts) for parts in zip(*self._kernel)]
        rest = [a[rows:] for a in joined]
        self._kernel = [tuple(rest)] if len(rest[0]) else []
        self._kernel_rows = len(rest[0])
        ev_type, ev_time, ev_I, ev_F = (a[:rows] for a in joined)
        n = len(ev_type)
        codec = self._codec
        columns = {column: np.zeros(n, dtype=np.dtype(KIND_DTYPES.get(kind, "<i8")))
                   for column, kind in self._kind.items()}
        texts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {c: [] for c, k in self._kind.items() if k == "str"}
        for code in np.unique(ev_type).tolist():
            etype = self.types[code]
            layout = codec.events[etype]
            assert layout.index == code, (etype, layout.index, code)
            where = np.flatnonzero(ev_type == code)
            for name, kind in self.fields[etype]:
                side, col = layout.columns[name]
                values = (ev_F if side == "F" else ev_I)[where, col]
                column = self.column_of[etype, name]
                if kind == "str":
                    texts[column].append((where, values))
                else:
                    columns[column][where] = values != 0 if kind == "bool" else values
        strings: dict[str, list[str]] = {}
        for column, parts in texts.items():
            ids = np.concatenate([v for _, v in parts]) if parts else np.zeros(0, dtype=np.int64)
            unique, inverse = np.unique(ids, return_inverse=True)
            strings[column] = [codec.strings.texts[i] for i in unique.tolist()]
            codes = np.zeros(n, dtype=np.dtype(_code_dtype(len(unique))))
            if parts:
                codes[np.concatenate([w for w, _ in parts])] = inverse
            columns[column] = codes
        write_frame(self.out, self.types, self.fields, ev_type.astype(np.uint8), ev_time, columns, strings,
                    self.column_of)
        self.frames += 1
        self.rows += n

    def add(self, events) -> None:
        for event in events:
            self._pending.append(event)
            if len(self._pending) >= self.frame_rows:
                self.flush()

    def flush(self) -> None:
        """Write the pending events as a frame (an empty frame when nothing was ever written,
        so that every file has one)."""
        if self._kernel:
            self._write_kernel(self._kernel_rows)
        if not self._pending and self.frames:
            return
        events, self._pending = self._pending, []
        n = len(events)
        codes = np.fromiter((self._code[e.type] for e in events), dtype=np.uint8, count=n)
        times = np.fromiter((e.time for e in events), dtype=np.float64, count=n)
        columns: dict[str, np.ndarray] = {}
        strings: dict[str, list[str]] = {}
        vocabularies: dict[str, dict[str, int]] = {}
        for column, kind in self._kind.items():
            if kind == "str":
                columns[column] = np.zeros(n, dtype=np.uint32)
                vocabularies[column] = {}
            else:
                columns[column] = np.zeros(n, dtype=np.dtype(KIND_DTYPES[kind]))
        present = set(codes.tolist())
        for code in sorted(present):
            etype = self.types[code]
            rows = np.flatnonzero(codes == code)
            mine = [events[r].fields for r in rows.tolist()]
            for name, kind in self.fields[etype]:
                column = self.column_of[etype, name]
                values = [fields[name] for fields in mine]
                if kind == "str":
                    vocabulary = vocabularies[column]
                    values = [vocabulary.setdefault(v, len(vocabulary)) for v in values]
                columns[column][rows] = values
        for column, vocabulary in vocabularies.items():
            strings[column] = list(vocabulary)
        for column, vocabulary in strings.items():
            columns[column] = columns[column].astype(_code_dtype(len(vocabulary)))
        write_frame(self.out, self.types, self.fields, codes, times, columns, strings, self.column_of)
        self.frames += 1
        self.rows += n


def _code_dtype(size: int) -> str:
    return "|u1" if size <= 1 << 8 else "<u2" if size <= 1 << 16 else "<u4"


# ---------------------------------------------------------------- reading

def read_frames(chunks: Iterator[bytes], schemas: dict[str, EventSchema],
                type_problem: Callable[[object], str], place: Callable[[int], str]) -> Iterator[Frame]:
    """Checked frames from the file's bytes, read in chunks. ``type_problem`` words an unknown
    type as the other readers do; ``place(n)`` is ``file:frame n``. Raises :class:`FrameError`
    :class:`ColumnsError` with the place."""
    import msgpack

    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=MAX_FRAME_BYTES,
                                max_bin_len=MAX_FRAME_BYTES, max_str_len=MAX_FRAME_BYTES,
                                max_array_len=MAX_FRAME_BYTES, max_map_len=MAX_FRAME_BYTES)
    fed = 0
    number = 0
    for chunk in chunks:
        fed += len(chunk)
        unpacker.feed(chunk)
        while True:
            try:
                value = unpacker.unpack()
            except msgpack.OutOfData:
                break
            except (ValueError, msgpack.UnpackException) as exc:
                raise ColumnsError(f"{place(number + 1)}: not a coord-columns frame: the bytes are not msgpack "
                                   f"({exc or 'no msgpack value starts here'}); write the file with coord convert")
            number += 1
            try:
                yield check_frame(value, number, schemas, type_problem)
            except FrameError as exc:
                raise ColumnsError(f"{place(number)}: {exc}") from None
    if unpacker.tell() < fed:
        raise ColumnsError(f"{place(number + 1)}: the file ends inside the frame (truncated?); "
                           "copy or convert it again")
    if number == 0:
        raise ColumnsError(f"{place(1)}: the file is empty; a coord-columns file has at least one frame "
                           "(write it with coord convert)")


class ColumnsError(CoordError):
    """A columnar file that cannot be read, with its place; the event reader turns it into an
    :class:`~coordlang.runtime.events.EventError`."""


def check_frame(value: object, number: int, schemas: dict[str, EventSchema],
                type_problem: Callable[[object], str]) -> Frame:
    """The frame, checked against the program's event types, or :class:`FrameError`."""
    if type(value) is not dict or value.get("format") != FORMAT:
        what = "its first bytes are" if number == 1 else "this is"
        raise FrameError(f"not a coord-columns frame ({what} not a map with \"format\": \"{FORMAT}\"); "
                         "write the file with coord convert")
    version = value.get("version")
    if version != VERSION:
        raise FrameError(f"format version {_shown(version)}, but this coord reads version {VERSION}; "
                         "convert the events again with this coord")
    rows = _get(value, "rows", int)
    if rows < 0:
        raise FrameError(f"\"rows\" is {rows}; it must be 0 or more")
    types = _get(value, "types", list)
    if not all(type(t) is str for t in types) or len(set(types)) != len(types) or len(types) > 256:
        raise FrameError("\"types\" must be a list of at most 256 distinct event type names")
    listed = _get(value, "fields", dict)
    columns = _get(value, "columns", dict)
    strings = _get(value, "strings", dict)
    codes = _array(_get(value, "type", bytes), "|u1", rows, "the \"type\" column")
    times = _array(_get(value, "time", bytes), "<f8", rows, "the \"time\" column")
    if rows and len(types) == 0:
        raise FrameError("\"types\" is empty but the frame has rows")
    present = np.flatnonzero(np.bincount(codes, minlength=len(types))) if rows else np.zeros(0, dtype=np.int64)
    if len(present) and present[-1] >= len(types):
        row = int(np.flatnonzero(codes >= len(types))[0])
        raise FrameError(f"row {row + 1}: type code {int(codes[row])}, but \"types\" has {len(types)} names")
    if np.isinf(times).any():
        row = int(np.flatnonzero(np.isinf(times))[0])
        raise FrameError(f"row {row + 1}: time {float(times[row])!r} is not a finite number (NaN means no time)")
    checked: dict[str, tuple] = {}
    cache: dict[tuple[str, str], tuple[np.ndarray, tuple[str, ...] | None]] = {}
    for code in present.tolist():
        name = types[code]
        schema = schemas.get(name)
        if schema is None:
            raise FrameError(f"{type_problem(name)}; convert the events with this program")
        if schema.conflict:
            raise FrameError(schema.conflict)
        entries = listed.get(name)
        if type(entries) is not list:
            raise FrameError(f"\"fields\" has no list for event type {name}")
        mine = (codes == code) if len(present) > 1 else None
        checked[name] = _type_fields(name, schema, entries, columns, strings, rows, mine, cache)
    return Frame(number, tuple(types), codes, times, checked)


def _type_fields(name: str, schema: EventSchema, entries: list, columns: dict, strings: dict, rows: int,
                 mine: np.ndarray | None, cache: dict) -> tuple:
    declared = {field: kind for field, kind in schema.fields if field != "time"}
    seen: dict[str, tuple] = {}
    for entry in entries:
        if type(entry) is not list or len(entry) not in (2, 3) or not all(type(x) is str for x in entry):
            raise FrameError(f"{name}: a field entry must be [FIELD, KIND] or [FIELD, KIND, COLUMN], found "
                             f"{_shown(entry)}")
        field, kind = entry[0], entry[1]
        column = entry[2] if len(entry) == 3 else field
        if field == "time" and schema.time_field:
            raise FrameError(f"{name}: field 'time' is the frame's \"time\" column; leave it out of \"fields\"")
        if field not in declared:
            try:
                schema.unknown_fields([field])
            except BadEvent as exc:
                raise FrameError(f"{exc}; convert the events with this program") from None
        if field in seen:
            raise FrameError(f"{name}: field '{field}' is listed twice")
        if kind != declared[field]:
            raise FrameError(f"{name}: field '{field}' is {kind} in the file but {declared[field]} in the program; "
                             "convert the events with this program")
        key = (column, kind)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _column(column, kind, columns, strings, rows)
        array, vocabulary = found
        _check_values(name, field, kind, array, vocabulary, mine)
        seen[field] = (field, kind, array, vocabulary)
    for field, kind in declared.items():
        if field not in seen:
            raise FrameError(f"{name}: missing field '{field}' ({kind}) in \"fields\"")
    return tuple(seen[field] for field in declared)


def _column(column: str, kind: str, columns: dict, strings: dict, rows: int) -> tuple:
    entry = columns.get(column)
    if entry is None:
        raise FrameError(f"no column '{column}' in \"columns\"" + suggestion(column, [c for c in columns
                                                                                    if type(c) is str]))
    if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not str or type(entry[1]) is not bytes:
        raise FrameError(f"column '{column}' must be [DTYPE, BYTES]")
    dtype, data = entry
    if kind == "str":
        if dtype not in CODE_DTYPES:
            raise FrameError(f"column '{column}' holds str codes as {dtype}; use one of {', '.join(CODE_DTYPES)}")
        vocabulary = strings.get(column)
        if type(vocabulary) is not list or not all(type(s) is str for s in vocabulary):
            raise FrameError(f"column '{column}' is a str column but \"strings\" has no list of texts for it")
        return _array(data, dtype, rows, f"column '{column}'"), tuple(vocabulary)
    if dtype != KIND_DTYPES[kind]:
        raise FrameError(f"column '{column}' is {dtype}; {kind} values are {KIND_DTYPES[kind]}")
    return _array(data, dtype, rows, f"column '{column}'"), None


def _check_values(name: str, field: str, kind: str, array: np.ndarray, vocabulary, mine) -> None:
    if kind == "str":
        values = array if mine is None else array[mine]
        if len(values) and (int(values.min()) < 0 or int(values.max()) >= len(vocabulary)):
            bad = (values < 0) | (values >= len(vocabulary))
            row = _row(bad, mine)
            raise FrameError(f"row {row + 1}: {name}.{field} has code {int(array[row])}, but its vocabulary "
                             f"has {len(vocabulary)} texts")
    elif array.dtype.kind == "f":
        values = array if mine is None else array[mine]
        finite = np.isfinite(values)
        if not finite.all():
            row = _row(~finite, mine)
            raise FrameError(f"row {row + 1}: {name}.{field} is {float(array[row])!r}, not a finite number")


def _row(bad: np.ndarray, mine: np.ndarray | None) -> int:
    """The frame row of the first ``bad`` value (``bad`` over the type's rows when ``mine``)."""
    first = int(np.flatnonzero(bad)[0])
    return first if mine is None else int(np.flatnonzero(mine)[first])


def _array(data: bytes, dtype: str, rows: int, what: str) -> np.ndarray:
    size = np.dtype(dtype).itemsize
    if len(data) != rows * size:
        raise FrameError(f"{what} has {len(data)} bytes; {rows} rows of {dtype} are {rows * size} bytes")
    array = np.frombuffer(data, dtype=dtype)
    if dtype == "|b1" and len(data) and np.frombuffer(data, dtype=np.uint8).max() > 1:
        raise FrameError(f"{what} holds a byte other than 0 or 1 in a bool column")
    return array


_KINDS = {int: "an int", list: "a list", dict: "a map", bytes: "binary data", str: "a string"}


def _get(frame: dict, key: str, kind: type):
    value = frame.get(key)
    if type(value) is not kind:
        found = "nothing" if value is None else _shown(value)
        raise FrameError(f"\"{key}\" must be {_KINDS[kind]}, found {found}")
    return value


def nan_to(times: np.ndarray, now: float) -> np.ndarray:
    """The event times with the rows that carried none given ``now``."""
    missing = np.isnan(times)
    if not missing.any():
        return times
    out = times.copy()
    out[missing] = now
    return out


__all__ = ["FORMAT", "VERSION", "EXTENSION", "Frame", "FrameError", "ColumnsError", "frame_bytes", "write_frame",
           "read_frames", "check_frame", "nan_to"]
