"""Two requests of coord's own, for a client that draws the run as a timeline (the TUI's
scrubber, a webview): ``coord/timeline`` lists what happened when, ``coord/goto`` jumps to a
position of it, back or forth. DAP's own ``goto`` is by source line, which a position is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coordlang.dap import convert
from coordlang.dap.dispatch import Reply, argument, request

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter


@request("coord/timeline")
def timeline(adapter: Adapter, arguments: dict) -> dict:
    """Every event routed, timer fired and instance started or ended so far (also past the
    current position), and the current position."""
    entries = [{"position": e.position, "kind": e.kind, "time": e.time, "title": e.title, "event": e.event,
                "key": e.key, "fields": e.fields,
                "threadId": None if e.instance is None else convert.thread_id(e.instance)}
               for e in adapter.session.timeline()]
    return {"entries": entries, "position": adapter.session.position}


@request("coord/goto")
def goto(adapter: Adapter, arguments: dict) -> Reply:
    position = argument(arguments, "position", int)
    return Reply(None, lambda: adapter.runner.start(lambda session: session.goto(position)))
