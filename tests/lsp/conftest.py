"""``coord lsp`` as a subprocess, driven by pytest-lsp's client with the capabilities of
VSCode and of Neovim, over a copy of ``workspace/`` (a module and the module importing it).

Every test of this folder runs once per client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from lspkit import SERVER
from pytest_lsp import LanguageClient, client_capabilities

WORKSPACE = Path(__file__).resolve().parent / "workspace"
CLIENTS = ("visual-studio-code", "neovim")


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
