"""Benchmarks: `flask --app app bench` (run.py, docs/benchmarks.md), and the modules run with
`.venv/bin/python -m benchmarks.<name>` (results in README.md), which build their own app
on a scratch database (scratch.py)."""
