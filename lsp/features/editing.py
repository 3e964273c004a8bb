"""Changing a document: formatting, rename, and code actions (quick fixes and rewrites)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from coordlang import std
from coordlang.analysis import code_actions, references_to, symbol_at
from coordlang.format.formatter import FormatRefused, format_edits, format_range
from coordlang.lsp.convert import diagnostic
from coordlang.lsp.features import guarded
from coordlang.lsp.features.navigation import analyse_file, workspace_files
from coordlang.syntax.tokens import KEYWORDS

if TYPE_CHECKING:
    from coordlang.lsp.server import CoordLanguageServer

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
STD_DIR = Path(std.__file__).resolve().parent
KINDS = {"quickfix": types.CodeActionKind.QuickFix, "refactor.rewrite": types.CodeActionKind.RefactorRewrite}


def register(server: CoordLanguageServer) -> None:
    def edits(analysis, changes) -> list[types.TextEdit]:
        positions = server.positions(analysis)
        return [types.TextEdit(positions.range(e.span), e.new_text) for e in changes]

    def refused(what: str, exc: Exception) -> None:
        server.window_show_message(types.ShowMessageParams(types.MessageType.Warning, f"coord: {what}: {exc}"))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    @guarded(server, "formatting")
    async def on_formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        analysis = await server.analysis(params.text_document.uri)
        try:
            return edits(analysis, format_edits(analysis.text))
        except FormatRefused as exc:
            refused("formatting", exc)
            return None

    @server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)
    @guarded(server, "range formatting")
    async def on_range_formatting(params: types.DocumentRangeFormattingParams) -> list[types.TextEdit] | None:
        analysis = await server.analysis(params.text_document.uri)
        try:
            return edits(analysis, format_range(analysis.text, server.positions(analysis).span(params.range)))
        except FormatRefused as exc:
            refused("formatting", exc)
            return None

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @guarded(server, "prepare rename")
    async def on_prepare_rename(params: types.PrepareRenameParams):
        analysis = await server.analysis(params.text_document.uri)
        positions = server.positions(analysis)
        found = symbol_at(analysis, positions.offset(params.position))
        if found is None:
            return None
        symbol, span = found
        if symbol.path is not None and STD_DIR in symbol.path.parents:
            raise _rename_error(f"{symbol.name} is declared in the standard library")
        return types.PrepareRenamePlaceholder(range=positions.range(span), placeholder=symbol.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def on_rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        here = params.text_document.uri
        analysis = await server.analysis(here)
        found = symbol_at(analysis, server.positions(analysis).offset(params.position))
        if found is None:
            return None
        symbol = found[0]
        new = params.new_name
        if not IDENTIFIER.match(new) or new in KEYWORDS:
            raise _rename_error(f"'{new}' is not a name (a letter or _, then letters, digits or _; not a keyword)")
        if symbol.path is not None and STD_DIR in symbol.path.parents:
            raise _rename_error(f"{symbol.name} is declared in the standard library")

        def plan() -> dict[str, list[types.TextEdit]]:
            changes: dict[str, list[types.TextEdit]] = {}
            documents = [analyse_file(server, path) for path in workspace_files(server)]
            if server.path_of(here) is None:
                documents.append((here, analysis))
            for file_uri, other in documents:
                if other is None:
                    continue
                places = references_to(other, symbol, True)
                for place in places:
                    clash = other.model.scope_at(place.span.start).get(new)
                    if clash is not None and clash.span != symbol.span:
                        where = (clash.path or other.path)
                        raise _rename_error(f"'{new}' is already a {clash.kind.value} here "
                                            f"(declared in {where.name if where else 'this document'})")
                if places:
                    positions = server.positions(other)
                    changes[file_uri] = [types.TextEdit(positions.range(p.span), new) for p in places]
            return changes

        return types.WorkspaceEdit(changes=await server.on_worker(plan))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=list(KINDS.values())))
    @guarded(server, "code actions", [])
    async def on_code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        here = params.text_document.uri
        analysis = await server.analysis(here)
        positions = server.positions(analysis)
        only = params.context.only
        result = []
        for action in code_actions(analysis, positions.span(params.range)):
            kind = KINDS[action.kind]
            if only and not any(kind == k or kind.startswith(f"{k}.") for k in only):
                continue
            found = action.diagnostic
            result.append(types.CodeAction(
                title=action.title, kind=kind,
                diagnostics=[diagnostic(found, positions, here, server.positions_of)] if found else None,
                edit=types.WorkspaceEdit(changes={here: edits(analysis, action.edits)}),
                is_preferred=action.preferred or None))
        return result

REQUEST_FAILED = -32803
"""LSP's RequestFailed: the request was valid and cannot be done; the client shows the message."""


def _rename_error(message: str) -> Exception:
    return JsonRpcException(message, code=REQUEST_FAILED)
