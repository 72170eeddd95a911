"""scikit-learn transformer from raw texts to a numeric feature matrix."""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from threading import Lock
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from fasciclf.features._resources import default_lexicon
from fasciclf.features._types import (
    BODY_SITES,
    LATERALITIES,
    PROGRESSIONS,
    SYMPTOMS,
    TIMINGS,
    TRIGGERS,
    SymptomFeatures,
)


# Concepts outside the eight symptoms that carry triage signal: signs,
# named causes a writer reports, test results, and the lay function-loss,
# bulbar, breathing and eye wording that real narratives use. Derived from
# the lexicon's ``extra`` records (in file order, each once) so that a
# concept added there becomes a model column without a code change; the
# default model is rebuilt whenever the lexicon changes anyway.
def _extra_concepts() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for record in default_lexicon().records:
        if record.kind == "extra":
            seen.setdefault(record.value, None)
    return tuple(seen)


EXTRA_CONCEPTS: tuple[str, ...] = _extra_concepts()


def _feature_names() -> list[str]:
    names: list[str] = []
    names += [f"site__{s}" for s in BODY_SITES]
    names += [f"laterality__{v}" for v in LATERALITIES]
    names += [f"progression__{v}" for v in PROGRESSIONS]
    # where it began and whether it moved on: a clinician's first questions
    names += [f"onset__{s}" for s in BODY_SITES]
    for s in SYMPTOMS:
        names += [f"symptom__{s}__present", f"symptom__{s}__absent"]
    names += [f"trigger__{t}" for t in TRIGGERS]
    names += [f"timing__{t}" for t in TIMINGS]
    names += [f"extra__{c}" for c in EXTRA_CONCEPTS]
    names += [
        "duration_known",
        "log1p_duration_days",
        "episode_known",
        "log1p_episode_minutes",
        "age_known",
        "age_decades",
        "sex__female",
        "sex__male",
        "writer_relative",
        "feared_als",
        "family_als",
        "n_hypothetical",
        "n_historical",
        "n_uncertain",
        "n_present",
        "n_absent",
        "n_sites",
        "n_spread_regions",
        "fluctuating",
        "n_sign_mentions",
        "log1p_words",
    ]
    return names


FEATURE_NAMES: tuple[str, ...] = tuple(_feature_names())
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


def features_to_row(f: SymptomFeatures) -> np.ndarray:
    """Encode one :class:`SymptomFeatures` as a float row in :data:`FEATURE_NAMES` order."""
    row = np.zeros(len(FEATURE_NAMES), dtype=np.float64)
    _one_hot(row, f)
    _quantities(row, f)
    _counts(row, f)
    return row


def _one_hot(row: np.ndarray, f: SymptomFeatures) -> None:
    ix = _INDEX
    for s in f.body_sites:
        row[ix[f"site__{s}"]] = 1.0
    row[ix[f"laterality__{f.laterality}"]] = 1.0
    row[ix[f"progression__{f.progression}"]] = 1.0
    if f.onset_site is not None:
        row[ix[f"onset__{f.onset_site}"]] = 1.0
    for s, status in f.symptoms.items():
        if status in ("present", "absent"):
            row[ix[f"symptom__{s}__{status}"]] = 1.0
    for t in f.triggers:
        row[ix[f"trigger__{t}"]] = 1.0
    for t in f.timing:
        row[ix[f"timing__{t}"]] = 1.0
    for c in f.extra_present:
        k = f"extra__{c}"
        if k in ix:
            row[ix[k]] = 1.0
    if f.sex in ("female", "male"):
        row[ix[f"sex__{f.sex}"]] = 1.0


def _quantities(row: np.ndarray, f: SymptomFeatures) -> None:
    ix = _INDEX
    if f.duration_days is not None:
        row[ix["duration_known"]] = 1.0
        row[ix["log1p_duration_days"]] = math.log1p(max(f.duration_days, 0.0))
    if f.episode_minutes is not None:
        row[ix["episode_known"]] = 1.0
        row[ix["log1p_episode_minutes"]] = math.log1p(max(f.episode_minutes, 0.0))
    if f.age is not None:
        row[ix["age_known"]] = 1.0
        row[ix["age_decades"]] = f.age / 10.0


