"""train(): labels it refuses, versions from content, and the model-based red-flag safety net."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fasciclf.models import (
    RULES,
    SymptomClassifier,
    load_model,
    predict,
    predict_many,
    save_model,
    train,
)
from fasciclf.models._prediction import MODEL_FLAG_CODE
from fasciclf.models._train import model_version, red_flag_threshold

MND = "possible_motor_neuron_disease"
TEXTS = [
    "my calf twitches, strength is fine",
    "eyelid twitching for a week",
    "thigh twitching after running, no weakness",
    "random twitches in my arms, grip normal",
    "both feet numb and burning",
    "pins and needles in my toes",
    "numb soles at night, diabetic",
    "burning tingling feet for months",
    "hand getting weaker, cannot turn a key",
    "my leg drags and the thigh muscle shrank",
    "slurred speech and weak grip for months",
    "arm weaker each month, muscle thinning",
]
LABELS = ["benign"] * 4 + ["neuropathy"] * 4 + [MND] * 4


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize("missing", [None, np.nan, float("nan"), "", "   ", pd.NA])
def test_train_refuses_missing_labels_naming_the_rows(missing):
    labels = list(LABELS)
    labels[3] = missing
    labels[7] = missing
    with pytest.raises(ValueError, match=r"2 row\(s\) have none .*rows 3, 7"):
        train(TEXTS, labels, kind="text", cv=2, params={"min_df": 1})


def test_train_refuses_missing_labels_in_a_series():
    labels = pd.Series(LABELS, dtype="object")
    labels[5] = np.nan
    with pytest.raises(ValueError, match="rows 5 "):
        train(TEXTS, labels, kind="text", cv=2, params={"min_df": 1})


# ---------------------------------------------------------------- versions


def test_two_hyperparameter_settings_give_two_versions():
    a = SymptomClassifier(kind="text", min_df=1, C=1.0).fit(TEXTS, LABELS)
    b = SymptomClassifier(kind="text", min_df=1, C=3.0).fit(TEXTS, LABELS)
    assert not np.array_equal(a.predict_proba(TEXTS), b.predict_proba(TEXTS))
    assert model_version(a) != model_version(b)
    # n_jobs does not change the model, so not its version either
    c = SymptomClassifier(kind="text", min_df=1, C=1.0, n_jobs=2).fit(TEXTS, LABELS)
    assert model_version(a) == model_version(c)
    # other data, other version
    d = SymptomClassifier(kind="text", min_df=1).fit(TEXTS[::-1][:-1] + ["x"], LABELS[::-1])
    assert model_version(a) != model_version(d)


@pytest.mark.parametrize("suffix", [".skops", ".joblib"])
def test_version_is_stable_across_save_and_load(tmp_path, suffix):
    model = train(TEXTS, LABELS, kind="text", cv=2, param_grid={"C": [1.0]}, params={"min_df": 1})
    path = save_model(model, tmp_path / f"m{suffix}")
    loaded = load_model(path, trusted=True if suffix == ".joblib" else False)
    text = "numb toes"
    assert predict(text, model=loaded).model_version == predict(text, model=model).model_version
    assert model_version(loaded) == model.metadata_["model_version"]


# ---------------------------------------------------------------- GridSearchCV


def test_train_reports_the_grid_search():
    model = train(
        TEXTS, LABELS, kind="text", cv=2, param_grid={"C": [0.3, 3.0]}, params={"min_df": 1}
    )
    assert [r["params"]["C"] for r in model.search_results_] == [0.3, 3.0]
    assert model.C in (0.3, 3.0)
    best = max(model.search_results_, key=lambda r: r["accuracy"])
    assert model.cv_metrics_["accuracy"] == best["accuracy"]
    assert len(model.cv_metrics_["per_fold"]) == model.cv_metrics_["n_splits"] == 2


# ---------------------------------------------------------------- the safety net


def test_threshold_reaches_the_sensitivity_and_falls_as_it_rises():
    rng = np.random.default_rng(0)
    y = np.array(["mnd"] * 40 + ["ok"] * 60)
    p_mnd = np.concatenate([rng.uniform(0.2, 1.0, 40), rng.uniform(0.0, 0.6, 60)])
    proba = np.column_stack([p_mnd, 1 - p_mnd])
    last = 1.0
    for target in (0.5, 0.8, 0.9, 0.95, 1.0):
        t = red_flag_threshold(y, proba, ["mnd", "ok"], ["mnd"], target)
        assert np.mean(p_mnd[y == "mnd"] >= t) >= target
        # the largest such threshold: a hair higher misses the target
        assert np.mean(p_mnd[y == "mnd"] >= np.nextafter(t, 2)) < target
        assert t <= last
        last = t
    assert red_flag_threshold(y, proba, ["mnd", "ok"], [], 0.95) is None


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.95])
def test_confidence_bound_is_the_binomial_order_statistic(confidence):
    from scipy.stats import binom

    rng = np.random.default_rng(1)
    n, target = 300, 0.95
    p_mnd = rng.uniform(0.0, 1.0, n)
    proba = np.column_stack([p_mnd, 1 - p_mnd])
    y = np.array(["mnd"] * n)
    t = red_flag_threshold(y, proba, ["mnd", "ok"], ["mnd"], target, confidence=confidence)
    point = red_flag_threshold(y, proba, ["mnd", "ok"], ["mnd"], target)
    below = int(np.sum(p_mnd < t))  # t is the (below + 1)-th lowest score
    # the bound's order statistic passes the confidence; one higher does not
    assert binom.sf(below, n, 1 - target) >= confidence
    assert binom.sf(below + 1, n, 1 - target) < confidence
    assert t <= point


def test_confidence_bound_is_the_lowest_score_when_too_few_positives():
    y = np.array(["mnd", "mnd", "ok"])
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.1, 0.9]])
    assert red_flag_threshold(y, proba, ["mnd", "ok"], ["mnd"], 0.99, confidence=0.95) == 0.3


def test_train_learns_the_threshold_from_out_of_fold_probabilities():
    model = train(TEXTS, LABELS, kind="text", cv=2, param_grid={"C": [1.0]}, params={"min_df": 1})
    assert model.red_flag_classes_ == [MND]
    assert 0.0 < model.red_flag_threshold_ < 1.0
    assert model.metadata_["red_flag_threshold"] == model.red_flag_threshold_
    off = train(
        TEXTS,
        LABELS,
        kind="text",
        cv=2,
        param_grid={"C": [1.0]},
        params={"min_df": 1, "red_flag_sensitivity": None},
    )
    assert off.red_flag_threshold_ is None
    mine = train(
        TEXTS,
        LABELS,
        kind="text",
        cv=2,
        param_grid={"C": [1.0]},
        params={"min_df": 1, "red_flag_classes": ["neuropathy"]},
    )
    assert mine.red_flag_classes_ == ["neuropathy"]


def test_threshold_is_the_median_of_repeated_out_of_fold_passes():
    groups = [f"g{i % 6}" for i in range(len(TEXTS))]
    kw = dict(kind="text", cv=2, param_grid={"C": [1.0]}, params={"min_df": 1}, groups=groups)
    one = train(TEXTS, LABELS, **kw)
    three = train(TEXTS, LABELS, threshold_repeats=3, **kw)
    assert len(one.red_flag_thresholds_) == 1
    assert len(three.red_flag_thresholds_) == 3
    assert three.red_flag_thresholds_[0] == one.red_flag_threshold_  # the first pass is the same
    assert three.red_flag_threshold_ == pytest.approx(np.median(three.red_flag_thresholds_))
    assert three.metadata_["red_flag_thresholds"] == three.red_flag_thresholds_
    assert len(three.cv_other_folds_) == 2 and one.cv_other_folds_ == []
    assert set(three.cv_other_folds_[0]) >= {"accuracy", "top3", "macro_f1"}
    assert three.metadata_["cv_other_folds"] == three.cv_other_folds_
    assert three.cv_metrics_ == one.cv_metrics_  # metrics come from the first pass only


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_threshold_repeats_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="threshold_repeats must be an integer >= 1"):
        train(TEXTS, LABELS, kind="text", cv=2, threshold_repeats=bad)


@pytest.fixture(scope="module")
def always_flags():
    model = SymptomClassifier(kind="text", min_df=1).fit(TEXTS, LABELS)
    model.red_flag_threshold_ = 0.0  # every text passes: shows where the flag may appear
    return model


def test_model_flag_only_when_no_rule_fired(always_flags):
    ruled = predict("My hand is getting weaker and the muscle is wasting.", model=always_flags)
    assert ruled.red_flags and all(f.code != MODEL_FLAG_CODE for f in ruled.red_flags)
    quiet = predict("my calf twitches", model=always_flags)
    assert [f.code for f in quiet.red_flags] == [MODEL_FLAG_CODE]
    flag = quiet.red_flags[0]
    assert flag.probability == pytest.approx(quiet.probabilities[MND])
    assert flag.to_dict()["probability"] == flag.probability
    assert "No rule fired" in flag.reason
    many = predict_many(["my calf twitches"], model=always_flags)
    assert many[0].red_flags == quiet.red_flags


def test_model_flag_respects_the_threshold(always_flags):
    import copy

    strict = copy.copy(always_flags)
    strict.red_flag_threshold_ = 1.01
    assert predict("my calf twitches", model=strict).red_flags == ()


def test_model_flag_when_a_red_flag_class_is_the_top_suggestion(always_flags):
    import copy

    strict = copy.copy(always_flags)
    strict.red_flag_threshold_ = 1.01  # the summed probability never reaches it
    # no rule fires on this text; the text model's top suggestion is MND
    text = "the key each month"
    pred = predict(text, model=strict)
    assert pred.label == MND and pred.probabilities[MND] < 1.01
    assert [f.code for f in pred.red_flags] == [MODEL_FLAG_CODE]
    assert "most likely category is possible_motor_neuron_disease" in pred.red_flags[0].reason
    # not when the top suggestion is another category
    assert predict("pins and needles in my toes", model=strict).red_flags == ()


def test_model_flag_code_is_not_a_rule_code():
    codes = {getattr(r, "code", None) or r[0] for r in RULES}
    assert MODEL_FLAG_CODE not in codes
