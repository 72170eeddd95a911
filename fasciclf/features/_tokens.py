"""The token view every stage reads: words, sentences, clauses and offsets.

There is no parser: a sentence ends at ``. ! ? ;`` (and their runs) or a line
break, and a clause also ends at "but", "however", ... (``wordlists.json``).
A story told without full stops (a phone post) is cut before words that
mostly open sentences once a sentence runs to :data:`RUN_ON` tokens.

The view is built with ``Doc.to_array`` because creating a ``Token`` object
per token costs more than all our rules together.

:func:`make_doc` guards spaCy's tokenizer, whose prefix and suffix loop is
quadratic in the length of a whitespace-free chunk (25,000 commas took 46 s).
"""

from __future__ import annotations

import re
import threading
import weakref
from bisect import bisect_right
from functools import lru_cache
from typing import Any, NamedTuple

from spacy.attrs import IDX, LENGTH, LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from fasciclf.features._dates import default_time_table
from fasciclf.features._wordlists import default_wordlists

_WORDS = default_wordlists()
SENTENCE_END = _WORDS["sentence_end"]
CLAUSE_BREAK = _WORDS["clause_break"]

LONG_CHUNK = 256
"""Whitespace-free chunks this long are tokenized in pieces of :data:`PIECE`."""
PIECE = 32
# The lookbehind anchors each match at the start of a chunk, so the scan is linear.
_LONG_CHUNK_RE = re.compile(rf"(?<!\S)(\S{{{LONG_CHUNK},}})\s*")


class TokenView(NamedTuple):
    """Lower-cased token texts, sentence ids and character offsets, per token."""

    words: list[str]
    sent: list[int]
    starts: list[int]
    ends: list[int]
    ranges: dict[int, range]

    def sentence_ranges(self) -> dict[int, range]:
        """Token range of every sentence (sentences are contiguous token runs)."""
        return self.ranges

    def sentence_of_char(self, pos: int) -> int:
        """Sentence id of the last token starting at or before character ``pos``."""
        if not self.sent:
            return 0
        return self.sent[max(0, bisect_right(self.starts, pos) - 1)]


# One view per Doc, shared by the components that run on it and dropped with
# it; never stored on the Doc, whose data must stay serialisable.
_VIEWS: weakref.WeakKeyDictionary[Doc, TokenView] = weakref.WeakKeyDictionary()
_VIEWS_LOCK = threading.Lock()


def token_view(doc: Doc) -> TokenView:
    """The :class:`TokenView` of ``doc`` (built once per Doc).

    >>> import spacy
    >>> view = token_view(spacy.blank("en")("Calf twitch. No pain"))
    >>> view.words, view.sent
    (['calf', 'twitch', '.', 'no', 'pain'], [0, 0, 0, 1, 1])
    """
    with _VIEWS_LOCK:
        view = _VIEWS.get(doc)
    if view is not None and len(view.words) == len(doc):
        return view
    view = _build_view(doc)
    with _VIEWS_LOCK:
        _VIEWS[doc] = view
    return view


def _build_view(doc: Doc) -> TokenView:
    if not len(doc):
        return TokenView([], [], [], [], {})
    arr = doc.to_array([LOWER, IDX, LENGTH])
    words = _words_of(doc.vocab.strings, arr[:, 0].tolist())
    starts = arr[:, 1].tolist()
    ends = (arr[:, 1] + arr[:, 2]).tolist()
    # the sentence ranges come from the sentence ends, not from a second pass over the tokens
    sent_ends = _sentence_ends(words)
    ranges = {
        s_id: range(a, b)
        for s_id, (a, b) in enumerate(zip([0, *sent_ends[:-1]], sent_ends, strict=True))
    }
    return TokenView(words, _ids_of(sent_ends), starts, ends, ranges)


class _WordOfHash(dict):
    """Lower-case token strings by hash, shared by every Doc (a hash names one
    string in every vocab). A dict lookup, mapped in C, costs less than
    decoding the string from the StringStore, and one str object per word
    keeps its hash computed for the set lookups of every later stage."""

    limit = 200_000  # distinct words remembered before starting afresh

    def __missing__(self, key: int) -> str:
        if len(self) >= self.limit:
            self.clear()
        word = self[key] = _READING.strings[key]
        return word


_WORD_OF_HASH = _WordOfHash()
_READING = threading.local()  # .strings: the StringStore of the Doc this thread reads


def _words_of(strings: Any, hashes: list[int]) -> list[str]:
    _READING.strings = strings
    return list(map(_WORD_OF_HASH.__getitem__, hashes))


