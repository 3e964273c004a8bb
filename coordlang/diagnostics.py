"""The one ``Diagnostic`` type, shared by the checker, the CLI, the language server and the
debugger, and the registry of stable codes.

Codes are stable and never reused: ``P1xx`` syntax, ``N2xx`` names, ``T3xx`` types, ``W4xx``
workflow rules, ``R5xx`` runtime, ``O6xx`` optimization hints. Each is documented in ``docs/diagnostics.md``, which is
generated from :data:`CODES` (``python -m coordlang.diagnostics > docs/diagnostics.md``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from coordlang.source import Span


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` of a list is the worst."""

    HINT = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``span`` of the document with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A quick fix: a title for the menu and the edits that apply it."""

    title: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a diagnostic; ``path`` is None for the same document."""

    span: Span
    message: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem, a warning or a hint about a span of one document."""

    code: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()
    unnecessary: bool = False
    """The span is dead or unused code (editors grey it out)."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class Code:
    """A documented diagnostic code."""

    code: str
    severity: Severity
    title: str
    explanation: str
    example: str = ""


CODES: dict[str, Code] = {}


def register(code: str, severity: Severity, title: str, explanation: str, example: str = "") -> Code:
    """Declare a code once, at import time of the module that reports it."""
    if code in CODES:
        raise ValueError(f"diagnostic code {code} registered twice")
    entry = Code(code, severity, title, explanation, example)
    CODES[code] = entry
    return entry


def make(code: str, message: str, span: Span, *, severity: Severity | None = None,
         related: tuple[Related, ...] = (), fixes: tuple[Fix, ...] = (),
         unnecessary: bool = False) -> Diagnostic:
    """A diagnostic with the registered default severity of ``code``."""
    entry = CODES[code]
    return Diagnostic(code, severity or entry.severity, message, span, related, fixes, unnecessary)


_PHASES = {"P": "Syntax", "N": "Names", "T": "Types", "W": "Workflow rules", "R": "Runtime",
           "O": "Optimization hints"}


def render_markdown() -> str:
    """``docs/diagnostics.md``: every registered code, grouped by phase."""
    import coordlang.analysis.hints  # noqa: F401  (registers the hints' codes)
    import coordlang.semantics  # noqa: F401  (registers the checker's codes)
    import coordlang.syntax  # noqa: F401

    out = ["# Diagnostic codes", "",
           "Every diagnostic coordlang reports has a stable code. Codes are never reused.",
           "This file is generated: `python -m coordlang.diagnostics > docs/diagnostics.md`.", ""]
    for letter, phase in _PHASES.items():
        entries = sorted((c for c in CODES.values() if c.code.startswith(letter)), key=lambda c: c.code)
        if not entries:
            continue
        out += [f"## {phase} ({letter}xxx)", ""]
        for entry in entries:
            out += [f"### {entry.code} — {entry.title}", "", f"Default severity: {entry.severity.label}.", "",
                    entry.explanation, ""]
            if entry.example:
                out += ["```coord", entry.example.strip("\n"), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    # Run as a script this file is a second module, ``__main__``, with an empty table; the codes
    # are registered in the table of the imported ``coordlang.diagnostics``.
    from coordlang.diagnostics import render_markdown as _render

    print(_render(), end="")
