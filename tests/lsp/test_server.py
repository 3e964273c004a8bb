"""``coord lsp`` end to end: every feature, as an editor uses it (see conftest: each test runs
with VSCode's and with Neovim's capabilities)."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

pytestmark = pytest.mark.asyncio(loop_scope="function")

WAIT = 30.0


async def diagnostics(client, uri: str, version: int | None = None, since: int = 0) -> list[types.Diagnostic]:
    """The first diagnostics published for ``uri`` (for ``version``, when given) from the
    ``since``-th notification on."""
    async def wait():
        seen = since
        while True:
            for params in client.published[seen:]:
                if params.uri == uri and (version is None or params.version == version):
                    return list(params.diagnostics)
            seen = max(seen, len(client.published))
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), WAIT)


def open_document(client, name: str, text: str | None = None, version: int = 1) -> str:
    path = client.folder / name
    if text is None:
        text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="coord", version=version, text=text)))
    return uri


def change(client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


def position_of(text: str, needle: str, delta: int = 0) -> types.Position:
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return types.Position(line, len(text[offset - column:offset].encode("utf-16-le")) // 2)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """``edits`` applied to ``text`` (ASCII: UTF-16 columns are code points)."""
    lines = text.split("\n")
    starts = [sum(len(line) + 1 for line in lines[:n]) for n in range(len(lines))]
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = starts[edit.range.start.line] + edit.range.start.character
        end = starts[edit.range.end.line] + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
    return text


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


# ---------------------------------------------------------------- diagnostics

async def test_diagnostics_come_with_the_documents_version_and_follow_its_changes(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    assert [d.code for d in await diagnostics(client, uri, 1) if d.severity == types.DiagnosticSeverity.Error] == []
    broken = text.replace("do charge(", "do chrage(")
    for version in (2, 3, 4):  # a burst of typing: only the last version counts
        change(client, uri, version, broken)
    found = await diagnostics(client, uri, 4)
    errors = [d for d in found if d.severity == types.DiagnosticSeverity.Error]
    assert len(errors) == 1 and "chrage" in errors[0].message and errors[0].source == "coord"
    assert errors[0].range.start == position_of(broken, "chrage")
    change(client, uri, 5, text)
    assert not [d for d in await diagnostics(client, uri, 5) if d.severity == types.DiagnosticSeverity.Error]


async def test_a_change_to_an_imported_document_rechecks_its_importers(client):
    shop = open_document(client, "shop.coord")
    await diagnostics(client, shop, 1)
    common_text = (client.folder / "common.coord").read_text(encoding="utf-8")
    common = open_document(client, "common.coord", common_text)
    await diagnostics(client, common, 1)
    mark = len(client.published)
    change(client, common, 2, common_text.replace("event PaymentOk", "event PaymentDone"))
    found = await diagnostics(client, shop, since=mark)  # the importer's, for its unchanged version
    assert any("PaymentOk" in d.message for d in found if d.severity == types.DiagnosticSeverity.Error)


async def test_garbage_and_half_typed_text_get_diagnostics_not_a_dead_server(client):
    uri = open_document(client, "garbage.coord", "\x00\x01 workflow {{{ \udcff é 𝄞 on on on\n" * 50)
    found = await diagnostics(client, uri, 1)
    assert found and all(d.range.start.line < 50 for d in found)
    hover = await client.text_document_hover_async(types.HoverParams(doc(uri), types.Position(10_000, 10_000)))
    assert hover is None
    completion = await client.text_document_completion_async(types.CompletionParams(doc(uri), types.Position(3, 5)))
    assert completion is not None


# ---------------------------------------------------------------- completion, hover, signatures

async def test_completion_knows_its_context(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)

    async def labels(needle: str, delta: int) -> set[str]:
        result = await client.text_document_completion_async(
            types.CompletionParams(doc(uri), position_of(text, needle, delta)))
        items = result.items if isinstance(result, types.CompletionList) else result
        return {item.label for item in items}

    assert "charge" in await labels("do charge(", len("do "))
    assert "PaymentOk" in await labels("await PaymentOk", len("await "))
    assert {"order_id", "amount", "items"} <= await labels("o.amount", len("o."))
    assert "gateway" in await labels("with gateway", len("with "))


async def test_hover_shows_a_handlers_binding_and_a_policys_budget(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    hover = await client.text_document_hover_async(types.HoverParams(doc(uri), position_of(text, "charge(o.", 2)))
    assert "shop_handlers:charge" in hover.contents.value and "5s" in hover.contents.value
    assert hover.range.start == position_of(text, "charge(o.")
    hover = await client.text_document_hover_async(types.HoverParams(doc(uri), position_of(text, "with gateway", 6)))
    assert "3 attempts" in hover.contents.value


async def test_signature_help_inside_a_handler_call(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    help_ = await client.text_document_signature_help_async(
        types.SignatureHelpParams(doc(uri), position_of(text, "o.amount)")))
    assert help_.signatures[0].label == "charge(order_id: str, amount: float) -> float"
    assert help_.active_parameter == 1


# ---------------------------------------------------------------- navigation

async def test_definition_and_references_across_files(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    found = await client.text_document_definition_async(
        types.DefinitionParams(doc(uri), position_of(text, "PaymentOk as p", 2)))
    location = found[0] if isinstance(found, list) else found
    common = (client.folder / "common.coord").as_uri()
    assert location.uri == common
    common_text = (client.folder / "common.coord").read_text(encoding="utf-8")
    assert location.range.start == position_of(common_text, "PaymentOk")
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(uri), position=position_of(text, "charge(o.", 1),
        context=types.ReferenceContext(include_declaration=True)))
    assert {(r.uri, r.range.start.line) for r in refs} == {
        (common, position_of(common_text, "charge(").line), (uri, position_of(text, "charge(o.").line)}


async def test_document_and_workspace_symbols(client):
    uri = open_document(client, "shop.coord")
    await diagnostics(client, uri, 1)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(doc(uri)))
    names = {s.name for s in symbols}
    assert {"gateway", "Order"} <= names
    order = next(s for s in symbols if s.name == "Order")
    assert order.kind == types.SymbolKind.Class and any(c.name == "wait_payment" for c in order.children or [])
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="pay"))
    assert {s.name for s in found} >= {"PaymentOk"}
    assert all("pay" in s.name.lower() for s in found)


# ---------------------------------------------------------------- editing

async def test_rename_across_files_and_a_refused_clash(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    at = position_of(text, "charge(o.", 1)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(doc(uri), at))
    assert prepared.placeholder == "charge"
    edit = await client.text_document_rename_async(types.RenameParams(doc(uri), at, "bill"))
    common = (client.folder / "common.coord").as_uri()
    assert set(edit.changes) == {uri, common}
    assert all(e.new_text == "bill" for edits in edit.changes.values() for e in edits)
    with pytest.raises(JsonRpcException, match="already a policy"):
        await client.text_document_rename_async(types.RenameParams(doc(uri), at, "gateway"))
    with pytest.raises(JsonRpcException, match="not a name"):
        await client.text_document_rename_async(types.RenameParams(doc(uri), at, "2fast"))


async def test_a_quick_fix_declares_a_misspelt_handler_and_the_error_goes(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8").replace("do charge(", "do chrage(")
    uri = open_document(client, "shop.coord", text)
    [error] = [d for d in await diagnostics(client, uri, 1) if d.code == "N203"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        doc(uri), error.range, types.CodeActionContext(diagnostics=[error])))
    [fix] = [a for a in actions if a.title == "declare handler chrage"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert [d.code for d in fix.diagnostics] == ["N203"]
    fixed = apply(text, fix.edit.changes[uri])
    assert 'handler chrage(order_id: str, amount: float) -> float = "shop_handlers:chrage"' in fixed
    change(client, uri, 2, fixed)
    assert not [d for d in await diagnostics(client, uri, 2) if d.severity == types.DiagnosticSeverity.Error]
    rewrites = await client.text_document_code_action_async(types.CodeActionParams(
        doc(uri), types.Range(position_of(fixed, "await"), position_of(fixed, "await")),
        types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor])))
    assert rewrites == [] or all(a.kind == types.CodeActionKind.RefactorRewrite for a in rewrites)


async def test_formatting_the_document_and_a_range(client):
    messy = "module m\nevent   E {id:str}\nevent F { id: str }\n"
    uri = open_document(client, "messy.coord", messy)
    await diagnostics(client, uri, 1)
    options = types.FormattingOptions(tab_size=4, insert_spaces=True)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(doc(uri), options))
    assert apply(messy, edits) == "module m\nevent E { id: str }\nevent F { id: str }\n"
    ranged = await client.text_document_range_formatting_async(types.DocumentRangeFormattingParams(
        doc(uri), types.Range(types.Position(2, 0), types.Position(2, 5)), options))
    assert not ranged  # the third line is canonical already
    broken = open_document(client, "broken.coord", "module m\nevent E {\n")
    await diagnostics(client, broken, 1)
    assert not await client.text_document_formatting_async(types.DocumentFormattingParams(doc(broken), options))


# ---------------------------------------------------------------- presentation

async def test_semantic_tokens_and_folding(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(doc(uri)))
    data = tokens.data
    assert data and len(data) % 5 == 0
    legend = client.initialized.capabilities.semantic_tokens_provider.legend.token_types
    line = char = 0
    decoded = []
    for i in range(0, len(data), 5):
        line += data[i]
        char = data[i + 1] if data[i] else char + data[i + 1]
        decoded.append((line, char, data[i + 2], legend[data[i + 3]]))
    workflow_line = position_of(text, "workflow Order").line
    assert (workflow_line, 0, len("workflow"), "keyword") in decoded
    assert (workflow_line, len("workflow "), len("Order"), "class") in decoded
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(doc(uri)))
    assert any(f.start_line == workflow_line and f.end_line > workflow_line for f in folds)


# ---------------------------------------------------------------- between the lines

async def test_inlay_hints_show_inferred_types_and_retry_budgets_and_can_be_switched_off(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    whole = types.Range(types.Position(0, 0), types.Position(len(text.splitlines()), 0))
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(doc(uri), whole))
    shown = {(h.position.line, h.position.character, h.label) for h in hints}
    assert (position_of(text, "paid =").line, position_of(text, " = do").character, ": float") in shown
    assert (position_of(text, "with gateway").line, position_of(text, "with gateway", len("with gateway")).character,
            " ≤ 2s") in shown
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"coordlang": {"inlayHints": {"types": False}}}))
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(doc(uri), whole))
    assert [h.label for h in hints] == [" ≤ 2s"]


async def test_code_lenses_run_debug_and_graph_each_workflow(client):
    text = (client.folder / "shop.coord").read_text(encoding="utf-8")
    uri = open_document(client, "shop.coord", text)
    await diagnostics(client, uri, 1)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc(uri)))
    assert [(lens.command.command, list(lens.command.arguments)) for lens in lenses] == [
        ("coordlang.run", [uri, "Order"]), ("coordlang.debug", [uri, "Order"]), ("coordlang.showGraph", [uri, "Order"])]
    assert {lens.range.start.line for lens in lenses} == {position_of(text, "workflow Order").line}
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"coordlang": {"codeLens": {"debug": False}}}))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc(uri)))
    assert [lens.command.command for lens in lenses] == ["coordlang.run", "coordlang.showGraph"]


# ---------------------------------------------------------------- hints

WAITS = """\
event Order { id: str }
event Paid { id: str }
event Declined { id: str }

