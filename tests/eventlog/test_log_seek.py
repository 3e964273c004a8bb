"""A resume that starts reading the input at its snapshot's place (docs/eventlog.md, Resuming):
the same outcomes, trace and input as an uninterrupted run on both backends; an input whose
bytes before the place differ is read from its start and refused when its events differ;
snapshots without the place (written before it was kept) resume the slow way."""

from __future__ import annotations

import json
import pickle
import zlib

import numpy as np
import pytest
from logkit import CHECKOUT, checkout_events, compiled, copy_log, keep_records, without_wall

from coordlang.runtime.compiled.reader import KernelReader
from coordlang.runtime.eventlog import LogError, RecordedRun, read_log
from coordlang.runtime.eventlog.compiled import CompiledRecording
from coordlang.runtime.eventlog.frames import frame, scan
from coordlang.runtime.eventlog.log import RecordTail, existing_log, snapshot_files
from coordlang.runtime.eventlog.records import pack, program_digest, unpack
from coordlang.runtime.events import EventReader

BACKENDS = ("interpreter", "compiled")


@pytest.fixture(scope="module")
def program():
    return compiled(CHECKOUT)


def write_lines(path, events: list[dict]):
    """The events as JSON Lines with a blank line after every seventh, so lines and events
    are counted apart."""
    lines = []
    for i, event in enumerate(events, 1):
        lines.append(json.dumps(event))
        if i % 7 == 0:
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(backend, program, directory, events, *, snapshot_every=4, batch_size=7, **options):
    """Record (or resume) ``events`` into ``directory`` as ``coord run --log`` does: (result,
    the input events the resume did not read again)."""
    if backend == "interpreter":
        recording = RecordedRun(program, directory, file=str(CHECKOUT), snapshot_every=snapshot_every,
                                events=str(events))
        reader = EventReader(program, events, batch_size=batch_size, **options)
        feed = recording.feed
    else:
        recording = CompiledRecording(program, directory, file=str(CHECKOUT), snapshot_every=snapshot_every,
                                      events=str(events))
        reader = KernelReader(program, recording.codec, events, batch_size=batch_size, **options)
        feed = recording.feed_columns
    with recording, reader:
        recording.attach(reader)
        jumped = recording.skipped
        for batch in reader:
            feed(batch)
        return recording.finish(), jumped


def cut(directory, records: int) -> None:
    """Keep the first ``records`` records of a one-segment log (snapshot files stay)."""
    keep_records(directory, records)


def fed(backend, records) -> object:
    """What the executor was fed, in order: the input records (their line included) or the
    compiled backend's type column."""
    if backend == "interpreter":
        return [r for r in records if r[0] == "in"]
    parts = [np.frombuffer(r[2][2], dtype=np.dtype(r[2][0])) for r in records if r[0] == "cols"]
    return np.concatenate(parts).tolist() if parts else []


@pytest.fixture(scope="module", params=BACKENDS)
def recorded(request, program, tmp_path_factory):
    """(backend, events file, log folder, result) of a whole recording."""
    backend = request.param
    tmp = tmp_path_factory.mktemp(f"seek-{backend}")
    events = write_lines(tmp / "events.jsonl", checkout_events(30))
    result, jumped = run(backend, program, tmp / "log", events)
    assert jumped == 0
    return backend, events, tmp / "log", result


def test_each_snapshot_keeps_its_place_in_the_input(recorded, program):
    _, events, log, _ = recorded
    data = events.read_bytes()
    digest = program_digest(program)
    metas = [unpack(scan(path.read_bytes()).payloads[0]) for _, path in snapshot_files(log)]
    assert len(metas) > 3
    for meta in metas:
        place = meta["input"]
        assert place["crc"] == zlib.crc32(data[:place["offset"]]) and meta["program"] == digest
        before = data[:place["offset"]]
        assert before.endswith(b"\n") and before.count(b"\n") == place["lines"]
        assert sum(1 for line in before.splitlines() if line.strip()) == meta["inputs"]


def test_a_resume_from_its_snapshots_place_repeats_the_uninterrupted_run(recorded, program, tmp_path):
    backend, events, log, result = recorded
    whole = read_log(log).records
    jumps = 0
    for kept in range(0, len(whole), 3 if backend == "interpreter" else 1):
        copy = copy_log(log, tmp_path / f"cut{kept}")
        cut(copy, kept)
        resumed, jumped = run(backend, program, copy, events, batch_size=5)
        jumps += jumped > 0
        assert resumed.outcomes == result.outcomes, f"cut after record {kept}"
        assert resumed.counters == result.counters, f"cut after record {kept}"
        again = read_log(copy).records
        assert fed(backend, again) == fed(backend, whole), f"cut after record {kept}: input lost or fed twice"
        if backend == "interpreter":
            assert without_wall(again) == without_wall(whole), f"cut after record {kept}"
    assert jumps > 3


