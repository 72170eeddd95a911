"""Red-flag criteria over extracted features, independent of any classifier.

The criteria are data: :file:`resources/red_flags.json`, validated by
:mod:`fasciclf.features._red_flag_rules`. Each follows a named criterion
of the MND Association / RCGP "Red Flag" diagnosis tool or of the
recognised presentation of myasthenia. They read only the features, so
they fire the same whatever model (or none) is used, and a benign top
label can never hide them.
"""

from __future__ import annotations

from functools import lru_cache

from fasciclf.features._red_flag_rules import (
    Condition,
    RedFlagRule,
    default_red_flag_rules,
)
from fasciclf.features._resources import default_lexicon
from fasciclf.features._types import SymptomFeatures
from fasciclf.models._prediction import RedFlag

# El Escorial regions: motor findings in two of them separate a spreading
# motor problem from a local one.
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
# Evidence is quoted from what the person says they have, or (for family
# history criteria) what a relative had; never from denials or fears.
_EVIDENCE_STATUSES = frozenset({"present", "family"})

Rule = RedFlagRule  # the name this module's rows had before the criteria became data
RULES: tuple[RedFlagRule, ...] = default_red_flag_rules().rules


@lru_cache(maxsize=1)
def _implies() -> dict[str, frozenset[str]]:
    """Lexicon extras and the symptoms they imply ("heaviness" -> weakness)."""
    out: dict[str, set[str]] = {}
    for r in default_lexicon().records:
        if r.kind == "extra" and r.also:
            out.setdefault(r.value, set()).update(r.also)
    return {k: frozenset(v) for k, v in out.items()}


_MOTOR = frozenset({"weakness", "atrophy", "bulbar"})


@lru_cache(maxsize=1)
def _motor_concepts() -> frozenset[str]:
    """Concepts that are motor findings: weakness, wasting, and extras implying them."""
    return _MOTOR | {value for value, also in _implies().items() if also & _MOTOR}


def _is_present(f: SymptomFeatures, concept: str) -> bool:
    return f.symptoms.get(concept) == "present" or concept in f.extra_present


def motor_regions(f: SymptomFeatures) -> set[str]:
    """El Escorial regions with a present motor finding.

    >>> from fasciclf.features import extract
    >>> sorted(motor_regions(extract("My right hand is weak and my left foot drags.")))
    ['cervical', 'lumbosacral']
    """
    motor = _motor_concepts()
    regions = {
        _REGION_OF_SITE[site]
        for fd in f.findings
        if fd.concept in motor and fd.status == "present"
        for site in fd.body_sites
        if site in _REGION_OF_SITE
    }
    if _is_present(f, "bulbar"):
        regions.add("bulbar")  # slurred speech, choking: weakness of bulbar muscles
    return regions


# Tripping and falls told with no body part are of the legs: a numb foot
# beside them downgrades them as it does a dropping foot.
_UNSAID_SITES = {"falls": ("leg", "foot")}


def _sites_of(f: SymptomFeatures, concepts: tuple[str, ...]) -> set[str]:
    return {
        site
        for fd in f.findings
        if fd.concept in concepts and fd.status == "present"
        for site in (fd.body_sites or _UNSAID_SITES.get(fd.concept, ()))
    }


# operators that name concepts of one tuple field of the features
_CONCEPT_FIELDS = {"family": "family_history", "improved": "improved"}


def holds(condition: Condition, f: SymptomFeatures) -> bool:
    """Whether one parsed condition holds for ``f``.

    >>> from fasciclf.features import extract
    >>> holds(("present", ("foot_drop",)), extract("My foot drags when I walk."))
    True
    >>> holds(("none", (("present", ("foot_drop",)),)), extract("My foot drags."))
    False
    """
    op, arg = condition
    if op == "all":
        return all(holds(c, f) for c in arg)
    if op == "any":
        return any(holds(c, f) for c in arg)
    if op == "none":
        return not any(holds(c, f) for c in arg)
    if op == "present":
        return any(_is_present(f, c) for c in arg)
    if op == "finding":
        # told as itself and still standing after every denial: "weak-ish
        # arms" that the examination found strong are no finding of weakness
        return any(
            fd.status == "present" and fd.concept in arg and _is_present(f, fd.concept)
            for fd in f.findings
        )
    if op in _CONCEPT_FIELDS:
        return not set(arg).isdisjoint(getattr(f, _CONCEPT_FIELDS[op]))
    if op == "progression":
        return f.progression in arg
    if op == "timing":
        return bool(set(arg) & set(f.timing))
    if op == "same_site":
        return bool(_sites_of(f, arg[0]) & _sites_of(f, arg[1]))
    if op == "regions_at_least":
        return len(motor_regions(f)) >= arg
    raise ValueError(f"unknown condition operator {op!r}")  # parse_red_flag_rules rejects these


def _evidence(f: SymptomFeatures, concepts: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    wanted = set(concepts)
    said = [fd for fd in f.findings if fd.status in _EVIDENCE_STATUSES]
    spans = {(fd.start, fd.end, fd.text) for fd in said if fd.concept in wanted}
    if not spans:
        # a criterion met through an implied symptom quotes what implied it:
        # "my legs feel heavy" for a weakness, rather than nothing
        implies = _implies()
        spans = {
            (fd.start, fd.end, fd.text)
            for fd in said
            if not wanted.isdisjoint(implies.get(fd.concept, ()))
        }
    return tuple(sorted(spans))


def red_flags(
    features: SymptomFeatures, rules: tuple[RedFlagRule, ...] | None = None
) -> tuple[RedFlag, ...]:
    """Apply every red-flag criterion to one text's features.

    Parameters
    ----------
    features : SymptomFeatures
        From :func:`fasciclf.features.extract`.
    rules : tuple of RedFlagRule, optional
        Criteria to apply; the packaged :data:`RULES` by default.

    Returns
    -------
    tuple of RedFlag
        In rule order; empty when nothing fires. Evidence spans are
        ``(start, end, text)`` offsets into ``features.text``.

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
        RedFlag(code=rule.code, reason=rule.reason, evidence=_evidence(features, rule.evidence))
        for rule in (RULES if rules is None else rules)
        if holds(rule.condition, features)
    )


__all__ = ["RULES", "Rule", "holds", "motor_regions", "red_flags"]
