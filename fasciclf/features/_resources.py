"""Typed loading of the packaged lexicon and context rules.

Both files live in ``fasciclf/features/resources`` as flat JSON so that a
clinician can review them without reading code. Every record is validated:
unknown keys or values are rejected with the allowed values listed, so a
typo in a reviewed file fails loudly instead of silently matching nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from fasciclf.features._types import BODY_SITES, SYMPTOMS, TIMINGS, TRIGGERS

LEXICON_FILE = "lexicon.json"
CONTEXT_RULES_FILE = "context_rules.json"

LEXICON_KINDS: tuple[str, ...] = (
    "symptom",
    "extra",
    "deny",
    "site",
    "side",
    "side_exclude",
    "site_exclude",
    "term_exclude",
    "trigger",
    "timing",
    "progression",
    "writer",
    "family_verb",
)
PROGRESSION_CUES: tuple[str, ...] = (
    "progressive",
    "improving",
    "stable",
    # "all the time", "still there": says nothing of the course (the guideline:
    # unknown); matched so that its words are not read as another cue
    "persistent",
    "episodic",
    "aggravation",  # "worse after coffee": a trigger, matched so it is not read as progression
)
SIDE_VALUES: tuple[str, ...] = ("left", "right", "bilateral")
CONTEXT_CATEGORIES: tuple[str, ...] = (
    "negated",
    "uncertain",
    "hypothetical",
    "historical",
    "family",
    "pseudo",
    "terminate",
)
DIRECTIONS: tuple[str, ...] = ("forward", "backward", "bidirectional")

_LEXICON_KEYS = {"kind", "value", "terms", "also", "site", "bilateral", "needs_site"}
_RULE_KEYS = {
    "literal",
    "category",
    "direction",
    "max_scope",
    "stop_at_determiner",
    "answers",
    "test_request",
}
# A scope with no max_scope in the rule file reaches this many tokens: the
# documented default of context_rules.json ("null = to the clause end") is
# bounded so that per-mention work stays constant (linear time overall).
DEFAULT_SCOPE = {"forward": 12, "backward": 6}


class ResourceError(ValueError):
    """A lexicon or context-rule file does not follow the documented schema."""


@dataclass(frozen=True)
class LexiconRecord:
    """A group of terms that all mean the same thing.

    >>> LexiconRecord(kind="site", value="leg", terms=("calf",)).value
    'leg'
    """

    kind: str
    value: str
    terms: tuple[str, ...]
    also: tuple[str, ...] = ()
    site: str | None = None
    bilateral: bool = False
    needs_site: bool = False


@dataclass(frozen=True)
class ContextRule:
    """One ConText modifier, terminator or pseudo-modifier phrase.

    >>> ContextRule(literal="no", category="negated", direction="forward").max_scope is None
    True
    """

    literal: str
    category: str
    direction: str = "forward"
    max_scope: int | None = None
    stop_at_determiner: bool = False
    # A negation that answers a question ("I asked if it hurts and he said
    # no."): it outranks the question's hypothetical status
    answers: bool = False
    # An examiner's request ("she made me ...", "had me ..."): the actions in
    # its scope are the test, but a normal state told after it ("..., strength
    # perfect") is what the examiner found, not hypothetical
    test_request: bool = False

    @property
    def is_modifier(self) -> bool:
        """Whether the rule changes a status (pseudo and terminate phrases do not)."""
        return self.category not in ("pseudo", "terminate")

    def reach(self, direction: str) -> int:
        """Tokens the scope reaches in ``direction`` ("forward" or "backward").

        >>> ContextRule("no", "negated").reach("forward")
        12
        >>> ContextRule("none", "negated", "backward", max_scope=4).reach("backward")
        4
        """
        return self.max_scope if self.max_scope is not None else DEFAULT_SCOPE[direction]

    def applies(self, direction: str) -> bool:
        """Whether a finding in ``direction`` of the phrase is in scope."""
        return self.is_modifier and self.direction in (direction, "bidirectional")


# "my father had ...": a family-history modifier built from the lexicon.
FAMILY_RULE = ContextRule(literal="<relative> <family verb>", category="family", max_scope=12)


@dataclass(frozen=True)
class Lexicon:
    version: str
    records: tuple[LexiconRecord, ...]


@dataclass(frozen=True)
class ContextRules:
    version: str
    rules: tuple[ContextRule, ...]


def string_list(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """``raw[key]`` as a tuple of lower-cased strings, or a ResourceError naming the problem.

    >>> string_list({"terms": ["Eyelid", "lid"]}, "terms", "signs.json")
    ('eyelid', 'lid')
    """
    value = raw.get(key)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(t, str) and t.strip() for t in value)
    ):
        raise ResourceError(
            f"{where}: {key!r} must be a non-empty list of non-empty strings, "
            f"got {type(value).__name__}"
        )
    return tuple(t.lower() for t in value)


def _check_choice(where: str, name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ResourceError(
            f"{where}: {name}={value!r} is not allowed; expected one of {', '.join(allowed)}"
        )


def _check_keys(where: str, record: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(record) - allowed)
    if unknown:
        raise ResourceError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed keys are "
            f"{', '.join(sorted(allowed))}"
        )


# kinds whose value comes from a closed vocabulary
_VALUES_OF_KIND: dict[str, tuple[str, ...]] = {
    "symptom": SYMPTOMS,
    "deny": SYMPTOMS,
    "site": BODY_SITES,
    "side": SIDE_VALUES,
    "trigger": TRIGGERS,
    "timing": TIMINGS,
    "progression": PROGRESSION_CUES,
}


def parse_lexicon(data: dict[str, Any]) -> Lexicon:
    """Validate a lexicon mapping (as read from JSON) into typed records.

    >>> lex = parse_lexicon({"version": "x", "records": [
    ...     {"kind": "site", "value": "leg", "terms": ["Calf"]}]})
    >>> lex.records[0].terms
    ('calf',)
    >>> parse_lexicon({"version": "x", "records": [{"kind": "organ", "value": "x", "terms": []}]})
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: lexicon record 0: kind='organ' is not allowed; ...
    """
    if not isinstance(data, dict) or "records" not in data:
        raise ResourceError("lexicon must be a JSON object with 'version' and 'records'")
    records = []
    for i, raw in enumerate(data["records"]):
        where = f"lexicon record {i}"
        if not isinstance(raw, dict):
            raise ResourceError(f"{where}: expected an object, got {type(raw).__name__}")
        _check_keys(where, raw, _LEXICON_KEYS)
        kind = raw.get("kind")
        _check_choice(where, "kind", kind, LEXICON_KINDS)
        value = raw.get("value")
        if kind in _VALUES_OF_KIND:
            _check_choice(where, "value", value, _VALUES_OF_KIND[kind])
        if not isinstance(value, str) or not value:
            raise ResourceError(f"{where}: value must be a non-empty string")
        terms = raw.get("terms")
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ResourceError(f"{where}: terms must be a list of non-empty strings")
        also = tuple(raw.get("also", ()))
        for extra in also:
            _check_choice(where, "also", extra, SYMPTOMS)
        site = raw.get("site")
        if site is not None:
            _check_choice(where, "site", site, BODY_SITES)
        records.append(
            LexiconRecord(
                kind=kind,
                value=value,
                terms=tuple(t.strip().lower() for t in terms),
                also=also,
                site=site,
                bilateral=bool(raw.get("bilateral", False)),
                needs_site=bool(raw.get("needs_site", False)),
            )
        )
    return Lexicon(version=str(data.get("version", "0")), records=tuple(records))


def parse_context_rules(data: dict[str, Any]) -> ContextRules:
    """Validate context rules (as read from JSON) into typed records.

    >>> parse_context_rules({"version": "1", "rules": [
    ...     {"literal": "no", "category": "negated", "direction": "forwards"}]})
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: context rule 0 ('no'): direction='forwards' ...
    """
    if not isinstance(data, dict) or "rules" not in data:
        raise ResourceError("context rules must be a JSON object with 'version' and 'rules'")
    rules = []
    for i, raw in enumerate(data["rules"]):
        if not isinstance(raw, dict):
            raise ResourceError(f"context rule {i}: expected an object")
        where = f"context rule {i} ({raw.get('literal')!r})"
        _check_keys(where, raw, _RULE_KEYS)
        literal = raw.get("literal")
        if not isinstance(literal, str) or not literal.strip():
            raise ResourceError(f"{where}: literal must be a non-empty string")
        _check_choice(where, "category", raw.get("category"), CONTEXT_CATEGORIES)
        direction = raw.get("direction", "forward")
        _check_choice(where, "direction", direction, DIRECTIONS)
        max_scope = raw.get("max_scope")
        if max_scope is not None and (not isinstance(max_scope, int) or max_scope < 1):
            raise ResourceError(f"{where}: max_scope must be a positive integer or null")
        rules.append(
            ContextRule(
                literal=literal.strip().lower(),
                category=raw["category"],
                direction=direction,
                max_scope=max_scope,
                stop_at_determiner=bool(raw.get("stop_at_determiner", False)),
                answers=bool(raw.get("answers", False)),
                test_request=bool(raw.get("test_request", False)),
            )
        )
    return ContextRules(version=str(data.get("version", "0")), rules=tuple(rules))


def _read_packaged(name: str) -> dict[str, Any]:
    text = resources.files("fasciclf.features").joinpath("resources", name).read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with the package (parsed once per process)."""
    return parse_lexicon(_read_packaged(LEXICON_FILE))


