"""Reading input events: every format, every problem with its exact message and place, rejects
files, standard input, live pipes, and times."""

from __future__ import annotations

import io
import json
import os
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordlang.errors import CoordError
from coordlang.ir.nodes import EventDef, Program
from coordlang.runtime.events import EventError, EventReader, event_format, read_batches, read_events
from coordlang.runtime.executor import Event
from coordlang.runtime.fields import parse_duration, parse_time, rfc3339_seconds, time_from_text

EVENTS = (
    EventDef("OrderPlaced", (("order_id", "str"), ("customer", "str"), ("amount", "float"), ("items", "int"),
                             ("vip", "bool"))),
    EventDef("PaymentOk", (("order_id", "str"), ("amount", "float"))),
    EventDef("Tick", (("every", "duration"), ("due", "time"))),
    EventDef("Stamped", (("time", "time"), ("id", "int"))),
    EventDef("Ping", ()),
)
PROGRAM = Program(events=EVENTS, handlers=(), policies=(), machines=(), reactions=(), streams=(), spans=())
T0 = 1767607200.0  # 2026-01-05T10:00:00Z
ORDER = {"event": "OrderPlaced", "time": "2026-01-05T10:00:00Z", "order_id": "o-1", "customer": "ann",
         "amount": 12.5, "items": 2, "vip": False}


def clock() -> float:
    return 42.0


