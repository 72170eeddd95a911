"""save_model / load_model: integrity checks before deserialising, trust, drift warnings."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import warnings
from fractions import Fraction

import joblib
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from fasciclf.models import (
    LexiconVersionWarning,
    ModelIntegrityError,
    ModelVersionWarning,
    SymptomClassifier,
    UntrustedModelError,
    load_model,
    read_header,
    save_model,
    train,
)
from fasciclf.models._persist import FORMAT_VERSION, MAGIC

TEXTS = [
    "left calf twitching for weeks, strength fine",
    "eyelid twitch when tired, no weakness",
    "thigh twitches at rest, I run without trouble",
    "twitching in my feet after exercise",
    "both feet numb and burning at night",
    "pins and needles in my toes, diabetic",
    "numb toes and burning soles",
    "tingling feet in a stocking pattern",
]
LABELS = ["benign"] * 4 + ["neuropathy"] * 4
NEW = ["my calf twitches", "my feet burn and tingle"]


@pytest.fixture(scope="module")
def model():
    return train(
        TEXTS,
        LABELS,
        kind="hybrid",
        cv=2,
        param_grid={"C": [1.0]},
        params={"min_df": 1, "boosting_min_samples_leaf": 2, "calibration_cv": 2},
    )


@pytest.fixture
def saved(model, tmp_path):
    return save_model(model, tmp_path / "model.joblib")


def _parts(data: bytes):
    """(header dict, header bytes start, end, payload start)."""
    fixed = len(MAGIC) + 6
    _, hlen = struct.unpack_from(">HI", data, len(MAGIC))
    header = json.loads(data[fixed : fixed + hlen])
    return header, fixed, fixed + hlen, fixed + hlen + 32


def _rewrite_header(path, change) -> None:
    """Edit the header JSON and re-sign it, as a file from another environment would be."""
    data = path.read_bytes()
    header, start, end, body = _parts(data)
    change(header)
    hb = json.dumps(header, sort_keys=True).encode()
    path.write_bytes(
        MAGIC
        + struct.pack(">HI", FORMAT_VERSION, len(hb))
        + hb
        + hashlib.sha256(hb).digest()
        + data[body:]
    )


def test_round_trip_identical_predictions(model, saved):
    loaded = load_model(saved, trusted=True)
    assert np.array_equal(loaded.predict_proba(NEW), model.predict_proba(NEW))
    assert loaded.metadata_["training_data_sha256"] == model.training_data_sha256_
    assert loaded.cv_metrics_ == model.cv_metrics_


def test_header_carries_the_metadata(model, saved):
    header = read_header(saved)
    meta = header["metadata"]
    assert header["format_version"] == FORMAT_VERSION
    assert header["payload"]["format"] == "joblib"
    assert meta["classes"] == ["benign", "neuropathy"]
    assert meta["training_data_sha256"] == model.training_data_sha256_
    assert meta["cv_metrics"]["accuracy"] == model.cv_metrics_["accuracy"]
    assert set(meta["versions"]) == {"fasciclf", "sklearn", "spacy", "numpy"}
    assert meta["lexicon_version"].startswith("lexicon-")
    assert "created" in meta
    assert header["file_sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()


def test_joblib_needs_trust(saved):
    with pytest.raises(UntrustedModelError, match="can run arbitrary code"):
        load_model(saved)
    digest = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert load_model(saved, trusted=[digest]).classes_.tolist() == ["benign", "neuropathy"]
    assert load_model(saved, trusted=digest.upper()) is not None
    with pytest.raises(UntrustedModelError):
        load_model(saved, trusted=["0" * 64])


@pytest.mark.parametrize("where", ["payload_start", "payload_end", "header", "header_digest"])
def test_tampered_byte_refused(saved, where, monkeypatch):
    data = bytearray(saved.read_bytes())
    _, start, end, body = _parts(bytes(data))
    pos = {
        "payload_start": body + 5,
        "payload_end": len(data) - 1,
        "header": start + 3,
        "header_digest": end + 1,
    }[where]
    data[pos] ^= 0x01
    saved.write_bytes(bytes(data))
    # Nothing may be unpickled before the checks pass.
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled a bad file"))
    with pytest.raises(ModelIntegrityError, match="checksum|SHA-256 mismatch|unreadable"):
        load_model(saved, trusted=True)


@pytest.mark.parametrize("keep", [0, 4, len(MAGIC) + 3, 40, -1000, -1])
def test_truncated_refused(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[:keep] if keep >= 0 else data[: len(data) + keep])
    with pytest.raises(ModelIntegrityError, match="truncated|not a fasciclf model"):
        load_model(saved, trusted=True)


def test_trailing_bytes_refused(saved):
    saved.write_bytes(saved.read_bytes() + b"\0")
    with pytest.raises(ModelIntegrityError, match="trailing bytes"):
        load_model(saved, trusted=True)


def test_wrong_magic_and_foreign_files_refused(model, tmp_path):
    raw = tmp_path / "raw.joblib"
    joblib.dump(model, raw)
    with pytest.raises(ModelIntegrityError, match="not a fasciclf model file.*raw pickle"):
        load_model(raw, trusted=True)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelIntegrityError, match="not a fasciclf model file"):
        load_model(text, trusted=True)
    empty = tmp_path / "empty.joblib"
    empty.write_bytes(b"")
    with pytest.raises(ModelIntegrityError, match="truncated"):
        load_model(empty, trusted=True)


def test_unsupported_format_version(saved):
    data = bytearray(saved.read_bytes())
    struct.pack_into(">H", data, len(MAGIC), FORMAT_VERSION + 1)
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="newer fasciclf"):
        load_model(saved, trusted=True)


def test_renamed_file_is_verified_by_content(saved, tmp_path):
    other = tmp_path / "renamed.bin"
    shutil.copy(saved, other)
    assert load_model(other, trusted=True).classes_.tolist() == ["benign", "neuropathy"]
    data = bytearray(other.read_bytes())
    data[-3] ^= 0xFF
    other.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="renamed.bin: payload SHA-256 mismatch"):
        load_model(other, trusted=True)


def test_version_drift_warns(saved):
    def older(header):
        header["metadata"]["versions"]["sklearn"] = "0.0.1"

    _rewrite_header(saved, older)
    with pytest.warns(ModelVersionWarning, match="sklearn 0.0.1"):
        load_model(saved, trusted=True)


def test_lexicon_change_warns(saved):
    def other_lexicon(header):
        header["metadata"]["lexicon_version"] = "lexicon-0.0.0+context-0.0.0"

    _rewrite_header(saved, other_lexicon)
    with pytest.warns(LexiconVersionWarning, match="lexicon-0.0.0"):
        load_model(saved, trusted=True)


def test_no_warning_when_versions_match(saved):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(saved, trusted=True)


def test_label_set_mismatch_refused(saved):
    _rewrite_header(saved, lambda h: h["metadata"].update(classes=["a", "b"]))
    with pytest.raises(ModelIntegrityError, match=r"header lists labels \['a', 'b'\]"):
        load_model(saved, trusted=True)


def test_skops_round_trip_without_trust(model, tmp_path):
    path = save_model(model, tmp_path / "model.skops", format="skops")
    assert read_header(path)["payload"]["format"] == "skops"
    loaded = load_model(path)  # no trust needed: skops executes no code
    assert np.array_equal(loaded.predict_proba(NEW), model.predict_proba(NEW))


def test_skops_untrusted_types_refused(tmp_path):
    m = SymptomClassifier(kind="text", min_df=1).fit(TEXTS, LABELS)
    m.note_ = Fraction(1, 3)  # a type outside the reviewed list
    path = save_model(m, tmp_path / "odd.skops", format="skops")
    with pytest.raises(UntrustedModelError, match="fractions.Fraction"):
        load_model(path)
    # trusted=True is not a type review: it admits no type (skops removed that bypass)
    with pytest.raises(UntrustedModelError, match=r"fractions\.Fraction.*trusted=True admits none"):
        load_model(path, trusted=True)
    with pytest.raises(UntrustedModelError, match="fractions.Fraction"):
        load_model(path, trusted=["decimal.Decimal"])  # a list that does not name it
    assert load_model(path, trusted=["fractions.Fraction"]).note_ == Fraction(1, 3)


def test_save_errors(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(SymptomClassifier(), tmp_path / "x.joblib")
    m = SymptomClassifier(kind="text", min_df=1).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="format must be one of joblib, skops; got 'pickle'"):
        save_model(m, tmp_path / "x.joblib", format="pickle")
    # a model fitted without train() still gets a usable header
    path = save_model(m, tmp_path / "plain.joblib")
    meta = read_header(path)["metadata"]
    assert meta["training_data_sha256"] == m.training_data_sha256_
    assert meta["cv_metrics"] is None
    assert not list(tmp_path.glob(".*.tmp"))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.joblib")


def test_resources_digest_follows_every_resource_file(tmp_path, monkeypatch):
    """An entry added to any resource file (not only a bumped version) changes
    the lexicon version a saved model is checked against."""
    import types

    from fasciclf.features import _resources

    folder = tmp_path / "resources"
    folder.mkdir()
    (folder / "lexicon.json").write_text('{"version": "1.0.0", "records": []}', "utf-8")
    (folder / "time_expressions.json").write_text('{"records": ["now"]}', "utf-8")
    (folder / "notes.txt").write_text("not a resource", "utf-8")
    monkeypatch.setattr(_resources, "resources", types.SimpleNamespace(files=lambda _: tmp_path))
    _resources.resources_digest.cache_clear()
    try:
        before = _resources.resources_digest()
        (folder / "notes.txt").write_text("still not a resource", "utf-8")
        _resources.resources_digest.cache_clear()
        assert _resources.resources_digest() == before
        (folder / "time_expressions.json").write_text('{"records": ["now", "these days"]}', "utf-8")
        _resources.resources_digest.cache_clear()
        after = _resources.resources_digest()
        assert after != before
        # the learned course reader's weights: no featurizer reads them
        (folder / "course_model.json").write_text('{"version": "1.0.0"}', "utf-8")
        _resources.resources_digest.cache_clear()
        assert _resources.resources_digest() == after
    finally:
        _resources.resources_digest.cache_clear()


def test_optional_stage_files_are_not_read_by_the_featurizer():
    """A file left out of the digest must belong to a stage no classifier runs."""
    from fasciclf.features._course_model import COURSE_MODEL_FILE
    from fasciclf.features._pipeline import default_nlp
    from fasciclf.features._resources import OPTIONAL_STAGE_FILES

    # the featurizer extracts with default_nlp (encode_texts -> extract_many)
    assert OPTIONAL_STAGE_FILES == {COURSE_MODEL_FILE}
    assert "fasciclf_course" not in default_nlp().pipe_names
