"""Published numbers our runs are compared with (transcribed, not computed), in one place.

* :data:`PACGAN_TABLE1` -- PacGAN (arXiv 1712.04086), Table 1: the 2-D ring and grid mixtures;
* :data:`PUBLISHED_COVERAGE` -- AdaGAN (arXiv 1701.02386), Table 1: coverage of AdaGAN's
  Gaussian mixtures (also the coverage table of the AdaGAN talk (Tolstikhin) listed under
  "Sources" in docs/theory.md).
"""

from __future__ import annotations

__all__ = ["PACGAN_TABLE1", "PUBLISHED_COVERAGE"]

#: PacGAN arXiv 1712.04086 Table 1 (docs/theory.md s.6; 10 runs of 400k steps each, the ``paper``
#: preset): ``PACGAN_TABLE1[dataset][m] = (modes, % high-quality samples, reverse KL)``.
PACGAN_TABLE1 = {
    "grid": {1: (17.3, 94.8, 0.70), 2: (23.8, 91.3, 0.13), 3: (24.6, 94.2, 0.06), 4: (24.8, 93.6, 0.04)},
    "ring": {1: (6.3, 98.2, 0.45), 2: (7.9, 95.6, 0.07), 3: (7.8, 97.7, 0.10), 4: (7.8, 95.9, 0.07)},
}

#: AdaGAN arXiv 1701.02386 Table 1: median coverage C and the 5%-95% range ("90% interval") over
#: 35 runs, for Gaussian mixtures with 1, 2, 3, 5, 7, 10 modes; ``rows[label][i] = (median, q05,
#: q95)`` for ``modes[i]``.
PUBLISHED_COVERAGE = {
    "modes": [1, 2, 3, 5, 7, 10],
    "n_runs": 35,
    "source": "AdaGAN talk (Tolstikhin), coverage table; AdaGAN arXiv 1701.02386 Table 1",
    "rows": {
        "Vanilla": [(0.97, 0.9, 1.0), (0.88, 0.4, 1.0), (0.63, 0.5, 1.0), (0.72, 0.5, 0.8), (0.58, 0.4, 0.8), (0.59, 0.2, 0.7)],
        "Best of T (T=3)": [(0.99, 1.0, 1.0), (0.96, 0.9, 1.0), (0.91, 0.7, 1.0), (0.80, 0.7, 0.9), (0.84, 0.7, 0.9), (0.70, 0.6, 0.8)],
        "Best of T (T=10)": [(0.99, 1.0, 1.0), (0.99, 1.0, 1.0), (0.98, 0.8, 1.0), (0.80, 0.8, 0.9), (0.87, 0.8, 0.9), (0.71, 0.7, 0.8)],
        "Ensemble (T=3)": [(0.99, 1.0, 1.0), (0.98, 0.9, 1.0), (0.93, 0.8, 1.0), (0.78, 0.6, 1.0), (0.85, 0.6, 1.0), (0.80, 0.6, 1.0)],
        "Ensemble (T=10)": [(1.00, 1.0, 1.0), (0.99, 1.0, 1.0), (1.00, 1.0, 1.0), (0.91, 0.8, 1.0), (0.88, 0.8, 1.0), (0.89, 0.7, 1.0)],
        "TopKLast0.5 (T=3)": [(0.98, 0.9, 1.0), (0.98, 0.9, 1.0), (0.95, 0.9, 1.0), (0.95, 0.8, 1.0), (0.86, 0.7, 1.0), (0.86, 0.6, 0.9)],
        "TopKLast0.5 (T=10)": [(0.99, 1.0, 1.0), (0.98, 0.9, 1.0), (0.98, 1.0, 1.0), (0.99, 0.8, 1.0), (0.99, 0.8, 1.0), (1.00, 0.8, 1.0)],
        "Boosted (T=3)": [(0.99, 1.0, 1.0), (0.99, 0.9, 1.0), (0.98, 0.9, 1.0), (0.91, 0.8, 1.0), (0.91, 0.8, 1.0), (0.86, 0.7, 1.0)],
        "Boosted (T=10)": [(1.00, 1.0, 1.0)] * 6,
    },
}
