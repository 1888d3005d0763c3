"""Published numbers our runs are compared with (transcribed, not computed), in one place.

* :data:`PACGAN_TABLE1` -- PacGAN (arXiv 1712.04086), Table 1: the 2-D ring and grid mixtures;
* :data:`PUBLISHED_COVERAGE` -- AdaGAN (arXiv 1701.02386), Table 1: coverage of AdaGAN's
  Gaussian mixtures (also the coverage table of the AdaGAN talk (Tolstikhin) listed under
  "Sources" in docs/theory.md);
* :data:`PACGAN_TABLE1_ROWS`, :data:`VEEGAN_TABLE1_ROWS`, :data:`PACGAN_TABLE2_ROWS`,
  :data:`PACGAN_TABLE3_ROWS` -- the rows of the four tables ``gan table`` regenerates (PacGAN
  Tables 1-3, VEEGAN Table 1), with standard errors where the papers print them.
"""

from __future__ import annotations

__all__ = ["PACGAN_TABLE1", "PUBLISHED_COVERAGE", "PACGAN_TABLE1_ROWS", "VEEGAN_TABLE1_ROWS", "PACGAN_TABLE2_ROWS",
           "PACGAN_TABLE3_ROWS"]

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


# ------------------------------------------------------------------ the tables of `gan table`
# Every entry: ``{metric: (mean, standard error or None)}``; None where the paper prints no
# error. Metric names are the ones our results use: ``modes``, ``hq_percent`` (% high quality),
# ``reverse_kl`` (the 2-D tables) and ``kl`` (stacked MNIST, KL(model histogram || uniform)).

def _ms(modes, hq, rkl):
    return {"modes": modes, "hq_percent": hq, "reverse_kl": rkl}


#: PacGAN arXiv 1712.04086 Table 1 with its standard errors and its ALI row (10 trials, mean +/-
#: s.e.): ``PACGAN_TABLE1_ROWS[dataset][label]``. :data:`PACGAN_TABLE1` holds the means only.
PACGAN_TABLE1_ROWS = {
    "ring": {
        "GAN": _ms((6.3, 0.5), (98.2, 0.2), (0.45, 0.09)),
        "ALI": _ms((6.6, 0.3), (97.6, 0.4), (0.36, 0.04)),
        "PacGAN2": _ms((7.9, 0.1), (95.6, 2.0), (0.07, 0.03)),
        "PacGAN3": _ms((7.8, 0.1), (97.7, 0.3), (0.10, 0.02)),
        "PacGAN4": _ms((7.8, 0.1), (95.9, 1.4), (0.07, 0.02)),
    },
    "grid": {
        "GAN": _ms((17.3, 0.8), (94.8, 0.7), (0.70, 0.07)),
        "ALI": _ms((24.1, 0.4), (95.7, 0.6), (0.14, 0.03)),
        "PacGAN2": _ms((23.8, 0.7), (91.3, 0.8), (0.13, 0.04)),
        "PacGAN3": _ms((24.6, 0.4), (94.2, 0.4), (0.06, 0.02)),
        "PacGAN4": _ms((24.8, 0.2), (93.6, 0.6), (0.04, 0.01)),
    },
}


def _mh(modes, hq):
    return {"modes": (modes, None), "hq_percent": (hq, None)}


#: VEEGAN (Srivastava et al. 2017) Table 1 (5 runs, means only; modes / % high quality) on the
#: ring, the grid and the 1200-D mixture (dataset name ``veegan1200``), and the WGAN-GP row GDPP
#: (Elfeki et al. 2019) added to it. VEEGAN's networks are small MLPs, not PacGAN's, so its GAN
#: row differs from PacGAN's (1 vs 6.3 ring modes).
VEEGAN_TABLE1_ROWS = {
    "ring": {"GAN": _mh(1, 99.3), "ALI": _mh(2.8, 0.13), "Unrolled": _mh(7.6, 35.6), "VEEGAN": _mh(8, 52.9),
             "WGAN-GP (GDPP)": _mh(6.8, 59.6)},
    "grid": {"GAN": _mh(3.3, 0.5), "ALI": _mh(15.8, 1.6), "Unrolled": _mh(23.6, 16), "VEEGAN": _mh(24.6, 40),
             "WGAN-GP (GDPP)": _mh(24.2, 28.7)},
    "veegan1200": {"GAN": _mh(1.6, 2.0), "ALI": _mh(3, 5.4), "Unrolled": _mh(0, 0.0), "VEEGAN": _mh(5.5, 28.29),
                   "WGAN-GP (GDPP)": _mh(6.4, 29.5)},
}


def _mk(modes, kl):
    return {"modes": modes, "kl": kl}


#: PacGAN arXiv 1712.04086 Table 2: stacked MNIST in VEEGAN's setting (modes of 1000 / KL). The
#: first four rows are VEEGAN's Table 2 (means only); "DCGAN (PacGAN)" is PacGAN's own DCGAN run,
#: the baseline its PacDCGAN rows are trained from.
PACGAN_TABLE2_ROWS = {
    "DCGAN (VEEGAN)": _mk((99, None), (3.40, None)),
    "ALI (VEEGAN)": _mk((16, None), (5.40, None)),
    "Unrolled (VEEGAN)": _mk((48.7, None), (4.32, None)),
    "VEEGAN": _mk((150, None), (2.95, None)),
    "DCGAN (PacGAN)": _mk((78.9, 6.46), (4.50, 0.127)),
    "PacDCGAN2": _mk((1000.0, 0.0), (0.06, 0.003)),
    "PacDCGAN3": _mk((1000.0, 0.0), (0.06, 0.003)),
    "PacDCGAN4": _mk((1000.0, 0.0), (0.07, 0.005)),
}

#: PacGAN arXiv 1712.04086 Table 3: stacked MNIST in the Unrolled-GAN setting, discriminator
#: 1/4 (``"quarter"``) and 1/2 (``"half"``) the generator's size; DCGAN and Unrolled rows are
#: Metz et al.'s, the rest PacGAN's (mean +/- s.e.).
PACGAN_TABLE3_ROWS = {
    "quarter": {
        "DCGAN (Metz)": _mk((30.6, 20.73), (5.99, 0.42)),
        "Unrolled 1 step": _mk((65.4, 34.75), (5.91, 0.14)),
        "Unrolled 5 steps": _mk((236.4, 63.30), (4.67, 0.43)),
        "Unrolled 10 steps": _mk((327.2, 74.67), (4.66, 0.46)),
        "DCGAN (PacGAN)": _mk((78.5, 17.56), (5.21, 0.19)),
        "PacDCGAN2": _mk((484.5, 32.99), (2.61, 0.22)),
        "PacDCGAN3": _mk((601.3, 32.18), (2.00, 0.17)),
        "PacDCGAN4": _mk((667.4, 29.00), (1.81, 0.15)),
    },
    "half": {
        "DCGAN (Metz)": _mk((628.0, 140.9), (2.58, 0.75)),
        "Unrolled 1 step": _mk((523.6, 55.77), (2.44, 0.26)),
        "Unrolled 5 steps": _mk((732.0, 44.98), (1.66, 0.09)),
        "Unrolled 10 steps": _mk((817.4, 37.91), (1.43, 0.12)),
        "DCGAN (PacGAN)": _mk((487.7, 34.59), (2.24, 0.15)),
        "PacDCGAN2": _mk((840.7, 15.92), (1.00, 0.05)),
        "PacDCGAN3": _mk((866.6, 12.10), (0.90, 0.04)),
        "PacDCGAN4": _mk((820.2, 25.50), (1.15, 0.14)),
    },
}
