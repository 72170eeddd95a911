"""``fasciclf evaluate``: write report.html, metrics.json and model_card.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fasciclf._vocab import RED_FLAG_LABELS

DEFAULT_GROUP_COLS = ("sex", "age_band", "writer", "style", "voice")


def add_parsers(subparsers: Any) -> None:
    """Add the ``evaluate`` subcommand to the ``fasciclf`` console script."""
    p = subparsers.add_parser(
        "evaluate",
        help="evaluate a model on labelled data and write an HTML report",
        description=(
            "Evaluate a model on a labelled file (CSV, TSV, JSONL or JSON) and write "
            "DIR/report.html, DIR/metrics.json and DIR/model_card.md. "
            "A triage aid, not a diagnosis."
        ),
    )
    p.add_argument("--data", required=True, type=Path, help="labelled file to evaluate on")
    from fasciclf.cli import add_model_arguments

    add_model_arguments(p)
    p.add_argument("--text-col", default="text", help="text column (default: text)")
    p.add_argument("--label-col", default="label", help="gold label column (default: label)")
    p.add_argument(
        "--alt-col",
        default="alt_labels",
        help="column of acceptable alternative labels, used if present (default: alt_labels)",
    )
    p.add_argument("--id-col", default="id", help="case id column, used if present")
    p.add_argument(
        "--subgroup",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a subgroup column to report on (repeatable; default: those of "
        + ", ".join(DEFAULT_GROUP_COLS)
        + " present in the file; text length bands are always added)",
    )
    p.add_argument("--group-cols", default=None, help="comma-separated subgroup columns (old form)")
    p.add_argument(
        "--red-flag-classes",
        default=None,
        metavar="A,B",
        help="comma-separated labels that must not be missed (default: "
        + ", ".join(RED_FLAG_LABELS)
        + "); name your own with your own label set",
    )
    p.add_argument(
        "--split", default=None, help="keep only rows whose 'split' column has this value"
    )
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--n-jobs", type=int, default=1, help="processes for prediction")
    p.set_defaults(func=run)


class _Usage(Exception):
    """A usage problem found while reading (reported with exit code 2)."""


class _Exit(Exception):
    """Stop with this exit code (the message was already printed)."""

    def __init__(self, code: int) -> None:
        self.code = code


def _subgroup_columns(args: argparse.Namespace, records: list[dict[str, Any]]) -> list[str]:
    present = {k for r in records for k in r}
    asked = list(args.subgroup)
    if args.group_cols:
        asked += [c.strip() for c in args.group_cols.split(",") if c.strip()]
    if not asked:
        return [c for c in DEFAULT_GROUP_COLS if c in present]
    missing = [c for c in asked if c not in present]
    if missing:
        raise _Usage(
            f"subgroup column(s) not found: {', '.join(missing)}; columns are: "
            + ", ".join(sorted(map(str, present - {"_id"})))
        )
    return list(dict.fromkeys(asked))


def _group_value(col: str, value: Any) -> Any:
    # One group per kind of relative would give many groups of 1-10 cases
    # with uninformative intervals: compare the writer themself with relatives.
    if col == "writer" and value not in ("self", None):
        return "relative"
    return value


def _load_model(args: argparse.Namespace) -> Any:
    from fasciclf.models._cli import _load

    model, code = _load(args, "evaluate")
    if code is not None:
        raise _Exit(code)
    return model


def run(args: argparse.Namespace) -> int:
    from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, labelled_rows
    from fasciclf.data._io import InputError

    def fail(msg: str, code: int = EXIT_USAGE) -> int:
        print(f"fasciclf evaluate: {msg}", file=sys.stderr)
        return code

    if args.n_bootstrap < 0:
        return fail(f"--n-bootstrap must be >= 0; got {args.n_bootstrap}")
    try:
        records, failed = labelled_rows(args, skip_unlabelled=True)
        if not records:
            return fail(f"no labelled rows to evaluate (no {args.label_col!r} values)")
        group_cols = _subgroup_columns(args, records)
        model = _load_model(args)
    except (InputError, _Usage) as exc:
        return fail(str(exc))
    except _Exit as stop:
        return stop.code
    report = _evaluate(args, model, records, group_cols)
    for warning in report.warnings:
        print(f"fasciclf evaluate: WARNING: {warning}", file=sys.stderr)
    paths = report.write(args.out)
    for sentence in report.summary_sentences():
        print(f"- {sentence}")
    for path in paths.values():
        print(f"wrote {path}")
    if failed:
        print(f"{failed} row(s) could not be read (listed above)", file=sys.stderr)
        return EXIT_ROW_ERRORS
    return EXIT_OK


def _evaluate(
    args: argparse.Namespace, model: Any, records: list[dict[str, Any]], group_cols: list[str]
) -> Any:
    from fasciclf.data._io import parse_alt_labels
    from fasciclf.evaluation._report import evaluate

    red_flag_classes = (
        [c.strip() for c in args.red_flag_classes.split(",") if c.strip()]
        if args.red_flag_classes
        else RED_FLAG_LABELS
    )
    has_alt = any(args.alt_col in r for r in records)
    name = args.data.name + (f" (split {args.split})" if args.split else "")
    return evaluate(
        model,
        [r[args.text_col] for r in records],
        [str(r[args.label_col]) for r in records],
        alt_labels=[parse_alt_labels(r.get(args.alt_col)) for r in records] if has_alt else None,
        groups={c: [_group_value(c, r.get(c)) for r in records] for c in group_cols} or None,
        ids=[r["_id"] for r in records],
        dataset_name=name,
        red_flag_classes=red_flag_classes,
        n_bootstrap=args.n_bootstrap,
        random_state=args.seed,
        n_jobs=args.n_jobs,
    )
