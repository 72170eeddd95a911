"""``fasciclf train``, ``fasciclf predict`` and ``fasciclf info``.

Heavy imports happen inside the handlers so ``fasciclf --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fasciclf._vocab import KINDS as KIND_CHOICES


def add_parsers(subparsers: Any) -> None:
    """Add ``train``, ``predict`` and ``info`` to the ``fasciclf`` console script."""
    t = subparsers.add_parser(
        "train",
        help="train a classifier on a labeled file (or rebuild the default model)",
        description="Select hyperparameters by cross-validation, fit, and save a model file. "
        "--default rebuilds the packaged model from the train split of data/labeled.",
    )
    t.add_argument("--data", type=Path, help="labeled file: .csv, .tsv, .jsonl or .json")
    t.add_argument("--text-col", default="text", help="text column (default: text)")
    t.add_argument("--label-col", default="label", help="label column (default: label)")
    t.add_argument("--id-col", default="id", help="row id column, used in messages if present")
    t.add_argument(
        "--split", default=None, help="keep only rows whose 'split' column has this value"
    )
    t.add_argument("--kind", choices=KIND_CHOICES, default="hybrid", help="default: hybrid")
    t.add_argument("--out", type=Path, default=Path("model.joblib"), help="default: model.joblib")
    t.add_argument(
        "--format",
        choices=("joblib", "skops"),
        default=None,
        help="model file format (default: skops for a .skops --out, else joblib)",
    )
    t.add_argument("--cv", type=int, default=5, help="cross-validation folds (default 5)")
    t.add_argument(
        "--group-col",
        default=None,
        help="column grouping the rows (e.g. who wrote them): cross-validation folds keep "
        "each group whole, so the chosen settings and the red-flag threshold are those that "
        "carry over to new writers",
    )
    t.add_argument(
        "--group-sep",
        default=None,
        help="with --group-col: the group is the part of the value before the first SEP "
        "(id 'w3-0042' with '-' gives 'w3')",
    )
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--n-jobs", type=int, default=None, help="parallel fits (default 1)")
    t.add_argument(
        "--default",
        action="store_true",
        help="rebuild the packaged default model from data/labeled (ignores --data/--out)",
    )
    t.add_argument("--no-progress", action="store_true", help="no progress bars")
    t.set_defaults(func=run_train)

    p = subparsers.add_parser(
        "predict",
        help="triage suggestion and red flags for a text or a file of texts",
        description="Classify a description (argument) or --input FILE (.txt one text per "
        "line, .csv, .tsv, .jsonl; '-' for stdin). A triage aid, not a diagnosis.",
    )
    from fasciclf.cli import add_input_arguments, add_model_arguments

    add_input_arguments(p, what="classify")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--features", action="store_true", help="include the features in --json output")
    add_model_arguments(p)
    p.set_defaults(func=run_predict)

    i = subparsers.add_parser(
        "info",
        help="show a model file's metadata (reads the header only; loads no code)",
        description="Print the metadata of a model file: labels, training data fingerprint, "
        "CV metrics, versions and whether they match the installed ones.",
    )
    i.add_argument(
        "--model", type=Path, default=None, help="model file (default: the packaged one)"
    )
    i.add_argument("--json", action="store_true", help="print the header as JSON")
    i.set_defaults(func=run_info)


def _err(cmd: str, msg: str) -> None:
    print(f"fasciclf {cmd}: {msg}", file=sys.stderr)


def _tqdm_progress(enabled: bool):
    def wrap(iterable: Iterable[Any], total: int, desc: str = "") -> Iterable[Any]:
        if not enabled:
            return iterable
        from tqdm import tqdm

        return tqdm(
            iterable, total=total, desc=desc or None, unit="fit", file=sys.stderr, leave=False
        )

    return wrap


# --------------------------------------------------------------------------- train


def run_train(args: argparse.Namespace) -> int:
    from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE

    show = not args.no_progress and sys.stderr.isatty()
    if args.default:
        from fasciclf.models.build_default import build_default, describe

        t0 = time.perf_counter()
        try:
            path = build_default(n_jobs=args.n_jobs or 2, progress=_tqdm_progress(show))
        except FileNotFoundError as exc:
            _err("train", str(exc))
            return EXIT_USAGE
        print(describe(path, time.perf_counter() - t0))
        return EXIT_OK
    fmt, problem = _train_usage(args)
    if problem:
        _err("train", problem)
        return EXIT_USAGE
    from fasciclf.cli import labelled_rows
    from fasciclf.data._io import InputError

    try:
        records, failed = labelled_rows(args, skip_unlabelled=False)
    except InputError as exc:
        _err("train", str(exc))
        return EXIT_USAGE
    texts = [r[args.text_col] for r in records]
    labels = [str(r[args.label_col]) for r in records]
    groups, problem = _groups(records, args.group_col, args.group_sep)
    if problem is None and len(set(labels)) < 2:
        problem = f"need at least 2 distinct labels in usable rows; found {sorted(set(labels))}"
    if problem:
        _err("train", problem)
        return EXIT_USAGE

    from fasciclf.models._persist import save_model
    from fasciclf.models._train import train

    t0 = time.perf_counter()
    try:
        model = train(
            texts,
            labels,
            kind=args.kind,
            cv=args.cv,
            groups=groups,
            random_state=args.seed,
            n_jobs=args.n_jobs,
            progress=_tqdm_progress(show),
        )
    except ValueError as exc:
        _err("train", str(exc))
        return EXIT_USAGE
    model.metadata_["training_data"] = str(args.data.name)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        save_model(model, args.out, format=fmt)
    except ValueError as exc:  # a check save_model adds later still reads as a usage error
        _err("train", str(exc))
        return EXIT_USAGE
    cv = model.cv_metrics_
    figures = _cv_figures(cv)
    print(
        f"trained {args.kind} on {len(texts)} texts, {len(model.classes_)} labels in "
        f"{time.perf_counter() - t0:.1f} s; {cv['n_splits']}-fold CV"
        f"{f' keeping {len(set(groups))} groups whole' if groups else ''}: {figures}"
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, format {fmt})")
    if failed:
        print(f"{failed} of {failed + len(texts)} rows skipped", file=sys.stderr)
        return EXIT_ROW_ERRORS
    return EXIT_OK


def _train_usage(args: argparse.Namespace) -> tuple[str, str | None]:
    """The model file format, or a usage problem found before any file is read."""
    if args.data is None:
        return "", "give --data FILE (a labeled .csv, .tsv, .jsonl or .json) or --default"
    if args.cv < 2:
        return "", f"--cv must be >= 2; got {args.cv}"
    if args.group_sep is not None and args.group_col is None:
        return "", "--group-sep needs --group-col"
    return _out_format(args.out, args.format)


def _groups(
    records: list[dict], col: str | None, sep: str | None
) -> tuple[list[str] | None, str | None]:
    """The group of each record for ``--group-col`` (and ``--group-sep``), or a usage problem."""
    if col is None:
        return None, None
    if sep == "":
        return None, "--group-sep must not be empty"
    groups = []
    for r in records:
        value = r.get(col)
        if value is None or (isinstance(value, float) and value != value) or str(value) == "":
            return None, f"row {r['_id']}: no {col!r} value to group by (--group-col {col})"
        value = str(value)
        groups.append(value.split(sep, 1)[0] if sep is not None else value)
    return groups, None


def _out_format(out: Path, fmt: str | None) -> tuple[str, str | None]:
    """The file format for ``--out``, or a usage problem, checked before training starts."""
    implied = {".joblib": "joblib", ".skops": "skops"}.get(out.suffix.lower())
    if fmt is not None and implied is not None and implied != fmt:
        return fmt, (
            f"--format {fmt} contradicts --out {out.name} (a .{implied} file name); "
            f"use --out {out.with_suffix('.' + fmt).name} or drop --format"
        )
    return fmt or implied or "joblib", None


def _cv_figures(cv: dict[str, Any]) -> str:
    from fasciclf.evaluation._format import metric_name

    keys = ("accuracy", "top3", "macro_f1", "mnd_recall")
    return ", ".join(f"{metric_name(k)} {cv[k]:.3f}" for k in keys if cv.get(k) is not None)


# ------------------------------------------------------------------------- predict


def _load(args: argparse.Namespace, cmd: str) -> tuple[Any, int | None]:
    from fasciclf.cli import EXIT_MODEL_REFUSED, EXIT_USAGE
    from fasciclf.models._persist import ModelIntegrityError, UntrustedModelError, load_model
    from fasciclf.models._predict import default_model

    try:
        if args.model is None:
            return default_model(), None
        if not args.model.is_file():
            what = "is not a regular file" if args.model.exists() else "not found"
            _err(cmd, f"model file {what}: {args.model}")
            return None, EXIT_USAGE
        trusted: Any = True if args.trust else (args.trusted_sha256 or False)
        return load_model(args.model, trusted=trusted), None
    except ModelIntegrityError as exc:
        hint = ""
        # Decided by the exception, not its wording: only a joblib file loads with trust.
        if isinstance(exc, UntrustedModelError) and exc.trust_would_load:
            hint = " (on the command line: --trust, or --trusted-sha256 HEX)"
        _err(cmd, f"model refused: {exc}{hint}")
        return None, EXIT_MODEL_REFUSED
    except FileNotFoundError as exc:
        _err(cmd, str(exc))
        return None, EXIT_USAGE
    except PermissionError:
        _err(cmd, f"permission denied: cannot read the model file {args.model}")
        return None, EXIT_USAGE


# Why a prediction abstained, in words a user can act on (the label is still given).
ABSTAIN_WORDS = {
    "empty_text": "there is no text to read",
    "no_symptom_findings": "no symptom words were found, so the suggestion is a guess",
    "low_confidence": "the model is unsure (top probability below 50%): read the top "
    "suggestions together",
    "invalid_input": "the input is not text",
}


def _human(pred: Any, row_id: str | None) -> str:
    lines = []
    head = f"[{row_id}] " if row_id is not None else ""
    if pred.label is None:
        return f"{head}not classified: {pred.error}"
    if pred.benign_with_red_flags:
        # Said before the label, so that a reassuring label is never read first.
        lines.append(f"{head}! red flags are present: read them first, whatever the label")
        head = "  "
    for r in pred.red_flags:
        quotes = "; ".join(f'"{t}"' for _, _, t in r.evidence)
        lines.append(
            f"{head}RED FLAG {r.code}: {r.reason}" + (f" Evidence: {quotes}" if quotes else "")
        )
        head = "  "
    top = ", ".join(f"{label} {p:.0%}" for label, p in pred.top_k)
    status = ""
    if pred.abstained:
        words = ABSTAIN_WORDS.get(pred.abstain_reason, "")
        status = f"  (abstained: {pred.abstain_reason}" + (f": {words})" if words else ")")
    lines.append(f"{head}most likely: {pred.label}{status}")
    lines.append(f"  top {len(pred.top_k)}: {top}")
    return "\n".join(lines)


def _json_line(pred: Any, row_id: str | None, with_features: bool) -> str:
    d = pred.to_dict()
    if not with_features:
        d.pop("features", None)
    if row_id is not None:
        d = {"id": row_id, **d}
    return json.dumps(d, ensure_ascii=False)


def run_predict(args: argparse.Namespace) -> int:
    from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, input_rows
    from fasciclf.data._io import InputError

    if (args.text is None) == (args.input is None):
        _err("predict", "give either a TEXT argument or --input FILE ('-' for stdin)")
        return EXIT_USAGE
    try:
        rows = None if args.input is None else input_rows(args)
    except InputError as exc:
        _err("predict", str(exc))
        return EXIT_USAGE
    model, code = _load(args, "predict")
    if code is not None:
        return code
    from fasciclf._vocab import DISCLAIMER

    if not args.json:
        print(DISCLAIMER)
    if rows is None:
        from fasciclf.models._predict import predict_many

        pred = predict_many([args.text], model=model)[0]
        print(_json_line(pred, None, args.features) if args.json else _human(pred, None))
        return EXIT_OK
    try:
        n_rows, failed = _predict_stream(args, model, rows)
    except InputError as exc:
        _err("predict", str(exc))
        return EXIT_USAGE
    if failed:
        print(f"{failed} of {n_rows} rows failed", file=sys.stderr)
        return EXIT_ROW_ERRORS
    return EXIT_OK


def _predict_stream(args: argparse.Namespace, model: Any, rows: Iterable[Any]) -> tuple[int, int]:
    """Predict row by row, printing as results arrive; returns (rows, failed rows)."""
    import collections
    import warnings

    from fasciclf.cli import good_texts
    from fasciclf.features import MAX_CHARS, TextTruncatedWarning
    from fasciclf.models._predict import predict_iter

    pending: collections.deque[str] = collections.deque()
    counts = {"rows": 0, "failed": 0}

    def texts() -> Iterable[str]:
        return good_texts(rows, pending, counts)

    # Small batches from stdin (someone may be typing), larger ones from files.
    batch = 16 if args.input == "-" else 256
    out = _Progress(enabled=not args.no_progress and sys.stderr.isatty())
    with warnings.catch_warnings():
        # reported per row below, with the row id, instead of as a Python warning
        warnings.simplefilter("ignore", TextTruncatedWarning)
        for pred in predict_iter(texts(), model=model, n_jobs=args.n_jobs, batch_size=batch):
            rid = pending.popleft()
            if pred.features is not None and pred.features.truncated:
                print(
                    f"row {rid}: warning: text truncated to {MAX_CHARS} characters", file=sys.stderr
                )
            print(_json_line(pred, rid, args.features) if args.json else _human(pred, rid))
            out.update()
    out.close()
    return counts["rows"], counts["failed"]


class _Progress:
    """A count of rows done on stderr (tqdm without a total: the input is a stream)."""

    def __init__(self, *, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(unit="text", file=sys.stderr, leave=False)

    def update(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# ---------------------------------------------------------------------------- info


def run_info(args: argparse.Namespace) -> int:
    from fasciclf._vocab import LABELS
    from fasciclf.cli import EXIT_MODEL_REFUSED, EXIT_OK, EXIT_USAGE
    from fasciclf.features import lexicon_version
    from fasciclf.models._persist import ModelIntegrityError, read_header, version_drift
    from fasciclf.models._predict import default_model_path

    path = args.model or default_model_path()
    if not Path(path).is_file():
        _err("info", f"model file not found: {path}")
        return EXIT_USAGE
    try:
        header = read_header(path)
    except ModelIntegrityError as exc:
        _err("info", f"model refused: {exc}")
        return EXIT_MODEL_REFUSED
    if args.json:
        print(json.dumps(header, indent=2, ensure_ascii=False))
        return EXIT_OK
    meta = header.get("metadata") or {}
    classes = meta.get("classes") or []
    if classes == sorted(LABELS):
        label_note = "the default taxonomy"
    else:
        extra = sorted(set(map(str, classes)) - set(LABELS))
        missing = sorted(set(LABELS) - set(map(str, classes)))
        label_note = "a custom label set" + (f" (+{', '.join(extra)})" if extra else "")
        label_note += f" (-{', '.join(missing)})" if missing else ""
    cv = meta.get("cv_metrics") or {}
    lex = meta.get("lexicon_version")
    drift = version_drift(header)
    lines = [
        f"file:            {path} ({Path(path).stat().st_size / 1e6:.2f} MB)",
        f"file SHA-256:    {header['file_sha256']}",
        f"payload:         {header['payload']['format']} (integrity verified)",
        f"model version:   {meta.get('model_version')}",
        f"kind:            {meta.get('kind')}, calibration {meta.get('calibration')}",
        f"labels:          {len(classes)}, {label_note}",
        f"                 {', '.join(map(str, classes))}",
        f"trained on:      {meta.get('n_train')} texts "
        f"({meta.get('training_data', 'unknown source')})",
        f"data SHA-256:    {meta.get('training_data_sha256')}",
        f"created:         {meta.get('created')}",
    ]
    if cv:
        figs = _cv_figures(cv)
        lines.append(f"cross-validation: {cv.get('n_splits', '?')}-fold: {figs}")
    counts = meta.get("class_counts") or {}
    if counts:
        lines.append("class counts:    " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    hp = meta.get("hyperparameters") or {}
    if hp:
        lines.append("hyperparameters: " + ", ".join(f"{k}={v}" for k, v in sorted(hp.items())))
    versions = meta.get("versions") or {}
    lines.append(
        "saved with:      "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + (
            ""
            if not drift
            else "  [DIFFERS from installed: "
            + ", ".join(f"{k} {b}" for k, (_, b) in drift.items())
            + "]"
        )
    )
    lex_note = (
        "matches the installed extractor"
        if lex == lexicon_version()
        else (f"DIFFERS from the installed {lexicon_version()}")
    )
    lines.append(f"lexicon:         {lex} ({lex_note})")
    print("\n".join(lines))
    return EXIT_OK


__all__ = ["add_parsers", "run_info", "run_predict", "run_train"]
