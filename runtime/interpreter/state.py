"""The interpreter's state, as plain data a debugger can inspect, copy and restore.

Nothing here refers to a function, a module or an IR object: instructions are addressed by
``pc`` into the code of a machine (``Instance.unit``), instances and threads by number, timers
by sequence number. ``copy.deepcopy`` of a :class:`RunState` is a snapshot; putting it back
resumes exactly there (timers keep their absolute deadlines).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.values import ErrorValue

if TYPE_CHECKING:
    from coordlang.runtime.interpreter.effects import Attempt

THREAD_STATES = ("ready", "running", "waiting", "backoff", "calling", "child", "join", "blocked", "done",
                 "cancelled")
"""``ready``: in the run queue; ``running``: executing now; ``waiting``: at a ``Wait`` (events
or its timer); ``backoff``: a retry's delay; ``calling``: a handler attempt that takes virtual
time (a simulation's latency) has not answered yet; ``child``: a ``call``'s child instance; ``join``:
a ``Fork``'s branches; ``blocked``: for a moment, between being stopped and resumed; ``done``
and ``cancelled``: gone from its instance."""

INSTANCE_STATES = ("running", "compensating", "completed", "failed", "compensated", "cancelled")


@dataclass(slots=True)
class Attempts:
    """A ``do`` or ``call`` in progress: its arguments, evaluated once, and the attempts made."""

    pc: int
    args: tuple
    started: float
    """The clock when the step began (a step ``timeout`` counts from here)."""
    attempt: int = 0
    """Attempts made so far."""
    label: str = ""
    """The step in idempotency keys: its number, with ``.N`` on its N-th run in a loop."""
    landing: Attempt | None = None
    """An attempt with latency, made but not answered: applied when its ``latency`` timer
    fires and the thread runs this step again."""
    wall: float | None = field(default=None, compare=False)
    """Wall seconds of its attempts' handler calls, summed (None: none was measured), for a
    profile of recorded runs: the virtual clock stands still during a call. Not compared: a
    measurement differs from run to run, and a state travelled to must equal a fresh run's."""


@dataclass(slots=True)
class Join:
    """A thread waiting at a ``Fork`` for its branches."""

    fork_pc: int
    branches: list[int]
    """Thread ids of the branches still running."""
    race: bool


@dataclass(slots=True)
class Thread:
    id: int
    pc: int
    state: str = "ready"
    tries: list[int] = field(default_factory=list)
    """The ``TryEnter`` pcs of the open try regions, innermost last."""
    parent: int | None = None
    """The thread whose ``Fork`` started this branch."""
    timer: int | None = None
    """Sequence number of the timer this thread waits for (a wait's timeout, a backoff)."""
    step: Attempts | None = None
    child: int | None = None
    """The instance a ``call`` waits for."""
    join: Join | None = None
    compensating: bool = False
    """The thread that runs an instance's compensations after an error escaped it."""


@dataclass(frozen=True, slots=True)
class Undo:
    """A registered compensation: the handler, its arguments (evaluated when the step
    completed) and its policy."""

    handler: str
    args: tuple
    policy: str | None
    label: str
    """The compensated step's label followed by ``c``: ``"3c"``."""


@dataclass(slots=True)
class Instance:
    """A workflow instance, or the activation of a reaction or a stream window's code (kind
    ``reaction``/``stream``: never in the outcomes)."""

    id: int
    kind: str
    """``workflow``, ``reaction`` or ``stream``."""
    unit: str
    """What it runs: a machine id (``Order@2``), ``reaction#3`` or ``stream#1``."""
    workflow: str
    version: int
    key: object
    key_field: str
    slots: list
    threads: dict[int, Thread] = field(default_factory=dict)
    inbox: dict[str, deque[Event]] = field(default_factory=dict)
    undo: list[Undo] = field(default_factory=list)
    status: str = "running"
    value: object = None
    message: str | None = None
    error: ErrorValue | None = None
    """While compensating: the error that escaped."""
    undo_failed: bool = False
    parent: tuple[int, int] | None = None
    """(instance, thread) of the ``call`` that started this child."""
    runs: dict[int, int] = field(default_factory=dict)
    """How often each step has started, for loop-distinct idempotency keys."""
    stream_key: object = None
    aggregates: tuple = ()

    @property
    def ended(self) -> bool:
        return self.status not in ("running", "compensating")


@dataclass(frozen=True, slots=True)
class ThreadTimer:
    """A thread's timer: a wait's ``within``/``after``/``sleep`` or a retry's backoff."""

    deadline: float
    seq: int
    instance: int
    thread: int
    purpose: str
    """``wait``, ``backoff`` or ``latency`` (a handler attempt answering)."""


@dataclass(frozen=True, slots=True)
class WindowTimer:
    """The end of a stream window."""

    deadline: float
    seq: int
    stream: int
    key: object
    start: float


@dataclass(slots=True)
class Timers:
    """Timers by (deadline, creation order). Cancelling forgets the entry; its heap slot is
    skipped when it comes up, so cancelling is cheap and :meth:`pending` lists only live
    timers."""

    heap: list[tuple[float, int]] = field(default_factory=list)
    live: dict[int, ThreadTimer | WindowTimer] = field(default_factory=dict)
    next_seq: int = 0

    def thread_timer(self, deadline: float, instance: int, thread: int, purpose: str) -> int:
        seq = self._seq()
        self._push(ThreadTimer(deadline, seq, instance, thread, purpose))
        return seq

    def window_timer(self, deadline: float, stream: int, key: object, start: float) -> int:
        seq = self._seq()
        self._push(WindowTimer(deadline, seq, stream, key, start))
        return seq

    def cancel(self, seq: int | None) -> None:
        if seq is not None:
            self.live.pop(seq, None)

    def next_deadline(self) -> float | None:
        """The earliest live deadline, or None."""
        while self.heap and self.heap[0][1] not in self.live:
            heapq.heappop(self.heap)
        return self.heap[0][0] if self.heap else None

    def peek(self) -> ThreadTimer | WindowTimer | None:
        """The next timer to fire, left in place."""
        return self.live[self.heap[0][1]] if self.next_deadline() is not None else None

    def pop(self) -> ThreadTimer | WindowTimer:
        self.next_deadline()
        _, seq = heapq.heappop(self.heap)
        return self.live.pop(seq)

    def pending(self) -> list[ThreadTimer | WindowTimer]:
        """The live timers in firing order."""
        return sorted(self.live.values(), key=lambda t: (t.deadline, t.seq))

    def _seq(self) -> int:
        self.next_seq += 1
        return self.next_seq

    def _push(self, timer: ThreadTimer | WindowTimer) -> None:
        self.live[timer.seq] = timer
        heapq.heappush(self.heap, (timer.deadline, timer.seq))


@dataclass(frozen=True, slots=True)
class Work:
    """What the next step will do (:meth:`Interpreter.peek`), for a debugger's breakpoints."""

    kind: str
    """``instruction``, ``timer`` or ``event``."""
    instance: int | None = None
    thread: int | None = None
    pc: int | None = None
    timer: ThreadTimer | WindowTimer | None = None
    event: Event | None = None
    emitted: bool = False
    """The event was emitted by the program (else it is the next input event)."""


@dataclass(slots=True)
class Window:
    """One open stream window of one key: the values of each aggregate, in arrival order."""

    start: float
    end: float
    """``inf`` for a count window; a session's end moves with each event."""
    count: int = 0
    values: list[list] = field(default_factory=list)
    timer: int | None = None


@dataclass(slots=True)
class RunState:
    """Everything that changes during a run."""

    clock: float = -math.inf
    """Virtual time: the largest event time seen, or the deadline of the timer firing."""
    instances: dict[int, Instance] = field(default_factory=dict)
    """Every workflow instance started (ended ones too, for the outcomes) and the live
    activations of reactions and streams."""
    started: list[int] = field(default_factory=list)
    """Workflow instances in start order."""
    index: dict[tuple[str, object], list[int]] = field(default_factory=dict)
    """Running workflow instances by (key field, key value), in start order."""
    ready: deque[tuple[int, int]] = field(default_factory=deque)
    """(instance, thread) ready to run; the first one is running."""
    emitted: deque[Event] = field(default_factory=deque)
    """Events emitted, routed after the current event, first in first out."""
    pending: deque[Event] = field(default_factory=deque)
    """Input events not routed yet."""
    timers: Timers = field(default_factory=Timers)
    windows: dict[int, dict[object, list[Window]]] = field(default_factory=dict)
    """Open windows by stream index and key, oldest first."""
    counters: dict[str, int] = field(default_factory=dict)
    events: int = 0
    """Input events routed."""
    routed: int = 0
    """Events routed, input and emitted: the sequence number of the last one."""
    next_id: int = 0
    """The last instance or thread number given out."""
    faults: list[str] = field(default_factory=list)
    """Errors that escaped a reaction or a stream's code (they have no outcome to end in)."""
    finishing: bool = False
    until: float = math.inf

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id
