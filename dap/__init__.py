"""The debug adapter (issue #6). Not built yet."""
