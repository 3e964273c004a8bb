"""``coord/graph`` through an editor's client: the graphs of a document with LSP ranges, the
version they were computed for, and the last graph without syntax errors while there are some.

The answer for the order saga is also the fixture the webview's tests draw
(``vscode-extension/test/webview/fixtures/order_saga.json``): ``--update-goldens`` rewrites it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from test_server import change, open_document

from coordlang.analysis import analyze, workflow_graphs
from coordlang.lsp.convert import Positions
from coordlang.lsp.features.graph import graph_result

CLIENT = pytest.mark.asyncio(loop_scope="function")

ROOT = Path(__file__).resolve().parents[2]
SAGA = ROOT / "examples/order_saga/order_saga.coord"
EXAMPLES = sorted((ROOT / "examples").glob("*/*.coord"))
FIXTURE = ROOT / "vscode-extension/test/webview/fixtures/order_saga.json"
SMALL = """event A { id: str, note: str }
event B { id: str }
workflow W on A as a key id {
    select {
        on B as b { emit A { id: b.id, note: "😀 done" } }
        after 1h { fail "late" }
    }
}
"""


def plain(value):
    """The client's answer (namedtuples, as pygls makes them of a custom result) as JSON values."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def graph(client, uri: str, **more) -> dict | None:
    return plain(await client.protocol.send_request_async("coord/graph", {"uri": uri, **more}))


def encoding(client) -> str:
    return client.initialized.capabilities.position_encoding or types.PositionEncodingKind.Utf16


def as_range(positions: Positions, start: int, end: int) -> dict:
    from coordlang.source import Span

    found = positions.range(Span(start, end))
    return {"start": {"line": found.start.line, "character": found.start.character},
            "end": {"line": found.end.line, "character": found.end.character}}


@CLIENT
async def test_the_order_saga_with_ranges_and_its_version(client, golden):
    text = SAGA.read_text(encoding="utf-8")
    uri = SAGA.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="coord", version=7, text=text)))
    result = await graph(client, uri)
    assert (result["uri"], result["version"], result["stale"]) == (uri, 7, False)
    expected = workflow_graphs(analyze(text, SAGA))
    assert [w["title"] for w in result["workflows"]] == [g.title for g in expected]
    positions = Positions(text, encoding=encoding(client))
    for drawn, graph_ in zip(result["workflows"], expected):
        assert "span" not in drawn and drawn["range"] == as_range(positions, graph_.span.start, graph_.span.end)
        assert [n["range"] for n in drawn["nodes"]] == [as_range(positions, n.span.start, n.span.end)
                                                         for n in graph_.nodes]
        assert len(drawn["edges"]) == len(graph_.edges)
    charge = next(n for n in result["workflows"][1]["nodes"] if n["label"] == "paid = do charge")
    version_2 = text.index("key order_id version 2")
    assert charge["range"]["start"]["line"] == text[:text.index("let paid", version_2)].count("\n")
    fixture = {**result, "uri": "file:///examples/order_saga/order_saga.coord", "version": 1}
    golden.check(FIXTURE, json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")


def test_every_examples_graph_for_the_webview(golden):
    """The webview's tests draw every example: their graphs, as ``coord/graph`` answers them."""
    drawn = {}
    for path in EXAMPLES:
        analysis = analyze(path.read_text(encoding="utf-8"), path)
        uri = f"file:///examples/{path.parent.name}/{path.name}"
        drawn[path.stem] = graph_result(uri, analysis, Positions(analysis.text, analysis.lines))
    golden.check(FIXTURE.with_name("examples.json"),
                 "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in drawn.items())
                 + "\n}\n")


@CLIENT
async def test_ranges_count_in_the_agreed_encoding(client):
    uri = open_document(client, "small.coord", SMALL)
    emit = next(n for n in (await graph(client, uri))["workflows"][0]["nodes"] if n["kind"] == "emit")
    line = SMALL.splitlines()[4]
    written = 'emit A { id: b.id, note: "😀 done" }'
    end = line.index(written) + len(written)
    units = {types.PositionEncodingKind.Utf8: len(line[:end].encode()),
             types.PositionEncodingKind.Utf32: end}.get(encoding(client), len(line[:end].encode("utf-16-le")) // 2)
    assert emit["range"] == {"start": {"line": 4, "character": line.index("emit")},
                             "end": {"line": 4, "character": units}}


@CLIENT
async def test_syntax_errors_keep_the_last_clean_graph_and_say_it_is_stale(client):
    uri = open_document(client, "small.coord", SMALL)
    first = await graph(client, uri)
    change(client, uri, 2, SMALL.replace("after 1h {", "after 1h { let x = = 1"))
    stale = await graph(client, uri)
    assert (stale["version"], stale["stale"]) == (1, True)
    assert stale["workflows"] == first["workflows"]
    # A type error leaves the tree whole: the current version is drawn.
    change(client, uri, 3, SMALL.replace('fail "late"', "fail 42\n        emit B { id: a.id }"))
    fresh = await graph(client, uri)
    assert (fresh["version"], fresh["stale"]) == (3, False)
    assert "emit B" in [n["label"] for n in fresh["workflows"][0]["nodes"]]


@CLIENT
async def test_a_document_opened_damaged_draws_what_its_tree_holds(client):
    uri = open_document(client, "small.coord", SMALL.replace("after 1h {", "after 1h { let x = = 1"))
    result = await graph(client, uri)
    assert (result["version"], result["stale"]) == (1, False)
    assert [w["name"] for w in result["workflows"]] == ["W"]
    assert {"select", "emit"} <= {n["kind"] for n in result["workflows"][0]["nodes"]}


@CLIENT
async def test_workflow_picks_one_and_bad_params_answer_null(client):
    uri = SAGA.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="coord", version=1, text=SAGA.read_text(encoding="utf-8"))))
    assert [w["title"] for w in (await graph(client, uri, workflow="Order v2"))["workflows"]] == ["Order v2"]
    assert [w["title"] for w in (await graph(client, uri, workflow="Order"))["workflows"]] == ["Order v1", "Order v2"]
    assert await client.protocol.send_request_async("coord/graph", {"text": 1}) is None


@CLIENT
async def test_a_closed_document_forgets_its_last_clean_graph(client):
    uri = open_document(client, "small.coord", SMALL)
    assert (await graph(client, uri))["stale"] is False
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    broken = SMALL.replace("after 1h {", "after 1h { let x = = 1")
    uri = open_document(client, "small.coord", broken)
    result = await graph(client, uri)
    assert (result["version"], result["stale"]) == (1, False)
    assert "let x" in [n["label"] for n in result["workflows"][0]["nodes"]]
