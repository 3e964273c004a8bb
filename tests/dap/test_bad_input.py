"""Every request the adapter knows, with arguments of every wrong shape, in every state: each
gets a response, and the adapter writes no traceback (the fixture checks its standard error)."""

from __future__ import annotations

import pytest
from dapkit import DapClient

from coordlang.dap.adapter import Adapter  # noqa: F401  (fills the table)
from coordlang.dap.dispatch import HANDLERS

ENDING = {"disconnect", "terminate", "restart", "launch", "attach", "initialize"}
"""Requests that would end or replace the conversation: tested on their own elsewhere."""
WRONG = [{}, {"threadId": "x", "frameId": None, "variablesReference": -1, "expression": 3, "source": []},
         {"threadId": 2**40, "frameId": 2**40, "variablesReference": 2**40, "expression": "(((", "source": {"path": 5},
          "breakpoints": [{"line": "ten"}], "filters": [None], "position": -5, "startFrame": -3, "levels": "all"},
         {"breakpoints": {"line": 1}, "filterOptions": [{"filterId": "caught", "condition": 7}],
          "exceptionOptions": [{"breakMode": "always", "path": "x"}], "lines": [1.5], "count": -1, "start": 99}]


@pytest.mark.parametrize("stopped", [False, True], ids=["before launch", "stopped"])
def test_every_request_with_wrong_arguments_is_answered(dap: DapClient, stopped: bool) -> None:
    if stopped:
        dap.launch("payment_retries")
    else:
        dap.initialize()
    for command in sorted(set(HANDLERS) - ENDING):
        for arguments in WRONG:
            response = dap.request(command, arguments)
            assert response["command"] == command
            if not response["success"]:
                assert "internal error" not in response["message"], (command, arguments, response["message"])
            elif command in ("continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue",
                             "restartFrame", "coord/goto"):
                dap.event("stopped")
    assert dap.ok("threads")["threads"] if stopped else True
