"""Variational (f-GAN) lower bounds, optimal witnesses and the GAN identities (THEORY.md s.1)."""

__all__: list[str] = []
