"""How a document looks: semantic tokens and folding ranges."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coordlang.analysis import TOKEN_MODIFIERS, TOKEN_TYPES, folding_ranges, semantic_tokens
from coordlang.lsp.features import guarded

if TYPE_CHECKING:
    from coordlang.lsp.server import CoordLanguageServer

LEGEND = types.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS))
FOLDING_KINDS = {"comment": types.FoldingRangeKind.Comment, "imports": types.FoldingRangeKind.Imports,
                 "region": types.FoldingRangeKind.Region}


def register(server: CoordLanguageServer) -> None:
    type_index = {name: i for i, name in enumerate(TOKEN_TYPES)}
    modifier_bit = {name: 1 << i for i, name in enumerate(TOKEN_MODIFIERS)}

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
    @guarded(server, "semantic tokens", types.SemanticTokens(data=[]))
    async def on_semantic_tokens(params: types.SemanticTokensParams) -> types.SemanticTokens:
        analysis = await server.analysis(params.text_document.uri)
        positions = server.positions(analysis)
        tokens = semantic_tokens(analysis.module, analysis.parse.tokens, analysis.parse.comments)
        data: list[int] = []
        last_line = last_char = 0
        for token in tokens:
            start = positions.position(token.span.start)
            end = positions.position(token.span.end)
            if end.line != start.line:
                continue  # LSP tokens stay on one line (a multi-line string is left uncoloured)
            length = end.character - start.character
            if length <= 0:
                continue
            delta_line = start.line - last_line
            delta_char = start.character - last_char if delta_line == 0 else start.character
            bits = 0
            for modifier in token.modifiers:
                bits |= modifier_bit.get(modifier, 0)
            data += [delta_line, delta_char, length, type_index[token.type], bits]
            last_line, last_char = start.line, start.character
        return types.SemanticTokens(data=data)

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    @guarded(server, "folding ranges", [])
    async def on_folding_range(params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        analysis = await server.analysis(params.text_document.uri)
        return [types.FoldingRange(start_line=r.start_line, end_line=r.end_line, kind=FOLDING_KINDS.get(r.kind))
                for r in folding_ranges(analysis.module, analysis.parse.comments, analysis.lines)]