workflow Checkout on Order as o key id {
    select {
        on Paid as p { }
        on Declined as d { fail "declined" }
    }
    complete
}
"""


async def test_a_select_without_a_timeout_gets_a_hint_and_its_quick_fix(client):
    uri = open_document(client, "waits.coord", WAITS)
    found = [d for d in await diagnostics(client, uri, 1) if d.code == "O604"]
    assert len(found) == 1
    [hint] = found
    assert hint.severity == types.DiagnosticSeverity.Information
    assert hint.range.start == position_of(WAITS, "select")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        doc(uri), hint.range, types.CodeActionContext(diagnostics=[hint])))
    [action] = [a for a in actions if a.diagnostics and a.diagnostics[0].code == "O604"]
    assert action.kind == types.CodeActionKind.QuickFix
    fixed = apply(WAITS, action.edit.changes[uri])
    assert '        on Declined as d { fail "declined" }\n        after 1h { fail ' in fixed
    change(client, uri, 2, fixed)
    assert [d.code for d in await diagnostics(client, uri, 2)] == []


CALLS = """module m
event E { id: str, n: int }
workflow Child(id: str) key id -> bool { complete true }
workflow W on E as e key id {
    let ok = call Child(id: e.id)
    emit E { id: e.id, n: 1 }
    complete ok
}
"""


async def test_completion_after_call_and_inside_emit(client):
    uri = open_document(client, "calls.coord", CALLS)
    await diagnostics(client, uri, 1)

    async def labels(needle: str, delta: int) -> set[str]:
        result = await client.text_document_completion_async(
            types.CompletionParams(doc(uri), position_of(CALLS, needle, delta)))
        return {item.label for item in (result.items if isinstance(result, types.CompletionList) else result)}

    assert "Child" in await labels("call Child", len("call "))
    assert {"id", "n"} <= await labels("emit E { id", len("emit E { "))


async def test_use_completes_patterns_and_definition_goes_into_std(client):
    import shutil
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "travel_booking"
    for name in ("travel_booking.coord", "common.coord"):
        shutil.copy(example / name, client.folder / name)
    text = (client.folder / "travel_booking.coord").read_text(encoding="utf-8")
    uri = open_document(client, "travel_booking.coord", text)
    await diagnostics(client, uri, 1)
    result = await client.text_document_completion_async(
        types.CompletionParams(doc(uri), position_of(text, "use saga(", len("use "))))
    labels = {item.label for item in (result.items if isinstance(result, types.CompletionList) else result)}
    assert {"saga", "reserve"} <= labels
    found = await client.text_document_definition_async(
        types.DefinitionParams(doc(uri), position_of(text, "use saga(", len("use s"))))
    location = found[0] if isinstance(found, list) else found
    assert location.uri.endswith("/coordlang/std/saga.coord")
