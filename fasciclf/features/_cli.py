"""``fasciclf extract``: features as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "extract",
        help="extract symptom features from text (JSON lines)",
        description="Print one JSON object of features per input text. Give the text as an "
        "argument, or --input FILE (.txt one text per line, .csv, .jsonl; '-' for stdin).",
    )
    from fasciclf.cli import add_input_arguments

    add_input_arguments(p, what="read")
    p.add_argument("--no-findings", action="store_true", help="omit the per-mention evidence")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, input_rows
    from fasciclf.data._io import InputError

    if (args.text is None) == (args.input is None):
        print("fasciclf extract: give either a TEXT argument or --input FILE", file=sys.stderr)
        return EXIT_USAGE
    from fasciclf.features import extract

    if args.text is not None:
        _emit(args, None, extract(args.text))
        return EXIT_OK
    try:
        n_rows, failed = _extract_stream(args, input_rows(args))
    except InputError as exc:
        print(f"fasciclf extract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if failed:
        print(f"{failed} of {n_rows} rows failed", file=sys.stderr)
        return EXIT_ROW_ERRORS
    return EXIT_OK


def _emit(args: argparse.Namespace, row_id: str | None, feats: object) -> None:
    d = feats.to_dict()
    if args.no_findings:
        d.pop("findings")
    if row_id is not None:
        d = {"id": row_id, **d}
    sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")


def _extract_stream(args: argparse.Namespace, rows: Iterator[object]) -> tuple[int, int]:
    """Extract row by row, printing as results arrive; returns (rows, failed rows)."""
    import collections
    import warnings

    from fasciclf.cli import good_texts
    from fasciclf.features import MAX_CHARS, TextTruncatedWarning, extract_many

    pending: collections.deque[str] = collections.deque()
    counts = {"rows": 0, "failed": 0}

    def texts() -> Iterator[str]:
        return good_texts(rows, pending, counts)

    batch = 16 if args.input == "-" else 256
    with warnings.catch_warnings():
        # reported per row, with the row id, instead of as a Python warning
        warnings.simplefilter("ignore", TextTruncatedWarning)
        for f in extract_many(texts(), n_jobs=args.n_jobs, batch_size=batch):
            rid = pending.popleft()
            if f.truncated:
                print(
                    f"row {rid}: warning: text truncated to {MAX_CHARS} characters", file=sys.stderr
                )
            _emit(args, rid, f)
    return counts["rows"], counts["failed"]


__all__ = ["add_parsers", "run"]
