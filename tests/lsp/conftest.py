"""``coord lsp`` as a subprocess, driven by pytest-lsp's client with the capabilities of
VSCode and of Neovim, over a copy of ``workspace/`` (a module and the module importing it).

Every test of this folder runs once per client."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, default_converter, register_lsp_features

WORKSPACE = Path(__file__).resolve().parent / "workspace"
CLIENTS = ("visual-studio-code", "neovim")


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


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def client(request, lsp_client: LanguageClient):
    folder = request.getfixturevalue("tmp_path") / "workspace"
    shutil.copytree(WORKSPACE, folder)
    lsp_client.folder = folder
    lsp_client.initialized = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param), root_uri=folder.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="workspace")]))
    yield
    await lsp_client.shutdown_session()
