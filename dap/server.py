"""Where ``coord dap`` talks: standard input and output, or a loopback TCP port.

Over stdio the protocol owns the process's standard output: file descriptor 1 is pointed at
standard error (so nothing else can corrupt the stream) and ``sys.stdout`` becomes ``output``
events, so what an in-process handler prints shows in the client's debug console. On a port,
each connection is one conversation, on a thread of its own, and the server serves until it
is stopped.
"""

from __future__ import annotations

import io
import os
import socket
import sys
import threading

from coordlang.dap.adapter import Adapter
from coordlang.dap.protocol import Connection


class Console(io.TextIOBase):
    """A text stream whose lines become ``output`` events."""

    def __init__(self, connection: Connection, category: str) -> None:
        self.connection = connection
        self.category = category

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self.connection.event("output", {"category": self.category, "output": text})
        return len(text)


def serve_stdio() -> None:
    sys.stdout.flush()
    wire = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    connection = Connection(sys.stdin.buffer, wire)
    sys.stdout = Console(connection, "stdout")
    Adapter(connection).serve()


def serve_tcp(port: int) -> None:
    """Listen on 127.0.0.1:``port`` (0: a free port); the port is named on standard error."""
    with socket.create_server(("127.0.0.1", port)) as server:
        print(f"coord dap: listening on 127.0.0.1:{server.getsockname()[1]}", file=sys.stderr, flush=True)
        while True:
            client, _ = server.accept()
            threading.Thread(target=_conversation, args=(client,), name="coord-dap-client", daemon=True).start()


def _conversation(client: socket.socket) -> None:
    with client, client.makefile("rb") as reader, client.makefile("wb") as writer:
        Adapter(Connection(reader, writer)).serve()
