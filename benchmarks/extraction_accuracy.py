"""Per-field agreement of feature extraction with gold annotations.

Usage::

    python benchmarks/extraction_accuracy.py ../shared/realdev.jsonl [--show-errors]
    python benchmarks/extraction_accuracy.py data/labeled/corpus.jsonl   # rows with "gold"

Fields: body-site F1 (micro over sites), laterality accuracy, duration
(within 25%, or both None), progression accuracy, symptom status accuracy
(8 symptoms x texts), and recall on explicitly denied symptoms.
Targets on real text (issue 2): sites F1 >= 0.90, laterality >= 0.90,
duration >= 0.85, progression >= 0.80, symptom status >= 0.92,
negation recall >= 0.85.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fasciclf.features import SYMPTOMS, extract_many  # noqa: E402

TARGETS = {
    "body_sites_f1": 0.90,
    "laterality": 0.90,
    "duration": 0.85,
    "progression": 0.80,
    "symptom_status": 0.92,
    "negation_recall": 0.85,
}


def duration_ok(pred, gold) -> bool:
    if pred is None or gold is None:
        return pred is None and gold is None
    return abs(pred - gold) <= 0.25 * max(abs(gold), 1e-9)


def score(rows: list[dict], show_errors: bool = False) -> dict[str, float]:
    feats = list(extract_many([r["text"] for r in rows]))
    tp = fp = fn = 0
    lat = dur = prog = sym_ok = sym_n = neg_tp = neg_n = 0
    for r, f in zip(rows, feats, strict=True):
        g = r["gold"]
        ps, gs = set(f.body_sites), set(g["body_sites"])
        tp += len(ps & gs)
        fp += len(ps - gs)
        fn += len(gs - ps)
        errs = []
        if ps != gs:
            errs.append(f"sites {sorted(ps)} vs {sorted(gs)}")
        lat += f.laterality == g["laterality"]
        if f.laterality != g["laterality"]:
            errs.append(f"lat {f.laterality} vs {g['laterality']}")
        ok = duration_ok(f.duration_days, g["duration_days"])
        dur += ok
        if not ok:
            errs.append(f"dur {f.duration_days} vs {g['duration_days']}")
        prog += f.progression == g["progression"]
        if f.progression != g["progression"]:
            errs.append(f"prog {f.progression} vs {g['progression']}")
        for s in SYMPTOMS:
            gold_status = g["symptoms"].get(s, "not_mentioned")
            sym_n += 1
            sym_ok += f.symptoms[s] == gold_status
            if f.symptoms[s] != gold_status:
                errs.append(f"{s} {f.symptoms[s]} vs {gold_status}")
            if gold_status == "absent":
                neg_n += 1
                neg_tp += f.symptoms[s] == "absent"
        if show_errors and errs:
            print(f"{r.get('id')}: " + "; ".join(errs))
    n = len(rows)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": n,
        "body_sites_f1": f1,
        "laterality": lat / n,
        "duration": dur / n,
        "progression": prog / n,
        "symptom_status": sym_ok / sym_n,
        "negation_recall": neg_tp / neg_n if neg_n else float("nan"),
        "n_denied": neg_n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="JSONL with 'text' and 'gold' per line")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    with open(args.path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if row.get("gold"):
                    rows.append(row)
    if not rows:
        print(f"no rows with 'gold' in {args.path}", file=sys.stderr)
        return 2
    result = score(rows, show_errors=args.show_errors)
    print(f"extraction agreement on {args.path} (n={result['n']} texts)")
    for key, target in TARGETS.items():
        value = result[key]
        mark = "ok " if value >= target else "LOW"
        print(f"  {key:<16} {value:6.3f}   target >= {target:.2f}  {mark}")
    print(f"  (denied symptoms in gold: {result['n_denied']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
