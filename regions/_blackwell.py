"""Blackwell ordering: garblings between pairs (THEORY.md s.4)."""

__all__: list[str] = []
