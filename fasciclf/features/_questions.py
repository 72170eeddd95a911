"""Statuses implied by questions and forms: "Numbness? No.", "Is this a sign
of ALS?", "Q: Any weakness? A: No." and "Weakness: no" on a line of its own."""

from __future__ import annotations

from fasciclf.features._episodes import site_words
from fasciclf.features._tokens import TokenView, distinct_words
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_AUXILIARIES = _WORDS["auxiliaries"]
_FIRST_PERSON = _WORDS["question_first_person"]
_DISEASE_WORDS = _WORDS["disease_words"]
_SHORT_NO = _WORDS["short_no"]
# A form's field ("• Weakness: no"): what may lead it on its line, what
# parts it from its value, the values that deny it and what may follow them
_FIELD_LEADS = frozenset({"-", "*", "•", "any", ":", "q"})
_FIELD_LEAD_MAX = 3
_FIELD_SEPARATORS = frozenset({":", "-", "–", "=", "?"})
_FIELD_NO = _SHORT_NO | {"n", "nil", "negative", "0"}
_FIELD_ENDS = frozenset({".", ",", ";", "!"})
_FIELD_NAME_RUN = 5
_LABEL_RUN = 7  # "weakness in arm or leg ?"
_COURSE_WORDS = _WORDS["course_question_words"]
_LABEL_WORDS = frozenset(
    "in on of or and either both any my his her the a left right arm arms leg legs".split()
)
_FIELD_NAME_STOPS = frozenset(
    {"no", "not", "never", "but", "is", "are", "was", "were", "has", "have"}
)
_FIELD_TAILS = frozenset({"reported", "noticed", "found", "seen", "either", "whatsoever"})
# Told as dialogue: '"Weakness?" "No."', "Doctor: Numbness? He: No, nothing.",
# "gp: any weakness? dad: no": quotes and a speaker's label sit between the
# question and its answer, and a hedge answers like a "no"
_QUOTES = frozenset({'"', "“", "”", "'", "‘", "’", "''", "``"})
_BETWEEN = frozenset({"also", "again", "-", ":"}) | _QUOTES
_HEDGED_NO = (
    ("not", "really"),
    ("not", "that"),
    ("none", "that"),
    ("i", "do", "n't", "think"),
    ("i", "don't", "think"),
    ("i", "dont", "think"),
    ("not", "at", "all"),
    ("absolutely", "not"),
    ("definitely", "not"),
    ("not", "once"),
    ("nothing", "like", "that"),
)


