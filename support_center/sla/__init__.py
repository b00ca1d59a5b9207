"""Service-level agreement helpers."""
