"""Red flags by source: the rules alone, the model alone, and both together.

A red flag can come from the rule criteria over the extracted features or
from the model's safety net (the summed calibrated probability of the
red-flag classes at or above the threshold ``train`` learned, or a red-flag
class as the most likely one). Here each
source is scored on its own and together: sensitivity on the cases whose
gold label is a red-flag class, specificity on the others, each with the
exact (Clopper-Pearson) interval the rest of the report uses.

"Model alone" is the threshold test on every case, whether or not a rule
fired (``predict`` only *shows* the model's flag where no rule fired);
"both" is a case flagged by either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fasciclf.evaluation._intervals import proportion_ci

SOURCES = ("rules", "model", "both")
SOURCE_NAMES = {
    "rules": "Rules alone",
    "model": "Model alone",
    "both": "Both (rules or model)",
}
SOURCES_DEFINITION = (
    "Rules alone: a red-flag rule fired. Model alone: the model's calibrated probability "
    "of the red-flag categories together reached its threshold, or one of them is its most "
    "likely category, whether or not a rule "
    "fired (the app shows the model's flag only when no rule fired). Both: either one. "
    "Sensitivity is the share of red-flag cases flagged, specificity the share of the "
    "other cases not flagged; unlike the figures above, the top suggestion does not count."
)
MODEL_FLAG_CODE = "model_probability"  # fasciclf.models.MODEL_FLAG_CODE, without the import
NO_RULES = "no rule results were given (red_flag_codes, rule_fired or red_flag_fired)"
NO_THRESHOLD = "the model has no red-flag threshold: red_flag_threshold_ is None"


@dataclass(frozen=True)
class FlagSources:
    """Per-case flags of each source (``None`` when the source is unavailable)."""

    rule: np.ndarray | None
    model: np.ndarray | None
    threshold: float | None
    rules_reason: str | None = None
    model_reason: str | None = None

    def flags(self) -> dict[str, np.ndarray | None]:
        both = None if self.rule is None or self.model is None else self.rule | self.model
        return {"rules": self.rule, "model": self.model, "both": both}

    def reason(self, source: str) -> str:
        if source == "rules":
            return str(self.rules_reason)
        if source == "model":
            return str(self.model_reason)
        return "; ".join(r for r in (self.rules_reason, self.model_reason) if r)


def rule_flags(
    n: int,
    *,
    rule_fired: Sequence[bool] | None,
    red_flag_codes: Sequence[Sequence[str]] | None,
    red_flag_fired: np.ndarray | None,
) -> np.ndarray | None:
    """Whether a rule fired, from the most specific input given.

    Codes tell rules from the model's own flag; ``red_flag_fired`` is taken
    to mean rules, as :class:`CaseInfo` documents it.
    """
    if rule_fired is not None:
        arr = np.asarray(list(rule_fired), dtype=bool)
        if arr.shape != (n,):
            raise ValueError(f"rule_fired must have one entry per case ({n}); got {arr.shape}")
        return arr
    if red_flag_codes is not None:
        return np.array(
            [any(str(c) != MODEL_FLAG_CODE for c in (codes or ())) for codes in red_flag_codes],
            dtype=bool,
        )
    return red_flag_fired


def model_flags(
    proba: np.ndarray,
    labels: Sequence[Any],
    *,
    threshold: float | None,
    score_classes: Sequence[Any],
) -> np.ndarray | None:
    """Summed probability of ``score_classes`` at or above ``threshold``, or one of
    them the most likely class (as ``predict`` flags it); None without a threshold.

    >>> p = np.array([[0.5, 0.3, 0.2], [0.2, 0.1, 0.7], [0.4, 0.35, 0.25]])
    >>> model_flags(p, ["mnd", "mg", "ok"], threshold=0.8, score_classes=["mnd", "mg"])
    array([ True, False,  True])
    """
    if threshold is None:
        return None
    t = float(threshold)
    if not np.isfinite(t) or not 0.0 <= t <= 1.0:
        raise ValueError(f"red_flag_threshold must be a probability in [0, 1]; got {threshold!r}")
    wanted = {str(c) for c in score_classes}
    cols = [j for j in range(proba.shape[1]) if str(labels[j]) in wanted]
    if not cols:
        raise ValueError(
            f"none of the red-flag classes {sorted(wanted)} is a column of proba "
            f"(classes: {[str(c) for c in labels[: proba.shape[1]]]})"
        )
    top_is_red = np.isin(proba.argmax(axis=1), cols)
    return (proba[:, cols].sum(axis=1) >= t) | top_is_red


def _rates(positive: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    caught, alarms = int((positive & flagged).sum()), int((~positive & flagged).sum())
    spec_k = n_neg - alarms
    sens_ci, spec_ci = proportion_ci(caught, n_pos), proportion_ci(spec_k, n_neg)
    return {
        "available": True,
        "n_positive": n_pos,
        "n_caught": caught,
        "sensitivity": caught / n_pos if n_pos else None,
        "sensitivity_ci": list(sens_ci) if sens_ci else None,
        "n_negative": n_neg,
        "n_false_alarms": alarms,
        "specificity": spec_k / n_neg if n_neg else None,
        "specificity_ci": list(spec_ci) if spec_ci else None,
    }


def source_rates(
    positive: np.ndarray, sources: FlagSources, subset: np.ndarray | None = None
) -> dict[str, Any]:
    """Sensitivity and specificity with exact intervals of each source on ``subset``.

    Examples
    --------
    >>> pos = np.array([True, True, False, False])
    >>> src = FlagSources(np.array([True, False, False, False]),
    ...                   np.array([False, True, True, False]), 0.2)
    >>> out = source_rates(pos, src)
    >>> out["rules"]["sensitivity"], out["model"]["sensitivity"], out["both"]["sensitivity"]
    (0.5, 0.5, 1.0)
    >>> out["both"]["specificity"]
    0.5
    """
    idx = np.arange(positive.shape[0]) if subset is None else subset
    out: dict[str, Any] = {}
    for name, flagged in sources.flags().items():
        if flagged is None:
            out[name] = {"available": False, "reason": sources.reason(name)}
        else:
            out[name] = _rates(positive[idx], flagged[idx])
    return out
