"""Closed-form families of regions: Gaussians, uniform / partial-uniform pairs (THEORY.md s.3)."""

__all__: list[str] = []
