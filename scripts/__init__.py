"""Developer scripts run with `python -m scripts.NAME` from the project root."""
