"""Editor workload, the language server part (issue #5): ``coord lsp`` as a real subprocess,
driven over stdio by pygls's LSP client, on generated documents (``tests/syntax/generate.py``,
the documents of ``benchmarks/editor_analysis.py``).

For each size, on a fresh server:

- **first diagnostics after open**: from sending ``didOpen`` until the document's first
  ``publishDiagnostics`` arrives (the server diagnoses an opened document at once);
- **diagnostics after a 1-character edit**: an incremental ``didChange`` (one letter of a
  comment in the middle of the document flips case: the document stays valid), made after a
  quiet spell of the server's debounce (``DEBOUNCE``, 0.2 s), until the diagnostics *for that
  version* arrive; the median of ``--edits`` edits. The server diagnoses such a change at once;
- **diagnostics after typing 1 character**: the same, but a letter is inserted into that comment
  (the text after it moves by one, which an incremental analysis has to account for, where a
  change of case moves nothing);
- **diagnostics after a burst of typing**: five such changes 50 ms apart (typing), from the
  last one until its version's diagnostics arrive; the median of ``--edits`` bursts. The
  server analyses a burst once, when it pauses for the debounce, so this figure includes it;
- **completion / hover latency**: ``--requests`` requests of each at varied positions across
  the document (completion after ``do ``, ``await `` and ``x.``; hover on handler and event
  names and on member accesses), one at a time, p50 and p95 of the wall time from sending
  the request to its response, measured in the client. They follow the edits, so they read
  the analysis the server cached for the document's version;
- **completion right after an edit**: a completion request sent just after a ``didChange``,
  before its diagnostics: it waits for the new version's analysis (the median of ``--edits``).

    python -m benchmarks.lsp [--lines 1000 10000] [--requests 200] [--edits 5] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from benchmarks.report import machine  # noqa: E402
from coordlang.lsp.server import DEBOUNCE  # noqa: E402
from tests.syntax.generate import generate_document  # noqa: E402

TIMEOUT = 300.0
"""Seconds to wait for any one answer before the benchmark gives up."""

FIGURES = {
    "initialize_ms": "start the server + initialize",
    "open_diagnostics_ms": "first diagnostics after open",
    "edit_diagnostics_ms": "diagnostics after a 1-character edit",
    "typed_diagnostics_ms": "diagnostics after typing 1 character (an insertion: what follows moves)",
    "burst_diagnostics_ms": f"diagnostics after a burst of 5 keys 50 ms apart, from the last (debounce {DEBOUNCE:g} s)",
    "completion_after_edit_ms": "completion right after an edit",
    "completion_p50_ms": "completion p50",
    "completion_p95_ms": "completion p95",
    "hover_p50_ms": "hover p50",
    "hover_p95_ms": "hover p95",
}

# Where the requests go: (what, pattern, group whose start is the position).
COMPLETION_AT = (
    ("after `do `", re.compile(r"\bdo ()\w")),
    ("after `await `", re.compile(r"\bawait ()\w")),
    ("after `x.`", re.compile(r"\b[a-z]\w*\.()[a-z]")),
)
HOVER_AT = (
    ("handler name", re.compile(r"\b(?:do|handler) (\w)")),
    ("event name", re.compile(r"\b(?:on|await|emit|event) ([A-Z])")),
    ("member", re.compile(r"\b[a-z]\w*\.([a-z])")),
)


# ---------------------------------------------------------------- the document


class Document:
    """A generated document's text, with LSP positions for offsets (the text is ASCII, so
    UTF-16 units are code points)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> types.Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return types.Position(line=line, character=offset - self.starts[line])

    def probes(self, where: tuple, n: int) -> list[tuple[str, types.Position]]:
        """``n`` positions spread evenly across the document, taking each kind in turn."""
        found = [(what, [m.start(1) for m in pattern.finditer(self.text)]) for what, pattern in where]
        out = []
        for j, (what, offsets) in enumerate(found):
            if not offsets:
                raise ValueError(f"the generated document has no position {what}")
            count = len(range(j, n, len(found)))
            out += [(i * len(found) + j, what, offsets[int((i + 0.5) * len(offsets) / count)]) for i in range(count)]
        return [(what, self.position(offset)) for _, what, offset in sorted(out)]

    def edit_at(self) -> types.Position:
        """The first letter of the comment line nearest the middle: ``# ---- unit N``'s ``u``."""
        at = self.text.find("# ---- unit ", len(self.text) // 2)
        if at < 0:
            at = self.text.rfind("# ---- unit ")
        if at < 0:
            raise ValueError("the generated document has no unit comment to edit")
        return self.position(at + len("# ---- "))


# ---------------------------------------------------------------- the client


class Session:
    """One ``coord lsp`` subprocess and a client that notes when each document version's
    diagnostics arrive."""

    def __init__(self) -> None:
        self.client = LanguageClient("coord-benchmark", "1")
        self.arrived: dict[tuple[str, int | None], tuple[float, int]] = {}
        self.waiting: dict[tuple[str, int | None], asyncio.Future] = {}
        self.stderr: list[bytes] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            # Errors only: the optimization hints (O6xx) of a generated document are no problem.
            errors = [d for d in params.diagnostics if d.severity == types.DiagnosticSeverity.Error]
            self.arrived[key] = (time.perf_counter(), len(errors))
            future = self.waiting.pop(key, None)
            if future is not None and not future.done():
                future.set_result(self.arrived[key])

    async def start(self, folder: Path) -> float:
        """Start the server and initialize it; the seconds it took."""
        started = time.perf_counter()
        await self.client.start_io(sys.executable, "-m", "coordlang", "lsp")
        self._drain = asyncio.create_task(self._read_stderr())
        capabilities = types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(
                completion=types.CompletionClientCapabilities(
                    completion_item=types.ClientCompletionItemOptions(snippet_support=True)),
                hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)))
        await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, process_id=os.getpid(), root_uri=folder.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="benchmark")])), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return time.perf_counter() - started

    async def _read_stderr(self) -> None:
        """Keep the server's standard error flowing (a full pipe would block it)."""
        stream = self.client._server.stderr if self.client._server else None
        while stream is not None:
            line = await stream.readline()
            if not line:
                return
            self.stderr = (self.stderr + [line])[-50:]

    async def diagnostics(self, uri: str, version: int) -> tuple[float, int]:
        """When the diagnostics of ``version`` arrived (perf_counter), and how many there were."""
        key = (uri, version)
        if key not in self.arrived:
            future = self.waiting.setdefault(key, asyncio.get_running_loop().create_future())
            try:
                await asyncio.wait_for(asyncio.shield(future), TIMEOUT)
            except asyncio.TimeoutError:
                raise RuntimeError(f"no diagnostics for version {version} of {uri} after {TIMEOUT:g} s; "
                                   f"the server said: {b''.join(self.stderr).decode(errors='replace')}") from None
        return self.arrived[key]

    async def stop(self) -> None:
        """Shut the server down (again: nothing)."""
        if self.client._server is None or self.client.stopped:
            return
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 30)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), 30)
        except (asyncio.TimeoutError, RuntimeError):
            if self.client._server is not None and self.client._server.returncode is None:
                self.client._server.kill()
        if hasattr(self, "_drain"):
            self._drain.cancel()


