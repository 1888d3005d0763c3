"""``python -m modecollapse.gan table NAME``: regenerate a paper's table beside ours.

Example::

    python -m modecollapse.gan table pacgan-table1 --preset cpu --out tables/ --threads 1
    python -m modecollapse.gan table pacgan-table2 --preset paper --out /shared/tables --backend ray

Trains what is missing under ``--out/runs/`` (finished runs are reused, interrupted ones resumed:
re-running the same command after an interrupt continues), evaluates, and writes
``--out/NAME.md`` and ``--out/NAME.json``. ``--backend ray`` runs every ensemble as a Ray task
(local Ray by default; ``--address`` or ``RAY_ADDRESS`` joins a cluster). See
:mod:`modecollapse.gan.experiments.tables`.
"""

from __future__ import annotations

import sys

from modecollapse.gan.cli._args import add_device, add_quiet, add_threads

NAME = "table"
HELP = ("regenerate a paper's table (pacgan-table1, veegan-table1, pacgan-table2, pacgan-table3) with ours beside "
        "it: trains what is missing, resumably, in-process or on Ray")


def add_arguments(parser) -> None:
    from modecollapse.gan.experiments.tables import TABLE_NAMES, TABLE_PRESETS

    parser.add_argument("name", metavar="NAME", help=f"one of: {', '.join(TABLE_NAMES)}")
    parser.add_argument("--preset", default="cpu", help=f"one of: {', '.join(TABLE_PRESETS)} (default: cpu)")
    parser.add_argument("--out", required=True, help="table folder: NAME.md, NAME.json and runs/ (created)")
    parser.add_argument("--backend", default="local", help="local (one process, default) or ray")
    parser.add_argument("--address", default=None,
                        help="ray only: cluster to join (host:port, ray://host:port, auto); default RAY_ADDRESS, "
                             "else a local Ray")
    parser.add_argument("--seeds", default=None,
                        help="seeds, e.g. '0-9' (default: smoke 0, cpu 0-1, paper the published trial count)")
    add_device(parser)
    add_threads(parser)
    add_quiet(parser)


def _command(args) -> str:
    """The command line that reproduces this table (recorded in NAME.json)."""
    import shlex

    parts = ["python", "-m", "modecollapse.gan", "table", args.name, "--preset", args.preset, "--out", args.out]
    for flag, v in (("--backend", args.backend), ("--address", args.address), ("--seeds", args.seeds),
                    ("--device", args.device), ("--threads", args.threads)):
        if v is not None:
            parts += [flag, str(v)]
    return " ".join(shlex.quote(p) for p in parts)


def run(args) -> int:
    from modecollapse.gan.experiments.tables import table_command

    table_command(args.name, preset=args.preset, out=args.out, backend=args.backend, address=args.address,
                  threads=args.threads, device=args.device, seeds=args.seeds, quiet=args.quiet, command=_command(args))
    return 0


if __name__ == "__main__":  # pragma: no cover
    from modecollapse.gan.cli import main

    sys.exit(main(["table", *sys.argv[1:]]))
