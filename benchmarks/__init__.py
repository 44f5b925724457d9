"""Runnable performance measurements; results go in benchmarks/RESULTS.md, never into pass/fail tests."""
