"""Two requests of coord's own, for a client that draws the run as a timeline (the TUI's
scrubber, a webview): ``coord/timeline`` lists what happened when, ``coord/goto`` jumps to a
position of it, back or forth. DAP's own ``goto`` is by source line, which a position is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coordlang.dap import convert
from coordlang.dap.dispatch import Reply, argument, request
from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter


@request("coord/timeline")
def timeline(adapter: Adapter, arguments: dict) -> dict:
    """Every event routed, timer fired and instance started or ended so far (also past the
    current position), and the current position; with ``unreached``, then the input events the
    run has not reached yet (``position`` null, ``reached`` false)."""
    unreached = argument(arguments, "unreached", bool, False)
    entries = [{"position": e.position, "kind": e.kind, "time": e.time, "title": e.title, "event": e.event,
                "key": e.key, "fields": e.fields, "input": e.input, "reached": e.reached,
                "threadId": None if e.instance is None else convert.thread_id(e.instance)}
               for e in adapter.session.timeline(unreached=unreached)]
    return {"entries": entries, "position": adapter.session.position}


@request("coord/goto")
def goto(adapter: Adapter, arguments: dict) -> Reply:
    """To a position, or (``input``) to just before an input event is routed, running on to it
    if the run has not reached it yet."""
    if arguments.get("input") is not None:
        index = argument(arguments, "input", int)
        count = adapter.session.input_count
        if not 0 <= index < count:
            raise RequestError(f"no input event {index}: the run has {count} (0 to {count - 1})")
        return Reply(None, lambda: adapter.runner.start(lambda session: session.goto_input(index)))
    position = argument(arguments, "position", int)
    return Reply(None, lambda: adapter.runner.start(lambda session: session.goto(position)))