@dataclass
class Opened:
    uri: str
    version: int
    diagnostics: int


async def open_document(session: Session, uri: str, text: str) -> tuple[float, Opened]:
    """Open ``text``; the seconds until its first diagnostics arrived."""
    sent = time.perf_counter()
    session.client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="coord", version=1, text=text)))
    arrived, count = await session.diagnostics(uri, 1)
    return arrived - sent, Opened(uri, 1, count)


def flip(session: Session, doc: Opened, document: Document, at: types.Position) -> float:
    """Send a 1-character edit (the letter at ``at`` changes case); when it was sent."""
    offset = document.starts[at.line] + at.character
    letter = document.text[offset]
    letter = letter.lower() if letter.isupper() else letter.upper()
    document.text = document.text[:offset] + letter + document.text[offset + 1:]
    doc.version += 1
    end = types.Position(line=at.line, character=at.character + 1)
    sent = time.perf_counter()
    session.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=end), text=letter)]))
    return sent


def insert(session: Session, doc: Opened, document: Document, at: types.Position) -> float:
    """Send a 1-character insertion (an ``x`` typed at ``at``); when it was sent."""
    offset = document.starts[at.line] + at.character
    document.text = document.text[:offset] + "x" + document.text[offset:]
    document.starts = [s + 1 if s > offset else s for s in document.starts]
    doc.version += 1
    sent = time.perf_counter()
    session.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text="x")]))
    return sent


