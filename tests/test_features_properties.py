"""Property-based tests of extraction on hostile input (hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fasciclf.features import (
    BODY_SITES,
    LATERALITIES,
    PROGRESSIONS,
    SYMPTOM_STATUSES,
    SYMPTOMS,
    extract,
    extract_many,
)

# Arbitrary Unicode, surrogates included, plus fragments of real vocabulary so
# that the generated texts reach the rules and not only the tokenizer.
WORDS = st.sampled_from(
    [
        "no",
        "not",
        "but",
        "my",
        "left",
        "right",
        "both",
        "calf",
        "hands",
        "twitching",
        "weak",
        "numb",
        "cramps",
        "for",
        "3",
        "weeks",
        "years",
        "ago",
        "since",
        "?",
        ".",
        ",",
        "ALS",
        "could",
        "this",
        "be",
        "atrophy",
        "father",
        "had",
        "I'm",
        "34F",
        "\n",
        "😟",
        "\u202e",
        "\u0301",
        "<b>",
        "&amp;",
        "\x00",
    ]
)
TEXTS = st.one_of(
    st.text(st.characters(codec=None), max_size=300),
    st.lists(WORDS, max_size=60).map(" ".join),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_valid(text: str) -> None:
    f = extract(text)
    d = f.to_dict()
    json.dumps(d)
    assert set(d["body_sites"]) <= set(BODY_SITES)
    assert d["laterality"] in LATERALITIES
    assert d["progression"] in PROGRESSIONS
    assert set(d["symptoms"]) == set(SYMPTOMS)
    assert set(d["symptoms"].values()) <= set(SYMPTOM_STATUSES)
    for finding in f.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
    if d["duration_days"] is not None:
        assert d["duration_days"] >= 0
    assert f.text == text


@SETTINGS
@given(TEXTS)
def test_extract_never_fails_and_spans_point_at_words(text):
    _check_valid(text)


@SETTINGS
@given(TEXTS)
def test_extract_is_deterministic(text):
    assert extract(text).to_dict() == extract(text).to_dict()


@settings(max_examples=30, deadline=None)
@given(st.lists(TEXTS, max_size=12))
def test_extract_many_matches_extract(texts):
    assert [f.to_dict() for f in extract_many(texts, batch_size=3)] == [
        extract(t).to_dict() for t in texts
    ]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(TEXTS, st.integers(), st.none(), st.binary(), st.floats()), min_size=1))
def test_non_strings_raise_type_error_naming_the_type(items):
    bad = [x for x in items if not isinstance(x, str)]
    if not bad:
        list(extract_many(items))
        return
    with pytest.raises(TypeError, match=type(bad[0]).__name__):
        list(extract_many(items))


def test_one_megabyte_text_is_bounded():
    text = ("My left calf twitches and my hands are numb at night. " * 20_000)[:1_000_000]
    with pytest.warns(UserWarning, match="truncated"):
        f = extract(text)
    assert f.truncated and f.symptoms["twitching"] == "present"
