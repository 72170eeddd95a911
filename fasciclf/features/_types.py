"""Typed records produced by the feature pipeline.

The vocabularies below are a contract: models, evaluation and the gold
annotations in ``data/labeled`` and ``../shared/realdev.jsonl`` rely on
these exact strings.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from fasciclf._vocab import (  # noqa: E402  (re-exported: the contract lives there)
    BODY_SITES,
    FINDING_STATUSES,
    LATERALITIES,
    PROGRESSIONS,
    SEXES,
    SYMPTOM_STATUSES,
    SYMPTOMS,
    TIMINGS,
    TRIGGERS,
)

__all__ = [
    "BODY_SITES",
    "FINDING_STATUSES",
    "LATERALITIES",
    "PROGRESSIONS",
    "SEXES",
    "SYMPTOMS",
    "SYMPTOM_STATUSES",
    "TIMINGS",
    "TRIGGERS",
    "Episode",
    "Finding",
    "SymptomFeatures",
]


@dataclass(frozen=True)
class Finding:
    """One mention of a symptom concept with its context.

    Attributes
    ----------
    concept : str
        One of :data:`SYMPTOMS` or an extra concept (e.g. ``"foot_drop"``,
        ``"ptosis"``, ``"diplopia"``, ``"falls"``, ``"als"``).
    status : str
        One of :data:`FINDING_STATUSES`.
    text : str
        The matched words, equal to ``source_text[start:end]``.
    start, end : int
        Character offsets into the original text.
    body_sites : tuple of str
        Regions this mention is attached to.
    side : str
        One of :data:`LATERALITIES`.
    """

    concept: str
    status: str
    text: str
    start: int
    end: int
    body_sites: tuple[str, ...] = ()
    side: str = "unspecified"

    def to_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "status": self.status,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "body_sites": list(self.body_sites),
            "side": self.side,
        }


@dataclass(frozen=True)
class Episode:
    """One step of the time course: what was noticed, where, and when.

    Attributes
    ----------
    order : int
        Position in the story (0 = the first episode told).
    concepts : tuple of str
        Finding concepts present in this step.
    body_sites : tuple of str
        Regions of those findings.
    days_before_writing : float or None
        Time before the time of writing, when the text gives an anchor.
    evidence : tuple of (str, int, int) or None
        The time expression (text, start, end) the step was read from.
    """

    order: int
    concepts: tuple[str, ...] = ()
    body_sites: tuple[str, ...] = ()
    days_before_writing: float | None = None
    evidence: tuple[str, int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "concepts": list(self.concepts),
            "body_sites": list(self.body_sites),
            "days_before_writing": self.days_before_writing,
            "evidence": list(self.evidence) if self.evidence else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Episode:
        ev = data.get("evidence")
        return cls(
            order=int(data["order"]),
            concepts=tuple(data.get("concepts", ())),
            body_sites=tuple(data.get("body_sites", ())),
            days_before_writing=data.get("days_before_writing"),
            evidence=(str(ev[0]), int(ev[1]), int(ev[2])) if ev else None,
        )


def _whose(writer: str) -> str:
    """A reader's words for :attr:`SymptomFeatures.writer`."""
    if writer == "self":
        return "the writer's own"
    if writer == "other":
        return "someone the writer tells about (no relation named)"
    return f"the writer's {writer}"


def _empty_symptoms() -> dict[str, str]:
    return {name: "not_mentioned" for name in SYMPTOMS}


