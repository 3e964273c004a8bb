"""The server's settings, read without a client."""

from __future__ import annotations

from coordlang.lsp.server import DEBOUNCE, CoordLanguageServer


def test_the_diagnostics_delay_is_milliseconds_and_a_bad_one_is_ignored():
    server = CoordLanguageServer()
    assert server.debounce == DEBOUNCE
    server.configure({"diagnosticsDelay": 50})
    assert server.debounce == 0.05
    for bad in (-1, 10_000, "fast", True, None):
        server.configure({"diagnosticsDelay": bad})
        assert server.debounce == 0.05
    server.configure({"profileLogs": "runs/"})
    assert server.settings["profileLogs"] == "runs/" and server.debounce == 0.05


def test_the_debounce_variable_is_seconds_and_a_bad_one_is_the_default():
    from coordlang.lsp.server import _debounce

    assert _debounce(None) == DEBOUNCE
    assert _debounce("0") == 0.0 and _debounce("0.05") == 0.05
    assert _debounce("soon") == DEBOUNCE and _debounce("-1") == DEBOUNCE and _debounce("60") == DEBOUNCE


def test_a_change_after_a_quiet_spell_is_diagnosed_at_once_and_a_burst_after_its_pause():
    server = CoordLanguageServer()
    server.configure({"diagnosticsDelay": 200})
    uri = "file:///w/a.coord"
    assert server.change_delay(uri, 10.0) == 0.0  # the first change
    assert server.change_delay(uri, 10.1) == 0.2  # typing on: the burst waits for its pause
    assert server.change_delay(uri, 10.25) == 0.2
    assert server.change_delay(uri, 11.0) == 0.0  # quiet again
    assert server.change_delay("file:///w/b.coord", 11.05) == 0.0  # documents are apart
    server.forget_changes(uri)
    assert server.change_delay(uri, 11.1) == 0.0  # closed and reopened
    server.configure({"diagnosticsDelay": 0})
    assert server.change_delay(uri, 11.1) == 0.0  # no debounce: every change at once
