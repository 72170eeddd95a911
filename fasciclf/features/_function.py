"""Function loss told in everyday words: an inability frame and an activity.

People rarely say "weak". They say what they can no longer do: "I couldn't
get the lid off the jam jar", "buttons take ages", "getting out of the bath
is a struggle". The lexicon lists many such phrases whole; this component
reads the family: an inability *frame* followed, within a few tokens of the
same clause, by an *activity* (a verb or the object it acts on), or an
activity followed by an after-frame ("... is a struggle"). The pair becomes
a lexicon match of the activity's concept and site, so negation, sides and
the timeline treat it like any other finding.

The frames, activities and blockers are a flat JSON file
(``resources/function_loss.json``) that a clinician can review; the file
travels with a saved pipeline like the lexicon does.
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
from fasciclf.features._tokens import normalise_contractions
from fasciclf.features._types import BODY_SITES, SYMPTOMS
from fasciclf.features._wordlists import default_wordlists

__all__ = [
    "FUNCTION_FILE",
    "FunctionReader",
    "FunctionTable",
    "default_function_table",
    "function_table_to_json",
    "parse_function_table",
]

FUNCTION_FILE = "function_loss.json"
# A clause ends here: "I can't run. The stairs are fine" pairs nothing.
_CLAUSE_END = default_wordlists()["sentence_end"] | default_wordlists()["function_clause_end"]
_KEYS = {"version", "description", "window", "frames", "after_frames", "blockers", "activities"}
# Optional (tables saved before they existed still load): a task handed to
# someone else ("asked me to do up her zip", "needs help with the stairs")
_HANDOVER_KEYS = ("handover_frames", "handover_blockers", "examiners")
# "the GP asked me to squeeze her fingers, then asked me to climb onto the
# couch": the examiner named earlier in the sentence still asks
_EXAMINER_REACH = 12
_SENTENCE_END = default_wordlists()["sentence_end"]
_ACTIVITY_KEYS = {"value", "site", "also", "terms"}
_ACTIVITY_VALUES = (
    "dexterity_loss",
    "function_loss",
    "head_drop",
    "foot_drop",
    "dysphagia",
    "dysarthria",
)


@dataclass(frozen=True)
class Activity:
    """One activity record: its concept (``value``), site, implied symptoms and terms."""

    value: str
    site: str
    also: tuple[str, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True)
class FunctionTable:
    """The validated contents of ``function_loss.json``."""

    version: str
    window: int
    frames: tuple[str, ...]
    after_frames: tuple[str, ...]
    blockers: tuple[str, ...]
    activities: tuple[Activity, ...]
    description: str = ""
    handover_frames: tuple[str, ...] = ()
    handover_blockers: tuple[str, ...] = ()
    examiners: tuple[str, ...] = ()


def parse_function_table(data: Any) -> FunctionTable:
    """Validate the JSON mapping of ``function_loss.json``.

    >>> t = parse_function_table({"version": "1", "window": 4, "frames": ["can't"],
    ...     "after_frames": ["is a struggle"], "blockers": ["find"],
    ...     "activities": [{"value": "dexterity_loss", "site": "hand",
    ...                     "also": ["weakness"], "terms": ["jar"]}]})
    >>> t.activities[0].site
    'hand'
    >>> parse_function_table({"version": "1"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fasciclf.features._resources.ResourceError: function_loss.json: missing keys ['activities', ...]
    """
    if not isinstance(data, dict):
        raise ResourceError(f"{FUNCTION_FILE}: expected a JSON object, got {type(data).__name__}")
    unknown = set(data) - _KEYS - set(_HANDOVER_KEYS)
    if unknown:
        raise ResourceError(
            f"{FUNCTION_FILE}: unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(_KEYS | set(_HANDOVER_KEYS))}"
        )
    missing = _KEYS - {"description"} - set(data)
    if missing:
        raise ResourceError(f"{FUNCTION_FILE}: missing keys {sorted(missing)}")
    window = data["window"]
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 12:
        raise ResourceError(
            f"{FUNCTION_FILE}: 'window' must be an integer in [1, 12], got {window!r}"
        )
    activities = []
    for i, raw in enumerate(data["activities"] if isinstance(data["activities"], list) else [None]):
        where = f"{FUNCTION_FILE}: activity {i}"
        if not isinstance(raw, dict) or set(raw) != _ACTIVITY_KEYS:
            raise ResourceError(
                f"{where}: expected an object with keys {sorted(_ACTIVITY_KEYS)}, got {raw!r:.80}"
            )
        if raw["value"] not in _ACTIVITY_VALUES:
            raise ResourceError(
                f"{where}: value must be one of {_ACTIVITY_VALUES}, got {raw['value']!r}"
            )
        if raw["site"] not in BODY_SITES:
            raise ResourceError(f"{where}: site must be one of {BODY_SITES}, got {raw['site']!r}")
        if not isinstance(raw["also"], list) or not set(raw["also"]) <= set(SYMPTOMS):
            raise ResourceError(
                f"{where}: also must list symptoms from {SYMPTOMS}, got {raw['also']!r}"
            )
        activities.append(
            Activity(
                raw["value"],
                raw["site"],
                tuple(raw["also"]),
                string_list(raw, "terms", FUNCTION_FILE),
            )
        )
    return FunctionTable(
        version=str(data["version"]),
        window=window,
        frames=string_list(data, "frames", FUNCTION_FILE),
        after_frames=string_list(data, "after_frames", FUNCTION_FILE),
        blockers=string_list(data, "blockers", FUNCTION_FILE),
        activities=tuple(activities),
        description=str(data.get("description", "")),
        **{k: string_list(data, k, FUNCTION_FILE) for k in _HANDOVER_KEYS if k in data},
    )


@lru_cache(maxsize=1)
def default_function_table() -> FunctionTable:
    """The packaged ``function_loss.json``, parsed once."""
    text = resources.files("fasciclf.features.resources").joinpath(FUNCTION_FILE).read_text("utf-8")
    return parse_function_table(json.loads(text))


def function_table_to_json(table: FunctionTable) -> dict[str, Any]:
    """The table as the JSON mapping :func:`parse_function_table` reads."""
    return {
        "version": table.version,
        "description": table.description,
        "window": table.window,
        "frames": list(table.frames),
        "after_frames": list(table.after_frames),
        "blockers": list(table.blockers),
        "activities": [
            {"value": a.value, "site": a.site, "also": list(a.also), "terms": list(a.terms)}
            for a in table.activities
        ],
        **{k: list(getattr(table, k)) for k in _HANDOVER_KEYS if getattr(table, k)},
    }


class FunctionReader(BatchedPipe, JsonResourceMixin):
    """Add frame + activity pairs to the lexicon matches of ``fasciclf_terms``.

    Runs after ``fasciclf_terms``; a pair is stored as one more match in
    ``doc.user_data["fasciclf_terms"]`` with the activity's concept and site.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("fasciclf_terms"); _ = nlp.add_pipe("fasciclf_function")
    >>> from fasciclf.features._doc import read_terms
    >>> doc = nlp("I couldn't get the lid off the jar")
    >>> [(t.value, t.site, doc[t.start:t.end].text) for t in read_terms(doc) if t.kind == "extra"]
    [('dexterity_loss', 'hand', "couldn't get the lid")]
    >>> [t.value for t in read_terms(nlp("I can't find my keys"))]
    []
    """

    resource_key = "function_loss"
    resource_file = FUNCTION_FILE

    def __init__(
        self, nlp: Language, name: str = "fasciclf_function", *, table: FunctionTable | None = None
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.set_table(table or default_function_table())

    def set_table(self, table: FunctionTable) -> None:
        """Replace the table and rebuild the patterns."""
        self.table = table
        normalise_contractions(self.nlp.vocab, self.nlp.tokenizer)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        make = self.nlp.tokenizer.pipe
        self.matcher.add("FRAME", list(make(table.frames)))
        self.matcher.add("AFTER", list(make(table.after_frames)))
        self.matcher.add("BLOCK", list(make(table.blockers)))
        self.matcher.add("HANDOVER", list(make(table.handover_frames)))
        self.matcher.add("HBLOCK", list(make(table.handover_blockers)))
        self._examiners = frozenset(table.examiners)
        strings = self.nlp.vocab.strings
        self._activity: dict[int, int] = {}
        for i, act in enumerate(table.activities):
            key = f"F{i}"
            self.matcher.add(key, list(make(act.terms)))
            self._activity[strings.add(key)] = i
        self._ids = {k: strings.add(k) for k in ("FRAME", "AFTER", "BLOCK", "HANDOVER", "HBLOCK")}
        acts = table.activities
        self._hand_objects = frozenset(i for i, a in enumerate(acts) if a.value == "dexterity_loss")
        self._reaching = frozenset(i for i, a in enumerate(acts) if a.site == "arm")

    def _pairs(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(activity index, start, end) of each frame + activity pair."""
        frames, afters, acts, handovers = [], [], [], []
        stop: set[int] = set()
        handover_stop: set[int] = set()
        ids = self._ids
        for match_id, start, end in self.matcher(doc):
            if match_id == ids["FRAME"]:
                frames.append((start, end))
            elif match_id == ids["AFTER"]:
                afters.append((start, end))
            elif match_id == ids["BLOCK"]:
                stop.update(range(start, end))
            elif match_id == ids["HANDOVER"]:
                # an examiner asking is a test of strength, not a task handed over
                if not self._examined(doc, start):
                    handovers.append((start, end))
            elif match_id == ids["HBLOCK"]:
                handover_stop.update(range(start, end))
            else:
                acts.append((start, end, self._activity[match_id]))
        if not acts or not (frames or afters or handovers):
            return []
        # the clause ends are looked up only near a frame: most texts have none
        window = self.table.window
        near = {k for f, e in frames + handovers for k in range(e, min(e + window, len(doc)))}
        near.update(k for f, _ in afters for k in range(max(f - window - 1, 0), f))
        stop.update(k for k in near if doc[k].lower_ in _CLAUSE_END)
        # "she asked me to write this", "they ask her to repeat it": the
        # teller's task or one of speech, not a limb's
        handed = _forward(
            handovers,
            acts,
            stop | handover_stop,
            window,
            len(doc),
            self._hand_objects,
            self._reaching,
        )
        return (
            _forward(frames, acts, stop, window, len(doc), self._hand_objects, self._reaching)
            + handed
            + _backward(afters, acts, stop, window)
        )

    def _examined(self, doc: Doc, start: int) -> bool:
        """Whether an examiner asks: named earlier in the sentence."""
        for k in range(start - 1, max(start - _EXAMINER_REACH, 0) - 1, -1):
            word = doc[k].lower_
            if word in _SENTENCE_END:
                return False
            if word in self._examiners:
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        terms = term_store(doc, self.name, self.nlp)
        found = []
        # the longest pair first: an overlapping shorter one of the same concept adds nothing
        for i, start, end in sorted(set(self._pairs(doc)), key=lambda p: (p[1], -p[2], p[0])):
            act = self.table.activities[i]
            record = ["extra", act.value, list(act.also), act.site, False, False]
            found.append((f"F{i}", record, start, end))
        # the frame is the loss: "cannot" before a listed activity ("open the
        # bottle") makes one finding with it, not a negation of it
        add_matches(terms, found, over_inner=True)
        return doc

    def resource_json(self) -> dict[str, Any]:
        return function_table_to_json(self.table)

    def load_resource(self, data: dict[str, Any]) -> None:
        self.set_table(parse_function_table(data))


def _forward(
    frames,
    acts,
    stop: set[int],
    window: int,
    n: int,
    hand_objects: frozenset[int] = frozenset(),
    reaching: frozenset[int] = frozenset(),
) -> list[tuple[int, int, int]]:
    """ "can't ... the lid": the first activity after each frame, before a stop.

    A hand's object gives way to an arm's reach told after it in the window
    ("couldn't get the tins onto the top shelf" is the arm).
    """
    by_start: dict[int, tuple[int, int]] = {}
    for start, end, i in acts:
        if start not in by_start or end > by_start[start][0]:  # the longest at a start
            by_start[start] = (end, i)
    out = []
    for f_start, f_end in frames:
        first = None
        for k in range(f_end, min(f_end + window, n)):
            if k in stop:
                break
            if k in by_start:
                if first is None:
                    first = (by_start[k][1], f_start, by_start[k][0])
                    if by_start[k][1] not in hand_objects:
                        break
                elif by_start[k][1] in reaching:
                    # "couldn't get the tins onto the top shelf": where the
                    # thing goes, not the thing, tells the lost doing
                    first = (by_start[k][1], f_start, by_start[k][0])
                    break
        if first is not None:
            out.append(first)
    return out


def _backward(afters, acts, stop: set[int], window: int) -> list[tuple[int, int, int]]:
    """ "the buttons ... take ages": the nearest activity before each after-frame."""
    by_end: dict[int, tuple[int, int]] = {}
    for start, end, i in acts:
        by_end.setdefault(end, (start, i))
    out = []
    for a_start, a_end in afters:
        for k in range(a_start, max(a_start - window, 0) - 1, -1):
            if k in by_end:
                out.append((by_end[k][1], by_end[k][0], a_end))
                break
            if k - 1 in stop:
                break
    return out


@Language.factory("fasciclf_function", default_config={})
def make_function(nlp: Language, name: str) -> FunctionReader:
    """Factory for :class:`FunctionReader` (packaged table)."""
    return FunctionReader(nlp, name)
