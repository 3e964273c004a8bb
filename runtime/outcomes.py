"""Writing a run's results: ``OUTCOMES.jsonl`` and ``STATS.json``, byte for byte the same
whichever backend ran.

The layout is Python's ``json.dumps(value, ensure_ascii=False, separators=(", ", ": "))``,
encoded as UTF-8, one object per line, each line ending in ``\\n``:

- ``OUTCOMES.jsonl``: one object per instance, in start order, with exactly the keys
  ``workflow, version, key, status, value, message`` in that order.
- ``STATS.json``: one object on one line: the counters in :data:`COUNTERS` order, then
  ``events``, ``seconds``, ``load_seconds``, ``compile_seconds`` (then any other figure the
  caller added). Times are rounded to microseconds.

Values are normalised first, so two backends that hold the same value write the same bytes:
numpy scalars become Python numbers; a float is written as Python's ``repr`` (the shortest
text that reads back to it: ``120.0``, ``0.1``, ``1e+16``); NaN and the infinities, which JSON
cannot hold, are written as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (as
protobuf's JSON mapping does); an event record is ``{"event": TYPE, "time": T, fields...}``;
lone surrogates in strings are ``\\udXXX`` escapes.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import IO, Iterable

import orjson

from coordlang.errors import CoordError
from coordlang.runtime.executor import COUNTERS, Event, Outcome, RunResult

TIMES = ("seconds", "load_seconds", "compile_seconds")
"""The figures of ``STATS.json`` that are durations, rounded to microseconds."""


class OutputError(CoordError):
    """An outcomes or stats file that cannot be written."""


def plain(value: object) -> object:
    """``value`` as the JSON of the output files holds it (see the module's docstring)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else _non_finite(value)  # type: ignore[arg-type]
    if isinstance(value, Event):
        return {"event": value.type, "time": plain(value.time), **{k: plain(v) for k, v in value.fields.items()}}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars, without importing numpy
    if item is not None and callable(item) and getattr(value, "shape", None) == ():
        return plain(item())
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return plain(float(value))
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"an outcome holds a {type(value).__name__}, which has no JSON form: {value!r}")


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def dumps(value: object) -> str:
    """One JSON text in the layout of the output files (``value`` already :func:`plain`)."""
    kind = type(value)
    if kind is str:
        try:
            # orjson escapes exactly as json.dumps(ensure_ascii=False), several times faster.
            return orjson.dumps(value).decode("utf-8")
        except orjson.JSONEncodeError:  # a lone surrogate: escape it, as ensure_ascii would
            return "".join(ch if not 0xD800 <= ord(ch) <= 0xDFFF else f"\\u{ord(ch):04x}"
                           for ch in json.dumps(value, ensure_ascii=False))
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is dict:
        return "{" + ", ".join(f"{dumps(str(k))}: {dumps(v)}" for k, v in value.items()) + "}"  # type: ignore[union-attr]
    if kind is list:
        return "[" + ", ".join(dumps(v) for v in value) + "]"  # type: ignore[union-attr]
    raise TypeError(f"not a plain JSON value: {value!r}")


def outcome_line(outcome: Outcome) -> str:
    """The line of ``OUTCOMES.jsonl`` for one instance, with its ``\\n``."""
    return (f'{{"workflow": {dumps(outcome.workflow)}, "version": {dumps(plain(outcome.version))}, '
            f'"key": {dumps(plain(outcome.key))}, "status": {dumps(outcome.status)}, '
            f'"value": {dumps(plain(outcome.value))}, "message": {dumps(plain(outcome.message))}}}\n')


def stats_object(result: RunResult) -> dict:
    """The object of ``STATS.json``, its keys in their fixed order."""
    stats: dict[str, object] = {name: int(result.counters.get(name, 0)) for name in COUNTERS}
    stats["events"] = int(result.events)
    stats["seconds"] = float(result.seconds)
    for name in ("load_seconds", "compile_seconds"):
        stats[name] = float(result.extra.get(name, 0.0))
    for name, figure in result.extra.items():
        stats.setdefault(name, figure)
    return {name: round(figure, 6) if name in TIMES else plain(figure) for name, figure in stats.items()}


def stats_text(result: RunResult) -> str:
    """``STATS.json``'s text: one line, with its ``\\n``."""
    return dumps(stats_object(result)) + "\n"


def write_outcomes(target: str | Path | IO[str], outcomes: Iterable[Outcome]) -> int:
    """Write ``OUTCOMES.jsonl`` (``-`` is standard output); the number of lines written."""
    count = 0
    with _output(target) as out:
        lines: list[str] = []
        for outcome in outcomes:
            lines.append(outcome_line(outcome))
            if len(lines) >= 4096:
                _write(out, target, "".join(lines))
                count += len(lines)
                lines.clear()
        _write(out, target, "".join(lines))
        count += len(lines)
    return count


def write_stats(target: str | Path | IO[str], result: RunResult) -> None:
    """Write ``STATS.json`` (``-`` is standard output)."""
    with _output(target) as out:
        _write(out, target, stats_text(result))


def _write(out: IO[str], target: object, text: str) -> None:
    try:
        out.write(text)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None


class _output:
    """A text file to write, UTF-8 with ``\\n`` line ends; an OutputError when it cannot be."""

    def __init__(self, target: str | Path | IO[str]) -> None:
        self._target = target
        self._file: IO[str] | None = None
        self._owned = False

    def __enter__(self) -> IO[str]:
        target = self._target
        if not isinstance(target, (str, Path)):
            return target
        if str(target) == "-":
            return sys.stdout
        try:
            self._file = open(target, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        self._owned = True
        return self._file

    def __exit__(self, kind, exc, tb) -> None:
        if self._owned and self._file is not None:
            try:
                self._file.close()
            except OSError as err:
                if kind is None:
                    raise OutputError(f"{self._target}: cannot write: {err.strerror or err}") from None