def _ends_sentence(text: str) -> bool:
    if text in SENTENCE_END:
        return True
    if text.isspace():
        return "\n" in text
    return len(text) > 1 and text[-1] in ".!?" and not text[0].isalpha()


class _SentenceEnds(dict):
    """Whether a token ends a sentence, remembered per word (most words recur)."""

    limit = 200_000  # distinct words remembered before starting afresh

    def __missing__(self, text: str) -> bool:
        if len(self) >= self.limit:
            self.clear()
        ends = self[text] = _ends_sentence(text)
        return ends


_ENDS = _SentenceEnds()


def sentence_ids(words: list[str]) -> list[int]:
    """Sentence index per token: ends at . ! ? ; and line breaks.

    >>> sentence_ids(["calf", ".", "no", "pain", "\\n", "ok"])
    [0, 0, 1, 1, 1, 2]
    """
    return _ids_of(_sentence_ends(words))


def _sentence_ends(words: list[str]) -> list[int]:
    """The token offset each sentence ends at, in order (the last is ``len(words)``)."""
    # A run of enders is one end: ".\n" and "! !" close one sentence, not a
    # sentence and an empty one, which would part the sentences around it
    # by two (the stages read "the sentence right after" by id).
    n = len(words)
    ends = [
        i + 1 for i, w in enumerate(words) if _ENDS[w] and (i + 1 == n or not _ENDS[words[i + 1]])
    ]
    if not ends or ends[-1] != len(words):
        ends.append(len(words))
    return _run_on_ends(words, ends)


def _ids_of(ends: list[int]) -> list[int]:
    ids: list[int] = []
    start = 0
    for sid, end in enumerate(ends):
        ids += [sid] * (end - start)
        start = end
    return ids


RUN_ON = 60
"""A sentence this many tokens long is a run-on (99.9% of the corpus's are shorter)."""
_RUN_ON_OPENERS = frozenset("then since by last around its no these now i she he we".split())
# Parts of the day, which the time table does not list as time words
_DAY_PARTS = frozenset("evening evenings afternoon night nights yesterday weekend".split())
_RUN_ON_GLUE = frozenset(
    "and or that when if because as so but where while which who of to the a an my his her "
    "their our your than like before after until till even just since about with for from "
    "at on in into by what how why".split()
)
_RUN_ON_MIN = 5


@lru_cache(maxsize=1)
def _run_on_time() -> frozenset[str]:
    """Time words ("in march i noticed", "two weeks later she"): the time
    before a subject is that subject's clause, so no cut falls between them.
    The time table's months, seasons, holidays, units, "later", "now",
    "then", with its misspellings and abbreviations, and the parts of the day."""
    kinds = {"month", "season", "holiday", "unit", "after_unit", "now", "sequence"}
    table = {w for w, rec in default_time_table().single.items() if rec.kind in kinds}
    return frozenset(table | _WORDS["now_words"] | _WORDS["day_start_words"] | _DAY_PARTS)


def _run_on_ends(words: list[str], ends: list[int]) -> list[int]:
    """Ends of a text told without full stops ("in march my calves started
    twitching by the summer it was my arms its october now"): a run-on
    sentence is cut before a word that mostly opens sentences ("then",
    "since", "she", "its", ...) when the word before it does not tie it to
    what comes before ("and then", "that she")."""
    out: list[int] = []
    start = 0
    for end in ends:
        if end - start >= RUN_ON:
            time_words = _run_on_time()
            last = start
            for i in range(start + _RUN_ON_MIN, end - _RUN_ON_MIN):
                if (
                    words[i] in _RUN_ON_OPENERS
                    and i - last >= _RUN_ON_MIN
                    and words[i - 1] not in _RUN_ON_GLUE
                    and words[i - 1] not in time_words
                    and not words[i - 1][:1].isdigit()
                    and words[i - 1][:1].isalnum()
                ):
                    out.append(i)
                    last = i
        out.append(end)
        start = end
    return out


