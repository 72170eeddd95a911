"""Who has the symptoms (the writer or a relative), and that person's age and sex."""

from __future__ import annotations

from typing import NamedTuple

from fasciclf.features import _age_sex as q
from fasciclf.features._doc import Term
from fasciclf.features._status import Mention
from fasciclf.features._tokens import TokenView, distinct_words
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_SUBJECT_VERBS = _WORDS["subject_verbs"]
_FAMILY_STATUS_VERBS = _WORDS["family_status_verbs"]
_AGE_WORDS = _WORDS["age_words"]
_THIRD_PERSON = _WORDS["third_person"]
_FIRST_PERSON = _WORDS["writer_first_person"]
_FOR = frozenset({"for", "about", "behalf"})  # "asking for my dad", "on behalf of my father"
_SPOUSES = frozenset({"husband", "wife", "partner"})
_APPOSITION = frozenset({"(", ",", ")", "-", "aged", "who", "male", "female"})


def _word_after(words: list[str], end: int) -> str | None:
    """The first word after a relation ending at token ``end``, past an
    apposition ("my husband, 60, has"), or None within six tokens."""
    return next((w for w in words[end : end + 6] if w not in _APPOSITION and not w.isdigit()), None)


def _is_family_history(words: list[str], rel: str, end: int) -> bool:
    """ "my father had ALS", "my aunt died of it": the relative is family history."""
    return _word_after(words, end) in _FAMILY_STATUS_VERBS and rel not in _SPOUSES


def _is_subject(words: list[str], rel: str, end: int) -> bool:
    """Whether the relative ending at token ``end`` is the subject of a verb."""
    if _is_family_history(words, rel, end):
        return False  # "my father had ALS": family history, not the patient
    w = _word_after(words, end)
    return w in _SUBJECT_VERBS or w in ("'s", "’s")


def _opens_sentence(view: TokenView, i: int) -> bool:
    """Whether token ``i`` opens its sentence, "my" or "our" aside ("Dad, 71: ...")."""
    words = view.words
    return all(words[j] in ("my", "our") for j in range(view.ranges[view.sent[i]].start, i))


def _my_before(words: list[str], i: int) -> int | None:
    """The "my" or "our" that introduces the relation at token ``i`` ("my
    husband", "my elderly father", "my 8-year-old daughter"), or None."""
    for j in range(i - 1, max(0, i - 6) - 1, -1):
        if words[j] in ("my", "our"):
            return j
        if not (words[j] in _AGE_WORDS or words[j].isdigit()):
            return None
    return None


def _is_my_relative(words: list[str], i: int) -> bool:
    return _my_before(words, i) is not None


_APPOSITION_REACH = 8  # tokens after a relation read as its apposition
_APPOSITION_SEX = {
    **dict.fromkeys(("boy", "lad", "man", "guy"), "male"),
    **dict.fromkeys(("girl", "lass", "woman", "lady"), "female"),
}
_NAME_TOKENS = 2  # "my husband Andrés", "my brother Jean Paul"
# words after a relation that are no name
_NOT_NAMES = (
    frozenset(
        {
            "and",
            "who",
            "but",
            "the",
            "a",
            "an",
            "in",
            "at",
            "on",
            "was",
            "is",
            "has",
            "had",
            "of",
            "for",
            "since",
            "about",
            "over",
            "after",
            "with",
        }
    )
    | _SUBJECT_VERBS
)
_OWNER_BACK = 8  # tokens before a finding searched for whose it is ("my left hand ...")
_OWNER_AHEAD = 4  # and after it ("weakness in his hands")
_FEMALE_PRONOUNS = frozenset({"she", "she's", "her"})
_MALE_PRONOUNS = frozenset({"he", "he's", "hes", "him", "his"})


class Owners(NamedTuple):
    """Whose the present findings are, one vote per finding."""

    first: int
    third: int
    female: int
    male: int
    teller: Term | None = None  # who a quoted first person is ("Mum told me: "I ...")


_OPEN_QUOTES = frozenset({'"', "“"})
_CLOSE_QUOTES = frozenset({'"', "”"})


def _quoted(words: list[str]) -> list[int]:
    """Per token, the index of the double quote that opens its passage, or -1."""
    if _OPEN_QUOTES.isdisjoint(distinct_words(words)):
        return [-1] * len(words)  # most texts quote nobody: two set lookups
    out, opened = [], -1
    for i, w in enumerate(words):
        if opened >= 0 and w in _CLOSE_QUOTES:
            out.append(opened)
            opened = -1
            continue
        if opened < 0 and w in _OPEN_QUOTES:
            opened = i
        out.append(opened)
    return out


