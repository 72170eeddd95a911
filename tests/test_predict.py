"""predict / predict_many, abstentions, Prediction output, the shipped model.

The red-flag rules are tested in test_red_flags.py.
"""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

import fasciclf
from fasciclf.models import (
    DISCLAIMER,
    Prediction,
    _predict,
    default_model,
    predict,
    predict_many,
)

BENIGN_TEXT = "My left calf has been twitching for three weeks. No weakness, I still run 5k."
WASTING_TEXT = "My calf twitches and the muscle in my hand is wasting away."


class _AlwaysBenign:
    """A stand-in classifier that always prefers the benign label."""

    classes_ = np.array(["benign_fasciculation", "possible_motor_neuron_disease"])

    def predict_proba(self, texts):
        return np.tile([0.8, 0.2], (len(texts), 1))


# --------------------------------------------------------------------------- predict


def test_predict_result():
    p = predict(BENIGN_TEXT)
    assert isinstance(p, Prediction)
    assert p.label == "benign_fasciculation"
    assert not p.abstained and p.abstain_reason is None
    assert set(p.probabilities) == set(default_model().classes_)
    assert sum(p.probabilities.values()) == pytest.approx(1.0)
    assert [k for k, _ in p.top_k][0] == p.label
    probs = [v for _, v in p.top_k]
    assert probs == sorted(probs, reverse=True) and len(p.top_k) == 3
    assert p.features is not None and p.features.symptoms["weakness"] == "absent"
    assert p.model_version.startswith("fasciclf-")
    assert p.disclaimer == DISCLAIMER


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["a list"], 2.5])
def test_predict_type_error_names_the_type(bad):
    with pytest.raises(TypeError, match=f"expected text as str, got {type(bad).__name__}"):
        predict(bad)


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_abstains(text):
    p = predict(text)
    assert p.abstained and p.abstain_reason == "empty_text"
    assert p.label is not None and sum(p.probabilities.values()) == pytest.approx(1.0)


def test_off_topic_text_abstains_with_probabilities():
    p = predict("What time does the pharmacy on Main Street open on Sundays?")
    assert p.abstained and p.abstain_reason == "no_symptom_findings"
    assert p.label is not None and sum(p.probabilities.values()) == pytest.approx(1.0)


def test_low_confidence_abstains_but_keeps_the_label(monkeypatch):
    monkeypatch.setattr(_predict, "LOW_CONFIDENCE_THRESHOLD", 1.01)
    p = predict(BENIGN_TEXT)
    assert p.abstained and p.abstain_reason == "low_confidence"
    assert p.label == "benign_fasciculation"


def test_explicit_model_and_any_classifier_over_texts():
    p = predict(WASTING_TEXT, model=_AlwaysBenign())
    assert p.probabilities == {"benign_fasciculation": 0.8, "possible_motor_neuron_disease": 0.2}


# ---------------------------------------------------------------------- predict_many


def test_predict_many_matches_predict_and_keeps_order():
    texts = [BENIGN_TEXT, WASTING_TEXT, "", "Both feet numb and burning at night."]
    many = predict_many(texts)
    assert len(many) == len(texts)
    for text, p in zip(texts, many, strict=True):
        single = predict(text)
        assert p.label == single.label and p.abstain_reason == single.abstain_reason
        assert p.probabilities == pytest.approx(single.probabilities, abs=1e-12)
        assert p.red_flags == single.red_flags


def test_invalid_items_keep_the_other_rows():
    items = [BENIGN_TEXT, None, 42, WASTING_TEXT, {"text": "x"}]
    preds = predict_many(iter(items))
    assert len(preds) == 5
    assert preds[0].label == "benign_fasciculation" and not preds[0].abstained
    for i, name in ((1, "NoneType"), (2, "int"), (4, "dict")):
        p = preds[i]
        assert p.abstained and p.abstain_reason == "invalid_input" and p.label is None
        assert p.error == f"expected text as str, got {name}"
        assert p.probabilities == {} and p.features is None
    assert [r.code for r in preds[3].red_flags] == [r.code for r in predict(WASTING_TEXT).red_flags]


def test_predict_many_edge_cases():
    assert predict_many([]) == []
    with pytest.raises(TypeError, match="single str"):
        predict_many("one text")
    small = predict_many([BENIGN_TEXT] * 5, batch_size=2)
    assert len({p.label for p in small}) == 1 and len(small) == 5


