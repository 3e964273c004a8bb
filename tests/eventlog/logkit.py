"""What the event log's tests share: the checkout program, inputs for it, and runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from coordlang.analysis.document import analyze_file
from coordlang.ir.compile import compile_program
from coordlang.runtime.eventlog.records import WALL_AT
from coordlang.runtime.interpreter import Interpreter
from coordlang.sources import read_source

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE / "programs" / "checkout.coord"
ROOT = HERE.parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / f"{p.name}.coord").is_file())
T0 = 1767607200.0  # 2026-01-05T10:00:00Z


def compiled(path: Path):
    analysis = analyze_file(path, read_source(path))
    assert not [d for d in analysis.diagnostics if d.is_error]
    return compile_program(analysis)


def programs() -> list:
    """(program file, events file) of the checkout (events: None, generated) and every example,
    as pytest parameters."""
    import pytest

    return [pytest.param((CHECKOUT, None), id="checkout")] + [
        pytest.param((e / f"{e.name}.coord", e / "events.jsonl"), id=e.name) for e in EXAMPLES]


def checkout_events(orders: int) -> list[dict]:
    """``orders`` orders a second apart; most are paid 30 s later, every fifth never is (its
    wait times out and the charge is refunded)."""
    events = []
    for i in range(1, orders + 1):
        events.append({"event": "Order", "time": T0 + i, "id": f"o{i}", "amount": float(40 + (i * 37) % 150)})
        if i % 5:
            events.append({"event": "Paid", "time": T0 + i + 30.5, "id": f"o{i}"})
    return sorted(events, key=lambda e: e["time"])


def write_events(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def uninterrupted(program, events_path: Path) -> list:
    """The outcomes of a plain interpreter run, no log."""
    from coordlang.runtime.events import EventReader

    interpreter = Interpreter(program)
    with EventReader(program, events_path) as reader:
        for batch in reader:
            interpreter.feed(batch)
    return interpreter.finish().outcomes


def without_wall(records: list[list]) -> list[list]:
    """``records`` without the wall time a handler call's record may end with: it differs from
    run to run, so two runs' logs are compared without it."""
    return [record[:WALL_AT[record[0]]] if record[0] in WALL_AT else record for record in records]


def copy_log(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def as_written_before(source: Path, target: Path) -> Path:
    """``source``'s log as coordlang wrote it before it kept handler calls' wall times: the same
    header and records, without them (and without snapshots)."""
    from coordlang.runtime.eventlog import read_log
    from coordlang.runtime.eventlog.log import LogWriter

    contents = read_log(source)
    writer = LogWriter(target, contents.header)
    for record in without_wall(contents.records):
        writer.append(record)
    writer.close()
    return target


def keep_records(directory: Path, records: int | None = None) -> list[int]:
    """Rewrite a one-segment log with each of its first ``records`` records (None: all) in a
    frame of its own, as if each had been written alone; the offsets of those frames (the
    header's first, so record ``n`` starts at ``offsets[n]``). Snapshot files stay."""
    from coordlang.runtime.eventlog.frames import frame, scan, segments
    from coordlang.runtime.eventlog.records import batch, split_batch

    (segment,) = segments(directory)
    found = scan(segment.read_bytes())
    pieces = [piece for payload in found.payloads[1:] for piece in split_batch(payload)]
    frames = [frame(found.payloads[0])] + [frame(batch([p])) for p in pieces[:records]]
    offsets = []
    at = 0
    for data in frames:
        offsets.append(at)
        at += len(data)
    segment.write_bytes(b"".join(frames))
    return offsets
