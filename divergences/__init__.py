"""f-divergences, conjugates, variational bounds, Wasserstein-1 and AdaGAN theory.

Conventions (``THEORY.md`` section 0): a discrete pair is two probability vectors ``p, q`` on one
support; **P is the target (real data), Q the generator**; ``D_f(P||Q) = sum_i q_i f(p_i/q_i)``
with Q the reference measure. Everything here depends on numpy and scipy only.
"""

from . import _adagan, _coverage, _fdivergence, _schedules, _validation, _variational, _wasserstein
from ._adagan import *  # noqa: F403
from ._coverage import *  # noqa: F403
from ._fdivergence import *  # noqa: F403
from ._schedules import *  # noqa: F403
from ._variational import *  # noqa: F403
from ._wasserstein import *  # noqa: F403
from ._validation import SUM_ATOL

__all__ = [
    "SUM_ATOL",
    *_fdivergence.__all__,
    *_variational.__all__,
    *_wasserstein.__all__,
    *_adagan.__all__,
    *_schedules.__all__,
    *_coverage.__all__,
]
