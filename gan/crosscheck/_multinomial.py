"""Cell masses estimated from samples, with simultaneous confidence statements (numpy only).

The estimate lives in ``modecollapse.regions`` (``regions._multinomial``: any finite partition,
the counts behind ``regions.region_from_counts``); the cross-checks use it on the mode partition
(:class:`gan.data.ModePartition`: one closed disc of radius ``3 std`` per mode, the VEEGAN /
PacGAN "high quality" criterion of docs/theory.md s.6, plus "elsewhere"), with the exact masses of
a known mixture from :meth:`gan.data.GaussianMixture.cell_masses`. This module keeps the names
the cross-checks have always imported from here.
"""

from __future__ import annotations

from modecollapse.regions._multinomial import (
    MultinomialEstimate,
    estimate_cell_masses,
    l1_radius,
    samples_for_l1_radius,
)

__all__ = [
    "MultinomialEstimate",
    "estimate_cell_masses",
    "l1_radius",
    "samples_for_l1_radius",
]
