"""f-divergences: the FDivergence value type, the registry, D_f, TV, KL, JS (THEORY.md s.1)."""

__all__: list[str] = []
