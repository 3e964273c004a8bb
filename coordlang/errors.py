"""The one exception tree. User mistakes in programs are diagnostics, never exceptions;
these are for I/O, misuse of the API and bugs."""

from __future__ import annotations


class CoordError(Exception):
    """Root of every exception coordlang raises on purpose."""


class SourceError(CoordError):
    """A source file cannot be read: missing, a directory, not UTF-8."""


class UsageError(CoordError):
    """The command line or an API was called with arguments that cannot work."""
