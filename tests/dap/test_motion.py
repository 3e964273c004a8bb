"""Stepping over, into and out of child workflows, back in time, pausing a long continue,
restarting a frame, and coord's own timeline jump."""

from __future__ import annotations

from dapkit import DapClient, example

ONBOARDING, _ = example("subworkflows")
CALL_CHECK = 56
"""``let cleared = call BackgroundCheck(...)`` in Onboarding."""
REQUEST_CHECK, AWAIT_RESULT = 80, 82
"""The first statements of BackgroundCheck."""
EVENTS = 2**31 - 1
"""The events thread's id."""


def move(dap: DapClient, command: str, thread: int, **arguments: object) -> dict:
    dap.ok(command, {"threadId": thread, **arguments})
    return dap.event("stopped")


def where(dap: DapClient, stop: dict) -> list[tuple[str, int]]:
    return [(f["name"], f["line"]) for f in dap.ok("stackTrace", {"threadId": stop["threadId"]})["stackFrames"]]


def at_the_call(dap: DapClient) -> dict:
    entry = dap.launch("subworkflows", breakpoints={CALL_CHECK: {}})
    stop = move(dap, "continue", entry["threadId"])
    assert where(dap, stop) == [("Onboarding@1 'h-1' (#1)", CALL_CHECK)]
    return stop


def test_step_in_enters_the_child_workflow_and_the_stack_shows_its_caller(dap: DapClient) -> None:
    stop = move(dap, "stepIn", at_the_call(dap)["threadId"])
    assert stop["reason"] == "step"
    assert where(dap, stop) == [("BackgroundCheck@1 'c-1' (#3)", REQUEST_CHECK),
                                ("Onboarding@1 'h-1' (#1)", CALL_CHECK)]
    stop = move(dap, "next", stop["threadId"])
    assert where(dap, stop)[0] == ("BackgroundCheck@1 'c-1' (#3)", AWAIT_RESULT)


def test_step_over_the_call_does_not_stop_in_the_child(dap: DapClient) -> None:
    """The child waits days for its CheckResult: the step ends at the next input event, on the
    events thread, not in BackgroundCheck."""
    stop = move(dap, "next", at_the_call(dap)["threadId"])
    assert stop["reason"] == "step" and stop["threadId"] == EVENTS
    assert stop["description"].startswith('input HireAccepted { hire_id: "h-2"')
    assert dap.ok("stackTrace", {"threadId": EVENTS})["stackFrames"][0]["line"] == 0  # an event has no line


def test_step_out_of_the_child_runs_until_it_ends_or_a_breakpoint(dap: DapClient) -> None:
    child = move(dap, "stepIn", at_the_call(dap)["threadId"])
    stop = move(dap, "stepOut", child["threadId"])
    assert stop["reason"] == "breakpoint" and where(dap, stop) == [("Onboarding@1 'h-2' (#5)", CALL_CHECK)]


def test_step_back_and_reverse_continue_go_back_in_time(dap: DapClient) -> None:
    call = at_the_call(dap)
    child = move(dap, "stepIn", call["threadId"])
    back = move(dap, "stepBack", child["threadId"])
    assert back["reason"] == "step" and where(dap, back) == [("Onboarding@1 'h-1' (#1)", CALL_CHECK)]
    second = move(dap, "continue", back["threadId"])
    assert where(dap, second) == [("Onboarding@1 'h-2' (#5)", CALL_CHECK)]
    again = move(dap, "reverseContinue", second["threadId"])
    assert again["reason"] == "breakpoint" and again["threadId"] == call["threadId"]
    start = move(dap, "reverseContinue", again["threadId"])
    assert start["reason"] == "entry"


def test_restart_frame_goes_back_to_where_the_instance_started(dap: DapClient) -> None:
    child = move(dap, "stepIn", at_the_call(dap)["threadId"])
    child = move(dap, "next", child["threadId"])
    frames = dap.ok("stackTrace", {"threadId": child["threadId"]})["stackFrames"]
    dap.ok("restartFrame", {"frameId": frames[0]["id"]})
    stop = dap.event("stopped")
    assert stop["reason"] == "restart" and stop["description"].startswith("restarted BackgroundCheck@1 'c-1' (#3)")
    assert where(dap, stop)[0] == ("BackgroundCheck@1 'c-1' (#3)", REQUEST_CHECK)


def test_the_timeline_lists_the_run_and_coord_goto_jumps_in_it(dap: DapClient) -> None:
    entry = dap.launch("subworkflows", stop_on_entry=False)
    timeline = dap.ok("coord/timeline")
    assert timeline["position"] > 0 and timeline["entries"][0]["kind"] == "in"
    start = next(e for e in timeline["entries"] if e["kind"] == "start" and e["threadId"] == 3)
    assert start["title"] == "start BackgroundCheck@1 'c-1'"
    dap.ok("coord/goto", {"position": start["position"] + 1})
    stop = dap.event("stopped")
    assert stop["reason"] == "goto" and stop["threadId"] == 3
    assert dap.ok("coord/timeline")["position"] == start["position"] + 1
    assert entry["reason"] == "end"


def test_pause_is_answered_while_continue_runs(dap: DapClient) -> None:
    dap.spin()
    assert dap.ok("threads")["threads"]  # answered while running: the threads of the last stop
    assert dap.error("stackTrace", {"threadId": 1}) == "the program is running: pause it first"
    assert dap.error("next", {"threadId": 1}) == "the program is running: pause it first"
    dap.ok("pause", {"threadId": 1})
    stop = dap.event("stopped")
    assert stop["reason"] == "pause" and stop["description"].startswith("paused: Spin@1 's1' (#1)")
    dap.ok("pause", {"threadId": 1})  # a stopped program stays as it is
    frame = dap.top_frame(stop["threadId"])
    assert int(dap.ok("evaluate", {"expression": "i", "frameId": frame["id"]})["result"]) > 0
    back = move(dap, "stepBack", stop["threadId"])
    assert back["reason"] == "step"


def test_disconnect_while_running_stops_the_program(dap: DapClient) -> None:
    dap.spin()
    dap.ok("disconnect", {})


def test_the_whole_timeline_lists_inputs_not_reached_and_coord_goto_runs_on_to_one(dap: DapClient) -> None:
    dap.launch("subworkflows")
    assert dap.ok("coord/timeline")["entries"] == []  # at the entry nothing has run yet
    ahead = dap.ok("coord/timeline", {"unreached": True})["entries"]
    assert ahead and all(e["kind"] == "in" and e["position"] is None and not e["reached"] for e in ahead)
    assert [e["input"] for e in ahead] == list(range(len(ahead)))
    dap.ok("coord/goto", {"input": 2})
    stop = dap.event("stopped")
    assert stop["reason"] == "goto" and stop["threadId"] == EVENTS
    assert stop["description"].startswith(ahead[2]["title"].replace("in ", "input ", 1))
    whole = dap.ok("coord/timeline", {"unreached": True})["entries"]
    assert [e["input"] for e in whole if e["kind"] == "in" and e["reached"]] == [0, 1]
    assert dap.error("coord/goto", {"input": len(ahead)}).startswith(f"no input event {len(ahead)}")
