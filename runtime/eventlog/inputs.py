"""Where a logged run stands in its input file, so that a resume need not read the input again.

Each snapshot's meta keeps, beside the count of input events before it (``inputs``) and a
running checksum of those events (``input_digest``), their place in the input file when the
reader can tell it (``input``: a JSON Lines file, not a pipe): the byte offset just after the
last of them, the lines before that offset, and a CRC-32 of the file's bytes before it. A
resume checks the CRC of the same bytes of the file it is given, which is much faster than
parsing them (zlib's CRC-32 runs at about 2 GB/s here; adler32, blake2b and md5 were slower,
0.3–0.7 GB/s), and starts reading there. When the bytes differ, or the meta has no place, or
the input is a pipe, or rejected lines must be written again (``--skip-bad``), it reads the
input from its start and checks the events by their checksum, as before; a different input is
still refused then, by that check.

The CRC up to each snapshot's place is taken in the snapshot's background thread, reading the
bytes since the last snapshot's place again from the file (they are in the page cache: the run
has just read them), so recording pays nothing for it.
"""

from __future__ import annotations

import os
import threading
import zlib
from pathlib import Path
from typing import Callable

CHUNK = 8 << 20


def prefix_crc(fd: int, end: int, start: int = 0, crc: int = 0) -> int | None:
    """CRC-32 of a file's bytes ``[start, end)``, continuing ``crc``; None when the file ends
    before ``end``."""
    at = start
    while at < end:
        data = os.pread(fd, min(CHUNK, end - at), at)
        if not data:
            return None
        crc = zlib.crc32(data, crc)
        at += len(data)
    return crc


class InputPlaces:
    """The input side of a logged run (either backend): the place of each snapshot in the input
    file, and a resume's check of the place its snapshot holds.

    ``saved`` is the resumed snapshot's ``input`` meta (None: a new log, a snapshot without
    one). With ``events`` (the input's path), its prefix is checked in a thread at once, while
    the state is restored."""

    def __init__(self, saved: dict | None, events: str | None = None) -> None:
        self.saved = saved
        self._fd: int | None = None
        self._at = (0, 0)
        """(offset, CRC-32 of the bytes before it) of the last place taken."""
        self._reader = None
        self._checked: bool | None = None
        self._check: threading.Thread | None = None
        if saved is not None and events not in (None, "-"):
            self._check = threading.Thread(target=self._check_path, args=(Path(events),), name="coord-input-check",
                                           daemon=True)
            self._check.start()

    def _check_path(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            self._checked = False
            return
        try:
            self._checked = prefix_crc(fd, self.saved["offset"]) == self.saved["crc"]
        except OSError:
            self._checked = False
        finally:
            os.close(fd)

    def attach(self, reader, events_before: int) -> bool:
        """Use ``reader`` (an ``EventReader``, not iterated yet) for the places of later
        snapshots; when the resumed snapshot's place holds for its file (the same bytes before
        it), move the reader there, counting ``events_before`` events read, and say so."""
        fileno = reader.placeable()
        if fileno is None:
            return False
        self._fd = os.dup(fileno)
        self._reader = reader
        saved = self.saved
        if saved is None or reader.rejects_path is not None:
            return False  # rejected lines before the place would be missing from the new rejects file
        if self._check is not None:
            self._check.join()
            same = self._checked
        else:
            same = prefix_crc(self._fd, saved["offset"]) == saved["crc"]
        if not same:
            return False
        reader.resume_at(saved["offset"], saved["lines"], events_before)
        self._at = (saved["offset"], saved["crc"])
        return True

    def place(self, events: int) -> Callable[[], dict] | None:
        """For a snapshot after input event ``events``: a function that gives its ``input``
        meta (called in the snapshot's thread), or None when the reader cannot tell."""
        if self._reader is None or self._fd is None:
            return None
        found = self._reader.place_after(events)
        if found is None:
            return None
        offset, lines = found
        fd = self._fd

        def meta() -> dict:
            start, crc = self._at
            if offset < start:
                return {}
            crc = prefix_crc(fd, offset, start, crc)
            if crc is None:
                return {}
            self._at = (offset, crc)
            return {"input": {"offset": offset, "lines": lines, "crc": crc}}

        return meta

    def close(self) -> None:
        if self._check is not None:
            self._check.join()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
