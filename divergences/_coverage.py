"""AdaGAN coverage metric C (THEORY.md s.5)."""

__all__: list[str] = []
