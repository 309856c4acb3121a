"""Benchmarks: scripts that print figures (see docs/benchmarks.md); not tests."""
