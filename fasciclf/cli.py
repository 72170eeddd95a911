"""The ``fasciclf`` console script.

Each subpackage contributes its subcommands from a small ``_cli.py`` module
with ``add_parsers(subparsers)``; heavy imports (spaCy, scikit-learn,
matplotlib) happen inside the handlers so ``fasciclf --help`` stays fast.

Input files are read by the one reader, :func:`fasciclf.data._io.iter_rows`,
and ``extract``/``predict`` stream: each row is printed as soon as it is
done, so memory stays flat on any input and ``| head`` ends quietly.

Exit codes: 0 success, 1 some input rows failed, 2 usage error or unusable
input, 3 model file refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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


def __getattr__(name: str) -> object:
    # InputError lives with the one reader (fasciclf.data._io); imported on
    # demand so that `fasciclf --help` does not import pandas.
    if name == "InputError":
        from fasciclf.data._io import InputError

        return InputError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def input_rows(args: argparse.Namespace) -> Iterator[Any]:
    """The rows of ``--input``, streamed; problems with the file itself raise at once.

    The first row is read eagerly so that a missing file, a directory, a FIFO,
    permission denied or a missing text column is an :class:`InputError` here,
    before a model is loaded or anything is printed.
    """
    import itertools

    from fasciclf.data._io import iter_rows

    rows = iter_rows(args.input, text_col=args.text_col, id_col=args.id_col)
    first = next(rows, None)
    return rows if first is None else itertools.chain([first], rows)


def labelled_rows(args: argparse.Namespace, *, skip_unlabelled: bool) -> tuple[list[dict], int]:
    """Records of ``--data`` with a text and a label, after ``--split``.

    Per-row problems go to stderr as ``row ID: reason`` and are counted; a
    row without a label is one of them unless ``skip_unlabelled`` (then a
    single count is printed). Raises :class:`InputError` for an unusable
    file, a label column that no row has, or a ``--split`` no row has (the
    message lists the splits there are).
    """
    from fasciclf.data._io import InputError, iter_rows

    records, failed, unlabelled, splits, columns = [], 0, 0, set(), {}
    for row in iter_rows(args.data, text_col=args.text_col, id_col=args.id_col):
        if row.error is not None:
            failed += 1
            report_row_error(row)
            continue
        columns.update(dict.fromkeys(row.record))
        splits.add(row.record.get("split"))
        if args.split is not None and row.record.get("split") != args.split:
            continue
        label = row.record.get(args.label_col)
        if label is None or (isinstance(label, float) and label != label) or str(label) == "":
            unlabelled += 1
            if not skip_unlabelled:
                failed += 1
                print(f"row {row.id}: missing {args.label_col!r}", file=sys.stderr)
            continue
        records.append({**row.record, "_id": row.id})
    name = getattr(args.data, "name", args.data)
    if columns and args.label_col not in columns:
        raise InputError(
            f"no {args.label_col!r} column in {name}; columns are: {', '.join(map(str, columns))}"
        )
    if args.split is not None and not records and not unlabelled:
        known = sorted(str(v) for v in splits if v is not None)
        there = f"the splits there are: {', '.join(known)}" if known else "it has no 'split' column"
        raise InputError(f"no rows with split {args.split!r} in {name}; {there}")
    if unlabelled and skip_unlabelled:
        print(f"skipping {unlabelled} row(s) without a {args.label_col!r}", file=sys.stderr)
    return records, failed


def report_row_error(row: Any) -> None:
    """``row ID: reason`` on stderr, the one format for a per-row problem."""
    print(f"row {row.id}: {row.error}", file=sys.stderr)


def good_texts(rows: Iterable[Any], pending: Any, counts: dict[str, int]) -> Iterator[str]:
    """The texts of the good rows, in order, for a streaming batch function.

    Bad rows are reported as they pass and counted in ``counts["failed"]``;
    the id of each text handed on is appended to ``pending`` so that the
    caller can pair results, which come back in order, with their rows.
    """
    for row in rows:
        counts["rows"] += 1
        if row.error is not None:
            counts["failed"] += 1
            report_row_error(row)
            continue
        pending.append(row.id)
        yield row.text


def add_input_arguments(p: argparse.ArgumentParser, *, what: str) -> None:
    """The text-or-file arguments shared by ``extract`` and ``predict``."""
    p.add_argument("text", nargs="?", help=f"a description to {what}")
    p.add_argument(
        "--input", "-i", help="file with texts (.txt one per line, .csv, .tsv, .jsonl) or '-'"
    )
    p.add_argument("--text-col", default="text", help="column/key holding the text (csv/jsonl)")
    p.add_argument("--id-col", default="id", help="column/key copied to the output when present")
    p.add_argument("--n-jobs", type=int, default=1, help="processes for feature extraction")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on files")


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """``--model`` and the explicit-trust options for joblib model files."""
    from pathlib import Path

    p.add_argument(
        "--model", type=Path, default=None, help="model file (default: the packaged one)"
    )
    p.add_argument(
        "--trust",
        action="store_true",
        help="load a joblib --model file you made or verified yourself (joblib files can "
        "run code on load; .skops files need no trust)",
    )
    p.add_argument(
        "--trusted-sha256",
        action="append",
        default=[],
        metavar="HEX",
        help="load a joblib --model file only if its SHA-256 is this value (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="fasciclf",
        description="Triage aid for lay descriptions of neuromuscular symptoms (not a diagnosis).",
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
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`fasciclf predict ... | head -1`): that is how
        # pipelines end, not an error. Point stdout at /dev/null so that the
        # interpreter's final flush does not complain either.
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout without a file descriptor (captured in tests)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
