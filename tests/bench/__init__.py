"""Benchmarks: ``python -m tests.bench scale`` and the scripts of this folder."""
