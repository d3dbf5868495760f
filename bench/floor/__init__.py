"""The floor: a bare Django project the benchmark compares the portals with."""