def _counts(row: np.ndarray, f: SymptomFeatures) -> None:
    ix = _INDEX
    row[ix["writer_relative"]] = float(f.writer != "self")
    row[ix["feared_als"]] = float("als" in f.hypothetical)
    row[ix["family_als"]] = float("als" in f.family_history)
    row[ix["n_hypothetical"]] = len(f.hypothetical)
    row[ix["n_historical"]] = len(f.historical)
    row[ix["n_uncertain"]] = len(f.uncertain)
    row[ix["n_present"]] = sum(v == "present" for v in f.symptoms.values())
    row[ix["n_absent"]] = sum(v == "absent" for v in f.symptoms.values())
    row[ix["n_sites"]] = len([s for s in f.body_sites if s != "generalized"])
    row[ix["n_spread_regions"]] = len(f.spread)
    row[ix["fluctuating"]] = float(f.fluctuating)
    row[ix["n_sign_mentions"]] = min(len(f.findings), 50)
    row[ix["log1p_words"]] = math.log1p(len(f.text.split()))


# A sentence: a run up to and including its end mark or line break. No
# nesting, no backtracking: linear in the text.
_SENTENCE = re.compile(r"[^.!?\n]*[.!?\n]?")


def finding_sentences(f: SymptomFeatures) -> str:
    """The sentences of ``f.text`` that hold a finding, joined by spaces.

    A narrative tells its clue in one sentence among holidays and jobs; a
    text model reading only these sentences is not diluted by the rest.
    Denied and uncertain findings count too: "no weakness" is a clue.

    Parameters
    ----------
    f : SymptomFeatures

    Returns
    -------
    str
        Empty when the text has no finding.

    Examples
    --------
    >>> from fasciclf.features import extract
    >>> f = extract("We went to Crete in May. My left calf twitches. The hotel was lovely.")
    >>> finding_sentences(f)
    ' My left calf twitches.'
    """
    spans = sorted((fd.start, fd.end) for fd in f.findings)
    if not spans:
        return ""
    out: list[str] = []
    k = 0
    for m in _SENTENCE.finditer(f.text):
        if m.end() == m.start():
            continue
        while k < len(spans) and spans[k][1] <= m.start():
            k += 1
        if k < len(spans) and spans[k][0] < m.end():
            out.append(m.group())
    return " ".join(out)


class _RowCache:
    """Bounded, thread-safe memo of text -> encoded row (and its finding
    sentences, once a caller has asked for them).

    Cross-validation and grid search transform the same texts many times;
    extraction is deterministic, so re-reading them is wasted work.
    """

    def __init__(self, maxsize: int = 50_000) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[str, tuple[np.ndarray, str | None]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str) -> tuple[np.ndarray, str | None] | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is not None:
                self._data.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[np.ndarray, str | None]) -> None:
        with self._lock:
            self._data[key] = entry
            if len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_CACHE = _RowCache()


def _as_text_list(X: Any) -> list[str]:
    if isinstance(X, str):
        raise TypeError(
            "expected an iterable of texts (list, array or Series of str), got a single str; "
            "wrap it in a list"
        )
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:
        if X.shape[1] != 1:
            raise ValueError(
                f"expected a 1-D sequence of texts or a single-column frame, got shape {X.shape}"
            )
        X = X.iloc[:, 0]
    if isinstance(X, np.ndarray) and X.ndim != 1:
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        else:
            raise ValueError(f"expected a 1-D array of texts, got shape {X.shape}")
    texts = list(X)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"expected text as str at position {i}, got {type(t).__name__}")
    return texts


