"""Mode-collapse regions, packed total variation, Blackwell ordering and the PacGAN bounds.

Conventions (``docs/theory.md`` s.0, s.3, s.4): **P is the target, Q the generator**; a region is
drawn with eps = Q(S) on the x axis and delta = P(S) on the y axis. Depends on numpy and scipy
only.

The code lives in private modules, imported in one direction: ``_region`` (the ``Region`` value
type) <- ``_families`` (closed-form regions), ``_blackwell`` (garblings), ``_packing`` (packed TV
and regions; over ``_lattice`` and ``_typeclasses``) and ``_bounds`` (the PacGAN bound
optimisations; over ``_bernoulli`` and ``_typeclasses``). Every public name is imported here by
name and listed once in ``__all__``.
"""

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
from ._families import GaussianRegion, LikelihoodRatioPair, gaussian_region, pacgan_example, piecewise_uniform_pair
from ._packing import (
    PackedPair,
    PackedRegion,
    PackedTVBounds,
    packed_pair,
    packed_region,
    packed_tv,
    packed_tv_bounds,
)
from ._region import REGION_ATOL, ModeCollapseRegion, Region, has_mode_collapse, mode_collapse_region, pair_from_region

__all__ = [
    # _region: the region value type
    "ModeCollapseRegion",
    "Region",
    "mode_collapse_region",
    "has_mode_collapse",
    "pair_from_region",
    "REGION_ATOL",
    # _families: closed-form regions
    "GaussianRegion",
    "gaussian_region",
    "LikelihoodRatioPair",
    "piecewise_uniform_pair",
    "pacgan_example",
    # _blackwell: Blackwell ordering
    "blackwell_garbling",
    "blackwell_leq",
    "GARBLING_ATOL",
    # _packing: packed TV and packed regions
    "PackedTVBounds",
    "PackedPair",
    "PackedRegion",
    "packed_tv",
    "packed_tv_bounds",
    "packed_pair",
    "packed_region",
    # _bounds: the PacGAN bound optimisations
    "PackedTVOptimum",
    "TVBand",
    "packed_tv_max",
    "packed_tv_min",
    "packed_tv_min_with_collapse",
    "packed_tv_max_without_collapse",
    "tv_band",
]
