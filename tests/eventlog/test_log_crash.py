"""The crash test: ``coord run --log`` killed with SIGKILL at random points, resumed (sometimes
killed again), each time ending with the uninterrupted run's outcomes: no input event lost or
applied twice, every timer fired once (on the interpreter, whose log is a trace, the log itself
equals the uninterrupted one record for record, but for the handler calls' wall times)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import warnings

import pytest
from logkit import CHECKOUT, checkout_events, without_wall, write_events

from coordlang.runtime.eventlog import TornTail, read_log
from coordlang.runtime.eventlog.frames import segments

KILLS = {"interpreter": int(os.environ.get("COORD_CRASH_KILLS", "20")),
         "compiled": int(os.environ.get("COORD_CRASH_KILLS_COMPILED", "8"))}
ORDERS = 300
SLEEP = "0.002"  # seconds per handler call: the run lasts about a second, long enough to be hit


def coord_run(events, log, out, fsync: str, backend: str) -> subprocess.Popen:
    env = {**os.environ, "COORD_TEST_HANDLER_SLEEP": SLEEP}
    return subprocess.Popen([sys.executable, "-m", "coordlang", "run", str(CHECKOUT), "--events", str(events),
                             "--log", str(log), "--out", str(out), "--fsync", fsync, "--snapshot-every", "40",
                             "--backend", backend], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_during(process: subprocess.Popen, log, delay: float) -> bool:
    """SIGKILL ``process`` ``delay`` seconds after its log appears; whether it was still running."""
    deadline = time.monotonic() + 60
    while not (log.exists() and segments(log)) and process.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError("coord run --log wrote no log within 60 s")
        time.sleep(0.005)
    time.sleep(delay)
    alive = process.poll() is None
    if alive:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return alive


@pytest.fixture(scope="module", params=list(KILLS))
def reference(request, tmp_path_factory):
    """(backend, events file, the uninterrupted run's outcomes file bytes, its log's records)."""
    backend = request.param
    tmp = tmp_path_factory.mktemp(f"reference-{backend}")
    events = write_events(tmp / "events.jsonl", checkout_events(ORDERS))
    process = coord_run(events, tmp / "log", tmp / "outcomes.jsonl", "batch", backend)
    _, err = process.communicate(timeout=300)  # a cold cache compiles the kernel here
    assert process.returncode == 0, err.decode()
    return backend, events, (tmp / "outcomes.jsonl").read_bytes(), read_log(tmp / "log").records


def test_killed_runs_resume_to_the_uninterrupted_outcomes(tmp_path, reference):
    backend, events, outcomes, records = reference
    wanted = KILLS[backend]
    rng = random.Random(20261126)
    kills = 0
    trial = 0
    survived: list[int] = []
    while kills < wanted:
        trial += 1
        assert trial < wanted * 3, f"only {kills} of {trial} kills landed while a run was going"
        log = tmp_path / f"log{trial}"
        out = tmp_path / f"out{trial}.jsonl"
        fsync = ("batch", "never", "always")[trial % 3]
        landed = kill_during(coord_run(events, log, out, fsync, backend), log, rng.uniform(0.0, 1.2))
        kills += landed
        if landed:
            survived.append(records_in(log))
        if landed and rng.random() < 0.3:  # killed again while resuming
            kills += kill_during(coord_run(events, log, out, fsync, backend), log, rng.uniform(0.2, 1.0))
        final = coord_run(events, log, out, fsync, backend)
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()
        assert out.read_bytes() == outcomes, f"trial {trial} ({fsync})"
        again = read_log(log).records
        if backend == "interpreter":
            assert [r for r in again if r[0] == "in"] == [r for r in records if r[0] == "in"], \
                f"trial {trial}: input lost or applied twice"
            fired = [r[2] for r in again if r[0] == "fire"]
            assert len(fired) == len(set(fired)), f"trial {trial}: a timer fired twice"
            assert without_wall(again) == without_wall(records), \
                f"trial {trial}: the trace differs from the uninterrupted run's"
        else:
            assert fed_types(again) == fed_types(records), f"trial {trial}: input lost or fed twice"
    # The kills landed all over the run, not only before its first record or after its last.
    assert len(set(survived)) >= wanted // 3, survived
    assert any(0 < n < len(records) for n in survived), survived


def fed_types(records: list[list]) -> bytes:
    """The event type column of every ``cols`` record: what the compiled kernel was fed."""
    return b"".join(r[2][2] for r in records if r[0] == "cols")


def records_in(log) -> int:
    """Records a killed run left (read without changing it: a torn tail stays for the resume)."""
    if not segments(log):
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TornTail)
        return len(read_log(log, truncate=False).records)


def test_ctrl_c_writes_out_what_was_recorded_and_the_run_resumes(tmp_path):
    events = write_events(tmp_path / "events.jsonl", checkout_events(ORDERS))
    log, out = tmp_path / "log", tmp_path / "out.jsonl"
    process = coord_run(events, log, out, "never", "interpreter")
    deadline = time.monotonic() + 60
    while not (log.exists() and segments(log)):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.005)
    time.sleep(0.4)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert 0 < records_in(log)
    final = coord_run(events, log, out, "never", "interpreter")
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    plain = subprocess.run([sys.executable, "-m", "coordlang", "run", str(CHECKOUT), "--events", str(events),
                            "--out", str(tmp_path / "plain.jsonl"), "--backend", "interpreter"],
                           capture_output=True, timeout=120)
    assert plain.returncode == 0
    assert out.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()
