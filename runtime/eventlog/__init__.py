"""The durable event log: every run's trace (input events, handler results and errors, timer
firings, emitted events) as msgpack records with a length and a CRC-32 in segment files, with
periodic snapshots of the interpreter's state. Recovery after a crash, ``coord replay``, time
travel and the debugger all play it back (docs/eventlog.md)."""

from coordlang.runtime.eventlog.frames import LogCorrupt, LogError
from coordlang.runtime.eventlog.log import (FSYNC_MODES, LogContents, LogWriter, TornTail, log_backend, read_log,
                                            repair)
from coordlang.runtime.eventlog.recording import LogDiverged, Recorder, Replayer
from coordlang.runtime.eventlog.records import program_digest
from coordlang.runtime.eventlog.runs import RecordedRun, Replay, Restored, replay, restore
from coordlang.runtime.eventlog.timeline import Change, InstanceView, Timeline

__all__ = ["Change", "InstanceView", "Timeline", "FSYNC_MODES", "LogContents", "LogCorrupt", "LogDiverged", "LogError", "LogWriter", "RecordedRun",
           "Recorder", "Replay", "Replayer", "Restored", "TornTail", "log_backend", "program_digest", "read_log", "repair",
           "replay", "restore"]
