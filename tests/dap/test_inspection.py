"""threads, stackTrace, scopes, variables, evaluate and source, and the client's way of counting
lines and naming files."""

from __future__ import annotations

import pytest
from dapkit import DapClient, example

ONBOARDING, ONBOARDING_EVENTS = example("subworkflows")
PAYMENTS, _ = example("payment_retries")
CAPTURE = 63
EVENTS = 2**31 - 1


def at_capture(dap: DapClient) -> tuple[dict, dict]:
    """Stopped at the first capture of payment_retries: (the stop, its top frame)."""
    entry = dap.launch("payment_retries", breakpoints={CAPTURE: {}})
    dap.ok("continue", {"threadId": entry["threadId"]})
    stop = dap.event("stopped")
    return stop, dap.top_frame(stop["threadId"])


def test_each_instance_is_a_thread_and_the_events_thread_stands_for_the_router(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    assert entry["threadId"] == EVENTS
    assert dap.ok("threads") == {"threads": [{"id": EVENTS, "name": "events"}]}
    frame, = dap.ok("stackTrace", {"threadId": EVENTS})["stackFrames"]
    assert frame["name"].startswith('input PaymentRequested { payment_id: "p-2001"') and frame["line"] == 0
    dap.ok("continue", {"threadId": EVENTS})
    dap.event("stopped")
    threads = dap.ok("threads")["threads"]
    assert threads[1] == {"id": 1, "name": "Payment@1 'p-2001' (#1): completed"}
    assert len(threads) == 10  # the events thread and nine payments
    scopes = dap.ok("scopes", {"frameId": dap.top_frame(EVENTS)["id"]})["scopes"]
    assert [s["name"] for s in scopes] == ["Run", "Timers"]


def test_a_stack_frame_is_placed_in_its_source(dap: DapClient) -> None:
    stop, frame = at_capture(dap)
    assert frame == {"id": frame["id"], "name": "Payment@1 'p-2001' (#1)", "line": CAPTURE, "column": 24,
                     "endLine": CAPTURE, "endColumn": 74, "source": {"name": PAYMENTS.name, "path": str(PAYMENTS)}}


def test_a_stack_comes_in_pages(dap: DapClient) -> None:
    entry = dap.launch("subworkflows", breakpoints={80: {}})
    dap.ok("continue", {"threadId": entry["threadId"]})
    stop = dap.event("stopped")
    whole = dap.ok("stackTrace", {"threadId": stop["threadId"]})
    assert [f["name"] for f in whole["stackFrames"]] == ["BackgroundCheck@1 'c-1' (#3)", "Onboarding@1 'h-1' (#1)"]
    assert whole["totalFrames"] == 2
    page = dap.ok("stackTrace", {"threadId": stop["threadId"], "startFrame": 1, "levels": 1})
    assert [f["name"] for f in page["stackFrames"]] == ["Onboarding@1 'h-1' (#1)"] and page["totalFrames"] == 2
    caller = page["stackFrames"][0]
    assert dap.ok("evaluate", {"expression": "h.name", "frameId": caller["id"]})["result"] == '"Ana"'


def test_scopes_and_variables_unfold(dap: DapClient) -> None:
    stop, frame = at_capture(dap)
    scopes = dap.ok("scopes", {"frameId": frame["id"]})["scopes"]
    assert [s["name"] for s in scopes] == ["Locals", "Event", "Inbox", "Timers", "Retries", "Compensation"]
    assert scopes[0]["presentationHint"] == "locals"
    assert scopes[2]["variablesReference"] == 0  # nothing in the inbox: nothing to unfold
    local = {v["name"]: v for v in dap.ok("variables", {"variablesReference": scopes[0]["variablesReference"]})
             ["variables"]}
    assert local["amount"] == {"name": "amount", "value": "59.9", "type": "float", "variablesReference": 0}
    assert local["auth"]["value"] == '"AUTH-p-2001-1111"'
    event = local["r"]
    assert event["type"] == "event PaymentRequested" and event["namedVariables"] == 5
    fields = dap.ok("variables", {"variablesReference": event["variablesReference"]})["variables"]
    assert [f["name"] for f in fields] == ["payment_id", "merchant", "amount", "currency", "card"]
    page = dap.ok("variables", {"variablesReference": event["variablesReference"], "start": 3, "count": 1})
    assert [f["name"] for f in page["variables"]] == ["currency"]
    undo = dap.ok("variables", {"variablesReference": scopes[5]["variablesReference"]})["variables"]
    assert undo[0]["value"] == 'void_auth("p-2001", "AUTH-p-2001-1111")'


def test_references_die_when_the_program_moves(dap: DapClient) -> None:
    stop, frame = at_capture(dap)
    scopes = dap.ok("scopes", {"frameId": frame["id"]})["scopes"]
    dap.ok("next", {"threadId": stop["threadId"]})
    dap.event("stopped")
    assert dap.error("variables", {"variablesReference": scopes[0]["variablesReference"]}).startswith(
        "no variables reference")
    assert dap.error("scopes", {"frameId": frame["id"]}).startswith(f"no frame {frame['id']}")


@pytest.mark.parametrize("context", ["watch", "hover", "repl", None])
def test_evaluate_in_every_context(dap: DapClient, context: str | None) -> None:
    stop, frame = at_capture(dap)
    arguments = {"expression": "amount * 2", "frameId": frame["id"], **({"context": context} if context else {})}
    assert dap.ok("evaluate", arguments) == {"result": "119.8", "type": "float", "variablesReference": 0}


def test_evaluate_unfolds_a_record_and_names_a_mistake(dap: DapClient) -> None:
    stop, frame = at_capture(dap)
    record = dap.ok("evaluate", {"expression": "r", "frameId": frame["id"]})
    assert record["namedVariables"] == 5
    assert len(dap.ok("variables", {"variablesReference": record["variablesReference"]})["variables"]) == 5
    assert dap.ok("evaluate", {"expression": "auth"})["result"] == '"AUTH-p-2001-1111"'  # where it stopped
    message = dap.error("evaluate", {"expression": "nope + 1", "frameId": frame["id"], "context": "hover"})
    assert "nope" in message


def test_source_serves_the_program_text(dap: DapClient) -> None:
    dap.launch("payment_retries")
    assert dap.ok("source", {"source": {"path": str(PAYMENTS)}, "sourceReference": 0}) == {
        "content": PAYMENTS.read_text(), "mimeType": "text/x-coord"}
    assert dap.error("source", {"source": {"path": "/nowhere.coord"}}) == "/nowhere.coord is not a file of the program"


def test_a_client_counting_from_zero_and_naming_uris(dap: DapClient) -> None:
    dap.initialize(linesStartAt1=False, columnsStartAt1=False, pathFormat="uri")
    dap.ok("launch", {"program": PAYMENTS.as_uri(), "events": str(example("payment_retries")[1]),
                      "stopOnEntry": True})
    dap.event("initialized")
    state, = dap.ok("setBreakpoints", {"source": {"path": PAYMENTS.as_uri()},
                                       "breakpoints": [{"line": CAPTURE - 1}]})["breakpoints"]
    assert state["verified"] and state["line"] == CAPTURE - 1
    dap.ok("configurationDone")
    entry = dap.event("stopped")
    dap.ok("continue", {"threadId": entry["threadId"]})
    stop = dap.event("stopped")
    frame = dap.top_frame(stop["threadId"])
    assert (frame["line"], frame["column"]) == (CAPTURE - 1, 23)
    assert frame["source"]["path"] == PAYMENTS.as_uri()
