"""A program's Python handlers in a child process under debugpy, and proxies that call them.

With ``"debugHandlers": true`` the adapter starts ``python -m coordlang.dap.handler_child``
(which listens on an authenticated loopback socket, ``multiprocessing.connection``, and names
its address on its first line of output), sends it the compiled program, and the child binds the handlers exactly as
``coordlang.runtime.handlers`` does, starts ``debugpy.listen`` on a free loopback port and
serves calls. Each proxy is handed to the session as a bound handler; an exception the handler
raised comes back as the error the interpreter would have made of it (``recorded_error``), so
retries and ``catch`` see the same kind, type and class lineage as in-process.

The child's standard output and error become the adapter's ``output`` events.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Client, Connection
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from coordlang.errors import CoordError

if TYPE_CHECKING:
    from coordlang.ir.nodes import HandlerDef, Program
    from coordlang.runtime.interpreter.values import ErrorValue

START_SECONDS = 30.0
"""How long the child may take to connect, bind the handlers and start debugpy."""
ATTACH_SECONDS = 10.0
"""How long the first motion waits for the client's handler debugger to attach (and set its
breakpoints), once the client was asked to open it: a handler called before would run past
them."""
WAIT_SLICE = 0.25


class HandlerHostError(CoordError):
    """The handler process could not start, or its handlers could not be bound."""


class HandlerRaised(Exception):
    """A handler's exception in the child, as the error it is (``recorded_error``)."""

    def __init__(self, recorded_error: ErrorValue) -> None:
        super().__init__(recorded_error.message)
        self.recorded_error = recorded_error


@dataclass(frozen=True, slots=True)
class HandlerProxy:
    """Stands for a bound handler: each call is made in the child."""

    definition: HandlerDef
    host: HandlerHost

    def call(self, args: tuple, idempotency_key: str, loop: object = None) -> object:
        return self.host.call(self.definition.name, args, idempotency_key)


class HandlerHost:
    """The child process and the connection to it."""

    def __init__(self, program: Program, process: subprocess.Popen, connection: Connection, host: str, port: int,
                 output: Callable[[str, str], None]) -> None:
        self.program = program
        self.process = process
        self.connection = connection
        self.host = host
        self.port = port
        self._output = output
        self._lock = threading.Lock()
        self._expecting = threading.Event()
        """The client was asked to attach a debugger to the child and has not refused."""
        self._readers = [threading.Thread(target=self._forward, args=(stream, category), daemon=True,
                                          name=f"coord-dap-handler-{category}")
                         for stream, category in ((process.stdout, "stdout"), (process.stderr, "stderr"))]
        for reader in self._readers:
            reader.start()

    @classmethod
    def start(cls, path: Path, output: Callable[[str, str], None]) -> HandlerHost:
        """Compile ``path``, start the child and bind its handlers there."""
        from coordlang.runtime.debug import compile_checked

        program = compile_checked(path)
        key = secrets.token_bytes(32)
        # Frozen standard modules would make debugpy warn that it may miss breakpoints.
        process = subprocess.Popen([sys.executable, "-X", "frozen_modules=off", "-m", "coordlang.dap.handler_child"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            process.stdin.write(key.hex().encode() + b"\n")
            process.stdin.close()
            line = process.stdout.readline()  # the child's address, or nothing if it died
            if not line:
                raise EOFError("no address")
            connection = Client(tuple(json.loads(line)["address"]), authkey=key)
            connection.send(("bind", program))
            if not connection.poll(START_SECONDS):
                raise HandlerHostError(f"the handler process did not start debugpy within {START_SECONDS:g} s")
            answer = connection.recv()
        except (OSError, EOFError, ValueError, KeyError) as exc:
            process.kill()
            raise HandlerHostError(f"the handler process ended while starting: {_last_words(process) or exc}") from None
        except BaseException:
            process.kill()
            raise
        if answer[0] != "ready":
            process.wait(5)
            raise HandlerHostError(answer[1])
        return cls(program, process, connection, answer[1], answer[2], output)

    def proxies(self) -> dict[str, HandlerProxy]:
        return {h.name: HandlerProxy(h, self) for h in self.program.handlers}

    def call(self, name: str, args: tuple, key: str) -> object:
        with self._lock:
            try:
                self.connection.send(("call", name, args, key))
                answer = self.connection.recv()
            except (OSError, EOFError):
                # The interpreter makes this the call's HandlerError, as any exception of a handler.
                raise ConnectionError(f"the handler process has ended (exit status {self.process.poll()})") from None
        if answer[0] == "raised":
            raise HandlerRaised(answer[1])
        return answer[1]

    def expect_debugger(self, expected: bool) -> None:
        """Whether the first motion should wait for the client's handler debugger."""
        if expected:
            self._expecting.set()
        else:
            self._expecting.clear()

    def await_debugger(self) -> None:
        """Until the handler debugger is attached, refused, or ATTACH_SECONDS passed; then never again."""
        waited = 0.0
        with self._lock:
            try:
                while self._expecting.is_set() and waited < ATTACH_SECONDS:
                    self.connection.send(("wait", WAIT_SLICE))
                    if self.connection.recv()[1]:
                        break
                    waited += WAIT_SLICE
                self.connection.send(("stop waiting",))
            except (OSError, EOFError):
                pass  # the next call says the child has ended
        self._expecting.clear()

    def close(self) -> None:
        try:
            self.connection.send(("exit",))
            self.connection.close()
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for reader in self._readers:
            reader.join(1)

    def _forward(self, stream, category: str) -> None:
        for line in iter(stream.readline, b""):
            self._output(line.decode("utf-8", "replace"), category)
        stream.close()


def _last_words(process: subprocess.Popen) -> str:
    try:
        process.wait(2)
        return process.stderr.read().decode("utf-8", "replace").strip().splitlines()[-1]
    except (subprocess.TimeoutExpired, IndexError, OSError, ValueError):
        return ""
