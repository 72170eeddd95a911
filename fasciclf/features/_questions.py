"""Statuses implied by questions: "Numbness? No." and "Is this a sign of ALS?"."""

from __future__ import annotations

from fasciclf.features._tokens import TokenView
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
_AUXILIARIES = _WORDS["auxiliaries"]
_FIRST_PERSON = _WORDS["question_first_person"]
_DISEASE_WORDS = _WORDS["disease_words"]
_SHORT_NO = _WORDS["short_no"]


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

    def status(self, i: int) -> str | None:
        """ "negated", "hypothetical" or None for the sentence of token ``i``."""
        s_id = self.sent[i]
        if s_id not in self._cache:
            self._cache[s_id] = self._sentence_status(self.ranges[s_id])
        return self._cache[s_id]

    def _sentence_status(self, span: range) -> str | None:
        words, sent = self.words, self.sent
        start, j = span.start, span.stop - 1
        if words[j] != "?":
            return None
        n = len(words)
        # "Numbness? No." / "Weakness? Also no."
        k = j + 1
        while k < n and (words[k].isspace() or words[k] in ("also", "again", "-", ":")):
            k += 1
        if (
            k < n
            and words[k] in _SHORT_NO
            and (k + 1 >= n or sent[k + 1] != sent[k] or words[k + 1] in (".", ",", "!"))
            and j - start <= 4
        ):
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
