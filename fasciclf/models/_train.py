"""``train``: hyperparameter selection by cross-validation, refit, metadata."""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from fasciclf._version import __version__
from fasciclf.models._classifier import KINDS, SymptomClassifier

MND_LABEL = "possible_motor_neuron_disease"

# Small grids, ordered from most to least regularised: ties go to the
# first (simplest) candidate. They keep training the default model at about
# a minute on two cores.
# The hybrid reads single words: leave-one-writer-out CV over twelve writers
# (``benchmarks/cross_writer.py``) put unigrams ahead of unigrams+bigrams for
# every held-out voice (top-1 acceptable 0.952 against 0.944 over all writers,
# 0.955 against 0.948 on narratives), and the file is smaller.
# ``boosting_weight``: see the SymptomClassifier module docstring (stop 36).
DEFAULT_GRIDS: dict[str, dict[str, list[Any]]] = {
    "hybrid": {
        "C": [1.0, 3.0, 10.0],
        "word_ngram_range": [(1, 1)],
        "boosting_weight": [0.15, 0.3],
    },
    "features": {"boosting_learning_rate": [0.1, 0.2]},
    "text": {"C": [1.0, 3.0, 10.0]},
}


def cv_scores(estimator: Any, X: Sequence[str], y: Sequence[Any]) -> dict[str, float]:
    """Top-1 accuracy, top-3 accuracy, macro-F1 and (when present) MND recall.

    A scorer for :func:`sklearn.model_selection.cross_validate` and
    :class:`~sklearn.model_selection.GridSearchCV` (``scoring=cv_scores``):
    one ``predict_proba`` call yields every metric.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba`` and ``classes_``
    X : sequence of str
    y : sequence of labels

    Returns
    -------
    dict
        ``accuracy``, ``top3``, ``macro_f1`` and, if the model knows the
        ``possible_motor_neuron_disease`` class, ``mnd_recall`` (recall of
        that class; NaN when the fold has none).
    """
    proba = estimator.predict_proba(X)
    return proba_scores(np.asarray(y), proba, estimator.classes_)


def proba_scores(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """The :func:`cv_scores` metrics from probabilities already computed.

    Examples
    --------
    >>> import numpy as np
    >>> s = proba_scores(np.array(["a", "b"]), np.array([[.6, .4], [.7, .3]]), np.array(["a", "b"]))
    >>> s["accuracy"], s["top3"]
    (0.5, 1.0)
    """
    classes = np.asarray(classes)
    order = np.argsort(-proba, axis=1, kind="stable")
    pred = classes[order[:, 0]]
    k = min(3, len(classes))
    topk = classes[order[:, :k]]
    out = {
        "accuracy": float(np.mean(pred == y)) if len(y) else float("nan"),
        "top3": float(np.mean((topk == y[:, None]).any(axis=1))) if len(y) else float("nan"),
        "macro_f1": float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)),
    }
    if MND_LABEL in set(classes.tolist()):
        mask = y == MND_LABEL
        out["mnd_recall"] = float(np.mean(pred[mask] == MND_LABEL)) if mask.any() else float("nan")
    return out


def _check_labels(labels: list[Any]) -> None:
    """Refuse missing labels (None, NaN, empty or blank strings), naming the rows."""
    bad = [
        i
        for i, v in enumerate(labels)
        if v is None
        or (isinstance(v, float) and v != v)
        or (isinstance(v, np.floating) and np.isnan(v))
        or (isinstance(v, str) and not v.strip())
        or (v is not None and type(v).__name__ in ("NAType", "NaTType"))
    ]
    if bad:
        shown = ", ".join(str(i) for i in bad[:10]) + (", ..." if len(bad) > 10 else "")
        raise ValueError(
            f"expected a label for every text, but {len(bad)} row(s) have none "
            f"(None, NaN or empty): rows {shown} (0-based)"
        )


