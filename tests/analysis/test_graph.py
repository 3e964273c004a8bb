"""The workflow graph (coordlang.analysis.graph): goldens of every example's graphs, the
properties a debugger and a diagram rely on (every place the compiled program can stand maps to
a node, every node is reachable, spans nest), edge cases, and damaged programs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from mutations import mutated_programs

from coordlang.analysis import analyze, analyze_file
from coordlang.analysis.graph import EDGE_KINDS, NODE_KINDS, WorkflowGraph, graph_at, node_at, workflow_graphs
from coordlang.ir.compile import compile_program

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/*/*.coord"))
GOLDEN = Path(__file__).parent / "golden" / "graph"


def dump(graph: WorkflowGraph) -> str:
    """Nodes indented under their parents (region in brackets), then the edges."""
    lines = [f"{graph.title} ({graph.kind})"]
    depth: dict[int, int] = {}
    for n in graph.nodes:
        depth[n.id] = 0 if n.parent is None else depth[n.parent] + 1
        region = f"[{n.region}] " if n.region else ""
        extra = "".join(f"  ({x})" for x in (n.detail, n.wait_label and f"label {n.wait_label}") if x)
        lines.append(f"{'  ' * (depth[n.id] + 1)}{region}{n.id} {n.kind}: {n.label}{extra}")
    for e in graph.edges:
        lines.append(f"  {e.source} -> {e.target} {e.kind}" + (f" {e.label}" if e.label else ""))
    return "\n".join(lines) + "\n"


def check_shape(graph: WorkflowGraph, reachable: bool = True) -> None:
    """What holds for every graph: ids are indexes, kinds are known, spans nest inside the
    declaration and inside the parent; and, in a program without dead code, every node is
    reachable from the start."""
    assert graph.nodes[0].kind == "start"
    for i, node in enumerate(graph.nodes):
        assert node.id == i and node.kind in NODE_KINDS, node
        assert graph.span.start <= node.span.start <= node.span.end <= graph.span.end, node
        if node.parent is not None:
            parent = graph.nodes[node.parent].span
            assert parent.start <= node.span.start and node.span.end <= parent.end, node
    for edge in graph.edges:
        assert edge.kind in EDGE_KINDS, edge
        assert 0 <= edge.source < len(graph.nodes) and 0 <= edge.target < len(graph.nodes), edge
    json.dumps(graph.to_dict())
    if not reachable:
        return
    seen, todo = {0}, [0]
    while todo:
        for edge in graph.successors(todo.pop()):
            if edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    assert seen == set(range(len(graph.nodes))), f"unreachable: {set(range(len(graph.nodes))) - seen}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_graphs(path: Path, golden) -> None:
    analysis = analyze_file(path, path.read_text(encoding="utf-8"))
    graphs = workflow_graphs(analysis)
    if not graphs:
        assert path.name == "common.coord"  # travel_booking's shared events: nothing runs
        return
    for graph in graphs:
        check_shape(graph)
    golden.check(GOLDEN / f"{path.stem}.txt", "\n".join(dump(g) for g in graphs))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_place_the_program_stands_maps_to_a_node(path: Path) -> None:
    """Each span the compiled program points at (the debugger's locations), in this file or in
    one it imports, lies in a graph of that file, and in a node of it that holds the span."""
    analysis = analyze_file(path, path.read_text(encoding="utf-8"))
    graphs = {analysis.path: workflow_graphs(analysis)}
    refs = [ref for ref in compile_program(analysis).spans if ref.path is not None]
    for ref in refs:
        if ref.path not in graphs:
            graphs[ref.path] = workflow_graphs(analyze_file(ref.path, ref.path.read_text(encoding="utf-8")))
        span = ref.span
        graph = graph_at(graphs[ref.path], span.start)
        if graph is None:  # a handler's, policy's or event's declaration
            continue
        node = node_at(graph, span.start)
        assert node is not None, (graph.title, span)
        if span == graph.span:  # a reaction or stream as a whole
            assert node.kind == "start"
        else:
            assert node.span.start <= span.start and span.end <= node.span.end, (node, span)


SOURCE = """\
event Go { id: str, n: int }
event Ok { id: str }
handler h(n: int) -> int = "m:h"
handler undo(n: int) -> bool = "m:undo"
policy p = retry(attempts: 2, backoff: fixed(1s))

workflow W on Go as g key id {
    let a = 1
    a = a + 1
    let r = do h(g.n) with p compensate undo(r)
    if a > 1 {
        emit Ok { id: g.id }
    } elif a > 0 {
        sleep 1s
    } else {
        fail "no"
    }
    try {
        label wait_ok
        await Ok as ok within 5s
    } catch Timeout as e {
        a = 0
    } catch {
        complete 0
    }
    race {
        { fail "left" }
        { complete 1 }
    }
}

workflow Empty on Ok as o key id { }
"""


def graphs_of(text: str) -> dict[str, WorkflowGraph]:
    return {g.title: g for g in workflow_graphs(analyze(text))}


def test_edge_cases_shape() -> None:
    graphs = graphs_of(SOURCE)
    w = graphs["W v1"]
    check_shape(w)
    kinds = [n.kind for n in w.nodes]
    assert kinds == ["start", "set", "do", "compensate", "if", "emit", "if", "sleep", "fail", "try", "await",
                     "catch", "set", "catch", "complete", "race", "fail", "complete"]
    by_label = {n.label: n for n in w.nodes}
    assert w.nodes[1].label == "set a" and w.nodes[1].detail == "let a = 1; a = a + 1"
    assert by_label["r = do h"].detail == "with p"
    assert by_label["await Ok as ok"].wait_label == "wait_ok"
    # The `if`'s no edge goes to the `elif`, whose no edge goes to the else body.
    first_if, elif_ = (n for n in w.nodes if n.kind == "if")
    assert elif_.label == "elif a > 0"
    assert {(e.kind, w.nodes[e.target].kind) for e in w.successors(first_if.id)} == {("yes", "emit"), ("no", "if")}
    assert {(e.kind, w.nodes[e.target].kind) for e in w.successors(elif_.id)} == {("yes", "sleep"), ("no", "fail")}
    # Each catch hangs off the try by an error edge; a catch-all is "any".
    try_ = next(n for n in w.nodes if n.kind == "try")
    assert [(e.kind, e.label) for e in w.successors(try_.id) if e.kind == "error"] == [("error", "Timeout"),
                                                                                         ("error", "any")]
    # Both race branches end the instance: no join, and nothing after it.
    assert "join" not in kinds and "end" not in kinds
    empty = graphs["Empty v1"]
    assert [n.kind for n in empty.nodes] == ["start", "end"]
    assert [(e.source, e.target, e.kind) for e in empty.edges] == [(0, 1, "next")]


def test_node_at_finds_the_innermost_node() -> None:
    graphs = workflow_graphs(analyze(SOURCE))
    at = lambda needle: node_at(graph_at(graphs, SOURCE.index(needle)), SOURCE.index(needle))  # noqa: E731
    assert at("undo(r)").kind == "compensate"
    assert at("do h(g.n)").label == "r = do h"
    assert at("Ok { id: g.id }").kind == "emit"
    assert at("label wait_ok").kind == "await"  # the label's line belongs to its wait
    assert at("} elif").kind == "if" and at("} elif").label.startswith("if ")
    assert at("a > 0").label == "elif a > 0"
    assert at("a = 0").label == "set a"
    assert at("Go as g").kind == "start"
    assert graph_at(graphs, SOURCE.index("handler h")) is None


def test_to_dict_is_json_with_offsets() -> None:
    graph = graphs_of(SOURCE)["Empty v1"]
    data = json.loads(json.dumps(graph.to_dict()))
    assert data["name"] == "Empty" and data["kind"] == "workflow" and data["version"] == 1
    assert [n["kind"] for n in data["nodes"]] == ["start", "end"]
    start = data["nodes"][0]
    assert SOURCE[start["span"]["start"]:start["span"]["end"]].startswith("workflow Empty on Ok")
    assert data["edges"] == [{"source": 0, "target": 1, "kind": "next", "label": ""}]


@settings(max_examples=3 * settings.default.max_examples)
@given(mutated_programs())
def test_damaged_programs_still_give_graphs(text: str) -> None:
    analysis = analyze(text)
    for graph in workflow_graphs(analysis):
        check_shape(graph, reachable=False)
        for offset in (graph.span.start, (graph.span.start + graph.span.end) // 2):
            node_at(graph, offset)
