"""Step timings measured from recorded runs: what ``coordlang.profileLogs`` shows in an editor.

A log of the interpreter backend holds every input, handler attempt and timer firing of a run,
so replaying it (no handler called) walks every step again at the virtual times it happened:
a :class:`ProfilingReplayer` feeds those steps to a
:class:`~coordlang.runtime.simulation.faults.Timings`, as a simulation's effects do. A replay
for a profile starts from the log's first record, never from a snapshot: the steps before a
snapshot would be missing, and those open in it would have no beginning.

Durations are virtual seconds: a step's time is what the program waited (for an event, a
timer, a retry's backoff). The virtual clock stands still while a handler runs, so what its
calls took is measured apart, in wall time: each ``ok``/``err`` record of a run keeps its
call's wall seconds, the replayed attempts carry them, and each time a step ends it gets the
sum of its attempts' (:attr:`StepProfile.walls`). Logs written before they were kept have
none: their steps are measured as before, without wall times.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from coordlang.ir.nodes import Program
from coordlang.runtime.eventlog.frames import LogError
from coordlang.runtime.eventlog.log import LogContents, check_backend, log_header, read_log
from coordlang.runtime.eventlog.recording import Replayer
from coordlang.runtime.eventlog.records import event_of, program_digest
from coordlang.runtime.eventlog.runs import play
from coordlang.runtime.interpreter import Interpreter
from coordlang.runtime.simulation.faults import StepKey, TimedEffects, Timings
from coordlang.runtime.simulation.report import percentile


class ProfilingReplayer(TimedEffects, Replayer):
    """A :class:`Replayer` that also times every step it plays back."""

    def __init__(self, records: list[list]) -> None:
        super().__init__(records)
        self.timings = Timings()


@dataclass(slots=True)
class StepProfile:
    """One step's measurements over every run profiled."""

    durations: list[float] = field(default_factory=list)
    """Virtual seconds of each time the step ended, in no particular order."""
    statuses: dict[str, int] = field(default_factory=dict)
    """How the step ended: ``ok``, ``error``, ``timer``, ``cancelled``, and how often."""
    runs: int = 0
    """Logs in which the step ended at least once."""
    walls: list[float] = field(default_factory=list)
    """Wall seconds its handler calls took, each time the step ended: the sum of the wall times
    of its attempts (retries included), as ``coord run --log`` measured each call with
    ``time.perf_counter``. Empty for a step that calls no handler (a wait, a ``call``) and for
    a log written without them; shorter than :attr:`durations` when only some logs have them."""

    @property
    def count(self) -> int:
        return len(self.durations)

    @property
    def p50(self) -> float:
        return percentile(sorted(self.durations), 0.50)

    @property
    def p99(self) -> float:
        return percentile(sorted(self.durations), 0.99)

    @property
    def wall_p50(self) -> float | None:
        """The median of :attr:`walls`; None when there are none."""
        return percentile(sorted(self.walls), 0.50) if self.walls else None

    @property
    def wall_p99(self) -> float | None:
        return percentile(sorted(self.walls), 0.99) if self.walls else None

    @property
    def failure_rate(self) -> float:
        """Steps that ended ``error`` out of all that ended."""
        return self.statuses.get("error", 0) / self.count if self.count else 0.0

    def extend(self, other: StepProfile) -> None:
        """Add ``other``'s measurements to these; ``runs`` is the caller's to count (the same
        step in two logs is two runs, two steps of one statement in one log are one)."""
        self.durations.extend(other.durations)
        self.walls.extend(other.walls)
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n


def timings(program: Program, contents: LogContents) -> Timings:
    """Every step of a log's run, replayed from its first record."""
    check_backend(contents, "interpreter")
    records = contents.records
    replayer = ProfilingReplayer(records)
    interpreter = Interpreter(program, effects=replayer)
    interpreter.push([event_of(r) for r in records if r[0] == "in"])
    play(interpreter, replayer, len(records))
    return replayer.timings


def profile(program: Program, log_dir: Path) -> dict[StepKey, StepProfile]:
    """The steps of the run recorded in ``log_dir`` (a :class:`LogError` when it is not a log
    of ``program`` the interpreter recorded, or is damaged). A run that stopped before its
    end counts the steps that ended before it stopped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a torn tail is read up to the tear, and left as it is
        contents = read_log(Path(log_dir), program_digest(program), truncate=False)
    found = timings(program, contents)
    return {key: StepProfile(durations, found.statuses[key], 1, found.walls.get(key, []))
            for key, durations in found.steps.items()}


@dataclass(slots=True)
class FolderProfile:
    steps: dict[StepKey, StepProfile]
    logs: list[Path]
    """The logs measured."""
    skipped: list[tuple[Path, str]]
    """The logs left out, and why."""


def log_folders(folder: Path) -> list[Path]:
    """``folder`` when it is a log, else its subfolders that are (one level down)."""
    folder = Path(folder)
    if _is_log(folder):
        return [folder]
    if not folder.is_dir():
        raise LogError(f"{folder}: no such folder")
    return sorted(p for p in folder.iterdir() if p.is_dir() and _is_log(p))


def _is_log(path: Path) -> bool:
    return path.is_dir() and any(path.glob("segment-*.log"))


def profile_folder(program: Program, folder: Path) -> FolderProfile:
    """The steps of every run of ``program`` recorded under ``folder`` (a log folder, or a
    folder of them), merged. Logs of another program (or another version of it), of the
    compiled backend (they keep no step trace) and damaged ones are skipped and listed with
    the reason; only a missing ``folder`` raises."""
    digest = program_digest(program)
    steps: dict[StepKey, StepProfile] = {}
    logs: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for log in log_folders(folder):
        head = log_header(log)
        if head is None:
            skipped.append((log, "no readable log header"))
            continue
        if head.get("program") != digest:
            skipped.append((log, f"recorded for another program or version ({head.get('file')})"))
            continue
        if head.get("backend", "interpreter") != "interpreter":
            skipped.append((log, f"recorded by the {head.get('backend')} backend, which keeps no step trace"))
            continue
        try:
            found = profile(program, log)
        except Exception as exc:  # damage that decodes (a record of the wrong shape), a handler that does not load
            skipped.append((log, f"{type(exc).__name__}: {exc}" if not isinstance(exc, LogError) else str(exc)))
            continue
        for key, step in found.items():
            merged = steps.get(key)
            if merged is None:
                steps[key] = step
            else:
                merged.extend(step)
                merged.runs += step.runs
        logs.append(log)
    return FolderProfile(steps, logs, skipped)
