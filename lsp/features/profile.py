"""Measurements from recorded runs, where each step is written (``O605``).

With the ``profileLogs`` setting naming a folder of event logs (one log, or a folder of them;
relative to the first workspace folder), a document that compiles to the program those logs
recorded gets an information diagnostic on each measured step, and the same figures in the
step's hover. The analysis (``coordlang.analysis``) does not read logs: the diagnostics are
added here, when the server publishes (:attr:`CoordLanguageServer.diagnostic_sources`).

Profiles are cached by the program's digest and the logs' files (their names, sizes and
modification times): typing that does not change what the program means, or a comment, costs a
digest and a folder listing. A new recorded run, or an edit that changes the program, replays
the logs again once, on a thread of its own: replaying a large folder takes seconds, and the
analysis worker, which every request waits for, must not. Until it is done the documents are
published without figures; then the open documents are diagnosed again.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from coordlang.diagnostics import Diagnostic, make
from coordlang.semantics.constants import format_seconds
from coordlang.semantics.loader import normalize
from coordlang.source import Span

if TYPE_CHECKING:
    from coordlang.analysis import Analysis
    from coordlang.ir.nodes import Program
    from coordlang.lsp.server import CoordLanguageServer
    from coordlang.runtime.eventlog.profile import FolderProfile, StepProfile

log = logging.getLogger("coordlang.lsp")
CODE = "O605"
CACHED = 8
"""Profiles kept (one per program digest)."""


def message(step: StepProfile, timeouts: bool = True) -> str:
    """``measured in 2 runs (60 times): p50 30.5s, p99 1m; 6.7% failed``: the virtual
    durations and the failures; for a step whose handler calls were timed, their wall time
    before the failures (``handler time p50 20.4ms, p99 31ms``); and for a wait whose timer
    ended some (``timeouts``: not a ``sleep``, which always ends so), the share that timed out."""
    runs = f"{step.runs} run" + ("s" if step.runs != 1 else "")
    times = f"{step.count} time" + ("s" if step.count != 1 else "")
    text = f"measured in {runs} ({times}): p50 {format_seconds(step.p50)}, p99 {format_seconds(step.p99)}; "
    if step.walls:
        text += f"handler time p50 {format_seconds(step.wall_p50)}, p99 {format_seconds(step.wall_p99)}; "
    text += f"{step.failure_rate:.1%} failed"
    timers = step.statuses.get("timer", 0)
    if timers and timeouts:
        text += f", {timers / step.count:.1%} timed out"
    return text


def step_hints(program: Program, steps: dict, path: Path, text: str) -> list[Diagnostic]:
    """An ``O605`` for each measured step written in ``path`` (whose text is ``text``), on the
    first line of its statement; steps of imported files, and compensations (which have no
    place of their own), get none. ``runs`` of a merged statement is its steps' most."""
    from coordlang.runtime.eventlog.profile import StepProfile

    path = normalize(path)
    # One statement can be several steps (a pattern's, lowered once per workflow using it):
    # they are merged, the figures are the statement's.
    merged: dict[tuple[Span, str, str], StepProfile] = {}
    for (_, kind, name, sid), step in steps.items():
        if not (0 <= sid < len(program.spans) and step.count):
            continue
        ref = program.spans[sid]
        if ref.path is None or normalize(ref.path) != path:
            continue
        into = merged.setdefault((ref.span, kind, name), StepProfile())
        into.extend(step)
        into.runs = max(into.runs, step.runs)
    out: list[Diagnostic] = []
    for (whole, _, _), step in merged.items():
        end = text.find("\n", whole.start, whole.end)
        span = Span(whole.start, whole.end if end < 0 else end)
        out.append(make(CODE, message(step, timeouts=not text.startswith("sleep", whole.start)), span))
    return sorted(out, key=lambda d: (d.span.start, d.message))


@dataclass(slots=True)
class _Cached:
    signature: tuple
    profile: FolderProfile | None
    """None: the replay failed (the client was told)."""


