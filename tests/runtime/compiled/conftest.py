"""The compiled backend's tests: their programs' handlers module is importable. The kernel
cache they share is the session's (``kernel_cache`` in tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs"
if str(PROGRAMS) not in sys.path:
    sys.path.insert(0, str(PROGRAMS))  # the programs' handlers module, ct_handlers