def jsonl(tmp_path: Path, *records: object, name: str = "ev.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def read(path: Path | str, **options) -> list[Event]:
    return read_events(PROGRAM, path, clock=clock, **options)


def problem(tmp_path: Path, *records: object) -> str:
    """The message of the EventError reading these JSON Lines raises."""
    path = jsonl(tmp_path, *records)
    with pytest.raises(EventError) as info:
        read(path)
    return str(info.value)


# ---------------------------------------------------------------- JSON Lines


def test_jsonl_events_are_typed_and_placed(tmp_path: Path) -> None:
    path = jsonl(tmp_path, ORDER, {"event": "PaymentOk", "time": T0 + 60, "order_id": "o-1", "amount": 12},
                 {"event": "Tick", "every": "250ms", "due": "2026-01-05T12:00:00+02:00"},
                 {"event": "Tick", "time": 5, "every": 90, "due": 1767607200.5})
    events = read(path)
    assert events == [
        Event("OrderPlaced", T0, {"order_id": "o-1", "customer": "ann", "amount": 12.5, "items": 2, "vip": False},
              f"{path}:1"),
        Event("PaymentOk", T0 + 60, {"order_id": "o-1", "amount": 12.0}, f"{path}:2"),
        Event("Tick", 42.0, {"every": 0.25, "due": T0}, f"{path}:3"),
        Event("Tick", 5.0, {"every": 90.0, "due": 1767607200.5}, f"{path}:4"),
    ]
    assert type(events[1].fields["amount"]) is float
    assert type(events[3].time) is float and type(events[3].fields["every"]) is float


def test_blank_lines_bom_crlf_and_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    line = json.dumps({"event": "Ping", "time": 1}).encode()
    path.write_bytes(b"\xef\xbb\xbf" + line + b"\r\n\r\n   \n" + line + b"\n\n" + line)
    events = read(path)
    assert [e.source for e in events] == [f"{path}:1", f"{path}:4", f"{path}:6"]
    assert all(e.fields == {} and e.time == 1.0 for e in events)


def test_empty_input_has_no_batches(tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_bytes(b"")
    assert list(read_batches(PROGRAM, path)) == []
    path.write_bytes(b"\n \n")
    assert list(read_batches(PROGRAM, path)) == []


def test_batches_have_the_batch_size(tmp_path: Path) -> None:
    path = jsonl(tmp_path, *[{"event": "Ping", "time": i} for i in range(5)])
    batches = list(read_batches(PROGRAM, path, batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [e.time for b in batches for e in b] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_events_without_time_get_the_moment_they_were_read(tmp_path: Path) -> None:
    path = jsonl(tmp_path, {"event": "Ping"})
    (event,) = read_events(PROGRAM, path)
    assert abs(event.time - datetime.now(timezone.utc).timestamp()) < 60


def test_a_time_field_is_the_event_time(tmp_path: Path) -> None:
    path = jsonl(tmp_path, {"event": "Stamped", "time": "2026-01-05T10:00:00Z", "id": 1}, {"event": "Stamped", "id": 2})
    first, second = read(path)
    assert first.time == T0 and first.fields == {"id": 1, "time": T0}
    assert second.time == 42.0 and second.fields == {"id": 2, "time": 42.0}


def test_the_reader_counts_and_reports_progress(tmp_path: Path) -> None:
    path = jsonl(tmp_path, *[{"event": "Ping", "time": i} for i in range(3)])
    with EventReader(PROGRAM, path) as reader:
        assert reader.size == path.stat().st_size and reader.position == 0
        list(reader)
        assert reader.events == 3 and reader.position == reader.size and reader.rejected == 0


@pytest.mark.parametrize("line, message", [
    ('{"event": "Ping", ', "not valid JSON at column 19 (unexpected end of data)"),
    ('{"event": "Ping"} {}', "not valid JSON at column 19 (more after the object)"),
    ('[1, 2]', 'expected an object {"event": TYPE, ...}, found an array'),
    ('"Ping"', 'expected an object {"event": TYPE, ...}, found a string'),
    ('{"time": 1}', 'no "event" key naming the event type'),
    ('{"event": 3}', '"event" must name an event type (a string), found 3'),
    ('{"event": null}', 'no "event" key naming the event type'),
    ('{"event": "OrderPlace"}', "unknown event type 'OrderPlace'; did you mean 'OrderPlaced'?"),
    ('{"event": "Refund"}', "unknown event type 'Refund'; the program declares OrderPlaced, PaymentOk, Ping, "
                            "Stamped, Tick"),
    ('{"event": "Ping", "time": "2026-01-05T10:00:00"}',
     'time "2026-01-05T10:00:00" has no UTC offset; add Z or +HH:MM'),
    ('{"event": "Ping", "time": "2026-01-05"}',
     'bad time "2026-01-05": expected RFC 3339 text like 2026-01-05T10:00:00Z or seconds since the epoch'),
    ('{"event": "Ping", "time": "2026-02-30T10:00:00Z"}',
     'bad time "2026-02-30T10:00:00Z": no such date or time of day'),
    ('{"event": "Ping", "time": "2026-01-05T24:00:00Z"}',
     'bad time "2026-01-05T24:00:00Z": no such date or time of day'),
    ('{"event": "Ping", "time": "2026-01-05T10:00:00+24:00"}',
     'bad time "2026-01-05T10:00:00+24:00": the UTC offset is out of range'),
    ('{"event": "Ping", "time": true}',
     'bad time true: expected RFC 3339 text like 2026-01-05T10:00:00Z or seconds since the epoch'),
    ('{"event": "Ping", "time": null}',
     'bad time null: expected RFC 3339 text like 2026-01-05T10:00:00Z or seconds since the epoch'),
    ('{"event": "PaymentOk", "order_id": "o-1"}', "PaymentOk: missing field 'amount' (float)"),
    ('{"event": "PaymentOk", "order_id": "o-1", "amount": "12.5"}',
     "PaymentOk: field 'amount' must be a float, found \"12.5\""),
    ('{"event": "PaymentOk", "order_id": 7, "amount": 1}', "PaymentOk: field 'order_id' must be a str, found 7"),
    ('{"event": "PaymentOk", "order_id": "o-1", "amount": true}',
     "PaymentOk: field 'amount' must be a float, found true"),
    ('{"event": "PaymentOk", "order_id": "o-1", "amount": 1, "amout": 2}',
     "PaymentOk has no field 'amout'; did you mean 'amount'? (its fields: order_id, amount)"),
    ('{"event": "PaymentOk", "order_id": "o-1", "amount": 1, "note": "x"}',
     "PaymentOk has no field 'note' (its fields: order_id, amount)"),
    ('{"event": "Ping", "x": 1}', "Ping has no field 'x' (its fields: none)"),
    ('{"event": "OrderPlaced", "order_id": "o", "customer": "c", "amount": 1.0, "items": 2.0, "vip": false}',
     "OrderPlaced: field 'items' must be an int, found 2.0"),
    ('{"event": "OrderPlaced", "order_id": "o", "customer": "c", "amount": 1.0, "items": 1, "vip": "false"}',
     "OrderPlaced: field 'vip' must be a bool, found \"false\""),
    ('{"event": "OrderPlaced", "order_id": "o", "customer": "c", "amount": 1.0, "items": true, "vip": false}',
     "OrderPlaced: field 'items' must be an int, found true"),
    ('{"event": "OrderPlaced", "order_id": "o", "customer": "c", "amount": 1.0, "items": 9223372036854775808, '
     '"vip": false}', "OrderPlaced: field 'items' must be an int in the 64-bit range, found 9223372036854775808"),
    ('{"event": "OrderPlaced", "order_id": null, "customer": "c", "amount": 1.0, "items": 1, "vip": false}',
     "OrderPlaced: field 'order_id' must be a str, found null"),
    ('{"event": "OrderPlaced", "order_id": [], "customer": "c", "amount": 1.0, "items": 1, "vip": false}',
     "OrderPlaced: field 'order_id' must be a str, found an array"),
    ('{"event": "Tick", "every": "5 sec", "due": 1}',
     "Tick: field 'every' must be a duration (seconds, or text like \"5s\" or \"250ms\"), found \"5 sec\""),
    ('{"event": "Tick", "every": 5, "due": "tomorrow"}',
     "Tick: field 'due' must be a time (RFC 3339 text like 2026-01-05T10:00:00Z, or seconds since the epoch), "
     "found \"tomorrow\""),
    ('{"event": "Tick", "every": 5, "due": "2026-01-05 10:00"}',
     "Tick: field 'due': time \"2026-01-05 10:00\" has no UTC offset; add Z or +HH:MM"),
])
def test_each_problem_has_its_message_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = jsonl(tmp_path, {"event": "Ping", "time": 0}, "", line)
    assert problem(tmp_path, {"event": "Ping", "time": 0}, "", line) == f"{path}:3: {message}"


@pytest.mark.parametrize("line, column", [('{"event": Ping}', 11), ('{"event": "Ping", "time": NaN}', 27),
                                          ('{"event": "Ping", "time": 1e400}', 27), ('{oops', 2)])
def test_bad_json_names_the_column_in_orjson_words(tmp_path: Path, line: str, column: int) -> None:
    path = jsonl(tmp_path, line)
    with pytest.raises(EventError) as info:
        read(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:1: not valid JSON at column {column} \([a-z].+\)", str(info.value))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_bytes(b'{"event": "Ping"}\n{"event": "P\xe9ng"}\n')
    with pytest.raises(EventError, match=r"ev.jsonl:2: not UTF-8 text \(byte 0xe9 at column 13\)$"):
        read(path)


def test_event_error_is_a_coord_error() -> None:
    assert issubclass(EventError, CoordError)


def test_fields_named_event_or_a_time_of_another_type_cannot_be_input(tmp_path: Path) -> None:
    program = Program(events=(EventDef("Odd", (("event", "str"),)), EventDef("Late", (("time", "int"),))),
                      handlers=(), policies=(), machines=(), reactions=(), streams=(), spans=())
    with pytest.raises(EventError) as info:
        read_events(program, jsonl(tmp_path, {"event": "Odd"}))
    assert str(info.value).endswith("ev.jsonl:1: event type Odd declares a field named 'event', which input cannot "
                                    "carry (the \"event\" key names the type); rename the field")
    with pytest.raises(EventError) as info:
        read_events(program, jsonl(tmp_path, {"event": "Late", "time": 3}))
    assert str(info.value).endswith("ev.jsonl:1: event type Late declares a field 'time' of type int, but the "
                                    "\"time\" key of input is the event time; rename the field or make it a time")


# ---------------------------------------------------------------- skip-bad


def test_skip_bad_writes_rejects_and_goes_on(tmp_path: Path) -> None:
    path = jsonl(tmp_path, {"event": "Ping", "time": 1}, '{"event": "Pong"}', "[1]", "{oops",
                 {"event": "Ping", "time": 2}, '{"event": "PaymentOk", "amount": 1}')
    rejects = tmp_path / "rejects.jsonl"
    with EventReader(PROGRAM, path, skip_bad=rejects, clock=clock) as reader:
        events = [e for batch in reader for e in batch]
        assert reader.rejected == 4 and reader.events == 2
    assert [e.time for e in events] == [1.0, 2.0]
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[2])["reason"].startswith("not valid JSON at column 2 (")
    lines[2] = lines[2][:lines[2].index('"reason"')] + lines[2][lines[2].index('"text"'):]
    assert lines == [
        '{"line": 2, "reason": "unknown event type \'Pong\'; did you mean \'Ping\'?", "text": "{\\"event\\": \\"Pong\\"}"}',
        '{"line": 3, "reason": "expected an object {\\"event\\": TYPE, ...}, found an array", "text": "[1]"}',
        '{"line": 4, "text": "{oops"}',
        '{"line": 6, "reason": "PaymentOk: missing field \'order_id\' (str)", '
        '"text": "{\\"event\\": \\"PaymentOk\\", \\"amount\\": 1}"}',
    ]


def test_skip_bad_keeps_undecodable_text_readable(tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_bytes(b'{"event": "P\xe9ng"}\r\n')
    rejects = tmp_path / "rejects.jsonl"
    assert read(path, skip_bad=rejects) == []
    assert json.loads(rejects.read_text(encoding="utf-8")) == {
        "line": 1, "reason": "not UTF-8 text (byte 0xe9 at column 13)", "text": '{"event": "P\ufffdng"}'}


def test_skip_bad_file_is_created_empty_on_clean_input(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    read(jsonl(tmp_path, {"event": "Ping"}), skip_bad=rejects)
    assert rejects.read_bytes() == b""


def test_unwritable_rejects_file(tmp_path: Path) -> None:
    with pytest.raises(EventError, match=r"cannot write the rejects file"):
        read(jsonl(tmp_path, {"event": "Ping"}), skip_bad=tmp_path)


# ---------------------------------------------------------------- files, formats and stdin


def test_format_by_extension_or_explicit() -> None:
    assert [event_format(p) for p in ("a.jsonl", "a.JSON", "a.ndjson", "a.msgpack", "a.mpk", "a.csv", "a.coordcols",
                                      "-")] == ["jsonl", "jsonl", "jsonl", "msgpack", "msgpack", "csv", "columns", "jsonl"]
    assert event_format("a.txt", "csv") == "csv"
    with pytest.raises(EventError, match=r"^a.txt: cannot tell the events format from its extension '.txt'; "
                                         r"name it .jsonl, .msgpack, .csv or .coordcols, or give --format "
                                         r"jsonl\|msgpack\|csv\|columns$"):
        event_format("a.txt")
    with pytest.raises(EventError, match="from its name \\(no extension\\)"):
        event_format("events")
    with pytest.raises(EventError, match="unknown events format 'xml'"):
        event_format("a.jsonl", "xml")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(EventError, match=r"nope.jsonl: no such file$"):
        read(tmp_path / "nope.jsonl")
    (tmp_path / "dir.jsonl").mkdir()
    with pytest.raises(EventError, match=r"dir.jsonl: is a directory, not an events file$"):
        read(tmp_path / "dir.jsonl")


def test_stdin_is_json_lines_by_default() -> None:
    data = b'{"event": "Ping", "time": 1}\n{"event": "Pong"}\n'
    with pytest.raises(EventError, match=r"^<stdin>:2: unknown event type 'Pong'"):
        read("-", stdin=io.BytesIO(data))
    (event,) = read("-", stdin=io.BytesIO(data[:29]))
    assert event == Event("Ping", 1.0, {}, "<stdin>:1")


def test_stdin_with_a_format() -> None:
    data = b"event,time,order_id,amount\nPaymentOk,5,o-1,2\n"
    assert read("-", format="csv", stdin=io.BytesIO(data)) == [
        Event("PaymentOk", 5.0, {"order_id": "o-1", "amount": 2.0}, "<stdin>:2")]


def test_a_live_pipe_yields_what_is_ready_without_waiting_for_a_full_batch() -> None:
    read_fd, write_fd = os.pipe()
    first_seen = threading.Event()
    with os.fdopen(read_fd, "rb") as source, os.fdopen(write_fd, "wb") as sink:
        sink.write(b'{"event": "Ping", "time": 1}\n{"event": "Ping", "time": 2}\n')
        sink.flush()

        def later() -> None:
            first_seen.wait(30)
            sink.write(b'{"event": "Ping", "time": 3}\n')
            sink.close()

        writer = threading.Thread(target=later)
        writer.start()
        batches = []
        for batch in EventReader(PROGRAM, "-", stdin=source):
            batches.append([e.time for e in batch])
            first_seen.set()
        writer.join()
    assert batches == [[1.0, 2.0], [3.0]]


# ---------------------------------------------------------------- msgpack


def msgpack_file(tmp_path: Path, *records: object, name: str = "ev.msgpack") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(msgpack.packb(r) for r in records))
    return path


def test_msgpack_events(tmp_path: Path) -> None:
    path = msgpack_file(tmp_path, ORDER, {"event": "Tick", "time": msgpack.Timestamp(5, 500_000_000), "every": 1.5,
                                          "due": msgpack.Timestamp(7)}, name="ev.mpk")
    assert read(path) == [
        Event("OrderPlaced", T0, {"order_id": "o-1", "customer": "ann", "amount": 12.5, "items": 2, "vip": False},
              f"{path}:#1"),
        Event("Tick", 5.5, {"every": 1.5, "due": 7.0}, f"{path}:#2"),
    ]


def test_msgpack_problems_name_the_record(tmp_path: Path) -> None:
    path = msgpack_file(tmp_path, {"event": "Ping"}, [1, 2], {"event": "Ping", 1: 2}, {"event": "Ping", "x": b"\x00"})
    with pytest.raises(EventError, match=r"ev.msgpack:#2: expected an object \{\"event\": TYPE, ...\}, found an array$"):
        read(path)
    rejects = tmp_path / "rejects.jsonl"
    assert [e.source for e in read(path, skip_bad=rejects)] == [f"{path}:#1"]
    assert [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()] == [
        {"line": 2, "reason": 'expected an object {"event": TYPE, ...}, found an array', "text": "[1,2]"},
        {"line": 3, "reason": "Ping has no field 1 (its fields: none)", "text": '{"1":2}'},
        {"line": 4, "reason": "Ping has no field 'x' (its fields: none)", "text": "{\"x\":\"b'\\\\x00'\"}"},
    ]


def test_msgpack_that_is_not_msgpack_stops_even_with_skip_bad(tmp_path: Path) -> None:
    path = tmp_path / "ev.msgpack"
    path.write_bytes(msgpack.packb({"event": "Ping"}) + b"\xc1")
    with pytest.raises(EventError, match=r"ev.msgpack:#2: not msgpack: bytes that start no msgpack value$"):
        read(path, skip_bad=tmp_path / "rejects.jsonl")
    path.write_bytes(msgpack.packb({"event": "Ping"}) + msgpack.packb({"event": "Ping"})[:-2])
    with pytest.raises(EventError, match=r"ev.msgpack:#2: the input ends inside a msgpack record$"):
        read(path)


# ---------------------------------------------------------------- CSV


def csv_file(tmp_path: Path, text: str, name: str = "ev.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_csv_events(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "\ufeffevent,time,order_id,customer,amount,items,vip,every,due\r\n"
                              "OrderPlaced,2026-01-05T10:00:00Z,o-1,\"Ann, Jr.\",12,2,TRUE,,\r\n"
                              "\r\n"
                              "PaymentOk,1767607260,o-1,,12.5,,,,\r\n"
                              "Tick,,,,,,,250ms,2026-01-05T10:00:00Z\r\n"
                              "Tick,,,,,,,1.5,1767607200\r\n"
                              ",,,,,,,,\r\n")
    assert read(path) == [
        Event("OrderPlaced", T0, {"order_id": "o-1", "customer": "Ann, Jr.", "amount": 12.0, "items": 2, "vip": True},
              f"{path}:2"),
        Event("PaymentOk", T0 + 60, {"order_id": "o-1", "amount": 12.5}, f"{path}:4"),
        Event("Tick", 42.0, {"every": 0.25, "due": T0}, f"{path}:5"),
        Event("Tick", 42.0, {"every": 1.5, "due": T0}, f"{path}:6"),
    ]


def test_csv_without_time_column_and_multiline_cells(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'order_id,event,amount\n"o\n1",PaymentOk,1\no-2,PaymentOk,2\n')
    events = read(path)
    assert [(e.fields["order_id"], e.time, e.source) for e in events] == [
        ("o\n1", 42.0, f"{path}:2"), ("o-2", 42.0, f"{path}:4")]


@pytest.mark.parametrize("row, message", [
    ("PaymentOk,,o-1,,abc,,", "PaymentOk: field 'amount' must be a float, found \"abc\""),
    ("PaymentOk,,o-1,,nan,,", "PaymentOk: field 'amount' must be a float, found \"nan\""),
    ("PaymentOk,,o-1,,1_000,,", "PaymentOk: field 'amount' must be a float, found \"1_000\""),
    ("PaymentOk,,o-1,,,,", "PaymentOk: missing field 'amount' (float)"),
    ("PaymentOk,,o-1,bob,1,,", "PaymentOk has no field 'customer' (its fields: order_id, amount)"),
    ("OrderPlaced,,o,c,1,2.5,true", "OrderPlaced: field 'items' must be an int, found \"2.5\""),
    ("OrderPlaced,,o,c,1, 2,true", "OrderPlaced: field 'items' must be an int, found \" 2\""),
    ("OrderPlaced,,o,c,1,2,yes", "OrderPlaced: field 'vip' must be a bool, found \"yes\""),
    ("PaymentOk,noon,o-1,,1,,", 'bad time "noon": expected RFC 3339 text like 2026-01-05T10:00:00Z or seconds '
                                "since the epoch"),
    ("Refund,,o-1,,1,,", "unknown event type 'Refund'; the program declares OrderPlaced, PaymentOk, Ping, "
                         "Stamped, Tick"),
    (",,o-1,,1,,", "the event cell is empty"),
    ("PaymentOk,,o-1,,1", "the row has 5 cells; the header has 7 columns"),
])
def test_csv_problems(tmp_path: Path, row: str, message: str) -> None:
    path = csv_file(tmp_path, f"event,time,order_id,customer,amount,items,vip\nPing,1,,,,,\n{row}\n")
    with pytest.raises(EventError) as info:
        read(path)
    assert str(info.value) == f"{path}:3: {message}"


def test_csv_rejects_keep_the_row_text(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'event,order_id,amount\nPaymentOk,"o\n1",x\nPaymentOk,o-2,2\n')
    rejects = tmp_path / "rejects.jsonl"
    assert [e.fields["order_id"] for e in read(path, skip_bad=rejects)] == ["o-2"]
    assert json.loads(rejects.read_text(encoding="utf-8")) == {
        "line": 2, "reason": "PaymentOk: field 'amount' must be a float, found \"x\"", "text": 'PaymentOk,"o\n1",x'}


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "ev.csv"
    path.write_bytes(b"event,order_id,amount\nPaymentOk,caf\xe9,1\n")
    with pytest.raises(EventError, match=r"ev.csv:2: not UTF-8 text \(byte 0xe9 at column 14\)$"):
        read(path)


@pytest.mark.parametrize("header, message", [
    ("time,order_id", "the header row has no 'event' column; name the columns event, time (optional), then the fields"),
    ("event,order_id,order_id", "the header names column 'order_id' twice"),
    ("event,,order_id", "column 2 of the header has no name"),
    ("event,ordr_id", "column 'ordr_id' is not a field of any declared event type; did you mean 'order_id'?"),
    ("event,colour", "column 'colour' is not a field of any declared event type"),
])
def test_csv_header_problems_stop_even_with_skip_bad(tmp_path: Path, header: str, message: str) -> None:
    path = csv_file(tmp_path, f"\n{header}\nPing\n")
    with pytest.raises(EventError) as info:
        read(path, skip_bad=tmp_path / "rejects.jsonl")
    assert str(info.value) == f"{path}:2: {message}"


def test_csv_that_is_not_csv(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'event,order_id,amount\nPaymentOk,"o-1"x,1\nPaymentOk,o-2,2\nPaymentOk,"o-3,1\n')
    with pytest.raises(EventError, match=r"ev.csv:2: not CSV: ',' expected after '\"'$"):
        read(path)
    rejects = tmp_path / "rejects.jsonl"
    assert [e.fields["order_id"] for e in read(path, skip_bad=rejects)] == ["o-2"]
    assert [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()] == [
        {"line": 2, "reason": "not CSV: ',' expected after '\"'", "text": 'PaymentOk,"o-1"x,1'},
        {"line": 4, "reason": "not CSV: unexpected end of data", "text": 'PaymentOk,"o-3,1'},
    ]
    with pytest.raises(EventError, match=r"ev.csv:1: the header row is not CSV: ',' expected after '\"'$"):
        read(csv_file(tmp_path, 'event,"time"x\n'))


# ---------------------------------------------------------------- the three formats agree

records = st.fixed_dictionaries({
    "event": st.just("OrderPlaced"),
    "time": st.integers(0, 4_000_000_000).map(lambda s: datetime.fromtimestamp(s, timezone.utc)
                                              .strftime("%Y-%m-%dT%H:%M:%SZ")),
    "order_id": st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8),
    "customer": st.text(min_size=1, max_size=8).filter(lambda s: "\x00" not in s and "\r" not in s),
    "amount": st.floats(allow_nan=False, allow_infinity=False, width=64),
    "items": st.integers(-(1 << 63), (1 << 63) - 1),
    "vip": st.booleans(),
})


@given(st.lists(records, min_size=1, max_size=5))
def test_jsonl_msgpack_and_csv_read_the_same_events(tmp_path_factory: pytest.TempPathFactory,
                                                    generated: list[dict]) -> None:
    import csv as csv_module

    tmp = tmp_path_factory.mktemp("formats")
    generated = [r for r in generated if "\x00" not in r["order_id"] and "\r" not in r["order_id"]] or [ORDER]
    columns = ["event", "time", "order_id", "customer", "amount", "items", "vip"]
    with open(tmp / "ev.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv_module.writer(f)
        writer.writerow(columns)
        for r in generated:
            writer.writerow([repr(r[c]) if c == "amount" else str(r[c]).lower() if c == "vip" else r[c]
                             for c in columns])
    from_json = read(jsonl(tmp, *generated))
    from_msgpack = read(msgpack_file(tmp, *generated))
    from_csv = read(tmp / "ev.csv")
    fields = [(e.type, e.time, e.fields) for e in from_json]
    assert fields == [(e.type, e.time, e.fields) for e in from_msgpack]
    assert fields == [(e.type, e.time, e.fields) for e in from_csv]


# ---------------------------------------------------------------- times and durations


@pytest.mark.parametrize("text, expected", [
    ("2026-01-05T10:00:00Z", T0),
    ("2026-01-05T10:00:00+00:00", T0),
    ("2026-01-05T12:00:00+02:00", T0),
    ("2026-01-05T04:30:00-05:30", T0),
    ("2026-01-05t10:00:00z", T0),
    ("2026-01-05 10:00:00Z", T0),
    ("2026-01-05T10:00:00.25Z", T0 + 0.25),
    ("2026-01-05T10:00:00.123456789Z", T0 + 0.123456),
    ("2026-01-05T09:59:60Z", T0),
    ("2024-02-29T00:00:00Z", 1709164800.0),
    ("1970-01-01T00:00:00Z", 0.0),
    ("1969-12-31T23:59:59Z", -1.0),
])
def test_rfc3339(text: str, expected: float) -> None:
    assert rfc3339_seconds(text) == expected
    assert rfc3339_seconds(text) == expected  # again, through the cache of minutes
    assert parse_time(text) == expected and time_from_text(text) == expected


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.integers(-23 * 60 - 59, 23 * 60 + 59), st.booleans())
def test_rfc3339_agrees_with_datetime(moment: datetime, offset_minutes: int, whole: bool) -> None:
    if whole:
        moment = moment.replace(microsecond=0)
    zone = timezone(timedelta(minutes=offset_minutes))
    aware = moment.replace(tzinfo=zone)
    text = aware.isoformat()
    expected = aware.timestamp()
    assert rfc3339_seconds(text) == expected
    assert rfc3339_seconds(text) == expected
    assert rfc3339_seconds(text.replace("T", "t")) == expected


def test_times_as_numbers_and_text() -> None:
    assert parse_time(5) == 5.0 and parse_time(5.5) == 5.5
    assert time_from_text("1767607200") == T0 and time_from_text("1.5e3") == 1500.0
    with pytest.raises(ValueError, match="has no UTC offset"):
        time_from_text("2026-01-05T10:00")
    with pytest.raises(ValueError, match="bad time true"):
        parse_time(True)


def test_durations() -> None:
    assert [parse_duration(v) for v in ("250ms", "5s", "1.5m", "2h", "1d", 3, 0.5)] == [
        0.25, 5.0, 90.0, 7200.0, 86400.0, 3.0, 0.5]
    for bad in ("5", "5 s", "-5s", "1h30m", True, None):
        with pytest.raises(ValueError, match="bad duration"):
            parse_duration(bad)
