"""Calling a ``batch`` handler for many parked instances at once, with numpy columns.

The arguments come straight from the instances' argument columns (the kernel evaluated them),
converted to the parameters' dtypes as the interpreter converts one row; results go back into
the result columns the same way. A call that raises is narrowed to the rows that fail: through
the exception's ``failed`` mask and ``results`` when it carries them, else by halving. A failing
row's error is the exception the exception's ``errors`` gives for it (the handler's word for
what a one-row call would raise), else the one a call of that row alone raises: the
interpreter's one-row call, so the error's class and message are the interpreter's.
"""

from __future__ import annotations

import numpy as np

from coordlang.runtime.compiled import columns as K
from coordlang.runtime.handlers import BoundHandler, convert_result
from coordlang.runtime.interpreter.values import from_exception

DTYPES = {"int": np.int64, "float": np.float64, "duration": np.float64, "time": np.float64, "bool": np.bool_}
_COMPATIBLE = {"f": "iuf", "i": "iu", "b": "b"}
"""Result dtype kinds whose values convert to a column kind as ``convert_result`` would."""


def argument_arrays(host, parts: list) -> tuple[np.ndarray, list[np.ndarray]]:
    """The instances of every part ((site, rows)) and one array per parameter."""
    st = host.st
    texts = host.codec.strings.array()
    rows = np.concatenate([r for _, r in parts])
    definition = parts[0][0].handler
    arrays = []
    for n, (_, type_) in enumerate(definition.params):
        pieces = []
        for site, part in parts:
            kind, where, col = site.args[n]
            if where == "F":
                column = st.F[part, col]
            elif kind == "s":
                column = texts[st.I[part, col]]
            elif kind == "b":
                column = st.I[part, col] != 0
            else:
                column = st.I[part, col]
            pieces.append(column)
        joined = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        dtype = DTYPES.get(type_)
        arrays.append(joined.astype(dtype) if dtype is not None else joined.astype(object))
    return rows, arrays


def call(bound: BoundHandler, arrays: list[np.ndarray], keys) -> list:
    """Per row, ``(True, result)`` or ``(False, error)`` as a one-row call would give it;
    ``keys()`` gives the rows' idempotency keys (built only when needed)."""
    count = len(arrays[0]) if arrays else 0
    return _call(bound, arrays, np.arange(count), keys)


def _call(bound: BoundHandler, arrays: list[np.ndarray], index: np.ndarray, keys) -> list:
    definition = bound.definition
    if len(index) == 1:
        k = int(index[0])
        return [_one(bound, tuple(a[k].item() if a.dtype != object else a[k] for a in arrays), keys()[k])]
    sub = [a[index] for a in arrays]
    extra = {}
    if bound.accepts_key:
        column = np.empty(len(index), dtype=object)
        all_keys = keys()
        column[:] = [all_keys[k] for k in index.tolist()]
        extra["idempotency_key"] = column
    try:
        result = np.asarray(bound.function(*sub, **extra))
    except Exception as exc:
        return _narrow(bound, arrays, index, keys, exc)
    if result.ndim != 1 or len(result) != len(index):
        return _halves(bound, arrays, index, keys)
    return _rows(result, definition.returns)


def _narrow(bound: BoundHandler, arrays: list[np.ndarray], index: np.ndarray, keys, exc: Exception) -> list:
    """The rows of a call that raised: the exception's ``failed`` mask and ``results`` when
    it carries them (a failed row is called alone), else halves."""
    failed = getattr(exc, "failed", None)
    results = getattr(exc, "results", None)
    try:
        usable = failed is not None and results is not None and len(failed) == len(index) == len(results)
    except TypeError:
        usable = False
    if not usable:
        return _halves(bound, arrays, index, keys)
    out: list = []
    returns = bound.definition.returns
    errors = _errors(exc, len(index))
    for n, (k, bad, value) in enumerate(zip(index.tolist(), np.asarray(failed, dtype=bool).tolist(), results)):
        if not bad:
            out.append(_converted(value, returns))
        elif errors is not None and isinstance(errors[n], BaseException):
            out.append((False, from_exception(errors[n])))
        else:
            out += _call(bound, arrays, np.array([k]), keys)
    return out


