"""The debug session: the interpreter run step by step over an input, recorded as it goes so it
can go back.

Positions are the interpreter's steps (:meth:`Interpreter.step`: one instruction, one timer,
one event routed); position ``p`` is the state after ``p`` steps. Going back restores the
newest snapshot at or before the target (one is kept every :data:`SNAPSHOT_EVERY` steps) and
steps forward to it. Handlers are called for real only the first time execution passes an
attempt; every later pass takes the recorded result (a log's, when the session is attached to
one), so the past never changes and no handler runs twice.

A *stop point* is a position a step can end at: before a statement (an instruction with a
place in the source, not a retry resuming a step), before an event is routed, before a timer
fires, and the end. Breakpoints are checked at every position, in order from the start, so a
hit condition counts hits along the run, however one got there.
"""

from __future__ import annotations

import bisect
import copy
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

from coordlang.errors import CoordError
from coordlang.ir import nodes as ir
from coordlang.runtime.debug.breakpoints import Breakpoints, hit_holds, is_statement
from coordlang.runtime.debug.inspection import Inspection
from coordlang.runtime.debug.model import (BreakpointState, EvaluationError, EventBreakpoint, LineBreakpoint, Stop, TimelineEntry)
from coordlang.runtime.debug.values import Expressions, show
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter import DEFAULT_INBOX, Interpreter
from coordlang.runtime.interpreter.effects import Attempt, Effects
from coordlang.runtime.interpreter.state import Instance, RunState, Thread, Work
from coordlang.runtime.interpreter.values import ErrorValue
from coordlang.source import LineIndex

if TYPE_CHECKING:
    from coordlang.runtime.handlers import BoundHandler, HandlerLoop

SNAPSHOT_EVERY = 256
"""Steps between two snapshots: going back replays at most this many."""


class SessionError(CoordError):
    """A session that cannot go on (a log that does not match its program, say)."""


@dataclass(frozen=True, slots=True)
class _Raised:
    instance: int
    error: ErrorValue
    escaped: bool


