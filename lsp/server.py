"""``coord lsp``: the language server, a thin adapter over ``coordlang.analysis``.

The server keeps the open documents (pygls's workspace), analyses them on one worker thread
(the checker's caches are not shared between threads, and a queue of one keeps the newest
work first in line), each new version from the analysis of the one before (``AnalysisCache``:
only the declarations a change touched are parsed again), and converts positions and types at
its edge (``convert.py``). Features
live in modules named for their LSP family (``features/``); each registers its handlers on
the server.

Diagnostics are debounced per document, on the leading edge: a change to a document that has
been quiet for ``DEBOUNCE`` seconds, with nothing scheduled for it, is diagnosed at once (a
single edit costs its analysis and nothing more); a change within ``DEBOUNCE`` of the one
before is part of a burst of typing, and is diagnosed ``DEBOUNCE`` seconds later, cancelling
what was scheduled before (the burst is analysed once, when it pauses). Diagnostics are
published with the version they were computed for; a result for a version that is no longer
the document's is dropped. A change
to a document re-checks the open documents that import it. The environment variable
``COORD_LSP_DEBOUNCE`` (seconds) overrides ``DEBOUNCE`` for ``coord lsp``: ``0`` diagnoses every
change at once (``benchmarks/lsp.py`` measures the edit both ways).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import traceback
from pathlib import Path
from typing import Callable, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from coordlang import __version__
from coordlang.analysis import Analysis, AnalysisCache
from coordlang.diagnostics import Diagnostic
from coordlang.lsp.convert import Positions, diagnostic
from coordlang.semantics.loader import OverlayProvider, normalize

DEBOUNCE = 0.2
"""Seconds that make changes one burst of typing, and that a burst's diagnostics wait after its
last change; the client's ``coordlang.diagnosticsDelay`` setting (milliseconds) changes it."""

log = logging.getLogger("coordlang.lsp")
T = TypeVar("T")


