"""The course model stage (``fasciclf_course``): scoring, filling, files, builder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import spacy
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from fasciclf.features import build_nlp
from fasciclf.features._course_model import (
    COURSE_MODEL_FILE,
    CourseModel,
    CourseReader,
    course_terms,
    default_course_model,
    parse_course_model,
)
from fasciclf.features._resources import ResourceError
from fasciclf.features._types import PROGRESSIONS
from fasciclf.features.build_course_model import RULE_WEIGHT, fit

ZERO = (0.0,) * len(PROGRESSIONS)


def _literal(word: str, course: str, weight: float = 5.0) -> CourseModel:
    """A model whose only term ``word`` votes for ``course``."""
    w = tuple(weight if p == course else 0.0 for p in PROGRESSIONS)
    return CourseModel(
        classes=PROGRESSIONS,
        intercept=tuple(1.0 if p == "unknown" else 0.0 for p in PROGRESSIONS),
        rule={p: ZERO for p in PROGRESSIONS},
        terms={word: (1.0, w)},
    )


def _nlp(model: CourseModel, overrule: bool = False):
    nlp = build_nlp(course_model=False)
    nlp.add_pipe("fasciclf_course", config={"overrule": overrule})
    nlp.get_pipe("fasciclf_course").model = model
    return nlp


def test_terms_are_unigrams_then_bigrams_within_a_sentence():
    words = ["calf", "twitch", ".", "now", "both", "calves", "!"]
    sent = [0, 0, 0, 1, 1, 1, 1]
    assert course_terms(words, sent) == [
        "calf", "twitch", "now", "both", "calves",
        "calf twitch", "now both", "both calves",
    ]  # fmt: skip


def test_known_terms_are_the_known_course_terms():
    model = CourseModel(
        classes=PROGRESSIONS,
        intercept=ZERO,
        rule={},
        terms={"calf": (1.0, ZERO), "now both": (1.0, ZERO), "twitch now": (1.0, ZERO)},
    )
    words = ["calf", "twitch", ".", "now", "both", "calf"]
    sent = [0, 0, 0, 1, 1, 1]
    # "twitch now" crosses a sentence end: not a term
    assert sorted(model.known_terms(words, sent)) == ["calf", "calf", "now both"]


def test_scores_are_the_fitted_logistic_regressions():
    texts = [
        ["it", "got", "worse", "and", "spread"],
        ["it", "comes", "and", "goes"],
        ["still", "the", "same", "as", "ever"],
        ["much", "better", "now"],
        ["my", "calf", "twitches"],
    ] * 6
    gold = ["progressive", "episodic", "stable", "improving", "unknown"] * 6
    rules = ["unknown", "episodic", "unknown", "improving", "unknown"] * 6
    groups = [f"w{i % 5}" for i in range(len(texts))]
    model = fit(texts, rules, gold, groups)
    # the same estimator, fitted here on the same matrix
    vec = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True, min_df=3)
    X = vec.fit_transform(texts).toarray()
    onehot = np.array([[RULE_WEIGHT * (r == p) for p in PROGRESSIONS] for r in rules])
    lr = LogisticRegression(C=model.training["C"], max_iter=5000)
    lr.fit(np.hstack([X, onehot]), gold)
    expected = lr.decision_function(np.hstack([X, onehot]))
    got = np.array([model.scores(t, r) for t, r in zip(texts, rules, strict=True)])
    order = [list(lr.classes_).index(c) for c in model.classes]
    np.testing.assert_allclose(got, expected[:, order], atol=1e-4)


def test_fills_only_an_unknown_course_by_default():
    text = "My calf twitches and flickers."
    assert build_nlp(course_model=False)(text)._.fasciclf.progression == "unknown"
    assert _nlp(_literal("flickers", "progressive"))(text)._.fasciclf.progression == "progressive"
    # a course the rules read stands ...
    told = "My calf twitches, it comes and goes. It flickers."
    assert _nlp(_literal("flickers", "progressive"))(told)._.fasciclf.progression == "episodic"
    # ... unless the model may overrule them
    nlp = _nlp(_literal("flickers", "progressive"), overrule=True)
    assert nlp(told)._.fasciclf.progression == "progressive"


def test_improved_is_dropped_when_the_course_is_no_longer_improving():
    text = "My calf twitched for a month and it is much better now. It flickers."
    base = build_nlp(course_model=False)(text)._.fasciclf
    assert base.progression == "improving" and base.improved
    after = _nlp(_literal("flickers", "progressive"), overrule=True)(text)._.fasciclf
    assert after.progression == "progressive" and after.improved == ()


def test_empty_text_is_left_alone():
    assert _nlp(_literal("x", "progressive"))("   ")._.fasciclf.progression == "unknown"


def test_stage_needs_the_features_before_it():
    nlp = spacy.blank("en")
    nlp.add_pipe("fasciclf_course")
    with pytest.raises(ValueError, match="add it after that component"):
        nlp("my calf twitches")


def test_overrule_must_be_a_bool():
    with pytest.raises(TypeError, match="overrule must be True or False, got 'yes'"):
        CourseReader(spacy.blank("en"), overrule="yes")


def test_bytes_round_trip_and_exclude():
    model = _literal("flickers", "stable")
    nlp = _nlp(model)
    data = nlp.get_pipe("fasciclf_course").to_bytes()
    other = CourseReader(spacy.blank("en"), model=_literal("x", "episodic"))
    other.from_bytes(data)
    assert other.model.to_json() == model.to_json()
    kept = CourseReader(spacy.blank("en"), model=_literal("x", "episodic"))
    kept.from_bytes(data, exclude=["course_model"])
    assert kept.model.terms.keys() == {"x"}


def test_disk_round_trip(tmp_path):
    nlp = _nlp(_literal("flickers", "stable"))
    nlp.to_disk(tmp_path / "nlp")
    assert (tmp_path / "nlp" / "fasciclf_course" / COURSE_MODEL_FILE).exists()
    loaded = spacy.load(tmp_path / "nlp")
    assert loaded.get_pipe("fasciclf_course").model.terms.keys() == {"flickers"}
    assert loaded("My calf flickers.")._.fasciclf.progression == "stable"


P = list(PROGRESSIONS)
ONE = {"a": [1, [0] * 5]}
NAN = float("nan")


@pytest.mark.parametrize(
    "data, match",
    [
        ([], "expected a JSON object, got list"),
        ({"classes": P, "oops": 1}, r"unknown keys \['oops'\]"),
        ({"classes": ["progressive", "worse"]}, "'classes' must be the progression values"),
        ({"classes": P, "intercept": [0] * 5}, r"missing keys \['rule', 'terms'\]"),
        (
            {"classes": P, "intercept": [0] * 4, "rule": {}, "terms": ONE},
            "'intercept' must be a list of 5 numbers",
        ),
        (
            {"classes": P, "intercept": [0] * 5, "rule": {"worse": [0] * 5}, "terms": ONE},
            "'rule' must map progression values",
        ),
        (
            {"classes": P, "intercept": [0] * 5, "rule": {}, "terms": {"a": [1, [0, 0]]}},
            "the weights of 'a' must be a list of 5 numbers",
        ),
        (
            {"classes": P, "intercept": [0] * 5, "rule": {}, "terms": {"a": [NAN, [0] * 5]}},
            "must hold finite numbers",
        ),
        ({"classes": P, "intercept": [0] * 5, "rule": {}, "terms": {}}, "non-empty"),
    ],
)  # fmt: skip
def test_bad_model_files_are_refused_with_the_reason(data, match):
    with pytest.raises(ResourceError, match=match):
        parse_course_model(data)


def test_packaged_model_is_valid_and_says_how_it_was_built():
    model = default_course_model()
    assert sorted(model.classes) == sorted(PROGRESSIONS)
    assert set(model.rule) == set(PROGRESSIONS)
    assert model.training["rows"] > 1000
    assert model.training["cv"].startswith("GroupKFold")
    assert parse_course_model(json.loads(json.dumps(model.to_json()))).to_json() == model.to_json()


def test_the_default_pipeline_has_no_course_stage():
    assert "fasciclf_course" not in build_nlp().pipe_names
    assert build_nlp(course_model=True).pipe_names[-1] == "fasciclf_course"
    with pytest.raises(TypeError, match="course_model must be True or False, got 1"):
        build_nlp(course_model=1)


def test_pipe_reads_as_calling_one_doc_at_a_time():
    nlp = _nlp(_literal("flickers", "progressive"))
    texts = ["My calf flickers.", "My calf twitches.", "", "It comes and goes. It flickers."]
    piped = [d._.fasciclf.progression for d in nlp.pipe(texts, batch_size=2)]
    assert piped == [nlp(t)._.fasciclf.progression for t in texts]
    assert piped == ["progressive", "unknown", "unknown", "episodic"]
