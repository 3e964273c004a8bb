"""Recording runs of the compiled backend, resuming them, and replaying them.

The compiled backend has no step-by-step trace to write: it takes the input in column batches
and calls handlers in batches. Its log holds what it cannot recompute:

==========  =========================================================  ==========================
kind        elements                                                   written when
==========  =========================================================  ==========================
``cols``    strings interned since the last ``cols``, then the event   a batch of input events is
            type, time, integer and float columns, each as             fed
            ``[dtype, shape, bytes]``
``call``    handler, idempotency key (a list of keys for a ``batch``   a handler function returned
            handler's call), outcome: ``["ok", value]`` or             or raised
            ``["err", kind, message, class, lineage, extras]``,
            then the call's wall seconds (optional, as in ``ok``)
``fin``     until                                                      the input ended
``end``     input events                                               the run ended
==========  =========================================================  ==========================

Played back, the same batches through the same kernel make the same calls; each is answered
from its ``call`` record (matched by handler and key, in order for one key), so no handler
runs. ``jit`` handlers are compiled into the kernel: pure functions, they simply run again.
Snapshots pickle the kernel's state arrays, the host's few dictionaries and the string table.
"""

from __future__ import annotations

import functools
import inspect
import math
import pickle
import time
import warnings
import zlib
from collections import deque
from pathlib import Path

import numpy as np

from coordlang.ir.nodes import Program
from coordlang.runtime.compiled.columns import SF_CLOCK
from coordlang.runtime.eventlog.frames import LogError
from coordlang.runtime.eventlog.inputs import InputPlaces
from coordlang.runtime.eventlog.log import (LogContents, LogWriter, SnapshotWriter, check_backend, existing_log,
                                           load_snapshot)
from coordlang.runtime.eventlog.recording import LogDiverged
from coordlang.runtime.eventlog.records import header, program_digest
from coordlang.runtime.executor import RunResult
from coordlang.runtime.handlers import BoundHandler, bind_handlers
from coordlang.runtime.interpreter.values import ErrorValue, from_exception

BACKEND = "compiled"
SNAPSHOT_EVERY = 1_000_000
"""Input events between two snapshots: about a second of replay on a resume, and a snapshot
(the state copied at once, then packed and written in a thread) every second or so of input.
The replay after the snapshot is now the largest part of a resume (docs/benchmarks.md); a
smaller spacing shortens it, at the price of a copy of the state in the run's thread each time."""


# ---------------------------------------------------------------- handler calls

class ReplayedError(Exception):
    """A handler's exception as recorded: the error it was (``recorded_error``) and, for a
    ``batch`` handler, the rows that failed (``failed``, ``results``, ``errors``)."""

    def __init__(self, recorded_error: ErrorValue) -> None:
        super().__init__(recorded_error.message)
        self.recorded_error = recorded_error


class ReplayedTimeout(ReplayedError, TimeoutError):
    """A recorded ``TimeoutError``: the step's error kind is ``Timeout``."""