class CoordLanguageServer(LanguageServer):
    def __init__(self, debounce: float = DEBOUNCE) -> None:
        super().__init__("coord", __version__)
        self.debounce = debounce
        self.analyses = AnalysisCache()
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="coord-analysis")
        self._scheduled: dict[str, asyncio.Task] = {}
        self._last_change: dict[str, float] = {}
        """Document → the event loop's time of its last change."""
        self.settings: dict[str, object] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        """The server's event loop, once a document is scheduled (the worker sends messages through it)."""
        self.diagnostic_sources: list[Callable[[str, Analysis], list[Diagnostic]]] = []
        """More diagnostics of a document than its analysis holds (the measurements of
        ``features/profile.py``): called on the analysis worker when the document is published."""
        self.profiles = None
        """``features/profile.py``'s state, once registered (hover shows its figures)."""

    # ---------------------------------------------------------------- documents

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return normalize(Path(path)) if path and uri.startswith("file:") else None

    def open_documents(self) -> dict[str, object]:
        return dict(self.workspace.text_documents)

    def provider(self) -> OverlayProvider:
        """Imports read the editor's unsaved buffers first, then the disk."""
        overlays = {}
        for uri, doc in self.open_documents().items():
            path = self.path_of(uri)
            if path is not None:
                overlays[path] = doc.source
        return OverlayProvider(overlays)

    def analyse_now(self, uri: str) -> Analysis:
        """The analysis of the document's current text (on the calling thread)."""
        doc = self.workspace.get_text_document(uri)
        return self.analyses.get(uri, doc.source, doc.version, self.path_of(uri), self.provider())

    async def analysis(self, uri: str) -> Analysis:
        """The analysis of the document's current text, made on the analysis worker."""
        return await self.on_worker(lambda: self.analyse_now(uri))

    async def on_worker(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, work)

    def positions(self, analysis: Analysis) -> Positions:
        return Positions(analysis.text, analysis.lines, self.workspace.position_encoding or "utf-16")

    def positions_of(self, path: Path) -> Positions | None:
        """Positions of another file: its open buffer, else its text on disk."""
        text = self.provider().read(path)
        return Positions(text, encoding=self.workspace.position_encoding or "utf-16") if text is not None else None

    def configure(self, settings: object) -> None:
        """Settings from the client (``initializationOptions`` or ``workspace/didChangeConfiguration``,
        with or without a ``coordlang`` section): ``diagnosticsDelay`` is the debounce in
        milliseconds (0 to 5,000); settings the server does not know are kept for later."""
        if not isinstance(settings, dict):
            return
        self.settings.update(settings)
        delay = settings.get("diagnosticsDelay")
        if isinstance(delay, (int, float)) and not isinstance(delay, bool) and 0 <= delay <= 5_000:
            self.debounce = delay / 1000

    def setting(self, dotted: str, default: bool) -> bool:
        """A boolean setting by its dotted name (``inlayHints.types``), nested or flat."""
        value: object = self.settings.get(dotted)
        if value is None:
            value = self.settings
            for part in dotted.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, bool) else default

    # ---------------------------------------------------------------- diagnostics

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Diagnose ``uri`` after the debounce, cancelling what was scheduled for it."""
        self.loop = asyncio.get_running_loop()
        earlier = self._scheduled.pop(uri, None)
        if earlier is not None:
            earlier.cancel()
        self._scheduled[uri] = self.loop.create_task(
            self._diagnose(uri, self.debounce if delay is None else delay))

    async def _diagnose(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            doc = self.workspace.text_documents.get(uri)
            if doc is None:
                return
            version = doc.version
            analysis = await self.analysis(uri)
            current = self.workspace.text_documents.get(uri)
            if current is None or current.version != version or analysis.text != current.source:
                return  # a newer version is on its way
            positions = self.positions(analysis)
            found = list(analysis.diagnostics)
            for source in self.diagnostic_sources:
                try:
                    found += await self.on_worker(lambda source=source: source(uri, analysis))
                except Exception:  # the analysis' own diagnostics are published all the same
                    self.report_failure(f"extra diagnostics of {uri}")
            current = self.workspace.text_documents.get(uri)
            if current is None or current.version != version:
                return
            items = [diagnostic(d, positions, uri, self.positions_of) for d in found]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=version))
        except asyncio.CancelledError:
            pass
        except Exception:  # the server outlives any document: say what failed and go on
            self.report_failure(f"diagnostics of {uri}")
        finally:
            if self._scheduled.get(uri) is asyncio.current_task():
                del self._scheduled[uri]

    def change_delay(self, uri: str, now: float) -> float:
        """The wait before diagnosing a change to ``uri`` made at ``now`` (the event loop's
        clock): none after a quiet spell, the debounce within a burst of typing."""
        last = self._last_change.get(uri)
        self._last_change[uri] = now
        quiet = last is None or now - last >= self.debounce
        return 0.0 if quiet and uri not in self._scheduled else self.debounce

    def forget_changes(self, uri: str) -> None:
        """``uri`` was closed: its next change after a reopen starts quiet."""
        self._last_change.pop(uri, None)

    def changed(self, uri: str) -> None:
        """``uri`` changed: diagnose it, and the open documents whose analysis read it."""
        self.schedule(uri, self.change_delay(uri, asyncio.get_running_loop().time()))
        path = self.path_of(uri)
        if path is None:
            return
        for other in self.open_documents():
            if other == uri:
                continue
            analysis = self.analyses.peek(other)
            if analysis is not None and any(normalize(p) == path for p, _ in analysis.model.dependencies):
                self.analyses.forget(other)
                self.schedule(other)

    def report_failure(self, what: str) -> None:
        text = traceback.format_exc()
        log.error("%s failed:\n%s", what, text)
        try:
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"coord: {what} failed:\n{text}"))
        except Exception:  # no client to tell: the log has it
            pass


def build() -> CoordLanguageServer:
    """A server with every feature registered."""
    from coordlang.lsp.features import register_all

    server = CoordLanguageServer(debounce=_debounce(os.environ.get("COORD_LSP_DEBOUNCE")))
    register_all(server)
    return server


def _debounce(value: str | None) -> float:
    """``COORD_LSP_DEBOUNCE`` in seconds; unset or not a number from 0 to 5: the default."""
    try:
        seconds = float(value) if value is not None else DEBOUNCE
    except ValueError:
        log.warning("COORD_LSP_DEBOUNCE=%r is not a number of seconds; using %s", value, DEBOUNCE)
        return DEBOUNCE
    return seconds if 0 <= seconds <= 5 else DEBOUNCE


def main(tcp: tuple[str, int] | None = None) -> None:
    server = build()
    if tcp is not None:
        server.start_tcp(*tcp)
    else:
        server.start_io()
