"""``coord debug`` as a user runs it: in a real terminal (tmux, 80x24), keys sent, the screen
read back. Every wait polls the screen until a deadline; none is a fixed sleep."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time

import pytest
from tuikit import EXAMPLES

TIMEOUT = 60.0
INSTALL_HINT = ("tmux is needed for tests/tui/test_tmux.py and `tmux` is not on PATH: install it "
                "(Debian/Ubuntu: `sudo apt-get install tmux`; `bash .ci/run` does it when run as root)")


class Terminal:
    """A tmux server of our own (its own socket), one 80x24 window running a command."""

    def __init__(self, tmux: str, command: str, cwd: os.PathLike) -> None:
        self.tmux = tmux
        self.socket = f"coord-debug-test-{os.getpid()}"
        self.run("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "-c", str(cwd), command)

    def run(self, *args: str) -> str:
        return subprocess.run([self.tmux, "-L", self.socket, *args], check=True, capture_output=True, text=True,
                              timeout=30).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", *keys)

    def wait_for(self, *texts: str, gone: str | None = None) -> str:
        """The screen, once every text is on it (the screen is drawn in parts), and ``gone``
        no longer is."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            screen = self.screen()
            if all(text in screen for text in texts) and (gone is None or gone not in screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"{texts} not on the screen after {TIMEOUT:.0f} s; the screen:\n{screen}", pytrace=False)
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def test_coord_debug_in_a_terminal() -> None:
    tmux = shutil.which("tmux")
    if tmux is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    env = [f"COORDLANG_CACHE_DIR={os.environ.get('COORDLANG_CACHE_DIR', '')}", "TERM=xterm-256color"]
    debug = shlex.join(["env", *env, sys.executable, "-m", "coordlang", "debug", "order_saga.coord", "--events",
                        "events.jsonl"])
    # The window outlives the debugger long enough to show how it exited.
    terminal = Terminal(tmux, f"{debug}; echo coord-exited-$?; sleep 60", EXAMPLES / "order_saga")
    try:
        terminal.wait_for("step 0 │", "order_saga.coord", "n Step")
        terminal.keys("n")
        terminal.wait_for("step 1 │", "▶    52     let risk = do score(o.amount, o.items)",
                          "» Order@2 'o-1001' (#1) running")
        terminal.keys("w")
        terminal.wait_for("an expression in the language")
        terminal.keys("-l", "o.amount * 2")
        terminal.keys("Enter")
        terminal.wait_for("n Step", gone="an expression in the language")
        terminal.keys("6")
        terminal.wait_for("expression", "o.amount * 2", "240.0")
        terminal.keys("1", "c")
        terminal.wait_for("end: the run ended")
        terminal.keys("b")
        terminal.wait_for("step 149 │")
        terminal.keys("?")
        terminal.wait_for("keys (escape closes)")
        terminal.keys("Escape")
        terminal.wait_for("n Step")
        terminal.keys("q")
        screen = terminal.wait_for("coord-exited-")
        assert "coord-exited-0" in screen and "Traceback" not in screen
    finally:
        terminal.close()
