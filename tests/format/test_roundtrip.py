"""Random programs round-trip: they parse cleanly, format idempotently, keep every comment and
mean the same (the tree, spans aside).

The programs come from ``tests/strategies.py``. The number of examples follows the Hypothesis
profile (``tests/conftest.py``): ``COORD_HYPOTHESIS_PROFILE=long`` runs 5,000 instead of 300.
"""

from __future__ import annotations

import os

from hypothesis import given, settings

from coordlang.syntax import parse
from .helpers import check_round_trip
from strategies import expressions, modules, statements

LONG = os.environ.get("COORD_HYPOTHESIS_PROFILE") == "long"


@settings(max_examples=5_000 if LONG else 300)
@given(modules())
def test_modules_round_trip(text: str) -> None:
    check_round_trip(text)


@settings(max_examples=2_000 if LONG else 100)
@given(modules(with_comments=False, max_depth=4))
def test_deep_modules_round_trip(text: str) -> None:
    check_round_trip(text)


@settings(max_examples=1_000 if LONG else 100)
@given(statements())
def test_statements_round_trip(text: str) -> None:
    check_round_trip("workflow W on E as e key id {\n" + text + "\n}\n")


@settings(max_examples=1_000 if LONG else 100)
@given(expressions())
def test_expressions_round_trip(text: str) -> None:
    source = f"policy p = {text}\n"
    assert not parse(source).diagnostics, source
    check_round_trip(source)
