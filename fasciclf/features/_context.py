"""ConText: the status of every lexicon match (present, negated, uncertain, ...).

The component owns the context rules (``context_rules.json``) and their
phrase patterns, as medspaCy's ``ConTextComponent`` does. A modifier reaches
a target in the same sentence when its direction allows, within the rule's
scope (:meth:`ContextRule.reach`), with no terminator between them. When
several apply, the strongest wins: family > hypothetical > historical >
negated > uncertain. "my father had ..." (a relative then a family verb, both
lexicon matches) is a family modifier.

Only modifiers within the longest scope of a target are looked at, so the
work per target is bounded whatever the length of the sentence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from fasciclf.features._denials import denial_terms, is_conditional, term_record
from fasciclf.features._doc import (
    TARGETS_KEY,
    TERMS_KEY,
    BatchedPipe,
    Term,
    read_terms,
    remember,
)
from fasciclf.features._episodes import site_words
from fasciclf.features._matches import drop_nested, filter_longest
from fasciclf.features._questions import QuestionReader
from fasciclf.features._resources import (
    CONTEXT_RULES_FILE,
    FAMILY_RULE,
    ContextRule,
    ContextRules,
    default_context_rules,
    parse_context_rules,
)
from fasciclf.features._serialize import JsonResourceMixin
from fasciclf.features._tokens import TokenView, normalise_contractions, token_view
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_DETERMINERS = _WORDS["determiners"]
_LIST_JOINERS = _WORDS["list_joiners"]

STATUS_RANK = {"family": 5, "hypothetical": 4, "historical": 3, "negated": 2, "uncertain": 1}
TARGET_KINDS = ("symptom", "extra", "deny")
CUE_KINDS = ("progression", "site", "trigger", "timing")
DENY_NEGATION_REACH = 2  # tokens
# the words of a question an answer replies to ("asked if", "asked whether",
# "asked about", "does it", "any"), looked for from a few tokens before the finding
_ASKED = frozenset("whether if does did do any anything".split())
_ABOUT_WHAT = frozenset({"the", "my", "his", "her", "their", "this", "that", "your"})
# a question told without "if": the verb before its subject ("are they
# weak", "had his legs gone weak", "was he in any pain")
_INVERTED = frozenset("are is was were have has had".split())
_INVERTED_SUBJECTS = frozenset("they it he she you his her the".split())
_ASKED_REACH = 6
_COURSE_ASKED = _WORDS["course_question_words"]
_DENY_CLAUSE_JOINERS = _WORDS["deny_clause_joiners"]
# a denial that opens with its own negation ("no pain at all", "never any
# numbness"): an earlier one in a run of them ("no numbness no pain at all")
# repeats it, it does not undo it
_OWN_NEGATION = frozenset({"no", "not", "never", "nothing", "without", "none"})


class Modifier(NamedTuple):
    start: int
    end: int
    rule: ContextRule


class ContextAnnotator(BatchedPipe, JsonResourceMixin):
    """Give every target and cue match a ConText status.

    Writes ``doc.user_data["fasciclf_targets"]``: the target and cue matches
    and one status each (``None`` is present).

    Parameters
    ----------
    nlp : Language
        The pipeline (its tokenizer makes the phrase patterns).
    name : str
        Component name.
    rules : ContextRules, optional
        Parsed rules; the packaged ones by default.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("fasciclf_terms"); _ = nlp.add_pipe("fasciclf_context")
    >>> nlp("no weakness").user_data["fasciclf_targets"]["status"]
    ['negated']
    """

    def __init__(
        self, nlp: Language, name: str = "fasciclf_context", *, rules: ContextRules | None = None
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.set_rules(rules or default_context_rules())

    def set_rules(self, rules: ContextRules) -> None:
        """Replace the rules and rebuild the patterns."""
        self.rules = rules
        normalise_contractions(self.nlp.vocab, self.nlp.tokenizer)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        strings = self.nlp.vocab.strings
        self._rule_of: dict[int, ContextRule] = {}
        for i, rule in enumerate(rules.rules):
            self.matcher.add(f"C{i}", [self.nlp.tokenizer(rule.literal)])
            self._rule_of[strings[f"C{i}"]] = rule
        reaches = [r.reach(d) for r in (*rules.rules, FAMILY_RULE) for d in ("forward", "backward")]
        # a modifier starts at most reach + its own length before a target; 16
        # tokens is more than any literal or "<relative> <family verb>" phrase
        self._max_reach = max(reaches) + 16

    def __call__(self, doc: Doc) -> Doc:
        terms = read_terms(doc, TERMS_KEY)
        view = token_view(doc)
        denials = denial_terms(view)
        records = doc.user_data[TERMS_KEY]["records"] if denials else {}
        for t in denials:
            records.setdefault(t.key, term_record(t))
        targets = drop_nested(
            _not_excluded(terms, [t for t in terms if t.kind in TARGET_KINDS]) + denials
        )
        targets = [t for t in targets if not (t.value == "weakness" and _of_a_pulse(view, t.start))]
        of_kind: dict[str, list[Term]] = {}  # the terms of each kind, in text order
        for t in terms:
            of_kind.setdefault(t.kind, []).append(t)
        cues = [filter_longest(of_kind.get(kind, [])) for kind in CUE_KINDS]
        trigger_matches = cues[CUE_KINDS.index("trigger")]
        # "my dad's heart attack", "an asthma flare": no attack of the symptoms
        cues[0] = _not_excluded(terms, cues[0])
        modifiers = self._modifiers(doc, terms, targets, trigger_matches)
        scopes = _Scopes(view.words, view.sent, modifiers, self._max_reach)
        questions = QuestionReader(view)
        ordered = [*targets, *cues[0], *cues[1], *cues[2], *cues[3]]
        statuses = []
        for t in ordered:
            category = scopes.category(t)
            if category is None and t.kind == "deny" and is_conditional(view, t.start):
                # "if my strength is fine, why ...": a normal state assumed, not found
                category = "hypothetical"
            elif (
                category is None
                and t.value in _CONDITION_STATES
                and is_conditional(view, t.start, conditionals=_CONDITION_WORDS)
            ):
                # "it twitches when I'm tired": tiredness is when it happens, not a complaint
                category = "hypothetical"
            elif category is None and t.value in _CONDITION_STATES and _explained(view, t.start):
                # "I thought I was just tired": tiredness named as the explanation
                category = "hypothetical"
            statuses.append(category if category is not None else questions.status(t.start, t.end))
        doc.user_data[TARGETS_KEY] = {
            "matches": [(t.key, t.start, t.end) for t in ordered],
            "status": statuses,
        }
        remember(doc, TARGETS_KEY, ordered)
        return doc

    def _modifiers(
        self, doc: Doc, terms: list[Term], targets: list[Term], triggers: list[Term]
    ) -> list[Modifier]:
        """Modifier matches outside targets and triggers, longest first, no overlaps."""
        target_tokens: set[int] = set()
        for t in targets:
            target_tokens.update(range(t.start, t.end))
        # token -> end of the trigger covering it ("don't sleep enough" is a trigger:
        # the "don't" inside it is not a modifier, but "worrying about" reaching past
        # "worrying" is)
        trigger_end: dict[int, int] = {}
        for t in triggers:
            for i in range(t.start, t.end):
                trigger_end[i] = max(trigger_end.get(i, -1), t.end)
        found = [Modifier(s, e, self._rule_of[k]) for k, s, e in self.matcher(doc)]
        found += _family_modifiers(terms)
        return filter_longest(
            [
                m
                for m in found
                if target_tokens.isdisjoint(range(m.start, m.end))
                and not trigger_end.get(m.start, -1) >= m.end
            ]
        )

    # -- serialisation: the reviewed rules travel with the pipeline ----------
    resource_key = "rules"
    resource_file = CONTEXT_RULES_FILE

    def resource_json(self) -> dict[str, Any]:
        return rules_to_json(self.rules)

    def load_resource(self, data: dict[str, Any]) -> None:
        self.set_rules(parse_context_rules(data))


# States that a text names as the condition of another symptom rather than
# as a complaint ("twitches when I'm tired", "scuffs if she is exhausted").
_CONDITION_STATES = frozenset({"fatigue"})
_CONDITION_WORDS = _WORDS["state_condition_words"]
_EXPLANATION_WORDS = _WORDS["explanation_words"]
_EXPLANATION_REACH = 8
_SAID = frozenset({"said", "says", "say", "told"})
_IT = frozenset({"it", "it's", "its", "it’s"})


def _explained(view: TokenView, start: int) -> bool:
    """ "I thought I was just tired", "she said it's grief and exhaustion": the
    tiredness is someone's explanation, not a complaint (the guideline)."""
    reach = _EXPLANATION_REACH
    if is_conditional(view, start, conditionals=_EXPLANATION_WORDS, reach=reach):
        return True
    words, sent = view.words, view.sent
    # "she said it's grief", "she said, it's grief" (a comma may follow "said")
    return any(
        words[k] in _IT
        and sent[k] == sent[start]
        and (words[k - 1] in _SAID or (words[k - 1] == "," and words[k - 2] in _SAID))
        for k in range(max(2, start - reach + 1), start)
    )


