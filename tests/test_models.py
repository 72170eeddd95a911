"""SymptomClassifier and train(): the scikit-learn estimator contract, by hand."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from fasciclf.features import extract
from fasciclf.models import SymptomClassifier, cv_scores, train, training_data_sha256
from fasciclf.models._classifier import _Head

# Tiny literal corpus: three labels, eight texts each, distinct enough that
# every kind separates them.
BENIGN = [
    "My left calf has been twitching for three weeks, strength is fine.",
    "Eyelid twitching on and off for a month, worse with coffee and stress.",
    "Twitches all over my thighs at night, I can still run 10k without trouble.",
    "Random muscle twitches in my arms and legs, neurologist said strength normal.",
    "My right calf flickers when I rest, no weakness, no wasting.",
    "Twitching in both feet after exercise for two months, I feel fine otherwise.",
    "Little twitches in my biceps since exams started, grip is normal.",
    "Calf fasciculations after long runs, it stops after a day.",
]
NEUROPATHY = [
    "Both feet are numb and burning, worse at night, I have diabetes.",
    "Pins and needles in my toes spreading up to my ankles for a year.",
    "My feet feel like they are wrapped in cotton wool and my hands tingle.",
    "Burning soles every evening and numb toes, my sugar is high.",
    "Tingling and numbness in both feet in a stocking pattern.",
    "Numb toes and burning feet since chemotherapy last year.",
    "Both hands and feet tingle, I drink a lot of alcohol.",
    "Electric pains in my feet at night and numbness in my toes.",
]
MND = [
    "My right hand is getting weaker and the muscle between thumb and finger is wasting.",
    "I can't turn keys anymore, my hand is weak and thinner, twitching in my arm.",
    "My speech is slurred and I choke on water, my tongue twitches.",
    "My foot slaps when I walk and my leg is getting weaker every month.",
    "Weakness spreading from my left hand to my arm, muscles look thinner.",
    "Trouble swallowing and weak arms, the weakness is getting worse.",
    "I keep tripping, my left foot drops, and my calf is shrinking.",
    "Buttons are impossible now, both hands weak and wasted, twitching everywhere.",
]
TEXTS = BENIGN + NEUROPATHY + MND
LABELS = ["benign"] * 8 + ["neuropathy"] * 8 + ["mnd"] * 8
NEW = [
    "My calf twitches when I sit down, otherwise fine.",
    "My feet burn and tingle at night.",
    "My hand is getting weaker and thinner.",
]
FAST = {"min_df": 1, "random_state": 0, "boosting_min_samples_leaf": 3}


@pytest.fixture(scope="module")
def fitted() -> SymptomClassifier:
    return SymptomClassifier(**FAST).fit(TEXTS, LABELS)


@pytest.mark.parametrize("kind", ["hybrid", "features", "text"])
def test_each_kind_fits_and_separates(kind):
    clf = SymptomClassifier(kind=kind, **FAST).fit(TEXTS, LABELS)
    assert clf.classes_.tolist() == ["benign", "mnd", "neuropathy"]
    proba = clf.predict_proba(NEW)
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (clf.predict(TEXTS) == np.array(LABELS)).mean() >= 0.9


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "hybrid", "learner": "logistic"},
        {"kind": "features", "learner": "logistic"},
        {"kind": "features", "learner": "blend"},
        {"kind": "hybrid", "char_ngram_range": (2, 4)},
        {"kind": "hybrid", "calibration": None},
        {"kind": "hybrid", "calibration": "isotonic"},
        {"kind": "text", "calibration": "temperature"},
        {"kind": "hybrid", "calibration": "sigmoid"},
    ],
)
def test_options_fit(params):
    clf = SymptomClassifier(**FAST, **params).fit(TEXTS, LABELS)
    np.testing.assert_allclose(clf.predict_proba(NEW).sum(axis=1), 1.0)


def test_inference_is_scikit_learns_own(fitted):
    # predict_proba is the calibrated estimator's public predict_proba on the
    # vectorised texts, nothing re-implemented.
    rows, focus = fitted._inputs_from_texts(NEW)
    M = fitted._matrix(NEW, rows, focus)
    assert np.array_equal(fitted.predict_proba(NEW), fitted.estimator_.predict_proba(M))
    head = fitted.estimator_.calibrated_classifiers_[0].estimator
    assert isinstance(head, _Head) and head.learner == "blend"
    dense, text = head._split(M)
    w = head.boosting_weight
    expected = (1 - w) * head.linear_.predict_proba(head._linear_input(dense, text))
    expected += w * head.boosting_.predict_proba(dense)
    assert np.array_equal(head.predict_proba(M), expected)


def test_probabilities_do_not_depend_on_the_batch(fitted):
    # a text must get the same bits alone or in a batch
    texts = TEXTS * 3
    batch = fitted.predict_proba(texts)
    singles = np.vstack([fitted.predict_proba([t]) for t in texts])
    assert np.array_equal(batch, singles)


def test_precomputed_features_give_the_same_probabilities(fitted):
    feats = [extract(t) for t in NEW]
    assert np.array_equal(fitted.predict_proba_from_features(feats), fitted.predict_proba(NEW))
    with pytest.raises(TypeError, match="expected SymptomFeatures at position 1, got str"):
        fitted.predict_proba_from_features([feats[0], "text"])


def test_focus_block_reads_only_the_finding_sentences():
    # a story's other sentences (the holiday) reach the whole-text block only
    story = [t + " We were on holiday in Crete that week." for t in TEXTS]
    clf = SymptomClassifier(**FAST, focus_weight=1.0).fit(story, LABELS)
    assert "crete" in clf.vectorizers_[0].vocabulary_
    assert "crete" not in clf.focus_vectorizer_.vocabulary_
    assert "twitching" in clf.focus_vectorizer_.vocabulary_
    rows, focus = clf._inputs_from_texts(NEW)
    off = SymptomClassifier(**FAST).fit(story, LABELS)  # off by default
    assert off.focus_vectorizer_ is None
    assert clf._matrix(NEW, rows, focus).shape[1] - off._matrix(NEW, rows, focus).shape[1] == len(
        clf.focus_vectorizer_.vocabulary_
    )
    # precomputed features give the focus block the same sentences
    feats = [extract(t) for t in NEW]
    assert np.array_equal(clf.predict_proba_from_features(feats), clf.predict_proba(NEW))
    # the TF-IDF baseline never has it
    text = SymptomClassifier(**FAST, kind="text", focus_weight=1.0).fit(story, LABELS)
    assert text.focus_vectorizer_ is None


def test_focus_block_scales_with_its_weight():
    a = SymptomClassifier(**FAST, focus_weight=1.0).fit(TEXTS, LABELS)
    b = SymptomClassifier(**FAST, focus_weight=3.0).fit(TEXTS, LABELS)
    rows, focus = a._inputs_from_texts(NEW)
    width = len(a.focus_vectorizer_.vocabulary_)
    fa = a._matrix(NEW, rows, focus)[:, -width:].toarray()
    fb = b._matrix(NEW, rows, focus)[:, -width:].toarray()
    np.testing.assert_allclose(fb, 3.0 * fa)
    assert fa.any()


def test_clone_and_params():
    clf = SymptomClassifier(kind="text", C=3.0, word_ngram_range=(1, 1))
    cl = clone(clf)
    assert cl.get_params() == clf.get_params()
    assert cl is not clf
    cl.set_params(C=0.5, kind="features")
    assert cl.get_params()["C"] == 0.5 and cl.kind == "features"
    assert clf.C == 3.0
    with pytest.raises(ValueError):
        cl.set_params(no_such_param=1)
    assert "estimator_" not in vars(clone(SymptomClassifier(**FAST).fit(TEXTS, LABELS)))


def test_params_are_keyword_only():
    with pytest.raises(TypeError):
        SymptomClassifier("text")  # type: ignore[misc]


def test_not_fitted():
    clf = SymptomClassifier()
    for call in (clf.predict, clf.predict_proba):
        with pytest.raises(NotFittedError):
            call(NEW)
    with pytest.raises(NotFittedError):
        clf.predict_proba_from_features([extract("x")])


def test_pickle_round_trip(fitted):
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.predict_proba(NEW), fitted.predict_proba(NEW))
    assert again.classes_.tolist() == fitted.classes_.tolist()


def test_spacy_pipeline_is_not_pickled(fitted):
    blob = pickle.dumps(fitted)
    assert b"spacy" not in blob
    assert len(blob) < 500_000


def test_deterministic_bit_identical():
    a = SymptomClassifier(**FAST).fit(TEXTS, LABELS).predict_proba(NEW)
    b = SymptomClassifier(**FAST).fit(TEXTS, LABELS).predict_proba(NEW)
    assert np.array_equal(a, b)


def test_pipeline_grid_search_and_cross_val_score():
    pipe = Pipeline(
        [
            ("lower", FunctionTransformer(lambda X: [t.lower() for t in X])),
            ("clf", SymptomClassifier(kind="text", **FAST)),
        ]
    )
    pipe.fit(TEXTS, LABELS)
    assert pipe.predict(NEW).tolist() == ["benign", "neuropathy", "mnd"]
    grid = GridSearchCV(
        SymptomClassifier(kind="text", calibration=None, **FAST),
        {"C": [0.5, 2.0]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
    ).fit(TEXTS, LABELS)
    assert grid.best_params_["C"] in (0.5, 2.0)
    scores = cross_val_score(
        SymptomClassifier(kind="features", **FAST), TEXTS, LABELS, cv=2, scoring="accuracy"
    )
    assert scores.shape == (2,) and scores.mean() > 0.6


def test_custom_label_sets():
    # integer labels, two classes (binary paths of logistic, boosting and calibration)
    y = [0] * 8 + [1] * 16
    clf = SymptomClassifier(**FAST).fit(TEXTS, y)
    assert clf.classes_.tolist() == [0, 1]
    assert set(clf.predict(NEW).tolist()) <= {0, 1}
    assert clf.predict_proba(NEW).shape == (3, 2)
    rows, focus = clf._inputs_from_texts(NEW)
    np.testing.assert_allclose(
        clf.predict_proba(NEW),
        clf.estimator_.predict_proba(clf._matrix(NEW, rows, focus)),
        atol=1e-12,
    )
    # a class with one example: calibration is skipped with a warning, not an error
    with pytest.warns(UserWarning, match="calibration=.temperature. skipped"):
        small = SymptomClassifier(**FAST).fit(TEXTS[:9], ["a"] * 8 + ["b"])
    assert small.calibration_ is None


@pytest.mark.parametrize(
    ("X", "y", "exc", "match"),
    [
        (TEXTS, LABELS[:-1], ValueError, "got 24 texts but 23 labels"),
        ("one text", ["a"], TypeError, "got a single str"),
        (TEXTS[:2] + [3], ["a", "b", "a"], TypeError, "position 2, got int"),
        (TEXTS, ["a"] * 24, ValueError, "at least 2 distinct labels"),
        (TEXTS, "labels", TypeError, "single str"),
    ],
)
def test_fit_errors_name_expected_and_received(X, y, exc, match):
    with pytest.raises(exc, match=match):
        SymptomClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"kind": "words"}, r"'kind' parameter of SymptomClassifier must be a str among"),
        ({"learner": "forest"}, "'learner' parameter"),
        ({"kind": "text", "learner": "boosting"}, "kind='text' has no structured features"),
        ({"calibration": "platt"}, "'calibration' parameter"),
        ({"calibration_cv": 1}, r"'calibration_cv' parameter .* range \[2, inf\). Got 1"),
        ({"boosting_weight": 2}, r"'boosting_weight' parameter .* range \[0.0, 1.0\]. Got 2"),
        ({"word_ngram_range": (3, 1)}, r"word_ngram_range must be None or a pair"),
        ({"word_ngram_range": None}, "needs word_ngram_range or char_ngram_range"),
    ],
)
def test_bad_params_are_reported_at_fit(params, match):
    with pytest.raises(ValueError, match=match):
        SymptomClassifier(**{**FAST, **params}).fit(TEXTS, LABELS)


def test_predict_input_errors(fitted):
    with pytest.raises(TypeError, match="single str"):
        fitted.predict("just one text")
    with pytest.raises(TypeError, match="position 1, got NoneType"):
        fitted.predict_proba(["ok", None])
    assert fitted.predict_proba([]).shape == (0, 3)


def test_training_data_fingerprint_is_order_free():
    a = training_data_sha256(TEXTS, LABELS)
    pairs = list(zip(TEXTS, LABELS, strict=True))
    random.Random(1).shuffle(pairs)
    assert a == training_data_sha256([t for t, _ in pairs], [y for _, y in pairs])
    assert a != training_data_sha256(TEXTS, LABELS[::-1])
    assert SymptomClassifier(kind="text", **FAST).fit(TEXTS, LABELS).training_data_sha256_ == a


def _train(texts, labels, **kw):
    return train(
        texts, labels, kind="text", cv=2, param_grid={"C": [0.5, 2.0]}, params={"min_df": 1}, **kw
    )


def test_train_attaches_metrics_and_metadata():
    model = _train(TEXTS, LABELS)
    cv = model.cv_metrics_
    assert set(cv) >= {"accuracy", "top3", "macro_f1", "per_fold", "n_splits"}
    assert "mnd_recall" not in cv  # no possible_motor_neuron_disease class here
    assert len(cv["per_fold"]) == cv["n_splits"] == 2
    assert cv["top3"] == 1.0  # three classes
    meta = model.metadata_
    for key in (
        "model_version",
        "kind",
        "classes",
        "n_train",
        "class_counts",
        "training_data_sha256",
        "cv_metrics",
        "created",
        "versions",
        "lexicon_version",
        "calibration",
        "hyperparameters",
    ):
        assert key in meta, key
    assert meta["training_data_sha256"] == training_data_sha256(TEXTS, LABELS)
    assert meta["classes"] == ["benign", "mnd", "neuropathy"]
    assert meta["class_counts"] == {"benign": 8, "mnd": 8, "neuropathy": 8}
    assert set(meta["versions"]) == {"fasciclf", "sklearn", "spacy", "numpy"}
    assert meta["created"].endswith("+00:00")
    assert [s["params"]["C"] for s in model.search_results_] == [0.5, 2.0]


def test_train_is_deterministic_and_order_free():
    a = _train(TEXTS, LABELS)
    pairs = list(zip(TEXTS, LABELS, strict=True))
    random.Random(3).shuffle(pairs)
    b = _train([t for t, _ in pairs], [y for _, y in pairs])
    assert np.array_equal(a.predict_proba(NEW), b.predict_proba(NEW))
    assert a.cv_metrics_ == b.cv_metrics_
    strip = lambda m: {k: v for k, v in m.metadata_.items() if k != "created"}  # noqa: E731
    assert strip(a) == strip(b)
    assert _same_state(a.estimator_, b.estimator_)
    assert _same_state(a.vectorizers_, b.vectorizers_)


def _same_state(x, y) -> bool:
    """Recursive equality of fitted state: arrays bit for bit, dicts in order."""
    if type(x) is not type(y):
        return False
    if isinstance(x, np.ndarray):
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    if isinstance(x, dict):
        return list(x) == list(y) and all(_same_state(x[k], y[k]) for k in x)
    if isinstance(x, list | tuple):
        return len(x) == len(y) and all(_same_state(u, v) for u, v in zip(x, y, strict=True))
    if hasattr(x, "__dict__") and not isinstance(x, type):
        return _same_state(vars(x), vars(y))
    return pickle.dumps(x) == pickle.dumps(y)


def test_train_reports_mnd_recall_and_groups():
    labels = [{"mnd": "possible_motor_neuron_disease"}.get(y, y) for y in LABELS]
    groups = [i % 4 for i in range(len(TEXTS))]
    model = _train(TEXTS, labels, groups=groups)
    assert 0.0 <= model.cv_metrics_["mnd_recall"] <= 1.0


def test_train_errors():
    with pytest.raises(ValueError, match="kind must be one of"):
        train(TEXTS, LABELS, kind="nope")
    with pytest.raises(ValueError, match="got 24 texts but 2 labels"):
        train(TEXTS, LABELS[:2])
    with pytest.raises(ValueError, match="at least 2 examples of every label"):
        train(TEXTS[:9], ["a"] * 8 + ["b"], kind="text", params={"min_df": 1})


def test_cv_scores_scorer(fitted):
    s = cv_scores(fitted, NEW, ["benign", "neuropathy", "mnd"])
    assert s["accuracy"] == 1.0 and s["top3"] == 1.0 and s["macro_f1"] == 1.0


def test_parameter_constraints_cover_every_parameter():
    assert set(SymptomClassifier._parameter_constraints) == set(SymptomClassifier().get_params())


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("C", 0),
        ("feature_weight", -1.0),
        ("focus_weight", 0.0),
        ("focus_weight", -1.0),
        ("min_df", 0),
        ("max_features", 0),
        ("sublinear_tf", "yes"),
        ("boosting_max_iter", 0),
        ("boosting_learning_rate", 0.0),
        ("boosting_max_leaf_nodes", 1),
        ("boosting_min_samples_leaf", 0),
        ("class_weight", "balanced_subsample"),
        ("random_state", -1),
        ("n_jobs", 1.5),
        ("red_flag_sensitivity", 1.5),
        ("red_flag_classes", "possible_motor_neuron_disease"),
        ("char_ngram_range", "2-5"),
    ],
)
def test_each_parameter_is_validated(name, bad):
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of SymptomClassifier"):
        SymptomClassifier(**{name: bad}).fit(TEXTS, LABELS)


def test_saved_model_keeps_its_columns_when_the_lexicon_gains_a_concept(monkeypatch, request):
    # a concept added to the lexicon after fitting appends a structured column;
    # the fitted model still gets the columns it was trained on, by name
    from fasciclf.features import _featurizer
    from fasciclf.models import _classifier

    texts = ["left calf twitching, no weakness", "numb burning feet at night"] * 4
    labels = ["benign", "neuropathy"] * 4
    clf = SymptomClassifier(kind="hybrid", min_df=1).fit(texts, labels)
    before = clf.predict_proba(texts[:2])

    names = (*_featurizer.FEATURE_NAMES, "extra__a_new_concept")
    old_row = _featurizer.features_to_row
    monkeypatch.setattr(_featurizer, "FEATURE_NAMES", names)
    monkeypatch.setattr(_featurizer, "_INDEX", {n: i for i, n in enumerate(names)})
    # the original encoder now sizes its row by the patched names; the new
    # concept's column is set
    monkeypatch.setattr(_featurizer, "features_to_row", lambda f: np.append(old_row(f)[:-1], 1.0))
    monkeypatch.setattr(_classifier, "FEATURE_NAMES", names)
    monkeypatch.setattr(_classifier, "features_to_row", _featurizer.features_to_row)
    _featurizer._CACHE.clear()
    # rows memoised with the patched names must not outlive the patch
    request.addfinalizer(_featurizer._CACHE.clear)
    after = clf.predict_proba(texts[:2])
    np.testing.assert_allclose(after, before)


def test_focus_block_after_rows_memoised_without_sentences():
    # rows memoised by a plain featurizer (no finding sentences) must not
    # leave the focus block an empty text: the sentences are read again
    from fasciclf.features import SymptomFeaturizer, _featurizer

    clf = SymptomClassifier(**FAST, focus_weight=1.0).fit(TEXTS, LABELS)
    _featurizer._CACHE.clear()
    fresh = clf.predict_proba(NEW)
    _featurizer._CACHE.clear()
    SymptomFeaturizer().fit(NEW).transform(NEW)
    assert np.array_equal(clf.predict_proba(NEW), fresh)
