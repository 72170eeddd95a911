"""spaCy components of the fasciclf pipeline.

Three registered factories, run in this order on ``spacy.blank("en")``:

``fasciclf_terms``
    One :class:`~spacy.matcher.PhraseMatcher` (attribute ``LOWER``) over the
    packaged lexicon and context-rule literals. Sets ``Doc._.fasciclf_matches``.
``fasciclf_context``
    ConText-style status of every symptom mention (present, absent,
    uncertain, hypothetical, historical, family), with scopes bounded by
    sentence ends and terminators ("but", "however", ...). Sets
    ``Doc._.fasciclf_mentions``.
``fasciclf_features``
    Attaches body sites and sides to mentions, reads durations, episode
    lengths, progression, triggers, timing, age, sex and who is writing, and
    sets ``Doc._.fasciclf_features`` (a :class:`SymptomFeatures`).

One matcher pass and plain-Python bookkeeping keep the pipeline near the
speed of bare tokenization; there is no parser or tagger to depend on.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.attrs import IDX, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import ensure_path

from fasciclf.features import _quantities as q
from fasciclf.features._resources import (
    CONTEXT_RULES_FILE,
    LEXICON_FILE,
    ContextRule,
    ContextRules,
    Lexicon,
    default_context_rules,
    default_lexicon,
    parse_context_rules,
    parse_lexicon,
)
from fasciclf.features._types import SYMPTOMS, Finding, SymptomFeatures

EXT_MATCHES = "fasciclf_matches"
EXT_MENTIONS = "fasciclf_mentions"
EXT_FEATURES = "fasciclf_features"
EXT_CUES = "fasciclf_progression_cues"

for _name in (EXT_MATCHES, EXT_MENTIONS, EXT_CUES, EXT_FEATURES):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

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
}
# Named conditions a lay writer mentions to ask about them: never present.
FEARED_CONCEPTS = frozenset({"als"})

_STATUS_RANK = {
    "family": 5,
    "hypothetical": 4,
    "historical": 3,
    "negated": 2,
    "uncertain": 1,
}
_CATEGORY_TO_STATUS = {
    "negated": "absent",
    "uncertain": "uncertain",
    "hypothetical": "hypothetical",
    "historical": "historical",
    "family": "family",
}
_DEFAULT_SCOPE = {"forward": 12, "backward": 6}
_LIST_JOINERS = frozenset({"or", "nor"})
_DETERMINERS = frozenset({"my", "the", "this", "these", "his", "her", "our", "that", "those"})
_SENTENCE_END = frozenset({".", "!", "?", ";", "…", "...", "..", "!!", "??", "?!"})
_CLAUSE_BREAK = frozenset(
    {"but", "however", "although", "though", "whereas", "while", "except", "yet", ";"}
)
_SPREAD_WORDS = frozenset(
    {"spread", "spreads", "spreading", "moved", "also", "too", "now", "then", "started", "begun"}
)
_SITE_PREPOSITIONS = frozenset({"in", "to", "into", "on", "through", "across", "down", "up"})
_ONSET_WORDS = frozenset(
    {
        "start",
        "started",
        "starting",
        "starts",
        "began",
        "begun",
        "begin",
        "noticed",
        "notice",
        "since",
        "ago",
        "first",
        "onset",
        "been",
        "going",
        "happening",
        "had",
        "have",
        "has",
        "it",
        "this",
        "these",
        "they",
        "them",
        "symptoms",
        "symptom",
        "problem",
        "problems",
        "lasted",
        "continues",
        "continued",
        "for",
    }
)
_SUBJECT_VERBS = frozenset(
    {
        "has",
        "is",
        "'s",
        "keeps",
        "kept",
        "ca",
        "can",
        "cannot",
        "started",
        "complains",
        "complained",
        "feels",
        "felt",
        "gets",
        "got",
        "had",
        "was",
        "suffers",
        "developed",
        "noticed",
        "says",
        "said",
        "woke",
        "wakes",
        "began",
        "seems",
        "lost",
        "drops",
        "dropped",
        "trips",
        "tripped",
        "fell",
        "falls",
        "struggles",
        "struggled",
        "hasn",
        "does",
        "did",
        "n't",
        "'",
        "’s",
    }
)
_ANAPHORA = frozenset({"it", "they", "this", "these", "them", "its", "it's", "itself"})
_FAMILY_STATUS_VERBS = frozenset({"had", "died", "passed", "was", "suffered", "lost", "battled"})


@dataclass
class Mention:
    """A matched concept mention with its context status (internal)."""

    concept: str
    also: tuple[str, ...]
    kind: str  # "symptom", "extra" or "deny"
    start: int  # token offsets
    end: int
    status: str = "present"
    site: str | None = None
    sites: set[str] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)
    free_sides: set[str] = field(default_factory=set)

    def explicit_sides(self) -> set[str]:
        # Sides written next to a body site win over loose ones ("on the
        # right side, where the hand starts" describing a spot).
        explicit = self.sides - {"plural"}
        return explicit or set(self.free_sides)


@dataclass
class _Match:
    group: str  # lexicon kind, "ctx" or "family"
    index: int  # index into the record/rule list
    start: int
    end: int


def _drop_nested(matches: list[_Match]) -> list[_Match]:
    """Drop matches strictly inside a longer one; identical spans all stay.

    Sweep in (start, -end) order: a match is nested when an earlier match
    with a different span already reaches at least as far.
    """
    order = sorted(matches, key=lambda m: (m.start, -m.end))
    keep: list[_Match] = []
    reach = -1  # furthest end among earlier matches with another span
    group_span: tuple[int, int] | None = None
    group_reach = -1
    for m in order:
        span = (m.start, m.end)
        if span != group_span:
            reach = max(reach, group_reach)
            group_span, group_reach = span, m.end
        if reach < m.end:
            keep.append(m)
    return sorted(keep, key=lambda m: (m.start, m.end))


def _filter_longest(matches: list[_Match]) -> list[_Match]:
    """Greedy longest-first non-overlapping selection (like spacy.util.filter_spans)."""
    chosen: list[_Match] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if any(i in taken for i in range(m.start, m.end)):
            continue
        chosen.append(m)
        taken.update(range(m.start, m.end))
    chosen.sort(key=lambda m: m.start)
    return chosen


class TermMatcher:
    """Match lexicon terms and context-rule literals in one pass.

    Parameters
    ----------
    nlp : Language
        The pipeline (its tokenizer makes the phrase patterns).
    name : str
        Component name.
    lexicon, context_rules : optional
        Parsed resources; the packaged ones by default.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "fasciclf_terms",
        *,
        lexicon: Lexicon | None = None,
        context_rules: ContextRules | None = None,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self._set_resources(lexicon or default_lexicon(), context_rules or default_context_rules())

    def _set_resources(self, lexicon: Lexicon, context_rules: ContextRules) -> None:
        self.lexicon = lexicon
        self.context_rules = context_rules
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        tokenizer = self.nlp.tokenizer
        for i, record in enumerate(lexicon.records):
            self.matcher.add(f"L{i}", list(tokenizer.pipe(record.terms)))
        for i, rule in enumerate(context_rules.rules):
            self.matcher.add(f"C{i}", [tokenizer(rule.literal)])
        # "my father had ...", "grandma died of ...": family-history modifiers
        # built from the reviewed relative and verb lists, not hand-listed.
        relatives = [t for r in lexicon.records if r.kind == "writer" for t in r.terms]
        verbs = [t for r in lexicon.records if r.kind == "family_verb" for t in r.terms]
        self._family_terms = relatives
        self.matcher.add(
            "F", list(tokenizer.pipe(f"{rel} {verb}" for rel in relatives for verb in verbs))
        )
        strings = self.nlp.vocab.strings
        self._key_to_match = {}
        for i in range(len(lexicon.records)):
            self._key_to_match[strings[f"L{i}"]] = (lexicon.records[i].kind, i)
        for i in range(len(context_rules.rules)):
            self._key_to_match[strings[f"C{i}"]] = ("ctx", i)
        self._key_to_match[strings["F"]] = ("family", -1)

    def __call__(self, doc: Doc) -> Doc:
        key_to_match = self._key_to_match
        doc._.set(
            EXT_MATCHES,
            [_Match(*key_to_match[key], start, end) for key, start, end in self.matcher(doc)],
        )
        return doc

    # -- serialisation: the reviewed JSON files travel with the pipeline --
    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / LEXICON_FILE).write_text(json.dumps(_lexicon_to_json(self.lexicon), indent=1))
        (path / CONTEXT_RULES_FILE).write_text(
            json.dumps(_rules_to_json(self.context_rules), indent=1)
        )

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> TermMatcher:
        path = ensure_path(path)
        lexicon = parse_lexicon(json.loads((path / LEXICON_FILE).read_text("utf-8")))
        rules = parse_context_rules(json.loads((path / CONTEXT_RULES_FILE).read_text("utf-8")))
        self._set_resources(lexicon, rules)
        return self

    def to_bytes(self, *, exclude: tuple[str, ...] = ()) -> bytes:
        return json.dumps(
            {
                "lexicon": _lexicon_to_json(self.lexicon),
                "rules": _rules_to_json(self.context_rules),
            }
        ).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: tuple[str, ...] = ()) -> TermMatcher:
        payload = json.loads(data.decode("utf-8"))
        self._set_resources(
            parse_lexicon(payload["lexicon"]), parse_context_rules(payload["rules"])
        )
        return self


