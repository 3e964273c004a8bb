"""Tests of coordlang.format."""
