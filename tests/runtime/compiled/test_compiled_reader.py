"""The compiled backend's reader: the kernel columns it builds from JSON Lines (numba scanner,
exact path for the rest) and from columnar files are, value for value, what the event reader's
events give through the codec, and every bad line gets the event reader's message and rejects
entry."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordlang.ir.nodes import EventDef, Program
from coordlang.runtime.columnar import FrameWriter
from coordlang.runtime.compiled.codec import Codec
from coordlang.runtime.compiled.layout import Strings, event_layouts
from coordlang.runtime.compiled.reader import KernelReader
from coordlang.runtime.events import EventError, EventReader

EVENTS = (
    EventDef("OrderPlaced", (("order_id", "str"), ("customer", "str"), ("amount", "float"), ("items", "int"),
                             ("vip", "bool"))),
    EventDef("PaymentOk", (("order_id", "str"), ("amount", "float"))),
    EventDef("Tick", (("every", "duration"), ("due", "time"))),
    EventDef("Stamped", (("time", "time"), ("id", "int"))),
    EventDef("Ping", ()),
    EventDef("Odd", (("event", "str"),)),
)
PROGRAM = Program(events=EVENTS, handlers=(), policies=(), machines=(), reactions=(), streams=(), spans=())
FIELDS = {e.name: dict(e.fields) for e in EVENTS}


def clock() -> float:
    return 42.0


def codec() -> Codec:
    layouts, wi, wf = event_layouts(PROGRAM)
    return Codec(Strings(), layouts, (wi, wf))


def decoded_columns(path: Path, chunk: int | None = None, **options) -> list[tuple]:
    """The kernel reader's rows as (type, repr(time), {field: repr(value)})."""
    c = codec()
    with KernelReader(PROGRAM, c, path, clock=clock, **options) as reader:
        if chunk is not None:
            reader._chunk = chunk
        batches = list(reader)
        count = reader.events
    rows = _rows(c, batches)
    assert count == len(rows)
    return rows


def _rows(c: Codec, batches) -> list[tuple]:
    rows = []
    for ev_type, ev_time, ev_I, ev_F in batches:
        for i in range(len(ev_type)):
            layout = c.by_index[int(ev_type[i])]
            fields = {}
            for name, (where, col) in layout.columns.items():
                raw = ev_F[i, col] if where == "F" else ev_I[i, col]
                fields[name] = repr(c.decode(layout.kinds[name], raw))
            rows.append((layout.definition.name, repr(float(ev_time[i])), fields))
    return rows


def decoded_events(path: Path, **options) -> list[tuple]:
    """The event reader's events, through the codec as ``feed`` takes them."""
    c = codec()
    with EventReader(PROGRAM, path, clock=clock, **options) as reader:
        batches = [c.columns(batch) for batch in reader]
    return _rows(c, batches)


def outcome(read, path: Path, **options):
    try:
        return "ok", read(path, **options)
    except EventError as exc:
        return "error", str(exc)


# ---------------------------------------------------------------- generated JSON Lines

digits = st.text("0123456789", min_size=1, max_size=22)
numbers = st.one_of(
    st.integers(-(10 ** 20), 10 ** 20).map(str),
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.builds(lambda i, f: f"{i}.{f}", st.integers(-10 ** 7, 10 ** 7), digits),
    st.builds(lambda m, e, c: f"{m}{c}{e}", st.integers(-10 ** 6, 10 ** 6), st.integers(-40, 40),
              st.sampled_from(["e", "E", "e+"])),
    st.sampled_from(["-0", "-0.0", "0.0", "1e400", "-1e-400", "01", "1.", ".5", "+1", "-", "1e", "0e500",
                     "9007199254740993", "123456789012345678", "1234567890123456789", "2.0", "1E22", "1e23"]),
)
times_text = st.builds(
    lambda y, mo, d, h, mi, s, sep, frac, zone: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{zone}",
    st.integers(0, 2300), st.integers(0, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60),
    st.integers(0, 61), st.sampled_from(["T", "T", "t", " "]),
    st.sampled_from(["", "", ".5", ".123456", ".1234567", ".", ".000001"]),
    st.sampled_from(["Z", "Z", "z", "+02:00", "-05:30", "", "+24:00", "+23:59", "-00:00"]))
