"""The terminal debugger's tests: pilots that press keys on the app over the examples, with
their events files, and read what the panes show. Helpers are in ``tuikit``."""

from __future__ import annotations

import pytest
from tuikit import example_session

from coordlang.tui.app import DebuggerApp


@pytest.fixture
def order_app() -> DebuggerApp:
    return DebuggerApp(example_session("order_saga"))
