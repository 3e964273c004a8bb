"""The programs the syntax tests run on: the golden cases here and every example."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
EXAMPLES = ROOT / "examples"
STD = ROOT / "coordlang" / "std"


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.coord"))


def example_files() -> list[Path]:
    """Every ``.coord`` under ``examples/`` and the standard library (valid programs)."""
    return sorted(EXAMPLES.rglob("*.coord")) + sorted(STD.glob("*.coord"))


def all_files() -> list[Path]:
    return case_files() + example_files()


def read(path: Path) -> str:
    # newline="" keeps '\r\n' as written: the tokenizer must cope with it.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def file_id(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return path.name
