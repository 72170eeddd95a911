"""Misspelt symptom words read as the lexicon's words.

Real messages misspell the words that matter ("twiching", "fasiculations",
"numbess", "weekness"); the written corpus hardly ever does. A token that is
no English word (the word list of ``pyspellchecker``) and no word of the
lexicon's terms, at least ``min_length`` letters long, and one edit (a letter
dropped, added, changed, or two swapped, never the first) from exactly one
lexicon word (or from one English word among several) is read as that word: its lexeme's
``lower`` is set to it, as
:func:`~fasciclf.features._tokens.normalise_contractions` does for "cant".
Every later matcher and stage reads ``LOWER``, so the lexicon needs no
misspelt copies of its terms, and the text and the evidence offsets stay the
writer's own. The component runs first in :func:`~fasciclf.features.build_nlp`.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.attrs import LENGTH, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from fasciclf.features._doc import BatchedPipe
from fasciclf.features._resources import Lexicon, default_lexicon

__all__ = ["SpellingNormalizer", "lexicon_words"]

_MIN_LENGTH = 6
# orth ids already looked at, per process: most words recur, and a corrected
# lexeme keeps its correction in the vocabulary
_SEEN_LIMIT = 500_000


def lexicon_words(lexicon: Lexicon, min_length: int = _MIN_LENGTH) -> frozenset[str]:
    """The words of the lexicon's terms that a misspelling is read as.

    >>> "twitching" in lexicon_words(default_lexicon())
    True
    """
    return frozenset(
        word
        for record in lexicon.records
        for term in record.terms
        for word in term.lower().split()
        if word.isalpha() and len(word) >= min_length
    )


@lru_cache(maxsize=1)
def _speller():
    # Imported on first use: its English word list (about 160,000 words)
    # ships inside the package, so nothing is downloaded.
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


# British spellings the (American) word list lacks: "neighbours", "anaesthetic"
_BRITISH = (("our", "or"), ("ae", "e"), ("oe", "e"), ("ise", "ize"), ("yse", "yze"), ("tre", "ter"))


def _american(word: str) -> str:
    """``word`` with British spellings made American ("neighbours" -> "neighbors")."""
    for british, american in _BRITISH:
        if british in word:
            word = word.replace(british, american)
    return word


def _one_edit(word: str, target: str, letters) -> bool:
    """Whether ``target`` is among the strings ``SpellChecker.edit_distance_1``
    spells out for ``word``: a letter dropped, two neighbours swapped, or a
    letter of ``letters`` put in or in place of one.

    >>> letters = set("abcdefghijklmnopqrstuvwxyz")
    >>> candidates = ("twitching", "twiching", "twichign", "twhicing")
    >>> [_one_edit("twiching", t, letters) for t in candidates]
    [True, True, True, False]
    """
    n, m = len(word), len(target)
    h = max((n - 2) // 2, 0)
    # one edit leaves the first or the last h letters as they were, which
    # two slices compared in C tell for most targets
    if word[:h] != target[:h] and word[n - h :] != target[m - h :]:
        return False
    # the first place they differ (n when one is the other's start)
    i = next((k for k in range(min(n, m)) if word[k] != target[k]), min(n, m))
    if m == n - 1:  # a letter dropped: dropping the first that differs does it
        return word[i + 1 :] == target[i:]
    if m == n + 1:  # a letter put in: the one where they first differ
        return target[i] in letters and target[i + 1 :] == word[i:]
    if m != n:
        return False
    if i == n:  # the word itself: a letter replaced by itself, or a double swapped
        return any(c in letters for c in word) or any(
            a == b for a, b in zip(word, word[1:], strict=False)
        )
    if word[i + 1 :] == target[i + 1 :]:  # one letter replaced
        return target[i] in letters
    # two neighbours swapped
    return (
        i + 1 < n
        and word[i] == target[i + 1]
        and word[i + 1] == target[i]
        and word[i + 2 :] == target[i + 2 :]
    )


class SpellingNormalizer(BatchedPipe):
    """Read a misspelt lexicon word as the word (sets the lexeme's ``lower``).

    Parameters
    ----------
    nlp : Language
        The pipeline whose vocabulary the corrections are written to.
    name : str
        Component name.
    min_length : int, default=6
        Shortest token that is corrected: shorter words sit one edit from
        too many English words ("weak", "week"; "pain", "paint").
    lexicon : Lexicon, optional
        The words corrected to; the packaged lexicon by default.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("fasciclf_spelling")
    >>> [t.lower_ for t in nlp("my calves have fasiculations, no weekness")]
    ['my', 'calves', 'have', 'fasciculations', ',', 'no', 'weakness']
    >>> [t.text for t in nlp("fasiculations")]
    ['fasiculations']
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "fasciclf_spelling",
        *,
        min_length: int = _MIN_LENGTH,
        lexicon: Lexicon | None = None,
    ) -> None:
        if not isinstance(min_length, int) or isinstance(min_length, bool) or min_length < 4:
            raise ValueError(f"min_length must be an int >= 4, got {min_length!r}")
        self.nlp = nlp
        self.name = name
        self.min_length = min_length
        self.targets = lexicon_words(lexicon or default_lexicon(), min_length)
        self._max_length = max(map(len, self.targets), default=0) + 1
        # the targets by first letter and length: a misspelling is read only
        # as a word with its own first letter, one letter longer at most
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for target in sorted(self.targets):
            self._by_start.setdefault((target[0], len(target)), []).append(target)
        self._seen: set[int] = set()

    def correction(self, word: str) -> str | None:
        """The lexicon word ``word`` is a misspelling of, or None.

        >>> import spacy
        >>> s = SpellingNormalizer(spacy.blank("en"))
        >>> s.correction("fasiculations"), s.correction("camping"), s.correction("twitching")
        ('fasciculations', None, None)
        """
        # one edit from a lexicon word is at most one letter longer than the
        # longest; a longer token (pasted junk) costs no candidates
        if not self.min_length <= len(word) <= self._max_length:
            return None
        if not word.isalpha() or word in self.targets:
            return None
        speller = _speller()
        if word in speller or _american(word) in speller:
            return None  # an English word: "camping" is no "cramping", nor "neighbours"
        # a first letter is seldom the one mistyped: "nighter" is no "tighter",
        # "rehydration" no "dehydration"
        found = self._one_edit_targets(word, speller)
        if len(found) > 1:
            # the lexicon keeps some misspellings of its own ("weeknes"):
            # "weekness" is "weakness", the one English word among them
            found = {w for w in found if w in speller}
        return next(iter(found)) if len(found) == 1 else None

    def _one_edit_targets(self, word: str, speller) -> set[str]:
        """The targets with the first letter of ``word`` in
        ``speller.edit_distance_1(word)``.

        Each target of that letter and about that length is compared with
        the word directly: spelling out every edit of the word (some 500
        strings for a word of ten letters) cost a hundred times more.
        """
        low = word.lower()
        frequency = speller.word_frequency
        if low != word or len(low) > frequency.longest_word_length + 3:
            # the speller reads these its own way (never for a lower-case
            # lexeme of a text): ask it
            return {w for w in speller.edit_distance_1(word) & self.targets if w[0] == word[0]}
        letters = frequency.letters
        first, n = word[0], len(word)
        return {
            t
            for length in (n - 1, n, n + 1)
            for t in self._by_start.get((first, length), ())
            if _one_edit(word, t, letters)
        }

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        vocab = doc.vocab
        seen = self._seen
        if len(seen) > _SEEN_LIMIT:
            seen.clear()
        # A word shorter than min_length is never corrected (its lower case is
        # no longer, except "İ"'s, which is no letter): only the longer third
        # of the tokens is looked up, and their orths alone are kept as seen.
        arr = doc.to_array([ORTH, LENGTH])
        for orth in set(arr[arr[:, 1] >= self.min_length, 0].tolist()) - seen:
            seen.add(orth)
            lex = vocab[orth]
            fixed = self.correction(lex.lower_)
            if fixed is not None:
                lex.lower_ = fixed
        return doc


@Language.factory("fasciclf_spelling", default_config={"min_length": _MIN_LENGTH})
def make_spelling(nlp: Language, name: str, min_length: int) -> SpellingNormalizer:
    """Factory for :class:`SpellingNormalizer` (packaged lexicon)."""
    return SpellingNormalizer(nlp, name, min_length=min_length)
