"""The columnar events file: what the writer writes reads back as the same events, and every
way a file can be wrong stops the read with one ``file:frame N: what is wrong`` line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import msgpack
import numpy as np
import pytest

from coordlang.ir.nodes import EventDef, Program
from coordlang.runtime.columnar import FrameWriter, frame_bytes
from coordlang.runtime.events import EventError, read_events

EVENTS = (
    EventDef("OrderPlaced", (("order_id", "str"), ("customer", "str"), ("amount", "float"), ("items", "int"),
                             ("vip", "bool"))),
    EventDef("PaymentOk", (("order_id", "str"), ("amount", "float"))),
    EventDef("Tick", (("every", "duration"), ("due", "time"))),
    EventDef("Stamped", (("time", "time"), ("id", "int"))),
    EventDef("Tagged", (("id", "str"),)),
    EventDef("Ping", ()),
)
PROGRAM = Program(events=EVENTS, handlers=(), policies=(), machines=(), reactions=(), streams=(), spans=())
RECORDS = [
    {"event": "OrderPlaced", "time": 1.5, "order_id": "o-1", "customer": "zoë", "amount": 12.5, "items": -(1 << 63),
     "vip": True},
    {"event": "PaymentOk", "order_id": "o-1", "amount": -0.0},
    {"event": "Stamped", "time": "2026-01-05T10:00:00Z", "id": 3},
    {"event": "Stamped", "id": 4},
    {"event": "Tick", "time": 9, "every": "250ms", "due": 7},
    {"event": "Tagged", "time": 10, "id": "t\n1"},
    {"event": "Ping", "time": 11},
]


def clock() -> float:
    return 42.0


def convert(tmp_path: Path, records=RECORDS, frame_rows: int = 3, name: str = "ev.coordcols") -> Path:
    source = tmp_path / "ev.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    target = tmp_path / name
    with open(target, "wb") as out:
        writer = FrameWriter(out, EVENTS, frame_rows)
        for event in read_events(PROGRAM, source, clock=lambda: math.nan):
            writer.add([event])
        writer.flush()
    return target


def shown(events) -> list:
    return [(e.type, repr(e.time), {k: repr(v) for k, v in e.fields.items()}) for e in events]


def test_written_events_read_back_the_same(tmp_path: Path) -> None:
    target = convert(tmp_path)
    events = read_events(PROGRAM, target, clock=clock)
    assert shown(events) == shown(read_events(PROGRAM, tmp_path / "ev.jsonl", clock=clock))
    assert [e.source for e in events] == [f"{target}:frame {n}" for n in (1, 1, 1, 2, 2, 2, 3)]
    assert events[3].time == 42.0 and events[3].fields["time"] == 42.0  # no time given: the moment it is read


def test_a_field_name_with_two_kinds_gets_a_column_each(tmp_path: Path) -> None:
    frame = msgpack.unpackb(convert(tmp_path, frame_rows=100).read_bytes())
    assert frame["fields"]["Stamped"] == [["id", "int", "id:int"]]
    assert frame["fields"]["Tagged"] == [["id", "str", "id:str"]]
    assert frame["columns"]["id:int"][0] == "<i8" and frame["columns"]["id:str"][0] == "|u1"
    assert frame["strings"]["id:str"] == ["t\n1"] and "time" not in {f for f, *_ in frame["fields"]["Stamped"]}


def test_no_events_is_one_empty_frame(tmp_path: Path) -> None:
    target = convert(tmp_path, records=[])
    with open(target, "rb") as f:
        assert len(list(msgpack.Unpacker(f))) == 1
    assert read_events(PROGRAM, target) == []


def good_frame() -> dict:
    return msgpack.unpackb(frame_bytes(
        ["PaymentOk", "Ping"], {"PaymentOk": [("order_id", "str"), ("amount", "float")], "Ping": []},
        np.array([0, 1, 0], dtype=np.uint8), np.array([1.0, 2.0, np.nan]),
        {"order_id": np.array([0, 0, 1], dtype=np.uint8), "amount": np.array([1.0, 0.0, 2.5])},
        {"order_id": ["o-1", "o-2"]}))


def columns_of(frame: dict, name: str, dtype: str, values) -> dict:
    frame["columns"][name] = [dtype, np.array(values, dtype=dtype).tobytes()]
    return frame


def set_key(frame: dict, key: str, value) -> dict:
    frame[key] = value
    return frame


def test_a_good_frame_reads(tmp_path: Path) -> None:
    path = tmp_path / "ev.coordcols"
    path.write_bytes(msgpack.packb(good_frame()) * 2)
    events = read_events(PROGRAM, path, clock=clock)
    assert [(e.type, e.time, e.fields) for e in events] == [
        ("PaymentOk", 1.0, {"order_id": "o-1", "amount": 1.0}), ("Ping", 2.0, {}),
        ("PaymentOk", 42.0, {"order_id": "o-2", "amount": 2.5})] * 2


@pytest.mark.parametrize("change, message", [
    (lambda f: [1, 2], 'not a coord-columns frame (its first bytes are not a map with "format": "coord-columns"); '
                       "write the file with coord convert"),
    (lambda f: set_key(f, "format", "parquet"), "not a coord-columns frame"),
    (lambda f: set_key(f, "version", 2), "format version 2, but this coord reads version 1; convert the events "
                                         "again with this coord"),
    (lambda f: set_key(f, "rows", "3"), '"rows" must be an int, found "3"'),
    (lambda f: set_key(f, "types", ["Ping", "Ping"]), '"types" must be a list of at most 256 distinct event type names'),
    (lambda f: set_key(f, "types", ["PaymentOK", "Ping"]),
     "unknown event type 'PaymentOK'; did you mean 'PaymentOk'?; convert the events with this program"),
    (lambda f: set_key(f, "type", bytes([0, 1])), 'the "type" column has 2 bytes; 3 rows of |u1 are 3 bytes'),
    (lambda f: set_key(f, "type", bytes([0, 1, 5])), 'row 3: type code 5, but "types" has 2 names'),
    (lambda f: set_key(f, "time", np.array([1.0, np.inf, 0]).tobytes()),
     'row 2: time inf is not a finite number (NaN means no time)'),
    (lambda f: set_key(f, "fields", {"Ping": []}), '"fields" has no list for event type PaymentOk'),
    (lambda f: set_key(f, "fields", {"PaymentOk": [["order_id", "str"]], "Ping": []}),
     "PaymentOk: missing field 'amount' (float) in \"fields\""),
    (lambda f: set_key(f, "fields", {"PaymentOk": [["order_id", "str"], ["amount", "int"]], "Ping": []}),
     "PaymentOk: field 'amount' is int in the file but float in the program; convert the events with this program"),
    (lambda f: set_key(f, "fields", {"PaymentOk": [["order_id", "str"], ["amount", "float"], ["amout", "float"]],
                                     "Ping": []}),
     "PaymentOk has no field 'amout'; did you mean 'amount'? (its fields: order_id, amount); convert the events "
     "with this program"),
    (lambda f: set_key(f, "fields", {"PaymentOk": [["order_id", "str"], ["amount", "float", "amt"]], "Ping": []}),
     "no column 'amt' in \"columns\"; did you mean 'amount'?"),
    (lambda f: columns_of(f, "amount", "<f4", [1, 2, 3]), "column 'amount' is <f4; float values are <f8"),
    (lambda f: columns_of(f, "amount", "<f8", [1, 2]), "column 'amount' has 16 bytes; 3 rows of <f8 are 24 bytes"),
    (lambda f: columns_of(f, "amount", "<f8", [1, 0, math.nan]), "row 3: PaymentOk.amount is nan, not a finite number"),
    (lambda f: columns_of(f, "order_id", "|u1", [0, 0, 2]),
     "row 3: PaymentOk.order_id has code 2, but its vocabulary has 2 texts"),
    (lambda f: columns_of(f, "order_id", "<f8", [0, 0, 1]),
     "column 'order_id' holds str codes as <f8; use one of |u1, <u2, <u4, |i1, <i2, <i4, <i8"),
    (lambda f: set_key(f, "strings", {}), "column 'order_id' is a str column but \"strings\" has no list of texts for it"),
])
def test_each_problem_names_the_frame(tmp_path: Path, change, message: str) -> None:
    path = tmp_path / "ev.coordcols"
    path.write_bytes(msgpack.packb(good_frame()) + msgpack.packb(change(good_frame())))
    with pytest.raises(EventError) as info:
        read_events(PROGRAM, path, skip_bad=tmp_path / "rejects.jsonl")
    expected = message.replace("its first bytes are", "this is")
    assert str(info.value).startswith(f"{path}:frame 2: {expected}")


def test_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "ev.coordcols"
    whole = msgpack.packb(good_frame())
    path.write_bytes(whole + whole[:-5])
    with pytest.raises(EventError, match=r"ev.coordcols:frame 2: the file ends inside the frame \(truncated\?\); "
                                         r"copy or convert it again$"):
        read_events(PROGRAM, path)
    path.write_bytes(b"")
    with pytest.raises(EventError, match=r"ev.coordcols:frame 1: the file is empty; a coord-columns file has at "
                                         r"least one frame \(write it with coord convert\)$"):
        read_events(PROGRAM, path)
    path.write_bytes(b'{"event": "Ping"}\n')
    with pytest.raises(EventError, match=r"ev.coordcols:frame 1: not a coord-columns frame \(its first bytes are "
                                         r"not a map"):
        read_events(PROGRAM, path)
    path.write_bytes(whole + b"\xc1")
    with pytest.raises(EventError, match=r"ev.coordcols:frame 2: not a coord-columns frame: the bytes are not msgpack"):
        read_events(PROGRAM, path)


def test_a_type_that_cannot_be_input(tmp_path: Path) -> None:
    odd = Program(events=(EventDef("Odd", (("event", "str"),)),), handlers=(), policies=(), machines=(),
                  reactions=(), streams=(), spans=())
    path = tmp_path / "ev.coordcols"
    path.write_bytes(frame_bytes(["Odd"], {"Odd": [("event", "str")]}, np.zeros(1, dtype=np.uint8), np.zeros(1),
                                 {"event": np.zeros(1, dtype=np.uint8)}, {"event": ["x"]}))
    with pytest.raises(EventError, match=r"frame 1: event type Odd declares a field named 'event'"):
        read_events(odd, path)
