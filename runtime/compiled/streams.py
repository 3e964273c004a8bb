"""Streams on the compiled backend: windows per key as rows of the instance matrices.

A window is a row of its stream's machine (the stream's code, compiled like a reaction's, then
``complete``): after the code's own columns come the window's (start, end, event count) and
per aggregate its accumulator (a running sum from 0 in arrival order; the first, last, least or
greatest value; for ``stddev`` also the list of values, in an arena, for the interpreter's two
passes). The routing table maps (the stream's lane id, key) to the key's newest window; the
windows of a ``sliding`` stream's key are chained newest first through ``NEXT``. A time window's
end is a timer in the one heap (kind ``TK_WINDOW``), so closes interleave with the workflows'
timers by (deadline, creation order) as in the interpreter; ``count(N)`` closes at its N-th
event. Closing computes the aggregates into the columns the code reads (``AggregateRef``),
unlinks the window and runs the code on the same row, at the close time; the row is then free.

Values cannot be ``none`` in the columns (an input event must carry every declared field), so
each aggregate has a value for every event and an aggregate is never ``none`` here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled.exprgen import ExprGen, Guard, HostOnly, Unsupported
from coordlang.runtime.compiled.layout import EventLayout, MachineLayout, Strings
from coordlang.runtime.compiled.lines import NJIT, Lines

STREAM_LANES = 1 << 30
"""Lane ids of the streams' windows in the routing table: this plus the stream's index."""


@dataclass(slots=True)
class Accumulator:
    kind: str
    """The aggregate: count sum avg min max stddev first last."""
    value: str | None
    """The value's kind (i f b s), None for ``count``."""
    where: str = "I"
    col: int = -1
    """The running value: a sum, or the least, greatest, first or last value."""
    head: int = -1
    """``stddev``: the I columns of its list of values (head, tail)."""
    result: tuple[str, int] = ("i", -1)
    """(kind, column) of the aggregate's value at the close."""


@dataclass(slots=True)
class WindowLayout:
    stream: ir.Stream
    number: int
    machine: int
    wf: int
    event: EventLayout
    key_col: int
    key_kind: str
    start: int = -1
    end: int = -1
    count: int = -1
    accs: list[Accumulator] = field(default_factory=list)
    per_event: int = 1
    """The most windows one event falls in."""
    values: int = 0
    """The most values one event appends to ``stddev`` lists."""
    fifo: int = -1
    """Tumbling and session streams: the ring of their window timers (see ``kernel_lib``)."""


def stream_machine(number: int, stream: ir.Stream, key_type: str) -> ir.Machine:
    return ir.Machine(f"stream#{number}", 0, stream.event, 0, (), stream.by, key_type, "none", stream.slots,
                      stream.code + (ir.Complete(None, stream.sid),), (), stream.sid)


def window_layout(number: int, stream: ir.Stream, lay: MachineLayout, events: dict[str, EventLayout],
                  strings: Strings, message) -> WindowLayout:
    """The window's columns after the code's own (widening ``lay``); raises Unsupported."""
    event = events.get(stream.event)
    if event is None:
        raise Unsupported(f"a stream on the undeclared event {stream.event}")
    key_kind = event.kinds.get(stream.by)
    if key_kind not in ("i", "s", "b"):
        raise Unsupported(f"a stream key of type {event.definition.field_type(stream.by)} ({stream.name})")
    where, key_col = event.columns[stream.by]
    win = WindowLayout(stream, number, lay.index, STREAM_LANES + number, event, key_col, key_kind)
    ci, cf = lay.width_i, lay.width_f
    win.start, win.end, cf = cf, cf + 1, cf + 2
    win.count, ci = ci, ci + 1
    gen = ExprGen(lay, strings, events, frozenset(), message, Guard(0, event))
    for agg in stream.aggregates:
        if agg.value is None:
            acc = Accumulator(agg.kind, None, "I", win.count, result=("i", win.count))
            win.accs.append(acc)
            continue
        try:
            _, vk = gen.gen(agg.value)
        except HostOnly as exc:
            raise Unsupported(f"{exc} in the aggregate {agg.kind}() of stream {stream.name}") from None
        if vk == "s" and agg.kind not in ("first", "last"):
            raise Unsupported(f"{agg.kind}() of strings in stream {stream.name}")
        if vk == "b" and agg.kind in ("sum", "avg", "stddev"):
            raise Unsupported(f"{agg.kind}() of bools in stream {stream.name}")
        acc = Accumulator(agg.kind, vk)
        if vk == "f":
            acc.where, acc.col, cf = "F", cf, cf + 1
        else:
            acc.where, acc.col, ci = "I", ci, ci + 1
        acc.result = (vk, acc.col)
        if agg.kind in ("avg", "stddev"):
            acc.result = ("f", cf)
            cf += 1
        if agg.kind == "stddev":
            acc.head, ci = ci, ci + 2
        win.accs.append(acc)
    if stream.window == "sliding":
        every = stream.every or stream.size
        win.per_event = int(math.ceil(stream.size / every)) + 1
    win.values = win.per_event * sum(1 for a in win.accs if a.kind == "stddev")
    lay.width_i, lay.width_f = ci, cf
    lay.aggs = [a.result for a in win.accs]
    lay.key_kind = key_kind
    return win


