"""``coord/graph``: the workflow graphs of a document, for the editor's graph view.

A custom request (the VSCode extension's graph panel sends it, after each change while the
panel is open). Params ``{"uri": string, "workflow"?: string}``; the result is the JSON form of
``coord graph --format json`` (``coordlang.analysis.graph_render.to_json``) with every span
turned into an LSP ``range`` in the agreed position encoding, plus::

    {"uri": string, "version": int | null, "stale": bool, "workflows": [...]}

``version`` is the document version the graph was computed for. While the document has syntax
errors the graph is the one of its last version without any (``stale`` is then true, and the
ranges are positions in *that* version's text): half a statement typed must not make the
picture jump about, and a graph of a damaged tree leaves out whatever the damage swallowed.
When no version without syntax errors has been seen since the document was opened, the graph
of the damaged tree is the answer (``stale`` false), the best there is. ``workflow`` keeps the
graphs named or titled so (as ``coord graph --workflow``). A document the server cannot read
answers null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coordlang.analysis import workflow_graphs
from coordlang.analysis.graph_render import named, to_json
from coordlang.lsp.features import guarded
from coordlang.source import Span

if TYPE_CHECKING:
    from coordlang.analysis import Analysis
    from coordlang.lsp.convert import Positions
    from coordlang.lsp.server import CoordLanguageServer

METHOD = "coord/graph"


def register(server: CoordLanguageServer) -> None:
    # uri -> (the open document object, its last analysis without syntax errors): a document
    # closed and opened again is a new object, so its older versions are not taken for its own.
    clean: dict[str, tuple[object, Analysis]] = {}

    @server.feature(METHOD)
    @guarded(server, "the workflow graph")
    async def on_graph(params) -> dict | None:
        uri = _param(params, "uri")
        if not isinstance(uri, str):
            return None
        document = server.workspace.get_text_document(uri)
        analysis = await server.analysis(uri)
        stale = False
        if not _damaged(analysis):
            clean[uri] = (document, analysis)
        elif uri in clean and clean[uri][0] is document:
            analysis, stale = clean[uri][1], True
        for other in [u for u in clean if u not in server.workspace.text_documents]:
            del clean[other]  # closed
        return graph_result(uri, analysis, server.positions(analysis), _param(params, "workflow"), stale)


def graph_result(uri: str, analysis: Analysis, positions: Positions, workflow: str | None = None,
                 stale: bool = False) -> dict:
    """The answer to ``coord/graph`` for ``analysis``, its spans as ranges of ``positions``."""
    graphs = workflow_graphs(analysis)
    if isinstance(workflow, str):
        graphs = named(graphs, workflow)

    def ranged(item: dict) -> dict:
        span = item.pop("span")
        found = positions.range(Span(span["start"], span["end"]))
        item["range"] = {"start": {"line": found.start.line, "character": found.start.character},
                         "end": {"line": found.end.line, "character": found.end.character}}
        return item

    workflows = to_json(graphs)["workflows"]
    for graph in workflows:
        ranged(graph)
        graph["nodes"] = [ranged(node) for node in graph["nodes"]]
    return {"uri": uri, "version": analysis.version, "stale": stale, "workflows": workflows}


def _damaged(analysis: Analysis) -> bool:
    """Syntax errors (``P1xx``): the tree is missing what they swallowed."""
    return any(d.is_error and d.code.startswith("P") for d in analysis.diagnostics)


def _param(params, name: str):
    """Custom requests' params come as a namedtuple (pygls), or a dict."""
    return params.get(name) if isinstance(params, dict) else getattr(params, name, None)
