"""Unit tests for fasciclf.features: context, fields, featurizer contract, bad input."""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pytest
import spacy
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fasciclf.features import (
    BODY_SITES,
    LATERALITIES,
    MAX_CHARS,
    PROGRESSIONS,
    SYMPTOMS,
    ResourceError,
    SymptomFeatures,
    SymptomFeaturizer,
    TextTruncatedWarning,
    build_nlp,
    extract,
    extract_many,
)
from fasciclf.features._resources import parse_context_rules, parse_lexicon

CORPUS = [
    "My left calf has twitched for three weeks, no weakness.",
    "Both hands go numb at night and shaking them helps.",
    "My speech is slurred and my right hand is getting weaker.",
    "",
    "Cramps in my calves after running.",
]

# (text, symptom, expected status): the context hard cases of issue 2
CONTEXT_CASES = [
    ("no weakness but twitching", "weakness", "absent"),
    ("no weakness but twitching", "twitching", "present"),
    ("twitching, not weakness", "twitching", "present"),
    ("twitching, not weakness", "weakness", "absent"),
    ("I wouldn't say my hands are weak", "weakness", "absent"),
    ("not sure if it's weakness or fatigue", "weakness", "not_mentioned"),
    ("not sure if it's weakness or fatigue", "fatigue", "not_mentioned"),
    ("neither numbness nor pain", "sensory", "absent"),
    ("neither numbness nor pain", "pain", "absent"),
    ("without any numbness", "sensory", "absent"),
    ("I don't have atrophy", "atrophy", "absent"),
    ("strength is fine", "weakness", "absent"),
    ("could this be muscle atrophy?", "atrophy", "not_mentioned"),
    ("I read that ALS causes weakness", "weakness", "not_mentioned"),
    ("no weakness, numbness or pain", "pain", "absent"),
    ("no weakness, cramps at night", "cramps", "present"),
    ("My calf twitches. However, there is no weakness.", "twitching", "present"),
    ("Numbness? No.", "sensory", "absent"),
]


@pytest.mark.parametrize(("text", "symptom", "status"), CONTEXT_CASES)
def test_context_hard_cases(text, symptom, status):
    assert extract(text).symptoms[symptom] == status


def test_family_and_historical_are_not_present():
    f = extract("My father had ALS. I had numbness last year but it went away. My calf twitches.")
    assert "als" in f.family_history
    assert f.symptoms["sensory"] == "not_mentioned"
    assert "sensory" in f.historical
    assert f.symptoms["twitching"] == "present"


def test_fear_is_not_a_finding():
    f = extract("I'm afraid it's ALS")
    assert f.present() == []
    assert "als" in f.hypothetical


def test_mission_example():
    f = extract(
        "my calves and thighs have twitched since I was young; lately my hands feel weak for "
        "ten minutes after waking and I can't hold a pen; could this be atrophy?"
    )
    assert f.body_sites == ("hand", "leg")
    assert f.duration_days == 3650
    assert f.episode_minutes == 10
    assert f.symptoms["twitching"] == "present"
    assert f.symptoms["weakness"] == "present"
    assert f.symptoms["atrophy"] == "not_mentioned"
    assert "on_waking" in f.timing


def test_site_only_where_symptom():
    f = extract("I hold my phone in my hand. My right thigh twitches.")
    assert f.body_sites == ("leg",)
    assert f.laterality == "right"


def test_relative_writer_age_sex():
    f = extract("My husband, 60, has slurred speech and his left hand is getting weaker.")
    assert (f.writer, f.age, f.sex) == ("husband", 60, "male")
    assert f.progression == "progressive"
    assert f.laterality == "left"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        # ages in words, a relation's "'s", a name with "who is", a learner's "has N years"
        ("My brother Frank, who is seventy-one, trips on his right foot.", 71),
        ("my sister's 78, her left hand is weak", 78),
        ("Hi Sam, you asked about my sister. Ellie's 29, her foot slaps down.", 29),
        ("My mother has 76 years, her legs are weak.", 76),
        ("I am taxi driver, 50 years. My back hurts down the leg.", 50),
        ("Retired hairdresser, 62. My calves cramp at night.", 62),
        ("57 here, my eyelid droops by evening", 57),
        # the age reached in the story when no age now is told; the last one
        (
            "The year I turned fifty-eight my hand went weak. At my 59th birthday I dropped a cup.",
            59,
        ),
        # a tenure is no age; nor is a friendship's length
        ("I am electrician forty years, my calf twitches.", None),
        ("written by me, her mate of forty years. Her right hand is weak.", None),
        ("It turned 30 degrees and my calves cramped.", None),
    ],
)
def test_age_told_in_everyday_ways(text, age):
    assert extract(text).age == age


