"""The reference interpreter: runs the IR statement by statement, in plain Python.

It is the oracle the compiled backend is held to, and the debugger's engine: its state is
plain data (:class:`RunState`), :meth:`Interpreter.step` does one unit of work, and
:meth:`Interpreter.snapshot` / :meth:`Interpreter.restore` copy the state and put it back.
"""

from coordlang.runtime.interpreter.engine import DEFAULT_INBOX, Interpreter
from coordlang.runtime.interpreter.state import (Attempts, Instance, Join, RunState, Thread, ThreadTimer, Timers,
                                                 Undo, Window, WindowTimer, Work)
from coordlang.runtime.interpreter.values import ErrorValue

__all__ = ["DEFAULT_INBOX", "Attempts", "ErrorValue", "Instance", "Interpreter", "Join", "RunState", "Thread",
           "ThreadTimer", "Timers", "Undo", "Window", "WindowTimer", "Work"]
