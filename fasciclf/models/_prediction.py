"""The result type returned by :func:`fasciclf.predict`."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from fasciclf._vocab import DISCLAIMER
from fasciclf.features._types import SymptomFeatures

# Top labels that would read as reassuring; with a red flag they are shown as such.
BENIGN_LABELS: tuple[str, ...] = ("benign_fasciculation",)
MODEL_FLAG_CODE = "model_probability"
"""Code of the model-based red flag (a safety net where no rule fired)."""
ABSTAIN_REASONS: tuple[str, ...] = (
    "empty_text",
    "no_symptom_findings",
    "low_confidence",
    "invalid_input",
)


@dataclass(frozen=True)
class RedFlag:
    """A rule over the extracted features that a clinician must not miss.

    Attributes
    ----------
    code : str
        Stable identifier, e.g. ``"progressive_weakness"``.
    reason : str
        One plain-English sentence for the reader.
    evidence : tuple of (start, end, text)
        Character spans in the input text that triggered the rule.
    probability : float or None
        Only for the model-based flag (code :data:`MODEL_FLAG_CODE`): the
        model's summed probability of the red-flag classes. Rules leave it
        ``None``, so a reader can tell a rule from the model.
    """

    code: str
    reason: str
    evidence: tuple[tuple[int, int, str], ...] = ()
    probability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "reason": self.reason,
            "evidence": [{"start": s, "end": e, "text": t} for s, e, t in self.evidence],
        }
        if self.probability is not None:
            out["probability"] = self.probability
        return out


@dataclass(frozen=True)
class Prediction:
    """A calibrated triage suggestion with its evidence.

    ``label`` is ``None`` only when the input was not a string
    (``abstain_reason == "invalid_input"``); for other abstentions the most
    likely label is still given so that nothing is hidden, and
    ``abstained`` says it should not be relied upon.

    :attr:`benign_with_red_flags` is true when the top label is a reassuring
    one (:data:`BENIGN_LABELS`) but a red-flag rule fired: the red flags
    take precedence, and ``to_dict`` and the HTML view say so.

    Examples
    --------
    >>> p = Prediction(label="benign_fasciculation",
    ...                probabilities={"benign_fasciculation": 0.8, "other": 0.2},
    ...                top_k=(("benign_fasciculation", 0.8), ("other", 0.2)),
    ...                red_flags=(RedFlag("wasting", "Visible wasting."),), features=None)
    >>> p.benign_with_red_flags
    True
    >>> p.to_dict()["benign_with_red_flags"]
    True
    """

    label: str | None
    probabilities: dict[str, float]
    top_k: tuple[tuple[str, float], ...]
    red_flags: tuple[RedFlag, ...]
    features: SymptomFeatures | None
    abstained: bool = False
    abstain_reason: str | None = None
    model_version: str = ""
    disclaimer: str = field(default=DISCLAIMER)
    error: str | None = None

    @property
    def benign_with_red_flags(self) -> bool:
        """True when the top label is benign but at least one red flag fired."""
        return bool(self.red_flags) and self.label in BENIGN_LABELS

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (floats, strings, lists, ``None``)."""
        return {
            "label": self.label,
            "probabilities": dict(self.probabilities),
            "top_k": [[k, p] for k, p in self.top_k],
            "red_flags": [r.to_dict() for r in self.red_flags],
            "features": None if self.features is None else self.features.to_dict(),
            "abstained": self.abstained,
            "abstain_reason": self.abstain_reason,
            "model_version": self.model_version,
            "disclaimer": self.disclaimer,
            "error": self.error,
            "benign_with_red_flags": self.benign_with_red_flags,
        }

    def _repr_html_(self) -> str:
        flags = "".join(
            f"<li><b>{html.escape(r.code)}</b>: {html.escape(r.reason)}</li>"
            for r in self.red_flags
        )
        top = "".join(f"<tr><td>{html.escape(k)}</td><td>{p:.1%}</td></tr>" for k, p in self.top_k)
        status = (
            f"<p><b>Abstained</b> ({html.escape(str(self.abstain_reason))})</p>"
            if self.abstained
            else ""
        )
        feats = self.features._repr_html_() if self.features is not None else ""
        warning = (
            "<p style='color:#b91c1c'><b>The most likely label is benign, but red flags are "
            "present: they take precedence. Seek a medical assessment.</b></p>"
            if self.benign_with_red_flags
            else ""
        )
        flag_block = (
            f"<div style='border-left:4px solid #b91c1c;padding-left:8px'>{warning}"
            f"<b>Red flags</b><ul>{flags}</ul></div>"
            if self.red_flags
            else ""
        )
        return (
            f"<div style='font-family:sans-serif'><p><b>Most likely:</b> "
            f"{html.escape(str(self.label))}</p>{status}{flag_block}"
            f"<table>{top}</table>{feats}<p><i>{html.escape(self.disclaimer)}</i></p></div>"
        )
