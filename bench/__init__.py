"""Benchmarks and the load run of the portal redirection (make bench, make load)."""
