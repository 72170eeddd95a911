"""Per-field agreement of feature extraction with gold annotations, per voice.

Usage::

    python benchmarks/extraction_accuracy.py ../shared/realdev.jsonl [--show-errors]
    python benchmarks/extraction_accuracy.py data/labeled/corpus.jsonl   # rows with "gold"
    python benchmarks/extraction_accuracy.py a.jsonl b.jsonl ...         # several files

Fields: body-site F1 (micro over sites), laterality accuracy, duration
(within 25%, or both None), progression accuracy, symptom status accuracy
(8 symptoms x texts), recall on explicitly denied symptoms, and where the
gold has them, onset site and spread (the ordered regions) agreement.
Where the rows carry them (the corpus's brief columns, outside ``gold``):
whose symptoms the text tells (``writer``: the writer's own, or someone
else's), the patient's sex (correct of the rows with a ``sex``; unread
counts as wrong) and age (inside ``age_band``; unread counts as wrong).
Printed per voice (``voice`` field; rows without one count as
``question``) with Wilson 95% intervals. For F1 the interval is that of
the matched-site proportion tp / (tp + (fp + fn) / 2), which equals F1.
Targets (issue 11, the agreement of a second annotator): sites F1 >= 0.93,
laterality >= 0.88, duration >= 0.85, progression >= 0.80, symptom status
>= 0.97, negation recall >= 0.90.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fasciclf.features import SYMPTOMS, extract_many  # noqa: E402

TARGETS = {
    "body_sites_f1": 0.93,
    "laterality": 0.88,
    "duration": 0.85,
    "progression": 0.80,
    "symptom_status": 0.97,
    "negation_recall": 0.90,
    "onset_site": None,
    "spread": None,
    "patient": None,
    "sex": None,
    "age_in_band": None,
}


def duration_ok(pred, gold) -> bool:
    if pred is None or gold is None:
        return pred is None and gold is None
    return abs(pred - gold) <= 0.25 * max(abs(gold), 1e-9)


def _count(rows: list[dict], feats: list, show_errors: bool) -> dict[str, list[float]]:
    """Successes and trials per field: ``{field: [k, n]}``."""
    c: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r, f in zip(rows, feats, strict=True):
        g = r["gold"]
        ps, gs = set(f.body_sites), set(g["body_sites"])
        tp, miss = len(ps & gs), len(ps ^ gs)
        c["body_sites_f1"][0] += tp
        c["body_sites_f1"][1] += tp + miss / 2
        checks = {
            "laterality": (f.laterality, g["laterality"]),
            "progression": (f.progression, g["progression"]),
        }
        if "onset_site" in g:
            checks["onset_site"] = (f.onset_site, g["onset_site"])
        if "spread" in g:
            checks["spread"] = (list(f.spread), list(g["spread"] or []))
        errs = [f"sites {sorted(ps)} vs {sorted(gs)}"] if ps != gs else []
        for name, (got, want) in checks.items():
            c[name][0] += got == want
            c[name][1] += 1
            if got != want:
                errs.append(f"{name} {got} vs {want}")
        _count_patient(c, r, f)
        ok = duration_ok(f.duration_days, g["duration_days"])
        c["duration"][0] += ok
        c["duration"][1] += 1
        if not ok:
            errs.append(f"dur {f.duration_days} vs {g['duration_days']}")
        for s in SYMPTOMS:
            want = g["symptoms"].get(s, "not_mentioned")
            c["symptom_status"][0] += f.symptoms[s] == want
            c["symptom_status"][1] += 1
            if f.symptoms[s] != want:
                errs.append(f"{s} {f.symptoms[s]} vs {want}")
            if want == "absent":
                c["negation_recall"][0] += f.symptoms[s] == "absent"
                c["negation_recall"][1] += 1
        if show_errors and errs:
            print(f"{r.get('id')}: " + "; ".join(errs))
    return c


def _count_patient(c: dict[str, list[float]], row: dict, f) -> None:
    """Whose symptoms, and their sex and age, against the row's brief columns."""
    if row.get("writer"):
        c["patient"][0] += (row["writer"] == "self") == (f.writer == "self")
        c["patient"][1] += 1
    if row.get("sex") in ("female", "male"):
        c["sex"][0] += f.sex == row["sex"]
        c["sex"][1] += 1
    band = str(row.get("age_band") or "")
    low, _, high = band.partition("-")
    if low.isdigit() and high.isdigit():
        c["age_in_band"][0] += f.age is not None and int(low) <= f.age <= int(high)
        c["age_in_band"][1] += 1


def _interval(k: float, n: float) -> tuple[float, float, float]:
    ki, ni = round(k), max(round(n), 1)
    ci = binomtest(min(ki, ni), ni).proportion_ci(method="wilson")
    return k / n, ci.low, ci.high


def report(path: str, rows: list[dict], show_errors: bool = False, nlp=None) -> None:
    by_voice: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_voice[r.get("voice") or "question"].append(r)
    for voice, vrows in sorted(by_voice.items()):
        feats = list(extract_many([r["text"] for r in vrows], nlp=nlp))
        counts = _count(vrows, feats, show_errors)
        print(f"{path} · voice={voice} (n={len(vrows)} texts)")
        for key, target in TARGETS.items():
            k, n = counts.get(key, (0, 0))
            if not n:
                continue
            value, low, high = _interval(k, n)
            mark = "" if target is None else ("  ok" if value >= target else "  LOW")
            goal = "" if target is None else f"target >= {target:.2f}"
            print(f"  {key:<16} {value:6.3f}  [{low:.3f}, {high:.3f}]  {goal}{mark}")
        print(f"  (denied symptoms in gold: {int(counts['negation_recall'][1])})")


def _read(path: str, split: str | None = None) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                # rows without a split (challenge, realdev) are always kept
                if row.get("gold") and (split is None or row.get("split", split) == split):
                    rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="JSONL with 'text' and 'gold' per line")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--split", help="only corpus rows of this split (e.g. test)")
    parser.add_argument(
        "--course-model",
        action="store_true",
        help="read with the course model stage (build_nlp(course_model=True); off by default)",
    )
    args = parser.parse_args(argv)
    nlp = None
    if args.course_model:
        from fasciclf.features import build_nlp

        nlp = build_nlp(course_model=True)
    status = 0
    for path in args.paths:
        if not Path(path).exists():
            print(f"skipped {path}: no such file", file=sys.stderr)
            continue
        rows = _read(path, args.split)
        if not rows:
            print(f"no rows with 'gold' in {path}", file=sys.stderr)
            status = 2
            continue
        report(path, rows, args.show_errors, nlp=nlp)
    return status


if __name__ == "__main__":
    sys.exit(main())
