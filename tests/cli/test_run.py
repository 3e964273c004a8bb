"""``coord run`` end to end: every example runs and writes well-formed files; every mistake a
user can make is one line and exit 2 (exit 1 for a program with errors)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import msgpack
import pytest

from coordlang.cli import main
from coordlang.runtime.executor import COUNTERS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / f"{p.name}.coord").is_file())
ORDERS = ROOT / "examples" / "order_saga"
STATUSES = {"completed", "failed", "compensated", "cancelled", "running"}
T0 = 1767607200  # 2026-01-05T10:00:00Z


def coord(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coordlang", *args], capture_output=True, input=stdin, timeout=120)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``coord run ARGS`` in this process: (exit status, stdout, stderr)."""
    status = main(["run", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def check_outputs(outcomes: Path, stats: Path) -> list[dict]:
    lines = outcomes.read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in lines]
    for obj in objects:
        assert list(obj) == ["workflow", "version", "key", "status", "value", "message"]
        assert obj["status"] in STATUSES and isinstance(obj["version"], int)
    figures = json.loads(stats.read_text(encoding="utf-8"))
    assert list(figures) == [*COUNTERS, "events", "seconds", "load_seconds", "compile_seconds", "backend"]
    assert figures["backend"] in ("interpreter", "compiled")
    for status in STATUSES:
        assert figures[status] == sum(obj["status"] == status for obj in objects)
    assert stats.read_text(encoding="utf-8").count("\n") == 1
    return objects


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_runs_and_writes_its_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 example: Path) -> None:
    out, stats = tmp_path / "OUTCOMES.jsonl", tmp_path / "STATS.json"
    status, stdout, stderr = run(capsys, example / f"{example.name}.coord", "--events", example / "events.jsonl",
                                 "--out", out, "--stats", stats)
    assert status == 0, stderr
    assert stdout == ""
    objects = check_outputs(out, stats)
    assert objects, "every example starts instances"
    events = sum(1 for line in (example / "events.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())
    assert json.loads(stats.read_text(encoding="utf-8"))["events"] == events
    assert f"{example.name}.coord on " in stderr and "events/s" in stderr and "completed" in stderr


def test_runs_are_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        assert run(capsys, ORDERS / "order_saga.coord", "--events", ORDERS / "events.jsonl",
                   "--out", tmp_path / f"{name}.jsonl")[0] == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_msgpack_and_csv_inputs_give_the_same_outcomes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [json.loads(line) for line in (ORDERS / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    (tmp_path / "ev.msgpack").write_bytes(b"".join(msgpack.packb(r) for r in records))
    columns = ["event", "time", *sorted({k for r in records for k in r} - {"event", "time"})]
    with open(tmp_path / "ev.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in records:
            writer.writerow([json.dumps(r[c]) if isinstance(r.get(c), bool) else r.get(c, "") for c in columns])
    outputs = []
    for events in ("events.jsonl", "ev.msgpack", "ev.csv"):
        source = ORDERS / events if events == "events.jsonl" else tmp_path / events
        out = tmp_path / f"{events}.out"
        assert run(capsys, ORDERS / "order_saga.coord", "--events", source, "--out", out)[0] == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_standard_input_and_standard_output(tmp_path: Path) -> None:
    events = (ORDERS / "events.jsonl").read_bytes()
    result = coord("run", str(ORDERS / "order_saga.coord"), "--events", "-", "--out", "-", "--backend",
                   "interpreter", stdin=events)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "o.jsonl"
    assert coord("run", str(ORDERS / "order_saga.coord"), "--events", str(ORDERS / "events.jsonl"),
                 "--out", str(expected)).returncode == 0
    assert result.stdout == expected.read_bytes()
    assert b"order_saga.coord on <stdin> (interpreter)" in result.stderr


# ---------------------------------------------------------------- programs written for these tests

PROGRAM = """\
event Start { id: str, n: int }
event Go { id: str }

handler double(n: int) -> int = "run_handlers:double"
handler boom(n: int) -> int = "run_handlers:boom"

workflow Doubler on Start as s key id -> int {
    let d = do double(s.n)
    await Go as g within 1h else {
        fail "no go for {s.id}"
    }
    if s.n < 0 {
        let x = do boom(s.n)
    }
    complete d
}
"""

HANDLERS = """\
def double(n):
    return n * 2


def boom(n):
    raise RuntimeError(f"boom {n}")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "doubler.coord").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "run_handlers.py").write_text(HANDLERS, encoding="utf-8")
    return tmp_path


def events_file(folder: Path, *records: dict, name: str = "ev.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_handler_exceptions_are_workflow_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = events_file(project, {"event": "Start", "time": T0, "id": "a", "n": 2},
                         {"event": "Start", "time": T0, "id": "b", "n": -1},
                         {"event": "Go", "time": T0 + 1, "id": "a"}, {"event": "Go", "time": T0 + 1, "id": "b"})
    out = project / "o.jsonl"
    status, _, stderr = run(capsys, project / "doubler.coord", "--events", events, "--out", out)
    assert status == 0, stderr
    a, b = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (a["key"], a["status"], a["value"]) == ("a", "completed", 4)
    assert (b["key"], b["status"], b["value"]) == ("b", "failed", None) and "boom -1" in b["message"]


def test_until_stops_the_clock(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = events_file(project, {"event": "Start", "time": "2026-01-05T10:00:00Z", "id": "a", "n": 1})
    out = project / "o.jsonl"
    assert run(capsys, project / "doubler.coord", "--events", events, "--out", out,
               "--until", "2026-01-05T12:30:00+02:00")[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "running"
    assert run(capsys, project / "doubler.coord", "--events", events, "--out", out, "--until", str(T0 + 3600))[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "failed"
    assert run(capsys, project / "doubler.coord", "--events", events, "--out", out)[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["message"] == "no go for a"


def test_skip_bad_goes_on_and_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = events_file(project, {"event": "Start", "time": T0, "id": "a", "n": 1},
                         {"event": "Start", "time": T0, "id": "b", "n": "2"})
    rejects, stats = project / "rejects.jsonl", project / "stats.json"
    status, _, stderr = run(capsys, project / "doubler.coord", "--events", events, "--skip-bad", rejects,
                            "--stats", stats)
    assert status == 0
    assert json.loads(rejects.read_text(encoding="utf-8")) == {
        "line": 2, "reason": "Start: field 'n' must be an int, found \"2\"",
        "text": '{"event": "Start", "time": 1767607200, "id": "b", "n": "2"}'}
    assert json.loads(stats.read_text(encoding="utf-8"))["events"] == 1
    assert f"1 bad line written to {rejects}" in stderr


def test_a_bad_event_stops_the_run_in_one_line(project: Path) -> None:
    events = events_file(project, {"event": "Start", "time": T0, "id": "a", "n": 1}, {"event": "Strat", "id": "a"})
    out = project / "o.jsonl"
    result = coord("run", str(project / "doubler.coord"), "--events", str(events), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.decode() == f"coord: {events}:2: unknown event type 'Strat'; did you mean 'Start'?\n"
    assert not out.exists()


def test_a_program_with_errors_does_not_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = project / "broken.coord"
    broken.write_text("event E { id: str }\nworkflow W on E as e key id {\n    let x = = 1\n    complete\n}\n")
    events = events_file(project, {"event": "E", "id": "a"})
    status, stdout, stderr = run(capsys, broken, "--events", events, "--out", project / "o.jsonl")
    assert status == 1 and stdout == ""
    assert stderr.splitlines()[0] == f"{broken}:3:13: error P101 unexpected '='; expected an expression"
    assert stderr.splitlines()[-1] == f"{broken}: not run: 1 error"
    assert not (project / "o.jsonl").exists()


def test_a_missing_handler_is_one_line(project: Path) -> None:
    (project / "run_handlers.py").unlink()
    events = events_file(project, {"event": "Start", "id": "a", "n": 1})
    result = coord("run", str(project / "doubler.coord"), "--events", str(events))
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coord: ") and "run_handlers" in lines[0]


@pytest.mark.parametrize("extra, message", [
    (["--until", "noon"], '--until: bad time "noon": expected RFC 3339 text like 2026-01-05T10:00:00Z or seconds '
                          "since the epoch"),
    (["--until", "2026-01-05T10:00:00"], '--until: time "2026-01-05T10:00:00" has no UTC offset; add Z or +HH:MM'),
    (["--inbox", "0"], "--inbox 0: an inbox holds at least 1 event"),
    (["--concurrency", "0"], "--concurrency 0: at least 1 call must be allowed in flight"),
])
def test_usage_errors(project: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    events = events_file(project, {"event": "Start", "id": "a", "n": 1})
    status, _, stderr = run(capsys, project / "doubler.coord", "--events", events, *extra)
    assert (status, stderr) == (2, f"coord: {message}\n")


def test_events_files_that_cannot_be_read(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = project / "doubler.coord"
    assert run(capsys, program, "--events", project / "nope.jsonl") == (2, "", f"coord: {project / 'nope.jsonl'}: "
                                                                                "no such file\n")
    (project / "ev.txt").write_text("")
    assert run(capsys, program, "--events", project / "ev.txt")[2] == (
        f"coord: {project / 'ev.txt'}: cannot tell the events format from its extension '.txt'; "
        "name it .jsonl, .msgpack, .csv or .coordcols, or give --format jsonl|msgpack|csv|columns\n")
    assert run(capsys, program, "--events", project / "ev.txt", "--format", "csv")[0] == 0
    assert run(capsys, project / "nope.coord", "--events", project / "ev.txt", "--format", "csv") == (
        2, "", f"coord: {project / 'nope.coord'}: no such file\n")


def test_inbox_is_passed_to_the_executor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "box.coord"
    program.write_text("event Open { id: str }\nevent Item { id: str }\nevent Close { id: str }\n\n"
                       "workflow Box on Open as o key id -> int {\n    await Close as c\n    await Item as i\n"
                       "    complete 1\n}\n", encoding="utf-8")
    events = events_file(tmp_path, {"event": "Open", "time": T0, "id": "a"},
                         *[{"event": "Item", "time": T0, "id": "a"}] * 3, {"event": "Close", "time": T0, "id": "a"})
    stats = tmp_path / "stats.json"
    for inbox, dropped in ((None, 0), ("1", 2)):
        assert run(capsys, program, "--events", events, "--stats", stats, *(["--inbox", inbox] if inbox else []))[0] == 0
        figures = json.loads(stats.read_text(encoding="utf-8"))
        assert (figures["completed"], figures["inbox_dropped"]) == (1, dropped)


def test_no_progress_bar_without_a_terminal(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = events_file(project, *[{"event": "Start", "time": T0, "id": f"k{i}", "n": i} for i in range(200)])
    status, _, stderr = run(capsys, project / "doubler.coord", "--events", events)
    assert status == 0 and "running" in stderr and "\r" not in stderr and "━" not in stderr


def test_help_names_the_default_backend() -> None:
    result = coord("run", "--help")
    assert result.returncode == 0
    assert ("(default: auto, the compiled backend when it supports FILE and its kernel is cached or EVENTS is "
            "columnar or at least 50 MB, else the interpreter;") in " ".join(result.stdout.decode().split())


def test_cli_formats_match_the_reader() -> None:
    from coordlang.cli.run import FORMATS
    from coordlang.runtime import events

    assert FORMATS == events.FORMATS


def test_summary_counts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = events_file(project, {"event": "Start", "time": T0, "id": "a", "n": 1},
                         {"event": "Go", "time": T0, "id": "a"}, {"event": "Go", "time": T0, "id": "zz"})
    status, _, stderr = run(capsys, project / "doubler.coord", "--events", events)
    rows = dict(line.split(None, 1) for line in stderr.splitlines()[1:] if line.strip() and len(line.split()) >= 2)
    assert rows["completed"].strip() == "1" and rows["unrouted"].strip() == "1" and rows["events"].strip() == "3"


def test_stdin_keeps_working_with_io_wrappers(monkeypatch: pytest.MonkeyPatch, project: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = json.dumps({"event": "Start", "time": T0, "id": "a", "n": 1}).encode() + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    stats = project / "stats.json"
    assert run(capsys, project / "doubler.coord", "--events", "-", "--stats", stats)[0] == 0
    assert json.loads(stats.read_text(encoding="utf-8"))["events"] == 1


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_compiled_backend_writes_what_the_interpreter_writes(tmp_path: Path) -> None:
    folder = EXAMPLES / "payment_retries"
    written = {}
    for backend in ("interpreter", "compiled"):
        out, stats = tmp_path / f"{backend}.jsonl", tmp_path / f"{backend}.json"
        result = coord("run", str(folder / "payment_retries.coord"), "--events", str(folder / "events.jsonl"),
                       "--backend", backend, "--out", str(out), "--stats", str(stats))
        assert result.returncode == 0, result.stderr.decode()
        counters = json.loads(stats.read_text())
        for timing in ("seconds", "load_seconds", "compile_seconds"):
            counters.pop(timing)
        assert counters.pop("backend") == backend
        written[backend] = (out.read_bytes(), counters)
    assert written["compiled"] == written["interpreter"]


@pytest.fixture
def unsupported(tmp_path: Path) -> Path:
    """A program the compiled backend refuses (a float key), with events, as an example folder."""
    folder = tmp_path / "gauges"
    folder.mkdir()
    (folder / "gauges.coord").write_text("""module gauges

event Reading { level: float, n: int }

workflow Gauge on Reading as r key level -> int {
    complete r.n
}
""", encoding="utf-8")
    (folder / "events.jsonl").write_text('{"event": "Reading", "time": 0, "level": 1.5, "n": 2}\n'
                                         '{"event": "Reading", "time": 1, "level": 2.5, "n": 3}\n', encoding="utf-8")
    return folder


def test_compiled_backend_refuses_what_it_cannot_run_yet(tmp_path: Path, unsupported: Path) -> None:
    result = coord("run", str(unsupported / "gauges.coord"), "--events", str(unsupported / "events.jsonl"),
                   "--backend", "compiled", "--out", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2
    message = result.stderr.decode().strip()
    assert message.startswith("coord: not supported by the compiled backend yet: a key of type float (Gauge) at ")
    assert "gauges.coord:5:1" in message and message.endswith("; use --backend interpreter")
    assert not (tmp_path / "o.jsonl").exists()


# ---------------------------------------------------------------- --backend auto


def run_example(capsys: pytest.CaptureFixture[str], folder: Path, out: Path, *args: str) -> tuple[str, dict, bytes]:
    """``coord run`` of an example: (stderr, STATS.json, OUTCOMES.jsonl)."""
    stats = out.with_suffix(".stats.json")
    status, _, stderr = run(capsys, folder / f"{folder.name}.coord", "--events", folder / "events.jsonl",
                            "--out", out, "--stats", stats, *args)
    assert status == 0, stderr
    return stderr, json.loads(stats.read_text(encoding="utf-8")), out.read_bytes()


@pytest.fixture
def cold_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COORDLANG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_auto_runs_an_unsupported_program_on_the_interpreter(tmp_path: Path, cold_cache: Path, unsupported: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    stderr, stats, outcomes = run_example(capsys, unsupported, tmp_path / "auto.jsonl")
    notice = stderr.splitlines()[0]
    assert notice.startswith("coord run: running on the interpreter: not supported by the compiled backend yet: "
                             "a key of type float (Gauge) at ")
    assert f"{unsupported / 'gauges.coord'}:5:1" in notice
    assert "gauges.coord on " in stderr and "(interpreter)" in stderr
    assert stats["backend"] == "interpreter"
    _, explicit, expected = run_example(capsys, unsupported, tmp_path / "interpreter.jsonl", "--backend", "interpreter")
    assert outcomes == expected and explicit["backend"] == "interpreter"
    assert [json.loads(line)["value"] for line in outcomes.splitlines()] == [2, 3]


def test_auto_runs_a_small_input_on_the_interpreter_while_the_cache_is_cold(
        tmp_path: Path, cold_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = EXAMPLES / "payment_retries"
    stderr, stats, outcomes = run_example(capsys, folder, tmp_path / "auto.jsonl")
    assert "coord run:" not in stderr and "(interpreter)" in stderr
    assert stats["backend"] == "interpreter" and stats["completed"] == 3
    assert outcomes == run_example(capsys, folder, tmp_path / "interpreter.jsonl", "--backend", "interpreter")[2]
    assert not (cold_cache / "kernels").exists()


def test_auto_runs_compiled_once_a_compiled_run_cached_the_kernel(tmp_path: Path, cold_cache: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # A program with a jit handler, whose digest is part of the kernel's address: the one
    # compile of these tests (about 12 s on two cores).
    folder = EXAMPLES / "etl_scatter_gather"
    # In a process of its own: this one may hold the kernel already (an earlier test's run on a
    # warm cache), and would then write nothing into the cold cache.
    out = tmp_path / "compiled.jsonl"
    result = coord("run", str(folder / "etl_scatter_gather.coord"), "--events", str(folder / "events.jsonl"),
                   "--backend", "compiled", "--out", str(out), "--stats", str(out.with_suffix(".stats.json")))
    assert result.returncode == 0, result.stderr.decode()
    compiled, written = json.loads(out.with_suffix(".stats.json").read_text(encoding="utf-8")), out.read_bytes()
    stderr, auto, outcomes = run_example(capsys, folder, tmp_path / "auto.jsonl")
    assert "coord run:" not in stderr and "(compiled)" in stderr
    assert (compiled["backend"], auto["backend"]) == ("compiled", "compiled")
    _, interpreted, expected = run_example(capsys, folder, tmp_path / "interpreter.jsonl", "--backend", "interpreter")
    assert interpreted["backend"] == "interpreter"
    assert outcomes == written == expected and auto["completed"] == interpreted["completed"] == 2


def test_auto_compiles_for_a_columnar_or_large_input(tmp_path: Path, cold_cache: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from coordlang.cli import run as run_module

    folder = EXAMPLES / "payment_retries"
    program = run_module._compile(folder / "payment_retries.coord")
    events = str(folder / "events.jsonl")
    assert run_module._choose(program, events, "jsonl")[0] == "interpreter"
    assert run_module._choose(program, events, "columns")[0] == "compiled"
    monkeypatch.setattr(run_module, "AUTO_COMPILE_BYTES", (folder / "events.jsonl").stat().st_size)
    assert run_module._choose(program, events, "jsonl")[0] == "compiled"
    assert not (cold_cache / "kernels").exists(), "choosing compiles nothing"


def test_auto_takes_standard_input_from_a_pipe_as_small(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from coordlang.cli.run import _input_bytes

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{}\n")))
    assert _input_bytes("-") is None
    redirected = tmp_path / "ev.jsonl"
    redirected.write_bytes(b"x" * 1000)
    with open(redirected, encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        assert _input_bytes("-") == 1000
