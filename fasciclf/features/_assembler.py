"""The last component: run the stages and write the findings and features on the Doc."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from fasciclf.features import _course as course
from fasciclf.features import _sites as sites
from fasciclf.features import _status as status
from fasciclf.features import _writer as writer
from fasciclf.features._doc import (
    FEATURES_KEY,
    FINDINGS_KEY,
    TERMS_KEY,
    TEXT_KEY,
    BatchedPipe,
    read_terms,
    remember,
)
from fasciclf.features._timeline import apply_timeline
from fasciclf.features._tokens import TokenView, token_view
from fasciclf.features._types import Finding, SymptomFeatures


class FeatureAssembler(BatchedPipe):
    """Turn statuses, sites and quantities into :class:`SymptomFeatures`.

    Writes the findings to ``doc.spans["fasciclf"]`` and the features to
    ``doc._.fasciclf``.

    Parameters
    ----------
    nlp : Language
        The pipeline.
    name : str
        Component name.
    side_window : int
        How far (in tokens) a side word ("left") may be before its body site.

    Examples
    --------
    >>> from fasciclf.features import build_nlp
    >>> doc = build_nlp()("no weakness, my left calf twitches")
    >>> [(s.text, s._.status, s._.body_sites, s._.side) for s in doc.spans["fasciclf"]]
    [('weakness', 'absent', (), 'unspecified'), ('twitches', 'present', ('leg',), 'left')]
    """

    def __init__(self, nlp: Language, name: str = "fasciclf_features", *, side_window: int = 4):
        self.nlp = nlp
        self.name = name
        self.side_window = side_window

    def __call__(self, doc: Doc) -> Doc:
        features, mentions = self._assemble(doc)
        doc.user_data[FEATURES_KEY] = features.to_dict()
        remember(doc, FEATURES_KEY, features)
        _write_findings(doc, features.findings, mentions)
        return doc

    def assemble(self, doc: Doc) -> SymptomFeatures:
        """The features of ``doc`` (read from what the earlier components wrote)."""
        return self._assemble(doc)[0]

    def _assemble(self, doc: Doc) -> tuple[SymptomFeatures, list[status.Mention]]:
        # Doc.text re-joins every token; callers that know the string pass it.
        text = doc.user_data.get(TEXT_KEY)
        if text is None:
            text = doc.text
        if not text.strip():
            return SymptomFeatures(text=text), []
        view = token_view(doc)
        terms = read_terms(doc, TERMS_KEY)
        mentions, cues = status.read_mentions(doc)
        sites.read_chin_support(view, mentions)
        site_list = sites.drop_manoeuvre_sites(view, sites.find_sites(terms, cues))
        free_sides = sites.place_sides(view, terms, site_list, self.side_window)
        sites.attach_sites(view, mentions, site_list, free_sides)
        # a needs_site term only counts with a body site attached
        mentions = [mt for mt in mentions if mt.sites or not mt.needs_site]
        summary = status.summarize(mentions, _felt(view, mentions))
        present_signs = [mt for mt in mentions if mt.is_sign and mt.status == "present"]
        body_sites = sorted({r for mt in present_signs for r in mt.sites})
        lower = text.lower()
        findings = course.finding_sentences(view, mentions)
        duration, episode, spans = course.durations(lower, view, findings)
        triggers, timing = course.triggers_and_timing(cues, view, mentions)
        better: set[int] = set()  # sentences that tell the course getting better
        owners = writer.finding_owners(view, terms, mentions)
        who = writer.find_writer(view, terms, mentions, owners)
        age, sex = writer.age_and_sex(lower, view, who, owners, text)
        features = SymptomFeatures(
            text=text,
            body_sites=tuple(body_sites),
            laterality=sites.laterality(present_signs, body_sites, site_list),
            duration_days=duration,
            episode_minutes=episode,
            progression=course.progression(view, mentions, cues, findings, episode, better),
            symptoms=summary.symptoms,
            triggers=triggers,
            timing=timing,
            age=age,
            sex=sex,
            writer=who[0],
            family_history=tuple(sorted(summary.family)),
            historical=tuple(sorted(summary.historical - summary.present())),
            uncertain=tuple(sorted(summary.uncertain)),
            hypothetical=tuple(sorted(summary.hypothetical)),
            extra_present=tuple(sorted(summary.extra_present)),
            findings=tuple(_finding(text, view, mt) for mt in mentions),
        )
        # The time course read as a history (dates, sequence, spread) refines
        # duration and progression and adds the timeline fields.
        view4 = (view.words, view.sent, view.starts, view.ends)
        placed = tuple((s.start, s.region) for s in site_list)
        timed = apply_timeline(
            features, doc, view4, spans=spans, sites=placed, better=frozenset(better)
        )
        return timed, mentions


_FEEL = frozenset("feel feels felt feeling".split())
_FEEL_REACH = 5  # "I feel like my legs are weaker"


def _felt(view: TokenView, mentions: list[status.Mention]) -> frozenset[int]:
    """Starts of weakness mentions told as a feeling ("my legs feel weak")."""
    out = set()
    for mt in mentions:
        # the word itself ("weak", "weaker"): "I keep tripping" is no feeling
        if mt.concept != "weakness" or mt.status != "present":
            continue
        if not view.words[mt.start].startswith("weak"):
            continue
        lo = max(mt.start - _FEEL_REACH, 0)
        before = [k for k in range(lo, mt.start) if view.sent[k] == view.sent[mt.start]]
        if any(view.words[k] in _FEEL for k in before):
            out.add(mt.start)
    return frozenset(out)


def _finding(text: str, view: TokenView, mt: status.Mention) -> Finding:
    start, end = view.starts[mt.start], view.ends[mt.end - 1]
    return Finding(
        concept=mt.concept,
        status=mt.status,
        text=text[start:end],
        start=start,
        end=end,
        body_sites=tuple(sorted(mt.sites)),
        side=sites.side_of(
            mt.explicit_sides() or ({"bilateral"} if "plural" in mt.sides else set())
        ),
    )


def _write_findings(doc: Doc, findings: tuple[Finding, ...], mentions: list) -> None:
    """Findings as spans labelled by concept (``span._.status`` etc. read the group attrs)."""
    spans = []
    info = {}
    for f, mt in zip(findings, mentions, strict=True):
        spans.append(Span(doc, mt.start, mt.end, label=f.concept))
        info[f"{f.start},{f.end},{f.concept}"] = [f.concept, f.status, list(f.body_sites), f.side]
    doc.spans[FINDINGS_KEY] = spans
    doc.spans[FINDINGS_KEY].attrs["info"] = info


@Language.factory(
    "fasciclf_features",
    assigns=["doc.spans", "doc._.fasciclf"],
    default_config={"side_window": 4},
)
def make_features(nlp: Language, name: str, side_window: int) -> FeatureAssembler:
    """Factory for :class:`FeatureAssembler`."""
    return FeatureAssembler(nlp, name, side_window=side_window)
