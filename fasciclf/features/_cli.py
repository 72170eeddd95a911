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


def _rows(args: argparse.Namespace) -> Iterator[tuple[str | None, object, str | None]]:
    """Yield (row id, text or None, error) so one bad row never stops the rest."""
    from fasciclf.cli import iter_input_rows

    yield from iter_input_rows(args.input, text_col=args.text_col, id_col=args.id_col)


def run(args: argparse.Namespace) -> int:
    from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, InputError

    if (args.text is None) == (args.input is None):
        print("fasciclf extract: give either a TEXT argument or --input FILE", file=sys.stderr)
        return EXIT_USAGE
    from fasciclf.features import extract, extract_many

    def emit(row_id, feats) -> None:
        d = feats.to_dict()
        if args.no_findings:
            d.pop("findings")
        if row_id is not None:
            d = {"id": row_id, **d}
        sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")

    if args.text is not None:
        emit(None, extract(args.text))
        return EXIT_OK
    try:
        rows = list(_rows(args))
    except InputError as exc:
        print(f"fasciclf extract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failed = 0
    good = [(rid, text) for rid, text, err in rows if err is None]
    for rid, _, err in rows:
        if err is not None:
            failed += 1
            print(f"row {rid}: {err}", file=sys.stderr)
    texts = [t for _, t in good]
    feats = extract_many(texts, n_jobs=args.n_jobs)
    show = not args.no_progress and sys.stderr.isatty() and args.input != "-"
    if show or (not args.no_progress and len(texts) > 1000):
        from tqdm import tqdm

        feats = tqdm(feats, total=len(texts), unit="text", file=sys.stderr, disable=not show)
    import warnings

    from fasciclf.features import MAX_CHARS, TextTruncatedWarning

    with warnings.catch_warnings():
        # reported per row, with the row id, instead of as a Python warning
        warnings.simplefilter("ignore", TextTruncatedWarning)
        for (rid, _), f in zip(good, feats, strict=True):
            if f.truncated:
                print(
                    f"row {rid}: warning: text truncated to {MAX_CHARS} characters", file=sys.stderr
                )
            emit(rid, f)
    if failed:
        print(f"{failed} of {len(rows)} rows failed", file=sys.stderr)
        return EXIT_ROW_ERRORS
    return EXIT_OK


__all__ = ["add_parsers", "run"]
