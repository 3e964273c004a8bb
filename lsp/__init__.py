"""The language server (issue #5). Not built yet."""
