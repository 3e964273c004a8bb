"""The server never dies and never stops answering: random edit sequences (insertions of
tokens, unicode and control characters, deletions, pastes of the examples) go through one live
``coord lsp`` as incremental changes, with a random request after each edit. Every request is
answered (a result, or a JSON-RPC error), the server logs no internal failure, and the final
diagnostics equal a fresh analysis of the final text.

Sizing: 300 sequences in the ``ci`` Hypothesis profile, 2,000 with
``COORD_HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from lspkit import SERVER
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities

from coordlang.analysis import analyze
from coordlang.lsp.convert import Positions, diagnostic
from coordlang.source import Span

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("examples/*/*.coord"))]
FRAGMENTS = ["workflow ", "W on E as e key id {\n", "}", "{", "(", ")", "\n", "    ", "do ", "await ", "e.", ".",
             "select {\n", "on ", "after 5s ", "within 1h ", "let x = ", "1", "2.5", "\"", "\"text {e.id}\"",
             "event E { id: str }\n", "handler h(id: str) -> bool = \"m:f\"\n", "policy p = retry(attempts: 3)\n",
             "# comment\n", "é", "𝄞", "日本", "\x00", "\x07", "\t", "->", "==", "fail \"x\"", "complete ", "emit E { ",
             "parallel {", "race {", "import \"missing.coord\"\n", "use std.saga.", "label l\n", ",", ":"]
SEQUENCES = max(300, settings.default.max_examples * 3)


class LiveServer:
    """``coord lsp`` and pytest-lsp's client on an event loop of their own, so that a
    synchronous Hypothesis test can drive them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = self.run(SERVER.start())
        self.run(self.client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=folder.as_uri(),
            initialization_options={"coordlang": {"diagnosticsDelay": 10}},
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="robust")])))

    def run(self, coroutine, timeout: float = 60.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, function, *args) -> None:
        self.loop.call_soon_threadsafe(function, *args)

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_session(), 30)
        finally:
            self.run(self.client.stop(), 30)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("robust"))
    yield live
    live.close()


@st.composite
def edits(draw):
    """(kind, where, ...) with positions as fractions of the text's length at that moment."""
    kind = draw(st.sampled_from(["insert", "insert", "insert", "delete", "paste"]))
    where = draw(st.floats(0, 1))
    if kind == "insert":
        return kind, where, "".join(draw(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4)))
    if kind == "delete":
        return kind, where, draw(st.integers(1, 40))
    example = draw(st.sampled_from(range(len(EXAMPLES))))
    return kind, where, (example, draw(st.floats(0, 1)), draw(st.integers(1, 400)))


REQUESTS = ["hover", "completion", "definition", "references", "symbols", "tokens", "folding", "signature",
            "formatting", "actions", "rename"]


def apply(text: str, edit) -> tuple[str, int, int, str]:
    """The text after ``edit``, and the replaced span and the inserted text."""
    kind, where, arg = edit
    at = int(where * len(text))
    if kind == "insert":
        return text[:at] + arg + text[at:], at, at, arg
    if kind == "delete":
        end = min(len(text), at + arg)
        return text[:at] + text[end:], at, end, ""
    example, start, length = arg
    source = EXAMPLES[example]
    piece = source[int(start * len(source)):][:length]
    return text[:at] + piece + text[at:], at, at, piece


def request(server: LiveServer, uri: str, kind: str, position: types.Position) -> None:
    """One request; a result or a JSON-RPC error both count as answered."""
    c = server.client
    document = types.TextDocumentIdentifier(uri=uri)
    calls = {
        "hover": lambda: c.text_document_hover_async(types.HoverParams(document, position)),
        "completion": lambda: c.text_document_completion_async(types.CompletionParams(document, position)),
        "definition": lambda: c.text_document_definition_async(types.DefinitionParams(document, position)),
        "references": lambda: c.text_document_references_async(types.ReferenceParams(
            text_document=document, position=position, context=types.ReferenceContext(include_declaration=True))),
        "symbols": lambda: c.text_document_document_symbol_async(types.DocumentSymbolParams(document)),
        "tokens": lambda: c.text_document_semantic_tokens_full_async(types.SemanticTokensParams(document)),
        "folding": lambda: c.text_document_folding_range_async(types.FoldingRangeParams(document)),
        "signature": lambda: c.text_document_signature_help_async(types.SignatureHelpParams(document, position)),
        "formatting": lambda: c.text_document_formatting_async(types.DocumentFormattingParams(
            document, types.FormattingOptions(tab_size=4, insert_spaces=True))),
        "actions": lambda: c.text_document_code_action_async(types.CodeActionParams(
            document, types.Range(position, position), types.CodeActionContext(diagnostics=[]))),
        "rename": lambda: c.text_document_rename_async(types.RenameParams(document, position, "renamed")),
    }
    try:
        server.run(calls[kind](), timeout=30)
    except JsonRpcException:
        pass  # a proper error is an answer (a rename refused, a position with no symbol)


_count = iter(range(10**9))


@settings(max_examples=SEQUENCES)
@given(seed=st.sampled_from(["", *EXAMPLES]), sequence=st.lists(st.tuples(edits(), st.sampled_from(REQUESTS),
                                                                         st.floats(0, 1)), min_size=1, max_size=8))
def test_random_edits_are_all_answered_and_end_on_a_fresh_analysis(server, seed, sequence):
    path = server.folder / f"doc{next(_count)}.coord"
    uri = path.as_uri()
    text = seed
    client = server.client
    failures = len([m for m in client.log_messages if m.type == types.MessageType.Error])
    server.call(client.text_document_did_open, types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="coord", version=1, text=text)))
    version = 1
    for edit, kind, where in sequence:
        before = Positions(text)
        text, start, end, inserted = apply(text, edit)
        version += 1
        server.call(client.text_document_did_change, types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangePartial(range=before.range(Span(start, end)), text=inserted)]))
        request(server, uri, kind, Positions(text).position(int(where * len(text))))
    published = wait_for(server, uri, version)
    expected_analysis = analyze(text, path)
    positions = Positions(text)
    expected = [diagnostic(d, positions, uri, lambda p: None) for d in expected_analysis.diagnostics]
    assert [_key(d) for d in published] == [_key(d) for d in expected]
    server.call(client.text_document_did_close, types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error][failures:]
    assert not errors, errors[0]


def _key(d: types.Diagnostic) -> tuple:
    return (d.code, d.severity, d.message, d.range.start.line, d.range.start.character, d.range.end.line,
            d.range.end.character)


def wait_for(server: LiveServer, uri: str, version: int, timeout: float = 30.0) -> list[types.Diagnostic]:
    """The diagnostics published for ``uri`` at ``version``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in reversed(server.client.published):
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        time.sleep(0.005)
    raise AssertionError(f"no diagnostics for version {version} of {uri} within {timeout}s")


def test_a_huge_document_is_answered(server, tmp_path):
    text = "".join(EXAMPLES) * 20 + "\x00garbage {{{ ((( \"unterminated\n" * 2_000
    uri = (tmp_path / "huge.coord").as_uri()
    client = server.client
    server.call(client.text_document_did_open, types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="coord", version=1, text=text)))
    symbols = server.run(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))), timeout=120)
    assert symbols
    assert wait_for(server, uri, 1, timeout=120)
