"""Who has the symptoms (the writer or a relative), and that person's age and sex."""

from __future__ import annotations

from fasciclf.features import _age_sex as q
from fasciclf.features._doc import Term
from fasciclf.features._status import Mention
from fasciclf.features._tokens import TokenView
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_SUBJECT_VERBS = _WORDS["subject_verbs"]
_FAMILY_STATUS_VERBS = _WORDS["family_status_verbs"]
_AGE_WORDS = _WORDS["age_words"]
_THIRD_PERSON = _WORDS["third_person"]
_FIRST_PERSON = _WORDS["writer_first_person"]
_SPOUSES = frozenset({"husband", "wife", "partner"})
_APPOSITION = frozenset({"(", ",", ")", "-", "aged", "who", "male", "female"})


def _is_subject(words: list[str], rel: str, end: int) -> bool:
    """Whether the relative ending at token ``end`` is the subject of a verb."""
    for w in words[end : end + 6]:
        if w in _APPOSITION or w.isdigit():
            continue
        if w in _FAMILY_STATUS_VERBS and rel not in _SPOUSES:
            return False  # "my father had ALS": family history, not the patient
        return w in _SUBJECT_VERBS or w in ("'s", "’s")
    return False


def _is_my_relative(words: list[str], i: int) -> bool:
    # "my husband", "my elderly father", "my 8-year-old daughter"
    back = words[max(0, i - 6) : i]
    if "my" not in back and "our" not in back:
        return False
    k = max(j for j, w in enumerate(back) if w in ("my", "our"))
    return all(w in _AGE_WORDS or w.isdigit() for w in back[k + 1 :])


def find_writer(
    view: TokenView, terms: list[Term], mentions: list[Mention]
) -> tuple[str, int, int]:
    """Who has the symptoms: ``("self", -1, -1)`` or the relative and its token span.

    A relative counts as the patient when written as the subject ("my
    husband, 60, has ...", "my dad's hand shakes") of a sentence with a
    present finding, or introduced ("my dad is 68.") before findings told
    in the third person ("his left hand ...").
    """
    words, sent = view.words, view.sent
    present_sents = {sent[mt.start] for mt in mentions if mt.status == "present"}
    ranges = view.sentence_ranges()
    third = sum(1 for s in present_sents if any(words[i] in _THIRD_PERSON for i in ranges[s]))
    first = sum(1 for s in present_sents if any(words[i] in _FIRST_PERSON for i in ranges[s]))
    first_present = min(present_sents, default=None)
    for m in sorted((t for t in terms if t.kind == "writer"), key=lambda t: t.start):
        i = m.start
        if m.value == "patient" or not _is_my_relative(words, i):
            continue
        is_subject = _is_subject(words, m.value, m.end)
        prev2 = words[i - 2] if i > 1 else ""
        asking_for = prev2 in ("for", "about") or words[max(0, i - 3)] in ("for", "about")
        if not (is_subject or asking_for):
            continue
        if sent[i] in present_sents:
            return m.value, m.start, m.end
        if third > first and not (first_present is not None and first_present < sent[i]):
            return m.value, m.start, m.end
    return "self", -1, -1


def age_and_sex(
    lower: str, view: TokenView, writer: tuple[str, int, int]
) -> tuple[int | None, str | None]:
    """Age and sex of whoever has the symptoms."""
    rel, start, end = writer
    if rel == "self":
        return q.find_age(lower), q.find_sex(lower)
    start_char, end_char = view.starts[start], view.ends[end - 1]
    age, sex = q.find_relative_age_sex(lower, start_char, end_char)
    return age, sex or q.RELATIVE_SEX.get(lower[start_char:end_char]) or q.RELATIVE_SEX.get(rel)