def test_vocabularies_and_json_safe():
    for f in extract_many(CORPUS):
        d = f.to_dict()
        json.dumps(d)
        assert set(d["body_sites"]) <= set(BODY_SITES)
        assert d["body_sites"] == sorted(d["body_sites"])
        assert d["laterality"] in LATERALITIES
        assert d["progression"] in PROGRESSIONS
        assert set(d["symptoms"]) == set(SYMPTOMS)
        assert SymptomFeatures.from_dict(d, text=f.text) == f


def test_evidence_spans_point_into_text():
    text = "Ünïcode first. No weakness, but my LEFT calf twitches 😟 since March."
    f = extract(text)
    assert f.findings
    for finding in f.findings:
        assert text[finding.start : finding.end] == finding.text


def test_extract_many_order_and_processes():
    one = [f.to_dict() for f in extract_many(CORPUS)]
    assert one == [extract(t).to_dict() for t in CORPUS]
    two = [f.to_dict() for f in extract_many(CORPUS, n_jobs=2, batch_size=2)]
    assert one == two


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["list"]])
def test_non_string_raises_type_error(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        extract(bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        list(extract_many(["fine", bad]))


@pytest.mark.parametrize("kwargs", [{"n_jobs": 0}, {"batch_size": 0}])
def test_extract_many_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="must be a positive"):
        list(extract_many(["x"], **kwargs))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02",
        "<b>html</b>&nbsp;",
        "😀" * 50,
        "مرحبا يدي ضعيفة",
        "手有点麻",
        "a\u0301\u0302\u0303",
        "\ud800 lone",
    ],
)
def test_odd_text_never_crashes(text):
    f = extract(text)
    json.dumps(f.to_dict())


def test_empty_text_gives_empty_features():
    assert extract("  ").to_dict() == SymptomFeatures(text="  ").to_dict()


