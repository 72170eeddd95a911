"""Signs told as what happened to a body part: a part and a state, near each other.

People describe what they see, not the sign's name: "her lids dropped while
we watched", "one eyelid hangs a bit", "the back of my hand looked bony",
"he sees the telly doubled", "chewing her dinner tires her jaw". The
lexicon lists many such phrases whole; this component reads the family: a
*part* ("eyelid", "hand", "voice") and a *state* ("hangs", "bony",
"nasal") of the same record, in either order, within the record's window
and in one clause, with no blocker between ("my hands have always been
bony" is a build, not a change). The pair becomes a lexicon match of the
record's concept, so negation, sides and the timeline treat it like any
other finding.

The records are a flat JSON file (``resources/signs.json``) that a
clinician can review; it travels with a saved pipeline like the lexicon.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from fasciclf.features._doc import BatchedPipe, add_matches, term_store
from fasciclf.features._resources import ResourceError, string_list
from fasciclf.features._serialize import JsonResourceMixin
from fasciclf.features._tokens import normalise_contractions, token_view
from fasciclf.features._types import BODY_SITES, SYMPTOMS
from fasciclf.features._wordlists import default_wordlists

__all__ = [
    "SIGNS_FILE",
    "SignReader",
    "SignRecord",
    "SignTable",
    "default_sign_table",
    "parse_sign_table",
    "sign_table_to_json",
]

SIGNS_FILE = "signs.json"
_CLAUSE_END = default_wordlists()["sentence_end"] | default_wordlists()["function_clause_end"]
_KEYS = {"version", "description", "blockers", "records"}
_RECORD_KEYS = {"kind", "value", "site", "also", "window", "parts", "states"}
# The concepts a pair may name, with the lexicon kind each has there.
_VALUES = {
    "ptosis": "extra",
    "diplopia": "extra",
    "atrophy": "symptom",
    "dysarthria": "extra",
    "dysphagia": "extra",
    "foot_drop": "extra",
    "dexterity_loss": "extra",
    "fatigability": "extra",
    "facial_weakness": "extra",
    "weakness": "symptom",
    "sensory": "symptom",
    "twitching": "symptom",
    "fatigue": "symptom",
    "heaviness": "extra",
    "drooling": "extra",
    "head_drop": "extra",
    "respiratory": "extra",
}


@dataclass(frozen=True)
class SignRecord:
    """One family: its concept, site, implied symptoms, reach, parts and states."""

    kind: str
    value: str
    site: str | None
    also: tuple[str, ...]
    window: int
    parts: tuple[str, ...]
    states: tuple[str, ...]


@dataclass(frozen=True)
class SignTable:
    """The validated contents of ``signs.json``."""

    version: str
    blockers: tuple[str, ...]
    records: tuple[SignRecord, ...]
    description: str = ""


def _record(i: int, raw: Any) -> SignRecord:
    where = f"{SIGNS_FILE}: record {i}"
    if not isinstance(raw, dict) or set(raw) != _RECORD_KEYS:
        raise ResourceError(
            f"{where}: expected an object with keys {sorted(_RECORD_KEYS)}, got {raw!r:.80}"
        )
    if _VALUES.get(raw["value"]) != raw["kind"]:
        allowed = sorted(f"{k}:{v}" for v, k in _VALUES.items())
        raise ResourceError(
            f"{where}: kind:value must be one of {allowed}, got {raw['kind']}:{raw['value']}"
        )
    if raw["site"] is not None and raw["site"] not in BODY_SITES:
        raise ResourceError(
            f"{where}: site must be null or one of {BODY_SITES}, got {raw['site']!r}"
        )
    if not isinstance(raw["also"], list) or not set(raw["also"]) <= set(SYMPTOMS):
        raise ResourceError(
            f"{where}: also must list symptoms from {SYMPTOMS}, got {raw['also']!r}"
        )
    window = raw["window"]
    if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= 6:
        raise ResourceError(f"{where}: 'window' must be an integer in [0, 6], got {window!r}")
    return SignRecord(
        raw["kind"],
        raw["value"],
        raw["site"],
        tuple(raw["also"]),
        window,
        string_list(raw, "parts", where),
        string_list(raw, "states", where),
    )


def parse_sign_table(data: Any) -> SignTable:
    """Validate the JSON mapping of ``signs.json``.

    >>> t = parse_sign_table({"version": "1", "blockers": ["always"], "records": [
    ...     {"kind": "extra", "value": "ptosis", "site": "head_face", "also": [],
    ...      "window": 3, "parts": ["eyelid"], "states": ["hangs"]}]})
    >>> t.records[0].value, t.records[0].window
    ('ptosis', 3)
    >>> parse_sign_table({"version": "1", "blockers": ["always"], "records": [
    ...     {"kind": "extra", "value": "wasting", "site": None, "also": [],
    ...      "window": 3, "parts": ["hand"], "states": ["bony"]}]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: signs.json: record 0: kind:value must be one of [...
    """
    if not isinstance(data, dict):
        raise ResourceError(f"{SIGNS_FILE}: expected a JSON object, got {type(data).__name__}")
    unknown = set(data) - _KEYS
    if unknown:
        raise ResourceError(
            f"{SIGNS_FILE}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}"
        )
    missing = _KEYS - {"description"} - set(data)
    if missing:
        raise ResourceError(f"{SIGNS_FILE}: missing keys {sorted(missing)}")
    raw_records = data["records"]
    if not isinstance(raw_records, list) or not raw_records:
        raise ResourceError(f"{SIGNS_FILE}: 'records' must be a non-empty list")
    return SignTable(
        version=str(data["version"]),
        blockers=string_list(data, "blockers", SIGNS_FILE),
        records=tuple(_record(i, r) for i, r in enumerate(raw_records)),
        description=str(data.get("description", "")),
    )


@lru_cache(maxsize=1)
def default_sign_table() -> SignTable:
    """The packaged ``signs.json``, parsed once."""
    text = resources.files("fasciclf.features.resources").joinpath(SIGNS_FILE).read_text("utf-8")
    return parse_sign_table(json.loads(text))


def sign_table_to_json(table: SignTable) -> dict[str, Any]:
    """The table as the JSON mapping :func:`parse_sign_table` reads."""
    return {
        "version": table.version,
        "description": table.description,
        "blockers": list(table.blockers),
        "records": [
            {
                "kind": r.kind,
                "value": r.value,
                "site": r.site,
                "also": list(r.also),
                "window": r.window,
                "parts": list(r.parts),
                "states": list(r.states),
            }
            for r in table.records
        ],
    }


class SignReader(BatchedPipe, JsonResourceMixin):
    """Add part + state pairs to the lexicon matches of ``fasciclf_terms``.

    Runs after ``fasciclf_terms``; a pair is stored as one more match in
    ``doc.user_data["fasciclf_terms"]`` with the record's concept and site.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("fasciclf_terms"); _ = nlp.add_pipe("fasciclf_signs")
    >>> from fasciclf.features._doc import read_terms
    >>> doc = nlp("by supper her eyelids had dropped")
    >>> [(t.value, doc[t.start:t.end].text) for t in read_terms(doc) if t.key.startswith("G")]
    [('ptosis', 'eyelids had dropped')]
    >>> doc = nlp("my hands have always been bony")
    >>> [t.value for t in read_terms(doc) if t.key.startswith("G")]
    []
    """

    resource_key = "signs"
    resource_file = SIGNS_FILE

    def __init__(
        self, nlp: Language, name: str = "fasciclf_signs", *, table: SignTable | None = None
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.set_table(table or default_sign_table())

    def set_table(self, table: SignTable) -> None:
        """Replace the table and rebuild the patterns."""
        self.table = table
        normalise_contractions(self.nlp.vocab, self.nlp.tokenizer)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        make = self.nlp.tokenizer.pipe
        strings = self.nlp.vocab.strings
        self.matcher.add("BLOCK", list(make(table.blockers)))
        self._block = strings.add("BLOCK")
        # One match id per set of (record, role) a phrase has, whatever the
        # records listing it: "hand" is a part of many records, and an id per
        # record and role made the matcher's output (and the loop over it)
        # several times longer.
        roles: dict[str, dict[tuple[int, bool], None]] = {}
        for i, rec in enumerate(table.records):
            for role, terms in ((True, rec.parts), (False, rec.states)):
                for term in terms:
                    roles.setdefault(term, {})[(i, role)] = None
        phrases: dict[tuple[tuple[int, bool], ...], list[str]] = {}
        for term, of in roles.items():
            phrases.setdefault(tuple(of), []).append(term)
        # match id -> (record index, whether it is a part rather than a state)
        # of its phrases, and the records they are a part or a state of
        self._roles: dict[int, tuple[tuple[int, bool], ...]] = {}
        self._part_of: dict[int, frozenset[int]] = {}
        self._state_of: dict[int, frozenset[int]] = {}
        for k, (of, terms) in enumerate(phrases.items()):
            key = strings.add(f"G{k}")
            self.matcher.add(f"G{k}", list(make(terms)))
            self._roles[key] = of
            self._part_of[key] = frozenset(i for i, is_part in of if is_part)
            self._state_of[key] = frozenset(i for i, is_part in of if not is_part)

    def _pairs(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(record index, start, end) of each part + state pair."""
        found: list[tuple[int, int, int]] = []
        with_part: set[int] = set()
        with_state: set[int] = set()
        stop: set[int] = set()
        for match_id, start, end in self.matcher(doc):
            if match_id == self._block:
                stop.update(range(start, end))
                continue
            found.append((match_id, start, end))
            with_part |= self._part_of[match_id]
            with_state |= self._state_of[match_id]
        # only records with a part and a state in the text can pair (few texts have one)
        paired = with_part & with_state
        parts: dict[int, list[tuple[int, int]]] = {}
        states: dict[int, list[tuple[int, int]]] = {}
        for match_id, start, end in found if paired else ():
            for i, is_part in self._roles[match_id]:
                if i in paired:
                    (parts if is_part else states).setdefault(i, []).append((start, end))

        words = token_view(doc).words  # built once per Doc, shared with later stages

        def open_(k: int) -> bool:
            return k not in stop and words[k] not in _CLAUSE_END

        return [
            pair
            for i, found in parts.items()
            if i in states
            for pair in _near(i, found, states[i], self.table.records[i].window, open_, len(doc))
        ]

    def __call__(self, doc: Doc) -> Doc:
        terms = term_store(doc, self.name, self.nlp)
        found = []
        for i, start, end in sorted(set(self._pairs(doc))):
            rec = self.table.records[i]
            record = [rec.kind, rec.value, list(rec.also), rec.site, False, False]
            found.append((f"G{i}", record, start, end))
        add_matches(terms, found)
        return doc

    def resource_json(self) -> dict[str, Any]:
        return sign_table_to_json(self.table)

    def load_resource(self, data: dict[str, Any]) -> None:
        self.set_table(parse_sign_table(data))


def _near(i, parts, states, window: int, open_, n: int) -> list[tuple[int, int, int]]:
    """Pairs of record ``i``: each part with the states a few open tokens after or before it.

    Only the few tokens beside each part are looked at, so the time stays
    linear in the number of parts.
    """
    by_start: dict[int, list[int]] = {}
    by_end: dict[int, list[int]] = {}
    for s_start, s_end in states:
        by_start.setdefault(s_start, []).append(s_end)
        by_end.setdefault(s_end, []).append(s_start)
    out = []
    # a list is built only where a state is (in Python 3.11 each comprehension
    # is a function call, and most tokens beside a part start or end none)
    for p_start, p_end in parts:
        for k in range(p_end, min(p_end + window, n - 1) + 1):
            s_ends = by_start.get(k)
            if s_ends is not None:
                out += [(i, p_start, s_end) for s_end in s_ends]
            if k >= n or not open_(k):
                break
        for k in range(p_start, max(p_start - window, 0) - 1, -1):
            s_starts = by_end.get(k)
            if s_starts is not None:
                out += [(i, s_start, p_end) for s_start in s_starts]
            if k == 0 or not open_(k - 1):
                break
    return out


@Language.factory("fasciclf_signs", default_config={})
def make_signs(nlp: Language, name: str) -> SignReader:
    """Factory for :class:`SignReader` (packaged table)."""
    return SignReader(nlp, name)