def _errors(exc: Exception, count: int):
    """The exception's per-row ``errors``, when it has one per row."""
    errors = getattr(exc, "errors", None)
    try:
        return errors if errors is not None and len(errors) == count else None
    except TypeError:
        return None


def _halves(bound: BoundHandler, arrays: list[np.ndarray], index: np.ndarray, keys) -> list:
    half = len(index) // 2
    return _call(bound, arrays, index[:half], keys) + _call(bound, arrays, index[half:], keys)


def _rows(result: np.ndarray, returns: str) -> list:
    return [_converted(value, returns) for value in result]


def fast_results(result: np.ndarray, kind: str | None) -> np.ndarray | None:
    """A whole result array as the column values, when its dtype converts without surprises."""
    if kind is None:
        return np.zeros(len(result), dtype=np.int64)
    allowed = _COMPATIBLE.get(kind)
    if allowed is None or result.dtype.kind not in allowed:
        return None
    return result.astype(np.float64 if kind == "f" else np.int64)


def _one(bound: BoundHandler, args: tuple, key: str) -> tuple[bool, object]:
    try:
        return True, bound.call(args, key)
    except Exception as exc:  # any exception of a handler is the program's HandlerError
        return False, from_exception(exc)


def _converted(value: object, returns: str) -> tuple[bool, object]:
    try:
        return True, convert_result(value, returns)
    except Exception as exc:  # a result that does not convert fails like the one-row call
        return False, from_exception(exc)


def answer_batch(host, name: str, parts: list) -> None:
    """Call batch handler ``name`` once for every parked row of ``parts`` and answer each."""
    bound = host.handlers[name]
    rows, arrays = argument_arrays(host, parts)
    cache: list = []

    def keys() -> list[str]:
        if not cache:
            cache.append(host.keys(parts))
        return cache[0]

    everything = np.arange(len(rows))
    if len(rows) == 1:
        _answer_rows(host, rows, everything, call(bound, arrays, keys))
        return
    extra = {}
    if bound.accepts_key:
        column = np.empty(len(rows), dtype=object)
        column[:] = keys()
        extra["idempotency_key"] = column
    try:
        result = np.asarray(bound.function(*arrays, **extra))
    except Exception as exc:
        failed = getattr(exc, "failed", None)
        results = getattr(exc, "results", None)
        try:
            usable = failed is not None and results is not None and len(failed) == len(rows) == len(results)
        except TypeError:
            usable = False
        if not usable:
            _answer_rows(host, rows, everything, _halves(bound, arrays, everything, keys))
            return
        bad = np.asarray(failed, dtype=bool)
        _write(host, parts, np.asarray(results), ~bad)
        errors = _errors(exc, len(rows))
        for k in np.flatnonzero(bad).tolist():
            if errors is not None and isinstance(errors[k], BaseException):
                host.outcome(int(rows[k]), False, from_exception(errors[k]))
            else:
                _answer_rows(host, rows, [k], _call(bound, arrays, np.array([k]), keys))
        return
    if result.ndim != 1 or len(result) != len(rows):
        _answer_rows(host, rows, everything, _halves(bound, arrays, everything, keys))
        return
    _write(host, parts, result, np.ones(len(rows), dtype=bool))


def _answer_rows(host, rows: np.ndarray, index, outcomes: list) -> None:
    for k, outcome in zip(list(index), outcomes):
        host.outcome(int(rows[k]), *outcome)


def _write(host, parts: list, result: np.ndarray, ok: np.ndarray) -> None:
    """The results of the rows ``ok`` (over all parts, in order) into their columns."""
    st = host.st
    returns = parts[0][0].handler.returns
    start = 0
    for site, part in parts:
        chosen = ok[start:start + len(part)]
        mine = part[chosen]
        values = result[start:start + len(part)][chosen]
        start += len(part)
        column = fast_results(values, site.result)
        if column is None:
            for i, value in zip(mine.tolist(), values):
                host.outcome(i, *_converted(value, returns))
            continue
        if site.result == "f":
            st.FC[mine, K.RES_F] = column
        elif site.result is not None:
            st.C[mine, K.RES] = column
        st.C[mine, K.ACTION] = K.A_SUCCESS