def test_long_text_truncated_with_warning():
    text = "My calf twitches. " * (MAX_CHARS // 10)
    with pytest.warns(TextTruncatedWarning, match="truncated"):
        f = extract(text)
    assert f.truncated
    assert f.text == text  # evidence still indexes the caller's text
    assert f.symptoms["twitching"] == "present"


def test_pipeline_is_blank_english_with_our_components(tmp_path):
    nlp = build_nlp()
    assert nlp.lang == "en"
    assert nlp.pipe_names == [
        "fasciclf_spelling",
        "fasciclf_terms",
        "fasciclf_function",
        "fasciclf_signs",
        "fasciclf_context",
        "fasciclf_features",
    ]
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    text = "no weakness, but my left calf twitches"
    assert loaded(text)._.fasciclf_features.to_dict() == nlp(text)._.fasciclf_features.to_dict()
    assert (tmp_path / "nlp" / "fasciclf_terms" / "lexicon.json").exists()


def test_resource_validation_names_allowed_values():
    with pytest.raises(ResourceError, match="allowed keys are"):
        parse_context_rules({"rules": [{"literal": "no", "category": "negated", "scope": 3}]})
    with pytest.raises(ResourceError, match="expected one of head_face"):
        parse_lexicon({"records": [{"kind": "site", "value": "elbowish", "terms": ["x"]}]})


# --- SymptomFeaturizer: the estimator contract by hand ---------------------


def test_featurizer_contract():
    fz = SymptomFeaturizer(batch_size=8)
    assert clone(fz).get_params() == fz.get_params()
    fz.set_params(batch_size=4)
    assert fz.batch_size == 4
    with pytest.raises(NotFittedError):
        fz.transform(CORPUS)
    X = fz.fit_transform(CORPUS)
    names = fz.get_feature_names_out()
    assert X.shape == (len(CORPUS), len(names))
    assert np.isfinite(X).all()
    empty = dict(zip(names, X[3], strict=True))
    assert (
        empty["n_present"] == 0
        and empty["log1p_words"] == 0
        and empty["laterality__unspecified"] == 1
    )
    restored = pickle.loads(pickle.dumps(fz))
    np.testing.assert_array_equal(restored.transform(CORPUS), X)
    # the spaCy pipeline is never pickled: it is rebuilt from packaged resources
    assert len(pickle.dumps(fz)) < 5000


def test_featurizer_pandas_output_and_pipeline():
    pd = pytest.importorskip("pandas")
    fz = SymptomFeaturizer().set_output(transform="pandas")
    df = fz.fit_transform(pd.Series(CORPUS))
    assert list(df.columns) == list(fz.get_feature_names_out())
    pipe = make_pipeline(SymptomFeaturizer(), StandardScaler())
    assert pipe.fit_transform(CORPUS).shape[0] == len(CORPUS)


def test_featurizer_rejects_bad_input():
    fz = SymptomFeaturizer().fit(CORPUS)
    with pytest.raises(TypeError, match="single str"):
        fz.transform("one text")
    with pytest.raises(TypeError, match="position 1"):
        fz.transform(["ok", 5])
    with pytest.raises(ValueError, match="1-D"):
        fz.transform(np.array([["a", "b"], ["c", "d"]]))


def test_featurizer_cache_is_transparent():
    cached = SymptomFeaturizer().fit(CORPUS).transform(CORPUS)
    fresh = SymptomFeaturizer(cache=False).fit(CORPUS).transform(CORPUS)
    np.testing.assert_array_equal(cached, fresh)


def test_repr_html_highlights_evidence():
    html = extract("No weakness, but my calf twitches")._repr_html_()
    assert "<mark" in html and "twitching" in html
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SymptomFeatures()._repr_html_()


@pytest.mark.parametrize(
    ("text", "whose"),
    [
        ("My left calf twitches at night.", "the writer&#x27;s own"),
        ("My partner Lyn won't post this. Her right hand is weak.", "the writer&#x27;s partner"),
        ("Update on Meg. Her thumb has been twitching since May.", "no relation named"),
    ],
)
def test_repr_html_says_whose_symptoms(text, whose):
    assert whose in extract(text)._repr_html_()


def test_featurizer_keeps_its_fitted_columns_when_the_lexicon_changes():
    # a model saved before a concept was added (or removed) still gets the
    # columns it was trained on, by name; an unknown name is an unseen column
    from fasciclf.features import SymptomFeaturizer

    fz = SymptomFeaturizer(cache=False).fit(["x"])
    names = list(fz.get_feature_names_out())
    now = fz.transform(["my left calf twitches, no weakness"])
    fz.feature_names_out_ = np.asarray(
        [names[3], "extra__a_concept_of_the_past", names[0]], dtype=object
    )
    old = fz.transform(["my left calf twitches, no weakness"])
    assert old.shape == (1, 3)
    assert old[0, 0] == now[0, 3] and old[0, 2] == now[0, 0] and old[0, 1] == 0.0


@pytest.mark.parametrize(
    ("text", "age"),
    [
        # a window of text around "34" must not cut the year "2019" to "20"
        ("34m11012345i'm here old husband 1234 im 2019", None),
        ("I'm 43 and in 2019 my calves started twitching", 43),
        ("Twitching since 2019; I am 52 years old", 52),
        ("my husband (67) has had weak legs since 2021", 67),
        (f"{'x' * 60} i am 34", 34),
    ],
)
def test_age_read_near_numbers_only(text, age):
    from fasciclf.features._age_sex import find_age

    assert find_age(text.lower()) == age


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We went to Crete in May. My left calf twitches. The hotel was lovely.",
            " My left calf twitches.",
        ),
        (
            "The food was great. No weakness at all, I still run.",
            " No weakness at all, I still run.",
        ),
        ("We went to Crete in May and ate well.", ""),
        ("Calf twitching\nand the pool was cold\nno numbness", "Calf twitching\n no numbness"),
    ],
)
def test_finding_sentences_keep_only_sentences_with_a_finding(text, expected):
    from fasciclf.features import finding_sentences

    assert finding_sentences(extract(text)) == expected
