"""Red-flag sensitivity and specificity: rules alone, model alone and both, per voice.

The figures are the evaluation report's own (``metrics["red_flags"]["sources"]``
of :func:`fasciclf.evaluate`), so this script and ``fasciclf evaluate`` can
never disagree. Sensitivity is counted on texts whose gold label is a
red-flag class, specificity on all the others, and again on benign,
neuropathy, radiculopathy and metabolic cases only (the red-flag issue's
target); intervals are exact (Clopper-Pearson) 95%.

- rules alone: a red-flag rule fired;
- model alone: the model's summed calibrated probability of its red-flag
  classes reached ``red_flag_threshold_`` (whether or not a rule fired;
  ``predict`` only *shows* the model's flag where no rule fired);
- both: either one.

Sets: the test split of the corpus, ``data/labeled/challenge.jsonl``, and
any JSONL path given (e.g. the real development set). Rows without a
``voice`` count as ``question``.

Usage::

    python benchmarks/red_flags.py                          # test split + challenge
    python benchmarks/red_flags.py /work/shared/realdev.jsonl
    python benchmarks/red_flags.py --misses FILE.jsonl      # ids the rules miss / over-flag
    python benchmarks/red_flags.py --misses data/labeled/corpus.jsonl --split train
    python benchmarks/red_flags.py --model m.skops          # another model (skops: no trust)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHALLENGE = ROOT / "data/labeled/challenge.jsonl"
SOURCES = ("rules", "model", "both")
# The red-flag issue's target counts specificity on the conditions a red flag
# is most often confused with; "all others" (the report's definition) adds
# central nervous system and other.
MIMICS = (
    "benign_fasciculation",
    "peripheral_neuropathy",
    "cervical_radiculopathy",
    "lumbosacral_radiculopathy",
    "metabolic_systemic",
)


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _test_split() -> list[dict]:
    from fasciclf.data import load_labeled

    return load_labeled("test").to_dict("records")


def _cell(s: dict, which: str) -> str:
    if not s.get("available"):
        return "n/a"
    k, n = (
        (s["n_caught"], s["n_positive"])
        if which == "sensitivity"
        else (s["n_negative"] - s["n_false_alarms"], s["n_negative"])
    )
    if not n:
        return "   -   (n=0)"
    low, high = s[f"{which}_ci"]
    return f"{k / n:5.3f} [{low:.3f}, {high:.3f}] ({k}/{n})"


def _print_sources(title: str, sources: dict) -> None:
    print(f"  {title}")
    for source in SOURCES:
        s = sources[source]
        if not s.get("available"):
            print(f"    {source:5s}  not available: {s.get('reason')}")
            continue
        sens, spec = _cell(s, "sensitivity"), _cell(s, "specificity")
        print(f"    {source:5s}  sensitivity {sens}   specificity {spec}")


def _report(name: str, rows: list[dict], model: object) -> None:
    import fasciclf

    texts = [r["text"] for r in rows]
    labels = [r["label"] for r in rows]
    voice = [r.get("voice") or "question" for r in rows]
    rep = fasciclf.evaluate(model, texts, labels, groups={"voice": voice}, n_bootstrap=0)
    rf = rep.metrics["red_flags"]
    print(f"\n## {name} ({len(rows)} texts; red-flag classes {', '.join(rf['classes'])})")
    _print_sources("voice=all", rf["sources"])
    for level, row in rep.metrics["subgroups"]["voice"].items():
        _print_sources(f"voice={level}", row["red_flag_sources"])


def _misses(path: Path, split: str | None = None) -> None:
    """Print the ids (never the text) of red-flag cases the rules miss and others they flag.

    Ends with the rules' sensitivity and their specificity on the mimics, per voice.
    """
    from fasciclf._vocab import RED_FLAG_LABELS
    from fasciclf.features import extract, red_flags

    tally: dict[str, list[int]] = {}  # voice -> [caught, positives, quiet, mimics]
    for row in _read(path):
        if split is not None and row.get("split") != split:
            continue
        codes = [r.code for r in red_flags(extract(row["text"]))]
        voice = row.get("voice") or "question"
        t = tally.setdefault(voice, [0, 0, 0, 0])
        if row["label"] in RED_FLAG_LABELS:
            t[0] += bool(codes)
            t[1] += 1
        elif row["label"] in MIMICS:
            t[2] += not codes
            t[3] += 1
        if row["label"] in RED_FLAG_LABELS and not codes:
            print("missed", row["id"], row["label"], voice)
        elif row["label"] not in RED_FLAG_LABELS and codes:
            print("false alarm", row["id"], row["label"], voice, codes)
    for voice, (caught, pos, quiet, mim) in sorted(tally.items()):
        print(
            f"rules, {voice}: sensitivity {caught}/{pos}, "
            f"specificity on benign/neuropathy/radiculopathy/metabolic {quiet}/{mim}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="extra labelled JSONL sets")
    parser.add_argument("--misses", type=Path, help="list rule misses and false alarms in a set")
    parser.add_argument("--split", help="with --misses: only rows of this split (e.g. train)")
    parser.add_argument("--model", type=Path, help="model file (default: the packaged model)")
    args = parser.parse_args(argv)
    if args.misses:
        _misses(args.misses, args.split)
        return 0
    from fasciclf.models import default_model, load_model

    model = load_model(args.model) if args.model else default_model()
    threshold = getattr(model, "red_flag_threshold_", None)
    print(
        "model threshold:",
        "none (model alone and both are n/a)" if threshold is None else f"{threshold:.3f}",
        "on",
        ", ".join(getattr(model, "red_flag_classes_", []) or []),
    )
    sets = [("corpus test split", _test_split())]
    sets += [(p.name, _read(p)) for p in (CHALLENGE, *args.paths)]
    from fasciclf._vocab import RED_FLAG_LABELS

    for name, rows in sets:
        _report(name, rows, model)
        keep = set(RED_FLAG_LABELS) | set(MIMICS)
        _report(
            f"{name}, specificity on benign/neuropathy/radiculopathy/metabolic only",
            [r for r in rows if r["label"] in keep],
            model,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
