"""``coord graph``: every example in every format, goldens for the order saga, and errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coordlang.analysis import analyze_file, workflow_graphs
from coordlang.analysis.graph_render import FORMATS, KIND_GROUPS
from coordlang.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/*.coord"))
GOLDEN = Path(__file__).resolve().parent / "golden"
ID = r"w\d+n\d+"
SUFFIXES = {"mermaid": "mmd", "dot": "dot", "json": "json"}


def graph(capsys, *args: str) -> str:
    assert main(["graph", *args]) == 0
    return capsys.readouterr().out


def node_count(path: Path) -> int:
    return sum(len(g.nodes) for g in workflow_graphs(analyze_file(path, path.read_text())))


def check_dot(text: str, nodes: int) -> None:
    """Braces balance outside strings; each node is declared once; edges join declared nodes."""
    depth = 0
    for line in text.splitlines():
        bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        assert '"' not in bare.replace('""', ""), f"an unclosed string: {line}"
        depth += bare.count("{") - bare.count("}")
        assert depth >= 0, line
    assert depth == 0
    assert text.startswith("digraph coord {")
    declared = re.findall(rf"^\s*({ID}) \[label=", text, re.M)
    assert len(declared) == len(set(declared)) == nodes
    edges = re.findall(rf"^\s*({ID}) -> ({ID})[ ;]", text, re.M)
    assert (edges or not nodes) and all(a in declared and b in declared for a, b in edges)


def check_mermaid(text: str, nodes: int) -> None:
    """Every line is a header, a class, a subgraph's start or end, a node or an edge; labels
    hold no raw double quote; each node is declared once; edges join declared nodes."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    declared, edges, depth = [], [], 0
    families = "|".join(set(KIND_GROUPS.values()))
    for line in lines[1:]:
        if m := re.fullmatch(rf'\s*({ID})(\(\[|\[/|\{{\{{|\[\[|\[)"[^"]*"(\]\)|/\]|\\\]|\}}\}}|\]\]|\]):::({families})',
                             line):
            declared.append(m.group(1))
        elif m := re.fullmatch(rf'\s*({ID}) (-->|-\.->)(\|"[^"]*"\|)? ({ID})', line):
            edges.append((m.group(1), m.group(4)))
        elif re.fullmatch(r'\s*subgraph w\d+\["[^"]*"\]', line):
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0
        else:
            assert re.fullmatch(r"\s*(classDef \w+ \S+( \d+)?|direction TB)", line), line
    assert depth == 0
    assert len(declared) == len(set(declared)) == nodes
    assert (edges or not nodes) and all(a in declared and b in declared for a, b in edges)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_in_every_format(path: Path, capsys) -> None:
    nodes = node_count(path)
    check_mermaid(graph(capsys, str(path)), nodes)
    check_dot(graph(capsys, str(path), "--format", "dot"), nodes)
    drawn = json.loads(graph(capsys, str(path), "--format", "json"))
    assert drawn["file"] == str(path)
    assert sum(len(w["nodes"]) for w in drawn["workflows"]) == nodes
    for workflow in drawn["workflows"]:
        ids = {n["id"] for n in workflow["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in workflow["edges"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_order_saga_golden(fmt: str, capsys, monkeypatch, golden) -> None:
    monkeypatch.chdir(ROOT)  # the JSON names the file as given: a path that is the same everywhere
    out = graph(capsys, "examples/order_saga/order_saga.coord", "--format", fmt)
    golden.check(GOLDEN / f"order_saga.{SUFFIXES[fmt]}", out)


def test_workflow_picks_by_name_or_title(capsys) -> None:
    saga = str(ROOT / "examples/order_saga/order_saga.coord")

    def titles(name: str) -> list[str]:
        drawn = json.loads(graph(capsys, saga, "--format", "json", "--workflow", name))
        return [w["title"] for w in drawn["workflows"]]

    assert titles("Order") == ["Order v1", "Order v2"]
    assert titles("Order v2") == ["Order v2"]


def coord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coordlang", *args], capture_output=True, text=True, timeout=120)


def test_unknown_workflow_is_a_usage_error() -> None:
    result = coord("graph", str(ROOT / "examples/order_saga/order_saga.coord"), "--workflow", "Nope")
    assert result.returncode == 2
    assert result.stderr.startswith("coord: ") and "no workflow named 'Nope' (it declares: Order" in result.stderr
    assert "Traceback" not in result.stderr


def test_out_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "saga.dot"
    result = coord("graph", str(ROOT / "examples/order_saga/order_saga.coord"), "--format", "dot", "--out", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert out.read_text().startswith("digraph coord {")


def test_errors_are_printed_and_nothing_drawn(tmp_path: Path) -> None:
    f = tmp_path / "broken.coord"
    f.write_text("event E { id: str }\nworkflow W on E as e key id {\n    let x = = 1\n    complete\n}\n")
    result = coord("graph", str(f))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"{f}:3:13: error P101 unexpected '='; expected an expression"
    assert result.stderr.splitlines()[-1] == f"{f}: not drawn: 1 error"
