"""Wasserstein-1: exact primal LP, 1-D closed form, Kantorovich-Rubinstein dual (THEORY.md s.2)."""

__all__: list[str] = []