def _lexicon_to_json(lexicon: Lexicon) -> dict[str, Any]:
    records = []
    for r in lexicon.records:
        rec: dict[str, Any] = {"kind": r.kind, "value": r.value, "terms": list(r.terms)}
        if r.also:
            rec["also"] = list(r.also)
        if r.site:
            rec["site"] = r.site
        if r.bilateral:
            rec["bilateral"] = True
        records.append(rec)
    return {"version": lexicon.version, "records": records}


def _rules_to_json(rules: ContextRules) -> dict[str, Any]:
    out = []
    for r in rules.rules:
        rec: dict[str, Any] = {"literal": r.literal, "category": r.category}
        if r.category not in ("pseudo", "terminate"):
            rec["direction"] = r.direction
        if r.max_scope is not None:
            rec["max_scope"] = r.max_scope
        if r.stop_at_determiner:
            rec["stop_at_determiner"] = True
        out.append(rec)
    return {"version": rules.version, "rules": out}


@Language.factory(
    "fasciclf_terms",
    assigns=[f"doc._.{EXT_MATCHES}"],
    default_config={},
)
def make_terms(nlp: Language, name: str) -> TermMatcher:
    """Factory for :class:`TermMatcher` (packaged lexicon and rules)."""
    return TermMatcher(nlp, name)


