"""OUTCOMES.jsonl and STATS.json, byte for byte."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordlang.runtime.executor import COUNTERS, Event, Outcome, RunResult
from coordlang.runtime.outcomes import (OutputError, dumps, outcome_line, plain, stats_text, write_outcomes,
                                        write_stats)


def reference(value: object) -> str:
    """The layout the files promise: json.dumps with ", " and ": ", UTF-8 text."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


def test_outcome_lines_exactly() -> None:
    assert outcome_line(Outcome("Order", 2, "o-1", "completed", 120.0)) == (
        '{"workflow": "Order", "version": 2, "key": "o-1", "status": "completed", "value": 120.0, '
        '"message": null}\n')
    assert outcome_line(Outcome("Notify", 1, 7, "failed", None, 'caf\u00e9 "x"\n\ttab\x01')) == (
        '{"workflow": "Notify", "version": 1, "key": 7, "status": "failed", "value": null, '
        '"message": "caf\u00e9 \\"x\\"\\n\\ttab\\u0001"}\n')
    assert outcome_line(Outcome("W", 1, "k", "completed", True)).endswith('"value": true, "message": null}\n')
    assert outcome_line(Outcome("W", 1, "k", "completed", 1e16)).endswith('"value": 1e+16, "message": null}\n')
    assert outcome_line(Outcome("W", 1, "k", "completed", 0.1 + 0.2)).endswith('"value": 0.30000000000000004, '
                                                                            '"message": null}\n')


def test_non_finite_floats_numpy_scalars_and_events() -> None:
    assert [plain(v) for v in (math.nan, math.inf, -math.inf)] == ["NaN", "Infinity", "-Infinity"]
    assert outcome_line(Outcome("W", np.int64(3), np.int64(5), "completed", np.float64(2.5))) == \
        outcome_line(Outcome("W", 3, 5, "completed", 2.5))
    assert type(plain(np.bool_(True))) is bool and type(plain(np.float32(0.5))) is float
    assert plain(Event("Paid", 5.0, {"id": "x", "amount": np.float64(1.0)})) == {
        "event": "Paid", "time": 5.0, "id": "x", "amount": 1.0}
    with pytest.raises(TypeError, match="has no JSON form"):
        plain(object())


def test_lone_surrogates_are_escaped() -> None:
    assert dumps("a\ud800b") == '"a\\ud800b"'
    assert outcome_line(Outcome("W", 1, "k", "failed", None, "\udfff")).encode("utf-8")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8)


@given(json_values)
def test_dumps_is_json_dumps_with_the_chosen_separators(value: object) -> None:
    assert dumps(plain(value)) == reference(value)


@given(st.text(), st.integers(1, 9), json_values, json_values, st.sampled_from(["completed", "failed", "running"]),
       st.one_of(st.none(), st.text()))
def test_outcome_line_is_the_reference_layout(workflow, version, key, value, status, message) -> None:
    outcome = Outcome(workflow, version, key, status, value, message)
    line = outcome_line(outcome)
    assert line == reference(json.loads(line)) + "\n"
    assert list(json.loads(line)) == ["workflow", "version", "key", "status", "value", "message"]


def result() -> RunResult:
    return RunResult(outcomes=[Outcome("Order", 2, "o-1", "completed", 120.0),
                               Outcome("Order", 2, "o-2", "failed", None, "declined")],
                     counters={"completed": 1, "failed": 1, "unrouted": 3}, events=10, seconds=0.1234567891,
                     extra={"load_seconds": 0.5, "compile_seconds": 1 / 3})


def test_stats_exactly() -> None:
    assert stats_text(result()) == (
        '{"completed": 1, "failed": 1, "compensated": 0, "cancelled": 0, "running": 0, "duplicate_start": 0, '
        '"rejected": 0, "unrouted": 3, "inbox_dropped": 0, "events": 10, "seconds": 0.123457, '
        '"load_seconds": 0.5, "compile_seconds": 0.333333}\n')
    assert list(json.loads(stats_text(result()))) == [*COUNTERS, "events", "seconds", "load_seconds",
                                                      "compile_seconds"]


def test_stats_keep_other_figures_after_the_fixed_ones() -> None:
    run = result()
    run.extra["workers"] = 2
    assert stats_text(run).endswith('"compile_seconds": 0.333333, "workers": 2}\n')


def test_writing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, stats = tmp_path / "OUTCOMES.jsonl", tmp_path / "STATS.json"
    assert write_outcomes(out, result().outcomes) == 2
    write_stats(stats, result())
    assert out.read_bytes() == (
        b'{"workflow": "Order", "version": 2, "key": "o-1", "status": "completed", "value": 120.0, "message": null}\n'
        b'{"workflow": "Order", "version": 2, "key": "o-2", "status": "failed", "value": null, '
        b'"message": "declined"}\n')
    assert stats.read_bytes() == stats_text(result()).encode()
    write_outcomes("-", result().outcomes[:1])
    assert capsys.readouterr().out == outcome_line(result().outcomes[0])
    assert write_outcomes(out, []) == 0 and out.read_bytes() == b""


def test_many_outcomes_are_written_in_order(tmp_path: Path) -> None:
    outcomes = [Outcome("W", 1, i, "running") for i in range(10_000)]
    write_outcomes(tmp_path / "o.jsonl", outcomes)
    lines = (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["key"] for line in lines] == list(range(10_000))


def test_unwritable_output(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        write_outcomes(tmp_path, [])
    with pytest.raises(OutputError, match="cannot write"):
        write_stats(tmp_path / "missing" / "STATS.json", result())
