"""Line breakpoints (conditions, hit counts, logpoints), function breakpoints (event types) and
exception filters, as a client sets and hits them."""

from __future__ import annotations

import pytest
from dapkit import SPIN, DapClient, example

PAYMENTS, PAYMENT_EVENTS = example("payment_retries")
CAPTURE = 63
"""``let captured = do capture(...)``; the lines above it up to 60 hold no statement of their own."""
ADD = 9
"""``total = total + i`` in spin.coord."""


def go(dap: DapClient, thread: int) -> dict:
    dap.ok("continue", {"threadId": thread})
    return dap.event("stopped")


def payment(dap: DapClient, stop: dict) -> str:
    frame = dap.top_frame(stop["threadId"])
    return dap.ok("evaluate", {"expression": "r.payment_id", "frameId": frame["id"], "context": "watch"})["result"]


def test_a_breakpoint_moves_to_the_next_statement_and_is_hit_there(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    states = dap.set_breakpoints(PAYMENTS, {60: {}, 500: {}})
    assert states[0] == {"id": states[0]["id"], "verified": True, "line": CAPTURE, "source": {"path": str(PAYMENTS)}}
    assert not states[1]["verified"]
    assert states[1]["message"] == "no statement at or after line 500 of payment_retries.coord"
    stop = go(dap, entry["threadId"])
    assert stop["reason"] == "breakpoint" and stop["hitBreakpointIds"] == [states[0]["id"]]
    assert stop["allThreadsStopped"] and stop["description"].startswith("breakpoint ")
    assert dap.top_frame(stop["threadId"])["line"] == CAPTURE
    assert payment(dap, stop) == '"p-2001"'
    assert payment(dap, go(dap, stop["threadId"])) == '"p-2002"'


def test_breakpoints_in_other_files_are_left_to_other_debuggers(dap: DapClient) -> None:
    dap.launch("payment_retries")
    state, = dap.set_breakpoints(PAYMENTS.parent / "payment_handlers.py", {36: {}})
    assert state == {"verified": False, "line": 36, "message": "not a .coord file: coord dap stops in .coord files "
                                                               "(a Python handler's breakpoints are for debugpy)"}


def test_a_conditional_breakpoint_stops_where_its_condition_holds(dap: DapClient) -> None:
    entry = dap.launch("payment_retries", breakpoints={CAPTURE: {"condition": 'r.currency == "GBP"'}})
    assert payment(dap, go(dap, entry["threadId"])) == '"p-2005"'


@pytest.mark.parametrize(("hit", "payments"), [("2", ['"p-2002"']), (">=4", ['"p-2008"', '"p-2009"']),
                                               ("%2", ['"p-2002"', '"p-2008"'])])
def test_a_hit_condition_counts_hits(dap: DapClient, hit: str, payments: list[str]) -> None:
    entry = dap.launch("payment_retries", breakpoints={CAPTURE: {"hitCondition": hit}})
    stops = [go(dap, entry["threadId"]) for _ in payments]
    assert [payment(dap, stop) for stop in stops] == payments
    assert go(dap, entry["threadId"])["reason"] == "end"


def test_a_bad_hit_condition_is_not_verified(dap: DapClient) -> None:
    dap.launch("payment_retries")
    state, = dap.set_breakpoints(PAYMENTS, {CAPTURE: {"hitCondition": "often"}})
    assert not state["verified"] and "often" in state["message"]


def test_a_logpoint_says_its_message_without_stopping(dap: DapClient) -> None:
    entry = dap.launch("payment_retries", breakpoints={CAPTURE: {"logMessage": "capture {r.payment_id}: {amount}"}})
    assert go(dap, entry["threadId"])["reason"] == "end"
    said = [body["output"] for body in dap.events("output") if body["category"] == "console"]
    assert said[:3] == ["capture p-2001: 59.9\n", "capture p-2002: 110.4\n", "capture p-2005: 292.5\n"]


def test_a_function_breakpoint_is_an_event_type(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    states = dap.ok("setFunctionBreakpoints", {"breakpoints": [{"name": "Settled", "condition": "amount > 100"},
                                                               {"name": "Refund"}]})["breakpoints"]
    assert states[0]["verified"] and not states[1]["verified"]
    assert states[1]["message"] == "no event type Refund in this program (its events: PaymentRequested, Settled)"
    stop = go(dap, entry["threadId"])
    assert stop["reason"] == "function breakpoint" and stop["hitBreakpointIds"] == [states[0]["id"]]
    assert stop["description"].startswith('event breakpoint 1: input Settled { payment_id: "p-2002", amount: 110.4')
    frame = dap.top_frame(stop["threadId"])
    assert dap.ok("evaluate", {"expression": "e.batch_id", "frameId": frame["id"]})["result"] == '"B-17"'


def exceptions(dap: DapClient, entry: dict, mode: str = "always") -> list[tuple[str, str]]:
    """Continue to the end: (kind, type) of each error stopped on, each with break mode ``mode``
    (``unhandled``: the error escaped its instance)."""
    found = []
    while (stop := go(dap, entry["threadId"]))["reason"] == "exception":
        info = dap.ok("exceptionInfo", {"threadId": stop["threadId"]})
        assert stop["text"] == f"{info['exceptionId']}: {info['description']}"
        assert info["breakMode"] == mode
        found.append((info["exceptionId"], info["details"]["typeName"]))
    assert stop["reason"] == "end"
    return found


def test_uncaught_errors_stop(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    assert dap.ok("setExceptionBreakpoints", {"filters": ["uncaught"]}) == {"breakpoints": [{"verified": True}]}
    assert exceptions(dap, entry, "unhandled") == [("Failed", "Failed")] * 6


def test_caught_errors_stop_with_their_python_type(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    dap.ok("setExceptionBreakpoints", {"filters": ["caught"]})
    assert exceptions(dap, entry) == [("HandlerError", "CardDeclined"), ("HandlerError", "ConnectionError"),
                                      ("Timeout", "TimeoutError"), ("HandlerError", "ValueError"),
                                      ("HandlerError", "CardDeclined")]


def test_a_filter_condition_names_error_kinds(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    dap.ok("setExceptionBreakpoints", {"filters": [], "filterOptions": [{"filterId": "caught", "condition": "Timeout"}]})
    assert exceptions(dap, entry) == [("Timeout", "TimeoutError")]


def test_exception_options_name_kinds_and_break_modes(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    dap.ok("setExceptionBreakpoints", {"filters": [], "exceptionOptions": [
        {"path": [{"names": ["Timeout"]}], "breakMode": "always"}]})
    assert exceptions(dap, entry) == [("Timeout", "TimeoutError")]


def test_each_filter_takes_its_own_kinds(dap: DapClient) -> None:
    """uncaught on every kind and caught on Timeout only: neither widens the other."""
    entry = dap.launch("payment_retries")
    answer = dap.ok("setExceptionBreakpoints", {"filters": ["uncaught"], "filterOptions": [
        {"filterId": "caught", "condition": "Timeout"}]})
    assert answer == {"breakpoints": [{"verified": True}, {"verified": True}]}
    found = []
    while (stop := go(dap, entry["threadId"]))["reason"] == "exception":
        info = dap.ok("exceptionInfo", {"threadId": stop["threadId"]})
        found.append((info["exceptionId"], info["breakMode"]))
    assert ("Timeout", "always") in found and ("Failed", "unhandled") in found
    assert {kind for kind, mode in found if mode == "always"} == {"Timeout"}
    assert found.count(("Failed", "unhandled")) == 6


def test_filter_options_of_two_filters_narrow_each_apart(dap: DapClient) -> None:
    entry = dap.launch("payment_retries")
    dap.ok("setExceptionBreakpoints", {"filters": [], "filterOptions": [
        {"filterId": "caught", "condition": "Timeout"}, {"filterId": "uncaught", "condition": "HandlerError"}]})
    assert exceptions(dap, entry) == [("Timeout", "TimeoutError")]  # no uncaught error is a HandlerError


def test_a_filter_set_both_plain_and_narrowed_stops_on_every_kind_and_says_so(dap: DapClient) -> None:
    dap.launch("payment_retries")
    answer = dap.ok("setExceptionBreakpoints", {"filters": ["caught"], "filterOptions": [
        {"filterId": "caught", "condition": "Timeout"}, {"filterId": "uncaught", "condition": "Failed"}]})
    assert answer["breakpoints"][0] == {"verified": True} and answer["breakpoints"][2] == {"verified": True}
    assert answer["breakpoints"][1]["message"] == ("stops on every kind of error: caught is also set without a "
                                                   "condition")


def test_unknown_filters_and_break_modes_are_errors(dap: DapClient) -> None:
    dap.launch("payment_retries")
    assert dap.error("setExceptionBreakpoints", {"filters": ["raised"]}) == ("unknown exception filter 'raised' "
                                                                             "(known: uncaught, caught)")
    assert dap.error("setExceptionBreakpoints", {"filters": [], "exceptionOptions": [{"breakMode": "sometimes"}]}) \
        == "unknown breakMode 'sometimes' (known: never, always, unhandled, userUnhandled)"
    assert dap.error("exceptionInfo", {"threadId": 1}) == "the program did not stop on an error"


def test_breakpoints_set_while_the_program_runs_take_effect_at_once(dap: DapClient) -> None:
    dap.spin()
    state, = dap.set_breakpoints(SPIN, {ADD: {"condition": "i % 1000 == 999"}})
    assert state["verified"] and state["line"] == ADD
    stop = dap.event("stopped")  # not a pause: the continue went on to the breakpoint
    assert stop["reason"] == "breakpoint"
    frame = dap.top_frame(stop["threadId"])
    assert dap.ok("evaluate", {"expression": "i", "frameId": frame["id"]})["result"].endswith("999")
