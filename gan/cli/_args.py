"""The options every ``gan`` command spells the same way (one grammar: ``--device``, ``--threads``,
``--quiet``); each command module adds them through these functions."""

from __future__ import annotations


def add_device(parser) -> None:
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda or cuda:N")


def add_threads(parser) -> None:
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")


def add_quiet(parser, *aliases: str) -> None:
    parser.add_argument("--quiet", *aliases, action="store_true", help="no progress output")
