"""Schema validation for labeled tables (ours and users')."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from fasciclf.data._io import read_table
from fasciclf.data._schema import (
    AGE_BANDS,
    BODY_SITES,
    CONFIDENCES,
    GOLD_KEYS,
    LABELS,
    LATERALITIES,
    OPTIONAL_GOLD_KEYS,
    PROGRESSIONS,
    SEXES,
    SPLITS,
    STYLES,
    SYMPTOM_STATUSES,
    SYMPTOMS,
    VOICES,
    WRITER_PATTERN,
    LabeledDataError,
)

_MAX_ROWS_NAMED = 10


def normalize_text(text: str) -> str:
    """Case- and whitespace-normalised text used to find duplicates.

    Examples
    --------
    >>> normalize_text("  My calf\\n twitches ")
    'my calf twitches'
    """
    return " ".join(text.casefold().split())


def validate(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    labels: Sequence[str] | None = LABELS,
    text_col: str = "text",
    label_col: str = "label",
    id_col: str = "id",
    require_split: bool = False,
    splits: Sequence[str] | None = SPLITS,
    required: Sequence[str] = (),
) -> pd.DataFrame:
    """Check a labeled table and return it, or raise one error listing every problem.

    Always checked: the text and label columns exist; texts are non-empty
    strings; labels are known (or, with ``labels=None``, simply present);
    no two rows share an id (when ``id_col`` exists) or a text after case
    and whitespace normalisation; no text sits in two splits. Checked when
    the column exists: ``split``, ``label_confidence`` (``clear`` or
    ``ambiguous``), ``alt_labels`` (a list of other known labels, non-empty
    exactly when the row is ambiguous), ``sex``, ``age_band`` (``"40-49"``),
    ``writer`` (``"self"`` or a lowercase relation such as ``"mother"``),
    ``style``, ``voice`` (``question`` or ``narrative``) and ``gold`` (the feature vocabularies of
    :mod:`fasciclf.features`). Every message names the rows (by id when an
    id column exists, else by 0-based position) and what was expected.

    Parameters
    ----------
    data : pandas.DataFrame or path
        The table, or a file readable by :func:`read_table`.
    labels : sequence of str or None, default LABELS
        The allowed label set. ``None`` accepts any non-empty label, for a
        user's own taxonomy.
    text_col, label_col, id_col : str
        Column names.
    require_split : bool, default False
        Require a ``split`` column with a value on every row.
    splits : sequence of str or None, default ("train", "test")
        Allowed ``split`` values; ``None`` accepts any non-empty string.
    required : sequence of str, default ()
        Further columns that must exist.

    Returns
    -------
    pandas.DataFrame
        The validated table (read from disk when a path was given).

    Raises
    ------
    LabeledDataError
        With one line per problem found (``error.problems``).
    TypeError
        If ``data`` is neither a DataFrame nor a path.

    Examples
    --------
    >>> import pandas as pd
    >>> mine = pd.DataFrame({"text": ["hand shakes when I hold a cup", "calf cramps at night"],
    ...                      "label": ["tremor", "cramp"]})
    >>> len(validate(mine, labels=None))
    2
    >>> try:
    ...     validate(mine, labels=["tremor", "other"])
    ... except LabeledDataError as err:
    ...     print(err)
    unknown label 'cramp' in column 'label' (row 1); allowed labels: tremor, other
    """
    if isinstance(data, (str, os.PathLike)):
        frame = read_table(data, text_col=text_col)
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise TypeError(
            f"validate() expects a pandas.DataFrame or a file path, got {type(data).__name__}"
        )
    if labels is not None:
        if isinstance(labels, str):
            raise TypeError("labels must be a sequence of label strings, not a single string")
        labels = list(labels)
        if not labels:
            raise ValueError("labels is empty: pass the allowed labels, or None for any")

    if frame.empty:
        raise LabeledDataError("the table has no rows")
    expected = [text_col, label_col] + (["split"] if require_split else []) + list(required)
    missing = [c for c in dict.fromkeys(expected) if c not in frame.columns]
    if missing:
        raise LabeledDataError(
            f"missing column{'s' if len(missing) > 1 else ''} {_quoted(missing)}; "
            f"expected columns {_quoted(dict.fromkeys(expected))}, "
            f"found {_quoted(frame.columns)}"
        )

    names = _row_names(frame, id_col)
    problems: list[str] = []
    if id_col in frame.columns:
        problems += _check_ids(frame[id_col], names, id_col)
    problems += _check_texts(frame[text_col], names, text_col)
    problems += _check_labels(frame[label_col], names, label_col, labels)
    problems += _check_duplicates(frame, names, text_col)
    if "split" in frame.columns:
        problems += _check_values(
            frame["split"], names, "split", splits, nullable=not require_split
        )
    if "label_confidence" in frame.columns:
        problems += _check_values(
            frame["label_confidence"], names, "label_confidence", CONFIDENCES, nullable=False
        )
    if "alt_labels" in frame.columns:
        problems += _check_alt_labels(frame, names, label_col, labels)
    if "sex" in frame.columns:
        problems += _check_values(frame["sex"], names, "sex", SEXES, nullable=True)
    if "age_band" in frame.columns:
        problems += _check_values(frame["age_band"], names, "age_band", AGE_BANDS, nullable=True)
    if "writer" in frame.columns:
        problems += _check_pattern(
            frame["writer"],
            names,
            "writer",
            lambda v: v == "self" or bool(WRITER_PATTERN.match(v)),
            "'self' or a lowercase relation such as 'mother' or 'best friend'",
        )
    if "style" in frame.columns:
        problems += _check_values(frame["style"], names, "style", STYLES, nullable=False)
    if "voice" in frame.columns:
        problems += _check_values(frame["voice"], names, "voice", VOICES, nullable=False)
    if "gold" in frame.columns:
        problems += _check_gold(frame["gold"], names)
    if problems:
        raise LabeledDataError(problems)
    return frame


# -- helpers -----------------------------------------------------------------


def _row_names(frame: pd.DataFrame, id_col: str) -> list[str]:
    if id_col in frame.columns:
        return [
            str(v) if isinstance(v, str) and v.strip() else f"row {i} (no id)"
            for i, v in enumerate(frame[id_col])
        ]
    return [f"row {i}" for i in range(len(frame))]


def _name_rows(names: list[str], positions: Iterable[int]) -> str:
    positions = list(positions)
    shown = [names[i] for i in positions[:_MAX_ROWS_NAMED]]
    if all(n.startswith("row ") for n in shown):
        text = (
            "row"
            + ("s " if len(positions) > 1 else " ")
            + ", ".join(n.removeprefix("row ") for n in shown)
        )
    else:
        text = "row" + ("s " if len(positions) > 1 else " ") + ", ".join(shown)
    if len(positions) > _MAX_ROWS_NAMED:
        text += f" and {len(positions) - _MAX_ROWS_NAMED} more"
    return text


def _quoted(values: Iterable[Any]) -> str:
    return ", ".join(repr(str(v)) for v in values)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _check_ids(ids: pd.Series, names: list[str], id_col: str) -> list[str]:
    problems = []
    blank = [
        i
        for i, v in enumerate(ids)
        if not (isinstance(v, str) and v.strip())
        and not (isinstance(v, int) and not isinstance(v, bool))
    ]
    if blank:
        problems.append(
            f"missing {id_col!r} in {_name_rows(names, blank)}: expected a "
            "unique non-empty id on every row"
        )
    seen: dict[Any, list[int]] = {}
    for i, v in enumerate(ids):
        if not _is_missing(v) and v != "":
            seen.setdefault(v, []).append(i)
    for value, rows in seen.items():
        if len(rows) > 1:
            problems.append(
                f"duplicate {id_col} {value!r} on {len(rows)} rows "
                f"(positions {', '.join(map(str, rows[:_MAX_ROWS_NAMED]))}): "
                "expected unique ids"
            )
    return problems


def _check_texts(texts: pd.Series, names: list[str], text_col: str) -> list[str]:
    problems = []
    wrong_type = [i for i, v in enumerate(texts) if not isinstance(v, str)]
    if wrong_type:
        found = sorted({type(texts.iloc[i]).__name__ for i in wrong_type})
        problems.append(
            f"non-string {text_col!r} in {_name_rows(names, wrong_type)}: expected str, "
            f"found {', '.join(found)}"
        )
    empty = [i for i, v in enumerate(texts) if isinstance(v, str) and not v.strip()]
    if empty:
        problems.append(
            f"empty or whitespace-only {text_col!r} in {_name_rows(names, empty)}: "
            "expected a non-empty text"
        )
    return problems


def _check_labels(
    values: pd.Series, names: list[str], label_col: str, labels: list[str] | None
) -> list[str]:
    problems = []
    missing = [i for i, v in enumerate(values) if _is_missing(v) or v == ""]
    if missing:
        problems.append(
            f"missing {label_col!r} in {_name_rows(names, missing)}: expected a label on every row"
        )
    if labels is None:
        return problems
    allowed = set(labels)
    unknown: dict[Any, list[int]] = {}
    for i, v in enumerate(values):
        if not (_is_missing(v) or v == "") and v not in allowed:
            unknown.setdefault(v, []).append(i)
    for value, rows in unknown.items():
        problems.append(
            f"unknown label {value!r} in column {label_col!r} ({_name_rows(names, rows)}); "
            f"allowed labels: {', '.join(labels)}"
        )
    return problems


def _check_duplicates(frame: pd.DataFrame, names: list[str], text_col: str) -> list[str]:
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(frame[text_col]):
        if isinstance(v, str) and v.strip():
            groups.setdefault(normalize_text(v), []).append(i)
    has_split = "split" in frame.columns
    problems = []
    for text, rows in groups.items():
        if len(rows) < 2:
            continue
        preview = text if len(text) <= 60 else text[:57] + "..."
        splits = (
            sorted(
                {
                    str(frame["split"].iloc[i])
                    for i in rows
                    if not _is_missing(frame["split"].iloc[i])
                }
            )
            if has_split
            else []
        )
        if len(splits) > 1:
            problems.append(
                f"text in two splits ({', '.join(splits)}) in {_name_rows(names, rows)}: "
                f"{preview!r}; expected each text in one split only"
            )
        else:
            problems.append(
                f"duplicate text in {_name_rows(names, rows)} (after case/whitespace "
                f"normalisation): {preview!r}; expected each text once"
            )
    return problems


def _check_values(
    values: pd.Series,
    names: list[str],
    column: str,
    allowed: Sequence[str] | None,
    *,
    nullable: bool,
) -> list[str]:
    bad: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if _is_missing(v):
            if not nullable:
                bad.setdefault("a missing value", []).append(i)
        elif allowed is None:
            if not (isinstance(v, str) and v.strip()):
                bad.setdefault(repr(v), []).append(i)
        elif v not in allowed:
            bad.setdefault(repr(v), []).append(i)
    expected = (
        "a non-empty string"
        if allowed is None
        else "one of " + ", ".join(allowed) + (" or null" if nullable else "")
    )
    return [
        f"invalid {column} {found} in {_name_rows(names, rows)}: expected {expected}"
        for found, rows in bad.items()
    ]


def _check_pattern(
    values: pd.Series,
    names: list[str],
    column: str,
    ok: Callable[[str], bool],
    expected: str,
) -> list[str]:
    bad: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if not (isinstance(v, str) and ok(v)):
            bad.setdefault("a missing value" if _is_missing(v) else repr(v), []).append(i)
    return [
        f"invalid {column} {found} in {_name_rows(names, rows)}: expected {expected}"
        for found, rows in bad.items()
    ]


def _check_alt_labels(
    frame: pd.DataFrame, names: list[str], label_col: str, labels: list[str] | None
) -> list[str]:
    not_list, unknown, own, dup, inconsistent = [], {}, [], [], {}
    has_conf = "label_confidence" in frame.columns
    for i, (alts, label) in enumerate(zip(frame["alt_labels"], frame[label_col], strict=True)):
        if _is_missing(alts):
            alts = []
        if not isinstance(alts, (list, tuple)) or not all(isinstance(a, str) for a in alts):
            not_list.append(i)
            continue
        for a in alts:
            if labels is not None and a not in labels:
                unknown.setdefault(a, []).append(i)
        if label in alts:
            own.append(i)
        if len(set(alts)) != len(alts):
            dup.append(i)
        if has_conf:
            conf = frame["label_confidence"].iloc[i]
            if conf == "ambiguous" and not alts:
                inconsistent.setdefault("ambiguous", []).append(i)
            elif conf == "clear" and alts:
                inconsistent.setdefault("clear", []).append(i)
    problems = []
    if not_list:
        problems.append(
            f"invalid alt_labels in {_name_rows(names, not_list)}: "
            "expected a list of label strings (empty when none)"
        )
    for value, rows in unknown.items():
        problems.append(
            f"unknown alt_label {value!r} in {_name_rows(names, rows)}; allowed labels: "
            f"{', '.join(labels or [])}"
        )
    if own:
        problems.append(
            f"alt_labels repeat the row's own label in {_name_rows(names, own)}: "
            "expected only other labels"
        )
    if dup:
        problems.append(
            f"repeated alt_labels in {_name_rows(names, dup)}: expected each alternative once"
        )
    if "ambiguous" in inconsistent:
        problems.append(
            f"label_confidence 'ambiguous' with empty alt_labels in "
            f"{_name_rows(names, inconsistent['ambiguous'])}: expected the second "
            "category in alt_labels"
        )
    if "clear" in inconsistent:
        problems.append(
            f"label_confidence 'clear' with non-empty alt_labels in "
            f"{_name_rows(names, inconsistent['clear'])}: expected 'ambiguous' or no "
            "alt_labels"
        )
    return problems


def gold_problems(gold: Any) -> list[str]:
    """Problems of one ``gold`` feature annotation (empty list when valid).

    The vocabularies are those of :class:`fasciclf.features.SymptomFeatures`.

    Examples
    --------
    >>> ok = {"body_sites": ["leg"], "laterality": "left", "duration_days": 21,
    ...       "progression": "stable",
    ...       "symptoms": {"twitching": "present", "weakness": "absent", "atrophy":
    ...                    "not_mentioned", "cramps": "not_mentioned", "sensory":
    ...                    "not_mentioned", "pain": "not_mentioned", "bulbar":
    ...                    "not_mentioned", "fatigue": "not_mentioned"}}
    >>> gold_problems(ok)
    []
    >>> gold_problems({**ok, "laterality": "both"})
    ["laterality 'both' not in left, right, bilateral, unspecified"]
    """
    if not isinstance(gold, dict):
        return [f"expected an object with keys {', '.join(GOLD_KEYS)}, found {type(gold).__name__}"]
    problems = []
    keys = set(gold) - set(OPTIONAL_GOLD_KEYS)
    if keys != set(GOLD_KEYS):
        missing = [k for k in GOLD_KEYS if k not in keys]
        extra = sorted(keys - set(GOLD_KEYS))
        problems.append(
            "keys differ from "
            + ", ".join(GOLD_KEYS)
            + (f" (missing {', '.join(missing)})" if missing else "")
            + (f" (unexpected {', '.join(extra)})" if extra else "")
        )
    onset = gold.get("onset_site")
    if onset is not None and onset not in BODY_SITES:
        problems.append(f"onset_site {onset!r} not in {', '.join(BODY_SITES)}")
    spread = gold.get("spread", [])
    if not isinstance(spread, list) or not all(s in BODY_SITES for s in spread):
        problems.append(f"spread {spread!r} is not a list of {', '.join(BODY_SITES)}")
    sites = gold.get("body_sites")
    if "body_sites" in gold:
        if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
            problems.append(f"body_sites {sites!r} is not a list of strings")
        else:
            unknown = [s for s in sites if s not in BODY_SITES]
            if unknown:
                problems.append(f"body_sites {unknown!r} not in {', '.join(BODY_SITES)}")
            if sites != sorted(set(sites)):
                problems.append(f"body_sites {sites!r} not sorted and unique")
    if "laterality" in gold and gold["laterality"] not in LATERALITIES:
        problems.append(f"laterality {gold['laterality']!r} not in {', '.join(LATERALITIES)}")
    if "progression" in gold and gold["progression"] not in PROGRESSIONS:
        problems.append(f"progression {gold['progression']!r} not in {', '.join(PROGRESSIONS)}")
    if "duration_days" in gold:
        d = gold["duration_days"]
        if d is not None and (
            isinstance(d, bool) or not isinstance(d, (int, float)) or d != d or d < 0
        ):
            problems.append(f"duration_days {d!r} is not a non-negative number or null")
    if "symptoms" in gold:
        sym = gold["symptoms"]
        if not isinstance(sym, dict):
            problems.append(f"symptoms is {type(sym).__name__}, expected an object")
        else:
            if set(sym) != set(SYMPTOMS):
                problems.append(f"symptoms keys {sorted(sym)} differ from {', '.join(SYMPTOMS)}")
            bad = {k: v for k, v in sym.items() if v not in SYMPTOM_STATUSES}
            if bad:
                problems.append(f"symptom statuses {bad!r} not in {', '.join(SYMPTOM_STATUSES)}")
    return problems


def _check_gold(values: pd.Series, names: list[str]) -> list[str]:
    problems = []
    for i, gold in enumerate(values):
        if _is_missing(gold):
            continue
        for p in gold_problems(gold):
            problems.append(f"invalid gold in {_name_rows(names, [i])}: {p}")
    if len(problems) > 20:
        problems = problems[:20] + [f"... and {len(problems) - 20} more gold problems"]
    return problems
