"""The LSP tests' client and server command (a module of its own: test modules import it,
and a name like ``conftest`` is ambiguous when pytest collects several folders at once)."""

from __future__ import annotations

import sys

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, default_converter, register_lsp_features


def recording_client() -> LanguageClient:
    """pytest-lsp's client, keeping every diagnostics notification in ``published`` (its own
    keeps the latest list per document, without the version it was computed for)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []

    def publish(lsp: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        lsp.diagnostics[params.uri] = params.diagnostics
        lsp.published.append(params)

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
    return client


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "coordlang", "lsp"], client_factory=recording_client)
