"""Frames and segment files: the event log's bytes.

A frame is a 4-byte marker (``\\xc1CLG``: 0xc1 is the one byte msgpack never uses), the
payload's length and CRC-32 (little-endian ``u32`` each), then the payload: one msgpack
object. A segment file, ``segment-<first record>.log``, is a header frame followed by frames
that each hold a batch of records (``records.batch``). Records are numbered from 1 across
segments; a segment's name and header carry the number of its first record, so a reader knows
every record's number without reading the segments before it.

Damage is of two kinds. A **torn tail**, the last frame of the last segment cut short or
half-written by a crash (the records of that batch are lost, as a crash before the write
would have lost them), is expected: :func:`scan` reports it and the log truncates it. A bad
frame with a good frame after it (:func:`good_frame_after`, which finds candidates by their
marker) is **corruption**: nothing after it can be trusted in order, so reading stops there
with :class:`LogCorrupt`, naming the segment and offset (``coord log repair`` salvages what
comes before).
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from coordlang.errors import CoordError

MARKER = b"\xc1CLG"
FRAME = struct.Struct("<4sII")
MAX_PAYLOAD = 1 << 30
"""No record is this large; a length beyond it is damage, not a record."""
SEGMENT_PREFIX = "segment-"
SEGMENT_SUFFIX = ".log"


class LogError(CoordError):
    """A log that cannot be used: its place and the fix are in the message."""


class LogCorrupt(LogError):
    """A damaged frame in the middle of a log."""

    def __init__(self, segment: Path, offset: int, reason: str) -> None:
        self.segment = segment
        self.offset = offset
        self.reason = reason
        super().__init__(f"{segment}: corrupt record at byte {offset} ({reason}); the records before it can be "
                         f"salvaged into a new log with `coord log repair {segment.parent}`")


def frame(payload: bytes) -> bytes:
    return FRAME.pack(MARKER, len(payload), zlib.crc32(payload)) + payload


def segment_name(first: int) -> str:
    return f"{SEGMENT_PREFIX}{first:012d}{SEGMENT_SUFFIX}"


def segment_first(path: Path) -> int | None:
    """The first record number a segment's name carries, or None for another file."""
    name = path.name
    if not (name.startswith(SEGMENT_PREFIX) and name.endswith(SEGMENT_SUFFIX)):
        return None
    digits = name[len(SEGMENT_PREFIX):-len(SEGMENT_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def segments(directory: Path) -> list[Path]:
    """The segment files of a log directory, in record order."""
    found = [(first, p) for p in directory.iterdir() if (first := segment_first(p)) is not None]
    return [p for _, p in sorted(found)]


@dataclass(slots=True)
class Scan:
    """What one segment holds: its frames' payloads and where each starts."""

    payloads: list[bytes]
    offsets: list[int]
    end: int
    """The offset after the last good frame."""
    size: int
    damage: str | None = None
    """Why the bytes from ``end`` on are not frames (None: the segment ends cleanly)."""


def scan(data: bytes | memoryview) -> Scan:
    """Split a segment's bytes into frames, stopping at the first bad one."""
    view = memoryview(data)
    size = len(view)
    payloads: list[bytes] = []
    offsets: list[int] = []
    at = 0
    head = FRAME.size
    while at < size:
        problem = _bad_frame(view, at, size)
        if problem is not None:
            return Scan(payloads, offsets, at, size, problem)
        _, length, _ = FRAME.unpack_from(view, at)
        payloads.append(bytes(view[at + head:at + head + length]))
        offsets.append(at)
        at += head + length
    return Scan(payloads, offsets, at, size)


def _bad_frame(view: memoryview, at: int, size: int) -> str | None:
    head = FRAME.size
    if size - at < head:
        return f"{size - at} bytes, too short for a frame header"
    marker, length, crc = FRAME.unpack_from(view, at)
    if marker != MARKER:
        return "no frame marker"
    if length == 0 or length > MAX_PAYLOAD:
        return f"a length of {length} bytes"
    if at + head + length > size:
        return f"a frame of {length} bytes with {size - at - head} left in the file"
    if zlib.crc32(view[at + head:at + head + length]) != crc:
        return "its checksum does not match"
    return None


def good_frame_after(data: bytes | memoryview, start: int) -> int | None:
    """The offset of the first whole frame with a matching checksum at or after ``start``, or
    None: whether a damaged frame is a torn tail (nothing good after it) or corruption. Only
    offsets holding the marker are candidates (found by ``bytes.find``), so even a torn record
    of megabytes is searched at once."""
    view = memoryview(data)
    raw = view.obj if isinstance(view.obj, bytes) and len(view.obj) == len(view) else bytes(view)
    size = len(raw)
    at = raw.find(MARKER, start)
    while at >= 0:
        if _bad_frame(view, at, size) is None:
            return at
        at = raw.find(MARKER, at + 1)
    return None


def fsync_directory(directory: Path) -> None:
    """Make a new or renamed file's name durable (POSIX needs the directory synced too)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not possible everywhere (some filesystems); the data itself is synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