class _SessionInterpreter(Interpreter):
    """The interpreter, noting each error raised in a workflow and whether it escaped."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.raised: list[_Raised] = []
        self._raising: list[int] = []
        """The instances whose errors are being raised, innermost last (an error that fails a
        child is raised again in its parent, within the same step)."""
        self._escaped: set[int] = set()

    def raise_error(self, inst: Instance, thread: Thread, err: ErrorValue) -> None:
        if self._raising and self._raising[-1] == inst.id:  # a branch's error, raised again in its fork
            super().raise_error(inst, thread, err)
            return
        self._raising.append(inst.id)
        try:
            super().raise_error(inst, thread, err)
        finally:
            self._raising.pop()
        self.raised.append(_Raised(inst.id, err, inst.id in self._escaped))
        self._escaped.discard(inst.id)

    def escape(self, inst: Instance, err: ErrorValue) -> None:
        self._escaped.add(inst.id)
        super().escape(inst, err)


class _SessionEffects(Effects):
    """Serves handler attempts: recorded ones first, then (when ``live``) real calls, recorded.
    Also notes instances starting and ending, for the timeline."""

    def __init__(self, attempts: list[Attempt], live: bool) -> None:
        self.attempts = attempts
        self.used = 0
        self.live = live
        self.notes: list[tuple[str, Instance, float]] = []

    def attempt(self, handler: BoundHandler, args: tuple, idempotency_key: str, loop: HandlerLoop,
                workflow: str) -> Attempt:
        if self.used < len(self.attempts):
            outcome = self.attempts[self.used]
        elif self.live:
            outcome = super().attempt(handler, args, idempotency_key, loop, workflow)
            self.attempts.append(outcome)
        else:
            raise SessionError(f"the log holds no result for {handler.definition.name} ({idempotency_key}): it "
                               "was recorded from another program, or its run was cut short here")
        self.used += 1
        return outcome

    def instance_started(self, inst: Instance, clock: float) -> None:
        self.notes.append(("start", inst, clock))

    def instance_ended(self, inst: Instance, clock: float) -> None:
        self.notes.append(("end", inst, clock))


@dataclass(slots=True)
class _Snapshot:
    position: int
    state: RunState
    used: int
    """Handler attempts consumed."""
    hits: dict[int, int] | None
    """Breakpoint hits at positions up to and including this one, for ``version``."""
    version: int


class DebugSession(Inspection):
    """A program run step by step over its input, forwards and backwards (see the module)."""

    def __init__(self, program: ir.Program, path: Path, events: Sequence[Event], *, until: float | None = None,
                 ended: bool = True, handlers: dict[str, BoundHandler] | None = None,
                 attempts: list[Attempt] | None = None, live: bool = True, inbox: int = DEFAULT_INBOX) -> None:
        self.program = program
        self.path = Path(path)
        self._effects = _SessionEffects(list(attempts or []), live)
        self._interp = _SessionInterpreter(program, inbox_capacity=inbox, handlers=handlers, effects=self._effects)
        self._inputs: list[Event] = list(events)
        self._interp.push(self._inputs)
        if ended:
            self._interp.end_input(until)
        self._texts: dict[Path, str | None] = {}
        self._lines: dict[Path, LineIndex | None] = {}
        self.expressions = Expressions(self._interp.tables)
        self.breakpoints = Breakpoints(self._interp.tables, self._line_index)
        self.position = 0
        self._furthest = 0
        self._stop_points: list[int] = [0]
        self._timeline: list[TimelineEntry] = []
        self._inputs_reached = 0
        """Input events in ``_timeline``: those routed by the furthest position."""
        self._ahead: list[TimelineEntry] | None = None
        """Every input event as a timeline entry not reached (built when first asked for)."""
        self._hits: dict[int, int] = {}
        self._hits_at = -1
        """The last position whose breakpoints are in ``_hits`` (-1: none yet)."""
        self._hits_version = self.breakpoints.version
        self._here: list[int] = []
        """Breakpoints that stop at the current position (found when it was checked)."""
        self._snapshots = [_Snapshot(0, copy.deepcopy(self._interp.state), 0, None, 0)]
        self._pause = threading.Event()
        self.last_stop = Stop("entry", "the start of the run", 0, None)
        self.on_output: Callable[[str], None] | None = None
        """Called with each line a motion says (a logpoint's message, a condition that could not
        be evaluated) the moment it is met, on the thread running the motion, so a front-end can
        show it while a long continue goes on; the stop's ``output`` holds the same lines."""

    # ---------------------------------------------------------------- opening

    @classmethod
    def launch(cls, program: Path, events: Path, *, until: float | None = None,
               handlers: dict[str, BoundHandler] | None = None, inbox: int = DEFAULT_INBOX) -> DebugSession:
        """A session over ``program`` (a .coord file) and its events file (as ``coord run``
        reads it); ``handlers`` replaces the program's bound handlers."""
        from coordlang.runtime.events import read_events

        path = Path(program)
        compiled = compile_checked(path)
        events_path = Path(events)
        if not events_path.exists():
            raise CoordError(f"{events_path}: no such events file")
        return cls(compiled, path, read_events(compiled, events_path), until=until, handlers=handlers, inbox=inbox)

    @classmethod
    def attach(cls, log: Path, program: Path | None = None, *, inbox: int = DEFAULT_INBOX) -> DebugSession:
        """A session over a log ``coord run --log`` recorded with the interpreter backend: its
        input events and handler results; no handler is called. ``program`` defaults to the
        file the log names."""
        from coordlang.runtime.eventlog.log import check_backend, log_header, read_log
        from coordlang.runtime.eventlog.records import attempt_of, event_of, program_digest

        directory = Path(log)
        header = log_header(directory)
        if header is None:
            read_log(directory, truncate=False)  # raises the error that says what is wrong with it
            raise CoordError(f"{directory}: not a coordlang event log")
        path = Path(program) if program is not None else Path(str(header.get("file", "")))
        if not path.is_file():
            raise CoordError(f"{directory} was recorded from {path}, which is not there; name the program "
                             "with --program FILE")
        compiled = compile_checked(path)
        contents = read_log(directory, program_digest(compiled), truncate=False)
        check_backend(contents, "interpreter")
        records = contents.records
        events = [event_of(r) for r in records if r[0] == "in"]
        attempts = [attempt_of(r) for r in records if r[0] in ("ok", "err")]
        finished = next((r for r in records if r[0] == "fin"), None)
        handlers = {h.name: _recorded_handler(h) for h in compiled.handlers}
        return cls(compiled, path, events, until=finished[1] if finished else None, ended=finished is not None,
                   handlers=handlers, attempts=attempts, live=False, inbox=inbox)

    # ---------------------------------------------------------------- where we are

    @property
    def finished(self) -> bool:
        return self._interp.peek() is None

    @property
    def input_count(self) -> int:
        """How many input events the run has (routed or not)."""
        return len(self._inputs)

    @property
    def clock(self) -> float:
        return self._interp.state.clock

    @property
    def state(self) -> RunState:
        """The interpreter's state at the current position (read it; never change it)."""
        return self._interp.state

    def work(self) -> Work | None:
        """What the next step does."""
        return self._interp.peek()

    # ---------------------------------------------------------------- breakpoints

    def set_line_breakpoints(self, path: Path, specs: Sequence[LineBreakpoint]) -> list[BreakpointState]:
        return self._changed(self.breakpoints.set_lines(Path(path), specs))

    def set_event_breakpoints(self, specs: Sequence[EventBreakpoint]) -> list[BreakpointState]:
        return self._changed(self.breakpoints.set_events(specs, (e.name for e in self.program.events)))

    def set_error_breakpoints(self, filters: Iterable[str] | Mapping[str, Iterable[str]],
                              kinds: Iterable[str] = ()) -> None:
        """Stop on errors: ``filters`` (``uncaught``, ``caught``: :data:`ERROR_FILTERS`) all
        narrowed to ``kinds`` (none: every kind), or a mapping giving each filter its own kinds."""
        try:
            self.breakpoints.set_errors(filters, kinds)
        except ValueError as exc:
            raise CoordError(str(exc)) from None

    def _changed(self, states):
        self._here = []
        return states

    # ---------------------------------------------------------------- motion

    def step_in(self) -> Stop:
        """To the next stop point, whatever instance it is in."""
        return self._forward(lambda work: True, "step")

    def step_over(self, instance: int | None = None) -> Stop:
        """To the next statement of ``instance`` (default: the current one), not stopping in
        the workflows it calls; also at the next event routed or timer fired, and anywhere once
        the instance has ended."""
        target = instance if instance is not None else self.current_instance
        if target is None:
            return self.step_in()

        def arrived(work: Work) -> bool:
            inst = self._interp.state.instances.get(target)
            if inst is None or inst.ended or work.kind != "instruction":
                return True
            return work.instance == target

        return self._forward(arrived, "step")

    def step_out(self, instance: int | None = None) -> Stop:
        """Until ``instance`` (default: the current one) has ended, to the next statement of the
        instance that called it (or the next stop point, for an instance nobody called)."""
        target = instance if instance is not None else self.current_instance
        if target is None:
            return self.continue_()
        start = self._interp.state.instances.get(target)
        parent = start.parent[0] if start is not None and start.parent is not None else None

        def arrived(work: Work) -> bool:
            inst = self._interp.state.instances.get(target)
            if parent is not None and work.kind == "instruction" and work.instance == parent:
                return True
            return inst is None or inst.ended

        return self._forward(arrived, "step")

    def continue_(self) -> Stop:
        """Until a breakpoint or the end."""
        return self._forward(lambda work: False, "step")

    def pause(self) -> None:
        """Make a running motion stop where it is (any thread may call this)."""
        self._pause.set()

    def step_back(self) -> Stop:
        """To the stop point before this one."""
        i = bisect.bisect_left(self._stop_points, self.position) - 1
        target = self._stop_points[i] if i >= 0 else 0
        self._goto(target)
        return self._stop("step" if target > 0 else "entry", self._describe_here())

    def reverse_continue(self) -> Stop:
        """Back to the last position before this one where a breakpoint stops, or the start."""
        end = self.position
        self._pause.clear()
        self._recount_hits()
        found = self._last_hit_before(end)
        if self._pause.is_set():
            self._pause.clear()
            self._goto(end)
            return self._stop("pause", f"paused: {self._describe_here()}")
        if found is None:
            self._goto(0)
            return self._stop("entry", "back at the start of the run: no breakpoint on the way")
        position, reason, ids, error, escaped = found
        self._goto(position)
        return self._stop(reason, self._hit_description(reason, ids, error), ids, error,
                          escaped=escaped if error is not None else None)

    def goto(self, position: int) -> Stop:
        """To any position: back in what has run, or forward (running on)."""
        position = max(0, int(position))
        if position <= self._furthest:
            self._goto(position)
        else:
            self._goto(self._furthest)
            while self.position < position and self._advance(check=True, output=None):
                pass
        return self._stop("goto", self._describe_here())

    def goto_input(self, index: int) -> Stop:
        """To just before input event ``index`` (0-based) is routed: back to it, or forward,
        running on (as :meth:`goto`, breakpoints do not stop it); at the end, if the run ends
        before it (an ``until`` cuts it short)."""
        if not 0 <= index < len(self._inputs):
            raise CoordError(f"no input event {index}: the run has {len(self._inputs)} (0 to "
                             f"{len(self._inputs) - 1})")
        known = next((e.position for e in self._timeline if e.kind == "in" and e.input == index), None)
        if known is not None:
            return self.goto(known)
        self._goto(self._furthest)
        while not self._before_input(index) and self._advance(check=True, output=None):
            pass
        return self._stop("goto", self._describe_here())

    def _before_input(self, index: int) -> bool:
        work = self._interp.peek()
        return work is not None and work.kind == "event" and not work.emitted and self.state.events == index

    def restart(self) -> Stop:
        self._goto(0)
        return self._stop("entry", "the start of the run")

    def restart_frame(self, instance: int) -> Stop:
        """Back to the first statement of ``instance``."""
        started = next((e.position for e in self._timeline if e.kind == "start" and e.instance == instance), None)
        if started is None:
            if instance not in self._interp.state.instances:
                raise CoordError(f"no instance {instance} in this run")
            started = 0
        self._goto(started + 1)
        return self._stop("restart", f"restarted {self._instance_name(instance)}: {self._describe_here()}")

    # ---------------------------------------------------------------- the engine

    def _forward(self, arrived: Callable[[Work], bool], reason: str) -> Stop:
        self._pause.clear()
        output: list[str] = []
        self._recount_hits()
        if self.position == 0 and self.last_stop.reason == "entry":
            # The entry has not stopped for its own breakpoints yet (a continue right after launch).
            if self._hits_at < 0:
                self._check(output)
            if self._here:
                return self._stop(*self._hit(self._here), output=output)
        while True:
            if self._pause.is_set():
                self._pause.clear()
                return self._stop("pause", f"paused: {self._describe_here()}", output=output)
            if not self._advance(check=True, output=output):
                return self._stop("end", self._end_description(), output=output)
            r = self._error_hit()
            if r is not None:
                what = "escaped" if r.escaped else "was caught in"
                return self._stop("exception", f"{r.error.kind}: {r.error.message} ({what} "
                                  f"{self._instance_name(r.instance)})", (), r.error, output, instance=r.instance,
                                  escaped=r.escaped)
            if self._here:
                return self._stop(*self._hit(self._here), output=output)
            work = self._interp.peek()
            if work is None:
                return self._stop("end", self._end_description(), output=output)
            if self._is_stop_point(work) and arrived(work):
                return self._stop(reason, self._describe_here(), output=output)

    def _advance(self, *, check: bool, output: list[str] | None) -> bool:
        """One interpreter step, then the new position's breakpoints (when ``check``)."""
        work = self._interp.peek()
        if work is None:
            return False
        self._effects.notes.clear()
        self._interp.raised.clear()
        self._interp.step()
        self.position += 1
        if self.position > self._furthest:
            self._furthest = self.position
            self._note(work, self.position - 1)
            if self._is_stop_point(self._interp.peek()):
                self._stop_points.append(self.position)
        if check:
            self._check(output)
        if self.position % SNAPSHOT_EVERY == 0:
            self._keep_snapshot()
        return True

    def _goto(self, target: int) -> None:
        """Put the state at ``target`` (at most the furthest position reached), breakpoint hits
        counted up to it."""
        version = self.breakpoints.version
        counted = self.breakpoints.counted
        usable = [s for s in self._snapshots if s.position <= target and (not counted or s.position == 0
                                                                         or s.version == version)]
        snap = usable[-1]
        self._interp.state = copy.deepcopy(snap.state)
        self._effects.used = snap.used
        self.position = snap.position
        self._hits_version = version
        self._here = []
        if snap.position == 0:
            self._hits = {}
            self._check(None)  # position 0 is in no snapshot's counts
        else:
            self._hits, self._hits_at = dict(snap.hits or {}), snap.position
        while self.position < target:
            if not self._advance(check=True, output=None):
                break

    def _keep_snapshot(self) -> None:
        i = bisect.bisect_left([s.position for s in self._snapshots], self.position)
        hits = dict(self._hits) if self._hits_version == self.breakpoints.version else None
        if i < len(self._snapshots) and self._snapshots[i].position == self.position:
            if hits is not None:
                self._snapshots[i].hits, self._snapshots[i].version = hits, self.breakpoints.version
            return
        self._snapshots.insert(i, _Snapshot(self.position, copy.deepcopy(self._interp.state), self._effects.used,
                                            hits, self.breakpoints.version))

    def _check(self, output: list[str] | None) -> None:
        """The breakpoints of the current position: count their hits, say logpoints' messages
        (into ``output``), and keep those that stop in ``_here``."""
        self._here = []
        self._hits_at = self.position
        work = self._interp.peek()
        if work is None:
            return
        candidates = []
        inst = None
        if work.kind == "instruction":
            inst = self._interp.state.instances[work.instance]
            thread = inst.threads[work.thread]
            if thread.compensating or thread.step is not None:
                return
            candidates = self.breakpoints.at_site.get((inst.unit, work.pc), ())
        elif work.kind == "event":
            candidates = self.breakpoints.by_event.get(work.event.type, ())
        for bp in candidates:
            if bp.condition is not None:
                try:
                    if inst is not None:
                        holds = self.expressions.evaluate(bp.condition, inst, self.clock)
                    else:
                        holds = self.expressions.evaluate_over_event(bp.condition, work.event, self.clock)
                except EvaluationError as exc:
                    holds = True  # a condition that cannot be evaluated stops, and says so
                    if output is not None:
                        self._say(output, f"breakpoint {bp.id}: condition {exc}")
                if not holds:
                    continue
            count = self._hits[bp.id] = self._hits.get(bp.id, 0) + 1
            if bp.hit is not None and not hit_holds(bp.hit, count):
                continue
            if bp.log_message is not None:
                if output is not None:
                    self._say(output, self._log_line(bp.log_message, inst))
                continue
            self._here.append(bp.id)

    def _say(self, output: list[str], line: str) -> None:
        output.append(line)
        if self.on_output is not None:
            self.on_output(line)

    def _log_line(self, message: str, inst: Instance | None) -> str:
        """A logpoint's message with each ``{expr}`` evaluated (``{{``/``}}`` are braces)."""
        out, i = [], 0
        while i < len(message):
            ch = message[i]
            if message.startswith("{{", i) or message.startswith("}}", i):
                out.append(ch)
                i += 2
                continue
            if ch == "{":
                end = message.find("}", i + 1)
                if end < 0:
                    out.append(message[i:])
                    break
                text = message[i + 1:end]
                try:
                    if inst is None:
                        raise EvaluationError(f"{text}: no instance here")
                    value = self.expressions.evaluate(text, inst, self.clock)
                    out.append(value if isinstance(value, str) else show(value))
                except EvaluationError as exc:
                    out.append(f"<{exc}>")
                i = end + 1
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    def _last_hit_before(self, end: int) -> tuple[int, str, tuple[int, ...], ErrorValue | None, bool] | None:
        """The last position before ``end`` where a breakpoint (or an error breakpoint) stops,
        scanning back a snapshot's stretch at a time (None also when paused)."""
        starts = sorted({s.position for s in self._snapshots if s.position < end})
        for start, stop in reversed(list(zip(starts, [*starts[1:], end]))):
            # Positions start+1 .. stop (at most end-1); position 0 is checked on the way in.
            self._goto(start)
            found = None
            if start == 0 and self._here:
                found = (0, self._hit_reason(self._here), tuple(self._here), None, False)
            while self.position < min(stop, end - 1):
                if self._pause.is_set():
                    return None
                if not self._advance(check=True, output=None):
                    break
                raised = self._error_hit()
                if raised is not None:
                    found = (self.position, "exception", (), raised.error, raised.escaped)
                elif self._here:
                    found = (self.position, self._hit_reason(self._here), tuple(self._here), None, False)
            if found is not None:
                return found
        return None

    def _recount_hits(self) -> None:
        """Count hits from the start again when the breakpoints changed and one counts them."""
        if self.breakpoints.counted and self._hits_version != self.breakpoints.version:
            self._goto(self.position)

    def _error_hit(self) -> _Raised | None:
        """The first error the last step raised that an error breakpoint stops on."""
        return next((r for r in self._interp.raised if self.breakpoints.errors_stop(r.error.kind, r.escaped)), None)

    def _hit_reason(self, ids: list[int]) -> str:
        return "event" if any(bp.id in ids for bp in self.breakpoints.events) else "breakpoint"

    def _hit(self, ids: list[int]) -> tuple[str, str, tuple[int, ...]]:
        reason = self._hit_reason(ids)
        return reason, self._hit_description(reason, tuple(ids), None), tuple(ids)

    def _hit_description(self, reason: str, ids: tuple[int, ...], error: ErrorValue | None) -> str:
        if reason == "exception" and error is not None:
            return f"{error.kind}: {error.message}"
        what = "event breakpoint" if reason == "event" else "breakpoint"
        return f"{what} {', '.join(map(str, ids))}: {self._describe_here()}"

    def _stop(self, reason: str, description: str, ids: tuple[int, ...] = (), error: ErrorValue | None = None,
              output: list[str] | None = None, instance: int | None = None, escaped: bool | None = None) -> Stop:
        stop = Stop(reason, description, self.position, instance if instance is not None else self.current_instance,
                    tuple(ids), error, tuple(output or ()), escaped)
        self.last_stop = stop
        return stop

    # ---------------------------------------------------------------- stop points and places

    def _is_stop_point(self, work: Work | None) -> bool:
        if work is None or work.kind != "instruction":
            return True
        inst = self._interp.state.instances[work.instance]
        thread = inst.threads[work.thread]
        if thread.compensating:
            return True
        if thread.step is not None:
            return False  # a retry or a held answer resuming its step
        code = self._interp.tables.units[inst.unit].code
        return work.pc < len(code) and is_statement(code[work.pc])

# -------------------------------------------------------------------- helpers

def compile_checked(path: Path) -> ir.Program:
    """The program of a .coord file; a CoordError naming its first error otherwise."""
    from coordlang.analysis.document import analyze_file
    from coordlang.ir.compile import CompileError, compile_program
    from coordlang.sources import read_source

    path = Path(path)
    if not path.is_file():
        raise CoordError(f"{path}: no such program file")
    analysis = analyze_file(path, read_source(path))
    errors = [d for d in analysis.diagnostics if d.is_error]
    if errors:
        first = errors[0]
        at = analysis.lines.position(first.span.start)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CompileError(f"{path}:{at.line + 1}:{at.column + 1}: {first.code} {first.message}{more}; fix it "
                           "(coord check lists every error) and debug again")
    return compile_program(analysis)


def _recorded_handler(definition: ir.HandlerDef) -> BoundHandler:
    from coordlang.runtime.handlers import BoundHandler

    def not_called(*args, **kwargs):
        raise SessionError(f"handler {definition.name} was called while debugging a log: results come from the log")

    return BoundHandler(definition, not_called, False)
