"""Benchmarks of the solving machinery on public instances; nothing in the product imports
this package (only the `roster bench` command does)."""
