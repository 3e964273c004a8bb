"""Frames and segment files: the event log's bytes.

A frame is a little-endian ``u32`` payload length, the payload's ``u32`` CRC-32, then the
payload (one msgpack object). A segment file, ``segment-<first record>.log``, is a header frame
followed by record frames. Records are numbered from 1 across segments; a segment's name and
header carry the number of its first record, so a reader knows every record's number without
reading the segments before it.

Damage is of two kinds. A **torn tail**, the last frame of the last segment cut short or
half-written by a crash, is expected: :func:`scan` reports it and the log truncates it. A bad
frame with good frames after it (:func:`good_frame_after`) is **corruption**: nothing after it
can be trusted in order, so reading stops there with :class:`LogCorrupt`, naming the segment
and offset (``coord log repair`` salvages what comes before).
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coordlang.errors import CoordError

FRAME = struct.Struct("<II")
MAX_PAYLOAD = 1 << 30
"""No record is this large; a length beyond it is damage, not a record."""
SEARCH_BLOCK = 1 << 22
"""Offsets examined at once when looking for a good frame after a damaged one."""
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
    return FRAME.pack(len(payload), zlib.crc32(payload)) + payload


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
    unpack = FRAME.unpack_from
    while at < size:
        problem = _bad_frame(view, at, size)
        if problem is not None:
            return Scan(payloads, offsets, at, size, problem)
        length, _ = unpack(view, at)
        payloads.append(bytes(view[at + 8:at + 8 + length]))
        offsets.append(at)
        at += 8 + length
    return Scan(payloads, offsets, at, size)


def _bad_frame(view: memoryview, at: int, size: int) -> str | None:
    if size - at < FRAME.size:
        return f"{size - at} bytes, too short for a frame header"
    length, crc = FRAME.unpack_from(view, at)
    if length == 0 or length > MAX_PAYLOAD:
        return f"a length of {length} bytes"
    if at + 8 + length > size:
        return f"a frame of {length} bytes with {size - at - 8} left in the file"
    if zlib.crc32(view[at + 8:at + 8 + length]) != crc:
        return "its checksum does not match"
    return None


def good_frame_after(data: bytes | memoryview, start: int) -> int | None:
    """The offset of the first whole frame with a matching checksum at or after ``start`` that
    is followed by another whole frame or ends the data exactly, or None: whether a damaged
    frame is a torn tail (nothing good after it) or corruption.

    Every offset is a candidate, so the lengths at all of them are read at once with numpy,
    a block at a time; only the few whose length fits, and whose next frame fits too, have
    their checksum computed (a torn record of megabytes would otherwise take minutes)."""
    view = memoryview(data)
    size = len(view)
    raw = np.frombuffer(view, dtype=np.uint8)
    last = size - FRAME.size  # the last offset a frame header fits at
    for lo in range(start, last + 1, SEARCH_BLOCK):
        hi = min(lo + SEARCH_BLOCK, last + 1)
        block = raw[lo:hi + 3].astype(np.int64)
        count = hi - lo
        lengths = block[:count] | block[1:count + 1] << 8 | block[2:count + 2] << 16 | block[3:count + 3] << 24
        room = size - FRAME.size - np.arange(lo, hi)
        for at in (np.flatnonzero((lengths > 0) & (lengths <= np.minimum(room, MAX_PAYLOAD))) + lo).tolist():
            length, crc = FRAME.unpack_from(view, at)
            end = at + FRAME.size + length
            if end != size:
                if end + FRAME.size > size:
                    continue
                following, _ = FRAME.unpack_from(view, end)
                if not 0 < following <= size - end - FRAME.size:
                    continue  # random bytes rarely make two frames in a row
            if zlib.crc32(view[at + FRAME.size:end]) == crc:
                return at
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
