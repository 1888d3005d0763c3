"""AdaGAN optimal next component R*, R+ and data reweighting (THEORY.md s.5)."""

__all__: list[str] = []
