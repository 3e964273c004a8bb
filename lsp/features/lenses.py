"""What the editor shows between the lines: inlay hints and code lenses.

The lenses' commands are the editor's to run (the VSCode extension implements them):
``coordlang.run``, ``coordlang.debug`` and ``coordlang.showGraph``, each with the document's
uri and the workflow's name as arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coordlang.analysis import inlay_hints, outline
from coordlang.lsp.features import guarded

if TYPE_CHECKING:
    from coordlang.lsp.server import CoordLanguageServer

LENSES = (("run", "▶ Run", "coordlang.run"), ("debug", "Debug", "coordlang.debug"),
          ("graph", "Show graph", "coordlang.showGraph"))
"""(setting under ``codeLens``, title, command)."""


def register(server: CoordLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    @guarded(server, "inlay hints", [])
    async def on_inlay_hint(params: types.InlayHintParams) -> list[types.InlayHint]:
        show_types = server.setting("inlayHints.types", True)
        show_retries = server.setting("inlayHints.retryTime", True)
        if not (show_types or show_retries):
            return []
        analysis = await server.analysis(params.text_document.uri)
        positions = server.positions(analysis)
        found = inlay_hints(analysis, positions.span(params.range), show_types, show_retries)
        return [types.InlayHint(position=positions.position(h.offset), label=h.label,
                                kind=types.InlayHintKind.Type if h.kind == "type" else None,
                                tooltip=h.tooltip or None, padding_left=h.kind == "retry")
                for h in found]

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    @guarded(server, "code lenses", [])
    async def on_code_lens(params: types.CodeLensParams) -> list[types.CodeLens]:
        wanted = [(title, command) for setting, title, command in LENSES
                  if server.setting(f"codeLens.{setting}", True)]
        if not wanted:
            return []
        uri = params.text_document.uri
        analysis = await server.analysis(uri)
        positions = server.positions(analysis)
        lenses = []
        for item in outline(analysis.module):
            if item.kind != "workflow":
                continue
            where = positions.range(item.selection)
            lenses += [types.CodeLens(range=where, command=types.Command(title=title, command=command,
                                                                         arguments=[uri, item.name]))
                       for title, command in wanted]
        return lenses