_VIEW_KEY = "fasciclf_token_view"
TEXT_KEY = "fasciclf_text"


def token_view(doc: Doc) -> tuple[list[str], list[int], list[int], list[int]]:
    """Lower-cased token strings, sentence ids, and token start and end offsets.

    Computed once per Doc with ``Doc.to_array`` (creating a Token object per
    token in every component costs more than all our rules together) and
    shared by the components through ``doc.user_data``.
    """
    view = doc.user_data.get(_VIEW_KEY)
    if view is not None and len(view[0]) == len(doc):
        return view
    strings = doc.vocab.strings
    if len(doc):
        arr = doc.to_array([LOWER, IDX, LENGTH])
        words = [strings[int(h)] for h in arr[:, 0]]
        offsets = arr[:, 1].tolist()
        ends = (arr[:, 1] + arr[:, 2]).tolist()
    else:
        words, offsets, ends = [], [], []
    view = (words, sentence_ids_from_words(words), offsets, ends)
    doc.user_data[_VIEW_KEY] = view
    return view


def sentence_ids_from_words(words: list[str]) -> list[int]:
    """Sentence index per token: ends at . ! ? ; and line breaks."""
    ids = []
    sid = 0
    for text in words:
        ids.append(sid)
        if text in _SENTENCE_END:
            sid += 1
        elif text.isspace():
            if "\n" in text:
                sid += 1
        elif len(text) > 1 and text[-1] in ".!?" and not text[0].isalpha():
            sid += 1
    return ids


def sentence_ids(doc: Doc) -> list[int]:
    """Sentence index per token (see :func:`token_view`)."""
    return token_view(doc)[1]


