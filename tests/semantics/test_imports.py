"""Imports: relative files, the standard library, cycles, editor buffers and the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.semantics import FileSystemProvider, ModuleCache, OverlayProvider, SymbolKind, check
from coordlang.semantics.loader import digest
from coordlang.syntax import parse


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _check(path: Path, provider=None, cache=None):
    return check(parse(path.read_text(encoding="utf-8")), path, provider, cache=cache or ModuleCache())


def _codes(model) -> list[str]:
    return [d.code for d in model.diagnostics]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    _write(tmp_path, "shared/events.coord", "module shared.events\n"
                                            "event Paid { id: str, amount: float }\n"
                                            'handler pay(id: str) -> bool = "m:pay"\n')
    _write(tmp_path, "main.coord", 'import "shared/events.coord"\n'
                                   "workflow W on Paid as p key id {\n"
                                   "    do pay(p.id)\n"
                                   "    complete p.amount\n"
                                   "}\n")
    return tmp_path


def test_relative_import_brings_declarations(project: Path) -> None:
    model = _check(project / "main.coord")
    assert _codes(model) == []
    paid = model.symbol_named("Paid")
    assert paid.kind is SymbolKind.EVENT and paid.path == (project / "shared/events.coord").resolve()
    text = (project / "shared/events.coord").read_text()
    assert text[paid.span.start:paid.span.end] == "Paid"
    (info,) = model.imports
    assert info.path == (project / "shared/events.coord").resolve() and set(info.names) == {"Paid", "pay"}
    # The reference to the imported field resolves to the field declared in the other file.
    main = (project / "main.coord").read_text()
    at = main.index("p.amount") + 2
    ref = model.reference_at(at)
    assert ref.symbol.kind is SymbolKind.FIELD and ref.symbol.path == paid.path
    assert model.dependencies and model.dependencies[0][0] == paid.path


def test_declarations_of_imports_are_not_this_documents(project: Path) -> None:
    model = _check(project / "main.coord")
    assert all(s.path == project / "main.coord" for s in model.symbols)
    assert "Paid" not in model.interface.declarations and "W" in model.interface.declarations


def test_missing_file_and_std_module(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.coord", 'import "nope.coord"\nimport std.not_a_module\nimport std.saga\n')
    model = _check(path)
    assert _codes(model) == ["N214", "N214", "N219"]
    assert model.imports[0].path is None and model.imports[2].path is not None
    assert "step" in model.imports[2].names


def test_document_without_a_path_imports_relative_to_the_working_directory(project: Path, monkeypatch) -> None:
    monkeypatch.chdir(project)
    model = check(parse('import "shared/events.coord"\nevent Local { id: str }\n'), None, cache=ModuleCache())
    assert model.symbol_named("Paid") is not None and _codes(model) == ["N219"]


def test_cycle_is_reported_by_each_module_of_it(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.coord", 'import "b.coord"\nevent A { id: str }\n')
    b = _write(tmp_path, "b.coord", 'import "c.coord"\nevent B { id: str }\n')
    _write(tmp_path, "c.coord", 'import "a.coord"\nevent C { id: str }\n')
    cache = ModuleCache()
    model = _check(a, cache=cache)
    assert "N215" in _codes(model)
    message = next(d.message for d in model.diagnostics if d.code == "N215")
    assert message == "import cycle: a.coord → b.coord → c.coord → a.coord"
    # b is in the cycle too: checked on its own, it reports it.
    assert "N215" in _codes(_check(b, cache=cache))


def test_self_import(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.coord", 'import "a.coord"\nevent A { id: str }\n')
    assert _codes(_check(a)) == ["N215"]


def test_module_outside_the_cycle_does_not_report_it(tmp_path: Path) -> None:
    main = _write(tmp_path, "main.coord", 'import "a.coord"\nworkflow W on A as a key id { complete }\n')
    _write(tmp_path, "a.coord", 'import "b.coord"\nevent A { id: str }\n')
    _write(tmp_path, "b.coord", 'import "a.coord"\nevent B { id: str }\n')
    assert _codes(_check(main)) == []


def test_clash_between_imports_and_with_a_local_declaration(tmp_path: Path) -> None:
    _write(tmp_path, "one.coord", "event Paid { id: str }\n")
    _write(tmp_path, "two.coord", "event Paid { id: str }\nevent Other { id: str }\n")
    main = _write(tmp_path, "main.coord", 'import "one.coord"\nimport "two.coord"\nevent Other { id: int }\n'
                                          "workflow W on Paid as p key id { await Other as o\n complete }\n")
    model = _check(main)
    clashes = [d for d in model.diagnostics if d.code == "N209"]
    assert len(clashes) == 2 and all(d.span.start < main.read_text().index("event") for d in clashes)
    # The local declaration wins: Other.id is an int here, so the await does not correlate.
    assert "W402" in _codes(model)


def test_editor_buffers_override_the_disk(project: Path) -> None:
    events = project / "shared/events.coord"
    provider = OverlayProvider({events: "event Paid { id: str }\n"})
    model = _check(project / "main.coord", provider=provider)
    assert "N203" in _codes(model) and "N207" in _codes(model)


def test_cache_is_invalidated_by_any_dependency(tmp_path: Path) -> None:
    main = _write(tmp_path, "main.coord", 'import "mid.coord"\nevent E { id: str }\n'
                                          "workflow W on E as e key id {\n    use wait_deep()\n}\n")
    mid = _write(tmp_path, "mid.coord", 'import "deep.coord"\npattern wait_deep() {\n    await Deep as d\n}\n')
    deep = _write(tmp_path, "deep.coord", "event Deep { id: str }\n")
    cache = ModuleCache()
    assert _codes(_check(main, cache=cache)) == []
    provider = FileSystemProvider()
    cached = cache.get(mid.resolve(), digest(mid.read_text()), provider)
    assert cached is not None
    assert _check(main, cache=cache) is not None
    assert cache.get(mid.resolve(), digest(mid.read_text()), provider) is cached
    # mid's text is unchanged, but what it imports changed: its cache entry is stale.
    deep.write_text("event Deep { other: str }\n", encoding="utf-8")
    assert cache.get(mid.resolve(), digest(mid.read_text()), provider) is None
    assert _codes(_check(main, cache=cache)) == ["W401"]


def test_imports_are_not_transitive(tmp_path: Path) -> None:
    main = _write(tmp_path, "main.coord", 'import "mid.coord"\nworkflow W on Deep as d key id { complete }\n')
    _write(tmp_path, "mid.coord", 'import "deep.coord"\nevent Mid { id: str }\n')
    _write(tmp_path, "deep.coord", "event Deep { id: str, n: int }\n")
    assert sorted(_codes(_check(main))) == ["N202", "N219"]


def test_imported_pattern_needs_are_checked_at_the_use(tmp_path: Path) -> None:
    _write(tmp_path, "lib.coord", "pattern twice(h: handler, id: str) {\n    do h(id)\n    do h(id, 1)\n}\n")
    main = _write(tmp_path, "main.coord", 'import "lib.coord"\n'
                                          "event E { id: str }\n"
                                          'handler one(id: str) -> bool = "m:one"\n'
                                          "workflow W on E as e key id {\n    use twice(one, e.id)\n}\n")
    model = _check(main)
    assert _codes(model) == ["T304"]
    (d,) = model.diagnostics
    assert d.related and d.related[0].path == str((tmp_path / "lib.coord").resolve())


def test_imported_workflow_versions_migrate(tmp_path: Path) -> None:
    _write(tmp_path, "flows.coord", "event E { id: str }\n"
                                    "workflow W on E as e key id version 1 {\n    label a\n    sleep 1s\n}\n"
                                    "workflow W on E as e key id version 2 {\n    label b\n    sleep 1s\n}\n")
    main = _write(tmp_path, "main.coord", 'import "flows.coord"\nmigrate W 1 -> 2 { a -> b }\n')
    model = _check(main)
    assert _codes(model) == []
    labels = [r.symbol for r in model.references if r.symbol.kind is SymbolKind.LABEL]
    assert [s.name for s in labels] == ["a", "b"] and all(s.path == (tmp_path / "flows.coord").resolve() for s in labels)
