"""The orders workload: the order workflow of ``BENCHMARKS.md``."""
