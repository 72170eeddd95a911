"""Confidence intervals of the evaluation: exact for proportions, bootstrap for the rest.

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fasciclf.evaluation._metrics import (
    _TOP_K,
    CONFIDENCE_LEVEL,
    _bin_index,
    _brier_per_case,
    _Encoded,
)

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
            proportion_ci(int(a), int(b)) or (np.nan, np.nan) for a, b in zip(ks, ns, strict=True)
        ]
        arr = np.asarray(pairs, dtype=float).T  # shape (2, len)
        out[key] = arr if np.ndim(k) else arr[:, 0]
    return out


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
