"""A log directory: segment files of records, and snapshot files.

:class:`LogWriter` appends records in batches; :func:`read_log` reads a directory back,
truncating a torn tail (with a warning) and stopping at corruption; :func:`repair` copies what
comes before corruption into a new directory. Snapshots (``snapshot-<records>.snap``: a meta
frame and the executor's pickled state, compressed, written to a temporary name and renamed, so
one is either whole or absent) let a reader start near any record instead of at the first.

``--fsync`` decides when appended records reach the disk:

- ``always``: each record is written and synced before the run goes on; a power cut loses at
  most the record being written. Slowest.
- ``batch`` (the default): records are written and synced together, after each batch of input
  events, at each snapshot, whenever 1 MiB of records has gathered, and after a handler call
  that ends 50 ms or more after the last write; a power cut loses the records since the last
  sync.
- ``never``: records are written at the same points but never synced: the operating system
  writes them when it likes (Linux: within about 30 s), and a power cut can lose that much.

A killed process (the machine still up) loses only what was not written yet, in every mode.
Whatever is lost, resuming is still exact: lost input events are read again from the input, and
handler attempts whose results were lost are made again (handlers run at least once).
"""

from __future__ import annotations

import os
import pickle
import shutil
import threading
import time
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from coordlang.gcpause import gc_paused
from coordlang.runtime.eventlog.frames import (LogCorrupt, LogError, frame, fsync_directory, good_frame_after, scan,
                                               segment_first, segment_name, segments)
from coordlang.runtime.eventlog.records import (batch, batch_length, check_header, pack, split_batch, unpack,
                                                unpack_batch)

FSYNC_MODES = ("always", "batch", "never")
SEGMENT_BYTES = 64 << 20
FLUSH_BYTES = 1 << 20
FLUSH_SECONDS = 0.05
"""``batch``/``never`` write out their buffer when it holds FLUSH_BYTES, and when a handler call
ends FLUSH_SECONDS or more after the last write (:meth:`LogWriter.flush_if_stale`): a slow run
(handlers that wait on the network) keeps its log as current as a fast one. The clock is read
after handler calls only, the one place a run spends unbounded time between two records (it
writes after each batch of input anyway): reading it for every record cost a third of
appending one."""
SNAPSHOT_PREFIX = "snapshot-"
SNAPSHOT_SUFFIX = ".snap"


class TornTail(UserWarning):
    """The last record of a log was cut short by a crash and is dropped."""


class StaleSnapshot(UserWarning):
    """A snapshot that cannot be loaded; an older one (or the log's start) is used instead."""


