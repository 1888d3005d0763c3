"""f-divergences, conjugates, variational bounds, Wasserstein-1 and AdaGAN theory.

Conventions (``docs/theory.md`` s.0): a discrete pair is two probability vectors ``p, q`` on one
support; **P is the target (real data), Q the generator**; ``D_f(P||Q) = sum_i q_i f(p_i/q_i)``
with Q the reference measure. Everything here depends on numpy and scipy only.

Vectors may be numpy arrays of any float precision, torch tensors or pandas Series (pairs of
Series are aligned by label); counts go through :func:`normalize`. See
``modecollapse.divergences._validation`` for the tolerance on the total mass.
"""

from ._adagan import (
    ADAGAN_KINDS,
    AdaGANComponent,
    AdaGANIterates,
    AdaGANWeights,
    adagan_finite_steps,
    adagan_iterates,
    adagan_optimal_component,
    adagan_weak_learner_factor,
    adagan_weights,
)
from ._coverage import Coverage, GaussianMixture, coverage_discrete, coverage_kde, coverage_monte_carlo
from ._fdivergence import (
    F_DIVERGENCES,
    FDivergence,
    f_divergence,
    get_f_divergence,
    js_divergence,
    kl_divergence,
    tv_distance,
)
from ._schedules import (
    BetaSchedule,
    BoostedBeta,
    ConstantBeta,
    EnsembleBeta,
    ScheduleStep,
    TopKLastBeta,
    adagan_mixture_weights,
    beta_schedule,
    topklast_beta,
)
from ._validation import SUM_ATOL, normalize
from ._variational import (
    VariationalEstimate,
    gan_value,
    log_trick_loss,
    optimal_discriminator,
    optimal_witness,
    reverse_f,
    variational_lower_bound,
    variational_lower_bound_samples,
)
from ._wasserstein import W1Dual, W1DualCheck, wasserstein1, wasserstein1_dual

__all__ = [
    # validation
    "SUM_ATOL",
    "normalize",
    # f-divergences
    "FDivergence",
    "F_DIVERGENCES",
    "get_f_divergence",
    "f_divergence",
    "tv_distance",
    "kl_divergence",
    "js_divergence",
    # variational bounds and GAN identities
    "VariationalEstimate",
    "variational_lower_bound",
    "variational_lower_bound_samples",
    "optimal_witness",
    "optimal_discriminator",
    "gan_value",
    "log_trick_loss",
    "reverse_f",
    # Wasserstein-1
    "wasserstein1",
    "wasserstein1_dual",
    "W1Dual",
    "W1DualCheck",
    # AdaGAN optimal components and weights
    "AdaGANComponent",
    "AdaGANWeights",
    "AdaGANIterates",
    "adagan_optimal_component",
    "adagan_weights",
    "adagan_iterates",
    "adagan_weak_learner_factor",
    "adagan_finite_steps",
    "ADAGAN_KINDS",
    # AdaGAN schedules
    "BetaSchedule",
    "ConstantBeta",
    "BoostedBeta",
    "EnsembleBeta",
    "TopKLastBeta",
    "ScheduleStep",
    "beta_schedule",
    "adagan_mixture_weights",
    "topklast_beta",
    # coverage
    "Coverage",
    "GaussianMixture",
    "coverage_discrete",
    "coverage_monte_carlo",
    "coverage_kde",
]
