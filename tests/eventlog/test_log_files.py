"""The log's bytes: frames, segments, a torn tail at every byte, bit flips in the middle,
repair, and logs of another version or program."""

from __future__ import annotations

import random
import zlib

import pytest
from logkit import CHECKOUT, checkout_events, compiled, copy_log, keep_records, write_events

from coordlang.runtime.eventlog import LogCorrupt, LogError, RecordedRun, TornTail, read_log, repair
from coordlang.runtime.eventlog.frames import FRAME, MARKER, frame, scan, segments
from coordlang.runtime.eventlog.log import LogWriter
from coordlang.runtime.eventlog.records import batch, batch_length, header, pack, split_batch, unpack, unpack_batch
from coordlang.runtime.events import EventReader


@pytest.fixture(scope="module")
def program():
    return compiled(CHECKOUT)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, program):
    """A whole recorded run of 40 orders: (log folder, events file)."""
    tmp = tmp_path_factory.mktemp("recorded")
    events = write_events(tmp / "events.jsonl", checkout_events(40))
    record(program, tmp / "log", events)
    return tmp / "log", events


def record(program, directory, events, **options):
    run = RecordedRun(program, directory, file=str(CHECKOUT), **options)
    with run, EventReader(program, events, batch_size=7) as reader:
        for batch in reader:
            run.feed(batch)
        return run.finish()


def only_segment(directory):
    (path,) = segments(directory)
    return path


def test_frames_round_trip_and_carry_length_and_crc():
    payload = pack(["in", 1.5, "Order", {"id": "o1"}, "x:1"])
    data = frame(payload)
    marker, length, crc = FRAME.unpack_from(data)
    assert marker == MARKER and length == len(payload) and crc == zlib.crc32(payload)
    found = scan(data + frame(b"\x01"))
    assert found.payloads == [payload, b"\x01"] and found.damage is None


def test_a_recorded_run_reads_back_whole(recorded):
    directory, _ = recorded
    contents = read_log(directory)
    kinds = {record[0] for record in contents.records}
    assert kinds == {"in", "ok", "err", "fire", "emit", "fin", "end"}
    assert contents.finished
    assert sum(1 for r in contents.records if r[0] == "in") == len(checkout_events(40))


def test_segments_roll_and_read_back_in_order(tmp_path, program):
    head = header(program, "x.coord", 0)
    writer = LogWriter(tmp_path, head, segment_bytes=200)
    for i in range(100):
        writer.append(["ok", "charge", f"o{i}:0:1", float(i)])
        if i % 7 == 6:
            writer.flush()  # a batch of 7: segments roll between batches
    writer.close()
    files = segments(tmp_path)
    assert len(files) > 5
    assert [int(f.stem.split("-")[1]) for f in files] == list(range(1, 100, 7))[:len(files)]
    contents = read_log(tmp_path)
    assert [r[3] for r in contents.records] == [float(i) for i in range(100)]


def test_a_torn_tail_is_truncated_at_every_byte_of_the_last_frame(tmp_path, recorded):
    """The last frame holds the last batch of records; a crash that tears it loses them all,
    as a crash just before the write would have."""
    directory, _ = recorded
    segment = only_segment(directory)
    data = segment.read_bytes()
    found = scan(data)
    in_last = len(unpack_batch(found.payloads[-1]))
    whole = read_log(directory).records[:-in_last]
    last_start = found.offsets[-1]
    for cut in range(last_start + 1, len(data)):
        copy = tmp_path / f"cut{cut}"
        copy_log(directory, copy)
        only_segment(copy).write_bytes(data[:cut])
        with pytest.warns(TornTail, match=f"dropped the {cut - last_start} bytes from byte {last_start}"):
            contents = read_log(copy)
        assert contents.records == whole
        assert only_segment(copy).stat().st_size == last_start  # truncated on disk
        assert read_log(copy).records == whole  # and now clean: no warning (they are errors here)


def test_a_bit_flip_in_the_middle_is_corruption_named_by_segment_and_offset(tmp_path, recorded):
    directory, _ = recorded
    segment = only_segment(directory)
    data = segment.read_bytes()
    offsets = scan(data).offsets
    rng = random.Random(4)
    for trial in range(40):
        frame_index = rng.randrange(1, len(offsets) - 2)  # a record with records after it
        start = offsets[frame_index]
        byte = rng.randrange(start, offsets[frame_index + 1])
        flipped = bytearray(data)
        flipped[byte] ^= 1 << rng.randrange(8)
        copy = copy_log(directory, tmp_path / f"flip{trial}")
        only_segment(copy).write_bytes(bytes(flipped))
        with pytest.raises(LogCorrupt) as caught:
            read_log(copy)
        assert caught.value.segment == only_segment(copy)
        assert caught.value.offset == start
        assert f"corrupt record at byte {start}" in str(caught.value) and "coord log repair" in str(caught.value)
        assert only_segment(copy).read_bytes() == bytes(flipped)  # nothing is cut off a corrupt log


