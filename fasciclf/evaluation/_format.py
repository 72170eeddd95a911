"""Small formatting helpers shared by the HTML, Markdown and model-card output."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def pct(v: Any, digits: int = 0) -> str:
    """``0.8234 -> '82%'``; missing values become ``'n/a'``.

    >>> pct(0.8234), pct(float("nan")), pct(0.8234, 1)
    ('82%', 'n/a', '82.3%')
    """
    return f"{v:.{digits}%}" if is_num(v) else "n/a"


def _ci_digits(ci: Any, digits: int) -> int:
    # An interval never reads as a single value: add decimals until its ends differ
    # ([0.9963, 1.0] is "99.6–100.0%", not "100–100%").
    lo, hi = ci
    for d in range(digits, digits + 3):
        if f"{lo * 100:.{d}f}" != f"{hi * 100:.{d}f}":
            return d
    return digits + 2


def ci_pct(ci: Any, digits: int = 0) -> str:
    """``[0.77, 0.86] -> '77–86%'``; missing interval -> ``''``.

    >>> ci_pct([0.771, 0.862]), ci_pct([0.9963, 1.0])
    ('77–86%', '99.6–100.0%')
    """
    if not ci or not all(is_num(c) for c in ci):
        return ""
    d = _ci_digits(ci, digits)
    return f"{ci[0] * 100:.{d}f}–{ci[1] * 100:.{d}f}%"


def with_ci(v: Any, ci: Any, digits: int = 0) -> str:
    """``'82% (95% CI 77–86%)'``, the value with as many decimals as its interval.

    >>> with_ci(0.82, [0.77, 0.86]), with_ci(1655 / 1656, [0.9966, 1.0])
    ('82% (95% CI 77–86%)', '99.9% (95% CI 99.7–100.0%)')
    """
    c = ci_pct(ci, digits)
    return f"{pct(v, _ci_digits(ci, digits))} (95% CI {c})" if c else pct(v, digits)


def num(v: Any, digits: int = 3) -> str:
    return f"{v:.{digits}f}" if is_num(v) else "n/a"


def num_ci(v: Any, ci: Any, digits: int = 3) -> str:
    if ci and all(is_num(c) for c in ci):
        return f"{num(v, digits)} ({num(ci[0], digits)}–{num(ci[1], digits)})"
    return num(v, digits)


def pretty_label(label: Any) -> str:
    """Human-readable class name.

    >>> pretty_label("possible_motor_neuron_disease")
    'Possible motor neuron disease'
    """
    s = str(label).replace("_", " ").strip()
    return s[:1].upper() + s[1:] if s else s


# Readable names for metric keys (cross-validation figures recorded by train()).
_METRIC_NAMES = {
    "accuracy": "Top-1 accuracy",
    "accuracy_std": "Top-1 accuracy, spread across folds (SD)",
    "top3": "Top-3 accuracy",
    "top3_accuracy": "Top-3 accuracy",
    "macro_f1": "Macro F1",
    "macro_f1_std": "Macro F1, spread across folds (SD)",
    "mnd_recall": "Recall of possible motor neuron disease",
    "red_flag_recall": "Red-flag recall",
    "log_loss": "Log loss",
    "brier": "Brier score",
    "ece": "Calibration error (top label)",
    "n_splits": "Folds",
}


def metric_name(key: Any) -> str:
    """A readable name for a metric key; unknown keys are made readable, not hidden.

    >>> metric_name("mnd_recall")
    'Recall of possible motor neuron disease'
    >>> metric_name("new_thing")
    'New thing'
    """
    return _METRIC_NAMES.get(str(key)) or pretty_label(key)


def source_cell(s: Mapping[str, Any], which: str) -> str:
    """One cell of the red-flags-by-source table: ``"k of n: rate (95% CI ...)"``.

    >>> source_cell({"available": False, "reason": "no threshold"}, "sensitivity")
    'not available: no threshold'
    >>> source_cell({"available": True, "n_caught": 9, "n_positive": 10, "sensitivity": 0.9,
    ...              "sensitivity_ci": [0.555, 0.997]}, "sensitivity")
    '9 of 10: 90.0% (95% CI 55.5–99.7%)'
    """
    if not s.get("available"):
        return f"not available: {s.get('reason')}"
    if which == "sensitivity":
        k, n = s["n_caught"], s["n_positive"]
    else:
        k, n = s["n_negative"] - s["n_false_alarms"], s["n_negative"]
    if not n:
        return "n/a (no cases)"
    return f"{k} of {n}: {with_ci(s[which], s[which + '_ci'], 1)}"