@dataclass(frozen=True)
class SymptomFeatures:
    """Structured, negation-aware reading of one free-text description.

    Produced by :func:`fasciclf.features.extract`; the README's "How it
    works" tells how each field is read.

    Attributes
    ----------
    text : str
        The text as the caller gave it (evidence offsets index into it).
    body_sites, laterality
        Regions where the patient has a present symptom or sign, and their side.
    duration_days, episode_minutes, progression
        Time from the first symptom to the time of writing, the length of a
        resolving attack, and the course (``progressive``, ``episodic``, ...).
    symptoms : dict
        Every name in :data:`SYMPTOMS` to one of :data:`SYMPTOM_STATUSES`.
    triggers, timing
        What brings the symptoms on, and when in the day they come.
    age, sex : int or None, str or None
        Of the patient (the writer, or the person written about).
    writer : str
        Whose symptoms the text tells: ``"self"`` (the writer's own), the
        relation of the person written about (``"mother"``, ``"partner"``,
        ``"friend"``, ...), or ``"other"`` when the findings are told as
        someone else's and no relation is named ("an update on Meg").
    family_history, historical, uncertain, hypothetical, extra_present
        Concepts told of relatives, of the past, as a doubt, as a fear, and
        present signs outside the eight symptoms.
    findings : tuple of Finding
        Every mention with its status, sites, side and evidence span.
    truncated : bool
        Whether the text was cut at the length limit.
    timeline, onset_site, spread, fluctuating
        The episodes in story order, the first region, the regions in the
        order they became involved, and a course that varies within the day.
    improved : tuple of str
        When the course is ``improving``: the concepts of the findings told
        in the sentences that say so (a sentence that names none speaks of
        the last one told before it). The red-flag tool's improving course
        weighs against a limb criterion only when it is the weakness or the
        function that got better, not a twitch or a cramp.
    """

    text: str = ""
    body_sites: tuple[str, ...] = ()
    laterality: str = "unspecified"
    duration_days: float | None = None
    episode_minutes: float | None = None
    progression: str = "unknown"
    symptoms: dict[str, str] = field(default_factory=_empty_symptoms)
    triggers: tuple[str, ...] = ()
    timing: tuple[str, ...] = ()
    age: int | None = None
    sex: str | None = None
    writer: str = "self"
    family_history: tuple[str, ...] = ()
    historical: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    hypothetical: tuple[str, ...] = ()
    extra_present: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    truncated: bool = False
    timeline: tuple[Episode, ...] = ()
    onset_site: str | None = None
    spread: tuple[str, ...] = ()
    fluctuating: bool = False
    improved: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (lists instead of tuples, no text copy).

        >>> SymptomFeatures().to_dict()["laterality"]
        'unspecified'
        """
        return {
            "body_sites": list(self.body_sites),
            "laterality": self.laterality,
            "duration_days": self.duration_days,
            "episode_minutes": self.episode_minutes,
            "progression": self.progression,
            "symptoms": dict(self.symptoms),
            "triggers": list(self.triggers),
            "timing": list(self.timing),
            "age": self.age,
            "sex": self.sex,
            "writer": self.writer,
            "family_history": list(self.family_history),
            "historical": list(self.historical),
            "uncertain": list(self.uncertain),
            "hypothetical": list(self.hypothetical),
            "extra_present": list(self.extra_present),
            "findings": [f.to_dict() for f in self.findings],
            "truncated": self.truncated,
            "timeline": [e.to_dict() for e in self.timeline],
            "onset_site": self.onset_site,
            "spread": list(self.spread),
            "fluctuating": self.fluctuating,
            "improved": list(self.improved),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], text: str = "") -> SymptomFeatures:
        """Rebuild from :meth:`to_dict` output (used across process pools)."""
        return cls(
            text=text,
            body_sites=tuple(data["body_sites"]),
            laterality=data["laterality"],
            duration_days=data["duration_days"],
            episode_minutes=data["episode_minutes"],
            progression=data["progression"],
            symptoms=dict(data["symptoms"]),
            triggers=tuple(data["triggers"]),
            timing=tuple(data["timing"]),
            age=data["age"],
            sex=data["sex"],
            writer=data.get("writer", "self"),
            family_history=tuple(data.get("family_history", ())),
            historical=tuple(data.get("historical", ())),
            uncertain=tuple(data.get("uncertain", ())),
            hypothetical=tuple(data.get("hypothetical", ())),
            extra_present=tuple(data.get("extra_present", ())),
            findings=tuple(
                Finding(**{**f, "body_sites": tuple(f["body_sites"])})
                for f in data.get("findings", ())
            ),
            truncated=data.get("truncated", False),
            timeline=tuple(Episode.from_dict(e) for e in data.get("timeline", ())),
            onset_site=data.get("onset_site"),
            spread=tuple(data.get("spread", ())),
            fluctuating=data.get("fluctuating", False),
            improved=tuple(data.get("improved", ())),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def present(self) -> list[str]:
        """Names of symptoms with status ``present``."""
        return [k for k, v in self.symptoms.items() if v == "present"]

    def _repr_html_(self) -> str:
        # displaCy-style: evidence spans highlighted inline, colour by status.
        colours = {
            "present": "#fde68a",
            "absent": "#bbf7d0",
            "uncertain": "#e5e7eb",
            "hypothetical": "#e5e7eb",
            "historical": "#ddd6fe",
            "family": "#fbcfe8",
        }
        parts: list[str] = []
        pos = 0
        for f in sorted(self.findings, key=lambda f: (f.start, -f.end)):
            if f.start < pos:
                continue
            parts.append(html.escape(self.text[pos : f.start]))
            parts.append(
                f'<mark style="background:{colours.get(f.status, "#eee")};padding:0 2px;'
                f'border-radius:3px" title="{html.escape(f.concept)}: {f.status}">'
                f"{html.escape(self.text[f.start : f.end])}"
                f'<sub style="font-size:0.7em;margin-left:2px">{html.escape(f.concept)}'
                f"·{f.status}</sub></mark>"
            )
            pos = f.end
        parts.append(html.escape(self.text[pos:]))
        steps = "; ".join(
            f"{e.order + 1}. {', '.join(e.concepts) or '?'}"
            f"{' @ ' + ', '.join(e.body_sites) if e.body_sites else ''}"
            f" ({'?' if e.days_before_writing is None else round(e.days_before_writing)} d"
            f"{', ' + repr(e.evidence[0]) if e.evidence else ''})"
            for e in self.timeline
        )
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td>{html.escape(str(v))}</td></tr>"
            for k, v in (
                ("body sites", ", ".join(self.body_sites) or "none"),
                ("laterality", self.laterality),
                ("duration (days)", self.duration_days),
                ("episode (minutes)", self.episode_minutes),
                (
                    "progression",
                    self.progression
                    + (f" (better: {', '.join(self.improved)})" if self.improved else ""),
                ),
                ("timeline", steps or "none"),
                ("onset site / spread", f"{self.onset_site} / {' > '.join(self.spread) or '-'}"),
                ("fluctuating within the day", self.fluctuating),
                ("present", ", ".join(self.present()) or "none"),
                (
                    "denied",
                    ", ".join(k for k, v in self.symptoms.items() if v == "absent") or "none",
                ),
                ("triggers", ", ".join(self.triggers) or "none"),
                ("timing", ", ".join(self.timing) or "none"),
                ("whose symptoms", _whose(self.writer)),
                ("age / sex", f"{self.age} / {self.sex}"),
            )
        )
        return (
            f"<div style='font-family:sans-serif;line-height:1.9'><p>{''.join(parts)}</p>"
            f"<table style='font-size:0.9em'>{rows}</table></div>"
        )
