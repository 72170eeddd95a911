"""Extraction on misspelt text: the spelling component on and off.

Usage::

    python benchmarks/typo_robustness.py [FILE ...] [--rate 0.3] [--seed 0]

Real messages misspell the words that matter; the written corpus hardly ever
does. This copies each gold-annotated text of the given files (default: the
challenge and selection sets, never trained on) and misspells each word of
six letters or more that a lexicon term uses with probability ``--rate``:
one edit that keeps the first letter (a letter dropped, doubled, swapped
with the next, or replaced by a neighbour on the keyboard). Prints the
per-field agreement (as ``benchmarks/extraction_accuracy.py``) per voice on
the clean texts and on the misspelt ones, read by :func:`build_nlp` with
``spelling=True`` (the default) and ``spelling=False``, and how many of the
motor neuron disease and myasthenia texts a red-flag rule flags.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from extraction_accuracy import _count, _interval  # noqa: E402

from fasciclf.features import build_nlp, extract_many, red_flags  # noqa: E402
from fasciclf.features._resources import default_lexicon  # noqa: E402
from fasciclf.features._spelling import lexicon_words  # noqa: E402

RED_FLAG_LABELS = ("possible_motor_neuron_disease", "neuromuscular_junction")
DEFAULT_FILES = [ROOT / "data/labeled/challenge.jsonl", ROOT / "data/labeled/selection.jsonl"]
FIELDS = ("body_sites_f1", "laterality", "duration", "progression", "symptom_status")
_KEYS = "qwertyuiop asdfghjkl zxcvbnm".split()
_WORD = re.compile(r"[A-Za-z]{6,}")


def _neighbour(ch: str, rng: random.Random) -> str:
    for row in _KEYS:
        i = row.find(ch.lower())
        if i >= 0:
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            return rng.choice(near)
    return ch


def misspell(word: str, rng: random.Random) -> str:
    """One edit of ``word`` that keeps its first letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + _neighbour(word[i], rng) + word[i + 1 :]


def misspell_text(text: str, targets: frozenset[str], rate: float, rng: random.Random) -> str:
    def sub(m: re.Match[str]) -> str:
        w = m.group()
        return misspell(w, rng) if w.lower() in targets and rng.random() < rate else w

    return _WORD.sub(sub, text)


def gold_rows(files: list[Path]) -> list[dict]:
    """The gold-annotated rows of JSONL ``files``."""
    rows = [
        json.loads(line)
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [r for r in rows if r.get("gold")]


def table_row(name: str, rows: list[dict], feats: list) -> str:
    """One printed row: each field's agreement and the red-flag rule count."""
    counts = _count(rows, feats, show_errors=False)
    cells = "".join(f"{_interval(*counts[f])[0]:16.3f}" for f in FIELDS)
    serious = [k for k, r in enumerate(rows) if r.get("label") in RED_FLAG_LABELS]
    flagged = sum(bool(red_flags(feats[k])) for k in serious)
    return f"  {name:24s}{cells}{f'{flagged}/{len(serious)}':>16s}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    ap.add_argument("--rate", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = gold_rows(args.files)
    rng = random.Random(args.seed)
    targets = lexicon_words(default_lexicon())
    typo = [misspell_text(r["text"], targets, args.rate, rng) for r in rows]
    changed = sum(a != r["text"] for a, r in zip(typo, rows, strict=True))
    print(f"{len(rows)} texts; {changed} misspelt at rate {args.rate} (seed {args.seed})")
    runs = {
        "clean, spelling on": ([r["text"] for r in rows], True),
        "misspelt, spelling off": (typo, False),
        "misspelt, spelling on": (typo, True),
    }
    for voice in ("narrative", "question"):
        idx = [i for i, r in enumerate(rows) if (r.get("voice") or "question") == voice]
        if not idx:
            continue
        print(f"\n{voice} (n={len(idx)})")
        print(f"  {'':24s}" + "".join(f"{f:>16s}" for f in FIELDS) + f"{'rule flags':>16s}")
        for name, (texts, spelling) in runs.items():
            nlp = build_nlp(spelling=spelling)
            feats = list(extract_many([texts[i] for i in idx], nlp=nlp))
            print(table_row(name, [rows[i] for i in idx], feats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
