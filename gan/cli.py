"""Command-line entry point ``python -m gan``.

Sub-commands are discovered from the modules ``gan/_cmd_*.py``; each defines ``NAME`` (the
sub-command), ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``. Adding a
command means adding a module; nothing here needs editing. Torch is imported by the command
modules only when they run, so ``python -m gan -h`` works without it.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


def _command_modules():
    import gan as pkg

    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_cmd_"):
            mods.append(importlib.import_module(f"gan.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gan", description="GAN, PacGAN(m) and AdaGAN on the mode-collapse benchmarks.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except (ValueError, TypeError, FileNotFoundError, FileExistsError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
