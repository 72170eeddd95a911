"""Term matching: the component that owns the lexicon's patterns.

Like spaCy's ``SpanRuler``: a :class:`~spacy.matcher.PhraseMatcher` (attribute
``LOWER``) over the lexicon records, every match written to
``doc.user_data["fasciclf_terms"]``, the lexicon serialised with the pipeline.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from fasciclf.features._doc import TERMS_KEY, BatchedPipe
from fasciclf.features._resources import LEXICON_FILE, Lexicon, default_lexicon, parse_lexicon
from fasciclf.features._serialize import JsonResourceMixin
from fasciclf.features._tokens import normalise_contractions


class TermMatcher(BatchedPipe, JsonResourceMixin):
    """Match the lexicon's terms; write them to ``doc.user_data["fasciclf_terms"]``.

    Parameters
    ----------
    nlp : Language
        The pipeline (its tokenizer makes the phrase patterns).
    name : str
        Component name.
    lexicon : Lexicon, optional
        Parsed lexicon; the packaged one by default.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("fasciclf_terms")
    >>> from fasciclf.features._doc import read_terms
    >>> [(t.kind, t.value, t.start) for t in read_terms(nlp("left calf twitch"))]
    [('side', 'left', 0), ('site', 'leg', 1), ('symptom', 'twitching', 2)]
    """

    def __init__(
        self, nlp: Language, name: str = "fasciclf_terms", *, lexicon: Lexicon | None = None
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.set_lexicon(lexicon or default_lexicon())

    def set_lexicon(self, lexicon: Lexicon) -> None:
        """Replace the lexicon and rebuild the patterns."""
        self.lexicon = lexicon
        normalise_contractions(self.nlp.vocab, self.nlp.tokenizer)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        strings = self.nlp.vocab.strings
        self._records: dict[int, tuple[str, list[Any]]] = {}
        for i, record in enumerate(lexicon.records):
            key = f"L{i}"
            self.matcher.add(key, list(self.nlp.tokenizer.pipe(record.terms)))
            info = [
                record.kind,
                record.value,
                list(record.also),
                record.site,
                record.bilateral,
                record.needs_site,
            ]
            self._records[strings.add(key)] = (key, info)

    def __call__(self, doc: Doc) -> Doc:
        records = self._records
        matches = []
        hit: dict[str, list[Any]] = {}
        for match_id, start, end in self.matcher(doc):
            key, info = records[match_id]
            hit[key] = info
            matches.append((key, start, end))
        doc.user_data[TERMS_KEY] = {"matches": matches, "records": hit}
        return doc

    # -- serialisation: the reviewed lexicon travels with the pipeline --------
    resource_key = "lexicon"
    resource_file = LEXICON_FILE

    def resource_json(self) -> dict[str, Any]:
        return lexicon_to_json(self.lexicon)

    def load_resource(self, data: dict[str, Any]) -> None:
        self.set_lexicon(parse_lexicon(data))


def lexicon_to_json(lexicon: Lexicon) -> dict[str, Any]:
    """The lexicon as the JSON mapping :func:`parse_lexicon` reads."""
    records = []
    for r in lexicon.records:
        rec: dict[str, Any] = {"kind": r.kind, "value": r.value, "terms": list(r.terms)}
        if r.also:
            rec["also"] = list(r.also)
        if r.site:
            rec["site"] = r.site
        if r.bilateral:
            rec["bilateral"] = True
        if r.needs_site:
            rec["needs_site"] = True
        records.append(rec)
    return {"version": lexicon.version, "records": records}


@Language.factory("fasciclf_terms", default_config={})
def make_terms(nlp: Language, name: str) -> TermMatcher:
    """Factory for :class:`TermMatcher` (packaged lexicon)."""
    return TermMatcher(nlp, name)