BURST = (5, 0.05)
"""Changes in a burst of typing, and the seconds between them."""


async def bursts(session: Session, doc: Opened, document: Document, count: int, keys: int = BURST[0],
                 change=flip) -> list[float]:
    """``count`` bursts of ``keys`` changes ``BURST[1]`` seconds apart, each after a quiet spell
    (one key: a lone edit): seconds from a burst's last change to its version's diagnostics.
    ``change`` makes one change (``flip`` a letter's case, or ``insert`` one)."""
    at = document.edit_at()
    out = []
    for _ in range(count):
        await asyncio.sleep(DEBOUNCE * 1.5)
        for key in range(keys):
            if key:
                await asyncio.sleep(BURST[1])
            sent = change(session, doc, document, at)
        arrived, found = await session.diagnostics(doc.uri, doc.version)
        if found != doc.diagnostics:
            raise RuntimeError(f"the edit changed the diagnostics: {doc.diagnostics} → {found}")
        out.append(arrived - sent)
    return out


async def completions_after_edits(session: Session, doc: Opened, document: Document, count: int) -> list[float]:
    """A completion request right after each of ``count`` edits (the new version not yet analysed)."""
    at = document.edit_at()
    _, position = document.probes(COMPLETION_AT, 1)[0]
    out = []
    for _ in range(count):
        flip(session, doc, document, at)
        sent = time.perf_counter()
        await asyncio.wait_for(session.client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri), position=position)), TIMEOUT)
        out.append(time.perf_counter() - sent)
        await session.diagnostics(doc.uri, doc.version)  # let the server settle before the next edit
    return out


