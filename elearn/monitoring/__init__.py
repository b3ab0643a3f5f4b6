"""Probes, metrics and request logs for operators running several app servers."""
