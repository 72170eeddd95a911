"""The ``fasciclf`` console script.

Each subpackage contributes its subcommands from a small ``_cli.py`` module
with ``add_parsers(subparsers)``; heavy imports (spaCy, scikit-learn,
matplotlib) happen inside the handlers so ``fasciclf --help`` stays fast.

Exit codes: 0 success, 1 some input rows failed, 2 usage error or unusable
input, 3 model file refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fasciclf._version import __version__

EXIT_OK = 0
EXIT_ROW_ERRORS = 1
EXIT_USAGE = 2
EXIT_MODEL_REFUSED = 3

_SUBCOMMAND_MODULES = (
    "fasciclf.features._cli",
    "fasciclf.models._cli",
    "fasciclf.evaluation._cli",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="fasciclf",
        description="Triage aid for lay descriptions of neuromuscular symptoms "
        "(not a diagnosis).",
    )
    parser.add_argument("--version", action="version", version=f"fasciclf {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