class Profiles:
    """The profiles of the configured folder, and the hints last published per document."""

    def __init__(self, server: CoordLanguageServer) -> None:
        self.server = server
        self._profiles: dict[tuple[Path, str], _Cached] = {}
        self._replaying: dict[tuple[Path, str], tuple[tuple, concurrent.futures.Future]] = {}
        self._lock = threading.Lock()
        self._replayer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="coord-profile")
        self._programs: dict[str, tuple[object, Program | None]] = {}
        self._told: set[str] = set()
        self.published: dict[str, list[Diagnostic]] = {}

    def folder(self) -> Path | None:
        value = self.server.settings.get("profileLogs")
        if not isinstance(value, str) or not value.strip():
            return None
        folder = Path(os.path.expanduser(value.strip()))
        if not folder.is_absolute():
            roots = [self.server.path_of(f.uri) for f in self.server.workspace.folders.values()]
            roots = [r for r in roots if r is not None]
            if not roots and self.server.workspace.root_path:
                roots = [Path(self.server.workspace.root_path)]
            if not roots:
                return None
            folder = roots[0] / folder
        return normalize(folder)

    def tell_once(self, text: str) -> None:
        """A warning in the client's log, once per text (each diagnose would repeat it)."""
        if text in self._told:
            return
        self._told.add(text)
        log.warning("%s", text)

        def send() -> None:
            try:
                self.server.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"coord: {text}"))
            except Exception:  # no client to tell: the log has it
                pass

        if self.server.loop is not None:  # this runs on the worker: the message goes from the loop
            self.server.loop.call_soon_threadsafe(send)
        else:
            send()

    def hints(self, uri: str, analysis: Analysis) -> list[Diagnostic]:
        """The ``O605`` of a document (on the analysis worker)."""
        folder = self.folder()
        if folder is None or analysis.path is None:
            self.published.pop(uri, None)
            return []
        program = self._program(uri, analysis)
        if program is None:
            self.published.pop(uri, None)
            return []
        found = self._profile(program, folder)
        hints = [] if found is None else step_hints(program, found.steps, analysis.path, analysis.text)
        self.published[uri] = hints
        return hints

    def _program(self, uri: str, analysis: Analysis) -> Program | None:
        """The document's IR (None: it has errors, or does not compile), kept per analysis."""
        kept = self._programs.get(uri)
        if kept is not None and kept[0] is analysis:
            return kept[1]
        program = None
        if not any(d.is_error for d in analysis.diagnostics):
            from coordlang.ir.compile import compile_program

            try:
                program = compile_program(analysis)
            except Exception as exc:  # a document the IR cannot take gets no figures, never a failure
                log.info("profile: %s does not compile: %s", analysis.path, exc)
        self._programs[uri] = (analysis, program)
        return program

    def _profile(self, program: Program, folder: Path) -> FolderProfile | None:
        from coordlang.runtime.eventlog.profile import profile_folder
        from coordlang.runtime.eventlog.records import program_digest

        digest = program_digest(program)
        try:
            signature = _signature(folder)
        except OSError as exc:
            self.tell_once(f"profileLogs {folder}: cannot be read ({exc.strerror or exc}); no measurements shown")
            return None
        key = (folder, digest)
        with self._lock:
            cached = self._profiles.get(key)
            if cached is not None and cached.signature == signature:
                return cached.profile
            running = self._replaying.get(key)
            if running is None or running[0] != signature:
                self._replaying[key] = (signature, self._replayer.submit(
                    self._replay, program, folder, digest, signature, profile_folder))
        return None  # the figures come when the replay is done (the documents are diagnosed again)

    def _replay(self, program: Program, folder: Path, digest: str, signature: tuple, profile_folder) -> None:
        """Replay the folder's logs (on the replay thread), keep the profile, and have the
        open documents diagnosed again."""
        try:
            found = profile_folder(program, folder)
        except Exception as exc:  # a folder that cannot be read: no figures, and the client told once
            self.tell_once(f"profileLogs {folder}: {exc}; no measurements shown")
            found = None
        if found is not None:
            for where, why in found.skipped:
                if "another program" not in why:  # other programs' logs are expected in a shared folder
                    self.tell_once(f"profileLogs: skipped {where}: {why}")
        with self._lock:
            # Each edit that changes the program's meaning is a digest: keep the last few.
            kept = [(k, v) for k, v in self._profiles.items() if k[0] == folder and k[1] != digest][-(CACHED - 1):]
            self._profiles = {**dict(kept), (folder, digest): _Cached(signature, found)}
        if found is not None and self.server.loop is not None:
            self.server.loop.call_soon_threadsafe(self._refresh)

    def _refresh(self) -> None:
        for uri in self.server.open_documents():
            self.server.schedule(uri, delay=0.0)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait for the replays under way (tests, and a client that asks for figures now)."""
        with self._lock:
            running = [future for _, future in self._replaying.values()]
        concurrent.futures.wait(running, timeout)

    def figures_at(self, uri: str, offset: int) -> str | None:
        """The measurements of the step whose first line holds ``offset``, as hover markdown."""
        found = [d.message for d in self.published.get(uri, ()) if d.span.start <= offset <= d.span.end]
        if not found:
            return None
        return "\n\n".join(f"**Recorded runs:** {text}" for text in found)


def _signature(folder: Path) -> tuple:
    """What changes when a log under ``folder`` (or ``folder`` itself as a log) changes."""
    if not folder.exists():
        raise FileNotFoundError(2, "no such folder", str(folder))
    out = []
    for place in (folder, *sorted(p for p in folder.iterdir() if p.is_dir())):
        for entry in sorted(os.scandir(place), key=lambda e: e.name):
            if entry.name.startswith("segment-") and entry.name.endswith(".log"):
                stat = entry.stat()
                out.append((entry.path, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def register(server: CoordLanguageServer) -> None:
    profiles = Profiles(server)
    server.profiles = profiles
    server.diagnostic_sources.append(profiles.hints)
