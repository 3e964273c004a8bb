"""The server's features, a module per LSP family; each has ``register(server)``."""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from coordlang.lsp.server import CoordLanguageServer


def register_all(server: CoordLanguageServer) -> None:
    from coordlang.lsp.features import (
        completion, documents, editing, graph, lenses, navigation, presentation, profile,
    )

    for module in (documents, navigation, completion, editing, presentation, lenses, profile, graph):
        module.register(server)


def guarded(server: CoordLanguageServer, what: str, empty: object = None) -> Callable:
    """A request handler that answers ``empty`` (and logs the failure) when it raises: a
    document the analysis cannot make sense of gets no answer, never a dead server."""

    def wrap(handler: Callable) -> Callable:
        if inspect.iscoroutinefunction(handler):
            @functools.wraps(handler)
            async def run_async(params):
                try:
                    return await handler(params)
                except Exception:
                    server.report_failure(what)
                    return empty

            return run_async

        @functools.wraps(handler)
        def run(params):
            try:
                return handler(params)
            except Exception:
                server.report_failure(what)
                return empty

        return run

    return wrap