def _splitter(cv: Any, y: np.ndarray, groups: np.ndarray | None, random_state: int | None):
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if not isinstance(cv, int | np.integer):
        return cv  # a splitter object or an iterable of splits, used as given
    if cv < 2:
        raise ValueError(f"cv must be >= 2 folds; got {cv}")
    _, counts = np.unique(y, return_counts=True)
    n = int(cv)
    if counts.min() < n:
        if counts.min() < 2:
            raise ValueError(
                f"cross-validation needs at least 2 examples of every label; the smallest "
                f"class has {counts.min()}"
            )
        warnings.warn(
            f"cv={cv} folds but the smallest class has {counts.min()} examples: using "
            f"{counts.min()} folds",
            UserWarning,
            stacklevel=3,
        )
        n = int(counts.min())
    if groups is not None:
        n_groups = len(np.unique(groups))
        if n_groups < n:
            raise ValueError(
                f"{n} cross-validation folds that keep groups whole need at least {n} groups; "
                f"got {n_groups}"
            )
        return StratifiedGroupKFold(n, shuffle=True, random_state=random_state)
    return StratifiedKFold(n, shuffle=True, random_state=random_state)


def _repeat_splitter(cv: int, y: np.ndarray, groups: np.ndarray | None, seed: int | None):
    """Folds for a further out-of-fold pass, drawn anew from ``seed``.

    StratifiedGroupKFold's shuffle only breaks ties between groups with the
    same class mix, so its folds barely change with the seed; a further
    pass keeps the groups whole but draws them into folds at random
    (GroupKFold's shuffle, scikit-learn >= 1.6; on older versions the
    stratified folds again, so the passes agree).
    """
    from sklearn.model_selection import GroupKFold

    splitter = _splitter(cv, y, groups, seed)
    if groups is None:
        return splitter
    try:
        return GroupKFold(splitter.n_splits, shuffle=True, random_state=seed)
    except TypeError:  # scikit-learn < 1.6
        return splitter


def _stage(progress: Callable[..., Iterable[Any]] | None, desc: str) -> Iterable[Any]:
    """One tick of ``progress`` around a stage of training (the search, the OOF pass)."""
    return [None] if progress is None else progress([None], 1, desc)


def _fold_metrics(
    y: np.ndarray, oof: np.ndarray, classes: np.ndarray, splits: list[Any]
) -> dict[str, Any]:
    """Mean, standard deviation and per-fold values of :func:`proba_scores`."""
    per_fold = [proba_scores(y[test], oof[test], classes) for _, test in splits]
    out: dict[str, Any] = {}
    for name in per_fold[0]:
        vals = np.array([f[name] for f in per_fold], dtype=float)
        empty = np.isnan(vals).all()
        out[name] = None if empty else float(np.nanmean(vals))
        out[f"{name}_std"] = None if empty else float(np.nanstd(vals))
    out["per_fold"] = [{k: (None if np.isnan(v) else v) for k, v in f.items()} for f in per_fold]
    out["n_splits"] = len(splits)
    return out


def _search_summary(results: Mapping[str, Any], fixed: Mapping[str, Any]) -> list[dict[str, Any]]:
    names = [k[len("mean_test_") :] for k in results if k.startswith("mean_test_")]
    out = []
    for i, params in enumerate(results["params"]):
        row: dict[str, Any] = {"params": _json_params({**fixed, **params}, fixed)}
        for name in names:
            mean, std = results[f"mean_test_{name}"][i], results[f"std_test_{name}"][i]
            row[name] = None if np.isnan(mean) else float(mean)
            row[f"{name}_std"] = None if np.isnan(std) else float(std)
        out.append(row)
    return out


