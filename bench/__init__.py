"""Benchmarks: `make bench` / `make bench-quick`."""
