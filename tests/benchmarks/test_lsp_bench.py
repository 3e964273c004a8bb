"""``benchmarks/lsp.py`` on a tiny document: it starts ``coord lsp`` and measures every
figure. About 5 s on two cores.

Small inputs only; the figures themselves come from ``python -m benchmarks.lsp``, never from
tests, so nothing here holds a figure to a target.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import lsp  # noqa: E402
from tests.syntax.generate import generate_document  # noqa: E402


def test_the_probes_spread_over_the_document_and_each_kind() -> None:
    document = lsp.Document(generate_document(1_000, seed=1))
    for where in (lsp.COMPLETION_AT, lsp.HOVER_AT):
        probes = document.probes(where, 30)
        assert len(probes) == 30
        assert {what for what, _ in probes} == {what for what, _ in where}
        lines = [p.line for _, p in probes]
        assert min(lines) < 200 and max(lines) > 800
    at = document.edit_at()
    assert document.text.splitlines()[at.line][at.character:].startswith("unit ")


def test_main_measures_every_figure(tmp_path: Path, capsys) -> None:
    out = tmp_path / "lsp.json"
    results = lsp.main(["--lines", "200", "--requests", "5", "--edits", "2", "--json", str(out)])
    printed = capsys.readouterr().out
    for label in lsp.FIGURES.values():
        assert label in printed
    assert "debounce" in printed

    written = json.loads(out.read_text())
    assert written == json.loads(json.dumps(results))
    assert {"date", "machine", "command", "debounce_s", "requests", "edits", "sizes"} <= written.keys()
    assert written["machine"]["cores"] and written["machine"]["python"]
    size = written["sizes"]["200"]
    assert size["figures"].keys() == lsp.FIGURES.keys()
    assert all(math.isfinite(v) and v > 0 for v in size["figures"].values())
    assert size["errors"] == 0  # the generated document checks clean, and the edits keep it so
    assert len(size["samples_ms"]["edit_diagnostics"]) == len(size["samples_ms"]["burst_diagnostics"]) == 2
    # A burst is analysed once it pauses for the debounce; a lone edit at once.
    assert size["figures"]["burst_diagnostics_ms"] >= written["debounce_s"] * 1000
    assert size["completion_items_mean"] > 0 and size["hovers_answered"] == 5
