"""Completion: what the analysis API offers at the cursor, as LSP items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coordlang.analysis import completions
from coordlang.lsp.features import guarded

if TYPE_CHECKING:
    from coordlang.lsp.server import CoordLanguageServer

ITEM_KINDS = {
    "keyword": types.CompletionItemKind.Keyword, "snippet": types.CompletionItemKind.Snippet,
    "event": types.CompletionItemKind.Struct, "field": types.CompletionItemKind.Field,
    "handler": types.CompletionItemKind.Function, "policy": types.CompletionItemKind.Constant,
    "workflow": types.CompletionItemKind.Class, "pattern": types.CompletionItemKind.Module,
    "variable": types.CompletionItemKind.Variable, "type": types.CompletionItemKind.TypeParameter,
    "label": types.CompletionItemKind.EnumMember, "function": types.CompletionItemKind.Function,
    "value": types.CompletionItemKind.Value, "error_kind": types.CompletionItemKind.EnumMember,
    "flag": types.CompletionItemKind.Keyword,
}
TRIGGERS = [".", "{", "("]
"""Characters that open completion by themselves (a space would after every word)."""


def register(server: CoordLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS))
    @guarded(server, "completion", types.CompletionList(is_incomplete=False, items=[]))
    async def on_completion(params: types.CompletionParams) -> types.CompletionList:
        analysis = await server.analysis(params.text_document.uri)
        positions = server.positions(analysis)
        found = completions(analysis, positions.offset(params.position))
        snippets = _snippets_supported(server)
        items = []
        for n, item in enumerate(found.items):
            text = item.insert_text
            snippet = item.snippet and text is not None
            if snippet and not snippets:
                text, snippet = item.label, False  # a client without snippets gets the plain word
            items.append(types.CompletionItem(
                label=item.label, kind=ITEM_KINDS.get(item.kind, types.CompletionItemKind.Text),
                detail=item.detail or None, insert_text=text,
                insert_text_format=types.InsertTextFormat.Snippet if snippet else types.InsertTextFormat.PlainText,
                documentation=types.MarkupContent(types.MarkupKind.Markdown, item.documentation)
                if item.documentation else None,
                sort_text=f"{n:05d}"))  # the analysis's order is its ranking
        return types.CompletionList(is_incomplete=False, items=items)


def _snippets_supported(server: CoordLanguageServer) -> bool:
    capabilities = server.client_capabilities
    try:
        return bool(capabilities.text_document.completion.completion_item.snippet_support)
    except AttributeError:
        return False
