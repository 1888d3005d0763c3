"""Mode-collapse regions, packed total variation, Blackwell ordering and the PacGAN bounds.

Conventions (``docs/theory.md`` s.0, s.3, s.4): **P is the target, Q the generator**; a region is
drawn with eps = Q(S) on the x axis and delta = P(S) on the y axis. Depends on numpy and scipy
only.

The code lives in private modules, imported in one direction: ``_region`` (the ``Region`` value
type) <- ``_families`` (closed-form regions), ``_blackwell`` (garblings), ``_packing`` (packed TV
and regions; over ``_lattice`` and ``_typeclasses``) and ``_bounds`` (the PacGAN bound
optimisations; over ``_bernoulli`` and ``_typeclasses``); ``_multinomial`` (cell masses from
counts), ``_conversions`` (regions from trade-off, hockey-stick and PRD values) and
``_from_samples`` (regions from scores and counts, with confidence; over ``_packing``)
sit on top. Every public name is imported here by name; it is listed once, in the ``__all__`` of
the module that defines it, and this face's ``__all__`` joins those lists.
"""

from . import _blackwell, _bounds, _conversions, _families, _from_samples, _multinomial, _packing, _region  # their __all__ lists are the one list of public names
from ._blackwell import GARBLING_ATOL, blackwell_garbling, blackwell_leq
from ._bounds import (
    PackedTVOptimum,
    TVBand,
    packed_tv_max,
    packed_tv_max_without_collapse,
    packed_tv_min,
    packed_tv_min_with_collapse,
    tv_band,
)
from ._conversions import region_from_hockey_stick, region_from_prd, region_from_tradeoff
from ._from_samples import RegionEstimate, dkw_radius, region_from_counts, region_from_scores
from ._families import GaussianRegion, LikelihoodRatioPair, gaussian_region, pacgan_example, piecewise_uniform_pair
from ._multinomial import MultinomialEstimate, estimate_cell_masses, l1_radius, samples_for_l1_radius
from ._packing import (
    PackedPair,
    PackedRegion,
    PackedTVBounds,
    packed_pair,
    packed_region,
    packed_tv,
    packed_tv_bounds,
    product_pair,
    product_region,
    product_tv,
)
from ._region import REGION_ATOL, ModeCollapseRegion, Region, has_mode_collapse, mode_collapse_region, pair_from_region

__all__ = [
    *_region.__all__,
    *_families.__all__,
    *_blackwell.__all__,
    *_packing.__all__,
    *_bounds.__all__,
    *_conversions.__all__,
    *_multinomial.__all__,
    *_from_samples.__all__,
]
