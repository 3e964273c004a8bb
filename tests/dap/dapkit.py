"""A DAP client for the tests: speaks the wire protocol to ``coord dap`` (a subprocess, or a
TCP port), keeps every message it receives, and waits for each with a timeout, so a hang fails
the test instead of blocking CI. (A module of its own: test modules import it, and a name like
``conftest`` is ambiguous when pytest collects several folders at once.)"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO, Callable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SPIN = Path(__file__).resolve().parent / "programs" / "spin.coord"
"""A workflow that counts to 10^8: a continue over it runs until it is paused."""
TIMEOUT = 15.0
"""Seconds any one message may take to come."""
VSCODE = {"clientID": "vscode", "clientName": "Visual Studio Code", "adapterID": "coord", "locale": "en",
          "linesStartAt1": True, "columnsStartAt1": True, "pathFormat": "path", "supportsVariableType": True,
          "supportsVariablePaging": True, "supportsRunInTerminalRequest": True, "supportsProgressReporting": True,
          "supportsInvalidatedEvent": True, "supportsMemoryReferences": True,
          "supportsArgsCanBeInterpretedByShell": True, "supportsMemoryEvent": True,
          "supportsStartDebuggingRequest": True}
"""What VS Code says in ``initialize``."""


def example(name: str) -> tuple[Path, Path]:
    """An example's program and events file."""
    return EXAMPLES / name / f"{name}.coord", EXAMPLES / name / "events.jsonl"


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class DapClient:
    """One conversation with the adapter."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO, process: subprocess.Popen | None = None) -> None:
        self.reader = reader
        self.writer = writer
        self.process = process
        self.received: list[dict] = []
        self._taken: set[int] = set()
        self._seq = 0
        self._changed = threading.Condition()
        self._ended = False
        self._thread = threading.Thread(target=self._read, daemon=True, name="dapkit-reader")
        self._thread.start()

    @classmethod
    def spawn(cls, *args: str, stderr: BinaryIO | int | None = None) -> DapClient:
        """``python -m coordlang dap ARGS`` over its standard input and output."""
        process = subprocess.Popen([sys.executable, "-m", "coordlang", "dap", *args], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT, env={**os.environ})
        return cls(process.stdout, process.stdin, process)

    @classmethod
    def connect(cls, port: int) -> DapClient:
        sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        sock.settimeout(None)
        client = cls(sock.makefile("rb"), sock.makefile("wb"))
        client.socket = sock
        return client

    # ---------------------------------------------------------------- the wire

    def _read(self) -> None:
        try:
            while True:
                length = None
                while True:
                    line = self.reader.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                assert length is not None, "a message without Content-Length from the adapter"
                message = json.loads(self.reader.read(length))
                with self._changed:
                    self.received.append(message)
                    self._changed.notify_all()
        except (OSError, ValueError):
            return
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        self.writer.flush()

    def send(self, message: dict) -> int:
        self._seq += 1
        self.send_raw(frame(json.dumps({"seq": self._seq, **message}).encode()))
        return self._seq

    def wait_for(self, what: str, matches: Callable[[dict], bool], timeout: float = TIMEOUT) -> dict:
        """The first message not taken yet that ``matches``, taken; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i, message in enumerate(self.received):
                    if i not in self._taken and matches(message):
                        self._taken.add(i)
                        return message
                left = deadline - time.monotonic()
                if left <= 0 or self._ended:
                    recent = [m.get("event") or m.get("command") for m in self.received[-12:]]
                    state = "ended" if self._ended else "alive"
                    raise AssertionError(f"no {what} within {timeout:g} s (adapter {state}; last messages: {recent})")
                self._changed.wait(left)

    # ---------------------------------------------------------------- requests, events

    def request(self, command: str, arguments: dict | None = None, timeout: float = TIMEOUT) -> dict:
        """Send a request; its response, whether it succeeded or not."""
        return self.response(self.send_request(command, arguments), timeout)

    def send_request(self, command: str, arguments: dict | None = None) -> int:
        """Send a request without waiting: its seq, for :meth:`response`."""
        message = {"type": "request", "command": command}
        if arguments is not None:
            message["arguments"] = arguments
        return self.send(message)

    def response(self, seq: int, timeout: float = TIMEOUT) -> dict:
        return self.wait_for(f"response to request {seq}",
                             lambda m: m.get("type") == "response" and m.get("request_seq") == seq, timeout)

    def ok(self, command: str, arguments: dict | None = None, timeout: float = TIMEOUT) -> dict:
        """A request that must succeed: its body."""
        response = self.request(command, arguments, timeout)
        assert response["success"], f"{command} failed: {response.get('message')}"
        assert response["command"] == command
        return response.get("body") or {}

    def error(self, command: str, arguments: dict | None = None) -> str:
        """A request that must fail: its message."""
        response = self.request(command, arguments)
        assert not response["success"], f"{command} succeeded: {response.get('body')}"
        assert response["body"]["error"]["format"] == response["message"]
        return response["message"]

    def event(self, name: str, timeout: float = TIMEOUT, where: Callable[[dict], bool] = lambda body: True) -> dict:
        """The next event ``name`` (whose body satisfies ``where``): its body."""
        message = self.wait_for(f"'{name}' event", lambda m: m.get("type") == "event" and m.get("event") == name
                                and where(m.get("body") or {}), timeout)
        return message.get("body") or {}

    def events(self, name: str) -> list[dict]:
        """The bodies of every event ``name`` received so far, taken or not."""
        with self._changed:
            return [m.get("body") or {} for m in self.received if m.get("type") == "event" and m.get("event") == name]

    def reverse_request(self, command: str, timeout: float = TIMEOUT) -> dict:
        return self.wait_for(f"'{command}' reverse request",
                             lambda m: m.get("type") == "request" and m.get("command") == command, timeout)

    def respond(self, request: dict, body: dict | None = None, success: bool = True) -> None:
        self.send({"type": "response", "request_seq": request["seq"], "command": request["command"],
                   "success": success, **({"body": body} if body is not None else {})})

    # ---------------------------------------------------------------- a session

    def initialize(self, **client: object) -> dict:
        return self.ok("initialize", {**VSCODE, **client})

    def launch(self, name: str, *, stop_on_entry: bool = True, breakpoints: dict[int, dict] | None = None,
               **arguments: object) -> dict:
        """initialize, launch an example, initialized, breakpoints (line → its fields),
        configurationDone: the first ``stopped`` event's body."""
        program, events = example(name)
        self.initialize()
        self.ok("launch", {"type": "coord", "request": "launch", "program": str(program), "events": str(events),
                           "stopOnEntry": stop_on_entry, **arguments})
        self.event("initialized")
        if breakpoints:
            self.set_breakpoints(program, breakpoints)
        self.ok("configurationDone")
        return self.event("stopped")

    def spin(self) -> None:
        """Launch spin.coord and let it run."""
        self.initialize()
        self.ok("launch", {"program": str(SPIN), "events": str(SPIN.with_suffix(".jsonl"))})
        self.event("initialized")
        self.ok("configurationDone")
        self.event("continued")

    def set_breakpoints(self, program: Path, breakpoints: dict[int, dict]) -> list[dict]:
        specs = [{"line": line, **fields} for line, fields in breakpoints.items()]
        return self.ok("setBreakpoints", {"source": {"path": str(program)}, "breakpoints": specs})["breakpoints"]

    def top_frame(self, thread: int) -> dict:
        return self.ok("stackTrace", {"threadId": thread})["stackFrames"][0]

    def close(self) -> None:
        """Disconnect (if the adapter still listens) and wait for it to end."""
        try:
            if not self._ended:
                self.request("disconnect", {}, timeout=5)
        except (AssertionError, OSError):
            pass
        if self.process is not None:
            self.writer.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("coord dap did not end after disconnect") from None
        if getattr(self, "socket", None) is not None:
            try:
                self.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
        for stream in (self.writer, self.reader):
            stream.close()
        if getattr(self, "socket", None) is not None:
            self.socket.close()
