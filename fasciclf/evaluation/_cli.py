"""``fasciclf evaluate``: write report.html, metrics.json and model_card.md."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_GROUP_COLS = ("sex", "age_band", "writer", "style")


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
        "--group-cols",
        default=None,
        help="comma-separated subgroup columns (default: those of "
        + ", ".join(DEFAULT_GROUP_COLS)
        + " present in the file; text length bands are always added)",
    )
    p.add_argument(
        "--split", default=None, help="keep only rows whose 'split' column has this value"
    )
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--n-jobs", type=int, default=1, help="processes for prediction")
    p.set_defaults(func=run)


def _group_values(df: Any, col: str) -> Any:
    # One group per kind of relative would give many groups of 1-10 cases
    # with uninformative intervals: compare the writer themself with relatives.
    if col == "writer":
        return df[col].map(lambda w: w if w in ("self", None) or w != w else "relative")
    return df[col]


def _read_table(path: Path, text_col: str) -> Any:
    try:
        from fasciclf.data import read_table
    except ImportError:
        read_table = None
    if read_table is not None:
        return read_table(path, text_col=text_col)
    import pandas as pd

    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    if suffix.startswith(".csv"):
        return pd.read_csv(path)
    if suffix.startswith(".tsv"):
        return pd.read_csv(path, sep="\t")
    if suffix.startswith((".jsonl", ".ndjson")):
        return pd.read_json(path, lines=True)
    if suffix.startswith(".json"):
        return pd.read_json(path)
    if suffix.startswith(".parquet"):
        return pd.read_parquet(path)
    raise ValueError(
        f"cannot read {path.name}: expected a .csv, .tsv, .jsonl, .json or .parquet file"
    )


def _parse_alt(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and value != value:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "tolist"):
        return [str(v) for v in value.tolist()]
    s = str(value).strip()
    if not s:
        return []
    if s.startswith("["):
        try:
            return [str(v) for v in json.loads(s)]
        except json.JSONDecodeError:
            pass
    for sep in (";", "|", ","):
        if sep in s:
            return [part.strip() for part in s.split(sep) if part.strip()]
    return [s]


def run(args: argparse.Namespace) -> int:
    from fasciclf.cli import EXIT_MODEL_REFUSED, EXIT_OK, EXIT_USAGE

    def fail(msg: str, code: int = EXIT_USAGE) -> int:
        print(f"fasciclf evaluate: {msg}", file=sys.stderr)
        return code

    if not args.data.is_file():
        return fail(f"data file not found: {args.data}")
    if args.n_bootstrap < 0:
        return fail(f"--n-bootstrap must be >= 0; got {args.n_bootstrap}")
    try:
        df = _read_table(args.data, args.text_col)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a usage error
        return fail(f"could not read {args.data}: {exc}")
    for col in (args.text_col, args.label_col):
        if col not in df.columns:
            columns = ", ".join(map(str, df.columns))
            return fail(f"column {col!r} not in {args.data.name}; columns are: {columns}")
    if args.split is not None:
        if "split" not in df.columns:
            return fail(f"--split given but {args.data.name} has no 'split' column")
        df = df[df["split"] == args.split].reset_index(drop=True)
    unlabeled = int(df[args.label_col].isna().sum())
    if unlabeled:
        print(f"fasciclf evaluate: skipping {unlabeled} row(s) without a label", file=sys.stderr)
        df = df[df[args.label_col].notna()].reset_index(drop=True)
    if len(df) == 0:
        return fail("no labelled rows to evaluate")

    if args.group_cols:
        group_cols = [c.strip() for c in args.group_cols.split(",") if c.strip()]
        missing = [c for c in group_cols if c not in df.columns]
        if missing:
            return fail(f"group column(s) not found: {', '.join(missing)}")
    else:
        group_cols = [c for c in DEFAULT_GROUP_COLS if c in df.columns]

    try:
        from fasciclf.models import ModelIntegrityError, default_model, load_model
    except ImportError as exc:
        return fail(f"fasciclf.models is not available: {exc}")
    try:
        if args.model is None:
            model = default_model()
        else:
            if not args.model.is_file():
                return fail(f"model file not found: {args.model}")
            trusted: Any = True if args.trust else (args.trusted_sha256 or False)
            model = load_model(args.model, trusted=trusted)
    except Exception as exc:  # noqa: BLE001 - reported as a clear message, not a traceback
        if isinstance(exc, ModelIntegrityError):
            hint = (
                " (on the command line: --trust, or --trusted-sha256 HEX)"
                if ("trusted" in str(exc))
                else ""
            )
            return fail(f"model refused: {exc}{hint}", EXIT_MODEL_REFUSED)
        return fail(f"could not load the model: {type(exc).__name__}: {exc}")

    from fasciclf.evaluation._report import evaluate

    alt = [_parse_alt(v) for v in df[args.alt_col]] if args.alt_col in df.columns else None
    ids = df[args.id_col].tolist() if args.id_col in df.columns else None
    name = args.data.name + (f" (split {args.split})" if args.split else "")
    report = evaluate(
        model,
        df[args.text_col].tolist(),
        [str(v) for v in df[args.label_col]],
        alt_labels=alt,
        groups={c: _group_values(df, c) for c in group_cols} or None,
        ids=ids,
        dataset_name=name,
        n_bootstrap=args.n_bootstrap,
        random_state=args.seed,
        n_jobs=args.n_jobs,
    )
    paths = report.write(args.out)
    for sentence in report.summary_sentences():
        print(f"- {sentence}")
    for path in paths.values():
        print(f"wrote {path}")
    return EXIT_OK
