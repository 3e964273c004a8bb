"""What the client asks about where the program stands: threads, stackTrace, scopes,
variables, evaluate, exceptionInfo, source.

Each instance is a thread; one more, ``events``, stands for the event router and holds stops
outside any instance. Frame ids and variable references are handed out per stop
(:class:`~coordlang.dap.adapter.Handles`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coordlang.dap import convert
from coordlang.dap.dispatch import argument, request
from coordlang.dap.protocol import RequestError

if TYPE_CHECKING:
    from coordlang.dap.adapter import Adapter
    from coordlang.runtime.debug import Variable


@dataclass(frozen=True, slots=True)
class FrameRef:
    """What a frame id stands for: the instance whose frame it is (None: the events thread)."""

    instance: int | None


@request("threads", needs="session")
def threads(adapter: Adapter, arguments: dict) -> dict:
    """Answered while the program runs too (clients ask at any time): the threads of the last stop."""
    if adapter.runner.running:
        return {"threads": adapter.runner.threads}
    return {"threads": current_threads(adapter)}


def current_threads(adapter: Adapter) -> list[dict]:
    return [convert.events_thread()] + [convert.thread(view) for view in adapter.session.instances()]


def thread_instance(adapter: Adapter, arguments: dict) -> int | None:
    """The instance of the ``threadId`` argument; an error for a thread that does not exist."""
    thread = argument(arguments, "threadId", int)
    instance = convert.instance_of(thread)
    if instance is not None and instance not in {view.id for view in adapter.session.instances()}:
        raise RequestError(f"no thread {thread}: the threads request lists them")
    return instance


@request("stackTrace")
def stack_trace(adapter: Adapter, arguments: dict) -> dict:
    session = adapter.session
    instance = thread_instance(adapter, arguments)
    if instance is None:
        location = session.location()
        here = location if location is not None and location.instance is None else None
        name = here.description if here is not None else ("the end of the events" if session.finished
                                                           else "waiting for the next event")
        frames = [(FrameRef(None), name, here)]
    else:
        frames = [(FrameRef(frame.instance), frame.name, frame.location) for frame in session.frames(instance)]
    start = argument(arguments, "startFrame", int, 0)
    levels = argument(arguments, "levels", int, 0)
    shown = frames[start:start + levels] if levels > 0 else frames[start:]
    stack = []
    for ref, name, location in shown:
        frame = {"id": adapter.frames.add(ref), "name": name, **adapter.positions.location(location)}
        if location is None:
            frame["presentationHint"] = "subtle"
        stack.append(frame)
    return {"stackFrames": stack, "totalFrames": len(frames)}


@request("scopes")
def scopes(adapter: Adapter, arguments: dict) -> dict:
    ref = adapter.frames.get(argument(arguments, "frameId", int))
    converted = []
    for scope in adapter.session.scopes(ref.instance):
        converted.append({"name": scope.name, "variablesReference": _reference(adapter, scope.variables),
                          "namedVariables": len(scope.variables), "expensive": False,
                          **({"presentationHint": "locals"} if scope.name == "Locals" else {})})
    return {"scopes": converted}


def _reference(adapter: Adapter, children: tuple[Variable, ...]) -> int:
    return adapter.references.add(children) if children else 0


@request("variables")
def variables(adapter: Adapter, arguments: dict) -> dict:
    children = adapter.references.get(argument(arguments, "variablesReference", int))
    if argument(arguments, "filter", str, "named") == "indexed":
        return {"variables": []}  # every child is named
    start = argument(arguments, "start", int, 0)
    count = argument(arguments, "count", int, 0)
    shown = children[start:start + count] if count > 0 else children[start:]
    return {"variables": [convert.variable(child, _reference(adapter, child.children)) for child in shown]}


@request("evaluate")
def evaluate(adapter: Adapter, arguments: dict) -> dict:
    """An expression in the language, in the frame's instance (without a frame: where the
    program stopped). Watch, hover and the debug console all evaluate the same way."""
    text = argument(arguments, "expression", str)
    frame = argument(arguments, "frameId", int, None)
    instance = adapter.frames.get(frame).instance if frame is not None else adapter.session.last_stop.instance
    value = adapter.session.evaluate(text, instance)
    return {"result": value.value, "type": value.type, "variablesReference": _reference(adapter, value.children),
            **({"namedVariables": len(value.children)} if value.children else {})}


@request("exceptionInfo")
def exception_info(adapter: Adapter, arguments: dict) -> dict:
    argument(arguments, "threadId", int)
    stop = adapter.session.last_stop
    if stop.error is None:
        raise RequestError("the program did not stop on an error")
    error = stop.error
    return {"exceptionId": error.kind, "description": error.message,
            "breakMode": "unhandled" if stop.escaped else "always",
            "details": {"message": error.message, "typeName": error.type}}


@request("source", needs="session")
def source(adapter: Adapter, arguments: dict) -> dict:
    given = argument(arguments, "source", dict, {})
    path = argument(given, "path", str, None)
    if path is None:
        raise RequestError("coord dap names every source by its path: give source.path")
    text = adapter.session.source(adapter.positions.path_in(path))
    if text is None:
        raise RequestError(f"{path} is not a file of the program")
    return {"content": text, "mimeType": "text/x-coord"}
