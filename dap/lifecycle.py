"""The life of a debugging conversation: initialize, launch or attach, configurationDone,
restart, terminate, disconnect; and the handler debugger announced after a launch.

``initialized`` is sent once a launch or attach has succeeded, so breakpoints always arrive
for a session that exists (nothing is buffered).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coordlang.dap import convert
from coordlang.dap.dispatch import Reply, argument, request
from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter

ERROR_KINDS_HELP = "error kinds, separated by commas (HandlerError, Timeout, ChildFailed, ...); empty: every kind"


def capabilities() -> dict:
    """What ``initialize`` answers: only what the adapter really does."""
    from coordlang.runtime.debug import ERROR_FILTERS

    filters = [{"filter": name, "label": label, "description": description, "default": False,
                "supportsCondition": True, "conditionDescription": ERROR_KINDS_HELP}
               for name, label, description in ERROR_FILTERS]
    return {
        "supportsConfigurationDoneRequest": True,
        "supportsFunctionBreakpoints": True,
        "supportsConditionalBreakpoints": True,
        "supportsHitConditionalBreakpoints": True,
        "supportsLogPoints": True,
        "exceptionBreakpointFilters": filters,
        "supportsExceptionFilterOptions": True,
        "supportsExceptionOptions": True,
        "supportsExceptionInfoRequest": True,
        "supportsEvaluateForHovers": True,
        "supportsStepBack": True,
        "supportsRestartFrame": True,
        "supportsRestartRequest": True,
        "supportsTerminateRequest": True,
        "supportsDelayedStackTraceLoading": True,
        "supportTerminateDebuggee": False,
        "supportsSetVariable": False,
    }


@request("initialize", needs="nothing")
def initialize(adapter: Adapter, arguments: dict) -> dict:
    if adapter.client is not None:
        raise RequestError("already initialized: send 'initialize' once per connection")
    adapter.client = dict(arguments)
    adapter.positions = convert.Positions.of_client(arguments)
    return capabilities()


@request("launch", needs="initialize")
def launch(adapter: Adapter, arguments: dict) -> Reply:
    if adapter.session is not None:
        raise RequestError("a program is already being debugged: one launch or attach per connection")
    start(adapter, arguments, "launch")
    return Reply(None, lambda: _started(adapter))


@request("attach", needs="initialize")
def attach(adapter: Adapter, arguments: dict) -> Reply:
    if "connect" in arguments or "listen" in arguments:
        raise RequestError("an attach with 'connect' is for debugpy, the Python debugger of a program's handlers "
                           "(the VS Code extension hands it to debugpy); coord dap attaches to event logs: "
                           '{"request": "attach", "log": DIR}')
    if adapter.session is not None:
        raise RequestError("a program is already being debugged: one launch or attach per connection")
    start(adapter, arguments, "attach")
    return Reply(None, lambda: _started(adapter))


def start(adapter: Adapter, arguments: dict, how: str) -> None:
    """Open the session ``arguments`` describe (``how``: launch or attach)."""
    from coordlang.runtime.debug import DebugSession

    folder = Path(argument(arguments, "cwd", str, "."))
    program = argument(arguments, "program", str, None)
    program_path = None if program is None else folder / adapter.positions.path_in(program)
    stop_at_end = argument(arguments, "stopAtEnd", bool, True)
    argument(arguments, "stopOnEntry", bool, False)  # checked now, used by configurationDone
    no_debug = argument(arguments, "noDebug", bool, False)
    if how == "attach":
        log = folder / adapter.positions.path_in(argument(arguments, "log", str))
        session = DebugSession.attach(log, program=program_path)
    else:
        if program_path is None:
            raise RequestError("missing argument 'program'")
        events = folder / adapter.positions.path_in(argument(arguments, "events", str))
        until = _until(argument(arguments, "until", (str, int, float), None))
        handlers = None
        if argument(arguments, "debugHandlers", bool, False) and not no_debug:
            from coordlang.dap.handler_host import HandlerHost

            adapter.handler_host = HandlerHost.start(program_path, adapter.output)
            handlers = adapter.handler_host.proxies()
        try:
            session = DebugSession.launch(program_path, events, until=until, handlers=handlers)
        except BaseException:
            if adapter.handler_host is not None:
                adapter.handler_host.close()
                adapter.handler_host = None
            raise
    adapter.session = session
    adapter.config = {**arguments, "request": how}
    adapter.stop_at_end = stop_at_end and not no_debug
    adapter.ended = False


def _until(value: str | int | float | None) -> float | None:
    if value is None or isinstance(value, (int, float)):
        return value
    from coordlang.runtime.fields import time_from_text

    try:
        return time_from_text(value)
    except ValueError as exc:
        raise RequestError(f"argument 'until': {exc}") from None


def _started(adapter: Adapter) -> None:
    adapter.connection.event("initialized")
    if adapter.handler_host is not None:
        announce_handler_debugger(adapter)


def announce_handler_debugger(adapter: Adapter) -> None:
    """Ask the client to open a child session on debugpy, or tell it where debugpy listens."""
    host = adapter.handler_host
    connect = {"host": host.host, "port": host.port}
    configuration = {"type": "coord", "request": "attach", "name": f"handlers of {adapter.session.path.name}",
                     "connect": connect}
    if not adapter.client.get("supportsStartDebuggingRequest"):
        adapter.connection.event("coord/handlerDebugger", {**connect, "configuration": configuration})
        adapter.output(f"the program's handlers run under debugpy at {host.host}:{host.port}: attach a Python "
                       "debugger there to step through them")
        return

    def answered(response: dict) -> None:
        if not response.get("success"):
            host.expect_debugger(False)
            reason = response.get("message") or "no reason given"
            adapter.output(f"the client did not open the handler debugger ({reason}); attach a Python debugger to "
                           f"{host.host}:{host.port}", "important")

    host.expect_debugger(True)
    adapter.connection.request("startDebugging", {"request": "attach", "configuration": configuration}, answered)


@request("configurationDone", needs="session")
def configuration_done(adapter: Adapter, arguments: dict) -> Reply:
    if adapter.configured:
        raise RequestError("configurationDone was sent already: the program has started")
    adapter.configured = True
    return Reply(None, lambda: begin(adapter))


def begin(adapter: Adapter) -> None:
    """Stop on entry, or run (without debugging: to the end, past any breakpoint)."""
    if adapter.config.get("noDebug"):
        adapter.runner.start(_to_the_end)
    elif adapter.config.get("stopOnEntry"):
        adapter.runner.report(adapter.session.last_stop)
    else:
        adapter.connection.event("continued", {"threadId": convert.EVENTS_THREAD, "allThreadsContinued": True})
        adapter.runner.start(lambda session: session.continue_(), resumable=True)


def _to_the_end(session):
    while (stop := session.continue_()).reason != "end":
        pass
    return stop


@request("restart", needs="session")
def restart(adapter: Adapter, arguments: dict) -> Reply:
    """Start again from the (possibly changed) launch or attach arguments: the program is
    compiled afresh and the breakpoints set again."""
    new = argument(arguments, "arguments", dict, None)
    config = dict(adapter.config) if new is None else {**new, "request": adapter.config["request"]}
    adapter.runner.halt()
    if adapter.handler_host is not None:
        adapter.handler_host.close()
        adapter.handler_host = None
    previous, adapter.session = adapter.session, None
    adapter.forget()
    try:
        start(adapter, config, config["request"])
    except BaseException:
        adapter.session = previous
        raise
    adapter.breakpoints.apply(adapter.session)

    def again() -> None:
        if adapter.handler_host is not None:
            announce_handler_debugger(adapter)
        begin(adapter)

    return Reply(None, again)


@request("terminate", needs="session")
def terminate(adapter: Adapter, arguments: dict) -> Reply:
    adapter.runner.halt()
    return Reply(None, adapter.end)


@request("disconnect", needs="nothing")
def disconnect(adapter: Adapter, arguments: dict) -> Reply:
    adapter.runner.halt()

    def close() -> None:
        adapter.closing = True

    return Reply(None, close)
