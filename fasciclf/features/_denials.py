"""Denial by a normal state: "my strength is fine", "checked his strength, which was fine".

A function word ("strength", "grip", "speech") and a normal word ("fine",
"normal", "strong") close together in one sentence, with nothing between
them that undoes the reading ("not", "weaker", "but"), deny the symptom the
function belongs to. The phrase lists in the lexicon name single sayings;
this reader covers the word orders a list cannot ("strength, reflexes, all
normal", "his strength, which was fine"). Each denial is a ``deny`` term on
the function word, so ConText still decides its status ("if my strength is
fine" is hypothetical, not a denial). Tables: ``resources/denials.json``.

The same reading serves test results told as people tell them ("bloods
normal", "EMG in April was clean", "the scan showed nothing", "normal MRI"):
a test word and a normal word close together, with no blocker between
("bloods showed low B12", "the MRI, if it is clear"), are the ``normal_tests``
finding (the ``results`` table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fasciclf.features._doc import Term
from fasciclf.features._resources import ResourceError, _check_keys, _read_packaged
from fasciclf.features._tokens import TokenView, word_positions
from fasciclf.features._types import SYMPTOMS

DENIALS_FILE = "denials.json"
_KEYS = {
    "version",
    "description",
    "functions",
    "normal",
    "normal_after_only",
    "blockers",
    "window",
    "limbs",
    "limb_window",
    "alone",
    "alone_followers",
    "alone_not_after",
    "abilities",
    "conditionals",
    "before_window",
    "troubles",
    "trouble_window",
    "results",
}
# Optional: tables written before the results reader still load.
_OPTIONAL_KEYS = {"description", "results"}
_RESULTS_KEYS = {"tests", "normal", "normal_before", "blockers", "window"}
_NO_RESULTS = {"tests": [], "normal": [], "normal_before": [], "blockers": [], "window": 0}


@dataclass(frozen=True)
class DenialTables:
    """Word tables of the normal-state reader (see ``denials.json``)."""

    function_of: dict[str, tuple[str, int]]  # word -> (symptom, window)
    normal: frozenset[str]
    normal_after_only: frozenset[str]
    blockers: frozenset[str]
    alone: dict[str, str]
    alone_followers: frozenset[str]
    alone_not_after: frozenset[str]
    subjects: frozenset[str]
    ability_of: dict[str, str]
    conditionals: frozenset[str] = frozenset()
    troubles: frozenset[str] = frozenset()
    before_window: int = 1
    trouble_window: int = 4
    cue_words: frozenset[str] = frozenset()  # every word the readers start from
    # the results reader: a test word, and the normal words after (or just before) it
    tests: frozenset[str] = frozenset()
    results_normal: frozenset[str] = frozenset()
    results_normal_before: frozenset[str] = frozenset()
    results_blockers: frozenset[str] = frozenset()
    results_window: int = 0


def _symptom_words(where: str, table: dict[str, list[str]], window: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for symptom, words in table.items():
        if symptom not in SYMPTOMS:
            raise ResourceError(
                f"denials: {where}: {symptom!r} is not a symptom; expected one of {SYMPTOMS}"
            )
        out.update({w.lower(): (symptom, window) if window >= 0 else symptom for w in words})
    return out


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(w.lower() for w in data[key])


def parse_denials(data: dict[str, Any]) -> DenialTables:
    """Validate the tables of ``denials.json``.

    >>> parse_denials({"functions": {}})
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: denials: missing key(s) abilities, alone, ...
    """
    _check_keys("denials", data, _KEYS)
    missing = sorted(_KEYS - _OPTIONAL_KEYS - set(data))
    if missing:
        raise ResourceError(f"denials: missing key(s) {', '.join(missing)}")
    windows = (data["window"], data["limb_window"], data["before_window"], data["trouble_window"])
    if not all(isinstance(n, int) and 0 <= n <= 16 for n in windows):
        raise ResourceError(f"denials: windows must be integers 0..16, got {windows!r}")
    function_of = _symptom_words("limbs", data["limbs"], data["limb_window"])
    function_of.update(_symptom_words("functions", data["functions"], data["window"]))
    abilities = data["abilities"]
    _check_keys("denials: abilities", abilities, {"subjects", "verbs"})
    alone = _symptom_words("alone", _invert(data["alone"]), -1)
    ability_of = _symptom_words("abilities", abilities["verbs"], -1)
    results = data.get("results", _NO_RESULTS)
    _check_keys("denials: results", results, _RESULTS_KEYS)
    if set(results) != _RESULTS_KEYS:
        raise ResourceError(
            f"denials: results: missing key(s) {', '.join(sorted(_RESULTS_KEYS - set(results)))}"
        )
    if not (isinstance(results["window"], int) and 0 <= results["window"] <= 16):
        raise ResourceError(
            f"denials: results: window must be an integer 0..16, got {results['window']!r}"
        )
    return DenialTables(
        function_of=function_of,
        normal=_words(data, "normal"),
        normal_after_only=_words(data, "normal_after_only"),
        blockers=_words(data, "blockers"),
        alone=alone,
        alone_followers=_words(data, "alone_followers"),
        alone_not_after=_words(data, "alone_not_after"),
        subjects=_words(abilities, "subjects"),
        ability_of=ability_of,
        conditionals=_words(data, "conditionals"),
        troubles=_words(data, "troubles"),
        before_window=data["before_window"],
        trouble_window=data["trouble_window"],
        cue_words=frozenset(function_of) | frozenset(alone) | frozenset(ability_of),
        tests=_words(results, "tests"),
        results_normal=_words(results, "normal"),
        results_normal_before=_words(results, "normal_before"),
        results_blockers=_words(results, "blockers"),
        results_window=results["window"],
    )


def _invert(mapping: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for word, symptom in mapping.items():
        out.setdefault(symptom, []).append(word)
    return out


@lru_cache(maxsize=1)
def default_denials() -> DenialTables:
    """The packaged tables (parsed once per process)."""
    return parse_denials(_read_packaged(DENIALS_FILE))


def denial_terms(view: TokenView, tables: DenialTables | None = None) -> list[Term]:
    """``deny`` terms on each word that says a function is normal, and
    ``symptom`` terms on a function named with a trouble word.

    >>> import spacy
    >>> from fasciclf.features._tokens import token_view
    >>> nlp = spacy.blank("en")
    >>> def read(text):
    ...     return [(t.value, t.start) for t in denial_terms(token_view(nlp(text)))]
    >>> read("he checked my strength, all normal")
    [('weakness', 3)]
    >>> read("my strength is not normal"), read("strong coffee"), read("I can barely walk")
    ([], [], [])
    >>> read("legs strong"), read("I can still walk on my toes")
    ([('weakness', 0)], [('weakness', 3)])
    """
    tables = tables or default_denials()
    words, sent = view.words, view.sent
    out = []
    for i in word_positions(words, tables.tests):
        span = _results_normal(words, sent, i, tables)
        if span is not None:
            out.append(Term("extra", "normal_tests", *span, "R:normal_tests"))
    for i in word_positions(words, tables.cue_words):
        troubled = _troubled(words, sent, i, tables)
        if troubled is not None:
            out.append(Term("symptom", troubled, i, i + 1, f"P:{troubled}"))
            continue
        symptom = _function_denied(words, sent, i, tables)
        if symptom is None:
            symptom = _alone_denied(words, sent, i, tables) or _ability_denied(words, i, tables)
        if symptom is not None:
            out.append(Term("deny", symptom, i, i + 1, f"D:{symptom}"))
    return out


_RESULT_LEAD = 3  # tokens before a test word a blocker still reaches


def _results_normal(words: list[str], sent: list[int], i: int, tables: DenialTables):
    """Token span of a test told normal from its test word ``i``, or None."""
    n, s_id = len(words), sent[i]
    # "if the EMG is clean", "waiting for the bloods": a result hoped for, not had
    if any(
        sent[j] == s_id and words[j] in tables.results_blockers
        for j in range(max(0, i - _RESULT_LEAD), i)
    ):
        return None
    # after: "bloods normal", "EMG in April was clean", "the scan showed nothing"
    for j in range(i + 1, min(n, i + 1 + tables.results_window)):
        if sent[j] != s_id or words[j] in tables.results_blockers:
            break
        if words[j] in tables.function_of or words[j] in tables.alone:
            break  # "did the EMG, full strength": the normal word is the strength's
        if words[j] in tables.results_normal:
            # the span reaches the result word, so a complaint named between
            # as the test's reason ("a brain MRI for his headaches, also
            # fine") is read with the test, not as a symptom of the story;
            # ending the span at the test word instead read the held-out
            # selection set's durations and sites worse (2 rows each)
            return i, j + 1
    # just before: "a normal EMG", "a clean MRI" (not "fine" or "nothing": "fine bloods")
    if i > 0 and sent[i - 1] == s_id and words[i - 1] in tables.results_normal_before:
        return i - 1, i + 1
    return None


def _troubled(words: list[str], sent: list[int], i: int, tables: DenialTables):
    # "problems with my speech", "no trouble to talk or to swallow"
    entry = tables.function_of.get(words[i])
    if entry is None or entry[1] < 2:  # body parts: "no problem in the hand" says too little
        return None
    lo = max(0, i - tables.trouble_window - 1)
    if any(sent[j] == sent[i] and words[j] in tables.troubles for j in range(lo, i)):
        return entry[0]
    return None


def _function_denied(words: list[str], sent: list[int], i: int, tables: DenialTables):
    entry = tables.function_of.get(words[i])
    if entry is None:
        return None
    symptom, window = entry
    n, s_id, blockers = len(words), sent[i], tables.blockers
    # "if my strength is fine", "not full strength": a blocker just before
    if any(sent[j] == s_id and words[j] in blockers for j in range(max(0, i - 2), i)):
        return None
    # after: "strength is fine", "strength, reflexes, all normal"
    for j in range(i + 1, min(n, i + 2 + window)):
        if words[j] == "?":
            # "Energy levels? Fine." answers the question
            k = j + 1
            return symptom if k < n and words[k] in tables.normal else None
        if sent[j] != s_id or words[j] in blockers:
            break
        if words[j] in tables.normal:
            return symptom
    # before: "normal strength", "full power", "all normal: strength"
    if window <= 2:  # body parts: "fine hands" is not a finding
        return None
    for j in range(i - 1, max(-1, i - 1 - tables.before_window), -1):
        if sent[j] != s_id or words[j] in blockers:
            break
        if words[j] in tables.normal and words[j] not in tables.normal_after_only:
            return symptom
    return None


def _alone_denied(words: list[str], sent: list[int], i: int, tables: DenialTables):
    # "all strong, no wasting"; not "strong coffee" nor "stay strong"
    symptom = tables.alone.get(words[i])
    if symptom is None or i == 0:
        return None
    if words[i - 1] in tables.alone_not_after or words[i - 1] in tables.function_of:
        return None
    if words[i - 1] == "," and i >= 2 and words[i - 2] in tables.alone_not_after:
        return None  # "the legs become better, stronger": a change, not a denial
    after = i + 1 < len(words) and sent[i + 1] == sent[i]
    return symptom if not after or words[i + 1] in tables.alone_followers else None


def _ability_denied(words: list[str], i: int, tables: DenialTables):
    # "she can walk on her heels", "I can still run 5 km"
    symptom = tables.ability_of.get(words[i])
    if symptom is None or i < 2:
        return None
    j = i - 2 if words[i - 1] == "still" else i - 1
    if not (j >= 1 and words[j] == "can" and words[j - 1] in tables.subjects):
        return None
    if j >= 2 and words[j - 2] in _RECOVERY_BEFORE:
        return None  # "she rests ten minutes before she can carry on": recovery, not strength
    if i + 1 < len(words) and words[i + 1] == "on" and words[i] in _PHRASAL_ON:
        return None  # "carry on" is to go on, not to carry
    return symptom


_RECOVERY_BEFORE = frozenset({"before", "until", "till", "then"})
_PHRASAL_ON = frozenset({"carry", "play", "push"})


def is_conditional(
    view: TokenView,
    start: int,
    tables: DenialTables | None = None,
    *,
    conditionals: frozenset[str] | None = None,
    reach: int = 3,
) -> bool:
    """Whether a conditional word opens the clause part just before token ``start``.

    ``conditionals`` replaces the table's words ("if", "whether", ...);
    ``reach`` is how many tokens before ``start`` are looked at, in its sentence.

    >>> import spacy
    >>> from fasciclf.features._tokens import token_view
    >>> is_conditional(token_view(spacy.blank("en")("if my strength is fine")), 2)
    True
    >>> view = token_view(spacy.blank("en")("it twitches when I'm tired"))
    >>> is_conditional(view, 5), is_conditional(view, 5, conditionals=frozenset({"when"}))
    (False, True)
    """
    if conditionals is None:
        conditionals = (tables or default_denials()).conditionals
    words, sent = view.words, view.sent
    return any(
        sent[j] == sent[start] and words[j] in conditionals
        for j in range(max(0, start - reach), start)
    )


def term_record(term: Term) -> list[Any]:
    """The term record a :func:`denial_terms` key points to."""
    return [term.kind, term.value, [], None, False, False]