def test_a_resume_is_told_apart_from_the_whole_log(recorded, program, tmp_path):
    _, _, log, _ = recorded
    copy = copy_log(log, tmp_path / "copy")
    whole = read_log(copy).records
    cut(copy, len(whole) // 2)
    backend = read_log(copy).header.get("backend", "interpreter")
    contents = existing_log(copy, program_digest(program), backend, usable=lambda meta: "input_digest" in meta)
    snapshot = contents.loaded[0]
    assert isinstance(contents.records, RecordTail) and len(contents.records) == len(whole) // 2
    assert contents.records[snapshot - 1:] == whole[snapshot - 1:len(whole) // 2]
    with pytest.raises(LookupError):
        contents.records[snapshot - 2]


def changed(events, tmp_path, name, change):
    lines = events.read_text(encoding="utf-8").split("\n")
    change(lines)
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_an_input_whose_first_events_changed_is_refused_naming_it(recorded, program, tmp_path):
    backend, events, log, _ = recorded
    copy = copy_log(log, tmp_path / "copy")
    cut(copy, len(read_log(copy).records) * 2 // 3)

    def dearer(lines):
        first = json.loads(lines[0])
        first["amount"] += 1.0
        lines[0] = json.dumps(first)

    other = changed(events, tmp_path, "other.jsonl", dearer)
    with pytest.raises(LogError, match=r"input events differ from the first \d+ of this input \(.*other\.jsonl\); "
                                       "resume with the input it was recorded from"):
        run(backend, program, copy, other)


def test_the_same_events_in_other_bytes_resume_from_the_start(recorded, program, tmp_path):
    backend, events, log, result = recorded
    copy = copy_log(log, tmp_path / "copy")
    cut(copy, len(read_log(copy).records) * 2 // 3)

    def spaced(lines):
        lines[0] = json.dumps(json.loads(lines[0]), indent=None, separators=(" , ", " : "))

    other = changed(events, tmp_path, "spaced.jsonl", spaced)
    resumed, jumped = run(backend, program, copy, other)
    assert jumped == 0 and resumed.outcomes == result.outcomes


def test_skip_bad_reads_the_input_from_its_start(recorded, program, tmp_path):
    backend, events, log, result = recorded
    copy = copy_log(log, tmp_path / "copy")
    cut(copy, len(read_log(copy).records) * 2 // 3)
    resumed, jumped = run(backend, program, copy, events, skip_bad=tmp_path / "rejects.jsonl")
    assert jumped == 0 and resumed.outcomes == result.outcomes


def as_written_before(path) -> None:
    """Rewrite a snapshot as coordlang wrote it before snapshots kept the input's checksum and
    place (and, for the compiled backend, before its columns format: zlib, used rows)."""
    meta_payload, state_payload = scan(path.read_bytes()).payloads
    meta = {k: v for k, v in unpack(meta_payload).items() if k not in ("input", "input_digest")}
    if meta.get("backend") == "compiled":
        from coordlang.runtime.eventlog.compiled import _unpacked

        state = pickle.loads(state_payload)
        host_args, completed, faults = pickle.loads(state["host"])
        st = {}
        for name, part in state["st"].items():
            array = _unpacked(part)
            used = part[3] if part[0] == "cols" else len(part[2]) if part[2].ndim else 0
            st[name] = (array.shape, array[:used] if array.ndim else array)
        state_payload = pickle.dumps({"st": st, "host_args": host_args, "completed": completed, "faults": faults,
                                      "strings": state["strings"], "events": state["events"]})
    elif meta.get("compression") == "zlib":
        state_payload = zlib.decompress(state_payload)
    meta["compression"] = "zlib"
    path.write_bytes(frame(pack(meta)) + frame(zlib.compress(state_payload)))


def test_snapshots_written_before_the_place_was_kept_resume_the_slow_way(recorded, program, tmp_path):
    backend, events, log, result = recorded
    whole = read_log(log).records
    for kept in (len(whole) // 2, len(whole) - 2):
        copy = copy_log(log, tmp_path / f"old{kept}")
        for _, path in snapshot_files(copy):
            as_written_before(path)
        cut(copy, kept)
        resumed, jumped = run(backend, program, copy, events)
        assert jumped == 0 and resumed.outcomes == result.outcomes, f"cut after record {kept}"
        assert fed(backend, read_log(copy).records) == fed(backend, whole)
