"""Generated input events as columns, and the files they are written to.

A generator builds an :class:`EventTable`: one row per input event in input order (event time
order, except for late events), with the event type as a small integer, the event time, and one
column per field name shared by every type that has a field of that name. A string field is a
column of codes into a vocabulary. Nothing here makes a Python object per field until an
executor needs :class:`~coordlang.runtime.executor.Event` objects (:meth:`EventTable.events`),
and that happens one batch at a time.

Files (:func:`write`):

- **JSON Lines** (``.jsonl``): ``{"event": TYPE, "time": SECONDS, FIELD: VALUE, ...}`` per line,
  the input format of ``coord run``. Written with one ``%`` template per type, no dict per row.
- **msgpack** (``.msgpack``): a stream of maps with the same keys, which ``coord run`` also reads.
- **columnar** (``.coordcols``; also written for ``.columns.msgpack``): the columnar events file
  of ``coord run`` (``coordlang.runtime.columnar``, docs/cli.md), a stream of msgpack frames of
  up to 1 M rows, numpy columns as little-endian raw bytes, written with that module's writer.
  Read back here by :func:`read_columns`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

COLUMNS_FORMAT = "coord-columns"
FRAME_ROWS = 1_000_000

_PY_KIND = {"int": int, "float": float, "bool": bool, "time": float, "duration": float}


@dataclass(slots=True)
class EventTable:
    """Input events as columns, in input order."""

    types: tuple[str, ...]
    """Event type names; ``type`` holds indexes into it."""
    fields: dict[str, tuple[tuple[str, str], ...]]
    """Per type, its (field, kind) pairs in declared order, as in the ``.coord`` file."""
    type: np.ndarray
    """uint8, one per event."""
    time: np.ndarray
    """float64 event time, seconds since the epoch."""
    columns: dict[str, np.ndarray]
    """Per field name, one value per event (meaningless in rows whose type lacks the field)."""
    strings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For a ``str`` field: the vocabulary its column's integer codes index."""

    def __len__(self) -> int:
        return len(self.type)

    def counts(self) -> dict[str, int]:
        """Events per type."""
        per = np.bincount(self.type, minlength=len(self.types))
        return {name: int(n) for name, n in zip(self.types, per)}

    def slice(self, start: int, stop: int) -> EventTable:
        return EventTable(self.types, self.fields, self.type[start:stop], self.time[start:stop],
                          {k: v[start:stop] for k, v in self.columns.items()}, self.strings)

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[str, float, dict]]:
        """(type, time, fields) per row, fields as Python values of their declared kinds."""
        stop = len(self) if stop is None else stop
        types = self.type[start:stop].tolist()
        times = self.time[start:stop].tolist()
        values = {name: self._python(name, col[start:stop]) for name, col in self.columns.items()}
        plans = [tuple((f, values[f]) for f, _ in self.fields[t]) for t in self.types]
        for i, (t, when) in enumerate(zip(types, times)):
            yield self.types[t], when, {f: column[i] for f, column in plans[t]}

    def events(self, batch: int = 10_000, start: int = 0, stop: int | None = None) -> Iterator[list]:
        """Batches of :class:`~coordlang.runtime.executor.Event`, built as they are asked for."""
        from coordlang.runtime.executor import Event

        stop = len(self) if stop is None else stop
        for lo in range(start, stop, batch):
            hi = min(lo + batch, stop)
            yield [Event(t, when, fields, "") for t, when, fields in self.rows(lo, hi)]

    def _python(self, name: str, column: np.ndarray) -> list:
        vocabulary = self.strings.get(name)
        if vocabulary is not None:
            return [vocabulary[code] for code in column.tolist()]
        return column.tolist()


# ---------------------------------------------------------------- files

def write(table: EventTable, path: Path) -> Path:
    """Write the table in the format its name asks for (``.jsonl``, ``.msgpack``,
    ``.coordcols``; ``.columns.msgpack`` is the same columnar format)."""
    path = Path(path)
    name = path.name
    if name.endswith((".coordcols", ".columns.msgpack")):
        write_columns(table, path)
    elif name.endswith(".msgpack"):
        write_msgpack(table, path)
    elif name.endswith(".jsonl"):
        write_jsonl(table, path)
    else:
        raise ValueError(f"{path}: write .jsonl, .msgpack or .coordcols")
    return path


