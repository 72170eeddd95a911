"""Composition tables of ``DATACARD.md``, generated from the data."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fasciclf.data._io import read_table
from fasciclf.data._schema import (
    LABELS,
    LENGTH_BANDS,
    LONG_MIN_WORDS,
    SPLITS,
    STYLES,
    TERSE_MAX_WORDS,
    VOICES,
    length_band,
)

BEGIN = "<!-- BEGIN GENERATED: python -m fasciclf.data.card (do not edit by hand) -->"
END = "<!-- END GENERATED -->"

_ABBREV = {
    "benign_fasciculation": "BF",
    "cervical_radiculopathy": "CR",
    "lumbosacral_radiculopathy": "LR",
    "peripheral_neuropathy": "PN",
    "possible_motor_neuron_disease": "MND",
    "neuromuscular_junction": "NMJ",
    "metabolic_systemic": "MS",
    "central_nervous_system": "CNS",
    "other": "OT",
}

#: Minimum shares the issue asks of the corpus: (name, description, target).
SHARE_TARGETS: tuple[tuple[str, str, float], ...] = (
    ("terse", f"terse (<= {TERSE_MAX_WORDS} words)", 0.10),
    ("long", f"long (>= {LONG_MIN_WORDS} words)", 0.10),
    ("relative", "written by a relative or friend", 0.10),
    ("non_native", "style non_native", 0.15),
    ("informal", "style informal", 0.10),
)


def shares(frame: pd.DataFrame) -> dict[str, float]:
    """Shares of the rows that meet each variety target.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["calf twitch", " ".join(["w"] * 130)],
    ...                    "writer": ["self", "mother"], "style": ["informal", "standard"]})
    >>> shares(df)
    {'terse': 0.5, 'long': 0.5, 'relative': 0.5, 'non_native': 0.0, 'informal': 0.5}
    """
    bands = frame["text"].map(length_band)
    n = len(frame)
    return {
        "terse": float((bands == "terse").sum() / n),
        "long": float((bands == "long").sum() / n),
        "relative": float((frame["writer"] != "self").sum() / n),
        "non_native": float((frame["style"] == "non_native").sum() / n),
        "informal": float((frame["style"] == "informal").sum() / n),
    }


def _markdown(table: pd.DataFrame, index_name: str) -> str:
    cols = [index_name] + [str(c) for c in table.columns]
    lines = [
        "| " + " | ".join(cols) + " |",
        "|" + "|".join([":---"] + ["---:"] * len(table.columns)) + "|",
    ]
    for idx, row in table.iterrows():
        cells = [f"`{idx}`" if idx in LABELS else f"**{idx}**" if idx == "total" else str(idx)]
        cells += [str(v) for v in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _by_label(frame: pd.DataFrame, column: pd.Series, order: Sequence[str]) -> pd.DataFrame:
    table = pd.crosstab(frame["label"], column).reindex(
        index=list(LABELS), columns=list(order), fill_value=0
    )
    table = table.fillna(0).astype(int)
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    table.columns.name = None
    return table


def _section(frame: pd.DataFrame, title: str, *, with_split: bool) -> list[str]:
    out = [f"### {title}: {len(frame)} cases", ""]
    if with_split:
        out += [
            "Labels by split:",
            "",
            _markdown(_by_label(frame, frame["split"], SPLITS), "label"),
            "",
        ]
    if "voice" in frame.columns:
        out += [
            "Labels by voice (`question`: a letter or post asking a doctor; `narrative`: "
            "the months before a diagnosis told as a story):",
            "",
            _markdown(_by_label(frame, frame["voice"], VOICES), "label"),
            "",
        ]
    out += [
        "Labels by style:",
        "",
        _markdown(_by_label(frame, frame["style"], STYLES), "label"),
        "",
    ]
    writer = frame["writer"].map(lambda w: "self" if w == "self" else "relative")
    out += [
        "Labels by writer (self, or a relative or friend writing for the person):",
        "",
        _markdown(_by_label(frame, writer, ["self", "relative"]), "label"),
        "",
    ]
    band = frame["text"].map(length_band)
    band_table = _by_label(frame, band, LENGTH_BANDS).rename(
        columns={
            "terse": f"terse (<= {TERSE_MAX_WORDS} words)",
            "medium": f"medium ({TERSE_MAX_WORDS + 1}-{LONG_MIN_WORDS - 1})",
            "long": f"long (>= {LONG_MIN_WORDS})",
        }
    )
    out += [
        "Labels by length (whitespace-separated words):",
        "",
        _markdown(band_table, "label"),
        "",
    ]
    out += _confidence(frame)
    out += _alternatives(frame)
    out += _demography(frame)
    out += _variety(frame, band, writer)
    return out


def _confidence(frame: pd.DataFrame) -> list[str]:
    """Label confidence, and how many rows of each label carry feature gold."""
    conf = _by_label(frame, frame["label_confidence"], ["clear", "ambiguous"])
    has_gold = (
        frame["gold"].map(lambda g: isinstance(g, dict))
        if "gold" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    per_label = has_gold.groupby(frame["label"]).sum().reindex(LABELS, fill_value=0)
    conf["with feature gold"] = [int(v) for v in per_label] + [int(has_gold.sum())]
    return ["Label confidence and feature-gold annotations:", "", _markdown(conf, "label"), ""]


def _alternatives(frame: pd.DataFrame) -> list[str]:
    """Ambiguous cases: each label by the alternative the annotator named."""
    pairs = [
        (lab, alt)
        for lab, alts in zip(frame["label"], frame["alt_labels"], strict=True)
        for alt in (alts or [])
    ]
    if not pairs:
        return []
    pair_frame = pd.DataFrame(pairs, columns=["label", "alt"])
    matrix = pd.crosstab(pair_frame["label"], pair_frame["alt"]).reindex(
        index=list(LABELS), columns=list(LABELS), fill_value=0
    )
    matrix.columns = [_ABBREV[c] for c in matrix.columns]
    matrix.columns.name = None
    legend = ", ".join(f"{a} = `{lab}`" for lab, a in _ABBREV.items())
    return [
        "Ambiguous cases: label (rows) by the alternative named in `alt_labels` "
        f"(columns; {legend}):",
        "",
        _markdown(matrix, "label"),
        "",
    ]


def _demography(frame: pd.DataFrame) -> list[str]:
    """Age band by sex of the person with the symptoms."""
    sex = frame["sex"].fillna("not stated")
    age = frame["age_band"].fillna("not stated")
    demo = pd.crosstab(age, sex)
    demo = demo.reindex(
        index=sorted(i for i in demo.index if i != "not stated")
        + (["not stated"] if "not stated" in demo.index else []),
        columns=[c for c in ["female", "male", "not stated"] if c in demo.columns],
        fill_value=0,
    )
    demo["total"] = demo.sum(axis=1)
    demo.loc["total"] = demo.sum(axis=0)
    demo.columns.name = None
    return [
        "Age band by sex (of the person with the symptoms):",
        "",
        _markdown(demo, "age band"),
        "",
    ]


def _variety(frame: pd.DataFrame, band: pd.Series, writer: pd.Series) -> list[str]:
    """Variety shares against the targets of the corpus issue."""
    got = shares(frame)
    counts = {
        "terse": (band == "terse").sum(),
        "long": (band == "long").sum(),
        "relative": (writer == "relative").sum(),
        "non_native": (frame["style"] == "non_native").sum(),
        "informal": (frame["style"] == "informal").sum(),
    }
    lines = ["| measure | cases | share | target | met |", "|:---|---:|---:|---:|:---|"]
    for key, desc, target in SHARE_TARGETS:
        ok = "yes" if got[key] >= target else "**no**"
        lines.append(f"| {desc} | {counts[key]} | {got[key]:.1%} | >= {target:.0%} | {ok} |")
    return ["Variety shares against the targets of the corpus issue:", "", "\n".join(lines), ""]


def render_card_tables(corpus: pd.DataFrame, challenge: pd.DataFrame | None = None) -> str:
    """Markdown composition tables for the corpus (and the challenge set).

    Parameters
    ----------
    corpus : pandas.DataFrame
        Rows of ``corpus.jsonl`` (with ``split``).
    challenge : pandas.DataFrame, optional
        Rows of ``challenge.jsonl``.

    Returns
    -------
    str
        The text placed between the generated-section markers of
        ``DATACARD.md``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["calf twitching, no weakness"], "label": ["other"],
    ...     "label_confidence": ["clear"], "alt_labels": [[]], "age_band": [None],
    ...     "sex": [None], "writer": ["self"], "style": ["standard"], "split": ["train"]})
    >>> print(render_card_tables(df).splitlines()[0])
    ### Corpus (`corpus.jsonl`): 1 cases
    """
    out = _section(corpus, "Corpus (`corpus.jsonl`)", with_split=True)
    if challenge is not None:
        out += _section(challenge, "Challenge set (`challenge.jsonl`)", with_split=False)
    return "\n".join(out).rstrip() + "\n"


def _default_card() -> Path:
    from fasciclf.data._load import labeled_dir

    return labeled_dir() / "DATACARD.md"


def update_datacard(path: Path | str | None = None, *, check: bool = False) -> bool:
    """Regenerate the tables of ``DATACARD.md`` from the data next to it.

    Parameters
    ----------
    path : path, optional
        The data card; defaults to ``DATACARD.md`` in :func:`labeled_dir`.
        ``corpus.jsonl`` and ``challenge.jsonl`` are read from the same
        directory.
    check : bool, default False
        Only compare: do not write.

    Returns
    -------
    bool
        True when the file was already up to date.

    Raises
    ------
    ValueError
        If the markers are missing from the card.
    """
    path = Path(path) if path is not None else _default_card()
    corpus = read_table(path.parent / "corpus.jsonl")
    challenge_path = path.parent / "challenge.jsonl"
    challenge = read_table(challenge_path) if challenge_path.is_file() else None
    for frame in (corpus, challenge):
        if frame is not None and "gold" not in frame.columns:
            frame["gold"] = None
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{path} lacks the generated-section markers {BEGIN!r} and {END!r}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n\n" + render_card_tables(corpus, challenge) + "\n" + END + tail
    if new == text:
        return True
    if not check:
        path.write_text(new, encoding="utf-8")
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m fasciclf.data.card [--check] [PATH]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m fasciclf.data.card",
        description="Regenerate the composition tables in data/labeled/DATACARD.md.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="the data card (default: DATACARD.md next to corpus.jsonl)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the tables are stale instead of rewriting them",
    )
    args = parser.parse_args(argv)
    path = args.path or _default_card()
    try:
        current = update_datacard(path, check=args.check)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if current:
        print(f"{path}: tables up to date")
        return 0
    if args.check:
        print(f"{path}: tables are stale; run `python -m fasciclf.data.card`", file=sys.stderr)
        return 1
    print(f"{path}: tables regenerated")
    return 0
