"""coordlang: a workflow-coordination language with the tools of a real programming language."""

__version__ = "0.1.0"
