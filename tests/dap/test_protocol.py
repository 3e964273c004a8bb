"""The wire: framing, sequence numbers, what ``initialize`` offers, and how bad input and
requests out of order are answered — never by the adapter dying."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from dapkit import ROOT, TIMEOUT, DapClient, example, frame

from coordlang.runtime.debug import ERROR_FILTERS


def important(dap: DapClient) -> str:
    """The next ``output`` event of category important: its text."""
    return dap.event("output", where=lambda body: body.get("category") == "important")["output"]


def test_initialize_offers_what_the_adapter_does(stdio_dap: DapClient) -> None:
    dap = stdio_dap
    capabilities = dap.initialize()
    for name in ("supportsStepBack", "supportsConfigurationDoneRequest", "supportsConditionalBreakpoints",
                 "supportsHitConditionalBreakpoints", "supportsLogPoints", "supportsFunctionBreakpoints",
                 "supportsEvaluateForHovers", "supportsRestartFrame", "supportsRestartRequest",
                 "supportsTerminateRequest", "supportsExceptionFilterOptions", "supportsExceptionOptions",
                 "supportsExceptionInfoRequest", "supportsDelayedStackTraceLoading"):
        assert capabilities[name] is True, name
    assert [f["filter"] for f in capabilities["exceptionBreakpointFilters"]] == [f[0] for f in ERROR_FILTERS]
    assert all(f["supportsCondition"] for f in capabilities["exceptionBreakpointFilters"])
    assert "supportsGotoTargetsRequest" not in capabilities  # goto is by position: coord/goto


def test_sequence_numbers_count_up_and_responses_name_their_request(dap: DapClient) -> None:
    dap.initialize()
    seq = dap.send_request("threads")
    response = dap.response(seq)
    assert response["request_seq"] == seq and response["command"] == "threads"
    seqs = [m["seq"] for m in dap.received]
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.parametrize(("raw", "problem"), [
    (frame(b"{not json"), "not JSON"),
    (frame(b"[1, 2]"), "a JSON list, not an object"),
    (frame(b'"text"'), "a JSON str, not an object"),
    (b"Content-Length: lots\r\n\r\n", "'lots' is not a number"),
    (b"Content-Length: 999999999999\r\n\r\n", "out of range"),
    (b'{"seq": 1, "type": "request", "command": "threads"}\r\n', "not a DAP message"),
    (b"hello\r\nX-Other: 1\r\n\r\n", "not a DAP message (each message needs a 'Content-Length: N' header "
                                      "and an empty line): hello"),
])
def test_unparseable_input_is_reported_and_reading_goes_on(dap: DapClient, raw: bytes, problem: str) -> None:
    dap.send_raw(raw)
    assert problem in important(dap)
    assert dap.initialize()["supportsStepBack"]


def test_a_body_without_its_header_does_not_swallow_the_next_message(dap: DapClient) -> None:
    body = json.dumps({"seq": 1, "type": "request", "command": "initialize", "arguments": {}}).encode()
    dap.send_raw(body)  # no header, no newline: the next header follows on the same line
    assert dap.initialize()["supportsStepBack"]
    assert "skipped input that is not a DAP message" in important(dap)


@pytest.mark.parametrize(("message", "problem"), [
    ({"type": "event", "event": "hello"}, "'event' was ignored"),
    ({"type": "oops"}, "'oops' was ignored"),
    ({"type": "request", "command": "threads", "seq": "one"}, "without an integer 'seq'"),
    ({"type": "response", "request_seq": 77, "success": True, "command": "x"}, "no request of ours"),
])
def test_messages_that_are_no_request_are_reported(dap: DapClient, message: dict, problem: str) -> None:
    dap.send_raw(frame(json.dumps({"seq": 90, **message}).encode()))
    assert problem in important(dap)


def test_requests_that_cannot_be_served_get_error_responses_naming_the_problem(dap: DapClient) -> None:
    assert dap.error("threads") == "send 'initialize' first"
    dap.initialize()
    assert dap.error("initialize", {}) == "already initialized: send 'initialize' once per connection"
    assert dap.error("frobnicate") == "unknown command 'frobnicate'"
    assert dap.error("stackTrace", {"threadId": 1}) == ("no program is being debugged: send 'launch' or 'attach' "
                                                        "first")
    seq = dap.send({"type": "request", "command": "threads", "arguments": [1]})
    assert dap.response(seq)["message"] == "'arguments' must be an object, not list"
    seq = dap.send({"type": "request", "arguments": {}})
    assert dap.response(seq)["message"] == "the request has no 'command' string (got None)"


def test_arguments_are_checked_once_a_program_runs(dap: DapClient) -> None:
    dap.launch("payment_retries")
    assert dap.error("stackTrace", {}) == "missing argument 'threadId'"
    assert dap.error("stackTrace", {"threadId": "1"}) == "argument 'threadId' must be an integer, not a string"
    assert dap.error("stackTrace", {"threadId": True}) == "argument 'threadId' must be an integer, not a boolean"
    assert dap.error("stackTrace", {"threadId": 99}) == "no thread 99: the threads request lists them"
    assert dap.error("scopes", {"frameId": 5}) == ("no frame 5: references last only while the program stays "
                                                   "where it stopped")
    assert dap.error("variables", {"variablesReference": 0}).startswith("no variables reference 0")
    assert dap.error("setBreakpoints", {"source": {}}) == "missing argument 'path'"
    assert dap.error("setBreakpoints", {"source": {"path": "x"}, "breakpoints": [3]}) == ("'breakpoints[0]' must be "
                                                                                         "an object, not int")
    assert dap.error("launch", {}) == "a program is already being debugged: one launch or attach per connection"
    assert dap.error("configurationDone") == "configurationDone was sent already: the program has started"
    assert dap.error("continue", {}) == "missing argument 'threadId'"
    assert dap.ok("threads")["threads"]  # and the adapter goes on


def test_a_disconnected_adapter_ends(tmp_path) -> None:
    process = subprocess.run([sys.executable, "-m", "coordlang", "dap"], cwd=ROOT, capture_output=True,
                             input=frame(b'{"seq": 1, "type": "request", "command": "disconnect"}'), timeout=TIMEOUT)
    assert process.returncode == 0, process.stderr
    assert b'"command":"disconnect"' in process.stdout and b'"success":true' in process.stdout


def test_over_a_port_each_connection_is_a_conversation() -> None:
    server = subprocess.Popen([sys.executable, "-m", "coordlang", "dap", "--port", "0"], cwd=ROOT,
                              stderr=subprocess.PIPE)
    try:
        line = server.stderr.readline().decode()
        port = int(re.fullmatch(r"coord dap: listening on 127\.0\.0\.1:(\d+)\n", line)[1])
        for _ in range(2):
            client = DapClient.connect(port)
            try:
                assert client.launch("payment_retries")["reason"] == "entry"
                assert client.ok("threads")["threads"][0]["name"] == "events"
            finally:
                client.close()
        assert server.poll() is None
    finally:
        server.kill()
        server.wait()
        server.stderr.close()


def test_a_bad_port_is_a_usage_error() -> None:
    process = subprocess.run([sys.executable, "-m", "coordlang", "dap", "--port", "70000"], cwd=ROOT,
                             capture_output=True, text=True, timeout=TIMEOUT)
    assert process.returncode == 2
    assert process.stderr == "coord: --port 70000: give a port from 1 to 65535 (0: any free port)\n"


def test_what_the_program_prints_goes_to_the_console_not_the_wire(stdio_dap: DapClient, tmp_path) -> None:
    dap = stdio_dap
    program, events = example("payment_retries")
    handlers = tmp_path / "payment_handlers.py"
    handlers.write_text((program.parent / "payment_handlers.py").read_text() +
                        "\n_convert = convert\n\ndef convert(amount, currency):\n"
                        "    print(f'converting {amount} {currency}')\n    return _convert(amount, currency)\n")
    copy = tmp_path / program.name
    copy.write_text(program.read_text())
    dap.initialize()
    dap.ok("launch", {"program": str(copy), "events": str(events), "stopAtEnd": False})
    dap.event("initialized")
    dap.ok("configurationDone")
    dap.event("terminated")
    printed = [b["output"] for b in dap.events("output") if b["category"] == "stdout"]
    assert "converting 120.0 USD\n" in "".join(printed)
