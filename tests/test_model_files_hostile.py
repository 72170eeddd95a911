"""Model files built to hurt: forged trees, zip bombs, FIFOs, malformed headers.

Complements tests/test_model_files_security.py (trust) and
tests/test_persistence.py (integrity): every file here is intact by its own
checksums, and must still be refused with a ModelIntegrityError before it
can hang, exhaust memory or crash the process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zipfile

import numpy as np
import pytest

from fasciclf.cli import EXIT_MODEL_REFUSED, main
from fasciclf.models import (
    ModelIntegrityError,
    SymptomClassifier,
    UntrustedModelError,
    _skops_safety,
    load_model,
    read_header,
    save_model,
)
from fasciclf.models._model_file import FORMAT_VERSION, MAGIC

sio = pytest.importorskip("skops.io")

TEXTS = [
    "calf twitching for weeks, strength fine",
    "numb burning feet at night",
    "eyelid twitch when tired",
    "tingling toes and numb soles",
] * 3
LABELS = ["benign", "neuropathy"] * 6


def _forge(path, payload: bytes, fmt: str = "skops", header: dict | None = None):
    header = header or {
        "format_version": FORMAT_VERSION,
        "payload": {
            "format": fmt,
            "length": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
        "model_class": "fasciclf.models._classifier.SymptomClassifier",
        "metadata": {},
    }
    hb = header if isinstance(header, bytes) else json.dumps(header).encode()
    path.write_bytes(
        MAGIC + struct.pack(">HI", FORMAT_VERSION, len(hb)) + hb + hashlib.sha256(hb).digest()
    )
    with open(path, "ab") as fh:
        fh.write(payload)
    return path


@pytest.fixture(scope="module")
def text_model():
    return SymptomClassifier(kind="text", min_df=1).fit(TEXTS, LABELS)


@pytest.fixture(scope="module")
def tree_model():
    return SymptomClassifier(
        kind="features", boosting_min_samples_leaf=1, boosting_max_iter=3, calibration=None
    ).fit(TEXTS, LABELS)


# ------------------------------------------------------------- formats by suffix


@pytest.mark.parametrize("name", ["m.skops", "m.SKOPS", "m.bin", "model", "m.pkl.skops"])
def test_saved_by_default_loads_by_default(text_model, tmp_path, name):
    path = save_model(text_model, tmp_path / name)
    assert read_header(path)["payload"]["format"] == "skops"
    loaded = load_model(path)  # no trust needed
    assert np.array_equal(loaded.predict_proba(TEXTS), text_model.predict_proba(TEXTS))


def test_joblib_suffix_writes_joblib_and_keeps_explicit_trust(text_model, tmp_path):
    path = save_model(text_model, tmp_path / "m.joblib")
    assert read_header(path)["payload"]["format"] == "joblib"
    with pytest.raises(UntrustedModelError, match="can run arbitrary code"):
        load_model(path)
    assert load_model(path, trusted=True).classes_.tolist() == ["benign", "neuropathy"]


@pytest.mark.parametrize(("name", "fmt"), [("m.skops", "joblib"), ("m.joblib", "skops")])
def test_format_contradicting_suffix_is_refused(text_model, tmp_path, name, fmt):
    with pytest.raises(ValueError, match=f"format='{fmt}' contradicts the file name"):
        save_model(text_model, tmp_path / name, format=fmt)
    assert not list(tmp_path.iterdir())


def test_explicit_format_with_neutral_suffix(text_model, tmp_path):
    path = save_model(text_model, tmp_path / "m.bin", format="joblib")
    assert read_header(path)["payload"]["format"] == "joblib"


# ------------------------------------------------------------- forged trees


def _predictors(model):
    return [t for t, _ in _skops_safety._trees(model)]


def test_tree_model_round_trips_through_skops(tree_model, tmp_path):
    assert _predictors(tree_model), "the features model should hold boosted trees"
    path = save_model(tree_model, tmp_path / "trees.skops")
    loaded = load_model(path)
    assert np.array_equal(loaded.predict_proba(TEXTS), tree_model.predict_proba(TEXTS))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("children_left", 10**6, "child index out of range"),
        ("children_right", 0, "child index out of range"),  # a cycle back to the root
        ("children_right", -1, "a node with one child"),
        ("feature", 10**6, "feature index outside"),
        ("feature", -5, "feature index outside"),
    ],
)
def test_corrupted_tree_nodes_are_refused(tree_model, tmp_path, field, value, message):
    import copy

    forged = copy.deepcopy(tree_model)
    tree = next(t for t in _predictors(forged) if (t.children_left != -1).any())
    inner = np.flatnonzero(tree.children_left != -1)[0]
    getattr(tree, field)[inner] = value  # a view on the node array: this edits the tree
    assert getattr(tree, field)[inner] == value
    path = save_model(forged, tmp_path / "forged.skops")
    with pytest.raises(ModelIntegrityError, match=message) as info:
        load_model(path)  # no trust given, none needed to be refused
    assert not isinstance(info.value, UntrustedModelError)
    assert main(["predict", "--model", str(path), "numb feet"]) == EXIT_MODEL_REFUSED


# ------------------------------------------------------------- zip bombs


def _bomb(inflated: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("schema.json", b" " * inflated)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_skops_reads_it(tmp_path, monkeypatch):
    monkeypatch.setattr(_skops_safety, "MAX_UNCOMPRESSED_BYTES", 1_000_000)

    def boom(*args, **kwargs):
        pytest.fail("skops read an archive that should have been refused")

    monkeypatch.setattr(sio, "get_untrusted_types", boom)
    monkeypatch.setattr(sio, "loads", boom)
    payload = _bomb(5_000_000)
    assert len(payload) < 10_000
    path = _forge(tmp_path / "bomb.skops", payload)
    with pytest.raises(ModelIntegrityError, match="possible zip bomb"):
        load_model(path)


def test_the_real_bound_admits_real_models(tree_model, tmp_path):
    path = save_model(tree_model, tmp_path / "m.skops")
    data = path.read_bytes()
    payload = data[data.index(b"PK\x03\x04") :]
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        total = sum(i.file_size for i in zf.infolist())
    assert total < _skops_safety.MAX_UNCOMPRESSED_BYTES / 10


# ------------------------------------------------------------- not a regular file


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "model.skops"
    os.mkfifo(fifo)
    with pytest.raises(ModelIntegrityError, match=r"not a regular file \(a FIFO\)"):
        load_model(fifo)
    with pytest.raises(ModelIntegrityError, match="not a regular file"):
        read_header(fifo)


def test_directory_is_refused(tmp_path):
    with pytest.raises(ModelIntegrityError, match=r"not a regular file \(a directory\)"):
        load_model(tmp_path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_endless_device_is_refused():
    with pytest.raises(ModelIntegrityError, match=r"not a regular file \(a device"):
        load_model("/dev/zero")


def test_huge_file_is_judged_by_its_first_bytes(tmp_path):
    big = tmp_path / "big.model"
    with open(big, "wb") as fh:  # sparse: 2 GB that cost nothing to write or skip
        fh.write(b"not a model")
        fh.truncate(2 * 1024**3)
    with pytest.raises(ModelIntegrityError, match="is not a fasciclf model file"):
        load_model(big)
    # A valid header promising 10 bytes, followed by 2 GB: refused by size, unread.
    forged = _forge(tmp_path / "trailing.skops", b"0123456789")
    with open(forged, "r+b") as fh:
        fh.truncate(2 * 1024**3)
    with pytest.raises(ModelIntegrityError, match="has trailing bytes"):
        load_model(forged)


# ------------------------------------------------------------- malformed headers


def _header(**payload_changes):
    payload = b"PK"
    header = {
        "format_version": FORMAT_VERSION,
        "payload": {
            "format": "skops",
            "length": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
        "metadata": {},
    }
    header["payload"].update(payload_changes)
    return header


MALFORMED = {
    "deep_nesting": b'{"payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "length_1e400": json.dumps(_header()).replace('"length": 2', '"length": 1e400').encode(),
    "length_negative": json.dumps(_header(length=-1)).encode(),
    "length_bool": json.dumps(_header(length=True)).encode(),
    "length_string": json.dumps(_header(length="2")).encode(),
    "metadata_string": json.dumps({**_header(), "metadata": "str"}).encode(),
    "versions_list": json.dumps({**_header(), "metadata": {"versions": ["x"]}}).encode(),
    "classes_string": json.dumps({**_header(), "metadata": {"classes": "ab"}}).encode(),
    "payload_list": json.dumps({**_header(), "payload": [1]}).encode(),
    "header_list": b"[1, 2, 3]",
    "sha_not_hex": json.dumps(_header(sha256="z" * 64)).encode(),
    "model_class_number": json.dumps({**_header(), "model_class": 3}).encode(),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_but_checksummed_header_is_an_integrity_error(tmp_path, kind, capsys):
    path = _forge(tmp_path / "bad.skops", b"PK", header=MALFORMED[kind])
    with pytest.raises(ModelIntegrityError, match=r"^bad\.skops: (unreadable|malformed) header"):
        read_header(path)
    with pytest.raises(ModelIntegrityError):
        load_model(path, trusted=True)
    assert main(["info", "--model", str(path)]) == EXIT_MODEL_REFUSED
    assert "Traceback" not in capsys.readouterr().err
