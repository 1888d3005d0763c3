"""Mode-collapse regions R(P,Q): the Region value type (THEORY.md s.3)."""

__all__: list[str] = []