def generate(win: WindowLayout, strings: Strings, events: dict[str, EventLayout], lay: MachineLayout,
             message) -> str:
    """``acc_k`` (an event into its key's windows; returns a count window to close now, or -1),
    ``close_k`` (the aggregates; unlink) and ``fire_k`` (a window's timer: close it, run the code)."""
    w = Lines()
    k = win.machine
    stream = win.stream
    gen = ExprGen(lay, strings, events, frozenset(), message, Guard(0, win.event))
    values = []
    for acc, agg in zip(win.accs, stream.aggregates):
        values.append(None if agg.value is None else gen.gen(agg.value)[0])
    names = [f"v{n}" for n, v in enumerate(values) if v is not None]
    # ------------------------------------------------------------ a new window
    w(0, NJIT)
    w(0, f"def win_new_{k}(st, key, start, end, now):")
    w(1, "i = row_new(st)")
    w(1, "if st.I[i, MACH] == FREE_ROW:")
    w(2, "st.I[i, :] = 0")
    w(2, "st.F[i, :] = 0.0")
    w(2, "st.C[i, :] = 0")
    w(2, "st.FC[i, :] = 0.0")
    for name, value in {"MACH": k, "STATE": "T_WAITING", "STATUS": "ST_RUNNING", "KEY": "key", "WF": win.wf,
                        "TSEQ": -1}.items():
        w(1, f"st.I[i, {name}] = {value}")
    for name, value in {"START": -1, "ERRK": -1, "ERRM": -1, "ERRT": -1, "UNDO": -1, "DEFH": -1, "DEFT": -1,
                        "ENDPC": -1, "NEXT": -1}.items():
        w(1, f"st.C[i, {name}] = {value}")
    for entry in lay.slots:
        if entry.kind == "error":
            w(1, f"st.I[i, {entry.col}] = -1")
    for acc in win.accs:
        if acc.head >= 0:
            w(1, f"st.I[i, {acc.head}] = -1")
            w(1, f"st.I[i, {acc.head + 1}] = -1")
    w(1, f"st.F[i, {win.start}] = start")
    w(1, f"st.F[i, {win.end}] = end")
    if win.fifo >= 0:
        w(1, f"fq_push(st, int64({win.fifo}), i, end, int64(TK_WINDOW))")
    elif stream.window != "count":
        w(1, "heap_push(st, i, end, int64(TK_WINDOW))")
    w(1, "return i")
    w(0, "")
    # ------------------------------------------------------------ one event into a window
    w(0, NJIT)
    w(0, f"def upd_{k}(st, i, {', '.join(['now'] + names)}):")
    w(1, f"c = st.I[i, {win.count}] + 1")
    w(1, f"st.I[i, {win.count}] = c")
    for n, acc in enumerate(win.accs):
        if acc.value is None:
            continue
        cell = f"st.{acc.where}[i, {acc.col}]"
        v = f"v{n}"
        stored = f"(1 if {v} else 0)" if acc.value == "b" else v
        if acc.kind in ("sum", "avg", "stddev"):
            w(1, f"{cell} += {v}")
            if acc.kind == "stddev":
                w(1, f"h, t = sv_push(st, st.I[i, {acc.head}], st.I[i, {acc.head + 1}], float({v}))")
                w(1, f"st.I[i, {acc.head}] = h")
                w(1, f"st.I[i, {acc.head + 1}] = t")
        elif acc.kind == "first":
            w(1, "if c == 1:")
            w(2, f"{cell} = {stored}")
        elif acc.kind == "last":
            w(1, f"{cell} = {stored}")
        else:
            op = "<" if acc.kind == "min" else ">"
            w(1, f"if c == 1 or {stored} {op} {cell}:")  # Python's min/max keep the first of equals
            w(2, f"{cell} = {stored}")
    w(0, "")
    # ------------------------------------------------------------ closing
    w(0, NJIT)
    w(0, f"def close_{k}(st, i):")
    w(1, "key = st.I[i, KEY]")
    w(1, f"newest = tb_get(st, int64({win.wf}), key)")
    w(1, "if newest == i:")
    w(2, "if st.C[i, NEXT] >= 0:")
    w(3, f"tb_set(st, int64({win.wf}), key, st.C[i, NEXT])")
    w(2, "else:")
    w(3, f"tb_del(st, int64({win.wf}), key)")
    w(1, "else:")
    w(2, "x = newest")
    w(2, "while x >= 0 and st.C[x, NEXT] != i:")
    w(3, "x = st.C[x, NEXT]")
    w(2, "if x >= 0:")
    w(3, "st.C[x, NEXT] = st.C[i, NEXT]")
    w(1, "st.C[i, NEXT] = -1")
    w(1, f"c = st.I[i, {win.count}]")
    for acc in win.accs:
        if acc.kind not in ("avg", "stddev"):
            continue
        total = f"st.{acc.where}[i, {acc.col}]"
        w(1, f"mean = {total} / c")
        if acc.kind == "avg":
            w(1, f"st.F[i, {acc.result[1]}] = mean")
            continue
        w(1, "spread = 0.0")
        w(1, f"r = st.I[i, {acc.head}]")
        w(1, "while r >= 0:")
        w(2, "d = st.sv_val[r] - mean")
        w(2, "spread += d * d")
        w(2, "r = st.sv_next[r]")
        w(1, f"st.F[i, {acc.result[1]}] = np.sqrt(spread / c)")
        w(1, f"sv_clear(st, st.I[i, {acc.head}])")
        w(1, f"st.I[i, {acc.head}] = -1")
        w(1, f"st.I[i, {acc.head + 1}] = -1")
    w(1, "st.I[i, STATE] = T_RUN")
    w(0, "")
    w(0, NJIT)
    w(0, f"def fire_{k}(st, i):")
    w(1, '"""The window\'s end: close it; its code runs from pc 0."""')
    w(1, f"close_{k}(st, i)")
    w(1, "return int64(0)")
    w(0, "")
    # ------------------------------------------------------------ an event
    w(0, NJIT)
    w(0, f"def acc_{k}(st, srcI, srcF, r, now):")
    w(1, '"""The event into its key\'s windows; returns a count window to close now, or -1."""')
    w(1, "err = st.ERR")
    w(1, f"key = srcI[r, {win.key_col}]")
    for n, code in enumerate(values):
        if code is not None:
            w(1, f"v{n} = {code}")
    w(1, "if err[0] != 0:")
    w(2, "err[0] = 0")  # the interpreter lists it in its faults and skips the event
    w(2, f"tr(st, int64(0), int64(TR_FAULT), int64({lay.index}), now)")
    w(2, "return -1")
    call = ", ".join(["now"] + names)
    wf = f"int64({win.wf})"
    size = repr(float(stream.size))
    if stream.window == "tumbling":
        w(1, f"start = np.floor(now / {size}) * {size}")
        w(1, f"i = tb_get(st, {wf}, key)")
        w(1, "if i < 0:")
        w(2, f"i = win_new_{k}(st, key, start, start + {size}, now)")
        w(2, f"tb_put(st, {wf}, key, i)")
        w(1, f"upd_{k}(st, i, {call})")
        w(1, "return -1")
    elif stream.window == "sliding":
        every = repr(float(stream.every or stream.size))
        w(1, f"first = int64(np.floor((now - {size}) / {every})) + 1")
        w(1, f"last = int64(np.floor(now / {every}))")
        w(1, "for kk in range(first, last + 1):")
        w(2, f"s = kk * {every}")
        w(2, f"if not (s <= now and now < s + {size}):")
        w(3, "continue")
        w(2, f"newest = tb_get(st, {wf}, key)")
        w(2, "i = newest")
        w(2, f"while i >= 0 and st.F[i, {win.start}] != s:")
        w(3, "i = st.C[i, NEXT]")
        w(2, "if i < 0:")
        w(3, f"i = win_new_{k}(st, key, s, s + {size}, now)")
        w(3, "st.C[i, NEXT] = newest")
        w(3, "if newest >= 0:")
        w(4, f"tb_set(st, {wf}, key, i)")
        w(3, "else:")
        w(4, f"tb_put(st, {wf}, key, i)")
        w(2, f"upd_{k}(st, i, {call})")
        w(1, "return -1")
    elif stream.window == "session":
        w(1, f"i = tb_get(st, {wf}, key)")
        w(1, "if i >= 0:")
        w(2, "heap_remove(st, i)")
        w(2, f"st.F[i, {win.end}] = now + {size}")
        w(2, f"fq_push(st, int64({win.fifo}), i, now + {size}, int64(TK_WINDOW))")
        w(1, "else:")
        w(2, f"i = win_new_{k}(st, key, now, now + {size}, now)")
        w(2, f"tb_put(st, {wf}, key, i)")
        w(1, f"upd_{k}(st, i, {call})")
        w(1, "return -1")
    else:  # count
        w(1, f"i = tb_get(st, {wf}, key)")
        w(1, "if i < 0:")
        w(2, f"i = win_new_{k}(st, key, now, np.inf, now)")
        w(2, f"tb_put(st, {wf}, key, i)")
        w(1, f"upd_{k}(st, i, {call})")
        w(1, f"if st.I[i, {win.count}] >= {int(stream.size)}:")
        w(2, f"close_{k}(st, i)")
        w(2, "return i")
        w(1, "return -1")
    w(0, "")
    return w.text()
