"""Merge the hand-written parts into ``corpus.jsonl`` with a fixed split."""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from fasciclf.data._dedup import near_duplicates
from fasciclf.data._io import read_table
from fasciclf.data._schema import (
    CHALLENGE_COLUMNS,
    CORPUS_COLUMNS,
    LABELS,
    LabeledDataError,
)
from fasciclf.data._validate import normalize_text, validate

REPO_LABELED = Path(__file__).resolve().parents[2] / "data" / "labeled"
TEST_SIZE = 0.25
SEED = "fasciclf-split-v1"
NEAR_THRESHOLD = 0.8
# Texts this similar (5-gram Jaccard) but below NEAR_THRESHOLD are kept, but
# always land in the same split, so that paired variants cannot leak.
GROUP_THRESHOLD = 0.3


@dataclass
class BuildReport:
    """What :func:`build_corpus` read, dropped and wrote."""

    parts: dict[str, int] = field(default_factory=dict)
    exact_duplicates: list[tuple[str, str]] = field(default_factory=list)
    near_duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    challenge_overlaps: list[tuple[str, str, float]] = field(default_factory=list)
    extra_keys: list[str] = field(default_factory=list)
    groups: int = 0
    largest_group: int = 1
    kept_splits: int = 0
    moved: list[tuple[str, str, str]] = field(default_factory=list)
    corpus: pd.DataFrame | None = None

    def print(self, file: TextIO = sys.stdout) -> None:
        p = lambda *a: print(*a, file=file)  # noqa: E731
        p("parts read: " + ", ".join(f"{k} ({v} rows)" for k, v in self.parts.items()))
        if self.extra_keys:
            p(f"ignored keys not in the schema: {', '.join(self.extra_keys)}")
        p(f"exact duplicates dropped: {len(self.exact_duplicates)}")
        for dropped, kept in self.exact_duplicates:
            p(f"  drop {dropped} (same text as {kept})")
        p(
            f"near duplicates dropped (5-gram Jaccard >= {NEAR_THRESHOLD}): "
            f"{len(self.near_duplicates)}"
        )
        for dropped, kept, score in self.near_duplicates:
            p(f"  drop {dropped} (Jaccard {score:.3f} with {kept})")
        p(f"dropped for overlapping the challenge set: {len(self.challenge_overlaps)}")
        for dropped, other, score in self.challenge_overlaps:
            p(f"  drop {dropped} (Jaccard {score:.3f} with challenge {other})")
        if self.corpus is not None:
            c = self.corpus
            p(
                f"similarity groups kept in one split (Jaccard >= {GROUP_THRESHOLD}): "
                f"{self.groups} groups of 2+, largest {self.largest_group}"
            )
            p(f"rows that kept the split of the previous build: {self.kept_splits}")
            for row_id, old, new in self.moved:
                p(f"  moved {row_id} from {old} to {new} (its similarity group is mixed)")
            p(f"corpus: {len(c)} rows, test share {(c['split'] == 'test').mean():.1%}")
            table = pd.crosstab(c["label"], c["split"], margins=True, margins_name="total")
            p(table.to_string())


def _stable_key(seed: str, row_id: str) -> str:
    return hashlib.sha256(f"{seed}\x00{row_id}".encode()).hexdigest()


