"""The terminal debugger (issue #6). Not built yet."""
