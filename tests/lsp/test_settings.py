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
