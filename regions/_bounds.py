"""PacGAN bound optimisations: min/max packed TV given TV, with/without mode collapse (THEORY.md s.4)."""

__all__: list[str] = []
