"""Hover, definition, references, document and workspace symbols, signature help."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from coordlang.analysis import definition, hover, outline, references_to, signature_help, symbol_at
from coordlang.analysis import Location, OutlineItem
from coordlang.lsp.convert import uri
from coordlang.lsp.features import guarded

if TYPE_CHECKING:
    from coordlang.lsp.server import CoordLanguageServer

SYMBOL_KINDS = {
    "module": types.SymbolKind.Module, "import": types.SymbolKind.Namespace, "event": types.SymbolKind.Struct,
    "field": types.SymbolKind.Field, "handler": types.SymbolKind.Function, "policy": types.SymbolKind.Constant,
    "workflow": types.SymbolKind.Class, "reaction": types.SymbolKind.Event, "stream": types.SymbolKind.Class,
    "pattern": types.SymbolKind.Function, "migration": types.SymbolKind.Method, "label": types.SymbolKind.EnumMember,
    "variable": types.SymbolKind.Variable,
}
WORKSPACE_FILES = 2_000
"""At most this many .coord files of the workspace are searched (workspace symbols, references)."""


def location(server: CoordLanguageServer, here: str, found: Location) -> types.Location | None:
    if found.path is None or server.path_of(here) == found.path:
        analysis = server.analyses.peek(here)
        positions = server.positions(analysis) if analysis is not None else None
        return types.Location(here, positions.range(found.span)) if positions is not None else None
    positions = server.positions_of(found.path)
    return types.Location(uri(found.path), positions.range(found.span)) if positions is not None else None


def workspace_files(server: CoordLanguageServer) -> list[Path]:
    """The .coord files under the workspace's folders (and the open documents' files)."""
    seen: dict[Path, None] = {}
    for folder in server.workspace.folders.values():
        root = server.path_of(folder.uri)
        if root is None:
            continue
        for path in sorted(root.rglob("*.coord")):
            if any(part.startswith(".") or part in ("node_modules", "__pycache__") for part in path.parts):
                continue
            seen[path] = None
            if len(seen) >= WORKSPACE_FILES:
                break
    for open_uri in server.open_documents():
        path = server.path_of(open_uri)
        if path is not None:
            seen[path] = None
    return list(seen)


def analyse_file(server: CoordLanguageServer, path: Path):
    """A workspace file's analysis: its open buffer's, else its text on disk's."""
    file_uri = uri(path)
    if file_uri in server.open_documents():
        return file_uri, server.analyse_now(file_uri)
    text = server.provider().read(path)
    if text is None:
        return file_uri, None
    return file_uri, server.analyses.get(file_uri, text, None, path, server.provider())


def register(server: CoordLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(server, "hover")
    async def on_hover(params: types.HoverParams) -> types.Hover | None:
        analysis = await server.analysis(params.text_document.uri)
        positions = server.positions(analysis)
        offset = positions.offset(params.position)
        found = hover(analysis, offset)
        profiles = server.profiles
        figures = profiles.figures_at(params.text_document.uri, offset) if profiles is not None else None
        if found is None:
            if figures is None:
                return None
            return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, figures))
        markdown = found.markdown if figures is None else f"{found.markdown}\n\n---\n\n{figures}"
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, markdown), positions.range(found.span))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded(server, "definition")
    async def on_definition(params: types.DefinitionParams) -> types.Location | None:
        here = params.text_document.uri
        analysis = await server.analysis(here)
        found = definition(analysis, server.positions(analysis).offset(params.position))
        return location(server, here, found) if found is not None else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded(server, "references", [])
    async def on_references(params: types.ReferenceParams) -> list[types.Location]:
        here = params.text_document.uri
        analysis = await server.analysis(here)
        found = symbol_at(analysis, server.positions(analysis).offset(params.position))
        if found is None:
            return []
        symbol = found[0]
        include = params.context.include_declaration

        def search() -> list[types.Location]:
            out: list[types.Location] = []
            for path in workspace_files(server):
                file_uri, other = analyse_file(server, path)
                if other is None:
                    continue
                positions = server.positions(other)
                out += [types.Location(file_uri, positions.range(loc.span)) for loc in references_to(other, symbol, include)]
            if server.path_of(here) is None:  # an untitled document is in no folder
                positions = server.positions(analysis)
                out += [types.Location(here, positions.range(loc.span)) for loc in references_to(analysis, symbol, include)]
            return out

        return await server.on_worker(search)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded(server, "document symbols", [])
    async def on_document_symbol(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        analysis = await server.analysis(params.text_document.uri)
        positions = server.positions(analysis)

        def convert(item: OutlineItem) -> types.DocumentSymbol:
            return types.DocumentSymbol(name=item.name or "?", kind=SYMBOL_KINDS.get(item.kind, types.SymbolKind.Object),
                                        range=positions.range(item.span), selection_range=positions.range(item.selection),
                                        detail=item.detail or None, children=[convert(c) for c in item.children])

        return [convert(item) for item in outline(analysis.module)]

    @server.feature(types.WORKSPACE_SYMBOL)
    @guarded(server, "workspace symbols", [])
    async def on_workspace_symbol(params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
        query = params.query.lower()

        def search() -> list[types.SymbolInformation]:
            out = []
            for path in workspace_files(server):
                file_uri, analysis = analyse_file(server, path)
                if analysis is None:
                    continue
                positions = server.positions(analysis)
                stack = list(outline(analysis.module))
                while stack:
                    item = stack.pop()
                    stack.extend(item.children)
                    if item.kind in ("field", "variable", "label", "import") or query not in item.name.lower():
                        continue
                    out.append(types.SymbolInformation(
                        name=item.name, kind=SYMBOL_KINDS.get(item.kind, types.SymbolKind.Object),
                        location=types.Location(file_uri, positions.range(item.selection)), container_name=path.name))
            return sorted(out, key=lambda s: (s.name.lower(), s.location.uri))

        return await server.on_worker(search)

    @server.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP,
                    types.SignatureHelpOptions(trigger_characters=["(", ","], retrigger_characters=[","]))
    @guarded(server, "signature help")
    async def on_signature_help(params: types.SignatureHelpParams) -> types.SignatureHelp | None:
        analysis = await server.analysis(params.text_document.uri)
        found = signature_help(analysis, server.positions(analysis).offset(params.position))
        if found is None:
            return None
        info = types.SignatureInformation(
            label=found.label, documentation=found.documentation or None,
            parameters=[types.ParameterInformation(label=p) for p in found.parameters])
        return types.SignatureHelp(signatures=[info], active_signature=0, active_parameter=found.active)