class ContextAnnotator:
    """ConText: assign a status to every symptom mention.

    For each mention, the modifiers in the same sentence whose scope reaches
    it are collected; a scope ends at a terminator ("but", "however", ", my",
    ...) or after ``max_scope`` tokens. When several apply, the strongest
    wins: family > hypothetical > historical > negated > uncertain.
    """

    def __init__(self, nlp: Language, name: str = "fasciclf_context") -> None:
        self.nlp = nlp
        self.name = name

    def _resources(self, doc: Doc) -> tuple[Lexicon, ContextRules]:
        terms = (
            self.nlp.get_pipe("fasciclf_terms") if "fasciclf_terms" in self.nlp.pipe_names else None
        )
        if terms is None:
            return default_lexicon(), default_context_rules()
        return terms.lexicon, terms.context_rules

    def __call__(self, doc: Doc) -> Doc:
        matches: list[_Match] = doc._.get(EXT_MATCHES) or []
        lexicon, rules = self._resources(doc)
        records = lexicon.records
        targets_raw = [m for m in matches if m.group in ("symptom", "extra", "deny")]
        cue_matches = _filter_longest([m for m in matches if m.group == "progression"])
        site_matches = _filter_longest([m for m in matches if m.group == "site"])
        trigger_matches = _filter_longest([m for m in matches if m.group == "trigger"])
        timing_matches = _filter_longest([m for m in matches if m.group == "timing"])
        # Drop a target strictly inside a longer one ("twitching" inside
        # "tongue twitching"); identical spans with different concepts stay.
        targets = _drop_nested(targets_raw)
        target_tokens = set()
        for m in targets:
            target_tokens.update(range(m.start, m.end))
        # token -> end of the trigger covering it ("don't sleep enough" is a trigger: the
        # "don't" inside it is not a modifier, but "worrying about" reaching past
        # "worrying" is)
        trigger_end: dict[int, int] = {}
        for t in trigger_matches:
            for i in range(t.start, t.end):
                trigger_end[i] = max(trigger_end.get(i, -1), t.end)
        modifiers = _filter_longest(
            [
                m
                for m in matches
                if m.group in ("ctx", "family")
                and not any(i in target_tokens for i in range(m.start, m.end))
                and not trigger_end.get(m.start, -1) >= m.end
            ]
        )
        words, sent, _, _ = token_view(doc)
        terminators = [
            m.start
            for m in modifiers
            if m.group == "ctx" and rules.rules[m.index].category == "terminate"
        ]
        mods: list[tuple[_Match, ContextRule | None]] = []
        for m in modifiers:
            if m.group == "family":
                mods.append((m, None))
            else:
                rule = rules.rules[m.index]
                if rule.category not in ("pseudo", "terminate"):
                    mods.append((m, rule))

        mods_by_sent: dict[int, list[tuple[_Match, ContextRule | None]]] = {}
        for m, rule in mods:
            mods_by_sent.setdefault(sent[m.start], []).append((m, rule))
        terms_by_sent: dict[int, list[int]] = {}
        for start in terminators:
            terms_by_sent.setdefault(sent[start], []).append(start)
        mentions: list[Mention] = []
        cue_status: list[tuple[_Match, str]] = []
        for t in [*targets, *cue_matches, *site_matches, *trigger_matches, *timing_matches]:
            record = records[t.index]
            status_cat = None
            sent_terms = terms_by_sent.get(sent[t.start], ())
            for m, rule in mods_by_sent.get(sent[t.start], ()):
                if rule is None:
                    category, direction, scope, stop_det = "family", "forward", 12, False
                else:
                    category = rule.category
                    direction = rule.direction
                    scope = rule.max_scope
                    stop_det = rule.stop_at_determiner
                if m.end <= t.start and direction in ("forward", "bidirectional"):
                    lo, hi = m.end, t.start
                    limit = scope if scope is not None else _DEFAULT_SCOPE["forward"]
                elif m.start >= t.end and direction in ("backward", "bidirectional"):
                    lo, hi = t.end, m.start
                    limit = scope if scope is not None else _DEFAULT_SCOPE["backward"]
                else:
                    continue
                if hi - lo > limit:
                    continue
                if any(lo <= s < hi for s in sent_terms):
                    continue
                if stop_det and any(words[i] in _DETERMINERS for i in range(lo, hi)):
                    continue
                if category == "negated" and lo < t.start and "," in words[lo:hi]:
                    # "no weakness, numbness or pain" is a list; "no weakness,
                    # cramps at night" is a new clause. Cross the comma only
                    # when the list goes on with "or"/"nor".
                    after = words[t.end : t.end + 4]
                    before = words[t.start - 1] if t.start else ""
                    if before not in _LIST_JOINERS and not _LIST_JOINERS.intersection(after):
                        continue
                if status_cat is None or _STATUS_RANK[category] > _STATUS_RANK[status_cat]:
                    status_cat = category
            if status_cat is None:
                status_cat = _question_status(words, sent, t.start)
            status = "present" if status_cat is None else _CATEGORY_TO_STATUS[status_cat]
            kind = record.kind
            if kind in ("progression", "site", "trigger", "timing"):
                cue_status.append((t, status))
                continue
            if kind == "deny":
                # "strength is fine" states absence; under a modifier it says nothing.
                if status != "present":
                    continue
                status = "absent"
            elif record.value in FEARED_CONCEPTS and status in ("present", "absent", "uncertain"):
                status = "hypothetical"
            mentions.append(
                Mention(
                    concept=record.value,
                    also=record.also,
                    kind=kind,
                    start=t.start,
                    end=t.end,
                    status=status,
                    site=record.site,
                )
            )
        doc._.set(EXT_MENTIONS, mentions)
        doc._.set(EXT_CUES, cue_status)
        return doc


_AUXILIARIES = frozenset(
    {"is", "are", "can", "could", "does", "do", "should", "would", "will", "might", "may", "isn't"}
)
_FIRST_PERSON = frozenset(
    {"i", "my", "me", "i'm", "im", "mine", "myself", "i've", "ive", "we", "our"}
)
_DISEASE_WORDS = frozenset(
    {"als", "mnd", "ms", "sign", "signs", "symptom", "symptoms", "parkinson", "parkinson's",
     "parkinsons", "disease", "cancer", "tumor", "tumour", "sclerosis", "gehrig", "gehrig's",
     "stroke", "myasthenia", "neuropathy", "syndrome"}
)
_SHORT_NO = frozenset({"no", "nope", "none", "never", "nah"})


def _question_status(words: list[str], sent: list[int], i: int) -> str | None:
    """Status implied by a question around token ``i``, if any.

    "Numbness? No." denies numbness; "Is slurred speech a sign of ALS?"
    asks about a condition without claiming it (no first-person words).
    """
    s_id = sent[i]
    j = i
    n = len(words)
    while j + 1 < n and sent[j + 1] == s_id:
        j += 1
    if words[j] != "?":
        return None
    start = i
    while start > 0 and sent[start - 1] == s_id:
        start -= 1
    # "Numbness? No." / "Weakness? Also no."
    k = j + 1
    while k < n and (words[k].isspace() or words[k] in ("also", "again", "-", ":")):
        k += 1
    if (
        k < n
        and words[k] in _SHORT_NO
        and (k + 1 >= n or sent[k + 1] != sent[k] or words[k + 1] in (".", ",", "!"))
    ):
        if j - start <= 4:
            return "negated"
    question = words[start:j]
    if (
        words[start] in _AUXILIARIES
        and not _FIRST_PERSON.intersection(question)
        and _DISEASE_WORDS.intersection(question)
    ):
        # "Is slurred speech a sign of ALS?" asks about a disease; "Could you
        # explain what causes leg cramps at night?" is about the writer's own.
        return "hypothetical"
    return None


