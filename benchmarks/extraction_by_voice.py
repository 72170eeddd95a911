"""Extraction agreement per voice (question, narrative), on all gold rows or a fixed half.

Usage::

    python benchmarks/extraction_by_voice.py data/labeled/challenge.jsonl
    python benchmarks/extraction_by_voice.py data/labeled/corpus.jsonl --part held

``--part dev`` / ``--part held`` split the gold rows by a CRC32 of their id
(even / odd), so rules can be tuned on one half and checked on the other.
Scoring is ``extraction_accuracy.score``.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction_accuracy import score  # noqa: E402

FIELDS = (
    "body_sites_f1",
    "laterality",
    "duration",
    "progression",
    "symptom_status",
    "negation_recall",
)


def in_part(row_id: str, part: str) -> bool:
    """Whether ``row_id`` falls in ``part`` ("all", "dev" or "held")."""
    if part == "all":
        return True
    return (zlib.crc32(row_id.encode("utf-8")) % 2 == 0) == (part == "dev")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="JSONL with 'text', 'voice' and 'gold' per line")
    parser.add_argument("--part", choices=("all", "dev", "held"), default="all")
    args = parser.parse_args(argv)
    with open(args.path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows = [r for r in rows if r.get("gold") and in_part(str(r.get("id", "")), args.part)]
    print(f"extraction agreement per voice on {args.path} ({args.part})")
    for voice in ("question", "narrative"):
        sub = [r for r in rows if r.get("voice") == voice]
        if not sub:
            continue
        result = score(sub)
        cells = " ".join(f"{k}={result[k]:.3f}" for k in FIELDS)
        print(f"  {voice:<9} n={result['n']:4d} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
