"""The Debug Adapter Protocol on the wire: Content-Length framing, sequence numbers, responses,
events and reverse requests. Nothing here knows what a request means.

Bad input is data, not an exception: :class:`MessageReader` returns a :class:`Garbage` for
bytes that are not a message (no Content-Length, a body that is not a JSON object) and reads
on; the adapter reports it as an ``output`` event. :class:`RequestError` is a well-formed
request that cannot be served; it becomes an error response naming the problem.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO, Callable

from coordlang.errors import CoordError

MAX_BODY = 64 * 1024 * 1024
"""The largest body read; a bigger Content-Length is taken for garbage (reading it would
wait for bytes that never come)."""
LENGTH = b"content-length:"
HEADER = re.compile(rb"[A-Za-z][A-Za-z0-9-]*: ?[^:]*")


class RequestError(CoordError):
    """A request that cannot be served: its message is the error response's."""


@dataclass(frozen=True, slots=True)
class Garbage:
    """Input that was not a message, consumed."""

    problem: str
    """What was wrong with it, for the user."""


@dataclass(frozen=True, slots=True)
class Request:
    """A request from the client."""

    seq: int
    command: str
    arguments: dict


class MessageReader:
    """Reads framed messages from a byte stream, resynchronising after garbage.

    A header block is lines up to an empty line; only Content-Length matters. Bytes that are no
    header are skipped up to the next ``Content-Length:``, even in mid-line: a body sent without
    its header ends on the same line as the next message's header. The first garbage line is
    reported at once (the next message may be long in coming); the rest of it silently."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self._ahead: deque[dict | Garbage] = deque()
        self._skipping = False

    def read(self) -> dict | Garbage | None:
        """The next message or garbage, or None at the end of the input."""
        if self._ahead:
            return self._ahead.popleft()
        length: bytes | None = None
        while True:
            line = self.stream.readline()
            if not line:
                return Garbage("the input ended inside a message header") if length is not None else None
            text = line.rstrip(b"\r\n")
            if not text:
                if length is not None:
                    break
                continue
            at = text.lower().rfind(LENGTH)
            if at < 0 and (length is not None or HEADER.fullmatch(text)):
                continue  # another header (Content-Type)
            garbage = text if at < 0 else text[:at]
            if garbage.strip() and not self._skipping:
                self._skipping = True
                self._ahead.append(Garbage(f"skipped input that is not a DAP message (each message needs a "
                                           f"'Content-Length: N' header and an empty line): {_excerpt(garbage)}"))
                if at < 0:
                    return self._ahead.popleft()
            if at >= 0:
                length = text[at + len(LENGTH):].strip()
        self._skipping = False
        self._ahead.append(self._body(length))
        return self._ahead.popleft()

    def _body(self, length: bytes) -> dict | Garbage:
        try:
            size = int(length)
        except ValueError:
            return Garbage(f"Content-Length {length.decode('latin-1')!r} is not a number")
        if not 0 <= size <= MAX_BODY:
            return Garbage(f"Content-Length {size} is out of range (0 to {MAX_BODY} bytes)")
        body = self.stream.read(size)
        if len(body) < size:
            return Garbage(f"the input ended {size - len(body)} bytes short of a {size}-byte message")
        try:
            message = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Garbage(f"a message body is not JSON ({exc}): {_excerpt(body)}")
        if not isinstance(message, dict):
            return Garbage(f"a message body is a JSON {type(message).__name__}, not an object: {_excerpt(body)}")
        return message


def _excerpt(body: bytes, limit: int = 80) -> str:
    text = body.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


def encode(message: dict) -> bytes:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class Connection:
    """One client: reads its messages, writes ours with sequence numbers. Any thread may send."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self.reader = MessageReader(reader)
        self.writer = writer
        self._seq = 0
        self._lock = threading.Lock()
        self._replies: dict[int, Callable[[dict], None]] = {}
        self.closed = False

    def send(self, message: dict, reply: Callable[[dict], None] | None = None) -> int:
        """Write ``message`` with the next sequence number, which is returned; ``reply`` gets the
        client's response to a reverse request."""
        with self._lock:
            self._seq += 1
            if reply is not None:
                self._replies[self._seq] = reply
            if self.closed:
                return self._seq
            try:
                self.writer.write(encode({"seq": self._seq, **message}))
                self.writer.flush()
            except (OSError, ValueError):  # the client went away: reading will end too
                self.closed = True
            return self._seq

    def respond(self, request: Request, body: dict | None = None) -> None:
        message = {"type": "response", "request_seq": request.seq, "success": True, "command": request.command}
        if body is not None:
            message["body"] = body
        self.send(message)

    def fail(self, request_seq: int, command: str, text: str) -> None:
        """An error response. ``message`` carries the text for clients that show only it; VS Code
        shows ``body.error`` (a template, but one without variables leaves ``{braces}`` as they are)."""
        self.send({"type": "response", "request_seq": request_seq, "success": False, "command": command,
                   "message": text, "body": {"error": {"id": 1, "format": text, "showUser": True}}})

    def event(self, name: str, body: dict | None = None) -> None:
        message = {"type": "event", "event": name}
        if body is not None:
            message["body"] = body
        self.send(message)

    def output(self, text: str, category: str = "console") -> None:
        self.event("output", {"category": category, "output": text if text.endswith("\n") else text + "\n"})

    def request(self, command: str, arguments: dict, reply: Callable[[dict], None]) -> None:
        """A reverse request; ``reply`` gets the client's response when it comes."""
        self.send({"type": "request", "command": command, "arguments": arguments}, reply)

    def replied(self, response: dict) -> None:
        """Hand a response from the client to the reverse request it answers."""
        with self._lock:
            reply = self._replies.pop(response.get("request_seq"), None)
        if reply is None:
            self.output(f"a response to no request of ours (request_seq {response.get('request_seq')!r})",
                        "important")
            return
        reply(response)
