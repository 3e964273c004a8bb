"""Measurements from recorded runs in the editor (``lsp/features/profile.py``, ``O605``): the
mapping from a profile to diagnostics, and ``coord lsp`` with ``profileLogs`` end to end."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from lspkit import SERVER
from pytest_lsp import LanguageClient, client_capabilities

from coordlang.analysis.document import analyze_file
from coordlang.cli import main
from coordlang.ir.compile import compile_program
from coordlang.lsp.features.profile import Profiles, message, step_hints
from coordlang.lsp.server import CoordLanguageServer
from coordlang.runtime.eventlog.profile import StepProfile, profile_folder
from coordlang.sources import read_source

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eventlog"))
from logkit import checkout_events, write_events  # noqa: E402

PROFILED = Path(__file__).resolve().parent / "profiled"
"""tests/eventlog/programs/checkout.coord with ``#: O605`` over the steps it measures; its
handlers are the event log tests' own, copied beside it into each test's workspace."""
HANDLERS = Path(__file__).resolve().parents[1] / "eventlog" / "programs" / "checkout_handlers.py"
CHARGE = "measured in {runs} ({times} times): p50 0s, p99 2s; 6.7% failed"
WAIT = "measured in {runs} ({times} times): p50 30.5s, p99 1m; 0.0% failed, 21.4% timed out"
THANK = "measured in {runs} ({times} times): p50 0s, p99 0s; 0.0% failed"
HANDLER_TIME = re.compile(r"handler time p50 (?P<p50>\S+), p99 (?P<p99>\S+); ")
"""The handler calls' wall time in a message: it differs from run to run."""
SLEEP = 0.02
"""Seconds each handler call sleeps in the ``slow_workspace``'s run."""


def without_handler_time(messages: list[str]) -> list[str]:
    """``messages`` with the handler time cut out, after checking the steps that call a
    handler (the charge, the thanks: not the wait) have one."""
    assert [bool(HANDLER_TIME.search(m)) for m in messages] == [True, False, True], messages
    return [HANDLER_TIME.sub("", m) for m in messages]


def milliseconds(shown: str) -> float:
    """A figure shown under a second (``20.1ms``), in milliseconds."""
    assert shown.endswith("ms"), shown
    return float(shown[:-2])


def annotated_lines(text: str) -> list[int]:
    """0-based lines the ``#: O605`` comments announce (the line after each)."""
    lines = text.splitlines()
    return [n + 1 for n, line in enumerate(lines) if re.match(r"\s*#:.*\bO605\b", line)]


def record(folder: Path, log: Path, orders: int = 30) -> None:
    events = write_events(folder / f"{log.name}.jsonl", checkout_events(orders))
    status = main(["run", str(folder / "checkout.coord"), "--events", str(events), "--log", str(log),
                   "--backend", "interpreter", "--out", str(folder / f"{log.name}.out.jsonl")])
    assert status == 0


@pytest.fixture()
def workspace(tmp_path, capsys):
    folder = shutil.copytree(PROFILED, tmp_path / "workspace")
    shutil.copy(HANDLERS, folder / HANDLERS.name)
    record(folder, folder / "logs" / "one")
    record(folder, folder / "logs" / "two")
    capsys.readouterr()
    return folder


@pytest.fixture()
def slow_workspace(tmp_path, capsys, monkeypatch):
    """One run of 7 orders whose handler calls each sleep :data:`SLEEP` seconds."""
    folder = shutil.copytree(PROFILED, tmp_path / "workspace")
    shutil.copy(HANDLERS, folder / HANDLERS.name)
    # Read when the handlers are imported: from a folder of their own, they are imported afresh.
    monkeypatch.setenv("COORD_TEST_HANDLER_SLEEP", str(SLEEP))
    record(folder, folder / "logs" / "slow", orders=7)
    capsys.readouterr()
    return folder


def analysed(path: Path):
    return analyze_file(path, read_source(path))


# ---------------------------------------------------------------- the mapping

def test_the_message_says_runs_quantiles_and_failures():
    step = StepProfile(durations=[180.0] * 97 + [2460.0] * 3, statuses={"ok": 98, "error": 2}, runs=4)
    assert step.p50 == 180.0 and step.p99 == 2460.0
    assert message(step) == "measured in 4 runs (100 times): p50 3m, p99 41m; 2.0% failed"
    once = StepProfile(durations=[0.25], statuses={"timer": 1}, runs=1)
    assert message(once) == "measured in 1 run (1 time): p50 250ms, p99 250ms; 0.0% failed, 100.0% timed out"
    assert message(once, timeouts=False) == "measured in 1 run (1 time): p50 250ms, p99 250ms; 0.0% failed"
    called = StepProfile(durations=[0.0] * 3, statuses={"ok": 3}, runs=1, walls=[0.02, 0.021, 0.04])
    assert message(called) == "measured in 1 run (3 times): p50 0s, p99 0s; handler time p50 21ms, p99 39.62ms; " \
                              "0.0% failed"


