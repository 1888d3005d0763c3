"""Packed TV d_TV(P^m,Q^m) and packed regions R(P^m,Q^m): exact and certified (THEORY.md s.4)."""

__all__: list[str] = []