def read_parts(parts_dir: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """Concatenate ``parts_dir/*.jsonl`` (sorted by file name)."""
    files = sorted(Path(parts_dir).glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no *.jsonl parts in {parts_dir}")
    frames, counts = [], {}
    for f in files:
        frame = read_table(f)
        frame["_source"] = f.name
        frames.append(frame)
        counts[f.name] = len(frame)
    merged = pd.concat(frames, ignore_index=True).astype(object)
    # Columns absent from some parts come back as NaN after the concat.
    merged = merged.where(merged.notna(), None)
    return merged, counts


def drop_duplicates(
    frame: pd.DataFrame,
    challenge: pd.DataFrame | None = None,
    *,
    threshold: float = NEAR_THRESHOLD,
    report: BuildReport | None = None,
) -> pd.DataFrame:
    """Drop exact and near duplicates, keeping the smallest id of each set.

    Rows that duplicate (or nearly duplicate) a challenge text are dropped
    from the corpus: the challenge set is written separately and kept whole.
    Decisions depend only on ids and texts, never on file order.
    """
    report = report if report is not None else BuildReport()
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    norm = frame["text"].map(normalize_text)
    first_of: dict[str, str] = {}
    keep = []
    for row_id, t in zip(frame["id"], norm, strict=True):
        if t in first_of:
            report.exact_duplicates.append((row_id, first_of[t]))
            keep.append(False)
        else:
            first_of[t] = row_id
            keep.append(True)
    frame = frame[keep].reset_index(drop=True)

    pairs = near_duplicates(frame["text"].tolist(), threshold=threshold)
    dropped: set[int] = set()
    for i, j, score in sorted(pairs.itertuples(index=False, name=None)):
        # i < j and rows are id-sorted: j is the later id.
        if i in dropped or j in dropped:
            continue
        dropped.add(j)
        report.near_duplicates.append((frame["id"][j], frame["id"][i], float(score)))
    frame = frame.drop(index=sorted(dropped)).reset_index(drop=True)

    if challenge is not None and len(challenge):
        pairs = near_duplicates(
            frame["text"].tolist(), challenge["text"].tolist(), threshold=threshold
        )
        hit: dict[int, tuple[str, float]] = {}
        for i, j, score in pairs.itertuples(index=False, name=None):
            if i not in hit or score > hit[i][1]:
                hit[i] = (challenge["id"].iloc[j], float(score))
        for i in sorted(hit):
            report.challenge_overlaps.append((frame["id"][i], hit[i][0], hit[i][1]))
        frame = frame.drop(index=sorted(hit)).reset_index(drop=True)
    return frame


def assign_split(
    frame: pd.DataFrame,
    *,
    test_size: float = TEST_SIZE,
    seed: str = SEED,
    group_threshold: float = GROUP_THRESHOLD,
    keep: Mapping[str, str] | None = None,
    report: BuildReport | None = None,
) -> pd.Series:
    """Deterministic label-stratified train/test assignment.

    Rows are ordered by a SHA-256 of ``seed`` and their id, so the result
    does not depend on row order and adding rows barely moves the others.
    Texts with 5-gram Jaccard >= ``group_threshold`` form groups that go to
    one split together. Groups are visited in hash order and sent to test
    while every label they contain stays within its target,
    ``round(test_size * count)``.

    ``keep`` maps ids to the split they had in an earlier build: a group with
    such a row stays in that split (``"train"`` when its kept rows disagree,
    so that no row an analyst could have studied as training data becomes
    test data), and only the other groups fill the remaining test places.

    Returns
    -------
    pandas.Series
        ``"train"`` or ``"test"`` for each row, aligned with ``frame.index``.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["calf twitching", "eyelid flickers", "numb thumb at night", "sore neck",
    ...          "foot drop", "double vision", "cramps on statins", "hand tremor"]
    >>> df = pd.DataFrame({"id": [f"x{i}" for i in range(8)], "text": texts,
    ...                    "label": ["a"] * 4 + ["b"] * 4})
    >>> split = assign_split(df)
    >>> split.groupby(df["label"]).apply(lambda s: (s == "test").sum()).tolist()
    [1, 1]
    >>> assign_split(df.iloc[::-1]).sort_index().equals(split)
    True
    >>> kept = dict(zip(df["id"], split))
    >>> grown = pd.concat([df, pd.DataFrame({"id": ["x8"], "text": ["jaw cramps"],
    ...                                      "label": ["a"]})], ignore_index=True)
    >>> assign_split(grown, keep=kept)[:8].equals(split)
    True
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    positions = list(range(len(frame)))
    parent = positions[:]

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = near_duplicates(frame["text"].tolist(), threshold=group_threshold)
    for i, j in zip(pairs["i"], pairs["j"], strict=True):
        ri, rj = find(int(i)), find(int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    ids = frame["id"].astype(str).tolist()
    labels = frame["label"].tolist()
    keys = [_stable_key(seed, row_id) for row_id in ids]
    groups: dict[int, list[int]] = {}
    for pos in positions:
        groups.setdefault(find(pos), []).append(pos)
    ordered = sorted(groups.values(), key=lambda members: min(keys[m] for m in members))

    # Stratify by label and voice, so that each voice is represented in the
    # test split in proportion; rows without a voice stratify by label alone.
    if "voice" in frame.columns:
        labels = [f"{lab}/{v}" for lab, v in zip(labels, frame["voice"], strict=True)]
    counts = pd.Series(labels).value_counts()
    target = {lab: math.floor(test_size * n + 0.5) for lab, n in counts.items()}
    taken = dict.fromkeys(target, 0)
    out = ["train"] * len(frame)
    keep = keep or {}
    free = []
    for members in ordered:
        before = {keep[ids[m]] for m in members if ids[m] in keep}
        if not before:
            free.append(members)
            continue
        split = "test" if before == {"test"} else "train"
        for m in members:
            out[m] = split
            if split == "test":
                taken[labels[m]] += 1
    for members in free:
        need: dict[Any, int] = {}
        for m in members:
            need[labels[m]] = need.get(labels[m], 0) + 1
        if all(taken[lab] + k <= target[lab] for lab, k in need.items()):
            for m in members:
                out[m] = "test"
            for lab, k in need.items():
                taken[lab] += k
    if report is not None:
        multi = [len(g) for g in groups.values() if len(g) > 1]
        report.groups = len(multi)
        report.largest_group = max(multi, default=1)
    return pd.Series(out, index=frame.index, name="split")


def _record(row: pd.Series, columns: Sequence[str]) -> dict[str, Any]:
    rec = {c: (None if isinstance(row[c], float) and row[c] != row[c] else row[c]) for c in columns}
    rec["alt_labels"] = list(rec["alt_labels"] or [])
    gold = row.get("gold")
    if isinstance(gold, dict):
        rec["gold"] = gold
    return rec


def write_jsonl(frame: pd.DataFrame, path: Path, columns: Sequence[str]) -> None:
    """Write ``frame`` as UTF-8 JSON lines in ``columns`` order (plus ``gold``)."""
    lines = [json.dumps(_record(row, columns), ensure_ascii=False) for _, row in frame.iterrows()]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def build_corpus(
    parts_dir: Path | str = REPO_LABELED / "parts",
    out: Path | str | None = REPO_LABELED / "corpus.jsonl",
    challenge: Path | str | None = REPO_LABELED / "challenge.jsonl",
    *,
    test_size: float = TEST_SIZE,
    seed: str = SEED,
    keep_splits: bool = True,
    previous: Path | str | None = None,
) -> BuildReport:
    """Merge the parts, drop duplicates, split, validate and write the corpus.

    Parameters
    ----------
    parts_dir : path
        Directory of ``*.jsonl`` parts written by hand.
    out : path or None
        Output file; ``None`` validates and reports without writing.
    challenge : path or None
        The challenge file; corpus rows too similar to it are dropped.
    test_size : float, default 0.25
    seed : str
        Seed of the split hash.
    keep_splits : bool, default True
        Rows of an earlier build keep their split, so that adding a writer's
        rows never turns training rows into test rows; ``False`` splits anew.
    previous : path or None
        The earlier build; ``None`` means ``out``. A missing file splits anew.

    Returns
    -------
    BuildReport
    """
    report = BuildReport()
    frame, report.parts = read_parts(Path(parts_dir))
    known = set(CORPUS_COLUMNS) | {"gold", "_source"}
    report.extra_keys = sorted(set(frame.columns) - known)
    if "gold" not in frame.columns:
        frame["gold"] = None
    if "split" in frame.columns:
        frame = frame.drop(columns="split")
    # Ids must be unique across parts before anything is dropped, or the
    # "keep the smallest id" rule would be ambiguous.
    dup_ids = frame["id"][frame["id"].duplicated(keep=False)]
    if len(dup_ids):
        where = frame.loc[dup_ids.index, ["id", "_source"]].drop_duplicates()
        raise LabeledDataError(
            "duplicate ids across parts: "
            + ", ".join(
                f"{i} ({src})" for i, src in zip(where["id"], where["_source"], strict=True)
            )
        )
    chal = None
    if challenge is not None and Path(challenge).is_file():
        chal = validate(
            read_table(challenge), labels=LABELS, splits=("challenge",), required=CHALLENGE_COLUMNS
        )
    frame = drop_duplicates(frame, chal, report=report)
    validate(frame, labels=LABELS, required=CHALLENGE_COLUMNS)
    keep: dict[str, str] = {}
    previous = out if previous is None else previous
    if keep_splits and previous is not None and Path(previous).is_file():
        old = read_table(previous)
        if "split" in old.columns:
            keep = dict(zip(old["id"].astype(str), old["split"].astype(str), strict=True))
    frame["split"] = assign_split(frame, test_size=test_size, seed=seed, keep=keep, report=report)
    for row_id, split in zip(frame["id"].astype(str), frame["split"], strict=True):
        if row_id in keep:
            if keep[row_id] == split:
                report.kept_splits += 1
            else:
                report.moved.append((row_id, keep[row_id], split))
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    validate(frame, labels=LABELS, require_split=True, required=CORPUS_COLUMNS)
    report.corpus = frame[list(CORPUS_COLUMNS) + ["gold"]]
    if out is not None:
        write_jsonl(frame, Path(out), CORPUS_COLUMNS)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m fasciclf.data.build [--dry-run] ...``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m fasciclf.data.build",
        description="Merge data/labeled/parts/*.jsonl into data/labeled/corpus.jsonl: drop "
        "exact and near duplicates (also against the challenge set), assign the fixed "
        "stratified train/test split, validate, sort by id and write.",
    )
    parser.add_argument("--parts", type=Path, default=REPO_LABELED / "parts")
    parser.add_argument("--out", type=Path, default=REPO_LABELED / "corpus.jsonl")
    parser.add_argument("--challenge", type=Path, default=REPO_LABELED / "challenge.jsonl")
    parser.add_argument("--test-size", type=float, default=TEST_SIZE)
    parser.add_argument("--seed", default=SEED)
    parser.add_argument("--dry-run", action="store_true", help="report without writing")
    parser.add_argument(
        "--resplit",
        action="store_true",
        help="assign every split anew instead of keeping those of the existing --out file",
    )
    args = parser.parse_args(argv)
    try:
        report = build_corpus(
            args.parts,
            None if args.dry_run else args.out,
            args.challenge,
            test_size=args.test_size,
            seed=args.seed,
            keep_splits=not args.resplit,
            previous=args.out,
        )
    except (LabeledDataError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report.print()
    if not args.dry_run:
        print(f"wrote {args.out}")
    return 0