_PULSE = frozenset({"pulse", "pulses"})
_PULSE_REACH = 10  # tokens: "felt my feet for pulses and said they were a bit weak"
_PLACE_PREPS = frozenset({"in", "on", "at", "of"})


def _of_a_pulse(view: TokenView, start: int) -> bool:
    """ "The pulses in his right foot were weak", "felt my feet for pulses and
    said they were a bit weak": a weak pulse, not a weak muscle. A body part
    named between them other than as where the pulse is ("checked my pulses
    (fine), found the big toe a bit weak") is what is weak."""
    words, sent = view.words, view.sent
    lo = max(start - _PULSE_REACH, 0)
    k = next((j for j in range(start - 1, lo - 1, -1) if words[j] in _PULSE), None)
    if k is None or sent[k] != sent[start]:
        return False
    parts = site_words()
    return all(
        words[j] not in parts or not _PLACE_PREPS.isdisjoint(words[max(k + 1, j - 3) : j])
        for j in range(k + 1, start)
    )


def _not_excluded(terms: list[Term], targets: list[Term]) -> list[Term]:
    """Targets not inside a ``term_exclude`` phrase ("stumbled upon a thread" is no fall)."""
    spans = [(t.start, t.end) for t in terms if t.kind == "term_exclude"]
    if not spans:
        return targets
    inside = {i for s, e in spans for i in range(s, e)}
    return [t for t in targets if not all(i in inside for i in range(t.start, t.end))]


