"""f-divergences, conjugates, variational bounds, Wasserstein-1 and AdaGAN theory.

Conventions (``docs/theory.md`` s.0): a discrete pair is two probability vectors ``p, q`` on one
support; **P is the target (real data), Q the generator**; ``D_f(P||Q) = sum_i q_i f(p_i/q_i)``
with Q the reference measure. Everything here depends on numpy and scipy only.

Vectors may be numpy arrays of any float precision, torch tensors or pandas Series (pairs of
Series are aligned by label); counts go through :func:`normalize`. See
``modecollapse.divergences._validation`` for the tolerance on the total mass.
"""

from . import _adagan, _coverage, _fdivergence, _schedules, _variational, _wasserstein  # their __all__ lists are the one list of public names
from ._adagan import (ADAGAN_KINDS, AdaGANComponent, AdaGANIterates, AdaGANWeights, adagan_finite_steps,
    adagan_iterates, adagan_optimal_component, adagan_weak_learner_factor, adagan_weights)
from ._coverage import Coverage, GaussianMixture, coverage_discrete, coverage_kde, coverage_monte_carlo
from ._fdivergence import (F_DIVERGENCES, FDivergence, f_divergence, get_f_divergence, js_divergence,
    kl_divergence, tv_distance)
from ._schedules import (BetaSchedule, BoostedBeta, ConstantBeta, EnsembleBeta, ScheduleStep, TopKLastBeta,
    adagan_mixture_weights, beta_schedule, topklast_beta)
from ._validation import SUM_ATOL, normalize
from ._variational import (VariationalEstimate, gan_value, log_trick_loss, optimal_discriminator,
    optimal_witness, reverse_f, variational_lower_bound, variational_lower_bound_samples)
from ._wasserstein import W1Dual, W1DualCheck, wasserstein1, wasserstein1_dual

__all__ = [
    "SUM_ATOL",
    "normalize",
    *_fdivergence.__all__,
    *_variational.__all__,
    *_wasserstein.__all__,
    *_adagan.__all__,
    *_schedules.__all__,
    *_coverage.__all__,
]
