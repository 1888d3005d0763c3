"""Named training settings: ``paper`` (PacGAN's published protocol), ``cpu`` and ``smoke``.

No torch import: the CLI lists presets without it.

================  ===========  ============  ==========  =======================================
setting           ``paper``    ``cpu``       ``smoke``   note
================  ===========  ============  ==========  =======================================
steps             400,000      12,000        30          G steps
D steps per G     1            3             1           fresh mini-batch each (``d_steps``)
batch B           100          100           32          packed samples per D batch
lr (G and D)      1e-4         3e-3 -> 1e-4  1e-3        Adam; cpu: geometric decay over the run
beta1, beta2      0.8, 0.999   0.5, 0.999    0.5, 0.999
latent dim        2            2             2           z ~ N(0, I)
G                 4 x 400      4 x 64        2 x 16      [Linear, BN, ReLU] blocks x width
D (maxout)        3 x 200 x 5  3 x 64 x 5    2 x 8 x 3   layers x width x pieces
eval samples      2,500        2,500         500
checkpoint every  20,000       500           10          steps
================  ===========  ============  ==========  =======================================

``paper`` is PacGAN arXiv 1712.04086 Section 5.1 / THEORY.md s.6 and is meant for a GPU. ``cpu`` is
our reduction for a 2-core machine (about 16 minutes per ensemble m = 1..4 x 2 seeds on one thread):
narrower networks, a larger learning rate that decays geometrically over the run so that samples
sharpen within 12,000 steps, and three discriminator updates per generator update (``d_steps``).
Why: a packed discriminator (input width 2m; the real data form 25^m tight clusters) learns slowly
from scratch -- against a fixed blurred grid it stays at chance loss for 3,000 steps when m >= 3
(``benchmarks/packed_d_from_scratch.py``) -- so it has to track the generator from the start.
With one D step the packed discriminators sat near chance loss and PacGAN2-4 stayed diffuse (<10%
high quality) while the GAN converged; a larger D learning rate (``d_lr_mult`` 5-10, TTUR) did not
help; three D steps did, but at 4,000 steps only PacGAN2 was sharp (PacGAN3-4 < 5% high quality).
Result at 12,000 steps (2 seeds, benchmarks/results/gan_cpu_preset_{grid,ring}.json; paper in
brackets): grid modes GAN 14.5 (17.3), PacGAN2 20.5 (23.8), PacGAN3 24 (24.6), PacGAN4 25 (24.8),
reverse KL 1.63 / 0.75 / 0.37 / 0.18, high quality 90 / 84 / 74 / 43% (PacGAN4's two seeds: 75%
and 12%); ring GAN 7.5 modes, PacGAN2-4 8, all 96-97% high quality. Absolute numbers are not
comparable with the published ones. ``smoke`` only exercises the code paths (tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Preset", "PRESETS", "get_preset"]


@dataclass(frozen=True)
class Preset:
    """A training setting: network/optimiser fields of ``TrainConfig`` plus run lengths.

    Attributes
    ----------
    name, description : str
    steps : int
        Training steps per member.
    config : dict
        Keyword arguments of :class:`gan.train.TrainConfig`.
    eval_samples : int
        Generated samples per member for the metrics (2,500 in the protocol).
    checkpoint_every : int
        Steps between periodic checkpoints.
    """

    name: str
    description: str
    steps: int
    config: dict = field(default_factory=dict)
    eval_samples: int = 2500
    checkpoint_every: int = 1000

    def train_config(self, *, steps: int | None = None, **overrides):
        """The :class:`gan.train.TrainConfig` of this preset (imports torch).

        A preset with ``lr_final`` but no ``lr_decay_steps`` decays over the whole run:
        ``lr_decay_steps = steps`` (default: the preset's ``steps``).
        """
        from modecollapse.gan.train._ensemble import TrainConfig

        cfg = {**self.config, **overrides}
        if cfg.get("lr_final") is not None and cfg.get("lr_decay_steps") is None:
            cfg["lr_decay_steps"] = self.steps if steps is None else steps
        return TrainConfig.from_dict(cfg)


PRESETS: dict[str, Preset] = {
    "paper": Preset(
        "paper",
        "PacGAN Table 1 protocol (arXiv 1712.04086 s.5.1): 400k steps, G 4x400 BN-ReLU, D maxout 3x200x5, "
        "Adam 1e-4/0.8, batch 100; meant for a GPU",
        steps=400_000,
        config=dict(batch_size=100, lr=1e-4, beta1=0.8, beta2=0.999, latent_dim=2, g_hidden=400, g_layers=4,
                    d_hidden=200, d_layers=3, d_pieces=5),
        eval_samples=2500,
        checkpoint_every=20_000,
    ),
    "cpu": Preset(
        "cpu",
        "2-core CPU reduction: G 4x64, D maxout 3x64x5, 3 D steps per G step, Adam 3e-3 decayed "
        "geometrically to 1e-4 over 12,000 steps, beta1 0.5, batch 100",
        steps=12_000,
        config=dict(batch_size=100, lr=3e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=64, g_layers=4,
                    d_hidden=64, d_layers=3, d_pieces=5, lr_final=1e-4, d_steps=3),
        eval_samples=2500,
        checkpoint_every=500,
    ),
    "smoke": Preset(
        "smoke",
        "code-path check for tests: tiny networks, 30 steps",
        steps=30,
        config=dict(batch_size=32, lr=1e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=16, g_layers=2,
                    d_hidden=8, d_layers=2, d_pieces=3),
        eval_samples=500,
        checkpoint_every=10,
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (``paper``, ``cpu`` or ``smoke``)."""
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}; got preset={name!r}")
    return PRESETS[name]