def sentence_ranges(sent: list[int]) -> dict[int, range]:
    """Token range of every sentence id.

    >>> sentence_ranges([0, 0, 1, 1, 1, 2])
    {0: range(0, 2), 1: range(2, 5), 2: range(5, 6)}
    """
    n = len(sent)
    cuts = [0, *[i for i in range(1, n) if sent[i] != sent[i - 1]], n]
    return {sent[a]: range(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a < b}


# The distinct words of the token list last asked about, and where each
# word stands in it, with the list's length. Every stage reads the one list
# of its Doc's view, about a dozen times per Doc: a word list tested against
# the set of those words costs a lookup per word of the list, not one per
# token, and the positions of the words found are read from one index built
# by a single pass, not by a pass per question. One entry each, replaced
# atomically and compared by identity, so memory stays flat and threads see
# no stale entry (a token list is never changed once built).
_WORD_SET: tuple[list[str], int, frozenset[str]] = ([], 0, frozenset())
_WORD_AT: tuple[list[str], int, dict[str, list[int]]] = ([], 0, {})


def distinct_words(words: list[str]) -> frozenset[str]:
    """The set of ``words``, remembered for the next call with the same list."""
    global _WORD_SET
    cached = _WORD_SET
    if cached[0] is not words or cached[1] != len(words):
        cached = _WORD_SET = (words, len(words), frozenset(words))
    return cached[2]


def _positions(words: list[str]) -> dict[str, list[int]]:
    """Each word of ``words`` to its positions, remembered as :func:`distinct_words` is."""
    global _WORD_AT
    cached = _WORD_AT
    if cached[0] is not words or cached[1] != len(words):
        # a plain dict and an "in" test: a quarter faster than a defaultdict's
        # factory call on each new word
        at: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            if w in at:
                at[w].append(i)
            else:
                at[w] = [i]
        cached = _WORD_AT = (words, len(words), at)
    return cached[2]


def word_positions(words: list[str], vocab: frozenset[str]) -> list[int]:
    """Sorted positions of the words of ``vocab``.

    Which words occur is found by one set intersection in C (most texts
    have none of a short list), against the text's distinct words; their
    positions come from the index of the text's words (built on the first
    question that finds one).

    >>> word_positions(["calf", "but", "no", "pain", "but"], frozenset({"but"}))
    [1, 4]
    >>> word_positions(["no", "pain", "but", "no", "cramp"], frozenset({"but", "no"}))
    [0, 2, 3]
    """
    hits = vocab.intersection(distinct_words(words))
    if not hits:
        return []
    at = _positions(words)
    if len(hits) == 1:
        (word,) = hits
        return list(at[word])
    out: list[int] = []
    for word in hits:
        out += at[word]
    out.sort()
    return out


def sentences_with(words: list[str], sent: list[int], vocab: frozenset[str]) -> set[int]:
    """Ids of the sentences with a word of ``vocab`` (most texts have no
    word of a rare list: one set intersection, no pass).

    >>> sentences_with(["it", "hurts", ".", "no", "?"], [0, 0, 0, 1, 1], frozenset({"?"}))
    {1}
    """
    return {sent[i] for i in word_positions(words, vocab)}


def first_position(words: list[str], vocab: frozenset[str]) -> int | None:
    """The first position of a word of ``vocab``, or None.

    >>> first_position(["my", "right", "then", "left"], frozenset({"left", "right"}))
    1
    """
    hits = vocab.intersection(distinct_words(words))
    if not hits:
        return None
    at = _positions(words)
    return min(at[word][0] for word in hits)


def clause_ids(words: list[str], sent: list[int]) -> list[int]:
    """Clause index per token: a new clause at each sentence and clause break.

    >>> clause_ids(["calf", "but", "no", "pain", "."], [0, 0, 0, 0, 0])
    [0, 1, 1, 1, 1]
    """
    n = len(words)
    # Both scans run in C (bisect, set and list methods), not per token:
    # sentence ids never decrease, so each sentence starts where the last ends.
    starts = set(word_positions(words, CLAUSE_BREAK))
    i = bisect_right(sent, sent[0]) if n else 0
    while i < n:
        starts.add(i)
        i = bisect_right(sent, sent[i])
    ids: list[int] = []
    cid, prev = 0, 0
    for i in sorted(starts):
        ids += [cid] * (i - prev)
        cid, prev = cid + 1, i
    ids += [cid] * (n - prev)
    return ids


# Contractions written without an apostrophe ("couldnt", "cant") or with a
# typographic one ("can’t", "it’s", as phones type them) split into the same
# tokens as "couldn't" with another second piece; the lexicons are written
# with "'", so these pieces read as "n't", "'s", ... in the LOWER attribute
# every matcher and word list uses. Bare "s", "m" and "d" stay as they are
# ("24M", "vitamin d").
_CONTRACTION_LOWER = {
    "nt": "n't",
    "n’t": "n't",
    "’s": "'s",
    "’m": "'m",
    "’re": "'re",
    "’ve": "'ve",
    "’ll": "'ll",
    "’d": "'d",
}
# The same pieces in capitals ("DON'T", "CANT", "I’M"): frightened writers
# shout, and spaCy's exceptions split "don't" and "Don't" but leave "DON'T"
# whole, which read "I DON'T HAVE ANY WEAKNESS" as weakness present.
_CONTRACTION_LOWER |= {piece.upper(): lower for piece, lower in _CONTRACTION_LOWER.items()}
_CONTRACTION_LOWER |= {
    piece.upper(): piece for piece in ("n't", "'s", "'m", "'re", "'ve", "'ll", "'d")
}
_APOSTROPHES = ("'", "’")


def normalise_contractions(vocab: Vocab, tokenizer: Any = None) -> None:
    """Make contraction pieces read as their apostrophe forms (idempotent).

    Called by every fasciclf component before it builds its patterns, so
    that "cant grip", "can’t grip", "CAN'T GRIP" and "can't grip" match the
    same pattern. With ``tokenizer``, contractions in capitals split as the
    lower-case ones do (spaCy's exceptions list lower-case and capitalised
    forms only).

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> normalise_contractions(nlp.vocab, nlp.tokenizer)
    >>> [t.lower_ for t in nlp("couldnt, can’t, DON'T, CANT")]
    ['could', "n't", ',', 'ca', "n't", ',', 'do', "n't", ',', 'ca', "n't"]
    """
    for piece, lower in _CONTRACTION_LOWER.items():
        lex = vocab[piece]
        if lex.lower_ != lower:
            lex.lower_ = lower
    if tokenizer is not None and "DON'T" not in tokenizer.rules:
        for key, pieces in _capital_contractions(tokenizer.rules).items():
            tokenizer.add_special_case(key, pieces)


def _capital_contractions(rules: dict[str, Any]) -> dict[str, list[dict[int, str]]]:
    """Capitalised copies of the tokenizer's lower-case contraction exceptions.

    Only keys that split ("dont" -> "do", "nt") and carry an apostrophe or
    four letters or more: "ID", "IM" and "HES" stay whole, as acronyms.
    """
    out = {}
    for key, pieces in rules.items():
        upper = key.upper()
        if key != key.lower() or upper == key or upper in rules or len(pieces) < 2:
            continue
        if not any(a in key for a in _APOSTROPHES) and len(key) < 4:
            continue
        orths = [p[ORTH].upper() for p in pieces]
        if "".join(orths) != upper:
            continue  # a piece whose capital changes length
        out[upper] = [{ORTH: o} for o in orths]
    return out


def _has_long_chunk(text: str) -> bool:
    """Whether ``text`` has a whitespace-free chunk of :data:`LONG_CHUNK` characters.

    A space in every stretch of that length leaves none: a few ``rfind``
    jumps from space to space tell (``re`` tries the chunk pattern at every
    character of every text); a stretch without a space is left to it.
    """
    pos, n = 0, len(text)
    while n - pos >= LONG_CHUNK:
        space = text.rfind(" ", pos, pos + LONG_CHUNK)
        if space == -1:
            return _LONG_CHUNK_RE.search(text, pos) is not None
        pos = space + 1
    return False


def make_doc(nlp: Language, text: str) -> Doc:
    """Tokenize ``text`` in time linear in its length; ``doc.text == text``.

    Whitespace-free chunks of :data:`LONG_CHUNK` characters or more (no word
    is that long; a run of commas or "(…)" is) are tokenized in pieces of
    :data:`PIECE` characters and the pieces joined, so token offsets still
    index ``text``. Other text is tokenized exactly as ``nlp.make_doc`` does.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> doc = make_doc(nlp, "calf" + "," * 1000 + " twitch")
    >>> doc.text == "calf" + "," * 1000 + " twitch", doc[-1].text
    (True, 'twitch')
    """
    if not _has_long_chunk(text):
        return nlp.make_doc(text)
    pieces: list[str] = []
    pos = 0
    for m in _LONG_CHUNK_RE.finditer(text):
        if m.start() > pos:
            pieces.append(text[pos : m.start()])
        chunk_end = m.end(1)
        pieces.extend(
            text[i : min(i + PIECE, chunk_end)] for i in range(m.start(), chunk_end, PIECE)
        )
        # the whitespace after the chunk trails its last token, as in one pass
        pieces[-1] += text[chunk_end : m.end()]
        pos = m.end()
    if pos < len(text):
        pieces.append(text[pos:])
    # Doc.from_docs walks Token objects; words and spaces from arrays are cheaper
    words: list[str] = []
    spaces: list[bool] = []
    strings = nlp.vocab.strings
    for piece in nlp.tokenizer.pipe(pieces):
        if len(piece):
            arr = piece.to_array([ORTH, SPACY])
            words.extend(strings[int(h)] for h in arr[:, 0])
            spaces.extend(bool(x) for x in arr[:, 1])
    return Doc(nlp.vocab, words=words, spaces=spaces)
