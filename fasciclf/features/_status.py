"""Symptom status: mentions from ConText statuses, and the per-symptom summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from fasciclf.features._doc import TARGETS_KEY, Term, read_terms
from fasciclf.features._types import SYMPTOMS

# Concepts that report how a symptom feels, not that it is there: weakness
# felt as heaviness is what a denial of weakness ("full strength") overrules.
# Weakness said only through these, and denied, is absent (see summarize)
FELT_ONLY = frozenset({"heaviness", "function_loss"})
# Concepts that are bodily signs (they carry body sites). Named diseases,
# causes and test results are mentions, not signs.
SIGN_CONCEPTS = frozenset(SYMPTOMS) | {
    "foot_drop",
    "falls",
    "ptosis",
    "diplopia",
    "tremor",
    "facial_weakness",
    "stiffness",
    "restless_legs",
    "balance",
    "vision",
    "vague_symptom",
    "masked_face",
    "slowness",
}
# Named conditions a lay writer mentions to ask about them: never present.
FEARED_CONCEPTS = frozenset({"als"})

_CATEGORY_TO_STATUS = {
    None: "present",
    "negated": "absent",
    "uncertain": "uncertain",
    "hypothetical": "hypothetical",
    "historical": "historical",
    "family": "family",
}
_CUE_KINDS = frozenset({"progression", "site", "trigger", "timing"})


@dataclass
class Mention:
    """A matched concept mention with its status, sites and sides."""

    concept: str
    also: tuple[str, ...]
    kind: str  # "symptom", "extra" or "deny"
    start: int  # token offsets
    end: int
    status: str = "present"
    site: str | None = None
    needs_site: bool = False
    sites: set[str] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)
    free_sides: set[str] = field(default_factory=set)

    @property
    def is_sign(self) -> bool:
        return self.concept in SIGN_CONCEPTS or not SIGN_CONCEPTS.isdisjoint(self.also)

    def explicit_sides(self) -> set[str]:
        # Sides written next to a body site win over loose ones ("on the
        # right side, where the hand starts" describing a spot).
        explicit = self.sides - {"plural"}
        return explicit or set(self.free_sides)


def read_mentions(doc: Doc) -> tuple[list[Mention], list[tuple[Term, str]]]:
    """Mentions (symptom, extra, deny) and cues with their status, from the Doc."""
    statuses = doc.user_data.get(TARGETS_KEY, {}).get("status", [])
    mentions: list[Mention] = []
    cues: list[tuple[Term, str]] = []
    for t, category in zip(read_terms(doc, TARGETS_KEY), statuses, strict=True):
        status = _CATEGORY_TO_STATUS[category]
        if t.kind in _CUE_KINDS:
            cues.append((t, status))
            continue
        if t.kind == "deny":
            # "strength is fine" states absence; under a modifier it says nothing.
            if status != "present":
                continue
            status = "absent"
        elif t.value in FEARED_CONCEPTS and status in ("present", "absent", "uncertain"):
            status = "hypothetical"
        mentions.append(
            Mention(t.value, t.also, t.kind, t.start, t.end, status, t.site, t.needs_site)
        )
    return _without_denied_overlaps(mentions), cues


def _without_denied_overlaps(mentions: list[Mention]) -> list[Mention]:
    """ "Grip strength is the same as always", "grip strength normal": a
    lexicon mention that shares its words with a denial of the same symptom is
    that denial's subject, not a second, present finding."""
    denials = [mt for mt in mentions if mt.kind == "deny" and mt.status == "absent"]
    if not denials:
        return mentions
    return [
        mt
        for mt in mentions
        if mt.kind == "deny"
        or mt.status != "present"
        or not any(
            d.concept == mt.concept and d.start < mt.end and mt.start < d.end for d in denials
        )
    ]


@dataclass
class StatusSummary:
    """Per-symptom status and the concepts under each other status."""

    symptoms: dict[str, str]
    uncertain: set[str] = field(default_factory=set)
    hypothetical: set[str] = field(default_factory=set)
    historical: set[str] = field(default_factory=set)
    family: set[str] = field(default_factory=set)
    extra_present: set[str] = field(default_factory=set)

    def present(self) -> set[str]:
        return {k for k, v in self.symptoms.items() if v == "present"}


