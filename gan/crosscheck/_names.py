"""The public names of the torch half of the cross-checks (``_critics``), torch-free.

The face lists them in its ``__all__`` and resolves them lazily; ``_critics`` takes its
``__all__`` from here, so the list is written once and the face needs no torch to know it.
"""

TORCH_NAMES = (
    "TORCH_WITNESS_TERMS",
    "PackedTVEstimate",
    "VariationalTrace",
    "WassersteinTrace",
    "AdaGANWeightCheck",
    "packed_tv_discriminator",
    "variational_bound_trace",
    "wasserstein_critic_trace",
    "adagan_weight_crosscheck",
    "same_components",
    "ExactBracket",
    "divergence_bracket",
    "packed_tv_bracket",
)
