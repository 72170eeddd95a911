"""Typed loading of the packaged red-flag criteria (``resources/red_flags.json``).

Each criterion is a flat record, like a medspaCy ConText rule: a stable
``code``, the plain-words ``reason`` shown to the reader, a small
declarative ``condition`` over :class:`~fasciclf.features.SymptomFeatures`,
the ``evidence`` concepts to quote, and the clinical ``source`` and
``implements`` id it follows. Unknown keys, operators or values are
rejected with the allowed values listed, so a typo in a reviewed file
fails loudly instead of silently never firing.

Condition operators (each condition is an object with exactly one key):

``all`` / ``any`` / ``none``
    A list of sub-conditions: every one, at least one, not one holds.
``present``
    Concepts (symptoms or lexicon ``extra`` values) of which at least one
    is present, directly or implied through a lexicon ``also``.
``finding``
    Concepts of which at least one is named by a present finding itself
    (not only implied) and is present after every denial: "weakness in
    another place than the eyelid", not "weak-ish arms" the examination
    found strong.
``progression`` / ``timing`` / ``family``
    Allowed values of those feature fields; at least one must match.
``improved``
    Concepts of which at least one is told as getting better (the
    ``improved`` field: only when the course is ``improving``).
``same_site``
    Two lists of concepts: a present finding of the first and one of the
    second name a common body site ("numbness in the hand that is wasting").
``regions_at_least``
    Minimum number of El Escorial regions (bulbar, cervical, thoracic,
    lumbosacral) with a present motor finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from fasciclf.features._resources import ResourceError, default_lexicon
from fasciclf.features._types import PROGRESSIONS, SYMPTOMS, TIMINGS

RED_FLAGS_FILE = "red_flags.json"
LOGIC_OPS: tuple[str, ...] = ("all", "any", "none")
CONCEPT_OPS: tuple[str, ...] = ("present", "finding", "family", "improved")
OPERATORS: tuple[str, ...] = (
    *LOGIC_OPS,
    *CONCEPT_OPS,
    "progression",
    "timing",
    "same_site",
    "regions_at_least",
)
_RULE_KEYS = {"code", "reason", "condition", "evidence", "source", "implements"}
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Factors against MND (sensory symptoms, an improving course) may lower
# the weight of limb criteria, never silence these: a person who chokes or
# cannot breathe lying flat needs assessment whatever else they report.
NEVER_DOWNGRADED: tuple[str, ...] = ("mnd.bulbar", "mnd.respiratory", "mg.bulbar", "mg.respiratory")

Condition = tuple[str, Any]


@dataclass(frozen=True)
class RedFlagRule:
    """One reviewed red-flag criterion.

    >>> rule = parse_red_flag_rules({"version": "1", "rules": [{
    ...     "code": "wasting", "reason": "See a doctor.", "implements": "mnd.wasting",
    ...     "source": "MND red-flag tool: wasting", "evidence": ["atrophy"],
    ...     "condition": {"present": ["atrophy"]}}]}).rules[0]
    >>> rule.condition
    ('present', ('atrophy',))
    """

    code: str
    reason: str
    condition: Condition
    evidence: tuple[str, ...]
    source: str
    implements: str


@dataclass(frozen=True)
class RedFlagRules:
    version: str
    rules: tuple[RedFlagRule, ...]


def known_concepts() -> tuple[str, ...]:
    """Concepts a condition may name: the symptoms plus every lexicon ``extra`` value."""
    extras = {r.value for r in default_lexicon().records if r.kind == "extra"}
    return tuple(sorted(set(SYMPTOMS) | extras))


def _choices(where: str, name: str, values: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise ResourceError(f"{where}: {name} must be a non-empty list, got {values!r}")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ResourceError(
            f"{where}: {name} value(s) {', '.join(map(repr, bad))} not allowed; "
            f"expected one of {', '.join(allowed)}"
        )
    return tuple(values)


def _parse_condition(where: str, raw: Any, concepts: tuple[str, ...]) -> Condition:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ResourceError(
            f"{where}: a condition is an object with exactly one operator "
            f"({', '.join(OPERATORS)}), got {raw!r}"
        )
    ((op, arg),) = raw.items()
    if op not in OPERATORS:
        raise ResourceError(
            f"{where}: unknown operator {op!r}; expected one of {', '.join(OPERATORS)}"
        )
    if op in LOGIC_OPS:
        if not isinstance(arg, list) or not arg:
            raise ResourceError(f"{where}: {op} needs a non-empty list of conditions")
        return op, tuple(_parse_condition(f"{where}.{op}", c, concepts) for c in arg)
    if op in CONCEPT_OPS:
        return op, _choices(where, op, arg, concepts)
    if op == "progression":
        return op, _choices(where, op, arg, PROGRESSIONS)
    if op == "timing":
        return op, _choices(where, op, arg, TIMINGS)
    if op == "same_site":
        if not isinstance(arg, list) or len(arg) != 2:
            raise ResourceError(f"{where}: same_site needs two lists of concepts, got {arg!r}")
        return op, tuple(_choices(where, op, side, concepts) for side in arg)
    if not isinstance(arg, int) or isinstance(arg, bool) or not 1 <= arg <= 4:
        raise ResourceError(f"{where}: regions_at_least must be an integer 1-4, got {arg!r}")
    return op, arg


def _operators(cond: Condition) -> set[str]:
    op, arg = cond
    found = {op}
    if op in LOGIC_OPS:
        for sub in arg:
            found |= _operators(sub)
    return found


def _text(where: str, raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ResourceError(f"{where}: {key} must be a non-empty string, got {value!r}")
    return value.strip()


def _parse_rule(where: str, raw: Any, concepts: tuple[str, ...]) -> RedFlagRule:
    if not isinstance(raw, dict):
        raise ResourceError(f"{where}: expected an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _RULE_KEYS)
    missing = sorted(_RULE_KEYS - set(raw))
    if unknown or missing:
        raise ResourceError(
            f"{where}: unknown key(s) {', '.join(unknown) or 'none'}, missing key(s) "
            f"{', '.join(missing) or 'none'}; the keys are {', '.join(sorted(_RULE_KEYS))}"
        )
    code = _text(where, raw, "code")
    if not _CODE.fullmatch(code):
        raise ResourceError(f"{where}: code {code!r} must be lower_snake_case")
    implements = _text(where, raw, "implements")
    condition = _parse_condition(f"{where} ({code})", raw["condition"], concepts)
    if implements in NEVER_DOWNGRADED and "none" in _operators(condition):
        raise ResourceError(
            f"{where} ({code}): {implements} criteria may not use 'none': factors against "
            "MND never silence a bulbar or breathing flag"
        )
    return RedFlagRule(
        code=code,
        reason=_text(where, raw, "reason"),
        condition=condition,
        evidence=_choices(where, "evidence", raw["evidence"], concepts),
        source=_text(where, raw, "source"),
        implements=implements,
    )


def parse_red_flag_rules(data: Any) -> RedFlagRules:
    """Validate red-flag criteria (as read from JSON) into typed records.

    >>> parse_red_flag_rules({"version": "1", "rules": [{"code": "x", "reason": "r",
    ...     "implements": "i", "source": "s", "evidence": ["atrophy"],
    ...     "condition": {"presnt": ["atrophy"]}}]})
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: red-flag rule 0 (x): unknown operator 'presnt'; ...
    """
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ResourceError("red-flag rules must be a JSON object with 'version' and 'rules'")
    concepts = known_concepts()
    rules = tuple(
        _parse_rule(f"red-flag rule {i}", raw, concepts) for i, raw in enumerate(data["rules"])
    )
    seen: set[str] = set()
    for rule in rules:
        if rule.code in seen:
            raise ResourceError(f"red-flag rules: code {rule.code!r} is used twice")
        seen.add(rule.code)
    return RedFlagRules(version=str(data.get("version", "0")), rules=rules)


@lru_cache(maxsize=1)
def default_red_flag_rules() -> RedFlagRules:
    """The criteria shipped with the package (parsed once per process)."""
    path = resources.files("fasciclf.features").joinpath("resources", RED_FLAGS_FILE)
    return parse_red_flag_rules(json.loads(path.read_text("utf-8")))


__all__ = [
    "NEVER_DOWNGRADED",
    "OPERATORS",
    "RedFlagRule",
    "RedFlagRules",
    "default_red_flag_rules",
    "known_concepts",
    "parse_red_flag_rules",
]