def summarize(mentions: list[Mention], felt: frozenset[int] = frozenset()) -> StatusSummary:
    """A symptom is present if any mention is; absent if denied and never present.

    A symptom said only as a feeling or a lost doing (:data:`FELT_ONLY`:
    "my legs feel heavy", "by March I couldn't reach the top shelf") and
    also denied ("strength was normal", "no weakness") is absent: the pain
    or stiffness that stops the doing is the finding. Lost hand skills,
    dragging feet and falls stay signs of weakness whatever is denied.
    ``felt`` holds the start tokens of mentions told as a feeling ("my legs
    feel weak but I ran 5 km"): they count as :data:`FELT_ONLY` too.

    >>> summarize([Mention("cramps", (), "symptom", 0, 1, "absent")]).symptoms["cramps"]
    'absent'
    """
    out = StatusSummary(symptoms={name: "not_mentioned" for name in SYMPTOMS})
    symptoms = out.symptoms
    others = {
        "uncertain": out.uncertain,
        "hypothetical": out.hypothetical,
        "historical": out.historical,
        "family": out.family,
    }
    felt_only: dict[str, bool] = {}
    weak_by: set[str] = set()  # the concepts that made weakness present
    denied: set[str] = set()
    last_denial, last_doing = _last_denials_and_doings(mentions, felt)
    for mt in mentions:
        for c in (mt.concept, *mt.also):
            if mt.status == "present":
                if c in symptoms:
                    symptoms[c] = "present"
                    if c == "weakness":
                        weak_by.add(mt.concept)
                    felt_only[c] = felt_only.get(c, True) and (
                        mt.concept in FELT_ONLY or mt.start in felt
                    )
                else:
                    out.extra_present.add(c)
            elif mt.status == "absent":
                denied.add(c)
                if c in symptoms and symptoms[c] != "present":
                    symptoms[c] = "absent"
            else:
                others[mt.status].add(c)
    for c, only in felt_only.items():
        # a doing lost after the denial is news: "no weakness, they said,
        # but this week he couldn't lift the kettle"
        if only and c in denied and last_doing.get(c, -1) < last_denial.get(c, -1):
            # "my legs feel heavy ... the neurologist found full strength":
            # a feeling the examination contradicts is not the finding
            symptoms[c] = "absent"
    if weak_by == {"dexterity_loss"} and _parkinsonian(mentions, out.extra_present):
        # buttons and typing that take forever are the slowness, not a weak hand
        symptoms["weakness"] = "absent" if "weakness" in denied else "not_mentioned"
    return out


def _parkinsonian(mentions: list[Mention], extra: set[str]) -> bool:
    """A tremor with slowness beyond the hand: a shuffle, an arm that doesn't
    swing, a masked face ("my writing is getting small and shaky" alone is
    also said of weak hands)."""
    return "tremor" in extra and (
        "masked_face" in extra
        or any(
            mt.concept == "slowness" and mt.status == "present" and mt.site in _LIMB_SLOWNESS
            for mt in mentions
        )
    )


_LIMB_SLOWNESS = frozenset({"arm", "leg"})


def _last_denials_and_doings(
    mentions: list[Mention], felt: frozenset[int] = frozenset()
) -> tuple[dict[str, int], dict[str, int]]:
    """Per symptom, where it was last denied and last told as a lost doing or a feeling."""
    last_denial: dict[str, int] = {}
    last_doing: dict[str, int] = {}
    for mt in mentions:
        for c in (mt.concept, *mt.also):
            if mt.status == "absent":
                last_denial[c] = max(last_denial.get(c, -1), mt.start)
            elif mt.status == "present" and (mt.concept == "function_loss" or mt.start in felt):
                last_doing[c] = max(last_doing.get(c, -1), mt.start)
    return last_denial, last_doing
