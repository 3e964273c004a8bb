"""Debugging event flows: a session that runs the interpreter step by step, forwards and
backwards, with breakpoints; ``coord dap`` and ``coord debug`` are its front-ends."""

from coordlang.runtime.debug.model import (ERROR_FILTERS, BreakpointState, Change, EvaluationError, EventBreakpoint,
                                           Frame, InstanceView, LineBreakpoint, Location, Scope, Stop, TimelineEntry,
                                           TimerView, Variable, Watched)
from coordlang.runtime.debug.session import SNAPSHOT_EVERY, DebugSession, SessionError, compile_checked

__all__ = ["ERROR_FILTERS", "SNAPSHOT_EVERY", "BreakpointState", "Change", "DebugSession", "EvaluationError",
           "EventBreakpoint", "Frame", "InstanceView", "LineBreakpoint", "Location", "Scope", "SessionError", "Stop",
           "TimelineEntry", "TimerView", "Variable", "Watched", "compile_checked"]