@Language.factory(
    "fasciclf_context",
    assigns=[f"doc._.{EXT_MENTIONS}", f"doc._.{EXT_CUES}"],
    requires=[f"doc._.{EXT_MATCHES}"],
    default_config={},
)
def make_context(nlp: Language, name: str) -> ContextAnnotator:
    """Factory for :class:`ContextAnnotator`."""
    return ContextAnnotator(nlp, name)


@dataclass
class _Site:
    region: str
    start: int
    end: int
    bilateral: bool
    sides: set[str] = field(default_factory=set)


class FeatureAssembler:
    """Turn statuses, sites and quantities into :class:`SymptomFeatures`.

    Parameters
    ----------
    max_scope_tokens : int
        How far (in tokens) a side word ("left") may be from its body site.
    """

    def __init__(self, nlp: Language, name: str = "fasciclf_features", *, side_window: int = 4):
        self.nlp = nlp
        self.name = name
        self.side_window = side_window

    def _lexicon(self) -> Lexicon:
        if "fasciclf_terms" in self.nlp.pipe_names:
            return self.nlp.get_pipe("fasciclf_terms").lexicon
        return default_lexicon()

    def _rules(self) -> ContextRules:
        if "fasciclf_terms" in self.nlp.pipe_names:
            return self.nlp.get_pipe("fasciclf_terms").context_rules
        return default_context_rules()

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(EXT_FEATURES, self.assemble(doc))
        return doc

    def assemble(self, doc: Doc) -> SymptomFeatures:
        # Doc.text re-joins every token; callers that know the string pass it.
        text = doc.user_data.get(TEXT_KEY)
        if text is None:
            text = doc.text
        if not text.strip():
            return SymptomFeatures(text=text)
        lexicon = self._lexicon()
        records = lexicon.records
        matches: list[_Match] = doc._.get(EXT_MATCHES) or []
        mentions: list[Mention] = doc._.get(EXT_MENTIONS) or []
        words, sent, tok_starts, tok_ends = token_view(doc)
        ranges = _sentence_ranges(sent)
        n_tokens = len(doc)
        lower = text.lower()

        # ---- body sites and side words ------------------------------------
        excluded: set[int] = set()
        not_a_site: set[int] = set()
        for m in matches:
            if m.group == "side_exclude":
                excluded.update(range(m.start, m.end))
            elif m.group == "site_exclude":
                # "on my feet", "turn my head", "phone in my hand": body words
                # that name no place where the writer has a symptom.
                not_a_site.update(range(m.start, m.end))
        statuses = doc._.get(EXT_CUES) or []
        sites = [
            _Site(records[m.index].value, m.start, m.end, records[m.index].bilateral)
            for m, status in statuses
            if m.group == "site"
            and status not in ("hypothetical", "family", "absent")
            and not any(i in not_a_site for i in range(m.start, m.end))
        ]
        side_matches = _filter_longest(
            [
                m
                for m in matches
                if m.group == "side" and not any(i in excluded for i in range(m.start, m.end))
            ]
        )
        free_sides: list[tuple[str, int, int]] = []
        sites_by_sent: dict[int, list[_Site]] = {}
        for site in sites:
            sites_by_sent.setdefault(sent[site.start], []).append(site)
        for m in side_matches:
            side = records[m.index].value
            near = sites_by_sent.get(sent[m.start], [])
            inside = next((s for s in near if s.start <= m.start and m.end <= s.end), None)
            if inside is not None:
                inside.sides.add(side)
                continue
            after = [s for s in near if 0 <= s.start - m.end <= self.side_window - 1]
            if after:
                after[0].sides.add(side)
                # "left and right hands", "both my calves and thighs"
                for s in near:
                    if s is not after[0] and 0 < s.start - after[0].end <= 2:
                        s.sides.add(side)
                continue
            before = [s for s in near if 0 <= m.start - s.end <= 3]
            if before:
                before[-1].sides.add(side)
                continue
            free_sides.append((side, m.start, m.end))

        # ---- attach sites to sign mentions -------------------------------
        signs = [
            mt
            for mt in mentions
            if mt.concept in SIGN_CONCEPTS or any(a in SIGN_CONCEPTS for a in mt.also)
        ]
        clause = _clause_ids(words, sent)
        clause_has_subject: dict[int, bool] = {}
        for i, w in enumerate(words):
            if w in ("i", "we", "i'm", "im"):
                clause_has_subject[clause[i]] = True
        for mt in signs:
            if mt.site:
                mt.sites.add(mt.site)
        signs_by_sent: dict[int, list[Mention]] = {}
        for mt in signs:
            signs_by_sent.setdefault(sent[mt.start], []).append(mt)
        present_starts = [mt.start for mt in signs if mt.status == "present"]
        present_signs_sorted = [mt for mt in signs if mt.status == "present"]
        for s in sites:
            same = signs_by_sent.get(sent[s.start], [])
            # A site inside a sign phrase ("tongue twitching") is already counted.
            owner = next((mt for mt in same if mt.start <= s.start and s.end <= mt.end), None)
            if owner is None:
                owner = _nearest(
                    same, s.start, s.end, lambda mt, s=s: clause[mt.start] == clause[s.start]
                )
            if owner is None and not clause_has_subject.get(clause[s.start], False):
                owner = _nearest(same, s.start, s.end, lambda mt: True)
            if owner is None and _is_spread_location(words, sent, ranges, s.start):
                k = bisect_left(present_starts, s.start)
                owner = present_signs_sorted[k - 1] if k else None
            if owner is None:
                continue
            owner.sites.add(s.region)
            if s.sides:
                owner.sides.update(s.sides)
            elif s.bilateral:
                owner.sides.add("plural")
        for side, start, end in free_sides:
            owner = _nearest(
                signs_by_sent.get(sent[start], []),
                start,
                end,
                lambda mt, start=start: clause[mt.start] == clause[start],
            )
            if owner is not None:
                owner.free_sides.add(side)

        present_signs = [mt for mt in signs if mt.status == "present"]
        body_sites = sorted({r for mt in present_signs for r in mt.sites}, key=_site_order)
        # Explicit words ("left", "both") decide; plural sites ("calves") or
        # "all over" imply both sides only when no side is written.
        explicit = (
            set().union(*(mt.explicit_sides() for mt in present_signs)) if present_signs else set()
        )
        implied = any("plural" in mt.sides for mt in present_signs) or "generalized" in body_sites
        if "bilateral" in explicit or {"left", "right"} <= explicit:
            laterality = "bilateral"
        elif "left" in explicit:
            laterality = "left"
        elif "right" in explicit:
            laterality = "right"
        elif implied:
            laterality = "bilateral"
        else:
            laterality = "unspecified"

        # ---- symptom statuses ---------------------------------------------
        symptoms = {name: "not_mentioned" for name in SYMPTOMS}
        uncertain, hypothetical, historical, family = set(), set(), set(), set()
        extra_present = set()
        for mt in mentions:
            concepts = (mt.concept, *mt.also)
            for c in concepts:
                if mt.status == "present":
                    if c in symptoms:
                        symptoms[c] = "present"
                    else:
                        extra_present.add(c)
                elif mt.status == "absent":
                    if c in symptoms and symptoms[c] != "present":
                        symptoms[c] = "absent"
                elif mt.status == "uncertain":
                    uncertain.add(c)
                elif mt.status == "hypothetical":
                    hypothetical.add(c)
                elif mt.status == "historical":
                    historical.add(c)
                elif mt.status == "family":
                    family.add(c)

        # ---- sentences that talk about the symptoms ----------------------
        finding_sents = {
            sent[mt.start] for mt in mentions if mt.status not in ("hypothetical", "family")
        }

        def sent_of_char(pos: int) -> int:
            # bisect over token offsets
            lo, hi = 0, n_tokens - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if tok_starts[mid] <= pos:
                    lo = mid
                else:
                    hi = mid - 1
            return sent[lo] if n_tokens else 0

        onset_sents = {sent[i] for i, w in enumerate(words) if w in _ONSET_WORDS}
        # "... wake up shaking it out. 6 months. 41f": a bare fragment is the duration
        sent_len: dict[int, int] = {}
        for s_id, w in zip(sent, words, strict=True):
            if not w.isspace() and w not in _SENTENCE_END:
                sent_len[s_id] = sent_len.get(s_id, 0) + 1
        onset_sents.update(s_id for s_id, n in sent_len.items() if n <= 3)

        # ---- duration and episode length ------------------------------------
        duration = None
        episode = None
        for qty in q.find_quantities(lower):
            s_id = sent_of_char(qty.start)
            if qty.days < 1.0 and not _past_prefix(lower, qty.start):
                if (s_id in finding_sents or s_id in onset_sents) and q.is_episode_context(
                    lower, qty
                ):
                    minutes = round(qty.days * 1440.0, 3)
                    episode = minutes if episode is None else max(episode, minutes)
                continue
            if s_id in finding_sents or s_id in onset_sents:
                duration = qty.days if duration is None else max(duration, qty.days)
        if duration is not None:
            duration = round(duration, 2)

        # ---- progression ----------------------------------------------------
        found: set[str] = set()
        # A cue counts in a sentence about the symptoms, or one that refers
        # back to them ("it is spreading"), not in "my anxiety is getting worse".
        pronoun_sents = {sent[i] for i, w in enumerate(words) if w in _ANAPHORA}
        for m, status in statuses:
            if m.group != "progression":
                continue
            value = records[m.index].value
            s_id = sent[m.start]
            if value == "aggravation":
                continue
            if (
                value not in ("stable", "improving")
                and s_id not in finding_sents
                and s_id not in pronoun_sents
            ):
                continue
            if status == "absent":
                # "not getting worse", "hasn't spread": said to be stable.
                if value == "progressive":
                    found.add("stable")
                continue
            if status != "present":
                continue
            found.add(value)
        present_sign_sents = {sent[mt.start] for mt in signs if mt.status == "present"}
        for s_id in present_sign_sents:
            toks = {words[i] for i in ranges[s_id]}
            if toks & _NOW_WORDS and toks & _ALSO_WORDS:
                # "now my left hand is weak too": a new place or symptom
                found.add("progressive")
        first_at = next((i for i, w in enumerate(words) if w in _FIRST_WORDS), None)
        if first_at is not None and any(
            w == "now" and i > first_at and sent[i] in present_sign_sents
            for i, w in enumerate(words)
        ):
            # "first I couldn't run upstairs, now I need the handrail"
            found.add("progressive")
        if "progressive" in found:
            progression = "progressive"
        elif "improving" in found:
            progression = "improving"
        elif "stable" in found:
            progression = "stable"
        elif ("episodic" in found and (episode is None or episode >= 1.0)) or (
            episode is not None and episode >= 1.0
        ):
            # Twitches lasting seconds are not attacks; episodes last minutes to hours.
            progression = "episodic"
        elif "persistent" in found:
            progression = "stable"
        else:
            progression = "unknown"

        # ---- triggers and timing ------------------------------------------
        triggers: set[str] = set()
        timing: set[str] = set()
        for m, status in statuses:
            if m.group in ("trigger", "timing") and status == "present":
                (triggers if m.group == "trigger" else timing).add(records[m.index].value)

        # ---- who writes, age, sex -----------------------------------------
        writer, w_start, w_end = _find_writer(words, sent, ranges, matches, records, mentions)
        if writer != "self":
            span = doc[w_start:w_end]
            age, sex = q.find_relative_age_sex(lower, span.start_char, span.end_char)
            sex = sex or q.RELATIVE_SEX.get(span.text.lower()) or q.RELATIVE_SEX.get(writer)
        else:
            age = q.find_age(lower)
            sex = q.find_sex(lower)

        findings = tuple(
            Finding(
                concept=mt.concept,
                status=mt.status,
                text=text[tok_starts[mt.start] : tok_ends[mt.end - 1]],
                start=tok_starts[mt.start],
                end=tok_ends[mt.end - 1],
                body_sites=tuple(sorted(mt.sites, key=_site_order)),
                side=_side_of(
                    mt.explicit_sides() or ({"bilateral"} if "plural" in mt.sides else set())
                ),
            )
            for mt in mentions
        )
        return SymptomFeatures(
            text=text,
            body_sites=tuple(body_sites),
            laterality=laterality,
            duration_days=duration,
            episode_minutes=episode,
            progression=progression,
            symptoms=symptoms,
            triggers=tuple(sorted(triggers)),
            timing=tuple(sorted(timing)),
            age=age,
            sex=sex,
            writer=writer,
            family_history=tuple(sorted(family)),
            historical=tuple(sorted(historical - set(symptoms_present(symptoms)))),
            uncertain=tuple(sorted(uncertain)),
            hypothetical=tuple(sorted(hypothetical)),
            extra_present=tuple(sorted(extra_present)),
            findings=findings,
        )