def _family_modifiers(terms: list[Term]) -> list[Modifier]:
    """ "my father had", "grandma died of": a relative directly before a family verb.

    Kin only: "my neighbour had motor neurone disease", "my friend's dad died
    of it" tell whose illness frightened the writer, not a family history.
    """
    verbs_at: dict[int, list[int]] = {}
    not_kin_end: set[int] = set()
    for t in terms:
        if t.kind == "family_verb":
            verbs_at.setdefault(t.start, []).append(t.end)
        elif t.kind == "writer" and t.value in _NOT_KIN:
            not_kin_end.add(t.end)
    return [
        Modifier(t.start, end, FAMILY_RULE)
        for t in terms
        if t.kind == "writer"
        and t.value not in _NOT_KIN
        # "my neighbour's brother": the possessive is one token after the owner
        and t.start - 1 not in not_kin_end
        for end in verbs_at.get(t.end, ())
    ]


# relations that tell a writer but no family: their illnesses are no family history
_NOT_KIN = frozenset({"friend", "patient"})


_COLON_LIST_GAP = 3  # tokens from a negation to a colon that opens what it denies
_HAVING = frozenset({"had", "have", "has", "get", "gets", "got", "experienced", "noticed", "felt"})


class _Scopes:
    """Which modifier scopes reach a target (modifiers indexed per sentence)."""

    def __init__(
        self, words: list[str], sent: list[int], modifiers: list[Modifier], max_reach: int
    ) -> None:
        self.words = words
        self.sent = sent
        self.max_reach = max_reach
        self.mods: dict[int, list[Modifier]] = {}
        self.terminators: dict[int, list[int]] = {}
        negated_ends = [m.end for m in modifiers if m.rule.category == "negated"]
        for m in modifiers:
            if m.rule.category == "terminate":
                if words[m.start] == ":" and any(
                    0 <= m.start - end <= _COLON_LIST_GAP
                    and (end == m.start or words[m.start - 1] in _HAVING)
                    for end in negated_ends
                ):
                    # "what I have never had: any weakness": the colon opens the
                    # denied list; "it wasn't his back: his arm went numb" and
                    # "his hand is not good: keys, coins" tell, after it, what is
                    continue
                self.terminators.setdefault(sent[m.start], []).append(m.start)
            elif m.rule.is_modifier:
                self.mods.setdefault(sent[m.start], []).append(m)
        self.mod_starts = {s: [m.start for m in ms] for s, ms in self.mods.items()}

    def category(self, t: Term) -> str | None:
        """The strongest category whose scope reaches ``t``, or None."""
        s_id = self.sent[t.start]
        mods = self.mods.get(s_id)
        if not mods:
            return None
        starts = self.mod_starts[s_id]
        lo = bisect_left(starts, t.start - self.max_reach)
        hi = bisect_right(starts, t.end + self.max_reach)
        best = None
        answered = False
        for m in mods[lo:hi]:
            category = self._reaches(m, t, s_id)
            if category is not None and (best is None or STATUS_RANK[category] > STATUS_RANK[best]):
                best = category
            answered = answered or (category == "negated" and m.rule.answers)
        if answered and best == "hypothetical":
            return "negated"  # "she asked if it hurts and he said no."
        return best

    def _cut(self, rule, t: Term, lo: int, hi: int, s_id: int) -> bool:
        """Whether a terminator or a clause's comma cuts the scope."""
        terms = self.terminators.get(s_id, ())
        if terms and bisect_left(terms, lo) < bisect_left(terms, hi):
            return True
        words = self.words
        if (
            rule.category != "negated"
            or lo >= t.start
            or "," not in words[lo:hi]
            # "none of the following: weakness, numbness, slurred speech"
            # announces its list with the colon
            or rule.literal.endswith(":")
        ):
            return False
        # "no weakness, numbness or pain" is a list; "no weakness, cramps at
        # night" is a new clause. Cross the comma only when the list goes on.
        after = words[t.end : t.end + 4]
        before = words[t.start - 1] if t.start else ""
        return before not in _LIST_JOINERS and not _LIST_JOINERS.intersection(after)

    def _deny_negation_reach(self, t: Term, lo: int, hi: int, limit: int) -> int:
        """How far a negation may be from a denial ``t`` and still undo it (-1: not at all)."""
        words = self.words
        if words[t.start] in _OWN_NEGATION or _DENY_CLAUSE_JOINERS.intersection(words[lo:hi]):
            return -1
        # a denial is only undone by a negation right before it ("not
        # normal strength"); "no pain, and his feeling is normal" and
        # "no pain and strength is normal" deny both
        return min(limit, DENY_NEGATION_REACH)

    def _reaches(self, m: Modifier, t: Term, s_id: int) -> str | None:
        rule = m.rule
        if m.end <= t.start and rule.applies("forward"):
            lo, hi, limit = m.end, t.start, rule.reach("forward")
        elif m.start >= t.end and rule.applies("backward"):
            lo, hi, limit = t.end, m.start, rule.reach("backward")
        else:
            return None
        if rule.category == "negated" and t.kind == "deny":
            limit = self._deny_negation_reach(t, lo, hi, limit)
        if hi - lo > limit:
            return None
        if t.kind == "deny" and rule.test_request and m.end <= t.start:
            # "she made me push and pull, strength perfect", "got me to push
            # against her hands and said I'm strong": the request is the test,
            # a normal state told after it is what the examiner found
            return None
        words = self.words
        if _not_its_answer(words, m, t):
            return None
        if not rule.answers and self._cut(rule, t, lo, hi, s_id):
            # an answer reaches back over the "and I" and the comma that join
            # it to its question ("does it hurt, he said no")
            return None
        if rule.stop_at_determiner and any(words[i] in _DETERMINERS for i in range(lo, hi)):
            return None
        if rule.category == "family" and lo < t.start and _own_clause(words, lo, hi):
            # "my uncle died of MND and since the spring my right leg has gone
            # weak": the writer's own clause after the relative's
            return None
        return rule.category