class HandlerTape:
    """Wraps a program's handlers (:meth:`wrap`): each call is answered from the recorded
    ``call`` records queued by :meth:`load` when one matches its handler and key, else made,
    and written to ``writer`` (when there is one). With ``verify``, every call is made and
    compared to the recorded one; :attr:`differences` lists what differed."""

    def __init__(self, writer: LogWriter | None = None, *, verify: bool = False) -> None:
        self.writer = writer
        self.verify = verify
        self.queued: dict[tuple, deque] = {}
        self.differences: list[str] = []
        self.served = 0
        self.made = 0

    def load(self, records: list[list]) -> None:
        for record in records:
            if record[0] == "call":
                self.queued.setdefault((record[1], _hashable(record[2])), deque()).append(record[3])

    def wrap(self, bound: BoundHandler) -> BoundHandler:
        if bound.definition.mode == "jit":
            return bound  # compiled into the kernel: a pure function, run again on replay
        name = bound.definition.name
        batch = bound.definition.mode == "batch"
        function = bound.function
        passes_key = bound.accepts_key

        def answer(keys):
            queue = self.queued.get((name, _hashable(keys)))
            if queue:
                self.served += 1
                return queue.popleft()
            return None

        def made(keys, outcome, recorded, wall: float) -> None:
            self.made += 1
            if recorded is not None:
                if _comparable(outcome) != _comparable(recorded):
                    self.differences.append(f"{name} ({_shown(keys)}) now {_outcome_text(outcome)}; when recorded "
                                            f"it {_outcome_text(recorded)}")
            elif self.writer is not None:
                self.writer.append(["call", name, keys, outcome, wall])
                self.writer.flush_if_stale()

        if inspect.iscoroutinefunction(function):
            async def tape(*args, idempotency_key):
                keys = _keys(idempotency_key, batch)
                recorded = answer(keys)
                if recorded is not None and not self.verify:
                    return _reproduce(recorded)
                began = time.perf_counter()
                try:
                    value = await function(*args, **({"idempotency_key": idempotency_key} if passes_key else {}))
                except Exception as exc:
                    wall = time.perf_counter() - began
                    made(keys, _error_outcome(exc), recorded, wall)
                    raise
                made(keys, _value_outcome(value, batch), recorded, time.perf_counter() - began)
                return value
        else:
            def tape(*args, idempotency_key):
                keys = _keys(idempotency_key, batch)
                recorded = answer(keys)
                if recorded is not None and not self.verify:
                    return _reproduce(recorded)
                began = time.perf_counter()
                try:
                    value = function(*args, **({"idempotency_key": idempotency_key} if passes_key else {}))
                except Exception as exc:
                    wall = time.perf_counter() - began
                    made(keys, _error_outcome(exc), recorded, wall)
                    raise
                made(keys, _value_outcome(value, batch), recorded, time.perf_counter() - began)
                return value

        functools.update_wrapper(tape, function)
        return BoundHandler(bound.definition, tape, True)


def _keys(idempotency_key, batch: bool):
    if batch:
        return [str(k) for k in np.asarray(idempotency_key, dtype=object).tolist()]
    return idempotency_key


def _hashable(keys) -> object:
    return tuple(keys) if isinstance(keys, list) else keys


def _value_outcome(value: object, batch: bool) -> list:
    if batch:
        array = np.asarray(value)
        return ["ok", ["array", array.dtype.str if array.dtype != object else "O", array.tolist()]]
    return ["ok", value]


def _error_outcome(exc: BaseException) -> list:
    err = from_exception(exc)
    extras = {}
    for name in ("failed", "results"):
        found = getattr(exc, name, None)
        if found is not None:
            extras[name] = np.asarray(found).tolist()
    errors = getattr(exc, "errors", None)
    if errors is not None:
        extras["errors"] = [_error_fields(from_exception(e)) if isinstance(e, BaseException) else None
                            for e in errors]
    return ["err", *_error_fields(err), extras]


def _error_fields(err: ErrorValue) -> list:
    return [err.kind, err.message, err.type, list(err.lineage)]


def _error_of(fields: list) -> ErrorValue:
    return ErrorValue(fields[0], fields[1], fields[2], tuple(fields[3]))


def _replayed(err: ErrorValue) -> ReplayedError:
    return (ReplayedTimeout if err.kind == "Timeout" else ReplayedError)(err)


def _reproduce(outcome: list) -> object:
    if outcome[0] == "ok":
        value = outcome[1]
        if isinstance(value, list) and len(value) == 3 and value[0] == "array":
            return np.array(value[2], dtype=object if value[1] == "O" else np.dtype(value[1]))
        return value
    exc = _replayed(_error_of(outcome[1:5]))
    extras = outcome[5]
    if "failed" in extras:
        exc.failed = np.asarray(extras["failed"], dtype=bool)
    if "results" in extras:
        exc.results = extras["results"]
    if "errors" in extras:
        exc.errors = [None if e is None else _replayed(_error_of(e)) for e in extras["errors"]]
    raise exc


def _comparable(outcome: list) -> object:
    from coordlang.runtime.eventlog.records import pack, unpack

    return unpack(pack(outcome))


def _outcome_text(outcome: list) -> str:
    if outcome[0] == "ok":
        value = outcome[1]
        if isinstance(value, list) and len(value) == 3 and value[0] == "array":
            value = value[2]
        return f"returned {value!r}"
    return f"raised {outcome[3]}: {outcome[2]}"


def _shown(keys) -> str:
    return keys if isinstance(keys, str) else ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")


# ---------------------------------------------------------------- input batches and snapshots

def _array(value) -> list:
    array = np.ascontiguousarray(value)
    return [array.dtype.str, list(array.shape), array.tobytes()]


