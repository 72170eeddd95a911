"""``SymptomClassifier``: a scikit-learn estimator over raw texts.

Three kinds share one estimator:

``"hybrid"`` (default)
    The structured :class:`~fasciclf.features.SymptomFeaturizer` features
    (standardised, scaled by ``feature_weight``) next to word (and
    optionally character) TF-IDF in a logistic regression (optionally with
    a word TF-IDF of the sentences that hold a finding, ``focus_weight``),
    blended with gradient boosting over the structured features alone.
``"features"``
    The structured features only: gradient boosting (default) or logistic
    regression.
``"text"``
    TF-IDF + logistic regression, the baseline.

Why these defaults (measured with ``benchmarks/classification.py``; the
labeled corpus was written by the team, ``realdev`` is real text none of
the models saw): TF-IDF alone scores highest in cross-validation on the
written corpus and lowest on real text, because it learns the writers'
phrasing; the structured features carry over to real text. In the linear
model the ~110 standardised structured columns would drown out the
unit-norm TF-IDF rows; scaling them down by ``feature_weight`` lets the
words help, and boosting over the structured features adds the
interactions a linear model misses (twitching *and* denied weakness).
``feature_weight`` and ``boosting_weight=0.3`` were chosen by
leave-one-writer-out cross-validation and the narrative challenge sets
(``benchmarks/cross_writer.py``), the proxies for text by unseen writers:
against the earlier 0.3 and 0.5 they raised cross-writer top-1 from 0.865
to 0.897 (with ``C=3``) and narrative-challenge top-1 from 0.893 to 0.911.
Once the corpus held narratives written to be hard (writers ``w15`` and
``w16``, the ``chh-`` challenge set), whose stories tell unrelated aches
and illnesses beside one or two deciding signs, ``feature_weight`` went
from 0.1 to 0.03: the structured readings of the unrelated complaints
pulled hard stories of motor neuron disease and myasthenia towards
``other``; leave-one-writer-out top-1 acceptable rose from 0.946 to 0.967
(hard writers 0.82 to 0.90) and on ``chh-`` from 0.777 to 0.856. Lower
still (0.01) gains little more on these proxies and leaves the linear
model almost the TF-IDF baseline.

``boosting_weight`` is searched by :func:`~fasciclf.models.train` (0.15
and 0.3; 0.3 alone before stop 36). With the structured features read as
they are now, the boosting over them alone is the weaker part on text by
unseen writers (narrative challenge set: linear part alone 0.985, boosting
alone 0.906, the 0.3 blend 0.972), and the default model's five folds
grouped by writer chose 0.15 (top-1 0.952 against 0.949 for 0.3, at
``C=10``); eight folds grouped by writer agreed (0.975 against 0.971).
Refitted with 0.15, top-1 acceptable rose on every written held-out set
(challenge narratives 0.972 -> 0.984, questions 0.912 -> 0.922; test split
narratives 0.974 -> 0.981, questions 0.969 -> 0.976; selection 0.970
unchanged) and the out-of-fold red-flag threshold fell from 0.164 to
0.103, so rules and model together caught more red-flag cases (test split
286 -> 288 of 288, challenge 482 -> 483 of 484, selection 82 -> 83 of 84)
for 2 more false alarms among the challenge set's 758 benign,
neuropathy, radiculopathy and metabolic stories. (The shipped model, trained
afterwards with 120 more short messages, ``w39``, records its own threshold
in its header, since stop 38 the median of five out-of-fold passes,
:func:`~fasciclf.models.train`'s ``threshold_repeats``: in one build a single
pass ranged 0.068-0.127 with the folds alone, a spread as wide as the
0.103 -> 0.164 movement above, which may have been noise.)

A TF-IDF of the finding sentences (:func:`~fasciclf.features.finding_sentences`,
``focus_weight``) was built for narratives, which tell their clue in one
sentence among holidays and jobs, where the whole text's unit-norm TF-IDF
row gives it little weight. It is off by default because it weakened the
red-flag safety net. Trained like the default model (``train``, folds
grouped by writer), with ``focus_weight=1.0`` against ``None``:

- top-1 acceptable on the written held-out sets rose a little: test
  split 0.967 -> 0.974 (questions) and 0.976 -> 0.979 (narratives);
  challenge 0.917 -> 0.933 and 0.971 -> 0.976; selection 0.965 -> 0.970;
- cross-validated top-1 fell from 0.950 to 0.946;
- the out-of-fold red-flag threshold rose from 0.107 to 0.137, so rules
  and model together caught fewer red-flag cases: test split 288 -> 286
  of 288, challenge 411 -> 409 of 412. ``focus_weight=0.5`` did the same.

Measured again in stop 38 with the five-pass threshold (a median, less
moved by which writers share a fold), ``focus_weight=1.0`` moved the written held-out
sets +19/-19 rows of top-1 acceptable and cross-validated top-1 from 0.952
to 0.950, so it stays off for want of a gain. A list of function words
(pronouns, articles, auxiliaries) taken out of the word TF-IDF moved them
+16/-16 (test-split questions 0.975 -> 0.962) and is not used either.

Character n-grams added at most a point on the test split and challenge
set and nothing on real text, while making the logistic regression
several times slower to train and the file larger, so they are
off by default (``char_ngram_range=(2, 5)`` turns them on).

Probabilities are calibrated with :class:`~sklearn.calibration.CalibratedClassifierCV`
(temperature scaling, or sigmoid on scikit-learn < 1.8; ``ensemble=False``:
one model trained on all the data, the calibration map learned from
``calibration_cv`` out-of-fold predictions).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from fasciclf._vocab import KINDS, RED_FLAG_LABELS
from fasciclf.features._featurizer import (
    FEATURE_NAMES,
    _as_text_list,
    columns_by_name,
    encode_texts,
    features_to_row,
    finding_sentences,
)
from fasciclf.features._input import read_as
from fasciclf.features._pipeline import truncate_text
from fasciclf.features._types import SymptomFeatures

LEARNERS: tuple[str, ...] = ("auto", "logistic", "boosting", "blend")
CALIBRATIONS: tuple[str | None, ...] = ("auto", "temperature", "sigmoid", "isotonic", None)
_AUTO_LEARNER = {"hybrid": "blend", "features": "boosting", "text": "logistic"}


def _text_read(text: str) -> str:
    return read_as(truncate_text(text))[0]


def training_data_sha256(texts: Iterable[str], labels: Iterable[Any]) -> str:
    """SHA-256 fingerprint of a labeled training set, independent of row order.

    The digest runs over the sorted ``(text, str(label))`` pairs, each field
    length-prefixed so that no two different data sets share a byte stream.

    Parameters
    ----------
    texts : iterable of str
    labels : iterable
        One label per text.

    Returns
    -------
    str
        64 hexadecimal characters.

    Examples
    --------
    >>> a = training_data_sha256(["b", "a"], ["y", "x"])
    >>> a == training_data_sha256(["a", "b"], ["x", "y"])
    True
    >>> a == training_data_sha256(["a", "b"], ["y", "x"])
    False
    """
    pairs = sorted(zip(texts, (str(v) for v in labels), strict=True))
    h = hashlib.sha256()
    for text, label in pairs:
        for field in (text, label):
            data = field.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
    return h.hexdigest()


class _Head(ClassifierMixin, BaseEstimator):
    """The classifier behind :class:`SymptomClassifier`, over one sparse matrix.

    Columns ``[:n_structured]`` hold the raw structured features and the
    rest the TF-IDF blocks. Kept as a separate estimator so that
    :class:`~sklearn.calibration.CalibratedClassifierCV` can refit it on
    folds of an already vectorised matrix.
    """

    def __init__(
        self,
        *,
        n_structured: int = 0,
        learner: str = "logistic",
        C: float = 1.0,
        feature_weight: float = 1.0,
        boosting_weight: float = 0.5,
        boosting_max_iter: int = 30,
        boosting_learning_rate: float = 0.2,
        boosting_max_leaf_nodes: int = 15,
        boosting_min_samples_leaf: int = 20,
        class_weight: Any = "balanced",
        max_iter: int = 2000,
        random_state: int | None = None,
    ) -> None:
        self.n_structured = n_structured
        self.learner = learner
        self.C = C
        self.feature_weight = feature_weight
        self.boosting_weight = boosting_weight
        self.boosting_max_iter = boosting_max_iter
        self.boosting_learning_rate = boosting_learning_rate
        self.boosting_max_leaf_nodes = boosting_max_leaf_nodes
        self.boosting_min_samples_leaf = boosting_min_samples_leaf
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _split(self, X: sp.csr_matrix) -> tuple[np.ndarray | None, sp.csr_matrix]:
        n = self.n_structured
        dense = X[:, :n].toarray() if n else None
        return dense, X[:, n:]

    def _linear_input(self, dense: np.ndarray | None, text: sp.csr_matrix) -> sp.csr_matrix:
        if dense is None:
            return text
        scaled = self.scaler_.transform(dense) * self.feature_weight
        return sp.hstack([sp.csr_matrix(scaled), text], format="csr")

    def fit(self, X: sp.csr_matrix, y: Any) -> _Head:
        X = sp.csr_matrix(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        dense, text = self._split(X)
        uses_linear = self.learner in ("logistic", "blend")
        uses_boosting = self.learner in ("boosting", "blend")
        if uses_boosting and dense is None:
            raise ValueError(
                f"learner={self.learner!r} needs structured features (n_structured > 0)"
            )
        if uses_linear:
            if dense is not None:
                self.scaler_ = StandardScaler().fit(dense)
            # newton-cg: on these sparse, mixed-scale matrices it converges
            # in a few iterations where lbfgs needs seconds.
            self.linear_ = LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                solver="newton-cg",
                max_iter=self.max_iter,
            ).fit(self._linear_input(dense, text), y)
        if uses_boosting:
            # GradientBoostingClassifier, not HistGradientBoosting: it predicts
            # one text in 0.3 ms through its public predict_proba (one Cython
            # call over all trees) where HistGradientBoosting takes 1.2 ms (a
            # call per tree); its trees are checked after a skops load through
            # the public tree_ arrays; and on ~1,600 rows it fits in a second.
            weights = None
            if self.class_weight is not None:
                weights = compute_sample_weight(self.class_weight, y)
            self.boosting_ = GradientBoostingClassifier(
                n_estimators=self.boosting_max_iter,
                learning_rate=self.boosting_learning_rate,
                max_leaf_nodes=self.boosting_max_leaf_nodes,
                min_samples_leaf=self.boosting_min_samples_leaf,
                # Raw scores start at zero rather than at the class priors: the
                # classes are weighted to balance anyway, and the prior start
                # costs a quarter of predict() (a DummyClassifier call and a
                # scipy.stats geometric mean on every call).
                init="zero",
                random_state=self.random_state,
            ).fit(dense, y, sample_weight=weights)
        return self

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        check_is_fitted(self, "classes_")
        dense, text = self._split(sp.csr_matrix(X))
        parts: list[tuple[float, np.ndarray]] = []
        if self.learner in ("logistic", "blend"):
            w = 1.0 - self.boosting_weight if self.learner == "blend" else 1.0
            parts.append((w, self.linear_.predict_proba(self._linear_input(dense, text))))
        if self.learner in ("boosting", "blend"):
            w = self.boosting_weight if self.learner == "blend" else 1.0
            parts.append((w, self.boosting_.predict_proba(dense)))
        if len(parts) == 1:
            return parts[0][1]
        return parts[0][0] * parts[0][1] + parts[1][0] * parts[1][1]

    def predict(self, X: sp.csr_matrix) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class SymptomClassifier(ClassifierMixin, BaseEstimator):
    """Triage classifier over raw texts: structured features, TF-IDF, or both.

    Parameters
    ----------
    kind : {"hybrid", "features", "text"}, default="hybrid"
        Which inputs to use (see the module docstring).
    learner : {"auto", "logistic", "boosting", "blend"}, default="auto"
        ``"logistic"``: one logistic regression over all inputs;
        ``"boosting"``: gradient boosting over the structured features;
        ``"blend"``: the average of both, weighted by ``boosting_weight``.
        ``"auto"`` is ``"blend"`` for hybrid, ``"boosting"`` for features
        and ``"logistic"`` for text.
    C : float, default=1.0
        Inverse regularisation strength of the logistic regression.
    feature_weight : float, default=0.03
        Scale of the standardised structured features in the logistic
        regression, relative to the unit-norm TF-IDF rows.
    boosting_weight : float, default=0.15
        Share of the boosting probabilities in ``learner="blend"``.
        :func:`~fasciclf.models.train` chooses it from 0.15 and 0.3 by
        grouped cross-validation (0.3 before stop 36; see the module
        docstring).
    focus_weight : float or None, default=None
        Scale of a word TF-IDF block over the sentences that hold a
        finding (:func:`~fasciclf.features.finding_sentences`), for
        ``kind="hybrid"``; ``None`` leaves the block out (see the module
        docstring for why it is off by default). ``kind="text"`` (the
        TF-IDF baseline) never has it.
    word_ngram_range : tuple of int or None, default=(1, 2)
        Word n-grams for TF-IDF; ``None`` for none.
    char_ngram_range : tuple of int or None, default=None
        ``char_wb`` n-grams for TF-IDF, e.g. ``(2, 5)``; ``None`` for none.
    min_df : int or float, default=2
        Minimum document frequency of a TF-IDF term (keeps the model small).
        Lowered to 1 when it would leave no terms at all (tiny corpora).
    max_features : int or None, default=20000
        Cap on each TF-IDF vocabulary.
    sublinear_tf : bool, default=True
    boosting_max_iter, boosting_learning_rate, boosting_max_leaf_nodes, boosting_min_samples_leaf
        :class:`~sklearn.ensemble.GradientBoostingClassifier` settings
        (``n_estimators``, ``learning_rate``, ``max_leaf_nodes``, ``min_samples_leaf``). With
        fewer than about 40 examples per class, lower ``boosting_min_samples_leaf``
        (its default of 20 then leaves the trees no room to split).
    calibration : {"auto", "temperature", "sigmoid", "isotonic"} or None, default="auto"
        Probability calibration; ``None`` leaves the raw probabilities.
        ``"auto"`` is temperature scaling where scikit-learn has it (>= 1.8),
        else sigmoid. Temperature scaling fits one parameter for all classes,
        so it keeps the ranking (top-3) and suits a few hundred examples per
        class; on the test split and challenge set it halved the expected
        calibration error of one-vs-rest sigmoid (0.024 vs 0.062 and 0.035
        vs 0.080).
    calibration_cv : int, default=3
        Folds for the calibration map (lowered to the smallest class size;
        skipped with a warning below 2).
    class_weight : "balanced", dict or None, default="balanced"
    random_state : int or None, default=None
        Seeds the calibration folds and the boosting. Training is
        deterministic either way; with ``None`` the folds are not shuffled.
    n_jobs : int, default=1
        Processes for feature extraction.
    red_flag_sensitivity : float in (0, 1] or None, default=0.99
        The model-based red-flag safety net: :func:`~fasciclf.models.train`
        sets :attr:`red_flag_threshold_` to the largest threshold on the
        summed probability of the red-flag classes whose out-of-fold
        sensitivity is at least this; predictions then carry a
        ``model_probability`` red flag when the sum passes it and no rule
        fired. ``None`` turns the safety net off. 0.99 (0.95 before stop
        25): on written text the probabilities are extreme and the two flag
        alike, on real text they are not, and a missed motor neuron disease
        costs more than a second look at a benign story (held-out written
        sets, rules + model, the default model with a 95% and a 99% net:
        challenge 408 -> 411 of 412 caught, test split 282 -> 285 of 288,
        specificity unchanged on both).
    red_flag_confidence : float in [0, 1) or None, default=0.95
        The threshold is a lower confidence bound at this level (see
        :func:`~fasciclf.models.red_flag_threshold`): with 95% confidence
        at least ``red_flag_sensitivity`` of new red-flag cases pass it.
        ``None`` is the point estimate (before stop 29), an order statistic
        of a sparse tail that moved between builds (0.211 to 0.233 in stop
        28; 300 bootstrap resamples of the default model's out-of-fold
        scores: standard deviation 0.089, 0.051 for the bound). Sensitivity
        for writers left out of the threshold's data (each of 33 writers in
        turn): 0.988 with the point estimate, 0.995 with the bound.
    red_flag_classes : sequence of labels or None, default=None
        The red-flag classes; ``None`` means
        :data:`fasciclf._vocab.RED_FLAG_LABELS` among the training labels.

    Attributes
    ----------
    structured_features_ : tuple of str
        Names of the structured columns the model was fitted on; at predict
        time the rows are matched to them by name, so a model saved before
        the lexicon gained a concept keeps working.
    classes_ : ndarray
        The labels seen in ``fit``, sorted.
    focus_vectorizer_ : TfidfVectorizer or None
        The TF-IDF of the finding sentences; ``None`` without the block
        (``focus_weight=None``, ``kind`` other than ``"hybrid"``, or no
        finding sentence in the training texts).
    learner_ : str
        The resolved learner.
    calibration_ : str or None
        The calibration actually applied.
    training_data_sha256_ : str
        :func:`training_data_sha256` of the training set.
    n_train_ : int
    class_counts_ : dict
        Training examples per class.
    red_flag_classes_ : list
        The red-flag classes among :attr:`classes_`.
    red_flag_threshold_ : float or None
        Set by :func:`~fasciclf.models.train` from out-of-fold probabilities;
        ``None`` after a bare ``fit`` (no held-out data to choose it on).

    Examples
    --------
    >>> texts = ["my calf twitches, strength is fine", "both feet numb and burning",
    ...          "eyelid twitching for a week", "pins and needles in my toes"] * 3
    >>> labels = ["benign", "neuropathy"] * 6
    >>> clf = SymptomClassifier(kind="text", min_df=1).fit(texts, labels)
    >>> clf.classes_.tolist()
    ['benign', 'neuropathy']
    >>> clf.predict(["my thigh twitches", "numb burning feet"]).tolist()
    ['benign', 'neuropathy']
    >>> clf.predict_proba(["numb toes"]).sum().round(6)
    np.float64(1.0)
    """

    def __init__(
        self,
        *,
        kind: str = "hybrid",
        learner: str = "auto",
        C: float = 1.0,
        feature_weight: float = 0.03,
        boosting_weight: float = 0.15,
        focus_weight: float | None = None,
        word_ngram_range: tuple[int, int] | None = (1, 2),
        char_ngram_range: tuple[int, int] | None = None,
        min_df: int | float = 2,
        max_features: int | None = 20000,
        sublinear_tf: bool = True,
        boosting_max_iter: int = 30,
        boosting_learning_rate: float = 0.2,
        boosting_max_leaf_nodes: int = 15,
        boosting_min_samples_leaf: int = 20,
        calibration: str | None = "auto",
        calibration_cv: int = 3,
        class_weight: Any = "balanced",
        random_state: int | None = None,
        n_jobs: int = 1,
        red_flag_sensitivity: float | None = 0.99,
        red_flag_confidence: float | None = 0.95,
        red_flag_classes: Sequence[Any] | None = None,
    ) -> None:
        self.kind = kind
        self.learner = learner
        self.C = C
        self.feature_weight = feature_weight
        self.boosting_weight = boosting_weight
        self.focus_weight = focus_weight
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.boosting_max_iter = boosting_max_iter
        self.boosting_learning_rate = boosting_learning_rate
        self.boosting_max_leaf_nodes = boosting_max_leaf_nodes
        self.boosting_min_samples_leaf = boosting_min_samples_leaf
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.red_flag_sensitivity = red_flag_sensitivity
        self.red_flag_confidence = red_flag_confidence
        self.red_flag_classes = red_flag_classes

    # ------------------------------------------------------------------ checks

    _parameter_constraints: dict = {
        "kind": [StrOptions(set(KINDS))],
        "learner": [StrOptions(set(LEARNERS))],
        "C": [Interval(Real, 0, None, closed="neither")],
        "feature_weight": [Interval(Real, 0, None, closed="neither")],
        "boosting_weight": [Interval(Real, 0, 1, closed="both")],
        "focus_weight": [Interval(Real, 0, None, closed="neither"), None],
        "word_ngram_range": [tuple, list, None],
        "char_ngram_range": [tuple, list, None],
        "min_df": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "sublinear_tf": ["boolean"],
        "boosting_max_iter": [Interval(Integral, 1, None, closed="left")],
        "boosting_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "boosting_max_leaf_nodes": [Interval(Integral, 2, None, closed="left")],
        "boosting_min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "calibration": [StrOptions({c for c in CALIBRATIONS if c is not None}), None],
        "calibration_cv": [Interval(Integral, 2, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "red_flag_sensitivity": [Interval(Real, 0, 1, closed="right"), None],
        "red_flag_confidence": [Interval(Real, 0, 1, closed="left"), None],
        "red_flag_classes": [tuple, list, None],
    }

    def _check_combinations(self) -> str:
        """What the per-parameter constraints cannot say; returns the resolved learner."""
        learner = _AUTO_LEARNER[self.kind] if self.learner == "auto" else self.learner
        if self.kind == "text" and learner != "logistic":
            raise ValueError(
                f"kind='text' has no structured features for learner={learner!r}; "
                "use learner='logistic' (or 'auto')"
            )
        if self.calibration == "temperature" and _sklearn_version() < (1, 8):
            raise ValueError(
                "calibration='temperature' needs scikit-learn >= 1.8; "
                f"this is {sklearn.__version__}"
            )
        for name in ("word_ngram_range", "char_ngram_range"):
            value = getattr(self, name)
            if value is not None and not _is_ngram_range(value):
                raise ValueError(
                    f"{name} must be None or a pair (min_n, max_n) of ints with "
                    f"1 <= min_n <= max_n; got {value!r}"
                )
        if self.kind != "features" and not (self.word_ngram_range or self.char_ngram_range):
            raise ValueError(
                f"kind={self.kind!r} needs word_ngram_range or char_ngram_range; both are None"
            )
        return learner

    # --------------------------------------------------------------- vectorise

    def _uses_structured(self) -> bool:
        return self.kind in ("hybrid", "features")

    def _uses_text(self) -> bool:
        return self.kind in ("hybrid", "text")

    def _uses_focus(self) -> bool:
        # a model saved before the focus block existed has no focus_weight
        return self.kind == "hybrid" and getattr(self, "focus_weight", None) is not None

    def _make_vectorizers(self, min_df: int | float) -> list[TfidfVectorizer]:
        out = []
        if self.word_ngram_range:
            out.append(self._word_vectorizer(min_df, self.word_ngram_range))
        if self.char_ngram_range:
            out.append(
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(self.char_ngram_range),
                    min_df=min_df,
                    max_features=self.max_features,
                    sublinear_tf=self.sublinear_tf,
                )
            )
        return out

    def _word_vectorizer(self, min_df: int | float, ngram_range: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            ngram_range=tuple(ngram_range),
            min_df=min_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
        )

    def _fit_vectorizers(self, texts: list[str]) -> None:
        min_df = self.min_df
        while True:
            vecs = self._make_vectorizers(min_df)
            try:
                for v in vecs:
                    v.fit([_text_read(t) for t in texts])
                break
            except ValueError as exc:
                if "no terms remain" in str(exc) and min_df != 1:
                    min_df = 1
                    continue
                if "empty vocabulary" in str(exc) or "no terms remain" in str(exc):
                    raise ValueError(
                        f"kind={self.kind!r} needs words to learn from, but the training texts "
                        f"gave an empty TF-IDF vocabulary ({exc})"
                    ) from None
                raise
        self.vectorizers_ = [_without_stop_words(v) for v in vecs]
        self.min_df_ = min_df

    def _inputs_from_texts(
        self, texts: list[str], sentences: bool | None = None
    ) -> tuple[np.ndarray, list[str] | None]:
        """Feature rows, and the finding sentences when the model reads them
        (``sentences=None``: whether the fitted model has the focus block),
        from one extraction."""
        if sentences is None:
            sentences = getattr(self, "focus_vectorizer_", None) is not None
        return encode_texts(texts, sentences=sentences, n_jobs=self.n_jobs)

    def _fit_focus(self, focus: list[str]) -> None:
        vec = self._word_vectorizer(self.min_df_, self.word_ngram_range or (1, 1))
        try:
            vec.fit(focus)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc) and "no terms remain" not in str(exc):
                raise
            vec = None  # no finding sentence shares a word: nothing to weigh
        self.focus_vectorizer_ = _without_stop_words(vec)

    def _matrix(
        self, texts: list[str], rows: np.ndarray | None, focus: list[str] | None = None
    ) -> sp.csr_matrix:
        blocks: list[Any] = []
        if self._uses_structured():
            # the columns the model was fitted on, by name: a model saved
            # before the lexicon gained a concept still gets its own matrix
            names = getattr(self, "structured_features_", FEATURE_NAMES)
            blocks.append(sp.csr_matrix(columns_by_name(rows, names)))
        if self._uses_text():
            # The text feature extraction reads: the same MAX_CHARS cut (a
            # pasted megabyte costs no more than a long message) and the same
            # plain form ("can&#39;t" is "can't", not "can", "39", "t").
            cut = [_text_read(t) for t in texts]
            blocks.extend(v.transform(cut) for v in self.vectorizers_)
        focus_vec = getattr(self, "focus_vectorizer_", None)
        if focus_vec is not None and focus is not None:
            blocks.append(focus_vec.transform(focus) * float(self.focus_weight))
        if len(blocks) == 1:
            return sp.csr_matrix(blocks[0])
        return sp.hstack(blocks, format="csr")

    # --------------------------------------------------------------------- fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> SymptomClassifier:
        """Fit on raw texts and their labels.

        Parameters
        ----------
        X : sequence of str
            List, array or Series of texts (or a one-column frame).
        y : sequence
            One label per text; any hashable, sortable label type, at least
            two distinct labels.

        Returns
        -------
        self
        """
        learner = self._check_combinations()
        texts = _as_text_list(X)
        if isinstance(y, str):
            raise TypeError("expected a sequence of labels, got a single str")
        y_arr = np.asarray(list(y) if not hasattr(y, "__array__") else y)
        if y_arr.ndim != 1:
            raise ValueError(f"expected 1-D labels, got an array of shape {y_arr.shape}")
        if len(texts) != len(y_arr):
            raise ValueError(
                f"got {len(texts)} texts but {len(y_arr)} labels; expected one label per text"
            )
        check_classification_targets(y_arr)
        classes, counts = np.unique(y_arr, return_counts=True)
        if len(classes) < 2:
            raise ValueError(
                f"expected at least 2 distinct labels, got {len(classes)}: {classes.tolist()}"
            )
        self.learner_ = learner
        self.training_data_sha256_ = training_data_sha256(texts, y_arr.tolist())
        self.n_train_ = len(texts)
        self.class_counts_ = {_jsonable(c): int(n) for c, n in zip(classes, counts, strict=True)}

        rows, focus = (
            self._inputs_from_texts(texts, sentences=self._uses_focus())
            if self._uses_structured() or self._uses_focus()
            else (None, None)
        )
        self.structured_features_ = FEATURE_NAMES if self._uses_structured() else ()
        if self._uses_text():
            self._fit_vectorizers(texts)
        else:
            self.vectorizers_ = []
            self.min_df_ = self.min_df
        self.focus_vectorizer_ = None
        if self._uses_focus():
            self._fit_focus(focus)
        M = self._matrix(texts, rows, focus)
        head = _Head(
            n_structured=len(FEATURE_NAMES) if self._uses_structured() else 0,
            learner=learner,
            C=self.C,
            feature_weight=self.feature_weight,
            boosting_weight=self.boosting_weight,
            boosting_max_iter=self.boosting_max_iter,
            boosting_learning_rate=self.boosting_learning_rate,
            boosting_max_leaf_nodes=self.boosting_max_leaf_nodes,
            boosting_min_samples_leaf=self.boosting_min_samples_leaf,
            class_weight=self.class_weight,
            random_state=self.random_state,
        )
        calibration = self.calibration
        if calibration == "auto":
            calibration = "temperature" if _sklearn_version() >= (1, 8) else "sigmoid"
        n_cv = min(int(self.calibration_cv), int(counts.min()))
        if calibration is not None and n_cv < 2:
            warnings.warn(
                f"calibration={calibration!r} skipped: it needs at least 2 examples of every "
                f"class, but {classes[np.argmin(counts)]!r} has {int(counts.min())}",
                UserWarning,
                stacklevel=2,
            )
            calibration = None
        if calibration is None:
            self.estimator_ = head.fit(M, y_arr)
        else:
            from sklearn.calibration import CalibratedClassifierCV

            shuffle = self.random_state is not None
            folds = StratifiedKFold(
                n_cv, shuffle=shuffle, random_state=self.random_state if shuffle else None
            )
            self.estimator_ = CalibratedClassifierCV(
                head, method=calibration, cv=folds, ensemble=False
            ).fit(M, y_arr)
        self.calibration_ = calibration
        self.classes_ = self.estimator_.classes_
        self.red_flag_classes_ = self._red_flag_classes()
        self.red_flag_threshold_ = None
        return self

    def _red_flag_classes(self) -> list[Any]:
        wanted = RED_FLAG_LABELS if self.red_flag_classes is None else self.red_flag_classes
        known = set(self.classes_.tolist())
        return [_jsonable(c) for c in wanted if c in known]

    # ----------------------------------------------------------------- predict

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities for raw texts, columns in :attr:`classes_` order.

        Parameters
        ----------
        X : sequence of str

        Returns
        -------
        ndarray of shape (n_texts, n_classes)
        """
        check_is_fitted(self, "estimator_")
        texts = _as_text_list(X)
        needs = self._uses_structured() or getattr(self, "focus_vectorizer_", None) is not None
        rows, focus = self._inputs_from_texts(texts) if needs else (None, None)
        return self._proba(texts, rows, focus)

    def predict_proba_from_features(self, features: Sequence[SymptomFeatures]) -> np.ndarray:
        """Class probabilities from already extracted features (no second extraction).

        Each :class:`~fasciclf.features.SymptomFeatures` carries its text,
        which the TF-IDF blocks read.

        Parameters
        ----------
        features : sequence of SymptomFeatures

        Returns
        -------
        ndarray of shape (n_texts, n_classes)

        Examples
        --------
        >>> from fasciclf.features import extract
        >>> texts = ["calf twitching, no weakness", "numb burning feet"] * 4
        >>> clf = SymptomClassifier(kind="features").fit(texts, ["a", "b"] * 4)
        >>> p = clf.predict_proba_from_features([extract("numb burning feet")])
        >>> bool((p == clf.predict_proba(["numb burning feet"])).all())
        True
        """
        check_is_fitted(self, "estimator_")
        feats = list(features)
        for i, f in enumerate(feats):
            if not isinstance(f, SymptomFeatures):
                raise TypeError(f"expected SymptomFeatures at position {i}, got {type(f).__name__}")
        texts = [f.text for f in feats]
        rows = None
        if self._uses_structured():
            rows = (
                np.vstack([features_to_row(f) for f in feats])
                if feats
                else np.empty((0, len(FEATURE_NAMES)))
            )
        focus = None
        if getattr(self, "focus_vectorizer_", None) is not None:
            focus = [finding_sentences(f) for f in feats]
        return self._proba(texts, rows, focus)

    def _proba(
        self, texts: list[str], rows: np.ndarray | None, focus: list[str] | None = None
    ) -> np.ndarray:
        if not texts:
            return np.empty((0, len(self.classes_)))
        # The matrix is built here from validated texts and finite features:
        # scikit-learn's per-call checks would cost more than the arithmetic.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return self.estimator_.predict_proba(self._matrix(texts, rows, focus))

    def predict(self, X: Any) -> np.ndarray:
        """Most likely label for each text.

        Parameters
        ----------
        X : sequence of str

        Returns
        -------
        ndarray of shape (n_texts,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _without_stop_words(vec: TfidfVectorizer | None) -> TfidfVectorizer | None:
    # The pruned terms are only kept for introspection and can be megabytes;
    # scikit-learn documents that they can be dropped.
    if vec is not None and hasattr(vec, "stop_words_"):
        del vec.stop_words_
    return vec


def _is_ngram_range(value: Any) -> bool:
    return (
        len(value) == 2
        and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1]
    )


def _sklearn_version() -> tuple[int, int]:
    major, minor = sklearn.__version__.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def _jsonable(value: Any) -> Any:
    """Turn a NumPy scalar label into the equivalent Python value."""
    return value.item() if isinstance(value, np.generic) else value


__all__ = ["KINDS", "LEARNERS", "SymptomClassifier", "training_data_sha256"]
