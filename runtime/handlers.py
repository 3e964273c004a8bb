"""Binding a program's handlers to their Python functions, and calling them.

Every handler a program declares is bound when an executor is built, before any event runs, so
a missing module or function is one clear error (:class:`HandlerBindingError`, naming the
handler, its target and where it is declared) rather than a failure in the middle of a run.

A target ``"module:function"`` is imported with the declaring ``.coord`` file's folder first
on ``sys.path`` (restored afterwards). Modules are cached per (folder, module). When a module of
that name is already loaded from somewhere else but the folder has its own, the folder's wins:
two projects in one process may both have a ``handlers.py``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Callable

from coordlang.errors import CoordError
from coordlang.ir.nodes import HandlerDef, Program
from coordlang.semantics.constants import format_seconds
from coordlang.source import LineIndex

if TYPE_CHECKING:
    import asyncio


class HandlerBindingError(CoordError):
    """A handler's target cannot be imported or is not a function."""


@dataclass(frozen=True, slots=True)
class BoundHandler:
    """A handler and the function it calls."""

    definition: HandlerDef
    function: Callable
    accepts_key: bool
    """The function takes an ``idempotency_key`` keyword argument."""

    @property
    def is_async(self) -> bool:
        """The function is an ``async def``: its calls may overlap (see :class:`HandlerLoop`)."""
        return self.definition.mode == "plain" and inspect.iscoroutinefunction(self.function)

    def call(self, args: tuple, idempotency_key: str, loop: HandlerLoop | None = None) -> object:
        """One attempt. Exceptions propagate: the executor turns them into errors.

        A ``batch`` handler gets numpy arrays of length 1 (a real batch comes with the compiled
        backend) and returns an array whose element 0 is the result; a ``jit`` handler is the
        plain Python function, called directly. A coroutine function's result is awaited on
        ``loop`` (a loop of the call's own without one), within the handler's ``timeout``."""
        definition = self.definition
        if definition.mode == "batch":
            import numpy as np  # only programs with batch handlers need numpy

            kinds = [kind for _, kind in definition.params]
            arrays = tuple(_array(np, value, kinds[i] if i < len(kinds) else "any") for i, value in enumerate(args))
            extra = {"idempotency_key": np.array([idempotency_key], dtype=object)} if self.accepts_key else {}
            result = np.asarray(self.function(*arrays, **extra))
            if result.ndim != 1 or len(result) != 1:
                raise TypeError(f"batch handler {definition.name} returned shape {result.shape}, "
                                "not one result per row")
            value = result[0]
        else:
            extra = {"idempotency_key": idempotency_key} if self.accepts_key else {}
            value = self.function(*args, **extra)
            if inspect.isawaitable(value):
                awaited = self._within_timeout(value)
                if loop is None:
                    import asyncio  # only coroutine handlers need it (and it costs start-up time)

                    value = asyncio.run(awaited)
                else:
                    value = loop.run(awaited)
        return convert_result(value, definition.returns)

    async def call_async(self, args: tuple, idempotency_key: str) -> object:
        """One attempt of a plain handler, awaited on the running loop (see :meth:`call`)."""
        extra = {"idempotency_key": idempotency_key} if self.accepts_key else {}
        value = self.function(*args, **extra)
        if inspect.isawaitable(value):
            value = await self._within_timeout(value)
        return convert_result(value, self.definition.returns)

    async def _within_timeout(self, awaitable):
        """A coroutine handler's attempt, cut off after the handler's ``timeout`` of wall time
        (a ``TimeoutError``, hence a ``Timeout`` error): only an awaited call can be cut off."""
        import asyncio

        timeout = self.definition.timeout
        if timeout is None:
            return await awaitable
        try:
            return await asyncio.wait_for(awaitable, timeout)
        except TimeoutError:
            raise TimeoutError(f"handler {self.definition.name} did not answer within its timeout of "
                               f"{format_seconds(timeout)}") from None


class HandlerLoop:
    """The event loop an executor awaits its coroutine handlers on, one for the whole run, so a
    handler may keep loop-bound resources (a client session) from one call to the next.

    :meth:`attempt_all` runs many attempts at once, at most ``limit`` in flight: the compiled
    backend's plain ``async def`` handlers, whose calls of one round do not depend on each other.
    The loop is closed when its owner is collected (or at exit)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    def run(self, coroutine) -> object:
        return self._running().run_until_complete(coroutine)

    def _running(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            import asyncio

            self._loop = asyncio.new_event_loop()
            # Closed, not run, when the owner is collected: that may happen while another loop
            # runs on this thread.
            weakref.finalize(self, self._loop.close)
        return self._loop

    def attempt_all(self, calls: list[tuple[BoundHandler, tuple, str]], limit: int) -> list[tuple[bool, object]]:
        """Each call's (True, result) or (False, the exception it raised), in the order given."""
        import asyncio

        async def all_calls():
            gate = asyncio.Semaphore(limit)

            async def attempt(handler: BoundHandler, args: tuple, key: str) -> tuple[bool, object]:
                async with gate:
                    try:
                        return True, await handler.call_async(args, key)
                    except Exception as exc:  # the handler's failure is the program's, whatever its class
                        return False, exc

            return await asyncio.gather(*(attempt(*call) for call in calls))

        return self._running().run_until_complete(all_calls())