def write_jsonl(table: EventTable, path: Path, chunk: int = 200_000) -> None:
    """JSON Lines, one ``%`` template per event type (floats as ``repr``: exact round trip)."""
    templates = []
    for t in table.types:
        parts = [f'{{"event": "{t}", "time": %r']
        for name, kind in table.fields[t]:
            parts.append(f'"{name}": ' + ("%s" if kind in ("str", "bool") else "%r"))
        templates.append(", ".join(parts) + "}\n")
    with open(path, "w", encoding="utf-8") as out:
        for lo in range(0, len(table), chunk):
            hi = min(lo + chunk, len(table))
            values = {name: _json_values(table, name, col[lo:hi]) for name, col in table.columns.items()}
            plans = [tuple(values[f] for f, _ in table.fields[t]) for t in table.types]
            lines = []
            for i, (t, when) in enumerate(zip(table.type[lo:hi].tolist(), table.time[lo:hi].tolist())):
                lines.append(templates[t] % (when, *(column[i] for column in plans[t])))
            out.write("".join(lines))


def _json_values(table: EventTable, name: str, column: np.ndarray) -> list:
    import orjson

    vocabulary = table.strings.get(name)
    if vocabulary is not None:
        quoted = [orjson.dumps(s).decode() for s in vocabulary]
        return [quoted[code] for code in column.tolist()]
    if column.dtype == np.bool_:
        return ["true" if v else "false" for v in column.tolist()]
    return column.tolist()


def write_msgpack(table: EventTable, path: Path) -> None:
    """A stream of msgpack maps, one per event."""
    import msgpack

    packer = msgpack.Packer()
    with open(path, "wb") as out:
        for lo in range(0, len(table), FRAME_ROWS):
            hi = min(lo + FRAME_ROWS, len(table))
            out.write(b"".join(packer.pack({"event": t, "time": when, **fields})
                               for t, when, fields in table.rows(lo, hi)))


def write_columns(table: EventTable, path: Path) -> None:
    """The columnar file ``coord run`` reads (``.coordcols``, see ``coordlang.runtime.columnar``),
    with that module's writer: frames of up to 1 M rows."""
    from coordlang.runtime.columnar import write_frame

    fields = {t: [f for f in fs if f != ("time", "time")] for t, fs in table.fields.items()}
    with open(path, "wb") as out:
        for lo in range(0, max(len(table), 1), FRAME_ROWS):
            part = table.slice(lo, min(lo + FRAME_ROWS, len(table)))
            write_frame(out, list(part.types), fields, part.type, part.time, part.columns,
                        {name: list(v) for name, v in part.strings.items()})


def read_columns(path: Path) -> EventTable:
    """Read a columnar msgpack file back (all its frames, concatenated)."""
    import msgpack

    frames = []
    with open(path, "rb") as f:
        for frame in msgpack.Unpacker(f, raw=False, max_buffer_size=1 << 31):
            if not isinstance(frame, dict) or frame.get("format") != COLUMNS_FORMAT:
                raise ValueError(f"{path}: not a {COLUMNS_FORMAT} file")
            frames.append(frame)
    if not frames:
        raise ValueError(f"{path}: no frames")
    first = frames[0]
    types = tuple(first["types"])
    fields = {t: tuple(tuple(f) for f in fs) for t, fs in first["fields"].items()}

    def column(frame: dict, name: str) -> np.ndarray:
        dtype, data = frame["columns"][name]
        return np.frombuffer(data, dtype=dtype)

    return EventTable(
        types, fields,
        np.concatenate([np.frombuffer(f["type"], dtype=np.uint8) for f in frames]),
        np.concatenate([np.frombuffer(f["time"], dtype="<f8") for f in frames]),
        {name: np.concatenate([column(f, name) for f in frames]) for name in first["columns"]},
        {name: tuple(v) for name, v in first["strings"].items()},
    )
