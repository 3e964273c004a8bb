"""Motion: continue, next, stepIn, stepOut, stepBack, reverseContinue, pause, restartFrame,
goto; and the worker thread they run on.

A motion's response goes out first, then the motion runs on the worker and its ``stopped``
event (or ``exited`` and ``terminated``) follows, so ``pause`` is read and answered while it
runs. The session is touched by one thread at a time: the worker while the program runs, the
reader otherwise. A change the reader must make while the program runs (breakpoints) is
handed to the worker, which pauses the program, makes it and resumes a continue.
A reverse continue is not paused for a change (the session would take it back to the start):
the change is made when it ends.
"""

from __future__ import annotations

import sys
import threading
import traceback
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Callable, TypeVar

from coordlang.dap import convert
from coordlang.dap.dispatch import Reply, argument, request
from coordlang.dap.inspection import current_threads, thread_instance
from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter
    from coordlang.runtime.debug import DebugSession, Stop

T = TypeVar("T")
CHANGE_SECONDS = 5.0
"""How long a change waits for a running program to pause. A handler call stopped in the Python
debugger holds the program longer: the change is withdrawn and the client told to try again."""
HALT_SECONDS = 5.0


class Runner:
    """The worker thread and what it shares with the reader."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self.running = False
        self._lock = threading.Lock()
        self._changes: list[tuple[Callable, Future]] = []
        self._paused_by_user = False
        self._halted = False
        self._thread: threading.Thread | None = None
        self._interruptible = True
        self.threads: list[dict] = []
        """The threads where the program last stopped: the answer to ``threads`` while it runs."""

    def start(self, motion: Callable[[DebugSession], Stop], *, resumable: bool = False, interruptible: bool = True,
              reason: str | None = None) -> None:
        """Run ``motion`` on the worker and report the stop it comes to (as ``reason``, if
        given). A ``resumable`` motion (continue) goes on after a pause made for a change; one
        not ``interruptible`` (reverse continue, which a pause sends back to the start) is not
        paused for a change: the change waits for it to end."""
        self.adapter.forget()
        self.threads = current_threads(self.adapter)
        with self._lock:
            self.running, self._paused_by_user, self._halted = True, False, False
            self._interruptible = interruptible
        self._thread = threading.Thread(target=self._work, args=(motion, resumable, reason),
                                        name="coord-dap-motion", daemon=True)
        self._thread.start()

    def _work(self, motion: Callable[[DebugSession], Stop], resumable: bool, reason: str | None) -> None:
        session = self.adapter.session
        stop = None
        # Logpoints are said as they are met (a continue may run for long), not with the stop.
        session.on_output = self.adapter.output
        try:
            if self.adapter.handler_host is not None:
                self.adapter.handler_host.await_debugger()
            while True:
                stop = motion(session)
                with self._lock:
                    made = self._make_changes(session)
                    if not (made and stop.reason == "pause" and resumable and not self._paused_by_user):
                        self.running = False
                        break
        except Exception as exc:  # a bug in the session: the client hears of it, the adapter goes on
            traceback.print_exc(file=sys.stderr)
            with self._lock:
                self._make_changes(session)
                self.running = False
            self.adapter.output(f"coord dap: the session failed: {type(exc).__name__}: {exc}", "important")
            stop = session.last_stop
            reason = "pause"
        finally:
            session.on_output = None
        if not self._halted:
            self.report(stop, reason=reason)

    def _make_changes(self, session: DebugSession) -> bool:
        """Make the queued changes (the lock held); whether there were any."""
        changes, self._changes = self._changes, []
        for change, future in changes:
            try:
                future.set_result(change(session))
            except Exception as exc:
                future.set_exception(exc)
        return bool(changes)

    def change(self, change: Callable[[DebugSession], T]) -> T:
        """``change(session)``, at once when the program is stopped, else by the worker."""
        future: Future = Future()
        with self._lock:
            if not self.running:
                return change(self.adapter.session)
            self._changes.append((change, future))
            if self._interruptible:
                self.adapter.session.pause()
        try:
            return future.result(CHANGE_SECONDS)
        except FutureTimeout:
            with self._lock:
                if (change, future) in self._changes:
                    self._changes.remove((change, future))
                    raise RequestError(f"the program did not pause within {CHANGE_SECONDS:g} s (is a handler call "
                                       "stopped in the Python debugger?): try again once it stops") from None
            return future.result()

    def pause(self) -> None:
        with self._lock:
            if self.running:
                self._paused_by_user = True
                self.adapter.session.pause()

    def halt(self) -> None:
        """Stop the program without reporting it (the session ends or starts again)."""
        with self._lock:
            if not self.running:
                return
            self._halted = self._paused_by_user = True
            self.adapter.session.pause()
        if self._thread is not None:
            self._thread.join(HALT_SECONDS)

    def report(self, stop: Stop, reason: str | None = None) -> None:
        """``stopped`` (the logpoints met on the way were said as they were met); at the end
        without ``stopAtEnd``, ``exited`` and ``terminated``."""
        adapter = self.adapter
        if stop.reason == "end" and not adapter.stop_at_end:
            adapter.end()
            return
        body = convert.stopped(stop, adapter.breakpoints.client_id)
        if reason is not None:
            body["reason"] = reason
        adapter.connection.event("stopped", body)


# ---------------------------------------------------------------- the requests

def _move(adapter: Adapter, motion: Callable[[DebugSession], Stop], body: dict | None = None, **how) -> Reply:
    return Reply(body, lambda: adapter.runner.start(motion, **how))


@request("continue")
def continue_(adapter: Adapter, arguments: dict) -> Reply:
    thread_instance(adapter, arguments)
    body = {"allThreadsContinued": True}
    if adapter.session.finished:  # at the end, continue ends the session
        return Reply(body, adapter.end)
    return _move(adapter, lambda session: session.continue_(), body, resumable=True)


STEPS: dict[str, tuple[Callable[[DebugSession, int | None], Stop], dict]] = {
    "next": (lambda session, instance: session.step_over(instance), {}),
    "stepIn": (lambda session, instance: session.step_in(), {}),
    "stepOut": (lambda session, instance: session.step_out(instance), {}),
    "stepBack": (lambda session, instance: session.step_back(), {}),
    "reverseContinue": (lambda session, instance: session.reverse_continue(), {"interruptible": False}),
}
"""The motions that take the instance of their ``threadId`` (stepIn, stepBack and
reverseContinue check it and move the whole run), and how they run."""


def _stepper(command: str) -> None:
    motion, how = STEPS[command]

    @request(command)
    def step(adapter: Adapter, arguments: dict) -> Reply:
        instance = thread_instance(adapter, arguments)
        return _move(adapter, lambda session: motion(session, instance), **how)


for _command in STEPS:
    _stepper(_command)


@request("pause", needs="session")
def pause(adapter: Adapter, arguments: dict) -> None:
    """Pause a running program; a stopped one stays as it is (its ``stopped`` event was sent)."""
    argument(arguments, "threadId", int)
    adapter.runner.pause()


@request("restartFrame")
def restart_frame(adapter: Adapter, arguments: dict) -> Reply:
    frame = adapter.frames.get(argument(arguments, "frameId", int))
    if frame.instance is None:
        raise RequestError("the events frame cannot be restarted: restart an instance's frame")
    return _move(adapter, lambda session: session.restart_frame(frame.instance), reason="restart")
