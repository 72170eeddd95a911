"""The English word lists the rules read (``resources/wordlists.json``).

One named list per job ("sentence_end", "subject_verbs", ...), reviewed like
the lexicon: unknown or missing list names are rejected with the allowed
names listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fasciclf.features._resources import ResourceError, _check_keys, _read_packaged

WORDLISTS_FILE = "wordlists.json"
WORDLIST_NAMES: tuple[str, ...] = (
    "sentence_end",
    "clause_break",
    "determiners",
    "list_joiners",
    "spread_words",
    "site_list_words",
    "site_prepositions",
    "onset_words",
    "anaphora",
    "first_words",
    "now_words",
    "also_words",
    "auxiliaries",
    "question_first_person",
    "disease_words",
    "short_no",
    "subject_pronouns",
    "subject_verbs",
    "family_status_verbs",
    "age_words",
    "third_person",
    "writer_first_person",
    "tenure_words",
    "life_event_words",
    "weak_onset_words",
    "span_leaders",
    "resolution_words",
    "relief_after",
    "relief_before",
    "onset_links",
    "explanation_words",
    "past_verbs",
    "plan_words",
    "approximators",
    "not_a_medicine",
    "not_a_role",
    "span_verbs",
    "side_words",
    "deny_clause_joiners",
    "aggravation_after",
    "function_clause_end",
    "day_start_words",
    "good_state_words",
    "chewing_words",
    "rest_words",
    "helper_words",
    "circumstance_words",
    "mood_words",
    "state_condition_words",
    "habit_start_words",
    "habit_stop_words",
    "habit_switch_words",
    "habit_not_objects",
    "exertion_after",
    "course_question_words",
)


@dataclass(frozen=True)
class WordLists:
    """Named English word lists used by the rules (``resources/wordlists.json``)."""

    version: str
    lists: dict[str, frozenset[str]]

    def __getitem__(self, name: str) -> frozenset[str]:
        return self.lists[name]


def parse_wordlists(data: dict[str, Any]) -> WordLists:
    """Validate the word lists mapping (as read from JSON).

    >>> parse_wordlists({"version": "1", "lists": {"negations": {"words": ["no"]}}})
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: word lists: unknown key(s) negations; ...
    """
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise ResourceError("word lists must be a JSON object with 'version' and 'lists'")
    raw_lists = data["lists"]
    _check_keys("word lists", raw_lists, set(WORDLIST_NAMES))
    missing = [name for name in WORDLIST_NAMES if name not in raw_lists]
    if missing:
        raise ResourceError(f"word lists: missing list(s) {', '.join(missing)}")
    lists = {}
    for name, raw in raw_lists.items():
        where = f"word list {name!r}"
        if not isinstance(raw, dict):
            raise ResourceError(f"{where}: expected an object, got {type(raw).__name__}")
        _check_keys(where, raw, {"description", "words"})
        words = raw.get("words")
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise ResourceError(f"{where}: words must be a list of non-empty strings")
        lists[name] = frozenset(w.lower() for w in words)
    return WordLists(version=str(data.get("version", "0")), lists=lists)


@lru_cache(maxsize=1)
def default_wordlists() -> WordLists:
    """The word lists shipped with the package (parsed once per process)."""
    return parse_wordlists(_read_packaged(WORDLISTS_FILE))
