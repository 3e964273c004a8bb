"""Every example, end to end: compile the .coord, read events.jsonl, run the interpreter, and
compare the outcomes and counters with the golden files (``pytest --update-goldens`` rewrites
them; review the diff against the example's README)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from coordlang.ir import nodes as ir
from coordlang.ir.compile import compile_file
from coordlang.runtime.executor import Event, RunResult
from coordlang.runtime.interpreter import Interpreter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/*.coord") if p.stem == p.parent.name)
GOLDEN = Path(__file__).parent / "golden"


def read_events(program: ir.Program, path: Path) -> list[Event]:
    try:
        from coordlang.runtime.events import read_events as reader
    except ImportError:  # the events reader is not there yet: plain JSON Lines
        return _json_lines(path)
    return reader(program, path)


def _json_lines(path: Path) -> list[Event]:
    events = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        kind = record.pop("event")
        stamp = record.pop("time")
        when = float(stamp) if isinstance(stamp, (int, float)) else datetime.fromisoformat(stamp).timestamp()
        events.append(Event(kind, when, record, f"{path.name}:{number}"))
    return events


def run_example(folder: Path) -> RunResult:
    program = compile_file(folder / f"{folder.name}.coord")
    interpreter = Interpreter(program)
    interpreter.feed(read_events(program, folder / "events.jsonl"))
    result = interpreter.finish()
    assert interpreter.state.faults == []
    return result


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_outcomes_and_counters(folder: Path, golden) -> None:
    result = run_example(folder)
    outcomes = "".join(json.dumps(o.as_json()) + "\n" for o in result.outcomes)
    stats = {**result.counters, "events": result.events}
    golden.check(GOLDEN / f"{folder.name}.outcomes.jsonl", outcomes)
    golden.check(GOLDEN / f"{folder.name}.stats.json", json.dumps(stats, indent=2) + "\n")


def test_every_example_is_covered() -> None:
    assert len(EXAMPLES) >= 8


def test_a_second_run_gives_the_same_outcomes() -> None:
    folder = ROOT / "examples" / "payment_retries"  # jittered retries: the seeds make them repeat
    first, second = run_example(folder), run_example(folder)
    assert first.outcomes == second.outcomes and first.counters == second.counters
