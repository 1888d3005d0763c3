"""Command-line entry point ``python -m modecollapse.gan`` (also ``modecollapse gan``).

The sub-commands are registered explicitly in :data:`COMMANDS`; each is a module of this package
that defines ``NAME`` (the sub-command), ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. This layer only parses arguments and calls one function of the layers below.
Torch is imported by the command modules only when they run, so ``-h`` works without it.
"""

from __future__ import annotations

import argparse
import importlib
import sys


#: sub-command modules, in the order ``--help`` lists them
COMMANDS = ("_adagan", "_crosscheck", "_evaluate", "_stacked", "_table", "_train")


def _command_modules():
    return [importlib.import_module(f"{__name__}.{name}") for name in COMMANDS]


def build_parser(prog: str = "python -m modecollapse.gan") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="GAN, PacGAN(m) and AdaGAN on the mode-collapse benchmarks.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv=None, prog: str = "python -m modecollapse.gan") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except ModuleNotFoundError as exc:
        if exc.name != "torch":
            raise
        print(f"error: `{args.command}` needs PyTorch, which is not installed.\n"
              "Install the extra:  pip install 'modecollapse[gan]'  (or: bash .ci/setup figures)", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError) as exc:  # bad input, missing/locked/corrupt files, failed writes
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from modecollapse.gan.experiments._io import RunFolderLockedError, RunInterrupted

        if isinstance(exc, RunInterrupted):
            print(f"interrupted: {exc}", file=sys.stderr)
            return 128 + exc.signum
        if isinstance(exc, RunFolderLockedError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
