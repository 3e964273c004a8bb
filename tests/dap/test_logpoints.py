"""Logpoints reach the client as ``output`` events (category ``console``) the moment they are
hit, in order, before the ``stopped`` event of the motion that met them: while a long
``continue`` still runs, and when stepping."""

from __future__ import annotations

from dapkit import SPIN, DapClient

ADD = 9
"""``total = total + i`` in spin.coord, inside a loop of 10^8 rounds."""


def spin_with(dap: DapClient, breakpoints: dict[int, dict]) -> dict:
    """spin.coord launched, stopped on entry, with these breakpoints: the entry stop."""
    dap.initialize()
    dap.ok("launch", {"program": str(SPIN), "events": str(SPIN.with_suffix(".jsonl")), "stopOnEntry": True})
    dap.event("initialized")
    dap.set_breakpoints(SPIN, breakpoints)
    dap.ok("configurationDone")
    return dap.event("stopped")


def console(dap: DapClient) -> list[str]:
    return [body["output"] for body in dap.events("output") if body.get("category") == "console"]


def test_logpoints_arrive_while_a_continue_still_runs(dap: DapClient) -> None:
    entry = spin_with(dap, {ADD: {"logMessage": "round {i}, total {total}", "hitCondition": "<=3"}})
    dap.ok("continue", {"threadId": entry["threadId"]})
    # The loop runs on for 10^8 rounds: these come long before any stop could.
    for said in ("round 0, total 0\n", "round 1, total 0\n", "round 2, total 1\n"):
        body = dap.event("output", where=lambda b, said=said: b.get("output") == said)
        assert body["category"] == "console"
    assert console(dap) == ["round 0, total 0\n", "round 1, total 0\n", "round 2, total 1\n"]
    assert len(dap.events("stopped")) == 1  # the entry's only: the continue is still running
    dap.ok("pause", {"threadId": entry["threadId"]})
    assert dap.event("stopped")["reason"] == "pause"
    assert len(console(dap)) == 3  # said once each, not again with the stop


def test_a_logpoint_met_by_a_step_comes_before_its_stop(dap: DapClient) -> None:
    entry = spin_with(dap, {ADD: {"logMessage": "adding {i}"}})
    stop = entry
    while not console(dap):
        dap.ok("next" if stop["threadId"] != entry["threadId"] else "stepIn", {"threadId": stop["threadId"]})
        stop = dap.event("stopped")
    kinds = [(m.get("event"), (m.get("body") or {}).get("output")) for m in dap.received if m.get("type") == "event"]
    said = kinds.index(("output", "adding 0\n"))
    assert kinds[said + 1][0] == "stopped" and stop["reason"] == "step"
    for _ in range(10):  # step on: the loop comes round to the line again
        if len(console(dap)) == 2:
            break
        dap.ok("next", {"threadId": stop["threadId"]})
        dap.event("stopped")
    assert console(dap) == ["adding 0\n", "adding 1\n"]
