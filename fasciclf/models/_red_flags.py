"""Red-flag rules over extracted features, independent of any classifier.

Each rule is a row of :data:`RULES`: a stable code, the sentence shown to
the reader, a test over :class:`~fasciclf.features.SymptomFeatures`, and
the finding concepts whose spans are quoted as evidence. Rules read only
the features, so they fire the same whatever model (or none) is used, and
a benign top label can never hide them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fasciclf.features._types import Finding, SymptomFeatures
from fasciclf.models._prediction import RedFlag

# El Escorial regions: weakness in two of them is what separates a
# spreading motor problem from a local one.
_REGION_OF_SITE = {
    "head_face": "bulbar",
    "bulbar": "bulbar",
    "neck": "cervical",
    "arm": "cervical",
    "hand": "cervical",
    "trunk": "thoracic",
    "leg": "lumbosacral",
    "foot": "lumbosacral",
}
_FATIGABLE_TIMING = frozenset({"end_of_day"})


def _present(f: SymptomFeatures, symptom: str) -> bool:
    return f.symptoms.get(symptom) == "present"


def _weakness_regions(f: SymptomFeatures) -> set[str]:
    regions = {
        _REGION_OF_SITE[site]
        for fd in f.findings
        if fd.concept == "weakness" and fd.status == "present"
        for site in fd.body_sites
        if site in _REGION_OF_SITE
    }
    if _present(f, "bulbar"):
        regions.add("bulbar")  # slurred speech, choking: weakness of bulbar muscles
    return regions


def _fatigable(f: SymptomFeatures) -> bool:
    tired = _present(f, "weakness") or _present(f, "fatigue")
    return tired and (bool(_FATIGABLE_TIMING & set(f.timing)) or f.progression == "episodic")


@dataclass(frozen=True)
class Rule:
    """One red-flag rule: when ``test(features)`` holds, report ``code`` and ``reason``.

    ``evidence`` lists ``(concept, status)`` pairs; findings that match are
    quoted as evidence spans.
    """

    code: str
    reason: str
    test: Callable[[SymptomFeatures], bool]
    evidence: tuple[tuple[str, str], ...]


RULES: tuple[Rule, ...] = (
    Rule(
        "progressive_weakness",
        "Weakness that is getting worse or spreading needs a prompt medical assessment.",
        lambda f: _present(f, "weakness") and f.progression == "progressive",
        (("weakness", "present"),),
    ),
    Rule(
        "wasting",
        "Visible muscle wasting (a muscle getting thinner) should be examined by a doctor.",
        lambda f: _present(f, "atrophy"),
        (("atrophy", "present"),),
    ),
    Rule(
        "bulbar_signs",
        "Trouble speaking, swallowing or choking needs a prompt medical assessment.",
        lambda f: _present(f, "bulbar"),
        (("bulbar", "present"),),
    ),
    Rule(
        "twitching_with_multiregion_weakness",
        "Twitching together with real weakness in two or more body regions should be "
        "examined by a neurologist.",
        lambda f: _present(f, "twitching") and len(_weakness_regions(f)) >= 2,
        (("twitching", "present"), ("weakness", "present"), ("bulbar", "present")),
    ),
    Rule(
        "foot_drop_or_falls",
        "A dropping foot, tripping or falls can mean real leg weakness and should be examined.",
        lambda f: bool({"foot_drop", "falls"} & set(f.extra_present)),
        (("foot_drop", "present"), ("falls", "present")),
    ),
    Rule(
        "fatigable_weakness_with_ptosis_or_diplopia",
        "Weakness or tiredness that builds with use or through the day, with a drooping "
        "eyelid or double vision, needs a prompt medical assessment.",
        lambda f: _fatigable(f) and bool({"ptosis", "diplopia"} & set(f.extra_present)),
        (
            ("ptosis", "present"),
            ("diplopia", "present"),
            ("weakness", "present"),
            ("fatigue", "present"),
        ),
    ),
    Rule(
        "family_als_with_weakness",
        "Weakness in someone with a family history of ALS should be examined by a neurologist.",
        lambda f: "als" in f.family_history and _present(f, "weakness"),
        (("als", "family"), ("weakness", "present")),
    ),
)


def _evidence(findings: tuple[Finding, ...], wanted: tuple[tuple[str, str], ...]):
    keys = set(wanted)
    spans = {(fd.start, fd.end, fd.text) for fd in findings if (fd.concept, fd.status) in keys}
    return tuple(sorted(spans))


def red_flags(features: SymptomFeatures) -> tuple[RedFlag, ...]:
    """Apply every rule in :data:`RULES` to one text's features.

    Parameters
    ----------
    features : SymptomFeatures
        From :func:`fasciclf.features.extract`.

    Returns
    -------
    tuple of RedFlag
        In :data:`RULES` order; empty when nothing fires. Evidence spans
        are ``(start, end, text)`` offsets into ``features.text``.

    Raises
    ------
    TypeError
        If ``features`` is not a :class:`~fasciclf.features.SymptomFeatures`.

    Examples
    --------
    >>> from fasciclf.features import extract
    >>> text = "My right hand is getting weaker and the muscle is wasting."
    >>> [r.code for r in red_flags(extract(text))]
    ['progressive_weakness', 'wasting']
    >>> red_flags(extract(text))[1].evidence
    ((50, 57, 'wasting'),)
    >>> red_flags(extract("Calf twitching, no weakness, no wasting."))
    ()
    """
    if not isinstance(features, SymptomFeatures):
        raise TypeError(f"expected SymptomFeatures, got {type(features).__name__}")
    return tuple(
        RedFlag(
            code=rule.code, reason=rule.reason, evidence=_evidence(features.findings, rule.evidence)
        )
        for rule in RULES
        if rule.test(features)
    )


__all__ = ["RULES", "Rule", "red_flags"]
