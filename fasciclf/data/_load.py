"""Loading the labeled corpus shipped with fasciclf."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from fasciclf.data._io import read_table
from fasciclf.data._schema import CHALLENGE_COLUMNS, CORPUS_COLUMNS, LABELS, SPLITS
from fasciclf.data._validate import validate

CORPUS_FILE = "corpus.jsonl"
CHALLENGE_SPLIT = "challenge"
CHALLENGE_FILE = "challenge.jsonl"
# Narratives written to be hard, by writers who wrote nothing else, for
# choosing between models: the corpus's own cross-validation no longer tells
# models apart, and the challenge set is kept out of model selection.
SELECTION_SPLIT = "selection"
SELECTION_FILE = "selection.jsonl"


def _candidate_dirs() -> list[tuple[str, object]]:
    # The wheel force-includes data/labeled as fasciclf/data/_labeled (see
    # pyproject.toml); a source checkout or editable install has it at the
    # repository root instead.
    return [
        ("installed package data", resources.files("fasciclf.data") / "_labeled"),
        ("repository checkout", Path(__file__).resolve().parents[2] / "data" / "labeled"),
    ]


def labeled_dir() -> Path:
    """Directory holding ``corpus.jsonl`` and ``challenge.jsonl``.

    Looks first in the installed package data (``fasciclf/data/_labeled``
    inside a wheel), then in the repository checkout (``data/labeled``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        Naming every location searched, when none holds ``corpus.jsonl``.

    Examples
    --------
    >>> (labeled_dir() / "corpus.jsonl").is_file()
    True
    """
    for _, location in _candidate_dirs():
        # A zip import has no directory to return; _read_labeled copes with it.
        if isinstance(location, Path) and (location / CORPUS_FILE).is_file():
            return location
    raise _not_found(CORPUS_FILE)


def _not_found(name: str) -> FileNotFoundError:
    where = "; ".join(f"{what}: {loc}/{name}" for what, loc in _candidate_dirs())
    return FileNotFoundError(
        f"fasciclf labeled data file {name} was not found. Looked in {where}. "
        "Install fasciclf from a wheel (which ships data/labeled) or run from a source "
        "checkout that has data/labeled/ (there, `python -m fasciclf.data.build` "
        "rebuilds corpus.jsonl from data/labeled/parts/)."
    )


def _read_labeled(name: str) -> pd.DataFrame:
    for _, location in _candidate_dirs():
        target = location / name
        if target.is_file():
            with resources.as_file(target) as path:
                return read_table(path)
    raise _not_found(name)


def load_labeled(
    split: str | None = None, *, challenge: bool = False, selection: bool = False
) -> pd.DataFrame:
    """Load the labeled corpus (or the challenge or selection set), validated.

    Parameters
    ----------
    split : {"train", "test"} or None, default None
        Return only that split of the corpus; ``None`` returns all rows.
    challenge : bool, default False
        Load ``challenge.jsonl`` instead: cases written in a deliberately
        different voice by a different writer, for out-of-distribution
        checks; its ``split`` is ``"challenge"``. It must not be used for
        training or model selection.
    selection : bool, default False
        Load ``selection.jsonl`` instead: hard narratives by writers who
        wrote nothing else, for choosing between models (never for
        training); its ``split`` is ``"selection"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, text, label, label_confidence, alt_labels, age_band,
        sex, writer, style, split`` and ``gold`` (a dict of feature
        annotations, or ``None``), one row per case, sorted by id.

    Raises
    ------
    FileNotFoundError
        If the data files cannot be found (the message lists where it looked).
    LabeledDataError
        If the file breaks the schema (see :func:`validate`).
    ValueError
        For an unknown ``split``, a ``split`` with ``challenge=True`` or
        ``selection=True``, or both of those.

    Examples
    --------
    >>> train = load_labeled("train")
    >>> set(train["split"])
    {'train'}
    >>> "possible_motor_neuron_disease" in set(train["label"])
    True
    >>> challenge = load_labeled(challenge=True)
    >>> challenge.columns[:3].tolist(), set(challenge["split"])
    (['id', 'text', 'label'], {'challenge'})
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)} or None, got {split!r}")
    if challenge and split is not None:
        raise ValueError(
            "the challenge set has no train/test split: call load_labeled(challenge=True) "
            "without split"
        )
    if challenge and selection:
        raise ValueError("load one set at a time: challenge=True or selection=True, not both")
    if selection and split is not None:
        raise ValueError(
            "the selection set has no train/test split: call load_labeled(selection=True) "
            "without split"
        )
    if challenge:
        name, own_split = CHALLENGE_FILE, CHALLENGE_SPLIT
    elif selection:
        name, own_split = SELECTION_FILE, SELECTION_SPLIT
    else:
        name, own_split = CORPUS_FILE, None
    frame = _read_labeled(name)
    if own_split is not None:
        validate(frame, labels=LABELS, splits=(own_split,), required=CHALLENGE_COLUMNS)
        frame["split"] = own_split
    else:
        validate(frame, labels=LABELS, require_split=True, required=CORPUS_COLUMNS)
    if "gold" not in frame.columns:
        frame["gold"] = None
    extra = [c for c in frame.columns if c not in CORPUS_COLUMNS and c != "gold"]
    frame = frame[list(CORPUS_COLUMNS) + ["gold"] + extra]
    if split is not None:
        frame = frame[frame["split"] == split]
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def load_gold(
    split: str | None = None, *, challenge: bool = False, flatten: bool = False
) -> pd.DataFrame:
    """Rows of the labeled corpus that carry a feature annotation (``gold``).

    Parameters
    ----------
    split, challenge
        As in :func:`load_labeled`.
    flatten : bool, default False
        Also add one column per gold field: ``gold.body_sites``,
        ``gold.laterality``, ``gold.duration_days``, ``gold.progression`` and
        ``gold.symptoms.<name>`` for each symptom.

    Returns
    -------
    pandas.DataFrame
        The :func:`load_labeled` columns, restricted to annotated rows.

    Examples
    --------
    >>> gold = load_gold(flatten=True)
    >>> bool(gold["gold.laterality"].isin(["left", "right", "bilateral", "unspecified"]).all())
    True
    >>> sorted(gold["gold"].iloc[0])
    ['body_sites', 'duration_days', 'laterality', 'progression', 'symptoms']
    """
    frame = load_labeled(split, challenge=challenge)
    frame = frame[frame["gold"].map(lambda g: isinstance(g, dict))].reset_index(drop=True)
    if flatten and len(frame):
        flat = pd.json_normalize(frame["gold"].tolist()).add_prefix("gold.")
        flat.index = frame.index
        frame = pd.concat([frame, flat], axis=1)
    return frame
