"""Summaries and comparisons of stored results (analysis never re-runs the model)."""
