"""Gold vs extracted duration and progression, grouped by error type.

Usage::

    python benchmarks/course_errors.py data/labeled/corpus.jsonl --split train --voice narrative
    python benchmarks/course_errors.py data/labeled/corpus.jsonl --show 5

For error analysis on a *dev* split only (never on held-out rows). Each
wrong row is put in one family: for duration ``missed`` (gold has a value,
nothing read), ``spurious`` (gold null: the text gives no anchor),
``too_long``/``too_short`` (wrong anchor or an unrelated event dated); for
progression ``gold->got``. The time expressions read are printed with the
examples so the family's cause can be seen.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fasciclf.features import extract_many  # noqa: E402


def duration_family(got, want) -> str | None:
    if got is None and want is None:
        return None
    if want is None:
        return "spurious"
    if got is None:
        return "missed"
    if abs(got - want) <= 0.25 * max(abs(want), 1e-9):
        return None
    return "too_long" if got > want else "too_short"


def _rows(path: str, split: str | None, voice: str | None) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            if not r.get("gold") or (split and r.get("split") != split):
                continue
            if voice and (r.get("voice") or "question") != voice:
                continue
            out.append(r)
    return out


def _timeline(f) -> str:
    return " | ".join(
        f"{ep.order}:{','.join(ep.concepts)}@{','.join(ep.body_sites)}"
        f" d={ep.days_before_writing} ev={ep.evidence[0] if ep.evidence else None!r}"
        for ep in f.timeline
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("path")
    p.add_argument("--split", default="train")
    p.add_argument("--voice", default="narrative")
    p.add_argument("--show", type=int, default=3, help="examples printed per family")
    a = p.parse_args(argv)
    rows = _rows(a.path, a.split or None, a.voice or None)
    feats = list(extract_many([r["text"] for r in rows]))
    fam: dict[str, list[tuple[dict, object, str]]] = defaultdict(list)
    for r, f in zip(rows, feats, strict=True):
        g = r["gold"]
        d = duration_family(f.duration_days, g["duration_days"])
        if d:
            fam[f"duration:{d}"].append((r, f, f"{f.duration_days} vs {g['duration_days']}"))
        if f.progression != g["progression"]:
            key = f"progression:{g['progression']}->{f.progression}"
            fam[key].append((r, f, f"{f.progression} vs {g['progression']}"))
    n = len(rows)
    print(f"{a.path} split={a.split} voice={a.voice}: {n} rows")
    for key in sorted(fam, key=lambda k: -len(fam[k])):
        print(f"\n== {key}: {len(fam[key])} ({len(fam[key]) / max(n, 1):.1%})")
        for r, f, what in fam[key][: a.show]:
            print(f"-- {r.get('id')} {what}\n   {r['text'][:600]!r}\n   timeline: {_timeline(f)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