def red_flag_threshold(
    y: np.ndarray,
    proba: np.ndarray,
    classes: Sequence[Any],
    red: Sequence[Any],
    sensitivity: float,
    *,
    confidence: float | None = None,
) -> float | None:
    """Threshold on the summed red-flag probability that keeps ``sensitivity``.

    Without ``confidence``, the largest threshold whose sensitivity on these
    rows is at least the target (an order statistic of the positives'
    scores). With it, a distribution-free lower confidence bound for that
    threshold: the ``j``-th lowest positive score, with ``j`` the largest
    number for which ``P(Binomial(n, 1 - sensitivity) >= j) >= confidence``,
    so that, with that confidence, at least ``sensitivity`` of new cases
    from the same source score at or above it. The tail of the positives'
    scores is sparse, so the point estimate jumps between builds; the bound
    errs toward catching more.

    Parameters
    ----------
    y : array of labels
    proba : ndarray of shape (n, n_classes)
        Out-of-fold probabilities, columns in ``classes`` order.
    classes, red : sequences of labels
        All classes, and the red-flag ones among them.
    sensitivity : float
        Target share of red-flag cases at or above the threshold.
    confidence : float in [0, 1) or None, default=None
        Confidence of the lower bound; ``None`` is the point estimate.

    Returns
    -------
    float or None
        ``None`` when there are no red-flag cases to measure on.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array(["mnd", "mnd", "ok", "ok"])
    >>> p = np.array([[.9, .1], [.4, .6], [.3, .7], [.1, .9]])
    >>> red_flag_threshold(y, p, ["mnd", "ok"], ["mnd"], 1.0)
    0.4
    >>> red_flag_threshold(y, p, ["mnd", "ok"], ["mnd"], 0.5)
    0.9

    With 200 positives scoring 0.01, 0.02, ..., 2.0 and a 0.95 target, the
    point estimate is the 11th lowest score; the 90% bound is the 6th:

    >>> y = np.array(["mnd"] * 200)
    >>> p = np.c_[np.arange(1, 201) / 100, np.zeros(200)]
    >>> float(red_flag_threshold(y, p, ["mnd", "ok"], ["mnd"], 0.95))
    0.11
    >>> float(red_flag_threshold(y, p, ["mnd", "ok"], ["mnd"], 0.95, confidence=0.9))
    0.06
    """
    cols = [list(classes).index(c) for c in red]
    positive = np.isin(y, list(red))
    if not cols or not positive.any():
        return None
    score = np.sort(proba[positive][:, cols].sum(axis=1))[::-1]
    n = len(score)
    # The k-th highest positive score keeps k positives at or above it.
    k = int(np.ceil(sensitivity * n - 1e-9))
    if confidence is not None:
        from scipy.stats import binom

        # j positives may fall below the j-th lowest score; binom.sf(j - 1)
        # is P(Binomial >= j), falling in j: take the largest j that passes.
        j = np.arange(1, n + 1)
        ok = j[binom.sf(j - 1, n, 1.0 - sensitivity) >= confidence]
        k = max(k, n + 1 - int(ok.max())) if ok.size else n
    return float(score[max(k, 1) - 1])


def _more_passes(chosen, texts, y, groups, cv, random_state, passes, n_jobs, progress):
    """Out-of-fold probabilities of passes 2..``passes``, each on folds from the next seed."""
    from sklearn.model_selection import cross_val_predict

    for r in range(1, passes):
        seed = None if random_state is None else random_state + r
        folds = list(_repeat_splitter(cv, y, groups, seed).split(np.zeros(len(y)), y, groups))
        for _ in _stage(progress, f"out-of-fold pass {r + 1} for the red-flag threshold"):
            yield cross_val_predict(
                SymptomClassifier(**chosen),
                texts,
                y,
                cv=folds,
                method="predict_proba",
                n_jobs=n_jobs,
            )


def _threshold_of(model: SymptomClassifier, y: np.ndarray, oof: np.ndarray) -> float | None:
    return red_flag_threshold(
        y,
        oof,
        model.classes_,
        model.red_flag_classes_,
        model.red_flag_sensitivity,
        confidence=model.red_flag_confidence,
    )