class LogWriter:
    """Appends records to a log directory, from record number ``next_record`` on, in batches: a
    segment grows past ``segment_bytes`` by at most one batch (a new one starts at a batch's
    first record)."""

    def __init__(self, directory: Path, header: dict, *, next_record: int = 1, fsync: str = "batch",
                 segment_bytes: int = SEGMENT_BYTES) -> None:
        if fsync not in FSYNC_MODES:
            raise LogError(f"--fsync {fsync}: choose one of {', '.join(FSYNC_MODES)}")
        self.directory = directory
        self.header = header
        self.fsync = fsync
        self.segment_bytes = segment_bytes
        self.records = next_record - 1
        """Records appended so far (the number of the last one)."""
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._flush_at = 0 if fsync == "always" else FLUSH_BYTES
        self._flushed = time.monotonic()
        self._file = None
        self._written = 0
        directory.mkdir(parents=True, exist_ok=True)
        existing = segments(directory)
        if existing and existing[-1].stat().st_size == 0:
            existing.pop().unlink()  # its header never reached the disk; the next record starts a new one
        if existing:
            self._file = open(existing[-1], "ab")
            self._written = self._file.tell()

    def append(self, record: list) -> int:
        """Add a record; its number."""
        return self.append_packed(pack(record))

    def append_packed(self, payload: bytes) -> int:
        """Add a record already packed (``coord log repair`` copies them byte for byte)."""
        self._buffer.append(payload)
        self._buffered += len(payload)
        self.records += 1
        if self._buffered >= self._flush_at:
            self.flush()
        return self.records

    def flush_if_stale(self) -> None:
        """Write what is buffered if the last write was FLUSH_SECONDS ago or more."""
        if self._buffer and time.monotonic() - self._flushed >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered, as one frame (and sync it, unless ``--fsync never``)."""
        self._flushed = time.monotonic()
        if not self._buffer:
            return
        if self._file is None or self._written >= self.segment_bytes:
            self._roll(self.records - len(self._buffer) + 1)
        assert self._file is not None
        # Taken out of the buffer before writing: an interrupt (Ctrl-C) during the write
        # leaves at worst a torn tail, never the same records written twice by close().
        data = frame(batch(self._buffer))
        self._buffer = []
        self._buffered = 0
        self._written += len(data)
        self._file.write(data)
        self._file.flush()
        if self.fsync != "never":
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    def _roll(self, first: int) -> None:
        """Start a new segment whose first record is record ``first``."""
        if self._file is not None:
            self._file.close()
        path = self.directory / segment_name(first)
        self._file = open(path, "wb")
        head = frame(pack({**self.header, "first": first}))
        self._file.write(head)
        self._written = len(head)
        self._file.flush()
        if self.fsync != "never":
            os.fsync(self._file.fileno())
            fsync_directory(self.directory)


class RecordTail(Sequence):
    """Records ``base + 1`` on of a log, indexed as the whole log's list is (record ``n`` is
    ``tail[n - 1]``, ``len`` counts every record): what a resume reads. Reaching a record
    before ``base + 1`` is a bug, and raises :class:`LookupError` rather than pass unnoticed."""

    __slots__ = ("base", "items")

    def __init__(self, base: int, items: list[list]) -> None:
        self.base = base
        self.items = items

    def __len__(self) -> int:
        return self.base + len(self.items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if start < self.base and start < stop:
                raise LookupError(f"records {start + 1}.. of a log read from record {self.base + 1}")
            return self.items[max(start, self.base) - self.base:max(stop, self.base) - self.base:step]
        if index < 0:
            index += len(self)
        if index < self.base:
            raise LookupError(f"record {index + 1} of a log read from record {self.base + 1}")
        return self.items[index - self.base]


@dataclass(slots=True)
class LogContents:
    """A log directory as read: its header and its records, in order (record ``n`` is
    ``records[n - 1]``; a resume reads only those from its snapshot on, a :class:`RecordTail`)."""

    directory: Path
    header: dict
    records: list[list] | RecordTail
    snapshots: list[tuple[int, Path]] = field(default_factory=list)
    """(records before it, file), oldest first; only those within :attr:`records`."""
    loaded: tuple[int, dict, object] | None = None
    """The snapshot a resume starts from, already loaded: (records before it, meta, state)."""

    @property
    def finished(self) -> bool:
        return bool(self.records) and self.records[-1][0] == "end"


def read_log(directory: Path, digest: str | None = None, *, truncate: bool = True) -> LogContents:
    """Read a log directory for the program of ``digest`` (None: any program).

    A torn tail is cut off the file (``truncate``) with a :class:`TornTail` warning; a corrupt
    frame elsewhere raises :class:`LogCorrupt`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LogError(f"{directory}: no such log folder")
    files = segments(directory)
    if not files:
        raise LogError(f"{directory}: holds no log segments (segment-*.log); record one with `coord run FILE "
                       f"--events EVENTS --log {directory}`")
    header: dict | None = None
    records: list[list] = []
    for index, path in enumerate(files):
        payloads = _frames(path, last=index == len(files) - 1, truncate=truncate)
        if not payloads:
            if index == len(files) - 1:
                continue  # a new segment whose header never reached the disk
            raise LogCorrupt(path, 0, "an empty segment before the last one")
        found = check_header(_decode(payloads[0], path, 0), str(path), digest)
        if header is None:
            header = found
            digest = found["program"]
        first = segment_first(path)
        if found.get("first") != first or first != len(records) + 1:
            raise LogError(f"{path}: starts at record {found.get('first')}, but the segments before it hold "
                           f"{len(records)}: a segment is missing or out of place; `coord log repair {directory}` "
                           "keeps the records before the gap")
        for index, payload in enumerate(payloads[1:], 1):
            records.extend(_decode_batch(payload, path, index))
    if header is None:
        raise LogError(f"{directory}: its only segment is empty (the run stopped before recording anything); "
                       "delete the folder and run again")
    return LogContents(directory, header, records, [s for s in snapshot_files(directory) if s[0] <= len(records)])


