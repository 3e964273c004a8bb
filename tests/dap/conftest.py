"""``coord dap`` driven by the wire-protocol client of ``dapkit.py``.

Most tests talk to one ``coord dap --port 0`` for the whole session, a connection (hence a
conversation of its own) each: starting an adapter per test would cost most of the suite's
time. ``stdio_dap`` starts one over standard input and output, as editors do.

The adapters' standard error is kept in a file; a traceback written there while a test ran
fails it even when every response looked right (the adapter answers a bug with an error
response and goes on, which a test could otherwise miss).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from dapkit import ROOT, DapClient


class Server:
    """The shared ``coord dap --port 0`` and its standard error."""

    def __init__(self, stderr: Path) -> None:
        self.stderr = stderr
        self._file = stderr.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "coordlang", "dap", "--port", "0"], cwd=ROOT,
                                        stderr=self._file)
        self.port = self._port()

    def _port(self) -> int:
        import time

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.stderr.read_text())
            if found:
                return int(found[1])
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"coord dap --port 0 did not start: {self.stderr.read_text()}")

    def written(self) -> int:
        return self.stderr.stat().st_size

    def since(self, offset: int) -> str:
        with self.stderr.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self._file.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    running = Server(tmp_path_factory.mktemp("dap") / "coord-dap.stderr")
    yield running
    running.stop()


@pytest.fixture
def dap(server: Server):
    """A conversation with the shared adapter."""
    offset = server.written()
    client = DapClient.connect(server.port)
    try:
        yield client
    finally:
        client.close()
    _no_traceback(server.since(offset))


@pytest.fixture
def stdio_dap(tmp_path: Path):
    """An adapter of its own, over standard input and output."""
    stderr_path = tmp_path / "coord-dap.stderr"
    with stderr_path.open("wb") as stderr:
        client = DapClient.spawn(stderr=stderr)
        try:
            yield client
        finally:
            client.close()
    _no_traceback(stderr_path.read_text(encoding="utf-8", errors="replace"))


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, f"coord dap wrote a traceback:\n{stderr}"