def test_features_are_extracted_once(monkeypatch):
    import fasciclf.features._pipeline as pipeline

    calls = []
    real = pipeline.extract_many

    def counting(texts, **kw):
        for f in real(texts, **kw):
            calls.append(f.text)
            yield f

    monkeypatch.setattr("fasciclf.features.extract_many", counting)
    monkeypatch.setattr(
        "fasciclf.features.SymptomFeaturizer.transform",
        lambda *a, **k: pytest.fail("features extracted a second time"),
    )
    predict_many([BENIGN_TEXT, WASTING_TEXT])
    assert calls == [BENIGN_TEXT, WASTING_TEXT]


# ------------------------------------------------------------------- Prediction output


def test_benign_label_with_red_flag_is_explicit():
    p = predict(WASTING_TEXT, model=_AlwaysBenign())
    assert p.label == "benign_fasciculation"
    assert "wasting" in [r.code for r in p.red_flags]
    assert p.benign_with_red_flags
    d = p.to_dict()
    assert d["benign_with_red_flags"] is True
    assert "red flags are present" in p._repr_html_()
    assert not predict(BENIGN_TEXT).benign_with_red_flags


def test_to_dict_is_json_safe():
    preds = predict_many([BENIGN_TEXT, WASTING_TEXT, "", None])
    for p in preds:
        d = p.to_dict()
        again = json.loads(json.dumps(d, allow_nan=False))
        assert again == d
        assert set(d) >= {
            "label",
            "probabilities",
            "top_k",
            "red_flags",
            "features",
            "abstained",
            "abstain_reason",
            "model_version",
            "disclaimer",
        }
    flags = preds[1].to_dict()["red_flags"]
    assert flags and {"code", "reason", "evidence"} <= set(flags[0])
    assert {"start", "end", "text"} <= set(flags[0]["evidence"][0])


def test_repr_html():
    html = predict(WASTING_TEXT)._repr_html_()
    assert DISCLAIMER.split(":")[0] in html and "Red flags" in html and "wasting" in html
    html_invalid = predict_many([3])[0]._repr_html_()
    assert "Abstained" in html_invalid


def test_prediction_is_frozen():
    p = predict(BENIGN_TEXT)
    with pytest.raises(AttributeError):
        p.label = "other"  # type: ignore[misc]


# ----------------------------------------------------------------- the default model


def test_default_model_loads_once_thread_safe(monkeypatch):
    first = default_model()
    monkeypatch.setattr(_predict, "_default", None)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(default_model())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and all(m is seen[0] for m in seen)
    assert seen[0].classes_.tolist() == first.classes_.tolist()


def test_top_level_exports():
    for name in (
        "predict",
        "predict_many",
        "default_model",
        "save_model",
        "load_model",
        "train",
        "SymptomClassifier",
        "Prediction",
        "RedFlag",
        "ModelIntegrityError",
        "extract",
        "extract_many",
        "SymptomFeatures",
        "evaluate",
        "__version__",
    ):
        assert getattr(fasciclf, name) is not None, name
    with pytest.raises(AttributeError):
        fasciclf.no_such_name  # noqa: B018


def test_import_fasciclf_is_lazy():
    import subprocess
    import sys

    code = "import sys, fasciclf; print('spacy' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_shipped_artifact_matches_corpus_code_and_versions():
    """Fails when the packaged model is stale: rebuild with `fasciclf train --default`."""
    from fasciclf.data import load_labeled
    from fasciclf.features import lexicon_version
    from fasciclf.models import read_header, training_data_sha256
    from fasciclf.models._train import library_versions
    from fasciclf.models.build_default import training_features_sha256

    path = _predict.default_model_path()
    assert path.is_file(), "no packaged model: run `fasciclf train --default`"
    assert path.stat().st_size < 5_000_000
    meta = read_header(path)["metadata"]
    train = load_labeled("train")
    stale = "the packaged model is stale; rebuild it with `fasciclf train --default`"
    assert meta["training_data_sha256"] == training_data_sha256(train["text"], train["label"]), (
        f"{stale} (the train split changed)"
    )
    assert meta["lexicon_version"] == lexicon_version(), f"{stale} (the lexicon changed)"
    assert meta["training_features_sha256"] == training_features_sha256(train["text"]), (
        f"{stale} (the extractor reads the train split differently)"
    )
    assert meta["versions"] == library_versions(), f"{stale} (library versions changed)"
    assert meta["classes"] == sorted(set(train["label"]))
    assert meta["kind"] == "hybrid" and meta["cv_metrics"]["accuracy"] > 0.5
