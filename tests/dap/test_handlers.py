"""``"debugHandlers": true``: the program's handlers run in a child process under debugpy. A
client that can start child sessions is asked to (``startDebugging``); one that cannot hears
where debugpy listens (``coord/handlerDebugger``). Either way the run is the same as with the
handlers in the adapter's own process."""

from __future__ import annotations

import shutil
from pathlib import Path

from dapkit import DapClient, example

PAYMENTS, PAYMENT_EVENTS = example("payment_retries")
HANDLERS = PAYMENTS.parent / "payment_handlers.py"
AUTHORIZE = 36
"""The first line of ``authorize`` in payment_handlers.py."""


def launch(dap: DapClient, **client: object) -> None:
    dap.initialize(**client)
    dap.ok("launch", {"type": "coord", "request": "launch", "program": str(PAYMENTS), "events": str(PAYMENT_EVENTS),
                      "debugHandlers": True})
    dap.event("initialized")


def outcomes(dap: DapClient) -> list[str]:
    """Run to the end: each instance's thread name, which ends with its status."""
    dap.ok("configurationDone")
    assert dap.event("stopped")["reason"] == "end"
    return [thread["name"] for thread in dap.ok("threads")["threads"]]


def test_the_client_opens_a_child_session_on_debugpy(dap: DapClient) -> None:
    launch(dap)
    request = dap.reverse_request("startDebugging")
    configuration = request["arguments"]["configuration"]
    assert request["arguments"]["request"] == "attach"
    assert configuration == {"type": "coord", "request": "attach", "name": "handlers of payment_retries.coord",
                             "connect": {"host": "127.0.0.1", "port": configuration["connect"]["port"]}}
    dap.respond(request)
    python = DapClient.connect(configuration["connect"]["port"])
    try:
        assert "supportsStepInTargetsRequest" in python.initialize(adapterID="debugpy")  # debugpy's own capability
        attach = python.send_request("attach", {"justMyCode": False})
        python.event("initialized")
        placed = python.ok("setBreakpoints", {"source": {"path": str(HANDLERS)}, "breakpoints": [{"line": AUTHORIZE}]})
        assert placed["breakpoints"][0]["verified"]
        python.ok("configurationDone")
        assert python.response(attach)["success"]
        dap.ok("configurationDone")  # the coord session runs, and calls authorize in the child...
        stop = python.event("stopped", timeout=30)  # ... where debugpy stops it
        assert stop["reason"] == "breakpoint"
        frame = python.ok("stackTrace", {"threadId": stop["threadId"]})["stackFrames"][0]
        assert (frame["name"], frame["line"]) == ("authorize", AUTHORIZE)
        assert python.ok("evaluate", {"expression": "payment_id", "frameId": frame["id"]})["result"] == "'p-2001'"
        python.ok("setBreakpoints", {"source": {"path": str(HANDLERS)}, "breakpoints": []})
        python.ok("continue", {"threadId": stop["threadId"]})
        assert dap.event("stopped", timeout=30)["reason"] == "end"
    finally:
        python.close()


def test_the_run_is_the_same_with_the_handlers_in_the_child(dap: DapClient, server) -> None:
    in_process = DapClient.connect(server.port)
    try:
        in_process.launch("payment_retries", stop_on_entry=False)
        expected = [thread["name"] for thread in in_process.ok("threads")["threads"]]
    finally:
        in_process.close()
    launch(dap, supportsStartDebuggingRequest=False)
    assert outcomes(dap) == expected  # errors kept their kinds and classes: the same retries, catches, statuses
    assert "Payment@1 'p-2004' (#7): failed" in expected


def test_a_client_without_child_sessions_hears_where_debugpy_listens(dap: DapClient) -> None:
    launch(dap, supportsStartDebuggingRequest=False)
    event = dap.event("coord/handlerDebugger")
    assert event["host"] == "127.0.0.1" and event["port"] > 0
    assert event["configuration"]["connect"] == {"host": "127.0.0.1", "port": event["port"]}
    said = dap.event("output", where=lambda body: "run under debugpy" in body["output"])
    assert f"127.0.0.1:{event['port']}" in said["output"]
    assert not [m for m in dap.received if m.get("type") == "request"]


def test_a_refused_child_session_is_reported_and_the_run_does_not_wait(dap: DapClient) -> None:
    launch(dap)
    dap.respond(dap.reverse_request("startDebugging"), success=False)
    said = dap.event("output", where=lambda body: body["category"] == "important")
    assert said["output"].startswith("the client did not open the handler debugger (no reason given)")
    outcomes(dap)


def test_a_handler_module_that_cannot_be_imported_fails_the_launch(dap: DapClient, tmp_path: Path) -> None:
    program = tmp_path / PAYMENTS.name
    shutil.copy(PAYMENTS, program)  # without its handlers module
    dap.initialize()
    message = dap.error("launch", {"program": str(program), "events": str(PAYMENT_EVENTS), "debugHandlers": True})
    assert message.startswith(f"{program}:11:1: handler convert: cannot import module 'payment_handlers'")
