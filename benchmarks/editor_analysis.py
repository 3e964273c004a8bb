"""Editor workload, the analysis part: how long the core takes on a generated document.

Measures, on generated documents of 1,000 and 10,000 lines (``tests/syntax/generate.py``):
tokenize, parse, check, the optimization hints (the O6xx pass analyze runs after the check),
analyze (parse + check + hints, what an editor waits for before the first diagnostics), the
editor queries (outline, folding, semantic tokens), format, and a 1-character
edit re-analyzed: from scratch, and from the previous version's analysis as the language
server does (``analyze(..., previous=...)``, which re-parses only the declarations the edit
touched). Each figure is the median of several runs in one process.

    python benchmarks/editor_analysis.py [--runs 7] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coordlang.analysis import analyze, folding_ranges, outline, semantic_tokens  # noqa: E402
from coordlang.analysis.hints import optimization_hints  # noqa: E402
from coordlang.format import format_parsed  # noqa: E402
from coordlang.semantics import ModuleCache, check  # noqa: E402
from coordlang.syntax import parse  # noqa: E402
from coordlang.syntax.tokens import tokenize  # noqa: E402
from tests.syntax.generate import generate_document  # noqa: E402


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def one_char_edit(text: str) -> str:
    """Insert one character into a variable name in the middle of the document (a typo:
    the edited document has a new diagnostic)."""
    middle = text.index("    let ", len(text) // 2)
    at = middle + len("    let ") + 1
    return text[:at] + "x" + text[at:]


def case_flip(text: str) -> str:
    """Change the case of one letter of a comment in the middle of the document (the language
    server benchmark's edit: nothing moves, nothing else changes)."""
    at = text.index("# ---- unit ", len(text) // 2) + len("# ---- ")
    return text[:at] + text[at].swapcase() + text[at + 1:]


def measure(lines: int, runs: int) -> dict[str, float]:
    text = generate_document(lines, seed=1)
    result = parse(text)
    assert not result.diagnostics, "the generated document must parse clean"
    edited = one_char_edit(text)
    flipped = case_flip(text)
    model = check(result, None, cache=ModuleCache())
    before = analyze(text)
    figures = {
        "tokenize": median_ms(lambda: tokenize(text), runs),
        "parse": median_ms(lambda: parse(text), runs),
        "check": median_ms(lambda: check(result, None, cache=ModuleCache()), runs),
        "optimization hints": median_ms(lambda: optimization_hints(result.module, model, text), runs),
        "analyze (first diagnostics)": median_ms(lambda: analyze(text), runs),
        "outline + folding + semantic tokens": median_ms(
            lambda: (outline(result.module), folding_ranges(result.module, result.comments, result.lines),
                     semantic_tokens(result.module, result.tokens, result.comments)), runs),
        "format": median_ms(lambda: format_parsed(result), runs),
        "1-character edit, re-analyzed": median_ms(lambda: analyze(edited), runs),
        "the same, from the previous analysis": median_ms(lambda: analyze(edited, previous=before), runs),
        "a comment's letter changes case, from the previous analysis": median_ms(
            lambda: analyze(flipped, previous=before), runs),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {platform.processor() or '?'}, "
               f"Python {platform.python_version()}", "ms": {}}
    for lines in (1_000, 10_000):
        figures = measure(lines, args.runs)
        results["ms"][lines] = figures
    names = list(results["ms"][1_000])
    width = max(map(len, names))
    print(f"{'median ms':{width}} {'1,000 lines':>12} {'10,000 lines':>13}")
    for name in names:
        print(f"{name:{width}} {results['ms'][1_000][name]:12.1f} {results['ms'][10_000][name]:13.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
