"""Misspelt lexicon words read as the words (the spelling component)."""

from __future__ import annotations

import pytest
import spacy

from fasciclf.features import build_nlp, extract
from fasciclf.features._spelling import SpellingNormalizer


@pytest.fixture(scope="module")
def speller():
    return SpellingNormalizer(spacy.blank("en"))


@pytest.mark.parametrize(
    ("word", "read_as"),
    [
        ("weekness", "weakness"),  # "weeknes" is in the lexicon too: the English word wins
        ("fasiculations", "fasciculations"),
        ("numbess", "numbness"),
        ("tingeling", "tingling"),
        ("stifness", "stiffness"),
        ("sholder", "shoulder"),
        ("atrohpy", "atrophy"),
    ],
)
def test_a_misspelling_one_edit_from_a_lexicon_word_is_read_as_it(speller, word, read_as):
    assert speller.correction(word) == read_as


@pytest.mark.parametrize(
    "word",
    [
        "camping",  # an English word, one edit from "cramping"
        "neighbours",  # British spelling, absent from the American word list
        "nighter",  # "tighter" only by changing the first letter
        "rehydration",  # "dehydration" likewise
        "twitching",  # a lexicon word itself
        "crampes",  # "cramps" and "cramped": two English words, no choice
        "numb",  # shorter than min_length
        "tw1tching",  # not letters only
    ],
)
def test_words_left_alone(speller, word):
    assert speller.correction(word) is None


def test_extraction_reads_the_misspelt_text_as_the_clean_one():
    clean = extract("Both calves twitching for months, numbness in my feet, no weakness.")
    typo = extract("Both calves twiching for months, numbess in my feet, no weekness.")
    assert typo.symptoms == clean.symptoms
    assert typo.body_sites == clean.body_sites


def test_the_evidence_keeps_the_writers_spelling():
    text = "My left shoulder has fasiculations."
    f = extract(text)
    twitch = [x for x in f.findings if x.concept == "twitching"]
    assert [text[x.start : x.end] for x in twitch] == ["fasiculations"]
    assert [x.text for x in twitch] == ["fasiculations"]


def test_spelling_can_be_switched_off():
    off = build_nlp(spelling=False)
    assert "fasciclf_spelling" not in off.pipe_names
    assert extract("no weekness", nlp=off).symptoms["weakness"] == "not_mentioned"
    assert extract("no weekness", nlp=build_nlp()).symptoms["weakness"] == "absent"


def test_bad_settings_are_named():
    with pytest.raises(TypeError, match="spelling must be True or False, got 'yes'"):
        build_nlp(spelling="yes")
    with pytest.raises(ValueError, match=r"min_length must be an int >= 4, got 2"):
        SpellingNormalizer(spacy.blank("en"), min_length=2)


def test_factory_config_reaches_the_component():
    nlp = spacy.blank("en")
    comp = nlp.add_pipe("fasciclf_spelling", config={"min_length": 9})
    assert comp.min_length == 9
    assert [t.lower_ for t in nlp("no weekness")] == ["no", "weekness"]  # 8 < 9 letters


def test_empty_doc():
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_spelling")
    assert len(nlp("")) == 0
