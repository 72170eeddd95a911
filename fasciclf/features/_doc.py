"""What the components write on the Doc, and the extensions that read it.

Components talk only through the Doc, in serialisable form (plain lists,
strings and numbers, so ``nlp.pipe(n_process=2)``, ``Doc.to_bytes`` and
``DocBin`` work). Stage data lives in ``doc.user_data`` as compact lists,
because building a ``Span`` object per match costs more than the rules that
read it; the findings are spans.

``doc.user_data["fasciclf_terms"]``
    ``{"matches": [[record key, start, end], ...], "records": {key: record}}``:
    every lexicon match (token offsets) and the lexicon records they point to.
``doc.user_data["fasciclf_targets"]``
    ``{"matches": [...], "status": [...]}``: the matches a ConText status was
    given to, and that status (``None`` is present).
``doc.spans["fasciclf"]``
    the findings, labelled by concept, with ``span._.concept``,
    ``span._.status``, ``span._.body_sites`` and ``span._.side``
    (``displacy.render(doc, style="span", options={"spans_key": "fasciclf"})``).
``doc._.fasciclf``
    the :class:`~fasciclf.features.SymptomFeatures` (stored as its ``to_dict()``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch, raise_error

from fasciclf.features._types import SymptomFeatures

TERMS_KEY = "fasciclf_terms"
TARGETS_KEY = "fasciclf_targets"
FINDINGS_KEY = "fasciclf"
FEATURES_KEY = "fasciclf_features"
TEXT_KEY = "fasciclf_text"


class Term(NamedTuple):
    """A lexicon match as read back from ``doc.spans["fasciclf_terms"]``."""

    kind: str
    value: str
    start: int  # token offsets
    end: int
    key: str
    also: tuple[str, ...] = ()
    site: str | None = None
    bilateral: bool = False
    needs_site: bool = False


class BatchedPipe:
    """``pipe`` for a component that reads one Doc per call: each batch of
    Docs goes through the component before the next component sees it.

    Without ``pipe``, spaCy passes each Doc through every component in turn,
    so each component starts every Doc cold, its patterns, word lists and
    code pushed out of the CPU caches by the other components; a batch at a
    time, the same work took about a fifth less time. Each Doc is still
    read on its own, so the results are the same (the spelling component
    corrects a word on the vocabulary for good, and a Doc's words are all
    corrected before the next component reads that Doc either way).
    """

    name: str
    _error_handler: Callable[..., Any] = staticmethod(raise_error)

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Apply the component to ``docs`` a batch at a time, yielding them in order."""
        handler = self.get_error_handler()
        for batch in minibatch(docs, size=batch_size):
            for doc in batch:
                try:
                    doc = self(doc)  # type: ignore[operator]
                except Exception as e:
                    handler(self.name, self, [doc], e)
                    continue
                yield doc

    # spaCy's error-handler protocol, as its own components have it
    def set_error_handler(self, error_handler: Callable[..., Any]) -> None:
        self._error_handler = error_handler

    def get_error_handler(self) -> Callable[..., Any]:
        return self._error_handler


# Parsed stage data per Doc, valid while doc.user_data holds the same object;
# dropped with the Doc and never stored on it (the Doc stays serialisable).
_PARSED: weakref.WeakKeyDictionary[Doc, dict[str, tuple[Any, Any]]] = weakref.WeakKeyDictionary()
_PARSED_LOCK = threading.Lock()


def _cached(doc: Doc, key: str, source: Any) -> Any:
    with _PARSED_LOCK:
        entry = _PARSED.get(doc, {}).get(key)
    return entry[1] if entry is not None and entry[0] is source else None


def remember(doc: Doc, key: str, value: Any) -> None:
    """Keep the parsed form of ``doc.user_data[key]`` for the later components."""
    with _PARSED_LOCK:
        _PARSED.setdefault(doc, {})[key] = (doc.user_data[key], value)


