"""Reading input events straight into the compiled kernel's columns.

:class:`KernelReader` is the :class:`~coordlang.runtime.events.EventReader` of the compiled
backend: same files, same checks, same messages, same rejects, but it yields the kernel's
columns ``(type, time, I, F)`` (see ``Codec.columns``) instead of lists of events:

- **JSON Lines**: each chunk of lines goes through the numba scanner (``jsonl_scan.py``), which
  fills the columns with no Python object per field; the lines it leaves (anything unusual,
  every bad line) go through the event reader's own path, one by one in line order, for their
  event or their exact message.
- **columnar files**: each checked frame's columns are copied into the kernel's, a column at a
  time; a ``str`` column's vocabulary is interned once per frame.
- **msgpack and CSV**: the event reader's events, turned into columns by the codec.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterator

import numpy as np
import orjson

from coordlang.ir.nodes import Program
from coordlang.runtime.columnar import Frame, nan_to
from coordlang.runtime.compiled import jsonl_scan as scanner
from coordlang.runtime.compiled.codec import Codec
from coordlang.runtime.events import EventReader, _json_problem, _line_text
from coordlang.runtime.fields import BadEvent

Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
FILE_CHUNK = 8 << 20
"""Bytes read at a time from a regular file (about 100,000 lines): fewer, larger kernel calls."""
BATCH_ROWS = 100_000
"""Rows of a columnar frame fed to the kernel at a time."""


class KernelReader(EventReader):
    """Reads one events file for ``program`` as the kernel's columns, interning strings in
    ``codec``. Iterate it once; ``events``, ``rejected``, ``position`` and ``size`` as for
    :class:`EventReader`."""

    def __init__(self, program: Program, codec: Codec, path: str | Path, **options) -> None:
        super().__init__(program, path, **options)
        if self._regular:
            self._chunk = FILE_CHUNK
        self.codec = codec
        wi, wf = codec.event_width
        self._width = (max(wi, 1), max(wf, 1))
        self._time_columns = [(layout.index, layout.columns["time"][1]) for name, layout in codec.events.items()
                              if self._schemas[name].time_field]
        self._tables = _ScanTables.of(program, codec) if self.format == "jsonl" else None

    def __iter__(self) -> Iterator[Columns]:  # type: ignore[override]
        if self.format == "jsonl" and self._tables is not None:
            source = self._jsonl_columns()
        elif self.format == "columns":
            source = self._frames_columns()
        else:
            source = self._event_columns()
        for columns in source:
            if len(columns[0]):
                self.events += len(columns[0])
                yield columns
        if self._rejects is not None:
            self._rejects.flush()

    # ------------------------------------------------------------ events as objects

    def _event_columns(self) -> Iterator[Columns]:
        reader = {"jsonl": self._jsonl, "msgpack": self._msgpack, "csv": self._csv}[self.format]
        for batch in reader():
            yield self.codec.columns(batch)

    # ------------------------------------------------------------ columnar files

    def _frames_columns(self) -> Iterator[Columns]:
        # The kernel runs a batch at a time and settles parked instances after each: the orders
        # input's million events in one batch took it 1.9 s, in batches of 100,000 1.0 s.
        for frame in self.frames():
            ev_type, ev_time, ev_I, ev_F = self._frame_columns(frame)
            for lo in range(0, len(ev_type), BATCH_ROWS):
                hi = lo + BATCH_ROWS
                yield ev_type[lo:hi], ev_time[lo:hi], ev_I[lo:hi], ev_F[lo:hi]

    def _frame_columns(self, frame: Frame) -> Columns:
        n = len(frame)
        layouts = self.codec.events
        intern = self.codec.strings.intern
        ev_time = np.array(nan_to(frame.time, self._clock()), dtype=np.float64)
        ev_I = np.zeros((n, self._width[0]), dtype=np.int64)
        ev_F = np.zeros((n, self._width[1]), dtype=np.float64)
        mapping = np.array([layouts[t].index if t in frame.fields else -1 for t in frame.types] or [-1],
                           dtype=np.int64)
        ev_type = mapping[frame.type]
        lookups: dict[int, np.ndarray] = {}
        single = len(frame.fields) == 1
        for code, etype in enumerate(frame.types):
            entries = frame.fields.get(etype)
            if entries is None:
                continue
            layout = layouts[etype]
            rows = slice(None) if single else np.flatnonzero(frame.type == code)
            for name, _kind, array, vocabulary in entries:
                values = array[rows]
                if vocabulary is not None:
                    lookup = lookups.get(id(array))
                    if lookup is None:
                        lookup = lookups[id(array)] = np.array([intern(s) for s in vocabulary] or [0], dtype=np.int64)
                    values = lookup[values]
                where, col = layout.columns[name]
                (ev_F if where == "F" else ev_I)[rows, col] = values
        self._fill_time_fields(ev_type, ev_time, ev_F)
        return ev_type, ev_time, ev_I, ev_F

    def _fill_time_fields(self, ev_type: np.ndarray, ev_time: np.ndarray, ev_F: np.ndarray) -> None:
        for index, col in self._time_columns:
            rows = np.flatnonzero(ev_type == index)
            ev_F[rows, col] = ev_time[rows]

    # ------------------------------------------------------------ JSON Lines

    def _jsonl_columns(self) -> Iterator[Columns]:
        if not self._regular:
            # A pipe is read here: a thread blocked reading a live stream could be neither
            # joined nor left behind at exit (it holds the stream's lock).
            lineno = self._line
            for placed in self._blocks():
                columns, lines = self._finish_block(lineno, *self._scan(placed))
                lineno += lines
                yield columns
            return
        # A thread reads and scans the next block while this one's events run in the kernel: the
        # scanner releases the GIL, so on two cores reading costs the run little more than the
        # host's share below (strings, the exact path, the messages), which stays here, in
        # line order, so a bad line stops the run exactly where the event reader would.
        scanned: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()
        worker = threading.Thread(target=self._scan_blocks, args=(scanned, stop), name="coord-jsonl-scan",
                                  daemon=True)
        worker.start()
        lineno = self._line
        try:
            while True:
                item = scanned.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                columns, lines = self._finish_block(lineno, *item)
                lineno += lines
                yield columns
        finally:
            stop.set()
            try:
                while True:
                    scanned.get_nowait()  # room for a worker blocked on a full queue
            except queue.Empty:
                pass
            worker.join()

    def _scan_blocks(self, scanned: queue.Queue, stop: threading.Event) -> None:
        def put(item) -> bool:
            while not stop.is_set():
                try:
                    scanned.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    pass
            return False

        try:
            for placed in self._blocks():
                if stop.is_set() or not put(self._scan(placed)):
                    return
        except BaseException as exc:  # an unreadable input: raised where the events are taken
            put(exc)
            return
        put(None)

    def _scan(self, placed: tuple[int, bytes, int]) -> tuple:
        """The scanner's columns of the lines in a block (its place, see ``_blocks``), with the
        time they were read."""
        offset, head, after = placed
        tables = self._tables
        buf = np.frombuffer(head, dtype=np.uint8)
        n = scanner.count_lines(buf)
        wi, wf = self._width
        ev_type = np.full(n, -1, dtype=np.int64)
        ev_time = np.empty(n, dtype=np.float64)
        ev_I = np.zeros((n, wi), dtype=np.int64)
        ev_F = np.zeros((n, wf), dtype=np.float64)
        slow = np.zeros(n, dtype=np.int8)
        room = n * tables.most_strings
        refs = np.empty((4, room), dtype=np.int64)
        now = self._clock()
        lines, nstr = scanner.scan(buf, tables.keys, tables.key_off, tables.names,
                                   tables.name_off, tables.t_ok, tables.t_mask, tables.f_kind, tables.f_col, ev_type, ev_time, ev_I, ev_F, slow, refs[0], refs[1], refs[2],
                                   refs[3], scanner._POW10)
        assert lines == n, (lines, n)
        return (offset, head, after), n, now, (ev_type, ev_time, ev_I, ev_F), slow, refs[:, :nstr]

    def _finish_block(self, lineno: int, placed: tuple[int, bytes, int], n: int, now: float, columns: Columns,
                      slow: np.ndarray, refs: np.ndarray) -> tuple[Columns, int]:
        """A scanned block's columns, complete: strings interned, times given, the lines the
        scanner left taken by the exact path (the first is line ``lineno + 1``)."""
        offset, head, after = placed
        self._recent.append((lineno, offset, head, after))
        ev_type, ev_time, ev_I, ev_F = columns
        if refs.shape[1]:
            intern = self.codec.strings.intern
            known = self._tables.known
            for row, col, start, end in zip(*refs.tolist()):
                raw = head[start:end]
                code = known.get(raw)
                if code is None:
                    code = known[raw] = intern(raw.decode("ascii"))
                ev_I[row, col] = code
        ev_time[np.isnan(ev_time)] = now
        kept = None
        slow_rows = np.flatnonzero(slow)
        if len(slow_rows):
            kept = slow == 0
            self._exact(head, slow_rows.tolist(), lineno, now, kept, ev_type, ev_time, ev_I, ev_F)
        self._fill_time_fields(ev_type, ev_time, ev_F)
        if kept is not None and not kept.all():
            self._batch_lines = np.flatnonzero(kept) + (lineno + 1)
            return (ev_type[kept], ev_time[kept], ev_I[kept], ev_F[kept]), n
        self._batch_lines = np.arange(lineno + 1, lineno + 1 + n)
        return (ev_type, ev_time, ev_I, ev_F), n

    def _exact(self, head: bytes, rows: list[int], lineno: int, now: float, kept: np.ndarray, ev_type: np.ndarray,
               ev_time: np.ndarray, ev_I: np.ndarray, ev_F: np.ndarray) -> None:
        """The event reader's own path for the lines the scanner left, in line order: their
        events into their rows, or their messages (a rejected or blank line's row is dropped)."""
        lines = head.split(b"\n")
        layouts = self.codec.events
        intern = self.codec.strings.intern
        for row in rows:
            line = lines[row]
            place = lineno + row + 1
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if line.strip():
                    self._reject(str(place), _json_problem(exc, line), _line_text(line))
                continue
            try:
                event = self._event(record, now, place)
            except BadEvent as exc:
                self._reject(str(place), str(exc), _line_text(line))
                continue
            layout = layouts[event.type]
            ev_type[row] = layout.index
            ev_time[row] = event.time
            fields = event.fields
            for name, (where, col) in layout.columns.items():
                value = fields[name]
                if where == "F":
                    ev_F[row, col] = value
                elif layout.kinds[name] == "s":
                    ev_I[row, col] = intern(value)
                else:
                    ev_I[row, col] = int(value)
            kept[row] = True


class _ScanTables:
    """The program's event types as the scanner's arrays (see ``jsonl_scan.scan``)."""

    def __init__(self, **arrays) -> None:
        self.__dict__.update(arrays)

    @classmethod
    def of(cls, program: Program, codec: Codec) -> _ScanTables | None:
        """The tables, or None when the program has more field names than the scanner tells
        apart (such a program reads through the event reader)."""
        names = ["event", "time"]
        for event in program.events:
            for field, _ in event.fields:
                if field not in names:
                    names.append(field)
        if len(names) > scanner.MAX_KEYS:
            return None
        key_index = {name: k for k, name in enumerate(names)}
        ntypes = len(program.events)
        t_ok = np.zeros(max(ntypes, 1), dtype=np.int64)
        t_mask = np.zeros(max(ntypes, 1), dtype=np.int64)
        f_kind = np.full((max(ntypes, 1), len(names)), -1, dtype=np.int64)
        f_col = np.zeros((max(ntypes, 1), len(names)), dtype=np.int64)
        most_strings = 1
        for event in program.events:
            layout = codec.events[event.name]
            t = layout.index
            types = dict(event.fields)
            conflict = "event" in types or ("time" in types and types["time"] != "time")
            t_ok[t] = 0 if conflict else 1
            mask = 1  # "event"
            strings = 0
            for field, type_ in event.fields:
                if field == "time":
                    continue
                k = key_index[field]
                mask |= 1 << k
                f_kind[t, k] = scanner.KIND_CODES[type_]
                f_col[t, k] = layout.columns[field][1]
                strings += type_ == "str"
            t_mask[t] = mask
            most_strings = max(most_strings, strings)
        keys, key_off = _packed(names)
        type_names, name_off = _packed([e.name for e in program.events])
        return cls(keys=keys, key_off=key_off, names=type_names, name_off=name_off, t_ok=t_ok, t_mask=t_mask,
                   f_kind=f_kind, f_col=f_col, most_strings=most_strings, known={})


def _packed(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 names back to back, and the offsets (one more than the names)."""
    encoded = [name.encode("utf-8") for name in names]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded]) if encoded else []
    return np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8), offsets
