"""Benchmarks: run with `.venv/bin/python -m benchmarks.<name>`; results are in README.md."""
