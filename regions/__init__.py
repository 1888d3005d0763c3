"""Mode-collapse regions, packed total variation, Blackwell ordering and the PacGAN bounds.

Conventions (``THEORY.md`` sections 0, 3, 4): **P is the target, Q the generator**; a region is
drawn with eps = Q(S) on the x axis and delta = P(S) on the y axis. Depends on numpy and scipy
only.
"""

from . import _blackwell, _bounds, _families, _packing, _region
from ._blackwell import *  # noqa: F403
from ._bounds import *  # noqa: F403
from ._families import *  # noqa: F403
from ._packing import *  # noqa: F403
from ._region import *  # noqa: F403

__all__ = [
    *_region.__all__,
    *_families.__all__,
    *_blackwell.__all__,
    *_packing.__all__,
    *_bounds.__all__,
]