def symptoms_present(symptoms: dict[str, str]) -> list[str]:
    return [k for k, v in symptoms.items() if v == "present"]


_SITE_RANK = {
    name: i
    for i, name in enumerate(
        ("head_face", "bulbar", "neck", "arm", "hand", "trunk", "leg", "foot", "generalized")
    )
}


def _site_order(region: str) -> str:
    # body_sites are sorted alphabetically (the documented contract).
    return region


def _side_of(sides: set[str]) -> str:
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    if "left" in sides:
        return "left"
    if "right" in sides:
        return "right"
    return "unspecified"


def _clause_ids(words: list[str], sent: list[int]) -> list[int]:
    ids = []
    cid = 0
    prev_sent = 0
    for i, w in enumerate(words):
        if sent[i] != prev_sent:
            cid += 1
            prev_sent = sent[i]
        elif w in _CLAUSE_BREAK:
            cid += 1
        ids.append(cid)
    return ids


def _nearest(signs: list[Mention], start: int, end: int, ok) -> Mention | None:
    best = None
    best_d = None
    for mt in signs:
        if not ok(mt):
            continue
        if mt.end <= start:
            d = start - mt.end
        elif mt.start >= end:
            d = mt.start - end
        else:
            d = 0
        # prefer present mentions on ties: "no weakness ... twitching in my calf"
        key = (d, 0 if mt.status == "present" else 1)
        if best_d is None or key < best_d:
            best, best_d = mt, key
    return best