_OWN = frozenset({"my", "i", "i'm", "i've"})


def _not_its_answer(words: list[str], m: Modifier, t: Term) -> bool:
    """Whether an answer after a question denies something else than ``t``.

    "Is my weakness getting worse? No": the answer is about the course, the
    weakness stays. "My hand has been weak since March and the GP said no,
    it's not a stroke": a reported answer denies only what a question asked.
    """
    rule = m.rule
    if rule.literal.startswith("?") and not _COURSE_ASKED.isdisjoint(words[t.end : m.start]):
        return True
    return rule.answers and not _asked(words, max(t.start - _ASKED_REACH, 0), m.start)


def _asked(words: list[str], lo: int, hi: int) -> bool:
    """A yes-or-no question in ``words[lo:hi]``: "asked if", "whether", "does
    it", "any", or "about" a symptom named bare ("asked about numbness"; "asked
    about the weakness in my hand" takes the weakness as given)."""
    span = words[lo:hi]
    if not _ASKED.isdisjoint(span):
        return True
    return any(
        (w == "about" and k + 1 < len(span) and span[k + 1] not in _ABOUT_WHAT)
        # "are they weak or tingling, and I say no", "had his legs gone weak"
        or (w in _INVERTED and k + 1 < len(span) and span[k + 1] in _INVERTED_SUBJECTS)
        for k, w in enumerate(span)
    )


