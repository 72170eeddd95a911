"""``train``: hyperparameter selection by cross-validation, refit, metadata."""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from fasciclf._version import __version__
from fasciclf.models._classifier import KINDS, SymptomClassifier

MND_LABEL = "possible_motor_neuron_disease"

# Small grids, ordered from most to least regularised: ties go to the
# first (simplest) candidate. They keep training the default model well
# under a minute on two cores.
DEFAULT_GRIDS: dict[str, dict[str, list[Any]]] = {
    "hybrid": {"C": [0.3, 1.0, 3.0]},
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


def _grid(kind: str, param_grid: Mapping[str, Iterable[Any]] | None) -> list[dict[str, Any]]:
    grid = DEFAULT_GRIDS[kind] if param_grid is None else param_grid
    names = list(grid)
    return [
        dict(zip(names, values, strict=True)) for values in product(*(list(grid[n]) for n in names))
    ]


def _fit_score(
    params: dict[str, Any], texts: list[str], y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> dict[str, float]:
    est = SymptomClassifier(**params)
    est.fit([texts[i] for i in train], y[train])
    return cv_scores(est, [texts[i] for i in test], y[test])


def _run(
    tasks: list[tuple[Any, ...]],
    n_jobs: int | None,
    progress: Callable[[Iterable[Any], int, str], Iterable[Any]] | None,
    desc: str,
) -> list[dict[str, float]]:
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_fit_score)(*t) for t in tasks)
    if progress is not None:
        results = progress(results, len(tasks), desc)
    return list(results)


def _summary(per_fold: list[dict[str, float]]) -> dict[str, Any]:
    names = list(per_fold[0])
    out: dict[str, Any] = {}
    for name in names:
        vals = np.array([f[name] for f in per_fold], dtype=float)
        out[name] = float(np.nanmean(vals)) if not np.isnan(vals).all() else None
        out[f"{name}_std"] = float(np.nanstd(vals)) if not np.isnan(vals).all() else None
    out["per_fold"] = [{k: (None if np.isnan(v) else v) for k, v in f.items()} for f in per_fold]
    return out


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
        return StratifiedGroupKFold(n, shuffle=True, random_state=random_state)
    return StratifiedKFold(n, shuffle=True, random_state=random_state)


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
) -> SymptomClassifier:
    """Select hyperparameters by stratified cross-validation and fit a classifier.

    1. Every candidate of the grid is scored by ``cv``-fold stratified
       cross-validation without calibration (calibration barely moves the
       top label and would quadruple the cost); the best mean top-1
       accuracy wins, ties going to the earlier, more regularised candidate.
    2. The winner is cross-validated again *with* calibration: these are
       the reported :attr:`cv_metrics_` (slightly optimistic, as the same
       folds chose the winner).
    3. The winner is refit, calibrated, on all the data.

    Rows are put in a canonical order first, so the same data in any order
    and the same seed give a bit-identical model and identical metrics.

    Parameters
    ----------
    texts : iterable of str
    labels : iterable
        Any label set with at least 2 examples per label.
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
        ``progress(iterable, total, description)`` wrapping each batch of
        fits, e.g. a tqdm factory.

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
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    from fasciclf.features._featurizer import _as_text_list

    texts_l = _as_text_list(texts)
    if isinstance(labels, str):
        raise TypeError("expected a sequence of labels, got a single str")
    labels_l = list(labels)
    if len(texts_l) != len(labels_l):
        raise ValueError(f"got {len(texts_l)} texts but {len(labels_l)} labels")
    groups_l = None if groups is None else list(groups)
    if groups_l is not None and len(groups_l) != len(texts_l):
        raise ValueError(f"got {len(texts_l)} texts but {len(groups_l)} groups")
    # Canonical order: the fitted model depends on the data, not on how it was listed.
    order = sorted(range(len(texts_l)), key=lambda i: (texts_l[i], str(labels_l[i])))
    texts_l = [texts_l[i] for i in order]
    y = np.asarray([labels_l[i] for i in order])
    groups_a = None if groups_l is None else np.asarray([groups_l[i] for i in order])

    fixed = {"kind": kind, "random_state": random_state, **dict(params or {})}
    candidates = [{**fixed, **c} for c in _grid(kind, param_grid)]
    splitter = _splitter(cv, y, groups_a, random_state)
    splits = list(splitter.split(np.zeros(len(y)), y, groups_a))

    if len(candidates) > 1:
        tasks = [
            ({**c, "calibration": None}, texts_l, y, tr, te)
            for c in candidates
            for tr, te in splits
        ]
        scores = _run(tasks, n_jobs, progress, "selecting hyperparameters")
        per_candidate = [
            scores[i * len(splits) : (i + 1) * len(splits)] for i in range(len(candidates))
        ]
        means = [float(np.mean([s["accuracy"] for s in sc])) for sc in per_candidate]
        best = int(np.argmax(means))  # first maximum: the more regularised candidate
        search = [
            {
                "params": _json_params(c, fixed),
                **{k: v for k, v in _summary(sc).items() if k != "per_fold"},
            }
            for c, sc in zip(candidates, per_candidate, strict=True)
        ]
    else:
        best, search = 0, []
    chosen = candidates[best]

    tasks = [(chosen, texts_l, y, tr, te) for tr, te in splits]
    cv_metrics = _summary(_run(tasks, n_jobs, progress, "cross-validating the chosen model"))
    cv_metrics["n_splits"] = len(splits)

    model = SymptomClassifier(**chosen).fit(texts_l, y)
    model.cv_metrics_ = cv_metrics
    model.search_results_ = search
    model.metadata_ = model_metadata(model, cv_metrics=cv_metrics, selection=search)
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


def model_version(model: SymptomClassifier) -> str:
    """A short, deterministic identifier: package version, kind and data fingerprint.

    Examples
    --------
    >>> m = SymptomClassifier(kind="text", min_df=1).fit(
    ...     ["calf twitch", "numb feet", "eyelid twitch", "numb toes"], [0, 1, 0, 1])
    >>> model_version(m).startswith("fasciclf-")
    True
    """
    sha = getattr(model, "training_data_sha256_", "") or ""
    return f"fasciclf-{__version__}+{getattr(model, 'kind', 'model')}.{sha[:10]}"


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
    ``calibration``, ``hyperparameters`` and ``selection``.
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
        "hyperparameters": _json_params(model.get_params()) if hasattr(model, "get_params") else {},
        "selection": selection or [],
    }


__all__ = ["DEFAULT_GRIDS", "cv_scores", "model_metadata", "proba_scores", "train"]
