"""Benchmark workloads: each a ``.coord`` program, its handlers and a seeded input generator."""