def read_terms(doc: Doc, key: str = TERMS_KEY) -> list[Term]:
    """The lexicon matches stored under ``doc.user_data[key]``, in stored order.

    The lexicon records they point to are those stored by ``fasciclf_terms``.
    """
    data = doc.user_data.get(key)
    terms = doc.user_data.get(TERMS_KEY)
    if data is None or terms is None:
        return []
    cached = _cached(doc, key, data)
    if cached is not None:
        return cached
    records = terms["records"]
    # Term._make builds the tuple directly: the class call parses keywords
    # and defaults on every call, which took twice as long per term
    make = Term._make
    out = []
    for rec_key, start, end in data["matches"]:
        kind, value, also, site, bilateral, needs_site = records[rec_key]
        fields = (kind, value, start, end, rec_key, tuple(also), site, bilateral, needs_site)
        out.append(make(fields))
    remember(doc, key, out)
    return out


def term_store(doc: Doc, owner: str, nlp: Language) -> dict[str, Any]:
    """The match store ``fasciclf_terms`` wrote on ``doc``, for a component that adds to it.

    Raises a ValueError naming the fix when ``fasciclf_terms`` has not run
    (``nlp``, the owner's pipeline, is read only then: its pipe names are
    rebuilt on every access).
    """
    terms = doc.user_data.get(TERMS_KEY)
    if terms is None:
        raise ValueError(
            f"{owner} needs the matches of fasciclf_terms: add it after "
            f"'fasciclf_terms' (pipeline: {nlp.pipe_names})"
        )
    return terms


def add_matches(
    terms: dict[str, Any],
    found: list[tuple[str, list[Any], int, int]],
    *,
    over_inner: bool = False,
) -> None:
    """Add ``(key, record, start, end)`` matches to a term store, in text order.

    A match is skipped where the lexicon (or a match earlier in ``found``)
    already reads its concept on one of its tokens ("can't stand on tiptoe" is
    listed whole). With ``over_inner``, a reading wholly inside the new match
    does not stop it: "she cannot open the bottle" is one loss, where the
    lexicon alone reads "open the bottle" (which "cannot" would then negate).
    The spans read as each concept are indexed by token, so the check stays
    linear in the number of matches.
    """
    if not found:
        return
    matches = list(terms["matches"])
    known: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for k, s, e in matches:
        spans = known.setdefault(terms["records"][k][1], {})
        for i in range(s, e):
            spans.setdefault(i, []).append((s, e))
    for key, record, start, end in found:  # in the caller's order of preference
        spans = known.setdefault(record[1], {})
        if any(
            not (over_inner and start <= s and e <= end and (s, e) != (start, end))
            for i in range(start, end)
            for s, e in spans.get(i, ())
        ):
            continue
        terms["records"][key] = record
        matches.append((key, start, end))
        for i in range(start, end):
            spans.setdefault(i, []).append((start, end))
    matches.sort(key=lambda m: (m[1], -m[2]))
    terms["matches"] = matches


def features_of(doc: Doc) -> SymptomFeatures | None:
    """The assembled features (``doc._.fasciclf``), or None before assembly."""
    data = doc.user_data.get(FEATURES_KEY)
    if data is None:
        return None
    cached = _cached(doc, FEATURES_KEY, data)
    if cached is not None:
        return cached
    text = doc.user_data.get(TEXT_KEY)
    return SymptomFeatures.from_dict(data, text=doc.text if text is None else text)


def _finding_info(span: Span) -> list[Any] | None:
    group = span.doc.spans[FINDINGS_KEY] if FINDINGS_KEY in span.doc.spans else None
    if group is None:
        return None
    return group.attrs.get("info", {}).get(f"{span.start_char},{span.end_char},{span.label_}")


def _getter(index: int, default: Any):
    def get(span: Span) -> Any:
        info = _finding_info(span)
        if info is None:
            return default
        value = info[index]
        return tuple(value) if isinstance(value, list) else value

    return get


def register_extensions() -> None:
    """Register the Doc and Span extensions (idempotent)."""
    if not Doc.has_extension("fasciclf"):
        Doc.set_extension("fasciclf", getter=features_of)
    if not Doc.has_extension(FEATURES_KEY):
        # the pre-1.0 name, kept for callers of build_nlp()
        Doc.set_extension(FEATURES_KEY, getter=features_of)
    for i, (name, default) in enumerate(
        (("concept", None), ("status", None), ("body_sites", ()), ("side", None))
    ):
        if not Span.has_extension(name):
            Span.set_extension(name, getter=_getter(i, default))


register_extensions()
