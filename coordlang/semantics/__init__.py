"""Semantics: name resolution, types and workflow rules."""