def test_repair_salvages_every_record_before_the_damage(tmp_path, recorded, program):
    directory, events = recorded
    whole = read_log(directory).records
    broken = copy_log(directory, tmp_path / "broken")
    offsets = keep_records(broken)  # a frame per record: the damage is record 50's alone
    damaged = bytearray(only_segment(broken).read_bytes())
    damaged[offsets[50] + 9] ^= 0xFF  # inside record 50's payload (frame 0 is the header)
    only_segment(broken).write_bytes(bytes(damaged))
    done = repair(broken, tmp_path / "fixed")
    assert done.records == 49 and done.damage is not None and done.damage.offset == offsets[50]
    assert read_log(tmp_path / "fixed").records == whole[:49]
    assert only_segment(broken).read_bytes() == bytes(damaged)  # the damaged log is left as it was
    # The salvaged log resumes to the uninterrupted outcomes.
    resumed = record(program, tmp_path / "fixed", events)
    first = record(program, tmp_path / "again", events)
    assert resumed.outcomes == first.outcomes
    with pytest.raises(LogError, match="already exists"):
        repair(broken, tmp_path / "fixed")


def test_a_log_of_another_program_is_refused(tmp_path, recorded):
    directory, events = recorded
    other = compiled(CHECKOUT.parent.parent.parent.parent / "examples" / "order_saga" / "order_saga.coord")
    with pytest.raises(LogError, match="recorded for another program"):
        RecordedRun(other, copy_log(directory, tmp_path / "copy"), file="order_saga.coord")


def test_a_log_of_another_version_is_refused(tmp_path, recorded, program, monkeypatch):
    import coordlang.runtime.eventlog.records as records

    monkeypatch.setattr(records, "__version__", "9.9.9")
    with pytest.raises(LogError, match=r"written by coordlang 0\.1\.0 .* this is coordlang 9\.9\.9"):
        read_log(copy_log(recorded[0], tmp_path / "copy"))


def test_a_folder_that_is_not_a_log_is_refused(tmp_path, program):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(LogError, match="holds other files and no log"):
        RecordedRun(program, tmp_path, file="x")
    with pytest.raises(LogError, match="holds no log segments"):
        read_log(tmp_path)
    (tmp_path / "segment-000000000001.log").write_bytes(frame(pack({"format": "other"})))
    with pytest.raises(LogError, match="not a coordlang event log"):
        read_log(tmp_path)


def test_a_large_torn_record_is_a_torn_tail_and_a_flipped_length_is_corruption(tmp_path, program):
    import os as _os

    head = header(program, "x.coord", 0)
    writer = LogWriter(tmp_path / "log", head)
    for i in range(5):
        writer.append(["ok", "h", f"k{i}", _os.urandom(3_000_000)])  # megabytes of random bytes each
    writer.close()
    (segment,) = segments(tmp_path / "log")
    data = segment.read_bytes()
    offsets = scan(data).offsets
    torn = copy_log(tmp_path / "log", tmp_path / "torn")
    only_segment(torn).write_bytes(data[:offsets[-1] + 1_500_000])
    with pytest.warns(TornTail):
        assert len(read_log(torn).records) == 4
    flipped = bytearray(data)
    flipped[offsets[2] + 7] ^= 0x01  # the length of record 2 grows by 16 MiB: past the end
    broken = copy_log(tmp_path / "log", tmp_path / "broken")
    only_segment(broken).write_bytes(bytes(flipped))
    with pytest.raises(LogCorrupt) as caught:
        read_log(broken)
    assert caught.value.offset == offsets[2]


def test_records_are_framed_in_batches_and_split_back_byte_for_byte(recorded):
    directory, _ = recorded
    found = scan(only_segment(directory).read_bytes())
    batches = [split_batch(payload) for payload in found.payloads[1:]]
    whole = read_log(directory).records
    assert len(batches) < len(whole) / 3  # batched: far fewer frames than records
    assert [unpack(piece) for pieces in batches for piece in pieces] == whole
    assert [piece for pieces in batches for piece in pieces] == [pack(record) for record in whole]


def test_fsync_always_writes_each_record_before_append_returns(tmp_path, program):
    writer = LogWriter(tmp_path, header(program, "x.coord", 0), fsync="always")
    for i in range(3):
        writer.append(["ok", "charge", f"o{i}:0:1", float(i)])
        assert [r[3] for r in read_log(tmp_path).records] == [float(n) for n in range(i + 1)]
    writer.close()
    assert len(scan(only_segment(tmp_path).read_bytes()).payloads) == 4  # the header, a frame per record


def test_a_handler_call_long_after_the_last_write_writes_the_buffer(tmp_path, program, monkeypatch):
    from coordlang.runtime.eventlog import log

    writer = LogWriter(tmp_path, header(program, "x.coord", 0))
    writer.append(["in", 1.0, "Order", {"id": "o1"}, "x:1"])
    monkeypatch.setattr(log, "FLUSH_SECONDS", 3600.0)
    writer.flush_if_stale()
    assert not segments(tmp_path)  # nothing written yet: the buffer waits for more
    monkeypatch.setattr(log, "FLUSH_SECONDS", 0.0)
    writer.flush_if_stale()
    assert [r[0] for r in read_log(tmp_path).records] == ["in"]
    writer.close()


@pytest.mark.parametrize("count", [1, 15, 16, 65_535, 65_536])
def test_a_batch_tells_its_length_from_its_header_alone(count):
    payload = batch([pack(["fire", float(i), i]) for i in range(count)])
    assert batch_length(payload) == count == len(unpack_batch(payload))
    with pytest.raises(ValueError, match="no batch of records"):
        batch_length(pack({"format": "coordlog"}))
