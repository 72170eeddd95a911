"""Compare ``extract()`` output before and after a change to the feature pipeline.

Usage::

    python benchmarks/compare_extraction.py --save /tmp/before.json [REALDEV]
    python benchmarks/compare_extraction.py --compare /tmp/before.json [REALDEV]

Runs :func:`fasciclf.features.extract` on every text of
``data/labeled/corpus.jsonl``, ``data/labeled/challenge.jsonl``,
``data/labeled/parts/*.jsonl`` and the real-text development set (default
``../shared/realdev.jsonl``; measurement only, nothing of it is written
into the repository). ``--save`` writes ``{key: to_dict()}``; ``--compare``
prints the number of texts whose ``to_dict()`` differs and the first few
differences field by field, and exits 1 when any differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _sources(realdev: Path) -> list[Path]:
    labeled = ROOT / "data" / "labeled"
    files = [labeled / "corpus.jsonl", labeled / "challenge.jsonl"]
    files += sorted((labeled / "parts").glob("*.jsonl"))
    if realdev.exists():
        files.append(realdev)
    else:
        print(f"note: {realdev} not found, skipped", file=sys.stderr)
    return files


def collect(realdev: Path) -> dict[str, dict]:
    """``{"file:line": to_dict()}`` for every text of every source."""
    from fasciclf.features import extract

    out: dict[str, dict] = {}
    for path in _sources(realdev):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            text = json.loads(line).get("text")
            if isinstance(text, str):
                out[f"{path.name}:{n}"] = extract(text).to_dict()
    return out


def diff(before: dict, after: dict) -> list[str]:
    """Field-level differences between two ``to_dict()`` results."""
    keys = sorted(set(before) | set(after))
    return [
        f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in keys if before.get(k) != after.get(k)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, help="write the current outputs to this file")
    mode.add_argument("--compare", type=Path, help="compare the current outputs with this file")
    parser.add_argument("realdev", nargs="?", type=Path, default=Path("../shared/realdev.jsonl"))
    parser.add_argument("--show", type=int, default=5, help="differing texts to print")
    args = parser.parse_args(argv)
    current = collect(args.realdev)
    if args.save:
        args.save.write_text(json.dumps(current, ensure_ascii=False), "utf-8")
        print(f"saved {len(current)} outputs to {args.save}")
        return 0
    baseline = json.loads(args.compare.read_text("utf-8"))
    differing = [
        k for k in sorted(set(baseline) | set(current)) if baseline.get(k) != current.get(k)
    ]
    print(f"{len(current)} texts, {len(differing)} differ from {args.compare}")
    for key in differing[: args.show]:
        print(f"- {key}")
        for line in diff(baseline.get(key) or {}, current.get(key) or {}):
            print(f"    {line}")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