def _columns(record: list) -> tuple:
    return tuple(np.frombuffer(data, dtype=np.dtype(dtype)).reshape(shape).copy() for dtype, shape, data in record[2:6])


def _input_digest(crcs: list[int], parts) -> list[int]:
    """Running checksums of the input's type, integer and float columns (not its times: an
    event without ``time`` gets the moment it was read), from their bytes."""
    return [zlib.crc32(part, crc) for crc, part in zip(crcs, parts)]


def _column_bytes(columns) -> tuple[bytes, bytes, bytes]:
    """What :func:`_input_digest` reads of a batch: as a ``cols`` record holds it."""
    ev_type, _, ev_I, ev_F = columns
    return tuple(np.ascontiguousarray(c).tobytes() for c in (ev_type, ev_I, ev_F))


def _state_of(executor) -> dict:
    """A copy of the executor's state, taken at once; :func:`_encoded` packs it in the
    snapshot's thread."""
    host = executor.host
    # The host's dictionaries change in place as the run goes on: pickled now, not in the thread.
    return {"st": {name: _trimmed(array) for name, array in zip(executor.st._fields, executor.st)},
            "host": pickle.dumps((host.host_args, host.completed, host.faults), protocol=pickle.HIGHEST_PROTOCOL),
            "strings": list(executor.plan.strings.texts), "events": executor.events}


def _trimmed(array: np.ndarray) -> tuple:
    """A copy of an array without its trailing all-zero rows (arrays grow by doubling: the
    rows past the last used one are zeros), and its shape, to put them back."""
    if array.ndim == 0 or array.size == 0:
        return array.shape, array[:0].copy() if array.ndim else array.copy()
    return array.shape, array[:_used_rows(array)].copy()