async def latencies(session: Session, doc: Opened, document: Document, requests: int) -> dict[str, list[float]]:
    """Seconds per completion and per hover request, one request at a time."""
    identifier = types.TextDocumentIdentifier(uri=doc.uri)
    out: dict[str, list[float]] = {"completion": [], "hover": [], "completion_items": [], "hovers_answered": []}
    for _, position in document.probes(COMPLETION_AT, requests):
        sent = time.perf_counter()
        answer = await asyncio.wait_for(session.client.text_document_completion_async(
            types.CompletionParams(text_document=identifier, position=position)), TIMEOUT)
        out["completion"].append(time.perf_counter() - sent)
        items = answer.items if isinstance(answer, types.CompletionList) else (answer or [])
        out["completion_items"].append(len(items))
    for _, position in document.probes(HOVER_AT, requests):
        sent = time.perf_counter()
        answer = await asyncio.wait_for(session.client.text_document_hover_async(
            types.HoverParams(text_document=identifier, position=position)), TIMEOUT)
        out["hover"].append(time.perf_counter() - sent)
        out["hovers_answered"].append(answer is not None)
    return out


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def measure(lines: int, requests: int, edit_count: int) -> dict:
    text = generate_document(lines, seed=1)
    with tempfile.TemporaryDirectory(prefix="coord-lsp-bench-") as tmp:
        folder = Path(tmp)
        path = folder / f"generated_{lines}.coord"
        path.write_text(text)
        uri = path.as_uri()

        # Both servers run side by side and take the edits in turn, so the machine's load
        # (these machines are shared) falls on both figures alike.
        session = Session()
        try:
            initialize = await session.start(folder)
            document = Document(text)
            opened, doc = await open_document(session, uri, text)
            edited = await bursts(session, doc, document, edit_count, keys=1)
            inserted = await bursts(session, doc, document, edit_count, keys=1, change=insert)
            typed = await bursts(session, doc, document, edit_count)
            timed = await latencies(session, doc, document, requests)
            after_edit = await completions_after_edits(session, doc, document, edit_count)
        finally:
            await session.stop()

    ms = 1000.0
    return {
        "figures": {
            "initialize_ms": initialize * ms,
            "open_diagnostics_ms": opened * ms,
            "edit_diagnostics_ms": statistics.median(edited) * ms,
            "typed_diagnostics_ms": statistics.median(inserted) * ms,
            "burst_diagnostics_ms": statistics.median(typed) * ms,
            "completion_after_edit_ms": statistics.median(after_edit) * ms,
            "completion_p50_ms": percentile(timed["completion"], 50) * ms,
            "completion_p95_ms": percentile(timed["completion"], 95) * ms,
            "hover_p50_ms": percentile(timed["hover"], 50) * ms,
            "hover_p95_ms": percentile(timed["hover"], 95) * ms,
        },
        "samples_ms": {
            "edit_diagnostics": [s * ms for s in edited],
            "typed_diagnostics": [s * ms for s in inserted],
            "burst_diagnostics": [s * ms for s in typed],
            "completion_after_edit": [s * ms for s in after_edit],
            "completion_max": max(timed["completion"]) * ms,
            "hover_max": max(timed["hover"]) * ms,
        },
        "errors": doc.diagnostics,
        "completion_items_mean": statistics.mean(timed["completion_items"]),
        "hovers_answered": sum(timed["hovers_answered"]),
    }


def table(results: dict) -> str:
    sizes = list(results["sizes"])
    out = ["| ms | " + " | ".join(f"{int(s):,} lines" for s in sizes) + " |",
           "| --- |" + " ---: |" * len(sizes)]
    for key, label in FIGURES.items():
        out.append(f"| {label} | " + " | ".join(f"{results['sizes'][s]['figures'][key]:,.1f}" for s in sizes) + " |")
    out.append("| (completion items per request, mean) | "
               + " | ".join(f"{results['sizes'][s]['completion_items_mean']:,.0f}" for s in sizes) + " |")
    out.append(f"| (hovers answered, of {results['requests']}) | "
               + " | ".join(str(results['sizes'][s]['hovers_answered']) for s in sizes) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--requests", type=int, default=200, help="completion and hover requests each")
    parser.add_argument("--edits", type=int, default=5, help="1-character edits (medians of these)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = {"date": date.today().isoformat(), "machine": machine(),
               "command": "python -m benchmarks.lsp " + " ".join(argv if argv is not None else sys.argv[1:]),
               "debounce_s": DEBOUNCE, "requests": args.requests, "edits": args.edits, "sizes": {}}
    for lines in args.lines:
        results["sizes"][str(lines)] = asyncio.run(measure(lines, args.requests, args.edits))
    m = results["machine"]
    print(f"coord lsp over stdio, {results['date']}, {m['cpu']}, {m['cores']} cores, Python {m['python']}; "
          f"{args.requests} completion and {args.requests} hover requests, medians of {args.edits} edits")
    print()
    print(table(results))
    print()
    print(f"An edit after a quiet spell is analysed at once; a burst's diagnostics wait the server's "
          f"debounce of {DEBOUNCE * 1000:g} ms after its last change (CoordLanguageServer(debounce=...)).")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
