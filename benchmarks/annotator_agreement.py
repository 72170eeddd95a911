"""Where and when, read by a second annotator and by the extractor, against the gold.

Usage::

    python benchmarks/annotator_agreement.py data/labeled/annotations/*.jsonl [--first N]

Each second annotator's file has one line per text: ``id``, ``body_sites``,
``laterality``, ``duration_days``, ``progression`` (annotated blind, from
section 7 of the guideline). Each row is matched by ``id`` to the gold in
``data/labeled/corpus.jsonl``; the extractor reads the same texts. Printed:
body-site F1, laterality, duration (within 25%, or both None) and
progression agreement with the gold, for the annotator and the extractor,
with Wilson 95% intervals, per file and over all files. ``--first N`` keeps
the first N lines of each file (for example the rows annotated before a
deadline).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scipy.stats import binomtest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fasciclf.features import extract_many  # noqa: E402


def _ci(k: float, n: int) -> str:
    lo, hi = binomtest(round(k), n).proportion_ci(method="wilson")
    return f"{k / n:.3f} [{lo:.2f}-{hi:.2f}]"


def _duration_ok(gold: float | None, got: float | None) -> bool:
    if gold is None or got is None:
        return gold is None and got is None
    return abs(gold - got) <= 0.25 * max(abs(gold), 1e-9)


def _score(rows, reads) -> str:
    tp = fp = fn = lat = dur = prog = 0
    for row, (sites, side, days, course) in zip(rows, reads, strict=True):
        gold = row["gold"]
        gs = set(gold["body_sites"])
        tp += len(gs & sites)
        fp += len(sites - gs)
        fn += len(gs - sites)
        lat += side == gold["laterality"]
        dur += _duration_ok(gold["duration_days"], days)
        prog += course == gold["progression"]
    n = len(rows)
    matched = tp + (fp + fn) / 2  # F1 = tp / matched; its interval on the rounded count
    if matched:
        lo, hi = binomtest(tp, max(tp, round(matched))).proportion_ci(method="wilson")
        sites_f1 = f"{tp / matched:.3f} [{lo:.2f}-{hi:.2f}]"
    else:
        sites_f1 = "n/a"
    return (
        f"body sites F1 {sites_f1}  "
        f"laterality {_ci(lat, n)}  duration {_ci(dur, n)}  progression {_ci(prog, n)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("annotations", type=Path, nargs="+")
    parser.add_argument("--first", type=int, default=None)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data/labeled/corpus.jsonl")
    args = parser.parse_args(argv)
    gold = {}
    with args.corpus.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("gold"):
                gold[row["id"]] = row
    groups = []
    for path in args.annotations:
        with path.open(encoding="utf-8") as f:
            ann = [json.loads(line) for line in f if line.strip()]
        if args.first is not None:
            ann = ann[: args.first]
        groups.append((path.name, [a for a in ann if a.get("id") in gold]))
    if len(groups) > 1:
        groups.append(("all files", [a for _, ann in groups for a in ann]))
    for name, ann in groups:
        if not ann:
            print(f"{name}: no annotated row has gold in the corpus")
            continue
        _report(name, ann, gold)
    return 0


def _report(name: str, ann: list[dict], gold: dict) -> None:
    rows = [gold[a["id"]] for a in ann]
    second = [
        (set(a["body_sites"]), a["laterality"], a["duration_days"], a["progression"]) for a in ann
    ]
    feats = list(extract_many([r["text"] for r in rows]))
    ours = [(set(f.body_sites), f.laterality, f.duration_days, f.progression) for f in feats]
    print(f"{name}: {len(ann)} texts with gold, annotated blind by a second annotator")
    print(f"  second annotator vs gold: {_score(rows, second)}")
    print(f"  extractor vs gold:        {_score(rows, ours)}")


if __name__ == "__main__":
    sys.exit(main())