class QuestionReader:
    """The question status of each sentence, computed once per sentence.

    "Numbness? No." denies numbness; "Is slurred speech a sign of ALS?" asks
    about a condition without claiming it (no first-person words).

    >>> import spacy
    >>> from fasciclf.features._tokens import token_view
    >>> QuestionReader(token_view(spacy.blank("en")("Numbness? No."))).status(0)
    'negated'
    """

    def __init__(self, view: TokenView) -> None:
        self.words = view.words
        self.sent = view.sent
        self.ranges = view.ranges
        self._cache: dict[int, str | None] = {}
        # Most texts ask nothing and fill in no form: a question needs a "?"
        # and a field a separator and a "no", which two set tests tell once
        # per text instead of the checks per finding.
        told = distinct_words(view.words)
        self._asks = "?" in told
        self._form = not _FIELD_SEPARATORS.isdisjoint(told) and not _FIELD_NO.isdisjoint(told)

    def status(self, i: int, end: int | None = None) -> str | None:
        """ "negated", "hypothetical" or None for the sentence of token ``i``.

        With ``end`` (the end of the finding at ``i``), a form's field also
        counts: "Weakness: no", "Numbness - N/A", "• Cramps = none".
        """
        found = None
        if self._asks:
            s_id = self.sent[i]
            if s_id not in self._cache:
                self._cache[s_id] = self._sentence_status(self.ranges[s_id])
            found = self._cache[s_id]
        if found is None and end is not None and self._form and self._field_denied(i, end):
            return "negated"
        if found is None and self._asks and self._label_question_denied(i):
            return "negated"
        return found

    def _label_question_denied(self, i: int) -> bool:
        """ "Weakness in arm or leg? No, strong.": a question that opens on
        the finding, a label with a few words of place, answered "no" (a
        question that opens elsewhere, "Is my weakness getting worse? No",
        stays the short-question rule's)."""
        span = self.ranges[self.sent[i]]
        words, n = self.words, len(self.words)
        j = span.stop - 1
        if words[j] != "?" or _after_speaker(words, span.start, j) != i or j - i > _LABEL_RUN:
            return False
        # the label names only the finding and places: "in arm or leg"
        sites = site_words()
        if not all(w in _LABEL_WORDS or w in sites for w in words[i + 1 : j]):
            return False
        return self._short_no_at(_skip_between(words, j + 1, n))

    def _short_no_at(self, k: int) -> bool:
        """A bare "no" (or "none", "nope") at ``k`` that ends its clause."""
        words, sent, n = self.words, self.sent, len(self.words)
        return (
            k < n
            and words[k] in _SHORT_NO
            and (k + 1 >= n or sent[k + 1] != sent[k] or words[k + 1] in (".", ",", "!"))
        )

    def _field_denied(self, start: int, end: int) -> bool:
        """A form's field: the finding opens its line or sentence (after a
        bullet or "Any") and a separator and a "no" close it."""
        words, n = self.words, len(self.words)
        lo = self.ranges[self.sent[start]].start
        k = start
        while k > lo and start - k < _FIELD_LEAD_MAX and words[k - 1] in _FIELD_LEADS:
            k -= 1
        if k > lo and not _second_of_a_name(words, lo, k):
            return False  # a line break ends a sentence: the field opens one
        k = end
        # "Numbness or tingling: none", "Numbness in the legs: no": the
        # field's name may run on a few words to its separator
        while (
            k < n
            and k - end < _FIELD_NAME_RUN
            and words[k].isalpha()
            and words[k] not in _FIELD_NAME_STOPS
        ):
            k += 1
        if k >= n or words[k] not in _FIELD_SEPARATORS:
            return False
        while k < n and words[k] in _FIELD_SEPARATORS:
            k += 1
        if words[k : k + 2] == ["a", ":"]:
            k += 2  # "Q: Any weakness? A: No."
        if k >= n or words[k] not in _FIELD_NO:
            return False
        k += 1
        if (
            words[k - 1] == "n"
            and words[k : k + 1] == ["/"]
            and words[k + 1 : k + 2] in (["a"], ["a."])
        ):
            k += 2  # "N/A", "N/A." (split "n", "/", "a.")
            if words[k - 1] == "a.":
                return True
        if k < n and words[k] in _FIELD_TAILS:
            k += 1  # "Cramps: none reported."
        return k >= n or words[k].isspace() or words[k] in _FIELD_ENDS

    def _sentence_status(self, span: range) -> str | None:
        words = self.words
        start, j = span.start, span.stop - 1
        if words[j] != "?":
            return None
        n = len(words)
        start = _after_speaker(words, start, j)
        # "Numbness? No." / "Weakness? Also no." / '"Weakness?" "No."'
        k = _skip_between(words, j + 1, n)
        if k + 1 < n and words[k + 1] == ":" and words[k].isalpha():
            k = _skip_between(words, k + 2, n)  # "He: No", "dad: none"
        # "Has the twitching spread? No": the answer is about the course
        if j - start <= 4 and k < n and _COURSE_WORDS.isdisjoint(words[start:j]):
            if self._short_no_at(k):
                return "negated"
            if any(tuple(words[k : k + len(h)]) == h for h in _HEDGED_NO):
                return "negated"  # '"Not that I've noticed."', "I don't think so"
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


def _skip_between(words: list[str], k: int, n: int) -> int:
    while k < n and (words[k].isspace() or words[k] in _BETWEEN):
        k += 1
    return k


def _after_speaker(words: list[str], start: int, j: int) -> int:
    """The question after its quotes or its speaker's label ("Doctor: Weakness?")."""
    while start < j and words[start] in _QUOTES:
        start += 1
    if start + 2 < j and words[start + 1] == ":" and words[start].isalpha():
        start += 2
    return start


def _second_of_a_name(words: list[str], lo: int, k: int) -> bool:
    """ "Numbness or tingling: none": a finding named second in a field's
    name, after "or" or "and", with only the first name before it on its line."""
    if k - lo > _FIELD_NAME_RUN or words[k - 1] not in ("or", "and", "/"):
        return False
    return all(w.isalpha() and w not in _FIELD_NAME_STOPS for w in words[lo : k - 1])