def existing_log(directory: Path, digest: str, backend: str, *,
                 usable: Callable[[dict], bool] = lambda meta: True) -> LogContents | None:
    """The log ``coord run --log DIR`` resumes (None: DIR is new or empty), read for the program
    of ``digest`` and recorded by ``backend``, with its newest snapshot loaded (``loaded``).

    Snapshots taken after records that never reached the disk are deleted: the resumed run need
    not repeat that history (handlers need not answer the same twice). Only the segments from
    the one holding the snapshot's last record on are read: the records before it are in the
    snapshot, and the input it had read is in its meta. A snapshot whose meta ``usable`` turns
    down (one written before the meta held what the resume needs) is still loaded, but the
    whole log is read, as before such meta existed."""
    if not directory.exists():
        return None
    if not directory.is_dir():
        raise LogError(f"--log {directory}: not a folder")
    files = segments(directory)
    if not files:
        if any(directory.iterdir()):
            raise LogError(f"--log {directory}: holds other files and no log; name an empty or new folder")
        return None
    # The last segment says how many records the log holds (a torn tail is cut off here).
    read: dict[Path, list[bytes]] = {}
    last = len(files) - 1
    read[files[last]] = _frames(files[last], last=True, truncate=True)
    if not read[files[last]]:
        if last == 0:
            raise LogError(f"{directory}: its only segment is empty (the run stopped before recording anything); "
                           "delete the folder and run again")
        last -= 1  # a new segment whose header never reached the disk
        read[files[last]] = _frames(files[last], last=False, truncate=True)
        if not read[files[last]]:
            raise LogCorrupt(files[last], 0, "an empty segment before the last one")
    found = check_header(_decode(read[files[last]][0], files[last], 0), str(files[last]), digest)
    check_backend(LogContents(directory, found, []), backend)
    total = (segment_first(files[last]) or 1) - 1 + sum(
        _batch_length(p, files[last], i) for i, p in enumerate(read[files[last]][1:], 1))
    for records, path in snapshot_files(directory):
        if records > total:
            path.unlink()
    loaded = None
    for records, path in reversed(snapshot_files(directory)):
        try:
            meta, state = load_snapshot(path, digest)
        except LogError as exc:
            warnings.warn(StaleSnapshot(f"{exc}; using an older one"), stacklevel=2)
            continue
        loaded = (records, meta, state)
        break
    start = loaded[0] if loaded is not None and loaded[0] > 0 and usable(loaded[1]) else 1
    contents = _read_from(directory, files[:last + 1], start, digest, read)
    contents.loaded = loaded
    contents.snapshots = [s for s in snapshot_files(directory) if loaded is not None and s[0] == loaded[0]]
    return contents


def _read_from(directory: Path, files: list[Path], start: int, digest: str,
               read: dict[Path, list[bytes]]) -> LogContents:
    """Records ``start`` on (a :class:`RecordTail`), from the segments holding them; ``read``
    has the payloads of segments already scanned."""
    first_file = max((i for i, p in enumerate(files) if (segment_first(p) or 1) <= start), default=0)
    if (segment_first(files[first_file]) or 1) > start:
        raise LogError(f"{files[first_file]}: the log's first segment, but record {start} comes before it: a segment "
                       f"is missing; `coord log repair {directory}` keeps what can be salvaged")
    header: dict | None = None
    items: list[list] = []
    expected = None
    for index in range(first_file, len(files)):
        path = files[index]
        payloads = read.get(path)
        if payloads is None:
            payloads = _frames(path, last=False, truncate=True)
        if not payloads:
            raise LogCorrupt(path, 0, "an empty segment before the last one")
        found = check_header(_decode(payloads[0], path, 0), str(path), digest)
        first = segment_first(path)
        if header is None:
            header = found
            expected = first
        if found.get("first") != first or first != expected:
            raise LogError(f"{path}: starts at record {found.get('first')}, but the segments before it end at "
                           f"record {(expected or 1) - 1}: a segment is missing or out of place; `coord log repair "
                           f"{directory}` keeps the records before the gap")
        skip = max(0, start - first) if index == first_file else 0
        count = 0  # the segment's records so far
        for i, payload in enumerate(payloads[1:], 1):
            length = _batch_length(payload, path, i)
            if count + length > skip:  # the batch holds record ``start`` or later: decoded
                items.extend(_decode_batch(payload, path, i)[max(0, skip - count):])
            count += length
        expected = first + count
    assert header is not None
    return LogContents(directory, header, RecordTail(start - 1, items) if start > 1 else items)


