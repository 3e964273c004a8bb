"""``coord run`` end to end on generated events files with bad lines in them: from JSON Lines
and from the columnar file (``coord convert``), on both backends, OUTCOMES.jsonl, STATS.json
(timings aside) and the rejects file are byte for byte the same; without ``--skip-bad`` both
backends stop with the same one-line message and write nothing."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from dual import ROOT, program
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_compiled_differential import example_vocabulary, streams

from coordlang.cli import main

BAD_LINES = (
    '{"event": "PaymentRequested", ',
    '{"event": "Refund", "time": 1780000000}',
    '{"event": "Settled", "time": "2026-03-02T14:00:00", "payment_id": "p-1", "amount": 1.0, "batch_id": "B"}',
    '{"event": "Settled", "payment_id": "p-1", "amount": "1.0", "batch_id": "B"}',
    '{"event": "Decision", "request_id": "r-1"}',
    "[1, 2]",
    "",
    "   ",
)
TIMINGS = ("seconds", "load_seconds", "compile_seconds")


def record_line(event, style: int) -> str:
    """One event as a line, its time written in one of several ways (or left out)."""
    record: dict = {"event": event.type}
    if style == 0 and event.time == int(event.time):
        record["time"] = datetime.fromtimestamp(event.time, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif style == 1:
        record["time"] = int(event.time) if event.time == int(event.time) else event.time
    else:
        record["time"] = event.time
    record.update(event.fields)
    if style == 2:
        record = dict(reversed(list(record.items())))
    return json.dumps(record, ensure_ascii=style != 3)


def inputs(name: str):
    prog = program(ROOT / "examples" / name / f"{name}.coord")

    @st.composite
    def draw(d):
        events = d(streams(prog, example_vocabulary(name), max_events=14))
        lines = [record_line(e, d(st.integers(0, 3))) for e in events]
        for _ in range(d(st.integers(0, 2))):
            lines.insert(d(st.integers(0, len(lines))), d(st.sampled_from(BAD_LINES)))
        return "\n".join(lines) + "\n"

    return draw()


def coord(capsys: pytest.CaptureFixture[str], *args) -> tuple[int, str]:
    status = main([str(a) for a in args])
    return status, capsys.readouterr().err


def outputs(folder: Path, tag: str) -> tuple[bytes, dict, bytes]:
    stats = json.loads((folder / f"{tag}.stats.json").read_text(encoding="utf-8"))
    assert all(stats.pop(t) >= 0 for t in TIMINGS)
    assert stats.pop("backend") == tag.rpartition("-")[2]
    rejects = folder / f"{tag}.rejects.jsonl"
    return (folder / f"{tag}.out.jsonl").read_bytes(), stats, rejects.read_bytes() if rejects.exists() else b""


def check(name: str, text: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = ROOT / "examples" / name / f"{name}.coord"
    events = folder / "ev.jsonl"
    events.write_text(text, encoding="utf-8")
    runs = {}
    for backend in ("interpreter", "compiled"):
        tag = f"jsonl-{backend}"
        status, err = coord(capsys, "run", source, "--events", events, "--backend", backend, "--skip-bad",
                            folder / f"{tag}.rejects.jsonl", "--out", folder / f"{tag}.out.jsonl",
                            "--stats", folder / f"{tag}.stats.json")
        assert status == 0, err
        runs[tag] = outputs(folder, tag)
    status, err = coord(capsys, "convert", source, "--events", events, "--out", folder / "ev.coordcols",
                        "--skip-bad", folder / "convert.rejects.jsonl")
    assert status == 0, err
    assert (folder / "convert.rejects.jsonl").read_bytes() == runs["jsonl-interpreter"][2]
    for backend in ("interpreter", "compiled"):
        tag = f"columns-{backend}"
        status, err = coord(capsys, "run", source, "--events", folder / "ev.coordcols", "--backend", backend,
                            "--out", folder / f"{tag}.out.jsonl", "--stats", folder / f"{tag}.stats.json")
        assert status == 0, err
        out, stats, _ = outputs(folder, tag)
        runs[tag] = (out, stats, runs["jsonl-interpreter"][2])
    assert len(set(json.dumps([o.decode(), s, r.decode()]) for o, s, r in runs.values())) == 1, runs
    # Without --skip-bad: the same first message from both backends, and no output at all.
    stopped = set()
    for backend in ("interpreter", "compiled"):
        out = folder / f"stop-{backend}.out.jsonl"
        status, err = coord(capsys, "run", source, "--events", events, "--backend", backend, "--out", out)
        stopped.add((status, err if status else "the summary"))
        assert out.exists() == (runs["jsonl-interpreter"][2] == b"")
    assert len(stopped) == 1, stopped


# capsys is read out after every command, so sharing it between examples is safe.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs("payment_retries"))
def test_payment_retries_from_every_input(tmp_path_factory: pytest.TempPathFactory,
                                          capsys: pytest.CaptureFixture[str], text: str) -> None:
    check("payment_retries", text, tmp_path_factory.mktemp("payments"), capsys)


# capsys is read out after every command, so sharing it between examples is safe.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs("approval_flow"))
def test_approval_flow_from_every_input(tmp_path_factory: pytest.TempPathFactory,
                                        capsys: pytest.CaptureFixture[str], text: str) -> None:
    check("approval_flow", text, tmp_path_factory.mktemp("approvals"), capsys)


def test_the_orders_workload_from_every_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    sys.path.insert(0, str(ROOT))
    from benchmarks.workloads import columns
    from benchmarks.workloads.orders.generate import PROGRAM, generate

    data = generate(300)
    columns.write(data.table, tmp_path / "orders.jsonl")
    columns.write(data.table, tmp_path / "orders.coordcols")
    written = set()
    for backend in ("interpreter", "compiled"):
        for name in ("orders.jsonl", "orders.coordcols"):
            out, stats = tmp_path / "out.jsonl", tmp_path / "stats.json"
            status, err = coord(capsys, "run", PROGRAM, "--events", tmp_path / name, "--backend", backend,
                                "--out", out, "--stats", stats)
            assert status == 0, err
            figures = json.loads(stats.read_text(encoding="utf-8"))
            assert {k: figures[k] for k in data.expected} == data.expected
            assert figures.pop("backend") == backend
            written.add((out.read_bytes(), json.dumps({k: v for k, v in figures.items() if k not in TIMINGS})))
    assert len(written) == 1


def test_standard_input_on_the_compiled_backend(tmp_path: Path) -> None:
    """A pipe is read without the scanning thread: a bad line stops the run cleanly (a thread
    left reading standard input would abort the interpreter at exit)."""
    import subprocess
    import sys

    folder = ROOT / "examples" / "payment_retries"
    text = (folder / "events.jsonl").read_bytes()
    for stdin, status, err in ((text, 0, b""), (b'{"event": "Settled"}\n' + text, 2,
                                                 b"coord: <stdin>:1: Settled: missing field 'payment_id' (str)\n")):
        result = subprocess.run([sys.executable, "-m", "coordlang", "run", str(folder / "payment_retries.coord"),
                                 "--events", "-", "--backend", "compiled", "--out", "-"], input=stdin,
                                capture_output=True, timeout=120)
        assert result.returncode == status
        if status:
            assert (result.stdout, result.stderr) == (b"", err)
        else:
            expected = subprocess.run([sys.executable, "-m", "coordlang", "run", str(folder / "payment_retries.coord"),
                                       "--events", str(folder / "events.jsonl"), "--out", "-"], capture_output=True,
                                      timeout=120)
            assert result.stdout == expected.stdout and result.stdout


def test_msgpack_and_csv_on_the_compiled_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The other formats reach the kernel as the event reader's events, encoded by the codec."""
    import csv

    import msgpack

    folder = ROOT / "examples" / "payment_retries"
    records = [json.loads(line) for line in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    (tmp_path / "ev.msgpack").write_bytes(b"".join(msgpack.packb(r) for r in records))
    names = ["event", "time"] + sorted({k for r in records for k in r} - {"event", "time"})
    with open(tmp_path / "ev.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        for r in records:
            writer.writerow([repr(r[n]) if isinstance(r.get(n), float) else r.get(n, "") for n in names])
    written = set()
    for events in (folder / "events.jsonl", tmp_path / "ev.msgpack", tmp_path / "ev.csv"):
        for backend in ("interpreter", "compiled"):
            out = tmp_path / "out.jsonl"
            status, err = coord(capsys, "run", folder / "payment_retries.coord", "--events", events, "--backend",
                                backend, "--out", out)
            assert status == 0, err
            written.add(out.read_bytes())
    assert len(written) == 1
