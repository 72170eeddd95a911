"""Red-flag sensitivity and specificity, rules alone, model alone and both.

Sensitivity is counted on texts whose gold label is in
:data:`fasciclf._vocab.RED_FLAG_LABELS`; specificity on benign,
neuropathy, radiculopathy and metabolic texts (the people a false alarm
costs most). Intervals are exact Clopper-Pearson 95%. Figures are split by
``voice`` (rows without one count as ``question``).

A "rule" flag is any red flag except the model's own ``model_probability``
code; the model alone counts only that code and prints ``n/a`` while the
installed version does not emit it.

Usage::

    python benchmarks/red_flags.py                       # packaged sets
    python benchmarks/red_flags.py ../shared/realdev.jsonl
    python benchmarks/red_flags.py --misses FILE.jsonl   # list what the rules miss

For the "before" figures run the same script against another checkout's
code: ``git archive BASE fasciclf | tar -x -C /tmp/base && python
benchmarks/red_flags.py --code /tmp/base ../shared/realdev.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scipy.stats import binomtest

# fasciclf is imported in main(), after --code may have pointed at other code.
RED_FLAG_LABELS: tuple[str, ...] = ()
extract = red_flags = None

ROOT = Path(__file__).resolve().parents[1]
SPECIFICITY_LABELS = (
    "benign_fasciculation",
    "peripheral_neuropathy",
    "cervical_radiculopathy",
    "lumbosacral_radiculopathy",
    "metabolic_systemic",
)
MODEL_CODE = "model_probability"
DEFAULT_SETS = (
    ("challenge", ROOT / "data/labeled/challenge.jsonl", None),
    ("corpus-test", ROOT / "data/labeled/corpus.jsonl", "test"),
    ("narrative-challenge", Path("/work/corpus_new/challenge_narrative.jsonl"), None),
)


def _read(path: Path, split: str | None) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if split is None or row.get("split") == split:
                    rows.append(row)
    return rows


def _model_codes(text: str) -> set[str]:
    # Only import the model when it can say something: predicting is slow.
    from fasciclf import predict

    return {r.code for r in predict(text).red_flags}


def _interval(k: int, n: int) -> str:
    if n == 0:
        return "   -   (n=0)"
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    return f"{k / n:5.2f} [{ci.low:.2f}, {ci.high:.2f}] ({k}/{n})"


def _score(rows: list[dict], use_model: bool) -> dict[str, dict[str, list[int]]]:
    """Per voice: [hits, n] for sensitivity and [quiet, n] for specificity, per source."""
    out: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        label = row["label"]
        if label in RED_FLAG_LABELS:
            kind = "sens"
        elif label in SPECIFICITY_LABELS:
            kind = "spec"
        else:
            continue
        codes = {r.code for r in red_flags(extract(row["text"]))}
        if use_model:
            codes |= _model_codes(row["text"])
        fired = {
            "rules": bool(codes - {MODEL_CODE}),
            "model": MODEL_CODE in codes,
            "both": bool(codes),
        }
        voice = row.get("voice") or "question"
        for v in (voice, "all"):
            table = out.setdefault(v, {})
            for source, hit in fired.items():
                cell = table.setdefault(f"{kind}_{source}", [0, 0])
                cell[0] += hit if kind == "sens" else (not hit)
                cell[1] += 1
    return out


def _report(name: str, rows: list[dict], use_model: bool) -> None:
    print(f"\n## {name} ({len(rows)} texts)")
    table = _score(rows, use_model)
    for voice in sorted(table, key=lambda v: (v == "all", v)):
        cells = table[voice]
        print(f"  voice={voice}")
        for source in ("rules", "model", "both"):
            if source != "rules" and not use_model:
                print(f"    {source:5s}  sensitivity n/a   specificity n/a")
                continue
            sens = _interval(*cells.get(f"sens_{source}", [0, 0]))
            spec = _interval(*cells.get(f"spec_{source}", [0, 0]))
            print(f"    {source:5s}  sensitivity {sens}   specificity {spec}")


def _model_emits_code() -> bool:
    try:
        from fasciclf.models import _predict
    except ImportError:
        return False
    return MODEL_CODE in Path(_predict.__file__).read_text(encoding="utf-8")


def _misses(path: Path) -> None:
    """Print the ids (never the text) of red-flag cases the rules miss and benign ones they flag."""
    for row in _read(path, None):
        codes = [r.code for r in red_flags(extract(row["text"]))]
        if row["label"] in RED_FLAG_LABELS and not codes:
            print("missed", row["id"], row["label"], row.get("voice", "question"))
        elif row["label"] in SPECIFICITY_LABELS and codes:
            print("false alarm", row["id"], row["label"], row.get("voice", "question"), codes)


def _import_fasciclf(code: Path | None) -> None:
    global RED_FLAG_LABELS, extract, red_flags
    if code is not None:
        # An editable install answers imports through a meta-path finder; drop it.
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        sys.path.insert(0, str(code.resolve()))
    from fasciclf._vocab import RED_FLAG_LABELS
    from fasciclf.features import extract
    from fasciclf.models import red_flags

    print("fasciclf from", Path(sys.modules["fasciclf"].__file__).parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="extra JSONL sets (e.g. realdev)")
    parser.add_argument("--misses", type=Path, help="list misses and false alarms in one set")
    parser.add_argument("--code", type=Path, help="import fasciclf from this folder instead")
    args = parser.parse_args(argv)
    _import_fasciclf(args.code)
    if args.misses:
        _misses(args.misses)
        return 0
    use_model = _model_emits_code()
    print("red flags:", "rules + model" if use_model else "rules only (no model_probability code)")
    sets = [(n, p, s) for n, p, s in DEFAULT_SETS if p.exists()]
    sets += [(p.stem, p, None) for p in args.paths]
    for name, path, split in sets:
        _report(name, _read(path, split), use_model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