def _used_rows(array: np.ndarray) -> int:
    """Rows up to the last one with a bit set, found from the end a block at a time by
    counting non-zero bytes: ``any(axis=1)`` over a million orders' arrays took the run's
    thread a second at every snapshot."""
    rows = np.ascontiguousarray(array).reshape(len(array), -1)
    step = max(1, (1 << 20) // max(1, rows.strides[0]))
    hi = len(rows)
    while hi > 0:
        lo = max(0, hi - step)
        block = rows[lo:hi]
        if np.count_nonzero(block.view(np.uint8)):
            used = np.count_nonzero(block.view(np.uint8).reshape(hi - lo, -1), axis=1)
            return lo + int(np.flatnonzero(used)[-1]) + 1
        hi = lo
    return 0


def _encoded(state: dict) -> bytes:
    """The state packed a column at a time (see :func:`_packed`) and pickled: no compression,
    so a resume reads it at the disk's speed. zlib took 1.8 s to inflate the 417 MB of a
    million orders' arrays (52 MB compressed); packed, they are about 110 MB and load in a
    tenth of that."""
    packed = {**state, "st": {name: _packed(*trimmed) for name, trimmed in state["st"].items()},
              "format": "columns"}
    return pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


def _packed(shape: tuple, rows: np.ndarray) -> tuple:
    """An array's used rows as columns, each the fewest bytes that give its bits back: a
    constant; the rows that are not zero and their values, when few are; or every value, as
    the narrowest integer type that holds it (a float column by its bits)."""
    kind = rows.dtype.kind
    if rows.ndim == 0 or kind not in "iufb" or rows.dtype.itemsize not in (1, 2, 4, 8):
        return ("raw", shape, rows)
    if rows.size == 0:
        return ("cols", shape, rows.dtype.str, 0, [])
    flat = rows.reshape(len(rows), -1)
    bits = flat.view(f"<i{rows.dtype.itemsize}") if kind != "i" else flat
    return ("cols", shape, rows.dtype.str, len(rows), [_packed_column(bits[:, j]) for j in range(flat.shape[1])])


def _packed_column(column: np.ndarray) -> tuple:
    n = len(column)
    nonzero = int(np.count_nonzero(column))
    if nonzero == 0:
        return ("const", 0)
    first = column[0]
    if nonzero == n and (column == first).all():
        return ("const", int(first))
    if nonzero * 8 < n:
        where = np.flatnonzero(column)
        return ("sparse", _narrow(where), _narrow(column[where]))
    return ("dense", _narrow(column))


def _narrow(values: np.ndarray) -> tuple:
    low, high = int(values.min()), int(values.max())
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return (np.dtype(dtype).str, values.astype(dtype).tobytes())
    return ("<i8", np.ascontiguousarray(values, dtype=np.int64).tobytes())


def _unpacked(part: tuple) -> np.ndarray:
    if part[0] == "raw":
        _, shape, rows = part
        return _untrimmed(shape, rows) if rows.ndim else rows.copy()
    _, shape, dtype, used, columns = part
    dtype = np.dtype(dtype)
    array = np.zeros(shape, dtype=dtype)
    if not used:
        return array
    flat = array.reshape(shape[0], -1)[:used]
    bits = flat.view(f"<i{dtype.itemsize}") if dtype.kind != "i" else flat
    for j, column in enumerate(columns):
        how = column[0]
        if how == "const":
            if column[1]:
                bits[:, j] = column[1]
        elif how == "sparse":
            where = np.frombuffer(column[1][1], dtype=column[1][0])
            bits[where, j] = np.frombuffer(column[2][1], dtype=column[2][0])
        else:
            bits[:, j] = np.frombuffer(column[1][1], dtype=column[1][0])
    return array


def _untrimmed(shape: tuple, rows: np.ndarray) -> np.ndarray:
    array = np.zeros(shape, dtype=rows.dtype)
    array[:len(rows)] = rows
    return array


def _restore(executor, saved: dict) -> None:
    strings = executor.plan.strings
    texts = saved["strings"]
    if texts[:len(strings)] != strings.texts:
        raise LogError("a snapshot's string table does not start with this program's constants")
    for text in texts[len(strings):]:
        strings.intern(text)
    from coordlang.runtime.compiled.state import State

    host = executor.host
    if saved.get("format") == "columns":
        executor.st = State(**{name: _unpacked(saved["st"][name]) for name in State._fields})
        host.host_args, host.completed, host.faults = pickle.loads(saved["host"])
    else:  # a snapshot written before the columns format: (shape, used rows) per array
        executor.st = State(**{name: _untrimmed(*saved["st"][name]) for name in State._fields})
        host.host_args, host.completed, host.faults = saved["host_args"], saved["completed"], saved["faults"]
    executor._ref_of = None  # the kernels' view of the state is rebuilt at the next call
    executor.events = saved["events"]


def _taped_executor(program: Program, tape: HandlerTape, inbox: int, concurrency: int | None):
    """A compiled executor whose handler calls pass through ``tape``."""
    from coordlang.runtime.compiled import CompiledExecutor
    from coordlang.runtime.compiled.host import DEFAULT_CONCURRENCY

    handlers = {name: tape.wrap(bound) for name, bound in bind_handlers(program).items()}
    return CompiledExecutor(program, inbox=inbox, handlers=handlers, concurrency=concurrency or DEFAULT_CONCURRENCY)


class _Player:
    """A compiled executor put at the newest snapshot of a log, then fed the batches after it."""

    def __init__(self, program: Program, contents: LogContents, *, tape: HandlerTape, inbox: int,
                 concurrency: int | None, use_snapshots: bool = True, until_time: float | None = None) -> None:
        check_backend(contents, BACKEND)
        self.executor = _taped_executor(program, tape, inbox, concurrency)
        self.tape = tape
        self.position = 0
        self.finishing: float | None | bool = False
        if contents.loaded is not None:  # a resume's, loaded while reading the log
            self.position, _, saved = contents.loaded
            contents.loaded = None
            _restore(self.executor, saved)
        elif use_snapshots:
            digest = contents.header["program"]
            for records, path in reversed(contents.snapshots):
                try:
                    meta, saved = load_snapshot(path, digest)
                except LogError as exc:
                    warnings.warn(f"{exc}; using an older one", stacklevel=2)
                    continue
                if until_time is not None and not meta.get("clock", math.inf) <= until_time:
                    continue
                _restore(self.executor, saved)
                self.position = records
                break
        rest = contents.records[self.position:]
        tape.load(rest)
        strings = self.executor.plan.strings
        self.until_time = until_time
        self.stopped = False
        """The replay stopped at ``until_time``, before the log's end."""
        for record in rest:
            kind = record[0]
            if kind == "cols":
                for text in record[1]:
                    strings.intern(text)
                columns = _columns(record)
                if until_time is not None:
                    later = np.flatnonzero(columns[1] > until_time)
                    if len(later):
                        # The first event later than the time is where the interpreter stops too.
                        self.stopped = True
                        columns = tuple(c[:later[0]] for c in columns)
                if len(columns[0]):
                    self.executor.feed_columns(columns)
            elif kind == "fin":
                self.finishing = record[1]
            if self.stopped:
                break
            self.position += 1
        self.ended = contents.finished and not self.stopped
        self.records = len(contents.records)

    def finish(self) -> RunResult:
        """The result of the log's run: finished as it was when it ended (or run to
        ``until_time``, when the replay stops there)."""
        horizon = self.until_time
        if self.stopped:
            return self.executor.finish(horizon)
        if self.finishing is not False:
            if horizon is not None and (self.finishing is None or self.finishing > horizon):
                return self.executor.finish(horizon)
            return self.executor.finish(self.finishing)
        return self.executor.result()


# ---------------------------------------------------------------- coord run --log --backend compiled

class CompiledRecording:
    """``coord run --log DIR`` on the compiled backend: a new recording, or the resumption of
    an interrupted one. Feed it the whole input from its first event (``feed_columns`` with
    the kernel's columns, as ``reader.KernelReader`` reads them)."""

    def __init__(self, program: Program, directory: Path, *, file: str, fsync: str = "batch",
                 snapshot_every: int = SNAPSHOT_EVERY, inbox: int | None = None,
                 concurrency: int | None = None, events: str | None = None) -> None:
        from coordlang.runtime.interpreter import DEFAULT_INBOX

        if snapshot_every < 1:
            raise LogError(f"--snapshot-every {snapshot_every}: snapshots are taken every N input events, N >= 1")
        self.directory = Path(directory)
        self.fsync = fsync
        self.snapshot_every = snapshot_every
        self.events_name = events
        digest = program_digest(program)
        self._header = {**header(program, file, 0), "backend": BACKEND}
        del self._header["first"]
        contents = existing_log(self.directory, digest, BACKEND, usable=lambda meta: "input_digest" in meta)
        self.resumed_records = len(contents.records) if contents is not None else 0
        self.finished = contents is not None and contents.finished
        meta = contents.loaded[1] if contents is not None and contents.loaded is not None else {}
        fast = "input_digest" in meta
        # Started before the replay below, which it runs beside: the input's prefix is checked
        # by its bytes in a thread.
        self._inputs = InputPlaces(meta.get("input") if fast else None, events)
        self._resumed_meta = meta if fast else None
        self.writer = LogWriter(self.directory, self._header, next_record=self.resumed_records + 1, fsync=fsync)
        self._snapshots = SnapshotWriter(self.directory, fsync)
        tape = HandlerTape(self.writer)
        inbox = inbox or DEFAULT_INBOX
        try:
            if contents is None:
                self.executor = _taped_executor(program, tape, inbox, concurrency)
                self._finishing: float | None | bool = False
            else:
                start = contents.loaded[0] if fast else 0
                player = _Player(program, contents, tape=tape, inbox=inbox, concurrency=concurrency)
                self.executor = player.executor
                self._finishing = player.finishing
        except BaseException:
            self.writer.close()
            self._inputs.close()
            raise
        self.codec = self.executor.codec
        self.build_seconds = self.executor.build_seconds
        self._strings = self.executor.plan.strings
        self._strings_logged = len(self._strings)
        self._to_skip = self.executor.events
        self._expected = list(meta["input_digest"]) if fast else [0, 0, 0]
        for record in contents.records[start:] if contents is not None else ():
            if record[0] == "cols":
                # The recorded bytes themselves: nothing to decode for a log of any length.
                self._expected = _input_digest(self._expected, (record[2][2], record[4][2], record[5][2]))
        self.skipped = 0
        self._skipped_crcs = [0, 0, 0]
        self._digest = [0, 0, 0]
        """The running checksum of the input events fed (the snapshots' ``input_digest``)."""
        self._snapshot_events = self.executor.events

    def attach(self, reader) -> None:
        """Read the input with ``reader`` (a ``KernelReader``, before iterating it): snapshots
        keep their place in it, and a resume starts reading at its snapshot's place when the
        input's bytes before it are those it was recorded from."""
        meta = self._resumed_meta
        if self._inputs.attach(reader, meta["inputs"] if meta else 0) and meta is not None:
            self.skipped = meta["inputs"]
            self._skipped_crcs = list(meta["input_digest"])
            if self.skipped == self._to_skip:
                self._digest = list(self._skipped_crcs)

    def feed(self, events) -> None:
        if events:
            self.feed_columns(self.codec.columns(events))

    def feed_columns(self, columns) -> None:
        if self.skipped < self._to_skip:
            columns = self._skip(columns)
        if not len(columns[0]):
            return
        if self.finished or self._finishing is not False:
            raise LogError(f"--log {self.directory}: holds a run whose input ended after {self.skipped} events, but "
                           "the input has more; record this input in a new folder")
        # Snapshots fall between batches: a batch is fed in pieces no longer than their spacing.
        for lo in range(0, len(columns[0]), self.snapshot_every):
            self._feed_piece(tuple(c[lo:lo + self.snapshot_every] for c in columns))

    def _feed_piece(self, columns) -> None:
        new = self._strings.texts[self._strings_logged:]
        self._strings_logged = len(self._strings)
        arrays = [_array(c) for c in columns]
        self.writer.append(["cols", new, *arrays])
        self._digest = _input_digest(self._digest, (arrays[0][2], arrays[2][2], arrays[3][2]))
        self.executor.feed_columns(columns)
        self.writer.flush()
        if self.executor.events - self._snapshot_events >= self.snapshot_every:
            self.snapshot()

    def _skip(self, columns):
        take = min(len(columns[0]), self._to_skip - self.skipped)
        self._skipped_crcs = _input_digest(self._skipped_crcs, _column_bytes(tuple(c[:take] for c in columns)))
        self.skipped += take
        if self.skipped == self._to_skip:
            if self._skipped_crcs != self._expected:
                where = f" ({self.events_name})" if self.events_name not in (None, "-") else ""
                raise LogError(f"--log {self.directory}: its first {self._to_skip} input events differ from the "
                               f"first {self._to_skip} of this input{where}; resume with the input it was recorded "
                               "from, or record this one in a new folder")
            self._digest = list(self._skipped_crcs)
        return tuple(c[take:] for c in columns)

    def finish(self, until: float | None = None) -> RunResult:
        if self.skipped < self._to_skip:
            raise LogError(f"--log {self.directory}: holds {self._to_skip} input events, but this input has only "
                           f"{self.skipped}; resume with the input it was recorded from")
        if self.finished:
            result = self.executor.result()  # restored as the run ended: nothing is left to run
        else:
            if self._finishing is False:
                self.writer.append(["fin", until])
            else:
                until = self._finishing
            result = self.executor.finish(until)
            self.writer.append(["end", self.executor.events])
            self.snapshot()
        self.close()
        return result

    def snapshot(self) -> None:
        self.writer.flush()
        meta = {**self._header, "records": self.writer.records, "inputs": self.executor.events,
                "input_digest": list(self._digest), "clock": float(self.executor.st.SF[SF_CLOCK])}
        self._snapshots.submit(meta, _state_of(self.executor), encode=_encoded,
                               more=self._inputs.place(self.executor.events))
        self._snapshot_events = self.executor.events

    def close(self) -> None:
        try:
            self.writer.close()
            self._snapshots.wait()
        finally:
            self._inputs.close()

    def __enter__(self) -> CompiledRecording:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# ---------------------------------------------------------------- coord replay

def replay_compiled(program: Program, contents: LogContents, *, verify: bool = False, until_time: float | None = None,
                    concurrency: int | None = None) -> tuple[RunResult, int, bool, float]:
    """Rebuild a compiled-backend log's run: (result, records played back, finished, seconds).
    With ``verify``, from the first record, every handler call is made again and compared;
    with ``until_time``, the run stops before its first event later than that time and its
    timers fire up to it."""
    from coordlang.runtime.interpreter import DEFAULT_INBOX

    began = time.perf_counter()
    tape = HandlerTape(verify=verify)
    player = _Player(program, contents, tape=tape, inbox=DEFAULT_INBOX, concurrency=concurrency,
                     use_snapshots=not verify, until_time=until_time)
    result = player.finish()
    if tape.differences:
        raise LogDiverged(f"{len(tape.differences)} handler call(s) differ from the log; the first: "
                          f"{tape.differences[0]}")
    seconds = time.perf_counter() - began
    return result, player.position, player.ended, seconds
