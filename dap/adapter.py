"""``coord dap``'s adapter: one per client connection. It reads the client's messages on one
thread and answers each request through the table of ``dispatch.py``; motions run on a worker
thread (``running.py``) so that ``pause`` is answered while they run.

The adapter never dies on bad input: garbage is reported as an ``output`` event of category
``important``, a request that cannot be served gets an error response naming the problem, and
a bug in a handler becomes an error response too (its traceback goes to standard error).
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING

# The feature modules register their requests when imported.
from coordlang.dap import breakpoints, inspection, lifecycle, running, timeline  # noqa: F401
from coordlang.dap.convert import Positions
from coordlang.dap.dispatch import HANDLERS, NEEDS, Reply
from coordlang.dap.protocol import Connection, Garbage, Request, RequestError
from coordlang.dap.running import Runner
from coordlang.errors import CoordError

if TYPE_CHECKING:
    from coordlang.dap.handler_host import HandlerHost
    from coordlang.runtime.debug import DebugSession


class Handles:
    """Integer references handed to the client (frame ids, variablesReference), valid while
    the program stays where it stopped."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: list[object] = []

    def add(self, item: object) -> int:
        self._items.append(item)
        return len(self._items)

    def get(self, reference: object) -> object:
        if isinstance(reference, int) and not isinstance(reference, bool) and 0 < reference <= len(self._items):
            return self._items[reference - 1]
        raise RequestError(f"no {self.what} {reference!r}: references last only while the program "
                           "stays where it stopped")

    def clear(self) -> None:
        self._items.clear()


class Adapter:
    """The state of one debugging conversation."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.client: dict | None = None
        """``initialize``'s arguments; None before it."""
        self.positions = Positions()
        self.session: DebugSession | None = None
        self.config: dict = {}
        """The ``launch`` or ``attach`` arguments, kept for ``restart``."""
        self.stop_at_end = True
        self.handler_host: HandlerHost | None = None
        self.frames = Handles("frame")
        self.references = Handles("variables reference")
        self.runner = Runner(self)
        self.breakpoints = breakpoints.Breakpoints()
        self.configured = False
        """``configurationDone`` came: the program has started."""
        self.ended = False
        """``exited`` and ``terminated`` were sent."""
        self.closing = False
        """``disconnect`` was answered: nothing more is read."""

    # ---------------------------------------------------------------- the conversation

    def serve(self) -> None:
        """Answer the client until it disconnects or its input ends."""
        try:
            while not self.closing:
                message = self.connection.reader.read()
                if message is None:
                    break
                if isinstance(message, Garbage):
                    self.connection.output(f"coord dap: {message.problem}", "important")
                    continue
                self.receive(message)
        finally:
            self.close()

    def receive(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "request":
            self.dispatch(message)
        elif kind == "response":
            self.connection.replied(message)
        else:
            self.connection.output(f"coord dap: a message of type {kind!r} was ignored: clients send requests "
                                   "and responses to reverse requests", "important")

    def dispatch(self, message: dict) -> None:
        seq, command = message.get("seq"), message.get("command")
        if not isinstance(seq, int) or isinstance(seq, bool):
            self.connection.output(f"coord dap: a request without an integer 'seq' was ignored: {message!r:.200}",
                                   "important")
            return
        if not isinstance(command, str):
            self.connection.fail(seq, str(command), f"the request has no 'command' string (got {command!r:.80})")
            return
        arguments = message.get("arguments")
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, dict):
            self.connection.fail(seq, command, f"'arguments' must be an object, not {type(arguments).__name__}")
            return
        request = Request(seq, command, arguments)
        handler = HANDLERS.get(command)
        if handler is None:
            self.connection.fail(seq, command, f"unknown command '{command}'")
            return
        try:
            self.check(handler.needs)
            result = handler.function(self, arguments)
        except CoordError as exc:  # RequestError, or the session's own (a bad program path)
            self.connection.fail(seq, command, str(exc))
            return
        except Exception as exc:  # a bug: the client hears of it, the adapter goes on
            traceback.print_exc(file=sys.stderr)
            self.connection.fail(seq, command, f"internal error in coord dap: {type(exc).__name__}: {exc} "
                                               "(the traceback is on its standard error)")
            return
        if isinstance(result, Reply):
            self.connection.respond(request, result.body)
            if result.then is not None:
                result.then()
        else:
            self.connection.respond(request, result)

    def check(self, needs: str) -> None:
        level = NEEDS.index(needs)
        if level >= 1 and self.client is None:
            raise RequestError("send 'initialize' first")
        if level >= 2 and self.session is None:
            raise RequestError("no program is being debugged: send 'launch' or 'attach' first")
        if level >= 3 and self.runner.running:
            raise RequestError("the program is running: pause it first")

    # ---------------------------------------------------------------- what the adapter says

    def output(self, text: str, category: str = "console") -> None:
        self.connection.output(text, category)

    def end(self) -> None:
        """``exited`` and ``terminated``, once."""
        if not self.ended:
            self.ended = True
            self.connection.event("exited", {"exitCode": 0})
            self.connection.event("terminated")

    def forget(self) -> None:
        """The program moves: frame ids and variable references die."""
        self.frames.clear()
        self.references.clear()

    def close(self) -> None:
        """Stop the program and the handler process; the conversation is over."""
        self.closing = True
        self.runner.halt()
        if self.handler_host is not None:
            self.handler_host.close()
            self.handler_host = None