def test_each_measured_step_gets_one_hint_on_the_first_line_of_its_statement(workspace):
    path = workspace / "checkout.coord"
    text = path.read_text(encoding="utf-8")
    analysis = analysed(path)
    program = compile_program(analysis)
    found = profile_folder(program, workspace / "logs")
    assert len(found.logs) == 2 and not found.skipped
    hints = step_hints(program, found.steps, path, text)
    assert all(h.code == "O605" and h.severity.label == "info" for h in hints)
    lines = [text.count("\n", 0, h.span.start) for h in hints]
    assert lines == annotated_lines(text)
    assert all("\n" not in text[h.span.start:h.span.end] for h in hints)
    assert without_handler_time([h.message for h in hints]) == [CHARGE.format(runs="2 runs", times=60),
                                                                WAIT.format(runs="2 runs", times=56),
                                                                THANK.format(runs="2 runs", times=32)]
    assert text[hints[0].span.start:hints[0].span.end].startswith("do charge(o.id, o.amount)")
    # Another file's statements get none: the steps are placed by path.
    assert step_hints(program, found.steps, workspace / "other.coord", text) == []


def test_the_server_side_finds_the_folder_caches_it_and_tells_a_missing_one_once(workspace, caplog):
    server = CoordLanguageServer()
    profiles = Profiles(server)
    uri = (workspace / "checkout.coord").as_uri()
    analysis = analysed(workspace / "checkout.coord")
    assert profiles.hints(uri, analysis) == []  # no setting: nothing read
    server.configure({"profileLogs": str(workspace / "logs")})
    assert profiles.hints(uri, analysis) == []  # the logs are replayed on a thread of their own
    profiles.settle()
    first = profiles.hints(uri, analysis)
    assert len(first) == 3
    cached = dict(profiles._profiles)
    assert profiles.hints(uri, analysis) == first and profiles._profiles == cached
    assert profiles.figures_at(uri, first[0].span.start + 3).startswith("**Recorded runs:** measured in 2 runs")
    assert profiles.figures_at(uri, 0) is None
    # Another program (an edit that changes what it means) matches no log.
    changed = analysed_text(workspace, analysis.text.replace("within 1m", "within 2m"))
    assert profiles.hints(uri, changed) == []
    profiles.settle()
    assert profiles.hints(uri, changed) == []
    server.configure({"profileLogs": str(workspace / "nowhere")})
    with caplog.at_level("WARNING", logger="coordlang.lsp"):
        assert profiles.hints(uri, analysis) == [] and profiles.hints(uri, analysis) == []
    assert len([r for r in caplog.records if "nowhere" in r.getMessage()]) == 1


def analysed_text(workspace: Path, text: str):
    path = workspace / "checkout.coord"
    from coordlang.analysis.document import analyze

    return analyze(text, path)


# ---------------------------------------------------------------- coord lsp

@pytest_lsp.fixture(config=SERVER)
async def profiled(request, lsp_client: LanguageClient):
    """The server on a workspace: ``workspace``, or the one named by an indirect parameter."""
    folder = request.getfixturevalue(getattr(request, "param", "workspace"))
    lsp_client.folder = folder
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=folder.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="workspace")],
        initialization_options={"coordlang": {"profileLogs": "logs"}}))
    yield
    await lsp_client.shutdown_session()


async def measured(client, uri: str, timeout: float = 30.0) -> list:
    """The ``O605`` of the first publication for ``uri`` that has them: the first comes before
    the logs are replayed (on a thread of their own), the next with their figures."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in client.published:
            found = [d for d in params.diagnostics if d.code == "O605"] if params.uri == uri else []
            if found:
                return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"no measurements published for {uri} within {timeout}s")


async def checkout_measured(client) -> tuple[str, str, list]:
    """(text, uri, its ``O605``) of the workspace's checkout, opened."""
    from test_server import open_document

    text = (client.folder / "checkout.coord").read_text(encoding="utf-8")
    uri = open_document(client, "checkout.coord", text)
    return text, uri, await measured(client, uri)


async def hover_over(client, uri: str, hint) -> str | None:
    """The hover's markdown a few characters into the step an ``O605`` is on."""
    start = hint.range.start
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=uri), types.Position(start.line, start.character + 4)))
    return None if hover is None else hover.contents.value


@pytest.mark.asyncio(loop_scope="function")
async def test_the_server_shows_the_measurements_on_each_step_and_in_its_hover(profiled):
    text, uri, found = await checkout_measured(profiled)
    assert [d.range.start.line for d in found] == annotated_lines(text)
    assert all(d.severity == types.DiagnosticSeverity.Information for d in found)
    assert without_handler_time([d.message for d in found]) == [CHARGE.format(runs="2 runs", times=60),
                                                                WAIT.format(runs="2 runs", times=56),
                                                                THANK.format(runs="2 runs", times=32)]
    assert "measured in 2 runs (60 times)" in (await hover_over(profiled, uri, found[0]) or "")


@pytest.mark.parametrize("profiled", ["slow_workspace"], indirect=True)
@pytest.mark.asyncio(loop_scope="function")
async def test_the_server_shows_the_wall_time_the_handler_calls_took(profiled):
    _, uri, (charge, wait, thank) = await checkout_measured(profiled)
    # The virtual clock stands still during a call (p50 0s); the calls slept SLEEP each.
    assert charge.message.startswith("measured in 1 run (7 times): p50 0s, p99 ")
    for step in (charge, thank):
        shown = HANDLER_TIME.search(step.message)
        assert shown is not None, step.message
        assert milliseconds(shown["p50"]) >= SLEEP * 1000 and milliseconds(shown["p99"]) >= SLEEP * 1000
    assert HANDLER_TIME.search(wait.message) is None
    assert HANDLER_TIME.search(await hover_over(profiled, uri, charge) or "") is not None