def _array(np, value: object, kind: str):
    dtype = {"int": np.int64, "float": np.float64, "duration": np.float64, "time": np.float64,
             "bool": np.bool_}.get(kind, object)
    if dtype is object:
        array = np.empty(1, dtype=object)
        array[0] = value
        return array
    return np.array([value], dtype=dtype)


def convert_result(value: object, returns: str) -> object:
    """A handler's result as a value of its declared type: numpy scalars become Python
    values, an int where a float is declared becomes a float; a handler declared without
    ``-> T`` returns none whatever the function returned."""
    if returns == "none":
        return None
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (str, bytes)) and getattr(value, "ndim", None) == 0:
        value = item()
    if returns in ("float", "duration", "time") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def bind_handlers(program: Program) -> dict[str, BoundHandler]:
    """Every handler of ``program``, bound; raises :class:`HandlerBindingError`."""
    modules: dict[tuple[Path | None, str], ModuleType] = {}
    return {h.name: bind(program, h, modules) for h in program.handlers}


def bind(program: Program, handler: HandlerDef,
         modules: dict[tuple[Path | None, str], ModuleType] | None = None) -> BoundHandler:
    if modules is None:
        modules = {}
    where = place(program, handler.sid)
    module_name, sep, function_name = handler.target.partition(":")
    if not sep or not module_name or not function_name:
        raise HandlerBindingError(f"{where}: handler {handler.name}: target '{handler.target}' is not "
                                  "'module:function'")
    key = (handler.directory, module_name)
    module = modules.get(key)
    if module is None:
        try:
            module = _import(module_name, handler.directory)
        except ImportError as exc:
            folder = f" (looked in {handler.directory} first)" if handler.directory else ""
            raise HandlerBindingError(f"{where}: handler {handler.name}: cannot import module '{module_name}' "
                                      f"of target '{handler.target}'{folder}: {exc}") from exc
        except Exception as exc:  # the module itself raised while importing
            raise HandlerBindingError(f"{where}: handler {handler.name}: importing '{module_name}' of target "
                                      f"'{handler.target}' raised {type(exc).__name__}: {exc}") from exc
        modules[key] = module
    function = getattr(module, function_name, None)
    if function is None or not callable(function):
        what = "is not callable" if function is not None else "does not exist"
        raise HandlerBindingError(f"{where}: handler {handler.name}: '{function_name}' in module "
                                  f"'{module_name}' {what} (target '{handler.target}')")
    return BoundHandler(handler, function, _accepts_key(function))


def _accepts_key(function: Callable) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # builtins and extension functions may have no signature
        return False
    parameter = parameters.get("idempotency_key")
    return parameter is not None and parameter.kind in (inspect.Parameter.KEYWORD_ONLY,
                                                        inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _import(name: str, directory: Path | None) -> ModuleType:
    if directory is None:
        return importlib.import_module(name)
    directory = Path(directory)
    top = name.split(".")[0]
    loaded = sys.modules.get(top)
    if loaded is not None and _has_own(directory, top) and not _is_under(loaded, directory):
        # Another project's module of the same name: the declaring folder comes first.
        for module in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[module]
    saved = list(sys.path)
    sys.path.insert(0, str(directory))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved


def _has_own(directory: Path, top: str) -> bool:
    return (directory / f"{top}.py").exists() or (directory / top / "__init__.py").exists()


def _is_under(module: ModuleType, directory: Path) -> bool:
    file = getattr(module, "__file__", None)
    if file is None:
        return False
    try:
        Path(file).resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def place(program: Program, sid: int) -> str:
    """``file:line:col`` (1-based) of a source id, for messages."""
    if sid < 0 or sid >= len(program.spans):
        return "<unknown place>"
    ref = program.spans[sid]
    if ref.path is None:
        return f"<input>@{ref.span.start}"
    try:
        stat = Path(ref.path).stat()
    except OSError:
        return f"{ref.path}@{ref.span.start}"
    index = _line_index(Path(ref.path), stat.st_mtime_ns, stat.st_size)
    if index is None:
        return f"{ref.path}@{ref.span.start}"
    position = index.position(ref.span.start)
    return f"{ref.path}:{position.line + 1}:{position.column + 1}"


@functools.lru_cache(maxsize=64)
def _line_index(path: Path, mtime: int, size: int) -> LineIndex | None:
    # Messages name places as they run (an emitted event's source): read each version of a
    # file once.
    try:
        return LineIndex(path.read_text(encoding="utf-8"))
    except OSError:
        return None
