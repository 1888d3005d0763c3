"""AdaGAN beta schedules (THEORY.md s.5)."""

__all__: list[str] = []
