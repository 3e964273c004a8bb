"""Analyzing a document: parse, check and keep the results for the questions editors ask.

An :class:`Analysis` is immutable; :class:`AnalysisCache` keeps the latest one per uri and
version, so the language server, the debugger and the TUI share the work.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from coordlang.analysis.hints import optimization_hints
from coordlang.diagnostics import Diagnostic
from coordlang.gcpause import gc_paused
from coordlang.semantics import SemanticModel, SourceProvider, check
from coordlang.source import LineIndex
from coordlang.syntax import ParseResult, parse
from coordlang.syntax.incremental import reparse


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything known about one version of one document."""

    path: Path | None
    version: int | None
    parse: ParseResult
    model: SemanticModel
    diagnostics: tuple[Diagnostic, ...]
    """The parser's, the checker's and the optimization hints', sorted by position."""

    @property
    def text(self) -> str:
        return self.parse.text

    @property
    def lines(self) -> LineIndex:
        return self.parse.lines

    @property
    def module(self):
        return self.parse.module


def analyze(text: str, path: Path | None = None, version: int | None = None,
            provider: SourceProvider | None = None, previous: Analysis | None = None) -> Analysis:
    """Parse and check ``text`` (the contents of ``path``, if it has one), then look for
    optimization hints (:mod:`coordlang.analysis.hints`). Imports are read
    through ``provider`` (the file system by default; an editor passes its unsaved buffers).

    ``previous``, the analysis of an earlier version of the same document, lets the parse
    re-read only the declarations the edit touched (:func:`coordlang.syntax.incremental.reparse`);
    the result is the same as without it."""
    # One pause for the whole analysis: the collector, once back on, scans what was made since
    # it stopped, and one scan of everything costs less than one after the parse and another
    # after the check (see coordlang/gcpause.py).
    with gc_paused():
        result = reparse(previous.parse, text) if previous is not None else parse(text)
        model = check(result, path, provider)
        # Hints about a damaged tree would be about what the parser made of it, not what was meant.
        hints = () if any(d.is_error for d in result.diagnostics) else optimization_hints(result.module, model, text)
    diagnostics = sorted((*result.diagnostics, *model.diagnostics, *hints),
                         key=lambda d: (d.span.start, d.span.end, d.code))
    return Analysis(path, version, result, model, tuple(diagnostics))


def analyze_file(path: Path, text: str) -> Analysis:
    return analyze(text, path.resolve())


class AnalysisCache:
    """The latest analysis per uri, reused while the version and the text are unchanged; a
    new version is analysed from the one before (``analyze(..., previous=...)``)."""

    def __init__(self, capacity: int = 256) -> None:
        self._entries: OrderedDict[str, Analysis] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, uri: str, text: str, version: int | None = None, path: Path | None = None,
            provider: SourceProvider | None = None) -> Analysis:
        with self._lock:
            cached = self._entries.get(uri)
            if cached is not None and cached.text == text and (version is None or cached.version == version):
                self._entries.move_to_end(uri)
                return cached
        analysis = analyze(text, path, version, provider, previous=cached)
        with self._lock:
            self._entries[uri] = analysis
            self._entries.move_to_end(uri)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return analysis

    def peek(self, uri: str) -> Analysis | None:
        """The latest analysis of ``uri``, whatever its version, or None."""
        with self._lock:
            return self._entries.get(uri)

    def forget(self, uri: str) -> None:
        with self._lock:
            self._entries.pop(uri, None)