def _is_spread_location(
    words: list[str], sent: list[int], ranges: dict[int, range], idx: int
) -> bool:
    s_id = sent[idx]
    in_sentence = (words[i] for i in ranges[s_id])
    if not _SPREAD_WORDS.intersection(in_sentence):
        return False
    for back in range(1, 4):
        j = idx - back
        if j < 0 or sent[j] != s_id:
            break
        if words[j] in _SITE_PREPOSITIONS:
            return True
    return False


def _past_prefix(lower: str, pos: int) -> bool:
    # "for the past 48 hours" is a duration; "cramps last a few minutes" is not
    before = lower[max(0, pos - 16) : pos].rstrip()
    return before.endswith(("past", "the last", "for last"))


def _find_writer(words, sent, ranges, matches, records, mentions) -> tuple[str, int, int]:
    """Who has the symptoms: ``("self", -1, -1)`` or the relative and its token span.

    A relative counts as the patient when written as the subject ("my
    husband, 60, has ...", "my dad's hand shakes") of a sentence with a
    present finding, or introduced ("my dad is 68.") before findings told
    in the third person ("his left hand ...").
    """
    present_sents = {sent[mt.start] for mt in mentions if mt.status == "present"}
    third = sum(
        1
        for s_id in present_sents
        if any(words[i] in _THIRD_PERSON for i in ranges[s_id])
    )
    first = sum(
        1
        for s_id in present_sents
        if any(words[i] in _FIRST_PERSON_W for i in ranges[s_id])
    )
    for m in sorted((m for m in matches if m.group == "writer"), key=lambda m: m.start):
        rel = records[m.index].value
        i = m.start
        if rel == "patient":
            continue
        prev2 = words[i - 2] if i > 1 else ""
        # "my husband", "my elderly father", "my 8-year-old daughter"
        back = words[max(0, i - 6) : i]
        if "my" not in back and "our" not in back:
            continue
        k = max(j for j, w in enumerate(back) if w in ("my", "our"))
        if any(w not in _AGE_WORDS and not w.isdigit() for w in back[k + 1 :]):
            continue
        is_subject = False
        for w in words[m.end : m.end + 6]:
            if w in ("(", ",", ")", "-", "aged", "who", "male", "female") or w.isdigit():
                continue
            if w in _FAMILY_STATUS_VERBS and rel not in ("husband", "wife", "partner"):
                break  # "my father had ALS": family history, not the patient
            if w in _SUBJECT_VERBS or w in ("'s", "’s"):
                is_subject = True
            break
        asking_for = prev2 in ("for", "about") or words[max(0, i - 3)] in ("for", "about")
        if sent[i] in present_sents and (is_subject or asking_for):
            return rel, m.start, m.end
        if (
            (is_subject or asking_for)
            and third > first
            and not any(sent[mt.start] < sent[i] for mt in mentions if mt.status == "present")
        ):
            return rel, m.start, m.end
    return "self", -1, -1


