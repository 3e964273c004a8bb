"""Stream windows: one set per key, filled as events arrive, closed by timers (or, for a
``count`` window, by its N-th event); each close runs the stream's code.

Windows are aligned on the epoch: ``tumbling(D)`` covers ``[k·D, (k+1)·D)``, ``sliding(D,
every: E)`` the windows ``[k·E, k·E + D)`` that contain the event, ``session(gap: G)`` runs from
a key's first event until ``G`` passes with no event (it closes at the last event's time plus
``G``), and ``count(N)`` closes at its N-th event. A window exists only once an event falls in
it. A window's end is a timer in the one timer heap, so closes interleave with the workflows'
timers by (deadline, creation order); an event at exactly a window's end belongs to the next
window (the close fires first). A late event counts at the clock's time.

Aggregates over a window's values: ``sum`` adds from 0 in arrival order, ``avg`` is that sum
over the count, ``stddev`` is the population standard deviation (divided by the count), around
that mean; ``none`` values are left out (``count()`` counts events), and an aggregate with no
value left is ``none``. A ``count`` window that is not full when the input ends never closes.
"""

from __future__ import annotations

import math

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.expressions import ExpressionError
from coordlang.runtime.interpreter.routing import Routing
from coordlang.runtime.interpreter.state import Instance, Window, WindowTimer


class Streams(Routing):
    def accumulate(self, index: int, event: Event) -> None:
        stream = self.program.streams[index]
        key = event.fields.get(stream.by)
        values = self._values(index, stream, event)
        if values is None:
            return
        windows = self.state.windows.setdefault(index, {}).setdefault(key, [])
        now = self.state.clock
        if stream.window == "tumbling":
            start = math.floor(now / stream.size) * stream.size
            targets = [self._window(windows, index, key, start, start + stream.size)]
        elif stream.window == "sliding":
            every = stream.every or stream.size
            first = math.floor((now - stream.size) / every) + 1
            last = math.floor(now / every)
            targets = [self._window(windows, index, key, k * every, k * every + stream.size)
                       for k in range(first, last + 1) if k * every <= now < k * every + stream.size]
        elif stream.window == "session":
            if windows:
                session = windows[0]
                self.state.timers.cancel(session.timer)
                session.end = now + stream.size
                session.timer = self.state.timers.window_timer(session.end, index, key, session.start)
                targets = [session]
            else:
                targets = [self._window(windows, index, key, now, now + stream.size)]
        else:  # count
            if not windows:
                windows.append(Window(now, math.inf, values=[[] for _ in stream.aggregates]))
            targets = [windows[0]]
        for window in targets:
            window.count += 1
            for bucket, value in zip(window.values, values):
                if value is not None:
                    bucket.append(value)
        if stream.window == "count" and targets[0].count >= stream.size:
            self._close(index, key, targets[0])

    def _values(self, index: int, stream: ir.Stream, event: Event) -> list | None:
        """Each aggregate's value for this event (None for ``count()``), with the event in
        slot 0."""
        probe = Instance(0, "stream", f"stream#{index}", stream.name, 0, None, "", [None] * len(stream.slots))
        probe.slots[0] = event
        try:
            return [self.value(a.value, probe) if a.value is not None else None for a in stream.aggregates]
        except ExpressionError as exc:
            self.state.faults.append(f"stream {stream.name}: {self.expression_error(exc, stream.sid).message}")
            return None

    def _window(self, windows: list[Window], index: int, key: object, start: float, end: float) -> Window:
        for window in windows:
            if window.start == start:
                return window
        stream = self.program.streams[index]
        window = Window(start, end, values=[[] for _ in stream.aggregates])
        window.timer = self.state.timers.window_timer(end, index, key, start)
        windows.append(window)
        windows.sort(key=lambda w: w.start)
        return window

    def window_due(self, timer: WindowTimer) -> None:
        windows = self.state.windows.get(timer.stream, {}).get(timer.key, [])
        for window in windows:
            if window.start == timer.start and window.timer == timer.seq:
                self._close(timer.stream, timer.key, window)
                return

    def _close(self, index: int, key: object, window: Window) -> None:
        per_stream = self.state.windows[index]
        per_stream[key].remove(window)
        if not per_stream[key]:
            del per_stream[key]
        self.state.timers.cancel(window.timer)
        stream = self.program.streams[index]
        if not stream.code:
            return
        inst = self.start_activation("stream", index, key, [None] * len(stream.slots))
        inst.stream_key = key
        inst.aggregates = tuple(aggregate(a.kind, window.count, bucket)
                                for a, bucket in zip(stream.aggregates, window.values))


def aggregate(kind: str, count: int, values: list) -> object:
    if kind == "count":
        return count
    if not values:
        return None
    if kind == "first":
        return values[0]
    if kind == "last":
        return values[-1]
    if kind == "min":
        return min(values)
    if kind == "max":
        return max(values)
    total = 0
    for value in values:
        total += value
    if kind == "sum":
        return total
    mean = total / len(values)
    if kind == "avg":
        return mean
    if kind == "stddev":
        spread = 0.0
        for value in values:
            spread += (value - mean) ** 2
        return math.sqrt(spread / len(values))
    raise AssertionError(f"unknown aggregate {kind}")
