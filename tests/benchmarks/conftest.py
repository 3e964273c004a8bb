"""The ``slow`` marker: tests that run a whole command for many seconds (``-m "not slow"``
leaves them out)."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: runs a whole command for many seconds")