def _own_clause(words: list[str], lo: int, hi: int) -> bool:
    """Whether a clause joiner between ``lo`` and ``hi`` opens a clause of the
    writer's own (the joiners a negation does not cross either)."""
    return any(
        words[i] in _DENY_CLAUSE_JOINERS and not _OWN.isdisjoint(words[i + 1 : hi])
        for i in range(lo, hi)
    )


def rules_to_json(rules: ContextRules) -> dict[str, Any]:
    """The rules as the JSON mapping :func:`parse_context_rules` reads."""
    out = []
    for r in rules.rules:
        rec: dict[str, Any] = {"literal": r.literal, "category": r.category}
        if r.is_modifier:
            rec["direction"] = r.direction
        if r.max_scope is not None:
            rec["max_scope"] = r.max_scope
        if r.stop_at_determiner:
            rec["stop_at_determiner"] = True
        if r.answers:
            rec["answers"] = True
        if r.test_request:
            rec["test_request"] = True
        out.append(rec)
    return {"version": rules.version, "rules": out}


@Language.factory(
    "fasciclf_context",
    default_config={},
)
def make_context(nlp: Language, name: str) -> ContextAnnotator:
    """Factory for :class:`ContextAnnotator` (packaged rules)."""
    return ContextAnnotator(nlp, name)
