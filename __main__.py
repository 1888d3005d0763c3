"""``modecollapse`` / ``python -m modecollapse``: the console entry point.

``modecollapse figures ...`` is ``python -m modecollapse.figures ...`` and ``modecollapse gan ...``
is ``python -m modecollapse.gan ...``; this module only dispatches to their ``main``.
"""

from __future__ import annotations

import sys

_USAGE = """usage: modecollapse COMMAND [ARGS ...]

commands:
  figures   regenerate the theorem and cross-check figures (modecollapse figures --help)
  gan       train, evaluate and cross-check GAN / PacGAN / AdaGAN models (modecollapse gan --help)
"""


def main(argv=None) -> int:
    """Dispatch ``argv`` (default: ``sys.argv[1:]``) to the ``figures`` or ``gan`` command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, end="")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "figures":
        from modecollapse.figures.__main__ import main as run
    elif command == "gan":
        from modecollapse.gan.cli import main as run
    else:
        print(f"error: unknown command {command!r}; expected 'figures' or 'gan'\n\n{_USAGE}", file=sys.stderr, end="")
        return 2
    return int(run(rest, prog=f"modecollapse {command}") or 0)


if __name__ == "__main__":
    sys.exit(main())