def _relations(terms: list[Term]) -> list[Term]:
    """Relation words in text order ("mum", "my partner"), "the patient" aside."""
    return sorted(
        (t for t in terms if t.kind == "writer" and t.value != "patient"), key=lambda t: t.start
    )


def _owning_relatives(view: TokenView, relations: list[Term]) -> set[int]:
    """Tokens that make a finding a relative's: "my" before a relation, and
    the relation itself where it owns ("mum's hands", "my dad has ...",
    "Dad, 71: foot dragging"), not in "I lifted it with my neighbour"."""
    words = view.words
    owning: set[int] = set()
    for t in relations:
        my = _my_before(words, t.start)
        if my is not None:
            owning.add(my)
        if _opens_sentence(view, t.start) or _is_subject(words, t.value, t.end):
            owning.update(range(t.start, t.end))
    return owning


def _owner_word(view: TokenView, mt: Mention, owning: set[int]) -> int | None:
    """The nearest person word of a finding in its sentence: behind it, then ahead."""
    words, span = view.words, view.ranges[view.sent[mt.start]]
    back = range(mt.start - 1, max(span.start, mt.start - _OWNER_BACK) - 1, -1)
    ahead = range(mt.end, min(span.stop, mt.end + _OWNER_AHEAD))
    for i in (*back, *ahead):
        if i in owning or words[i] in _FIRST_PERSON or words[i] in _THIRD_PERSON:
            return i
    return None


def finding_owners(view: TokenView, terms: list[Term], mentions: list[Mention]) -> Owners:
    """Votes on whose each present finding is: the writer's or someone else's.

    The vote of a finding is the nearest person word in its sentence, looked
    for first behind it ("my hands", "she can't grip") and then ahead of it
    ("weakness in his hands"). "my" before a relative ("my brother's hands")
    votes for someone else, and so does a first person inside a quote told
    after a relation is named (an as-told-to story: "Mum told me: "I ...").
    """
    words = view.words
    relations = _relations(terms)
    owning = _owning_relatives(view, relations)
    quoted = _quoted(words) if relations else []
    teller = None
    first = third = female = male = 0
    for mt in mentions:
        if mt.status != "present" or not (mt.kind == "symptom" or mt.is_sign):
            continue  # "diabetic", "on metformin": not whose the complaint is
        i = _owner_word(view, mt, owning)
        if i is None:
            continue
        if i in owning or words[i] in _THIRD_PERSON:
            third += 1
            female += words[i] in _FEMALE_PRONOUNS
            male += words[i] in _MALE_PRONOUNS
        elif quoted and 0 <= relations[0].end <= quoted[i]:
            teller = relations[0]  # the first relation named, before the quote opens
            third += 1
        else:
            first += 1
    return Owners(first, third, female, male, teller)


def _pronoun_sex(owners: Owners) -> str | None:
    """The sex the findings' pronouns name, when they agree by more than two to one."""
    if owners.female > 2 * owners.male:
        return "female"
    if owners.male > 2 * owners.female:
        return "male"
    return None


def _someone_else(
    view: TokenView, relations: list[Term], relatives: list[Term], owners: Owners
) -> Term | None:
    """The relation told as the patient when the findings are someone else's.

    The first relation introduced with "my" or opening its sentence ("Dad,
    71: ...", "asking about Dad"), of the sex the findings' pronouns name;
    else the one whose words a quote gives; else any relation of that sex.
    """
    words = view.words
    sex = _pronoun_sex(owners)
    named, anywhere = [], []
    for m in relations:
        if _is_family_history(words, m.value, m.end):
            continue
        known = q.RELATIVE_SEX.get(" ".join(words[m.start : m.end])) or q.RELATIVE_SEX.get(m.value)
        if sex is not None and known is not None and known != sex:
            continue
        if m in relatives or _asks_for(words, m.start) or _opens_sentence(view, m.start):
            named.append(m)
        anywhere.append(m)
    if named:
        return named[0]
    if owners.teller is not None:
        return owners.teller
    return anywhere[0] if anywhere and sex is not None else None


