"""launch and attach (and what is wrong with them), the end of a run, restart, terminate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dapkit import ROOT, TIMEOUT, DapClient, example

PAYMENTS, PAYMENT_EVENTS = example("payment_retries")
CAPTURE = 63
"""``let captured = do capture(...)`` in payment_retries.coord."""


def launch_error(dap: DapClient, **arguments: object) -> str:
    dap.initialize()
    return dap.error("launch", {"type": "coord", "request": "launch", **arguments})


def test_a_missing_program_is_named(dap: DapClient, tmp_path: Path) -> None:
    missing = tmp_path / "nope.coord"
    assert launch_error(dap, program=str(missing), events=str(PAYMENT_EVENTS)) == f"{missing}: no such program file"


def test_a_missing_events_file_is_named(dap: DapClient, tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    assert launch_error(dap, program=str(PAYMENTS), events=str(missing)) == f"{missing}: no such events file"


def test_a_program_with_errors_is_not_launched(dap: DapClient, tmp_path: Path) -> None:
    broken = tmp_path / "broken.coord"
    broken.write_text("module broken\n\nworkflow W on Nothing as n key id {\n    let x = = 1\n}\n")
    message = launch_error(dap, program=str(broken), events=str(PAYMENT_EVENTS))
    assert message == (f"{broken}:3:15: N202 unknown event 'Nothing' (and 1 more); fix it (coord check lists every "
                       "error) and debug again")


@pytest.mark.parametrize(("arguments", "message"), [
    ({"events": "x.jsonl"}, "missing argument 'program'"),
    ({"program": str(PAYMENTS)}, "missing argument 'events'"),
    ({"program": str(PAYMENTS), "events": str(PAYMENT_EVENTS), "stopOnEntry": "yes"},
     "argument 'stopOnEntry' must be a boolean, not a string"),
    ({"program": str(PAYMENTS), "events": str(PAYMENT_EVENTS), "until": "someday"}, "argument 'until': "),
])
def test_launch_arguments_are_checked(dap: DapClient, arguments: dict, message: str) -> None:
    assert launch_error(dap, **arguments).startswith(message)


def test_an_attach_to_debugpy_is_not_for_coord_dap(dap: DapClient) -> None:
    dap.initialize()
    message = dap.error("attach", {"type": "coord", "request": "attach", "connect": {"host": "127.0.0.1", "port": 1}})
    assert message.startswith("an attach with 'connect' is for debugpy")


def test_attaching_to_a_missing_log_is_an_error(dap: DapClient, tmp_path: Path) -> None:
    dap.initialize()
    assert "missing argument 'log'" == dap.error("attach", {"request": "attach"})
    assert dap.error("attach", {"request": "attach", "log": str(tmp_path / "none")})


def test_a_run_stops_at_its_end_then_continue_ends_the_session(dap: DapClient) -> None:
    stop = dap.launch("payment_retries", stop_on_entry=False)
    assert stop["reason"] == "end" and stop["description"].startswith("the run ended: 16 input events")
    dap.ok("stepBack", {"threadId": stop["threadId"]})  # the end is a place to go back from
    assert dap.event("stopped")["reason"] == "step"
    dap.ok("continue", {"threadId": stop["threadId"]})
    assert dap.event("stopped")["reason"] == "end"
    dap.ok("continue", {"threadId": stop["threadId"]})
    assert dap.event("exited") == {"exitCode": 0}
    dap.event("terminated")


def test_without_stop_at_end_the_session_ends_with_the_run(dap: DapClient) -> None:
    dap.initialize()
    dap.ok("launch", {"program": str(PAYMENTS), "events": str(PAYMENT_EVENTS), "stopAtEnd": False})
    dap.event("initialized")
    dap.ok("configurationDone")
    dap.event("exited")
    dap.event("terminated")
    assert not dap.events("stopped")


def test_no_debug_runs_to_the_end_past_breakpoints(dap: DapClient) -> None:
    dap.initialize()
    dap.ok("launch", {"program": str(PAYMENTS), "events": str(PAYMENT_EVENTS), "noDebug": True, "stopOnEntry": True})
    dap.event("initialized")
    dap.set_breakpoints(PAYMENTS, {CAPTURE: {}})
    dap.ok("configurationDone")
    dap.event("terminated")
    assert not dap.events("stopped")


@pytest.mark.parametrize(("until", "status"), [(None, "compensated"), ("2026-03-02T15:00:00Z", "running"),
                                                (1772463600.0, "running")])
def test_until_stops_the_clock(dap: DapClient, tmp_path: Path, until: object, status: str) -> None:
    events = tmp_path / "one.jsonl"
    events.write_text(PAYMENT_EVENTS.read_text().splitlines()[0] + "\n")  # p-2001, never settled
    dap.initialize()
    dap.ok("launch", {"program": str(PAYMENTS), "events": str(events), "until": until})
    dap.event("initialized")
    dap.ok("configurationDone")
    assert dap.event("stopped")["reason"] == "end"
    assert dap.ok("threads")["threads"][1]["name"] == f"Payment@1 'p-2001' (#1): {status}"


def test_restart_starts_again_with_the_breakpoints_set_under_their_ids(dap: DapClient) -> None:
    stop = dap.launch("payment_retries")
    dap.set_breakpoints(PAYMENTS, {CAPTURE: {}})
    ident = dap.set_breakpoints(PAYMENTS, {CAPTURE: {}})[0]["id"]  # set twice: the client knows the second id
    dap.ok("setFunctionBreakpoints", {"breakpoints": [{"name": "Settled"}]})
    dap.ok("continue", {"threadId": stop["threadId"]})
    first = dap.event("stopped")
    assert first["reason"] == "breakpoint" and first["hitBreakpointIds"] == [ident]
    dap.ok("restart", {"arguments": {"program": str(PAYMENTS), "events": str(PAYMENT_EVENTS), "stopOnEntry": True}})
    assert dap.event("stopped")["reason"] == "entry"
    dap.ok("continue", {"threadId": stop["threadId"]})
    again = dap.event("stopped")
    assert again["reason"] == "breakpoint" and again["threadId"] == first["threadId"]
    assert again["hitBreakpointIds"] == [ident]
    assert dap.top_frame(again["threadId"])["line"] == CAPTURE


def test_a_failed_restart_keeps_the_session(dap: DapClient, tmp_path: Path) -> None:
    dap.launch("payment_retries")
    message = dap.error("restart", {"arguments": {"program": str(tmp_path / "gone.coord"),
                                                  "events": str(PAYMENT_EVENTS)}})
    assert message == f"{tmp_path / 'gone.coord'}: no such program file"
    assert dap.ok("threads")["threads"]


def test_terminate_ends_the_session(dap: DapClient) -> None:
    dap.launch("payment_retries")
    dap.ok("terminate")
    dap.event("exited")
    dap.event("terminated")


def record(tmp_path: Path) -> Path:
    log = tmp_path / "log"
    done = subprocess.run([sys.executable, "-m", "coordlang", "run", str(PAYMENTS), "--events", str(PAYMENT_EVENTS),
                           "--log", str(log), "--backend", "interpreter"], cwd=ROOT, capture_output=True, text=True,
                          timeout=TIMEOUT * 4)
    assert done.returncode == 0, done.stderr
    return log


def test_attach_to_a_recorded_log(dap: DapClient, tmp_path: Path) -> None:
    log = record(tmp_path)
    dap.initialize()
    dap.ok("attach", {"type": "coord", "request": "attach", "log": str(log), "stopOnEntry": True})
    dap.event("initialized")
    dap.set_breakpoints(PAYMENTS, {CAPTURE: {}})
    dap.ok("configurationDone")
    stop = dap.event("stopped")
    assert stop["reason"] == "entry"
    dap.ok("continue", {"threadId": stop["threadId"]})
    stop = dap.event("stopped")
    assert stop["reason"] == "breakpoint"
    frame = dap.top_frame(stop["threadId"])
    assert frame["line"] == CAPTURE and Path(frame["source"]["path"]) == PAYMENTS
    assert dap.ok("evaluate", {"expression": "auth", "frameId": frame["id"]})["result"] == '"AUTH-p-2001-1111"'
    dap.ok("reverseContinue", {"threadId": stop["threadId"]})
    assert dap.event("stopped")["reason"] == "entry"