def train(
    texts: Iterable[str],
    labels: Iterable[Any],
    *,
    kind: str = "hybrid",
    cv: Any = 5,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    param_grid: Mapping[str, Iterable[Any]] | None = None,
    groups: Iterable[Any] | None = None,
    params: Mapping[str, Any] | None = None,
    progress: Callable[[Iterable[Any], int, str], Iterable[Any]] | None = None,
    threshold_repeats: int = 1,
) -> SymptomClassifier:
    """Select hyperparameters with :class:`~sklearn.model_selection.GridSearchCV` and fit.

    1. :class:`~sklearn.model_selection.GridSearchCV` scores every
       candidate of the grid by ``cv``-fold stratified cross-validation on
       every metric of :func:`cv_scores` (one ``predict_proba`` per fold),
       without calibration (temperature scaling keeps each row's ranking,
       so the ranking metrics are the same, at a third of the cost); the
       best mean top-1 accuracy wins, ties going to the earlier, more
       regularised candidate.
    2. The winner, calibrated, is cross-validated on the same folds
       (:func:`~sklearn.model_selection.cross_val_predict`): its per-fold
       scores are :attr:`cv_metrics_` (slightly optimistic, as the same
       folds chose the winner) and, if the model has red-flag classes and
       a ``red_flag_sensitivity``, its out-of-fold probabilities set
       :attr:`red_flag_threshold_` (see :func:`red_flag_threshold`; with
       the model's ``red_flag_confidence``, a lower confidence bound).
    3. The winner is refit, calibrated, on all the data.

    Rows are put in a canonical order first, so the same data in any order
    and the same seed give a bit-identical model and identical metrics.

    Parameters
    ----------
    texts : iterable of str
    labels : iterable
        Any label set with at least 2 examples per label; ``None``, NaN
        and empty labels are refused, naming the rows.
    kind : {"hybrid", "features", "text"}, default="hybrid"
    cv : int or splitter, default=5
        Folds (stratified, shuffled with ``random_state``), or a
        scikit-learn splitter.
    random_state : int or None, default=0
    n_jobs : int or None, default=None
        Parallel fits (joblib); ``None`` is one process.
    param_grid : mapping, optional
        Candidate values per :class:`SymptomClassifier` parameter; the
        default is :data:`DEFAULT_GRIDS` ``[kind]``.
    groups : iterable, optional
        Group of each text (e.g. who wrote it): folds then keep groups
        apart (:class:`~sklearn.model_selection.StratifiedGroupKFold`).
    params : mapping, optional
        Fixed :class:`SymptomClassifier` parameters for every candidate.
    progress : callable, optional
        ``progress(iterable, total, description)`` wrapping each stage
        (the search, the out-of-fold pass), e.g. a tqdm factory.
    threshold_repeats : int, default=1
        Out-of-fold passes the red-flag threshold is read from: the first
        on the folds above, each further one on folds drawn with the next
        seed (``cv`` an int only); the threshold is the median of theirs.
        The threshold is a low order statistic of the red-flag cases'
        out-of-fold scores, which hang on which writers share a fold, so
        one pass moves it by tenths between builds of nearly the same data;
        the default model uses 5. Each further pass's :func:`proba_scores`
        are kept in ``cv_other_folds_``: the chosen model scored on folds
        that did not choose it.

    Returns
    -------
    SymptomClassifier
        Fitted, with ``cv_metrics_`` (means, standard deviations and
        ``per_fold``), ``search_results_`` (each candidate's mean scores)
        and ``metadata_`` (see :func:`model_metadata`).

    Examples
    --------
    >>> texts = ["left calf twitching, strength fine", "feet numb and burning at night",
    ...          "eyelid flickers when tired", "tingling toes, diabetic"] * 4
    >>> labels = ["benign", "neuropathy"] * 8
    >>> model = train(texts, labels, kind="text", cv=2, param_grid={"C": [1.0]},
    ...               params={"min_df": 1})
    >>> round(model.cv_metrics_["accuracy"], 2)
    1.0
    >>> model.metadata_["kind"], model.metadata_["n_train"]
    ('text', 16)
    """
    from sklearn.model_selection import GridSearchCV, cross_val_predict

    from fasciclf.features._featurizer import _as_text_list

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if (
        not isinstance(threshold_repeats, int | np.integer)
        or isinstance(threshold_repeats, bool)
        or threshold_repeats < 1
    ):
        raise ValueError(f"threshold_repeats must be an integer >= 1; got {threshold_repeats!r}")
    texts_l = _as_text_list(texts)
    if isinstance(labels, str):
        raise TypeError("expected a sequence of labels, got a single str")
    labels_l = list(labels)
    if len(texts_l) != len(labels_l):
        raise ValueError(f"got {len(texts_l)} texts but {len(labels_l)} labels")
    _check_labels(labels_l)
    groups_l = None if groups is None else list(groups)
    if groups_l is not None and len(groups_l) != len(texts_l):
        raise ValueError(f"got {len(texts_l)} texts but {len(groups_l)} groups")
    # Canonical order: the fitted model depends on the data, not on how it was listed.
    order = sorted(range(len(texts_l)), key=lambda i: (texts_l[i], str(labels_l[i])))
    texts_l = [texts_l[i] for i in order]
    y = np.asarray([labels_l[i] for i in order])
    groups_a = None if groups_l is None else np.asarray([groups_l[i] for i in order])

    fixed = {"kind": kind, "random_state": random_state, **dict(params or {})}
    grid = DEFAULT_GRIDS[kind] if param_grid is None else param_grid
    grid = {name: list(values) for name, values in grid.items()}
    splits = list(_splitter(cv, y, groups_a, random_state).split(np.zeros(len(y)), y, groups_a))
    chosen, selection = dict(fixed), []
    if sum(len(v) > 1 for v in grid.values()):
        # Candidates are scored uncalibrated: temperature scaling (the default)
        # keeps every row's ranking, so accuracy, top-3 and macro-F1 are those
        # of the calibrated model, at a third of the cost.
        search = GridSearchCV(
            SymptomClassifier(**{**fixed, "calibration": None}),
            grid,
            scoring=cv_scores,
            refit=False,
            cv=splits,
            n_jobs=n_jobs,
            error_score="raise",
        )
        for _ in _stage(progress, "selecting hyperparameters"):
            search.fit(texts_l, y)
        results = search.cv_results_
        best = int(np.argmin(results["rank_test_accuracy"]))  # first best: more regularised
        chosen.update(results["params"][best])
        selection = _search_summary(results, fixed)
    else:
        chosen.update({name: values[0] for name, values in grid.items()})
    # The chosen model, calibrated, out of fold: the reported metrics and the
    # probabilities the red-flag threshold is chosen on.
    for _ in _stage(progress, "cross-validating the chosen model"):
        oof = cross_val_predict(
            SymptomClassifier(**chosen),
            texts_l,
            y,
            cv=splits,
            method="predict_proba",
            n_jobs=n_jobs,
        )
    model = SymptomClassifier(**chosen).fit(texts_l, y)
    if model.red_flag_sensitivity is not None and model.red_flag_classes_:
        passes = threshold_repeats if isinstance(cv, int | np.integer) else 1
        more = list(
            _more_passes(chosen, texts_l, y, groups_a, cv, random_state, passes, n_jobs, progress)
        )
        model.red_flag_thresholds_ = [_threshold_of(model, y, p) for p in [oof, *more]]
        model.red_flag_threshold_ = float(np.median(model.red_flag_thresholds_))
        # The further passes score the chosen model on folds that did not
        # choose it: the spread a reader should expect of the CV figures.
        model.cv_other_folds_ = [proba_scores(y, p, model.classes_) for p in more]
    model.cv_metrics_ = _fold_metrics(y, oof, model.classes_, splits)
    model.search_results_ = selection
    model.metadata_ = model_metadata(
        model, cv_metrics=model.cv_metrics_, selection=model.search_results_
    )
    return model