def log_header(directory: Path) -> dict | None:
    """The header of the log in ``directory``, read from its first segment's first frame
    alone (None: no readable header there); :func:`read_log` reads and checks the rest."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    for path in segments(directory):
        found = scan(path.read_bytes()[:1 << 16])
        if found.payloads:
            head = unpack(found.payloads[0])
            return head if isinstance(head, dict) else None
    return None


def log_backend(directory: Path) -> str | None:
    """The backend that recorded the log in ``directory`` (None: no log there yet)."""
    head = log_header(directory)
    return None if head is None else head.get("backend", "interpreter")


def check_backend(contents: LogContents, wanted: str) -> None:
    """Refuse a log the other backend recorded (their records and snapshots differ)."""
    found = contents.header.get("backend", "interpreter")
    if found != wanted:
        raise LogError(f"{contents.directory}: recorded by the {found} backend; resume or replay it with "
                       f"--backend {found}")


def _frames(path: Path, *, last: bool, truncate: bool) -> list[bytes]:
    data = path.read_bytes()
    found = scan(data)
    if found.damage is None:
        return found.payloads
    if not last or good_frame_after(data, found.end + 1) is not None:
        raise LogCorrupt(path, found.end, found.damage)
    warnings.warn(TornTail(f"{path}: the last record was cut short by a crash ({found.damage}); dropped the "
                           f"{found.size - found.end} bytes from byte {found.end}"), stacklevel=3)
    if truncate:
        with open(path, "r+b") as f:
            f.truncate(found.end)
    return found.payloads


def _decode(payload: bytes, path: Path, index: int) -> object:
    try:
        return unpack(payload)
    except Exception as exc:  # a frame whose checksum matched but does not decode: written by a bug
        raise LogError(f"{path}: frame {index} does not decode as msgpack ({exc})") from None


def _batch_length(payload: bytes, path: Path, index: int) -> int:
    try:
        return batch_length(payload)
    except ValueError as exc:  # as in _decode
        raise LogError(f"{path}: frame {index} does not decode as a batch of records ({exc})") from None


def _decode_batch(payload: bytes, path: Path, index: int) -> list[list]:
    try:
        # A batch is thousands of small acyclic lists: collections triggered while it is built
        # would rescan every live object for nothing (a third of reading a log).
        with gc_paused():
            return unpack_batch(payload)
    except Exception as exc:  # as in _decode
        raise LogError(f"{path}: frame {index} does not decode as a batch of records ({exc})") from None


# ---------------------------------------------------------------- snapshots

def snapshot_files(directory: Path) -> list[tuple[int, Path]]:
    found = []
    for p in directory.iterdir():
        name = p.name
        if name.startswith(SNAPSHOT_PREFIX) and name.endswith(SNAPSHOT_SUFFIX):
            digits = name[len(SNAPSHOT_PREFIX):-len(SNAPSHOT_SUFFIX)]
            if digits.isdigit():
                found.append((int(digits), p))
    return sorted(found)


def _write_pickled(directory: Path, meta: dict, pickled: bytes, fsync: str, compress: bool = True) -> Path:
    """Save a pickled state as it is after record ``meta["records"]``; the file appears whole
    or not at all."""
    path = directory / f"{SNAPSHOT_PREFIX}{meta['records']:012d}{SNAPSHOT_SUFFIX}"
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as f:
        if compress:
            # zlib at its fastest level: an interpreter's state is Python objects, several
            # times smaller compressed, and writing the bytes saved costs more than compressing.
            f.write(frame(pack({**meta, "compression": "zlib"})))
            f.write(frame(zlib.compress(pickled, 1)))
        else:
            f.write(frame(pack(meta)))
            f.write(frame(pickled))
        f.flush()
        if fsync != "never":
            os.fsync(f.fileno())
    os.replace(partial, path)
    if fsync != "never":
        fsync_directory(directory)
    return path


class SnapshotWriter:
    """Writes snapshots in the background, one at a time: the state is pickled at once (it is
    about to change), compressed and written while the run goes on (zlib and file writes
    release the GIL). A crash before a snapshot is whole leaves only a ``.partial`` file, which
    nothing reads; the resume uses the snapshot before it.

    ``submit`` may instead be given ``encode``, which turns ``state`` (a copy the caller made,
    which nothing else changes) into bytes in the background, and ``more``, which adds to the
    meta there (the input's checksum up to the snapshot's place, read from the disk)."""

    def __init__(self, directory: Path, fsync: str) -> None:
        self.directory = directory
        self.fsync = fsync
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def submit(self, meta: dict, state: object, *, encode: Callable[[object], bytes] | None = None,
               more: Callable[[], dict] | None = None) -> None:
        data = state if encode is not None else pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        self.wait()
        self._thread = threading.Thread(target=self._write, args=(meta, data, encode, more), name="coord-snapshot",
                                        daemon=True)
        self._thread.start()

    def _write(self, meta: dict, data, encode, more) -> None:
        try:
            if more is not None:
                meta = {**meta, **more()}
            if encode is not None:
                _write_pickled(self.directory, meta, encode(data), self.fsync, compress=False)
            else:
                _write_pickled(self.directory, meta, data, self.fsync)
        except BaseException as exc:  # reported by wait(), in the run's thread
            self._failure = exc

    def wait(self) -> None:
        """Until the snapshot being written is on disk; its error, if it failed."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        failure, self._failure = self._failure, None
        if failure is not None:
            raise LogError(f"{self.directory}: cannot write a snapshot: {failure}") from failure


