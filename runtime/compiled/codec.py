"""Between columns and the interpreter's values, on the host.

The host steps in where the kernel does not go (handler calls, strings, messages, outcomes);
there it evaluates with the interpreter's own :class:`Evaluator` over an instance's slots
decoded from the columns, so a message or a value prints exactly as the interpreter prints it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from coordlang.errors import CoordError
from coordlang.ir import nodes as ir
from coordlang.runtime.compiled.layout import EventLayout, MachineLayout, Strings
from coordlang.runtime.compiled.state import State
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.values import ErrorValue


class CompiledRuntimeError(CoordError):
    """A value the compiled backend's columns cannot hold (a handler's result of another type
    than it declares, an event without a declared field)."""


class Codec:
    def __init__(self, strings: Strings, events: dict[str, EventLayout], event_width: tuple[int, int]) -> None:
        self.strings = strings
        self.events = events
        self.by_index = {e.index: e for e in events.values()}
        self.event_width = event_width

    # ---------------------------------------------------------------- scalars

    def decode(self, kind: str, raw) -> object:
        if kind == "f":
            return float(raw)
        if kind == "b":
            return bool(raw)
        if kind == "s":
            return self.strings.texts[int(raw)]
        return int(raw)

    def encode(self, kind: str, value: object, what: str) -> int | float:
        if kind == "f":
            if isinstance(value, float):
                return value
        elif kind == "b":
            if isinstance(value, bool):
                return 1 if value else 0
        elif kind == "s":
            if isinstance(value, str):
                return self.strings.intern(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            if -(1 << 63) <= value < (1 << 63):
                return value
        expected = {"f": "a float", "b": "a bool", "s": "a str", "i": "an int of 64 bits"}[kind]
        raise CompiledRuntimeError(f"{what} is {value!r}, not {expected}: the compiled backend keeps "
                                   "values in typed columns (the interpreter does not check this)")

    # ---------------------------------------------------------------- slots

    def slots(self, st: State, i: int, layout: MachineLayout) -> list:
        """The instance's slots as the interpreter holds them."""
        out: list = []
        I = st.I
        F = st.F
        for entry in layout.slots:
            kind = entry.kind
            if kind is None:
                out.append(None)
            elif kind == "event":
                if I[i, entry.col] == 0:
                    out.append(None)
                    continue
                event = self.events[entry.slot.event or ""]
                fields = {}
                for name, (where, col) in entry.fields.items():
                    raw = F[i, col] if where == "F" else I[i, col]
                    fields[name] = self.decode(event.kinds[name], raw)
                out.append(Event(event.definition.name, 0.0, fields))
            elif kind == "error":
                if I[i, entry.col] < 0:
                    out.append(None)
                    continue
                texts = self.strings.texts
                out.append(ErrorValue(texts[I[i, entry.col]], texts[I[i, entry.col + 1]], texts[I[i, entry.col + 2]]))
            else:
                out.append(self.decode(kind, F[i, entry.col] if kind == "f" else I[i, entry.col]))
        return out

    def store(self, st: State, i: int, layout: MachineLayout, slot: int, value: object) -> None:
        """A value the host computed, into a slot."""
        entry = layout.slots[slot]
        what = f"the value for '{entry.slot.name}'"
        if entry.kind == "event":
            if value is None:
                st.I[i, entry.col] = 0
                return
            if not isinstance(value, Event) or value.type != entry.slot.event:
                raise CompiledRuntimeError(f"{what} is {value!r}, not a {entry.slot.event} event")
            event = self.events[value.type]
            for name, (where, col) in entry.fields.items():
                encoded = self.encode(event.kinds[name], value.fields.get(name), what)
                if where == "F":
                    st.F[i, col] = encoded
                else:
                    st.I[i, col] = encoded
            st.I[i, entry.col] = 1
        elif entry.kind == "error":
            if value is None:
                st.I[i, entry.col] = -1
                return
            if not isinstance(value, ErrorValue):
                raise CompiledRuntimeError(f"{what} is {value!r}, not an error")
            st.I[i, entry.col] = self.strings.intern(value.kind)
            st.I[i, entry.col + 1] = self.strings.intern(value.message)
            st.I[i, entry.col + 2] = self.strings.intern(value.type)
        elif entry.kind == "f":
            st.F[i, entry.col] = self.encode("f", value, what)
        elif entry.kind is not None:
            st.I[i, entry.col] = self.encode(entry.kind, value, what)
        else:
            raise CompiledRuntimeError(f"{what}: variables of type {entry.slot.type} are not kept")

    # ---------------------------------------------------------------- input events

    def columns(self, events: Sequence[Event]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Input events as the kernel's columns: type index (-1 for an undeclared type), time,
        and each type's fields numbered from 0 in the int and float columns. Built a column at
        a time, per event type (a Python loop per field, not per cell)."""
        n = len(events)
        wi, wf = self.event_width
        ev_I = np.zeros((n, max(wi, 1)), dtype=np.int64)
        ev_F = np.zeros((n, max(wf, 1)), dtype=np.float64)
        ev_time = np.fromiter([e.time for e in events], dtype=np.float64, count=n)
        layouts = self.events
        index = {name: layout.index for name, layout in layouts.items()}
        ev_type = np.fromiter([index.get(e.type, -1) for e in events], dtype=np.int64, count=n)
        if n == 0:
            return ev_type, ev_time, ev_I, ev_F
        for name, layout in layouts.items():
            rows = np.flatnonzero(ev_type == layout.index)
            if len(rows) == 0:
                continue
            chosen = [events[r].fields for r in rows.tolist()]
            for field, (where, col) in layout.columns.items():
                try:
                    values = [fields[field] for fields in chosen]
                except KeyError:
                    raise CompiledRuntimeError(f"a {name} event has no field '{field}'") from None
                kind = layout.kinds[field]
                if where == "F":
                    ev_F[rows, col] = values
                elif kind == "s":
                    ids = self.strings.ids
                    intern = self.strings.intern
                    ev_I[rows, col] = [ids[v] if v in ids else intern(v) for v in values]
                else:
                    ev_I[rows, col] = values
        return ev_type, ev_time, ev_I, ev_F


    def table_columns(self, table) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The kernel's columns from an event table (``types``, ``fields`` per type, ``type``
        indexes, ``time``, ``columns`` per field name, ``strings``: the vocabulary of a string
        field's codes), without a Python object per event."""
        n = len(table.type)
        wi, wf = self.event_width
        whole = self._one_type_columns(table, n)
        if whole is not None:
            return whole
        ev_I = np.zeros((n, max(wi, 1)), dtype=np.int64)
        ev_F = np.zeros((n, max(wf, 1)), dtype=np.float64)
        ev_time = np.ascontiguousarray(table.time, dtype=np.float64)
        mapping = np.array([self.events[t].index if t in self.events else -1 for t in table.types] or [-1],
                           dtype=np.int64)
        ev_type = mapping[np.asarray(table.type, dtype=np.int64)] if n else np.zeros(0, dtype=np.int64)
        codes: dict[str, np.ndarray] = {}
        for name, layout in self.events.items():
            if name not in table.types:
                continue
            rows = np.flatnonzero(ev_type == layout.index)
            if len(rows) == 0:
                continue
            declared = dict(table.fields[name])
            for field, (where, col) in layout.columns.items():
                if field not in declared:
                    raise CompiledRuntimeError(f"the {name} events of the table have no field '{field}'")
                column = np.asarray(table.columns[field])[rows]
                if where == "F":
                    ev_F[rows, col] = column
                elif layout.kinds[field] == "s":
                    lookup = codes.get(field)
                    if lookup is None:
                        lookup = codes[field] = np.array(
                            [self.strings.intern(s) for s in table.strings[field]] or [0], dtype=np.int64)
                    ev_I[rows, col] = lookup[column]
                else:
                    ev_I[rows, col] = column
        return ev_type, ev_time, ev_I, ev_F


    def _one_type_columns(self, table, n: int):
        """A table of one declared event type whose fields are one int (or bool) and one float
        column (the sensors): the table's own arrays as the kernel's (n, 1) matrices, without a
        copy; else None."""
        if len(table.types) != 1 or table.types[0] not in self.events or n == 0:
            return None
        layout = self.events[table.types[0]]
        if sorted(layout.columns.values()) != [("F", 0), ("I", 0)]:
            return None  # (the matrices may be narrower than other types': nothing reads past a type's own)
        if set(layout.kinds.values()) - {"i", "f"} or not set(layout.columns) <= set(dict(table.fields[table.types[0]])):
            return None
        out = {}
        for field, (where, _) in layout.columns.items():
            column = np.ascontiguousarray(table.columns[field], dtype=np.float64 if where == "F" else np.int64)
            out[where] = column.reshape(n, 1)
        ev_type = np.full(n, layout.index, dtype=np.int64)
        return ev_type, np.ascontiguousarray(table.time, dtype=np.float64), out["I"], out["F"]


def key_value(strings: Strings, kind: str, raw: int) -> object:
    if kind == "s":
        return strings.texts[raw]
    if kind == "b":
        return bool(raw)
    return int(raw)


def machine_key_kind(machine: ir.Machine) -> str:
    return {"str": "s", "bool": "b"}.get(machine.key_type, "i")