def find_writer(
    view: TokenView,
    terms: list[Term],
    mentions: list[Mention],
    owners: Owners | None = None,
) -> tuple[str, int, int]:
    """Who has the symptoms: ``("self", -1, -1)``, or the relative and its token span.

    The findings' own person words decide first (:func:`finding_owners`):
    when more present findings are told as someone else's ("her thumb",
    "my brother's calves") than as the writer's, the patient is the
    relative introduced with "my" or "our" ("my partner Lyn", "dave, my
    brother, 47"), or ``"other"`` when none is named ("an update on Meg").
    When the votes tie, a relative counts as the patient when written as
    the subject ("my husband, 60, has ...", "my dad's hand shakes") of a
    sentence with a present finding, or introduced ("my dad is 68.")
    before findings told in the third person ("his left hand ..."), or
    when a note with no person word on its findings opens on them ("Dad,
    71: foot dragging", "on behalf of my father").
    """
    if owners is None:
        owners = finding_owners(view, terms, mentions)
    if owners.first > owners.third:
        return "self", -1, -1
    relations = _relations(terms)
    relatives = [m for m in relations if _is_my_relative(view.words, m.start)]
    if owners.third > owners.first:
        who = _someone_else(view, relations, relatives, owners)
        return ("other", -1, -1) if who is None else (who.value, who.start, who.end)
    who = _subject_relative(view, relatives, mentions)
    if who is None and owners.first == 0:
        who = _opening_relative(view, relations)
    return ("self", -1, -1) if who is None else (who.value, who.start, who.end)


def _asks_for(words: list[str], i: int) -> bool:
    return bool(_FOR & set(words[max(0, i - 3) : i]))


def _subject_relative(
    view: TokenView, relatives: list[Term], mentions: list[Mention]
) -> Term | None:
    """A relative written as the subject of a finding's sentence, or introduced
    before findings told in the third person, when the votes tie."""
    words, sent, ranges = view.words, view.sent, view.ranges
    present_sents = {sent[mt.start] for mt in mentions if mt.status == "present"}
    third = sum(1 for s in present_sents if any(words[i] in _THIRD_PERSON for i in ranges[s]))
    first = sum(1 for s in present_sents if any(words[i] in _FIRST_PERSON for i in ranges[s]))
    first_present = min(present_sents, default=None)
    for m in relatives:
        if not (_is_subject(words, m.value, m.end) or _asks_for(words, m.start)):
            continue
        if sent[m.start] in present_sents:
            return m
        if third > first and not (first_present is not None and first_present < sent[m.start]):
            return m
    return None


def _opening_relative(view: TokenView, relations: list[Term]) -> Term | None:
    """The patient a note opens on ("Dad, 71: ...", "My mother is 62 and ...")."""
    if not view.words:
        return None
    words, opening = view.words, view.ranges[view.sent[0]]
    for m in relations:
        if m.start not in opening:
            continue
        opens = _opens_sentence(view, m.start)
        asks = _asks_for(words, m.start) or _is_subject(words, m.value, m.end)
        if (opens or asks) and (opens or _is_my_relative(words, m.start)):
            return m
    return None


def age_and_sex(
    lower: str,
    view: TokenView,
    writer: tuple[str, int, int],
    owners: Owners | None = None,
    text: str | None = None,
) -> tuple[int | None, str | None]:
    """Age and sex of whoever has the symptoms.

    ``text`` is ``lower`` as written, whose capitals tell a name ("Sam is
    31") from a word; without it no name-told age is read.

    Someone else's sex is the one stated beside them ("my partner (45,
    male)"), else the one their relation names ("mum"), else the one the
    pronouns of their findings name ("her thumb", "his calves") when they
    agree by two to one.
    """
    rel, start, end = writer
    # ages told in words ("she is seventy-one"); offsets into the text stay valid
    lower = q.spell_numbers(lower)
    if rel == "self":
        age = q.find_age(lower)
        return (age if age is not None else q.story_age(lower, True)), q.find_sex(lower)
    if start < 0:  # no relation named: "she's 56" is still their age
        age, sex = q.third_person_age(lower), None
    else:
        start_char, end_char = view.starts[start], view.ends[end - 1]
        age, sex = q.find_relative_age_sex(lower, start_char, end_char)
        sex = sex or q.RELATIVE_SEX.get(lower[start_char:end_char]) or q.RELATIVE_SEX.get(rel)
        # an apposition names what the relation leaves open: "my child, a 12-year-old boy"
        after = view.words[end : end + _APPOSITION_REACH]
        if sex is None:
            sex = next((_APPOSITION_SEX[w] for w in after if w in _APPOSITION_SEX), None)
        if age is None and end < len(view.words):
            reach = view.ends[min(end + _APPOSITION_REACH, len(view.words)) - 1]
            age = q.find_age(lower[end_char:reach]) or q.apposition_age(lower[end_char:reach])
        # a name between: "my daughter lily is 14", "my partner ray, 70"
        names = view.words[end : end + _NAME_TOKENS]
        for k, w in enumerate(names, 1):
            if age is not None or not w.isalpha() or w in _NOT_NAMES:
                break
            age = q.relative_age_after(lower, view.ends[end + k - 1])
    if age is None and text is not None:
        age = q.named_age(q.spell_numbers(text))
    if age is None:
        age = q.story_age(lower, False)
    if sex is None and owners is not None:
        sex = _pronoun_sex(owners)
    return age, sex