def load_snapshot(path: Path, digest: str) -> tuple[dict, object]:
    """A snapshot's meta and state; :class:`LogError` for a damaged one or one of another
    program."""
    found = scan(path.read_bytes())
    if found.damage is not None or len(found.payloads) != 2:
        raise LogError(f"{path}: damaged snapshot ({found.damage or 'wrong number of frames'})")
    meta = check_header(unpack(found.payloads[0]), str(path), digest)
    try:
        # The log's own file, written by this same coordlang version for this program (the
        # header check above); a log is as trusted as the program it records.
        payload = found.payloads[1]
        if meta.get("compression") == "zlib":
            payload = zlib.decompress(payload)
        state = pickle.loads(payload)
    except Exception as exc:
        raise LogError(f"{path}: the snapshot's state does not load ({exc})") from None
    return meta, state


# ---------------------------------------------------------------- repair

@dataclass(frozen=True, slots=True)
class Repaired:
    records: int
    """Records salvaged."""
    snapshots: int
    damage: LogCorrupt | None
    """Where the old log was damaged (None: it was whole)."""


def repair(directory: Path, target: Path) -> Repaired:
    """Copy every record before the first damage of ``directory`` into a new log at ``target``
    (which must not exist), with the snapshots that lie within them. ``directory`` is left as
    it was."""
    directory = Path(directory)
    target = Path(target)
    if target.exists():
        raise LogError(f"{target}: already exists; name a new folder for the repaired log with --out")
    if not directory.is_dir():
        raise LogError(f"{directory}: no such log folder")
    header: dict | None = None
    kept: list[bytes] = []
    damage: LogCorrupt | None = None
    for path in segments(directory):
        data = path.read_bytes()
        found = scan(data)
        payloads = found.payloads
        if payloads:
            try:
                segment_header = check_header(unpack(payloads[0]), str(path), None if header is None
                                              else header["program"])
            except LogError as exc:
                damage = LogCorrupt(path, 0, str(exc))
                break
            if segment_header.get("first") != len(kept) + 1:
                damage = LogCorrupt(path, 0, f"starts at record {segment_header.get('first')} after {len(kept)}")
                break
            header = header or segment_header
            try:
                kept.extend(piece for payload in payloads[1:] for piece in split_batch(payload))
            except Exception as exc:  # a frame whose checksum matched but holds no records: written by a bug
                damage = LogCorrupt(path, 0, f"a frame that holds no batch of records ({exc})")
                break
        if found.damage is not None:
            damage = LogCorrupt(path, found.end, found.damage)
            break
    if header is None:
        raise LogError(f"{directory}: no readable log header; nothing can be salvaged")
    writer = LogWriter(target, {k: v for k, v in header.items() if k != "first"})
    for payload in kept:
        writer.append_packed(payload)
    writer.close()
    copied = 0
    for records, path in snapshot_files(directory):
        if records <= len(kept):
            try:
                load_snapshot(path, header["program"])
            except LogError:
                continue
            shutil.copyfile(path, target / path.name)
            copied += 1
    return Repaired(len(kept), copied, damage)