def _json_params(
    params: Mapping[str, Any], fixed: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    out = {}
    for k, v in params.items():
        if fixed is not None and k in fixed and k not in ("kind",):
            continue
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def model_version(model: Any) -> str:
    """An identifier computed from the model's content, stable across save and load.

    ``fasciclf-<package version>+<kind>.<digest>``, where the digest (12 hex
    digits of a SHA-256) covers the hyperparameters (``get_params``, less
    ``n_jobs``, which does not change the model), the training-data
    fingerprint, the classes and what ``fit``/``train`` chose (calibration,
    red-flag threshold). Two models trained on the same data with different
    hyperparameters get different versions.

    Examples
    --------
    >>> texts, y = ["calf twitch", "numb feet", "eyelid twitch", "numb toes"], [0, 1, 0, 1]
    >>> a = SymptomClassifier(kind="text", min_df=1).fit(texts, y)
    >>> b = SymptomClassifier(kind="text", min_df=1, C=3.0).fit(texts, y)
    >>> model_version(a).startswith("fasciclf-")
    True
    >>> model_version(a) == model_version(b)
    False
    """
    import hashlib
    import json

    params = model.get_params() if hasattr(model, "get_params") else {}
    params.pop("n_jobs", None)
    content = {
        "params": _json_params(params),
        "training_data_sha256": getattr(model, "training_data_sha256_", None),
        "classes": [str(c) for c in getattr(model, "classes_", [])],
        "calibration": getattr(model, "calibration_", None),
        "red_flag_threshold": getattr(model, "red_flag_threshold_", None),
    }
    blob = json.dumps(content, sort_keys=True, default=repr).encode()
    digest = hashlib.sha256(blob).hexdigest()[:12]
    return f"fasciclf-{__version__}+{params.get('kind', 'model')}.{digest}"


def library_versions() -> dict[str, str]:
    """Versions of fasciclf and the libraries a saved model depends on."""
    import numpy
    import sklearn
    import spacy

    return {
        "fasciclf": __version__,
        "sklearn": sklearn.__version__,
        "spacy": spacy.__version__,
        "numpy": numpy.__version__,
    }


def model_metadata(
    model: SymptomClassifier,
    *,
    cv_metrics: Mapping[str, Any] | None = None,
    selection: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """JSON-safe description of a fitted model, stored in saved files.

    Keys: ``model_version``, ``kind``, ``classes``, ``n_train``,
    ``class_counts``, ``training_data_sha256``, ``cv_metrics``,
    ``created`` (UTC, ISO 8601), ``versions``, ``lexicon_version``,
    ``calibration``, ``red_flag_classes``, ``red_flag_threshold``,
    ``red_flag_thresholds`` (one per out-of-fold pass), ``cv_other_folds``
    (the :func:`proba_scores` of each further pass), ``hyperparameters`` and
    ``selection``.
    """
    from fasciclf.features import lexicon_version

    classes = [c.item() if isinstance(c, np.generic) else c for c in model.classes_]
    return {
        "model_version": model_version(model),
        "kind": getattr(model, "kind", None),
        "classes": classes,
        "n_train": getattr(model, "n_train_", None),
        "class_counts": {str(k): v for k, v in getattr(model, "class_counts_", {}).items()},
        "training_data_sha256": getattr(model, "training_data_sha256_", None),
        "cv_metrics": dict(cv_metrics) if cv_metrics is not None else None,
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "versions": library_versions(),
        "lexicon_version": lexicon_version(),
        "calibration": getattr(model, "calibration_", None),
        "red_flag_classes": list(getattr(model, "red_flag_classes_", []) or []),
        "red_flag_threshold": getattr(model, "red_flag_threshold_", None),
        "red_flag_thresholds": list(getattr(model, "red_flag_thresholds_", []) or []),
        "cv_other_folds": list(getattr(model, "cv_other_folds_", []) or []),
        "hyperparameters": _json_params(model.get_params()) if hasattr(model, "get_params") else {},
        "selection": selection or [],
    }


__all__ = [
    "DEFAULT_GRIDS",
    "cv_scores",
    "model_metadata",
    "model_version",
    "proba_scores",
    "red_flag_threshold",
    "train",
]