_FIRST_WORDS = frozenset({"first", "initially", "originally"})
_NOW_WORDS = frozenset({"now", "lately", "recently", "nowadays"})
_ALSO_WORDS = frozenset({"too", "also", "well"})
_AGE_WORDS = frozenset(
    {
        "-",
        "year",
        "years",
        "yr",
        "old",
        "elderly",
        "older",
        "younger",
        "little",
        "big",
        "dear",
        "beloved",
        "teenage",
        "adult",
        "grown",
        "late",
        "aging",
        "ageing",
        "sweet",
    }
)
_THIRD_PERSON = frozenset({"he", "she", "his", "her", "him", "he's", "she's", "hes"})
_FIRST_PERSON_W = frozenset({"i", "my", "me", "i'm", "im", "i've", "mine"})


def _sentence_ranges(sent: list[int]) -> dict[int, range]:
    """Token range of every sentence (sentences are contiguous token runs)."""
    ranges: dict[int, range] = {}
    start = 0
    for i in range(1, len(sent) + 1):
        if i == len(sent) or sent[i] != sent[start]:
            ranges[sent[start]] = range(start, i)
            start = i
    return ranges


@Language.factory(
    "fasciclf_features",
    assigns=[f"doc._.{EXT_FEATURES}"],
    requires=[f"doc._.{EXT_MATCHES}", f"doc._.{EXT_MENTIONS}"],
    default_config={"side_window": 4},
)
def make_features(nlp: Language, name: str, side_window: int) -> FeatureAssembler:
    """Factory for :class:`FeatureAssembler`."""
    return FeatureAssembler(nlp, name, side_window=side_window)