@lru_cache(maxsize=1)
def default_context_rules() -> ContextRules:
    """The context rules shipped with the package (parsed once per process)."""
    return parse_context_rules(_read_packaged(CONTEXT_RULES_FILE))


# Read only by a stage that ``build_nlp`` adds on request (the learned course
# reader, ``build_nlp(course_model=True)``); SymptomFeaturizer never adds it.
OPTIONAL_STAGE_FILES = frozenset({"course_model.json"})


@lru_cache(maxsize=1)
def resources_digest() -> str:
    """First 12 hex digits of the SHA-256 of every packaged resource file.

    The files' ``version`` fields are bumped by hand and were often not: an
    entry added to a word list or a time-expression table changes what the
    extractor reads as much as a new lexicon version does. The digest covers
    every ``*.json`` under ``fasciclf/features/resources`` by name and bytes,
    except the files of stages no featurizer runs (:data:`OPTIONAL_STAGE_FILES`):
    a saved classifier cannot have read them, so refitting one of them must not
    mark every classifier stale.

    >>> len(resources_digest())
    12
    """
    root = resources.files("fasciclf.features").joinpath("resources")
    digest = hashlib.sha256()
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and entry.name not in OPTIONAL_STAGE_FILES:
            digest.update(entry.name.encode("utf-8") + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def lexicon_version() -> str:
    """Combined version of the packaged lexicon, context rules and resource files.

    Recorded in saved models so that a model trained against another
    vocabulary is reported on load (and the packaged model's staleness test
    fails). The extractor's code is not covered: a change there that alters
    features still needs ``fasciclf train --default`` by hand.

    >>> lexicon_version().startswith("lexicon-")
    True
    """
    return (
        f"lexicon-{default_lexicon().version}+context-{default_context_rules().version}"
        f"+resources-{resources_digest()}"
    )
