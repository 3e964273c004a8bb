"""Every interpreter test starts with empty handler call records."""

from __future__ import annotations

import pytest
from irkit import handlers_module


@pytest.fixture(autouse=True)
def fresh_handlers():
    module = handlers_module()
    module.reset()
    yield module
    module.reset()
