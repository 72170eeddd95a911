"""Text as it arrives (web forms, phones, e-mail) reads as its plain form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fasciclf.features import extract, extract_many
from fasciclf.features._input import read_as

CASES = [
    "Back in March my calves started twitching. By the summer it was my arms as well. "
    "It's October now and I don't have any weakness.",
    "My left hand has got weaker over the last six weeks and I can't grip a pen. No pain.",
    "First my left foot got weak, a few months later my right hand. My wife says my left "
    "calf looks thinner. I can't swallow bread & I choke on water.",
]

FORMS = {
    "no-break spaces": lambda t: t.replace(" ", "\u00a0"),
    "tabs": lambda t: t.replace(", ", ",\t").replace(". ", ".\t"),
    "thin spaces": lambda t: t.replace(" ", "\u2009"),
    "double spaces": lambda t: t.replace(" ", "  "),
    "capitals": str.upper,
    "a line per sentence": lambda t: t.replace(". ", ".\r\n"),
    "emoji": lambda t: t.replace(". ", " \U0001f61f\U0001f62d. "),
    "emoji with a joiner": lambda t: t.replace(". ", " \U0001f469\u200d\U0001f9b3\ufe0f. "),
    "character references": lambda t: t.replace("&", "&amp;").replace("'", "&#39;"),
    "hex references": lambda t: t.replace("'", "&#x27;"),
    "markdown emphasis": lambda t: t.replace("left", "**left**").replace("weak", "_weak_"),
    "markdown bullets": lambda t: t.replace(". ", ".\n* "),
    "line separators": lambda t: t.replace(". ", "\u2028"),
}
FIELDS = ("body_sites", "laterality", "duration_days", "progression", "symptoms", "age")


def _fields(f):
    return {k: getattr(f, k) for k in FIELDS}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("text", CASES, ids=["dates", "six weeks", "sequence"])
def test_a_form_reads_as_the_plain_text(text, form):
    assert _fields(extract(FORMS[form](text))) == _fields(extract(text))


@pytest.mark.parametrize("form", FORMS)
def test_offsets_and_evidence_are_the_callers(form):
    text = FORMS[form](CASES[2])
    f = extract(text)
    assert f.text is text
    assert f.findings
    for x in f.findings:
        assert x.text == text[x.start : x.end]
    for e in f.timeline:
        if e.evidence is not None:
            assert e.evidence[0] == text[e.evidence[1] : e.evidence[2]]


def test_extract_many_maps_offsets_per_text():
    texts = [FORMS["character references"](CASES[2]), CASES[0], FORMS["double spaces"](CASES[1])]
    for text, f in zip(texts, extract_many(texts, batch_size=2), strict=True):
        assert f.text is text
        assert all(x.text == text[x.start : x.end] for x in f.findings)


def test_lone_surrogates_are_read_as_replacement_characters():
    text = "my left calf\ud800 twitches\ud800 since May"
    f = extract(text)
    assert f.symptoms["twitching"] == "present"
    assert all(x.text == text[x.start : x.end] for x in f.findings)  # the caller's characters
    json.dumps(f.to_dict())  # serialisable (ensure_ascii escapes them)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("for\u00a0three  months", "for three months"),
        ("can&#39;t &amp; won&#x27;t", "can't & won't"),
        ("fine &unknown; &amp", "fine &unknown; &amp"),  # not references: left alone
        ("a\u00a0&nbsp;b", "a  b"),  # a decoded no-break space is a space, not re-collapsed
        ("end.  \nNext", "end.  \nNext"),  # spaces before a line break are left
        ("", ""),
    ],
)
def test_read_as(text, read):
    got, origin = read_as(text)
    assert got == read
    if origin is None:
        assert len(got) == len(text)
    else:
        assert len(origin) == len(got) + 1 and origin[-1] == len(text)
        assert origin == sorted(origin)
        for i, ch in enumerate(got):
            if ch.isalnum():
                assert text[origin[i]] == ch


def test_the_corpus_reads_unchanged():
    # the written corpus has none of these characters: its texts go through as they are
    corpus = Path(__file__).resolve().parents[1] / "data" / "labeled" / "corpus.jsonl"
    lines = corpus.read_text("utf-8").splitlines()[:300]
    for line in lines:
        text = json.loads(line)["text"]
        assert read_as(text) == (text, None)


@pytest.mark.parametrize("form", FORMS)
def test_the_classifier_reads_the_plain_form_too(form):
    from fasciclf import predict

    text = CASES[2]
    plain, other = predict(text), predict(FORMS[form](text))
    assert other.label == plain.label
    assert [f.code for f in other.red_flags] == [f.code for f in plain.red_flags]
    for label, p in plain.probabilities.items():
        assert other.probabilities[label] == pytest.approx(p, abs=0.02)


RUN_ON = (
    "so this is how it started with my dad hes 67 and still does the allotment every day "
    "in march his right hand started to feel clumsy with the buttons on his coat he blamed "
    "the cold then by june he couldnt turn the key in the van and his grip was weak its "
    "september now and the left hand has started going the same way he says no pain at all"
)


def test_a_run_on_story_is_cut_into_sentences():
    from fasciclf.features._tokens import sentence_ids

    words = RUN_ON.split()
    sent = sentence_ids(words)
    starts = [words[i] for i in range(1, len(words)) if sent[i] != sent[i - 1]]
    assert len(starts) >= 3
    assert set(starts) <= {"then", "since", "by", "last", "around", "its", "no", "these",
                           "now", "i", "she", "he", "we"}  # fmt: skip
    # never right after a time word or a word that ties it on: "in march his", "and his"
    for i in range(1, len(words)):
        if sent[i] != sent[i - 1]:
            assert words[i - 1] not in {"march", "june", "and", "that", "the"}


def test_a_sentence_of_ordinary_length_is_not_cut():
    from fasciclf.features._tokens import RUN_ON as LIMIT
    from fasciclf.features._tokens import sentence_ids

    words = RUN_ON.split()[: LIMIT - 1]
    assert set(sentence_ids(words)) == {0}