def encode_texts(
    texts: list[str],
    *,
    sentences: bool = False,
    n_jobs: int = 1,
    batch_size: int = 256,
    cache: bool = True,
) -> tuple[np.ndarray, list[str] | None]:
    """Feature rows (:data:`FEATURE_NAMES` columns) and, with ``sentences``,
    the :func:`finding_sentences` of each text, from one extraction each.

    Texts seen before in this process come from a bounded memo when
    ``cache`` is true. Without ``sentences`` the second item is ``None``
    and nothing is spent on them.
    """
    from fasciclf.features._pipeline import extract_many

    out = np.empty((len(texts), len(FEATURE_NAMES)), dtype=np.float64)
    focus: list[str] = [""] * len(texts)
    todo: list[int] = []
    for i, t in enumerate(texts):
        entry = _CACHE.get(t) if cache else None
        if entry is None or (sentences and entry[1] is None):
            todo.append(i)
        else:
            out[i], focus[i] = entry[0], entry[1] or ""
    if todo:
        feats = extract_many((texts[i] for i in todo), n_jobs=n_jobs, batch_size=batch_size)
        for i, f in zip(todo, feats, strict=True):
            out[i] = features_to_row(f)
            said = finding_sentences(f) if sentences else None
            focus[i] = said or ""
            if cache:
                _CACHE.put(texts[i], (out[i].copy(), said))
    return out, (focus if sentences else None)


def columns_by_name(rows: np.ndarray, names: Any) -> np.ndarray:
    """The columns ``names`` of rows built with :data:`FEATURE_NAMES`.

    A name that is no longer built (a concept removed from the lexicon) is a
    column of zeros; a column built now but not named (a concept added since)
    is left out. Rows come back unchanged when the names are the current ones.

    >>> rows = np.arange(len(FEATURE_NAMES), dtype=float)[None, :]
    >>> columns_by_name(rows, [FEATURE_NAMES[2], "extra__gone"]).tolist()
    [[2.0, 0.0]]
    """
    if len(names) == len(FEATURE_NAMES) and all(
        a == b for a, b in zip(names, FEATURE_NAMES, strict=True)
    ):
        return rows
    mapped = np.zeros((rows.shape[0], len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        i = _INDEX.get(name)
        if i is not None:
            mapped[:, j] = rows[:, i]
    return mapped


class SymptomFeaturizer(TransformerMixin, BaseEstimator):
    """Structured symptom features from raw texts, as a numeric matrix.

    One-hot body sites, laterality, progression and symptom statuses,
    triggers, timing, named causes, log durations, age, sex and counts; see
    :meth:`get_feature_names_out`. The spaCy pipeline is never pickled: it
    is rebuilt lazily from the packaged resources.

    Parameters
    ----------
    n_jobs : int, default=1
        Processes for extraction (see :func:`fasciclf.features.extract_many`).
    batch_size : int, default=256
        ``nlp.pipe`` batch size.
    cache : bool, default=True
        Memoise rows per text within the process (bounded to 50,000 texts).

    Examples
    --------
    >>> fz = SymptomFeaturizer().fit(["left calf twitching"])
    >>> X = fz.transform(["left calf twitching", "no weakness"])
    >>> X.shape[0], X.shape[1] == len(fz.get_feature_names_out())
    (2, True)
    """

    def __init__(self, *, n_jobs: int = 1, batch_size: int = 256, cache: bool = True) -> None:
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.cache = cache

    def fit(self, X: Any, y: Any = None) -> SymptomFeaturizer:
        """Validate the input and fix the output columns. Learns nothing from the data."""
        _as_text_list(X)
        self.feature_names_out_ = np.asarray(FEATURE_NAMES, dtype=object)
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Extract features from each text; returns an array (n_texts, n_features)."""
        check_is_fitted(self, "feature_names_out_")
        out, _ = encode_texts(
            _as_text_list(X), n_jobs=self.n_jobs, batch_size=self.batch_size, cache=self.cache
        )
        # A featurizer fitted before the lexicon gained or lost a concept
        # keeps its own columns, so a saved model gets the matrix it knows.
        return columns_by_name(out, self.feature_names_out_)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
