"""The runtime: the IR executors (issue #3). Not built yet."""
