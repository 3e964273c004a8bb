"""The workflow graphs of a document as text: JSON, Mermaid and Graphviz DOT.

``coord graph`` prints these; the language server's ``coord/graph`` request answers the JSON
form with spans turned into LSP ranges. Node ids in Mermaid and DOT are ``w<graph>n<node>``
(``w1n4``: node 4 of the second graph), unique across the document, so one diagram holds every
workflow as a subgraph of its own.
"""

from __future__ import annotations

from typing import Iterable

from coordlang.analysis.graph import WorkflowGraph

FORMATS = ("mermaid", "dot", "json")
"""What :func:`render` writes; the first is ``coord graph``'s default."""

KIND_GROUPS = {
    "start": "terminal", "end": "terminal", "complete": "terminal", "fail": "failure",
    "do": "step", "call": "step", "use": "step", "splice": "step",
    "await": "wait", "select": "wait", "sleep": "timer",
    "if": "branch", "for": "branch", "when": "branch",
    "parallel": "fork", "race": "fork", "join": "fork",
    "try": "error", "catch": "error", "compensate": "compensation",
    "emit": "plain", "set": "plain",
}
"""The style family of each node kind: diagrams style families, not every kind."""

_MERMAID_SHAPES = {
    "terminal": ('(["', '"])'), "failure": ('(["', '"])'), "wait": ('(["', '"])'), "timer": ('[/"', '"/]'),
    "branch": ('{{"', '"}}'), "fork": ('[["', '"]]'), "error": ('[/"', '"\\]'),
    "compensation": ('["', '"]'), "step": ('["', '"]'), "plain": ('["', '"]'),
}
_MERMAID_STYLES = {
    "terminal": "fill:#e8e8e8,stroke:#555", "failure": "fill:#fde2e2,stroke:#b33",
    "step": "fill:#dbe9fb,stroke:#2f6db5", "wait": "fill:#fff1cc,stroke:#b58a00",
    "timer": "fill:#eadcf8,stroke:#7b3fb5", "branch": "fill:#f3f3f3,stroke:#666",
    "fork": "fill:#d9f2df,stroke:#2d8a4a,stroke-width:2px", "error": "fill:#fde2e2,stroke:#b33",
    "compensation": "fill:#fff,stroke:#b33,stroke-dasharray:5 3", "plain": "fill:#fff,stroke:#999",
}
_DOT_SHAPES = {
    "terminal": 'shape=box, style="rounded,filled", fillcolor="#e8e8e8"',
    "failure": 'shape=box, style="rounded,filled", fillcolor="#fde2e2", color="#b33333"',
    "step": 'shape=box, style=filled, fillcolor="#dbe9fb", color="#2f6db5"',
    "wait": 'shape=box, style="rounded,filled", fillcolor="#fff1cc", color="#b58a00"',
    "timer": 'shape=parallelogram, style=filled, fillcolor="#eadcf8", color="#7b3fb5"',
    "branch": 'shape=hexagon, style=filled, fillcolor="#f3f3f3"',
    "fork": 'shape=box, style="filled,bold", fillcolor="#d9f2df", color="#2d8a4a"',
    "error": 'shape=trapezium, style=filled, fillcolor="#fde2e2", color="#b33333"',
    "compensation": 'shape=box, style=dashed, color="#b33333"',
    "plain": 'shape=box, color="#999999"',
}
_DASHED_EDGES = ("compensate", "error", "timeout", "loop")
"""Edges taken only now and then: drawn dashed (a loop, to keep the way forward solid)."""


def named(graphs: Iterable[WorkflowGraph], name: str) -> tuple[WorkflowGraph, ...]:
    """The graphs named ``name`` (every version of a workflow) or titled so (``Order v2``)."""
    return tuple(g for g in graphs if name in (g.name, g.title))


def node_id(graph_index: int, node: int) -> str:
    return f"w{graph_index}n{node}"


def render(graphs: Iterable[WorkflowGraph], fmt: str, file: str = "") -> str:
    """``graphs`` in one of :data:`FORMATS`, ending with a newline."""
    graphs = tuple(graphs)
    if fmt == "mermaid":
        return to_mermaid(graphs)
    if fmt == "dot":
        return to_dot(graphs)
    if fmt == "json":
        import json

        return json.dumps(to_json(graphs, file), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown graph format {fmt!r}")


def to_json(graphs: Iterable[WorkflowGraph], file: str = "") -> dict:
    """``{"file", "workflows": [graph.to_dict() with its title]}``: spans in code-point offsets."""
    return {"file": file, "workflows": [{"title": g.title, **g.to_dict()} for g in graphs]}


def _label(graph: WorkflowGraph, index: int) -> str:
    node = graph.nodes[index]
    tag = f"{node.wait_label}: " if node.wait_label else ""
    return tag + node.label


def _edge_label(kind: str, label: str) -> str:
    return label or ("" if kind in ("next", "branch") else kind)


def to_mermaid(graphs: tuple[WorkflowGraph, ...]) -> str:
    """A Mermaid ``flowchart``: a subgraph per workflow, a class per style family."""

    def text(s: str) -> str:
        # Inside "...": a double quote ends the label, # starts an entity, < > read as HTML.
        return s.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")

    out = ["flowchart TD"]
    for family, style in _MERMAID_STYLES.items():
        out.append(f"    classDef {family} {style}")
    for gi, graph in enumerate(graphs):
        out.append(f'    subgraph w{gi}["{text(graph.title)}"]')
        out.append("        direction TB")
        for node in graph.nodes:
            family = KIND_GROUPS[node.kind]
            left, right = _MERMAID_SHAPES[family]
            out.append(f"        {node_id(gi, node.id)}{left}{text(_label(graph, node.id))}{right}:::{family}")
        for edge in graph.edges:
            arrow = "-.->" if edge.kind in _DASHED_EDGES else "-->"
            label = _edge_label(edge.kind, edge.label)
            middle = f'|"{text(label)}"|' if label else ""
            out.append(f"        {node_id(gi, edge.source)} {arrow}{middle} {node_id(gi, edge.target)}")
        out.append("    end")
    return "\n".join(out) + "\n"


def to_dot(graphs: tuple[WorkflowGraph, ...]) -> str:
    """A Graphviz ``digraph``: a cluster per workflow, top to bottom."""

    def text(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    out = ["digraph coord {", "    rankdir=TB;", '    node [fontname="Helvetica", fontsize=11];',
           '    edge [fontname="Helvetica", fontsize=9];']
    for gi, graph in enumerate(graphs):
        out.append(f"    subgraph cluster_{gi} {{")
        out.append(f"        label={text(graph.title)};")
        for node in graph.nodes:
            family = KIND_GROUPS[node.kind]
            tooltip = f", tooltip={text(node.detail)}" if node.detail else ""
            out.append(f"        {node_id(gi, node.id)} [label={text(_label(graph, node.id))}, "
                       f"{_DOT_SHAPES[family]}{tooltip}];")
        for edge in graph.edges:
            attrs = []
            label = _edge_label(edge.kind, edge.label)
            if label:
                attrs.append(f"label={text(label)}")
            if edge.kind in _DASHED_EDGES:
                attrs.append("style=dashed")
            if edge.kind == "loop":
                attrs.append("constraint=false")
            suffix = f" [{', '.join(attrs)}]" if attrs else ""
            out.append(f"        {node_id(gi, edge.source)} -> {node_id(gi, edge.target)}{suffix};")
        out.append("    }")
    out.append("}")
    return "\n".join(out) + "\n"