strings = st.one_of(
    st.text("abcxyz-_ 0123456789", max_size=6).map(json.dumps),
    st.text(max_size=6).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.text(max_size=6).map(json.dumps),
    st.sampled_from(['"250ms"', '"5s"', '"1.5m"', '"2h"', '"x"', '"a\\"b"', '"tab\there"']),
)
values = st.one_of(numbers, strings, st.sampled_from(["true", "false", "null", "[]", "{}", '{"a": 1}']),
                   times_text.map(json.dumps))


def value_for(kind: str):
    typical = {"str": strings, "int": st.integers(-(1 << 64), 1 << 64).map(str),
               "float": numbers, "bool": st.sampled_from(["true", "false"]),
               "duration": st.one_of(numbers, st.sampled_from(['"250ms"', '"5s"', '"1.5m"', '"7x"'])),
               "time": st.one_of(numbers, times_text.map(json.dumps))}[kind]
    return st.one_of(typical, typical, typical, values)


@st.composite
def lines(draw) -> str:
    choice = draw(st.integers(0, 19))
    if choice == 0:
        return draw(st.sampled_from(["", "   ", "\t", "\r", "[1, 2]", '"Ping"', "{", "{}", "null", "1",
                                    '{"event": "Ping"} {}', '{"event": "Ping",}', "\x0b", "\ufeff{}"]))
    etype = draw(st.sampled_from(list(FIELDS) + ["Nope", "OrderPlace"]))
    pairs: list[tuple[str, str]] = []
    event_text = json.dumps(etype) if draw(st.integers(0, 15)) else draw(values)
    pairs.append(("event", event_text))
    if draw(st.booleans()):
        pairs.append(("time", draw(st.one_of(numbers, times_text.map(json.dumps), values))))
    for name, kind in FIELDS.get(etype, {}).items():
        if name in ("time", "event") or draw(st.integers(0, 30)) == 0:
            continue
        pairs.append((name, draw(value_for(kind))))
    extra = draw(st.integers(0, 25))
    if extra == 0:
        pairs.append((draw(st.sampled_from(["amout", "colour", "order_id", "event", "é"])), draw(values)))
    order = draw(st.permutations(range(len(pairs))))
    space = draw(st.sampled_from(["", " ", "  ", "\t", " \r"]))
    colon = draw(st.sampled_from([":", ": ", " : "]))
    body = ("," + space).join(f"{json.dumps(pairs[i][0])}{colon}{pairs[i][1]}" for i in order)
    line = "{" + space + body + space + "}"
    if draw(st.integers(0, 40)) == 0:
        line = line[:draw(st.integers(0, len(line)))]
    return line


