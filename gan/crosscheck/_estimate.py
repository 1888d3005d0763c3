"""The mode-collapse region of any generator from samples: a trained classifier's certified ROC.

``estimate_region(x_p, x_q)`` splits each sample in two, trains a small real-vs-generated classifier
(an MLP for vectors, a DCGAN-style CNN for 3-channel images; on packs of ``m`` samples when
``m > 1``, as PacGAN's discriminator sees them) on the first part,
scores the held-out part and hands the scores to ``regions.region_from_scores``: the inner
region holds, with the stated confidence, for R(P,Q) (or R(P^m, Q^m)) of the *continuous* pair,
whatever the classifier learned, because the score is fixed before the held-out samples are
looked at (docs/theory.md s.7). A poor classifier gives a small inner region, never a wrong one.

torch is imported inside the function, so importing this module (and the cross-check face) needs
numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modecollapse.divergences._validation import check_integer, check_probability, check_real, check_real_array
from modecollapse.regions import RegionEstimate, region_from_scores

__all__ = [
    "ClassifierRecord",
    "ClassifierRegion",
    "estimate_region",
]


@dataclass(frozen=True)
class ClassifierRecord:
    """What the classifier behind an estimated region was and how it trained.

    Attributes
    ----------
    hidden, depth, steps : int
        MLP width and number of hidden layers (CNN: ``hidden`` is the first conv layer's width),
        Adam steps.
    lr : float
    m : int
        Packing degree of its input (``m * d`` coordinates).
    n_train_p, n_train_q : int
        Training packs per side.
    train_loss : float
        Final BCE loss on the training packs.
    train_accuracy, test_accuracy : float
        Balanced accuracy of ``logit > 0`` on the training and the held-out packs.
    seed : int
    net : str
        ``"mlp"`` or ``"cnn"``.
    batch_size : int or None
        Minibatch per side (None: full batch).
    """

    hidden: int
    depth: int
    steps: int
    lr: float
    m: int
    n_train_p: int
    n_train_q: int
    train_loss: float
    train_accuracy: float
    test_accuracy: float
    seed: int
    net: str = "mlp"
    batch_size: int | None = None


@dataclass(frozen=True)
class ClassifierRegion:
    """:func:`estimate_region`'s answer: the certified region and the classifier's record.

    Attributes
    ----------
    result : regions.RegionEstimate
        ``region_from_scores`` of the held-out logits (``inner``, ``estimate``, ``tv_lower``, ...).
    classifier : ClassifierRecord
    """

    result: RegionEstimate
    classifier: ClassifierRecord

    @property
    def inner(self):
        """``result.inner``: inside R(P^m, Q^m) with probability >= ``result.confidence``."""
        return self.result.inner

    @property
    def estimate(self):
        """``result.estimate``: the held-out empirical ROC hull."""
        return self.result.estimate

    @property
    def tv_lower(self) -> float:
        """``result.tv_lower``: a lower confidence bound on ``d_TV(P^m, Q^m)``."""
        return self.result.tv_lower


def _as_samples(x, name: str) -> np.ndarray:
    arr = check_real_array(x, name)
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (n, d) (or (n, ...), flattened); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


#: Image shapes the CNN takes (``gan.nets.StackedDiscriminator``): 3 channels, 28 or 14 pixels.
_CNN_SHAPES = ((3, 28, 28), (3, 14, 14))


def _packs(x: np.ndarray, m: int, net: str) -> np.ndarray:
    """Disjoint packs of ``m`` consecutive samples: concatenated coordinates (MLP) or stacked
    channels (CNN, PacGAN's packing of images)."""
    n = x.shape[0] // m
    x = x[: n * m]
    if net == "cnn":
        return x.reshape(n, m * x.shape[1], *x.shape[2:])
    return x.reshape(n, -1)


def estimate_region(x_p, x_q, *, m: int = 1, confidence: float = 0.95, train_fraction: float = 0.5,
                    hidden: int = 64, depth: int = 2, steps: int = 400, lr: float = 3e-3,
                    net: str = "auto", batch_size: int | None = None, seed: int = 0) -> ClassifierRegion:
    """Certified inner region of R(P^m, Q^m) from target samples ``x_p`` and generated ``x_q``.

    1. Each side is shuffled (``numpy.random.default_rng(seed)``; the order is independent of the
       values) and split: ``train_fraction`` of it trains, the rest is held out.
    2. Each part is cut into disjoint packs of ``m`` consecutive samples (``m * d`` coordinates,
       PacGAN's packing); a leftover ``n mod m`` is dropped.
    3. A classifier, weights from ``torch.Generator().manual_seed(seed)``, is trained by Adam on
       the BCE loss "target pack = 1, generated pack = 0" for ``steps`` steps, on one torch
       thread: an MLP (``gan.nets.mlp_critic``: ``depth`` hidden layers of width ``hidden``) on
       the flattened coordinates, or, for images of shape ``(3, 28, 28)`` or ``(3, 14, 14)``,
       the DCGAN-style packed discriminator of stacked MNIST (``gan.nets.StackedDiscriminator``,
       first width ``hidden``, packs stacked on the channel axis), scored in eval mode.
    4. Its logits on the held-out packs are the scores of
       ``regions.region_from_scores(..., m=m, packed=True, confidence=confidence)``.

    Parameters
    ----------
    x_p, x_q : array_like, shape (n_p, d), (n_q, d)
        Samples of the target and of the generator (arrays ``(n, ...)`` are flattened to vectors).
    m : int, keyword-only
        Packing degree ``>= 1``.
    confidence : float, keyword-only
        In (0, 1): the level of ``inner``.
    train_fraction : float, keyword-only
        In (0, 1).
    hidden, depth, steps : int, keyword-only
    lr : float, keyword-only
    net : {"auto", "mlp", "cnn"}, keyword-only
        ``"auto"``: the CNN for samples of an image shape it takes, else the MLP.
    batch_size : int or None, keyword-only
        Packs per side in each Adam step, drawn with replacement by the seeded generator; None
        (default) is full batch for the MLP and 64 for the CNN.
    seed : int, keyword-only

    Returns
    -------
    ClassifierRegion

    Raises
    ------
    ValueError
        Bad shapes or non-finite samples (``net="cnn"`` on shapes it does not take); ``m`` larger than a part allows (fewer samples than one
        pack); too few held-out packs for the band (the message says how many are needed).
    """
    import torch

    from modecollapse.gan.crosscheck._critics import _single_threaded  # one torch thread for tiny nets
    from modecollapse.gan.nets import mlp_critic

    xp, xq = _as_samples(x_p, "x_p"), _as_samples(x_q, "x_q")
    if xp.shape[1:] != xq.shape[1:]:
        raise ValueError(f"x_p and x_q must have the same dimension; got sample shapes {xp.shape[1:]} "
                         f"and {xq.shape[1:]}")
    if net not in ("auto", "mlp", "cnn"):
        raise ValueError(f"net must be 'auto', 'mlp' or 'cnn'; got net={net!r}")
    is_image = tuple(xp.shape[1:]) in _CNN_SHAPES
    if net == "cnn" and not is_image:
        raise ValueError(f"net='cnn' takes images of shape (n, 3, 28, 28) or (n, 3, 14, 14); got x_p of shape "
                         f"{xp.shape}; use net='mlp'")
    kind = "cnn" if net == "cnn" or (net == "auto" and is_image) else "mlp"
    if kind == "mlp":
        xp, xq = xp.reshape(xp.shape[0], -1), xq.reshape(xq.shape[0], -1)
    if batch_size is not None:
        batch_size = check_integer(batch_size, "batch_size", minimum=1)
    elif kind == "cnn":
        batch_size = 64
    m = check_integer(m, "m", minimum=1)
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    frac = check_probability(train_fraction, "train_fraction", open_low=True, open_high=True)
    hidden = check_integer(hidden, "hidden", minimum=1)
    depth = check_integer(depth, "depth", minimum=1)
    steps = check_integer(steps, "steps", minimum=0)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    seed = check_integer(seed, "seed")
    rng = np.random.default_rng(seed)
    parts = {}
    for name, x in (("x_p", xp), ("x_q", xq)):
        x = x[rng.permutation(x.shape[0])]
        cut = int(round(frac * x.shape[0]))
        tr, te = x[:cut], x[cut:]
        if min(tr.shape[0], te.shape[0]) < m:
            raise ValueError(
                f"m={m} is larger than the sample allows: {name} has {x.shape[0]} samples, split "
                f"{tr.shape[0]} / {te.shape[0]} (train_fraction={frac!r}); each part needs at least m"
            )
        parts[name] = (_packs(tr, m, kind), _packs(te, m, kind))
    (tp, ep), (tq, eq) = parts["x_p"], parts["x_q"]

    @_single_threaded
    def train():
        gen = torch.Generator().manual_seed(seed)
        if kind == "cnn":
            from modecollapse.gan.nets import StackedDiscriminator, init_parameters

            model = init_parameters(StackedDiscriminator(m=m, width=hidden, image_size=tp.shape[-1]), gen)

            def logits(z):
                return model(z)
        else:
            model = mlp_critic(tp.shape[1], hidden, depth, generator=gen)

            def logits(z):
                return model(z).squeeze(-1)

        opt = torch.optim.Adam(model.parameters(), lr=lr)
        a = torch.as_tensor(tp, dtype=torch.float32)
        b = torch.as_tensor(tq, dtype=torch.float32)

        def bce(u, v):
            sp = torch.nn.functional.softplus
            return sp(-logits(u)).mean() + sp(logits(v)).mean()

        for _ in range(steps):
            opt.zero_grad()
            if batch_size is None:
                loss = bce(a, b)
            else:
                ia = torch.randint(a.shape[0], (batch_size,), generator=gen)
                ib = torch.randint(b.shape[0], (batch_size,), generator=gen)
                loss = bce(a[ia], b[ib])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            out = [torch.cat([logits(torch.as_tensor(z[i:i + 4096], dtype=torch.float32))
                              for i in range(0, z.shape[0], 4096)]).double().numpy() for z in (tp, tq, ep, eq)]
        sp = np.logaddexp  # softplus(v) = log(1 + e^v), in numpy on the logits just computed
        final = float(np.mean(sp(0.0, -out[0])) + np.mean(sp(0.0, out[1])))
        return out, final

    (vtp, vtq, vep, veq), final = train()
    result = region_from_scores(vep, veq, confidence=conf, m=m, packed=True)
    record = ClassifierRecord(
        hidden=hidden, depth=depth, steps=steps, lr=lr, m=m, n_train_p=tp.shape[0], n_train_q=tq.shape[0],
        train_loss=final,
        train_accuracy=float(0.5 * (np.mean(vtp > 0) + np.mean(vtq <= 0))),
        test_accuracy=float(0.5 * (np.mean(vep > 0) + np.mean(veq <= 0))),
        seed=seed, net=kind, batch_size=batch_size,
    )
    return ClassifierRegion(result=result, classifier=record)
