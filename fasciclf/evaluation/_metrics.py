"""Numerical core of the evaluation: metrics as pure functions over arrays.

Everything here works on plain arrays (gold labels, a probability matrix, the
class order) and never imports :mod:`fasciclf.models`, so it can score any
classifier, including one trained outside fasciclf. Their confidence
intervals are in :mod:`._intervals`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fasciclf._vocab import RED_FLAG_LABELS as RED_FLAG_CLASSES  # noqa: E402, F401

SMALL_GROUP = 30  # below this many cases a subgroup's interval is flagged as wide

DEFAULT_N_BINS = 10
CONFIDENCE_LEVEL = 0.95
_TOP_K = 3
# ---------------------------------------------------------------------------
# Encoding


@dataclass
class _Encoded:
    """Gold labels and probabilities mapped to integer columns.

    ``labels`` is the model's classes followed by any gold label the model
    does not know (sorted); ``proba`` has one column per model class only.
    """

    labels: list[Any]
    n_classes: int  # model classes = first n_classes entries of labels
    y: np.ndarray  # (n,) int index into labels
    proba: np.ndarray  # (n, n_classes)
    pred: np.ndarray  # (n,) int index of the top class
    rank: np.ndarray  # (n,) 0-based rank of the gold label, n_classes if unknown

    @property
    def n(self) -> int:
        return int(self.y.shape[0])


def _as_list(values: Any) -> list[Any]:
    if isinstance(values, np.ndarray):
        return values.tolist()
    return list(values)


def _encode(y_true: Sequence[Any], proba: Any, classes: Sequence[Any] | None) -> _Encoded:
    p = np.asarray(proba, dtype=float)
    if p.ndim != 2:
        raise ValueError(f"proba must be a 2-D array (n_samples, n_classes); got shape {p.shape}")
    n, k = p.shape
    classes_l = list(range(k)) if classes is None else _as_list(classes)
    if len(classes_l) != k:
        raise ValueError(
            f"classes has {len(classes_l)} entries but proba has {k} columns; "
            "they must match (classes[j] is the label of column j)"
        )
    if len(set(classes_l)) != k:
        raise ValueError(f"classes must be unique; got {classes_l}")
    y_l = _as_list(y_true)
    if len(y_l) != n:
        raise ValueError(f"y_true has {len(y_l)} labels but proba has {n} rows")
    if n == 0:
        raise ValueError("cannot evaluate on zero cases")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("proba must contain finite, non-negative probabilities")
    sums = p.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-3):
        bad = int(np.argmax(np.abs(sums - 1.0)))
        raise ValueError(f"each row of proba must sum to 1; row {bad} sums to {sums[bad]:.6f}")
    p = p / sums[:, None]
    known = set(classes_l)
    extra = sorted({v for v in y_l if v not in known}, key=str)
    labels = classes_l + extra
    index = {c: i for i, c in enumerate(labels)}
    y = np.fromiter((index[v] for v in y_l), dtype=np.intp, count=n)
    pred = np.argmax(p, axis=1)
    # Rank in a stable descending order (ties go to the earlier class), the
    # order Prediction.top_k uses; gold labels unknown to the model never rank.
    rank = np.full(n, k, dtype=np.intp)
    inm = y < k
    if np.any(inm):
        rows = np.nonzero(inm)[0]
        pt = p[rows, y[rows]][:, None]
        cols = np.arange(k)[None, :]
        ahead = (p[rows] > pt) | ((p[rows] == pt) & (cols < y[rows][:, None]))
        rank[rows] = ahead.sum(axis=1)
    return _Encoded(labels=labels, n_classes=k, y=y, proba=p, pred=pred, rank=rank)


def _bin_index(p: np.ndarray, n_bins: int) -> np.ndarray:
    # Right-closed equal-width bins ((m-1)/M, m/M], with p == 0 in the first
    # bin, as in Guo et al. (2017) and Kull et al. (2019).
    return np.clip(np.ceil(p * n_bins).astype(np.intp) - 1, 0, n_bins - 1)


def _check_bins(n_bins: int) -> int:
    if not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}")
    return int(n_bins)


# ---------------------------------------------------------------------------
# Public single-number metrics


def top_label_ece(
    y_true: Sequence[Any],
    proba: Any,
    classes: Sequence[Any] | None = None,
    *,
    n_bins: int = DEFAULT_N_BINS,
) -> float:
    r"""Top-label expected calibration error.

    The confidence of a case is its highest predicted probability; cases are
    put into ``n_bins`` equal-width bins of confidence, right-closed
    (:math:`((m-1)/M, m/M]`, with 0 in the first bin), and

    .. math:: \mathrm{ECE} = \sum_m \frac{|B_m|}{n}\,
              \left|\mathrm{acc}(B_m) - \mathrm{conf}(B_m)\right|

    where acc is the share of cases in the bin whose top class is the gold
    label and conf their mean confidence (Guo et al., 2017). Empty bins add
    nothing.

    Parameters
    ----------
    y_true : sequence of labels
        Gold labels. A label not in ``classes`` counts as never predicted
        correctly.
    proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, rows summing to 1.
    classes : sequence, optional
        Label of each column of ``proba``; defaults to ``0 .. n_classes-1``.
    n_bins : int, default=10
        Number of equal-width confidence bins.

    Returns
    -------
    float
        Between 0 (perfectly calibrated) and 1.

    Examples
    --------
    Two cases at confidence 0.9 (one right) and two at 0.6 (both right):
    ``0.5 * |0.5 - 0.9| + 0.5 * |1.0 - 0.6| = 0.4``.

    >>> proba = [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]]
    >>> round(top_label_ece([0, 1, 1, 1], proba), 6)
    0.4
    """
    enc = _encode(y_true, proba, classes)
    m = _check_bins(n_bins)
    conf = enc.proba.max(axis=1)
    correct = (enc.pred == enc.y).astype(float)
    sums = np.bincount(_bin_index(conf, m), weights=correct - conf, minlength=m)
    return float(np.abs(sums).sum() / enc.n)


def classwise_ece(
    y_true: Sequence[Any],
    proba: Any,
    classes: Sequence[Any] | None = None,
    *,
    n_bins: int = DEFAULT_N_BINS,
) -> float:
    r"""Class-wise expected calibration error (Kull et al., 2019).

    For every class :math:`k`, the predicted probabilities :math:`p_{ik}` are
    binned into ``n_bins`` equal-width right-closed bins and compared with
    the observed frequency of class :math:`k` in the bin; the class-wise ECE
    is the mean over classes of

    .. math:: \sum_m \frac{|B_{km}|}{n}\,\left|\overline{1[y=k]}_{B_{km}}
              - \overline{p_{\cdot k}}_{B_{km}}\right| .

    Parameters
    ----------
    y_true, proba, classes, n_bins
        As in :func:`top_label_ece`.

    Returns
    -------
    float

    Examples
    --------
    >>> proba = [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]]
    >>> round(classwise_ece([0, 1, 1, 1], proba), 6)
    0.4
    """
    enc = _encode(y_true, proba, classes)
    m = _check_bins(n_bins)
    k = enc.n_classes
    onehot = (enc.y[:, None] == np.arange(k)[None, :]).astype(float)
    bins = _bin_index(enc.proba, m) + np.arange(k)[None, :] * m
    sums = np.bincount(bins.ravel(), weights=(onehot - enc.proba).ravel(), minlength=k * m)
    return float(np.abs(sums).reshape(k, m).sum(axis=1).mean() / enc.n)


def multiclass_brier_score(
    y_true: Sequence[Any], proba: Any, classes: Sequence[Any] | None = None
) -> float:
    r"""Multiclass Brier score :math:`\frac1n\sum_i\sum_k (p_{ik} - 1[y_i=k])^2`.

    Ranges from 0 (perfect) to 2; it equals
    ``sklearn.metrics.brier_score_loss(..., scale_by_half=False)``.

    Examples
    --------
    >>> multiclass_brier_score(["a", "b"], [[1.0, 0.0], [0.5, 0.5]], ["a", "b"])
    0.25
    """
    enc = _encode(y_true, proba, classes)
    return float(_brier_per_case(enc).mean())


def _brier_per_case(enc: _Encoded) -> np.ndarray:
    k = enc.n_classes
    onehot = (enc.y[:, None] == np.arange(k)[None, :]).astype(float)
    per = ((enc.proba - onehot) ** 2).sum(axis=1)
    # A gold label the model does not know has an implicit predicted
    # probability of 0 and an indicator of 1: it adds 1.
    return per + (enc.y >= k)


def reliability_curve(
    y_true: Sequence[Any],
    proba: Any,
    classes: Sequence[Any] | None = None,
    *,
    n_bins: int = DEFAULT_N_BINS,
) -> dict[str, list[float]]:
    """Data for a top-label reliability diagram.

    Returns
    -------
    dict
        ``bin_edges`` (``n_bins + 1`` values), and per bin ``count``,
        ``mean_confidence`` and ``accuracy`` (``nan`` for empty bins).

    Examples
    --------
    >>> proba = [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]]
    >>> curve = reliability_curve([0, 1, 1, 1], proba, n_bins=5)
    >>> curve["count"]
    [0, 0, 2, 0, 2]
    >>> curve["accuracy"][2], curve["accuracy"][4]
    (1.0, 0.5)
    """
    enc = _encode(y_true, proba, classes)
    return _reliability(enc, _check_bins(n_bins))


def _reliability(enc: _Encoded, m: int) -> dict[str, list[float]]:
    conf = enc.proba.max(axis=1)
    correct = (enc.pred == enc.y).astype(float)
    b = _bin_index(conf, m)
    count = np.bincount(b, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(b, weights=conf, minlength=m) / count
        acc = np.bincount(b, weights=correct, minlength=m) / count
    return {
        "bin_edges": np.linspace(0.0, 1.0, m + 1).tolist(),
        "count": count.astype(int).tolist(),
        "mean_confidence": mean_conf.tolist(),
        "accuracy": acc.tolist(),
    }


def one_vs_rest_roc_auc(
    y_true: Sequence[Any], proba: Any, classes: Sequence[Any] | None = None
) -> dict[str, Any]:
    """One-vs-rest ROC AUC for every class that can have one.

    A class with no gold cases (or only gold cases) in ``y_true`` has no
    ROC curve; it is listed under ``skipped`` with the reason rather than
    scored.

    Returns
    -------
    dict
        ``per_class`` (class -> AUC), ``macro`` (unweighted mean over the
        scored classes, ``nan`` if none) and ``skipped`` (class -> reason).

    Examples
    --------
    >>> out = one_vs_rest_roc_auc(["a", "b", "a"], [[.8, .2], [.3, .7], [.6, .4]], ["a", "b"])
    >>> out["per_class"]["a"], out["macro"]
    (1.0, 1.0)
    """
    return _roc_auc(_encode(y_true, proba, classes))


def _roc_auc(enc: _Encoded) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    per: dict[Any, float] = {}
    skipped: dict[Any, str] = {}
    for j in range(enc.n_classes):
        pos = enc.y == j
        npos = int(pos.sum())
        label = enc.labels[j]
        if npos == 0:
            skipped[label] = "no gold cases of this class in the evaluation data"
        elif npos == enc.n:
            skipped[label] = "every evaluation case is of this class"
        else:
            per[label] = float(roc_auc_score(pos, enc.proba[:, j]))
    macro = float(np.mean(list(per.values()))) if per else float("nan")
    return {"per_class": per, "macro": macro, "skipped": skipped}


def confusion_counts(enc: _Encoded) -> np.ndarray:
    n_l = len(enc.labels)
    return np.bincount(enc.y * n_l + enc.pred, minlength=n_l * n_l).reshape(n_l, n_l)


# ---------------------------------------------------------------------------
# Helpers for the report


def alt_correct(enc: _Encoded, alt_labels: Sequence[Any] | None) -> np.ndarray | None:
    """Whether the top label is the gold label or one of the acceptable alternatives."""
    if alt_labels is None:
        return None
    alts = list(alt_labels)
    if len(alts) != enc.n:
        raise ValueError(f"alt_labels has {len(alts)} entries but there are {enc.n} cases")
    out = enc.pred == enc.y
    for i, a in enumerate(alts):
        if out[i] or a is None or (isinstance(a, float) and np.isnan(a)):
            continue
        options = [a] if isinstance(a, str) else list(a)
        out[i] = enc.labels[enc.pred[i]] in options
    return out


def as_bool_array(values: Any, n: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.asarray(list(values), dtype=bool)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one entry per case ({n}); got shape {arr.shape}")
    return arr


def length_band(text: Any) -> str:
    """Word-count band of a text, with the data card's thresholds.

    At most 15 words is terse, at least 120 long (as in
    :func:`fasciclf.data.length_band`), everything between medium.

    >>> length_band("twitching calf"), length_band("word " * 60), length_band("word " * 200)
    ('terse (<=15 words)', 'medium (16-119 words)', 'long (>=120 words)')
    """
    if not isinstance(text, str):
        return "unknown"
    words = len(text.split())
    if words <= 15:
        return "terse (<=15 words)"
    if words >= 120:
        return "long (>=120 words)"
    return "medium (16-119 words)"


def group_columns(groups: Any, n: int) -> dict[str, list[str]]:
    """Normalise ``groups`` (mapping or DataFrame of columns) to string values."""
    if groups is None:
        return {}
    if hasattr(groups, "columns") and hasattr(groups, "__getitem__"):
        items = [(str(c), groups[c]) for c in groups.columns]
    elif isinstance(groups, Mapping):
        items = [(str(k), v) for k, v in groups.items()]
    else:
        raise TypeError(
            "groups must be a mapping of column name -> values or a pandas DataFrame; "
            f"got {type(groups).__name__}"
        )
    out: dict[str, list[str]] = {}
    for name, values in items:
        vals = _as_list(values.tolist() if hasattr(values, "tolist") else values)
        if len(vals) != n:
            raise ValueError(f"group column {name!r} has {len(vals)} values; expected {n}")
        out[name] = [_group_value(v) for v in vals]
    return out


def _group_value(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return "unknown"
    return str(v)