@st.composite
def files(draw) -> bytes:
    text = "\n".join(draw(st.lists(lines(), max_size=12)))
    if draw(st.booleans()):
        text += "\n"
    data = text.encode("utf-8")
    if draw(st.integers(0, 15)) == 0:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + b"\xe9" + data[cut:]
    if draw(st.integers(0, 10)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@settings(max_examples=300, deadline=None)
@given(files(), st.one_of(st.none(), st.integers(1, 80)))
def test_jsonl_columns_are_the_event_readers(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                              chunk: int | None) -> None:
    tmp = tmp_path_factory.mktemp("jsonl")
    path = tmp / "ev.jsonl"
    path.write_bytes(data)
    assert outcome(lambda p: decoded_columns(p, chunk), path) == outcome(decoded_events, path)
    fast = outcome(lambda p, **o: decoded_columns(p, chunk, **o), path, skip_bad=tmp / "fast.jsonl")
    exact = outcome(decoded_events, path, skip_bad=tmp / "exact.jsonl")
    assert fast == exact
    assert (tmp / "fast.jsonl").read_bytes() == (tmp / "exact.jsonl").read_bytes()


def test_the_scanner_takes_the_common_lines_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual lines never reach the exact path (else the speed is the event reader's)."""
    path = tmp_path / "ev.jsonl"
    path.write_text(
        '{"event": "OrderPlaced", "time": 1767607200.25, "order_id": "o-1", "customer": "ann", "amount": 12.5, '
        '"items": 2, "vip": false}\n'
        '{"amount":12,"order_id":"o-1","event":"PaymentOk","time":"2026-01-05T10:00:00.5+02:00"}\n'
        '{"event": "Tick", "every": 2.5, "due": "2026-01-05T10:00:00Z"}\n'
        '{"event": "Stamped", "time": 5, "id": -7}\n{"event": "Ping"}\r\n', encoding="utf-8")

    def refuse(*args):
        raise AssertionError(f"the exact path was taken for {args[1]}")

    monkeypatch.setattr(KernelReader, "_exact", refuse)
    rows = decoded_columns(path)
    assert rows == [
        ("OrderPlaced", "1767607200.25", {"order_id": "'o-1'", "customer": "'ann'", "amount": "12.5", "items": "2",
                                          "vip": "False"}),
        ("PaymentOk", "1767600000.5", {"order_id": "'o-1'", "amount": "12.0"}),
        ("Tick", "42.0", {"every": "2.5", "due": "1767607200.0"}),
        ("Stamped", "5.0", {"time": "5.0", "id": "-7"}),
        ("Ping", "42.0", {}),
    ]


def test_a_bad_line_stops_with_the_event_readers_message(tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_text('{"event": "Ping"}\n\n{"event": "PaymentOk", "order_id": "o-1", "amount": "12.5"}\n',
                    encoding="utf-8")
    with pytest.raises(EventError, match=r'ev.jsonl:3: PaymentOk: field \'amount\' must be a float, found "12.5"$'):
        decoded_columns(path)


# ---------------------------------------------------------------- columnar files

def test_columnar_columns_are_the_event_readers(tmp_path: Path) -> None:
    lines_ = [
        {"event": "OrderPlaced", "time": 1.5, "order_id": "o-1", "customer": "ann", "amount": 12.5, "items": 2,
         "vip": True},
        {"event": "PaymentOk", "order_id": "o-1", "amount": -0.0},
        {"event": "Stamped", "time": "2026-01-05T10:00:00Z", "id": 3},
        {"event": "Stamped", "id": 4},
        {"event": "Tick", "time": 9, "every": "250ms", "due": 7},
        {"event": "Ping", "time": 10},
    ]
    source = tmp_path / "ev.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in lines_), encoding="utf-8")
    target = tmp_path / "ev.coordcols"
    with open(target, "wb") as out, EventReader(PROGRAM, source, clock=lambda: math.nan) as reader:
        writer = FrameWriter(out, tuple(e for e in EVENTS if e.name != "Odd"), frame_rows=4)
        for batch in reader:
            writer.add(batch)
        writer.flush()
    assert writer.frames == 2
    assert decoded_columns(target) == decoded_events(source) == decoded_events(target)
    c = codec()
    with KernelReader(PROGRAM, c, target, clock=clock) as reader:
        ev_type, ev_time, _, _ = next(iter(reader))
    assert ev_type.dtype == np.int64 and ev_time.flags.writeable


def test_more_field_names_than_the_scanner_tells_apart(tmp_path: Path) -> None:
    """Past 62 keys the scanner's masks do not fit: the event reader reads, the codec encodes."""
    wide = EventDef("Wide", tuple((f"f{i}", "int") for i in range(70)))
    program = Program(events=(wide,), handlers=(), policies=(), machines=(), reactions=(), streams=(), spans=())
    path = tmp_path / "ev.jsonl"
    path.write_text(json.dumps({"event": "Wide", "time": 1, **{f"f{i}": i for i in range(70)}}) + "\n",
                    encoding="utf-8")
    layouts, wi, wf = event_layouts(program)
    with KernelReader(program, Codec(Strings(), layouts, (wi, wf)), path) as reader:
        assert reader._tables is None
        ((ev_type, ev_time, ev_I, _),) = list(reader)
    assert ev_type.tolist() == [0] and ev_time.tolist() == [1.0] and ev_I[0].tolist() == list(range(70))
