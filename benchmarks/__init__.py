"""The benchmark suite of ``BENCHMARKS.md``: workloads, peers and the harness (``coord bench``)."""
