"""``python -m coordlang.dap.handler_child``: a program's handlers, served to the debug adapter
under debugpy (see ``handler_host.py``).

Reads its key (hex) from standard input, listens on a loopback port and names its address on
the first line of standard output; everything after is the handlers' own output. Messages:
``("bind", program)`` → ``("ready", host, port)`` or ``("error", text)``;
``("call", name, args, key)`` → ``("ok", value)`` or ``("raised", ErrorValue)``;
``("wait", seconds)`` → ``("waited", attached)``; ``("stop waiting",)``; ``("exit",)``.
"""

from __future__ import annotations

import json
import sys
import threading
from multiprocessing.connection import Connection, Listener


class Waiter:
    """debugpy's wait_for_client on a thread of its own, so the adapter can wait in slices and
    give up: it returns once a client attached and finished its configuration (breakpoints)."""

    def __init__(self, debugpy) -> None:
        self.debugpy = debugpy
        self.attached = threading.Event()
        self._thread: threading.Thread | None = None

    def wait(self, seconds: float) -> bool:
        if self._thread is None:
            self._thread = threading.Thread(target=self._wait, daemon=True, name="coord-debugpy-wait")
            self._thread.start()
        return self.attached.wait(seconds)

    def _wait(self) -> None:
        self.debugpy.wait_for_client()
        self.attached.set()

    def stop(self) -> None:
        if self._thread is not None and not self.attached.is_set():
            self.debugpy.wait_for_client.cancel()


def serve(connection: Connection) -> int:
    from coordlang.errors import CoordError
    from coordlang.runtime.handlers import HandlerLoop, bind_handlers
    from coordlang.runtime.interpreter.values import from_exception

    _, program = connection.recv()
    try:
        handlers = bind_handlers(program)
    except CoordError as exc:
        connection.send(("error", str(exc)))
        return 1
    try:
        import debugpy

        host, port = debugpy.listen(("127.0.0.1", 0))
    except Exception as exc:  # no debugpy, or it could not start its adapter
        connection.send(("error", f"debugpy could not start ({type(exc).__name__}: {exc}); "
                                  "debugging handlers needs debugpy: pip install debugpy"))
        return 1
    connection.send(("ready", host, port))
    loop = HandlerLoop()
    waiter = Waiter(debugpy)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return 0
        if message[0] == "call":
            _, name, args, key = message
            try:
                answer = ("ok", handlers[name].call(args, key, loop))
                connection.send(answer)
            except Exception as exc:  # the handler's failure is the program's, as in-process
                connection.send(("raised", from_exception(exc)))
        elif message[0] == "wait":
            connection.send(("waited", waiter.wait(message[1])))
        elif message[0] == "stop waiting":
            waiter.stop()
        elif message[0] == "exit":
            return 0


def main() -> int:
    key = bytes.fromhex(sys.stdin.readline().strip())
    with Listener(("127.0.0.1", 0), authkey=key) as listener:
        print(json.dumps({"address": listener.address}), flush=True)
        connection = listener.accept()
    with connection:
        return serve(connection)


if __name__ == "__main__":
    sys.exit(main())
