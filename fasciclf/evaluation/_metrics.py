"""Numerical core of the evaluation: metrics and their confidence intervals.

Everything here works on plain arrays (gold labels, a probability matrix, the
class order) and never imports :mod:`fasciclf.models`, so it can score any
classifier, including one trained outside fasciclf.

Intervals
---------
A figure that is a proportion of cases (accuracy, top-3 accuracy,
sensitivity, specificity, per-class precision and recall, abstention, and
each of them in every subgroup) gets the exact (Clopper-Pearson) interval
from :func:`scipy.stats.binomtest` (``proportion_ci(method="exact")``): its
coverage is at least 95% at every n, 0/n and n/n included, where a percentile
bootstrap collapses to a zero-width interval. Figures with no
closed form (macro and weighted F1, per-class F1, calibration errors, Brier
score) get percentile bootstrap intervals, and a bootstrap interval of zero
width is dropped (reported as none) rather than shown as certainty.

Bootstrap
---------
Bootstrap intervals are percentile intervals: the cases are
resampled with replacement ``n_bootstrap`` times, every statistic is
recomputed on each resample, and the 2.5th and 97.5th percentiles of the
resampled values are reported. All statistics of one report share the same
resamples (so they are mutually consistent) and are computed in vectorised
chunks: per-resample confusion matrices and calibration bins come from a
single :func:`numpy.bincount` each.

A class can be missing from a resample. Then a per-class statistic that is
undefined there (precision with no predictions of the class, recall with no
gold cases of the class, F1 with neither) is ``NaN`` for that resample and
left out of the percentile computation, and the macro F1 of that resample
averages over the classes present in its gold or predicted labels, as
:func:`sklearn.metrics.f1_score` does.

The two expected calibration errors are the exception to the plain
percentile rule: a binned calibration error is biased upward, and more so on
a resample, so their interval is the percentile interval shifted down by the
bootstrap estimate of that bias (mean over resamples minus the estimate),
clipped at 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fasciclf._vocab import RED_FLAG_LABELS as RED_FLAG_CLASSES  # noqa: E402, F401

SMALL_GROUP = 30  # below this many cases a subgroup's interval is flagged as wide

DEFAULT_N_BINS = 10
CONFIDENCE_LEVEL = 0.95
_TOP_K = 3
# Upper bound on the number of array cells materialised per bootstrap chunk
# (roughly 8 bytes each), so memory stays well under a gigabyte for any n.
_CHUNK_CELLS = 4_000_000
# Statistics whose percentile interval is shifted by the bootstrap bias estimate.
_BIAS_SHIFTED = frozenset({"ece", "classwise_ece"})
# Statistics that are proportions of cases: exact (Wilson) intervals, not bootstrap.
PROPORTIONS = frozenset(
    {
        "accuracy",
        "top3_accuracy",
        "accuracy_with_alternatives",
        "precision",
        "recall",
        "red_flag_sensitivity",
        "red_flag_specificity",
        "abstention_rate",
        "accuracy_non_abstained",
    }
)


def proportion_ci(
    k: int, n: int, *, confidence_level: float = 0.95, method: str = "exact"
) -> tuple[float, float] | None:
    """Interval for a proportion ``k / n`` from :func:`scipy.stats.binomtest`.

    ``method`` is ``"exact"`` (Clopper-Pearson, the default: never narrower
    than the nominal coverage) or ``"wilson"`` (score interval). ``n == 0``
    has no interval (``None``).

    Examples
    --------
    >>> [round(v, 3) for v in proportion_ci(112, 115)]
    [0.926, 0.995]
    >>> [round(v, 3) for v in proportion_ci(152, 152)]
    [0.976, 1.0]
    >>> proportion_ci(0, 0) is None
    True
    """
    if n <= 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence_level, method=method)
    return float(ci.low), float(ci.high)


def _proportion_counts(ca: _CaseArrays, subset: np.ndarray) -> dict[str, tuple[Any, Any]]:
    """(successes, trials) of every proportion on ``subset``; arrays per class."""
    m = subset.size
    correct = ca.correct[subset]
    out: dict[str, tuple[Any, Any]] = {
        "accuracy": (correct.sum(), m),
        "top3_accuracy": (ca.top3[subset].sum(), m),
    }
    if ca.alt_ok is not None:
        out["accuracy_with_alternatives"] = (ca.alt_ok[subset].sum(), m)
    n_l = len(ca.enc.labels)
    cm = np.zeros((n_l, n_l), dtype=int)
    np.add.at(cm, (ca.enc.y[subset], ca.enc.pred[subset]), 1)
    tp = np.diagonal(cm)
    out["precision"] = (tp, cm.sum(axis=0))
    out["recall"] = (tp, cm.sum(axis=1))
    pos, fl = ca.positive[subset], ca.flagged[subset]
    out["red_flag_sensitivity"] = ((pos & fl).sum(), pos.sum())
    out["red_flag_specificity"] = ((~pos & ~fl).sum(), (~pos).sum())
    if ca.abstained is not None:
        ab = ca.abstained[subset]
        out["abstention_rate"] = (ab.sum(), m)
        out["accuracy_non_abstained"] = ((correct & ~ab).sum(), (~ab).sum())
    return out


def exact_intervals(ca: _CaseArrays, subset: np.ndarray) -> dict[str, np.ndarray]:
    """Wilson intervals of every proportion on ``subset`` (leading axis: low, high).

    An undefined proportion (no trials) is ``NaN``.
    """
    out: dict[str, np.ndarray] = {}
    for key, (k, n) in _proportion_counts(ca, subset).items():
        ks, ns = np.atleast_1d(k), np.atleast_1d(n)
        pairs = [
            proportion_ci(int(a), int(b)) or (np.nan, np.nan)
            for a, b in zip(ks, ns, strict=True)
        ]
        arr = np.asarray(pairs, dtype=float).T  # shape (2, len)
        out[key] = arr if np.ndim(k) else arr[:, 0]
    return out


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
# Bootstrap engine


@dataclass
class _CaseArrays:
    """Per-case quantities every resampled statistic is built from."""

    enc: _Encoded
    n_bins: int
    correct: np.ndarray
    top3: np.ndarray
    alt_ok: np.ndarray | None
    brier: np.ndarray
    conf: np.ndarray
    conf_bin: np.ndarray
    cw_bin: np.ndarray  # (n, K) bin index, already offset by class * n_bins
    cw_diff: np.ndarray  # (n, K) 1[y=k] - p_k
    positive: np.ndarray  # gold is a red-flag class
    flagged_by_label: np.ndarray  # top label is a red-flag class
    flagged: np.ndarray  # top label is a red-flag class or a rule fired
    abstained: np.ndarray | None


def _case_arrays(
    enc: _Encoded,
    *,
    n_bins: int,
    alt_ok: np.ndarray | None,
    red_flag_fired: np.ndarray | None,
    abstained: np.ndarray | None,
    red_flag_classes: Sequence[Any],
) -> _CaseArrays:
    k = enc.n_classes
    conf = enc.proba.max(axis=1)
    onehot = (enc.y[:, None] == np.arange(k)[None, :]).astype(float)
    rf_set = set(red_flag_classes)
    rf_idx = [i for i, lab in enumerate(enc.labels) if lab in rf_set]
    positive = np.isin(enc.y, rf_idx)
    by_label = np.isin(enc.pred, rf_idx)
    flagged = by_label | red_flag_fired if red_flag_fired is not None else by_label
    return _CaseArrays(
        enc=enc,
        n_bins=n_bins,
        correct=enc.pred == enc.y,
        top3=enc.rank < _TOP_K,
        alt_ok=alt_ok,
        brier=_brier_per_case(enc),
        conf=conf,
        conf_bin=_bin_index(conf, n_bins),
        cw_bin=_bin_index(enc.proba, n_bins) + np.arange(k)[None, :] * n_bins,
        cw_diff=onehot - enc.proba,
        positive=positive,
        flagged_by_label=by_label,
        flagged=flagged,
        abstained=abstained,
    )


def _nan_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _statistics(ca: _CaseArrays, idx: np.ndarray) -> dict[str, np.ndarray]:
    """All statistics for each row of ``idx`` (shape (b, m): b samples of m cases)."""
    b, m = idx.shape
    enc = ca.enc
    n_l = len(enc.labels)
    k = enc.n_classes
    nb = ca.n_bins
    off = np.arange(b)[:, None]
    out: dict[str, np.ndarray] = {}

    out["accuracy"] = ca.correct[idx].mean(axis=1)
    out["top3_accuracy"] = ca.top3[idx].mean(axis=1)
    if ca.alt_ok is not None:
        out["accuracy_with_alternatives"] = ca.alt_ok[idx].mean(axis=1)

    y = enc.y[idx]
    p = enc.pred[idx]
    cm = np.bincount((off * n_l * n_l + y * n_l + p).ravel(), minlength=b * n_l * n_l)
    cm = cm.reshape(b, n_l, n_l)
    tp = np.diagonal(cm, axis1=1, axis2=2).astype(float)
    support = cm.sum(axis=2).astype(float)
    predicted = cm.sum(axis=1).astype(float)
    fp = predicted - tp
    fn = support - tp
    out["precision"] = _nan_div(tp, predicted)
    out["recall"] = _nan_div(tp, support)
    f1 = _nan_div(2 * tp, 2 * tp + fp + fn)
    out["f1"] = f1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out["macro_f1"] = np.nanmean(f1, axis=1)
    out["weighted_f1"] = (np.nan_to_num(f1) * support).sum(axis=1) / m

    out["brier"] = ca.brier[idx].mean(axis=1)
    tl = np.bincount(
        (off * nb + ca.conf_bin[idx]).ravel(),
        weights=(ca.correct[idx] - ca.conf[idx]).ravel(),
        minlength=b * nb,
    )
    out["ece"] = np.abs(tl.reshape(b, nb)).sum(axis=1) / m
    cw = np.bincount(
        (off[:, :, None] * k * nb + ca.cw_bin[idx]).ravel(),
        weights=ca.cw_diff[idx].ravel(),
        minlength=b * k * nb,
    )
    out["classwise_ece"] = np.abs(cw.reshape(b, k * nb)).sum(axis=1) / (k * m)

    pos = ca.positive[idx]
    fl = ca.flagged[idx]
    out["red_flag_sensitivity"] = _nan_div((pos & fl).sum(axis=1), pos.sum(axis=1))
    out["red_flag_specificity"] = _nan_div((~pos & ~fl).sum(axis=1), (~pos).sum(axis=1))

    if ca.abstained is not None:
        ab = ca.abstained[idx]
        out["abstention_rate"] = ab.mean(axis=1)
        out["accuracy_non_abstained"] = _nan_div(
            (ca.correct[idx] & ~ab).sum(axis=1), (~ab).sum(axis=1)
        )
    return out


def _chunk_rows(m: int, k: int) -> int:
    return max(1, _CHUNK_CELLS // max(1, m * max(k, 1)))


def _bootstrap(
    ca: _CaseArrays,
    subset: np.ndarray,
    n_bootstrap: int,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Point estimates on ``subset`` and percentile CIs over its resamples.

    Returns ``(point, ci)`` where ``point[name]`` has the statistic's shape
    and ``ci[name]`` has a leading axis of 2 (low, high), or is absent when
    ``n_bootstrap == 0``.
    """
    point = {key: val[0] for key, val in _statistics(ca, subset[None, :]).items()}
    exact = exact_intervals(ca, subset)
    if n_bootstrap <= 0:
        return point, exact
    m = subset.shape[0]
    step = _chunk_rows(m, ca.enc.n_classes)
    parts: dict[str, list[np.ndarray]] = {}
    done = 0
    while done < n_bootstrap:
        b = min(step, n_bootstrap - done)
        idx = subset[rng.integers(0, m, size=(b, m))]
        for key, val in _statistics(ca, idx).items():
            parts.setdefault(key, []).append(val)
        done += b
    alpha = (1.0 - CONFIDENCE_LEVEL) / 2.0
    ci: dict[str, np.ndarray] = {}
    with warnings.catch_warnings():
        # An all-NaN column (e.g. a class absent from every resample) has no CI.
        warnings.simplefilter("ignore", RuntimeWarning)
        for key, vals in parts.items():
            stacked = np.concatenate(vals, axis=0)
            q = np.nanquantile(stacked, [alpha, 1.0 - alpha], axis=0)
            if key in _BIAS_SHIFTED:
                # Binned calibration errors are biased upward, and more so on a
                # resample (duplicates thin out the bins), so the raw percentile
                # interval can lie entirely above the estimate. Shift it by the
                # bootstrap estimate of that bias (mean of resamples - estimate).
                bias = np.nanmean(stacked, axis=0) - point[key]
                q = np.maximum(q - bias, 0.0)
            # A zero-width interval claims certainty a resample cannot give.
            q = np.where(np.isclose(q[0], q[1], rtol=0, atol=1e-12), np.nan, q)
            ci[key] = q
    ci.update(exact)
    return point, ci


def percentile_ci(
    values: Any,
    statistic: Any = np.mean,
    *,
    n_bootstrap: int = 1000,
    random_state: int | None = 0,
) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of ``statistic`` over 1-D ``values``.

    A small general helper (the report uses a vectorised engine instead);
    ``statistic`` must accept an array and ``axis=1``.

    Examples
    --------
    >>> low, high = percentile_ci([1, 0, 1, 1, 0, 1, 1, 1, 0, 1] * 10)
    >>> bool(low < 0.7 < high)
    True
    """
    v = np.asarray(values)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array; got shape {v.shape}")
    rng = np.random.default_rng(random_state)
    stats = statistic(v[rng.integers(0, v.size, size=(n_bootstrap, v.size))], axis=1)
    alpha = (1.0 - CONFIDENCE_LEVEL) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return float(low), float(high)


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
