"""Model files from hostile or unknown sources (complements tests/test_persistence.py).

The header digests prove a file is intact, not that its author is benign: anyone
can write a well-formed fasciclf file around a malicious pickle. These tests pin
down that (1) nothing is deserialised before every structural check passes,
(2) an intact joblib file still needs explicit trust, whatever its name,
(3) skops files load without running code and only with the reviewed types,
(4) version drift is reported clearly, and (5) loading and predicting stay offline.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import socket
import struct
import warnings
import zipfile

import joblib
import numpy as np
import pytest

from fasciclf.cli import EXIT_MODEL_REFUSED, EXIT_OK, main
from fasciclf.models import (
    SKOPS_TRUSTED_TYPES,
    ModelIntegrityError,
    ModelVersionWarning,
    SymptomClassifier,
    UntrustedModelError,
    _predict,
    default_model,
    load_model,
    predict,
    read_header,
    save_model,
)
from fasciclf.models._persist import FORMAT_VERSION, MAGIC

sio = pytest.importorskip("skops.io")

TEXTS = ["calf twitch", "numb feet", "eyelid twitch", "numb toes", "thigh twitching", "numb soles"]
LABELS = ["benign", "neuropathy"] * 3


class _Evil:
    """A pickle that runs a command on load (here: creates a directory)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _forge(path, payload: bytes, fmt: str = "joblib", metadata: dict | None = None):
    """Write a structurally valid fasciclf file around any payload, as an attacker could."""
    header = {
        "format_version": FORMAT_VERSION,
        "payload": {
            "format": fmt,
            "length": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
        "model_class": "fasciclf.models._classifier.SymptomClassifier",
        "metadata": metadata or {},
    }
    hb = json.dumps(header, sort_keys=True).encode()
    path.write_bytes(
        MAGIC
        + struct.pack(">HI", FORMAT_VERSION, len(hb))
        + hb
        + hashlib.sha256(hb).digest()
        + payload
    )
    return path


def _evil_payload(marker) -> bytes:
    buf = io.BytesIO()
    joblib.dump(_Evil(str(marker)), buf)
    return buf.getvalue()


def _reheader(path, change) -> None:
    """Edit a saved file's header and re-sign it (another environment writing the file)."""
    data = path.read_bytes()
    fixed = len(MAGIC) + 6
    _, hlen = struct.unpack_from(">HI", data, len(MAGIC))
    header = json.loads(data[fixed : fixed + hlen])
    change(header)
    _forge(path, data[fixed + hlen + 32 :], header["payload"]["format"], header["metadata"])


@pytest.fixture(scope="module")
def model():
    return SymptomClassifier(kind="text", min_df=1).fit(TEXTS, LABELS)


@pytest.fixture
def no_deserialising(monkeypatch):
    """Any attempt to unpickle or un-skops fails the test."""

    def boom(*args, **kwargs):
        pytest.fail("deserialised a file that should have been refused first")

    monkeypatch.setattr(joblib, "load", boom)
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "Unpickler", boom)
    monkeypatch.setattr(sio, "loads", boom)
    monkeypatch.setattr(sio, "load", boom)
    monkeypatch.setattr(sio, "get_untrusted_types", boom)


# ------------------------------------------------------ refused before deserialising


def _damaged(kind: str, good: bytes, raw_model) -> bytes:
    fixed = len(MAGIC) + 6
    _, hlen = struct.unpack_from(">HI", good, len(MAGIC))
    body = fixed + hlen + 32
    if kind == "empty":
        return b""
    if kind == "magic_only":
        return MAGIC
    if kind == "cut_in_header":
        return good[: fixed + hlen // 2]
    if kind == "cut_in_digest":
        return good[: body - 5]
    if kind == "cut_in_payload":
        return good[: body + (len(good) - body) // 2]
    if kind == "payload_only":
        return good[body:]
    if kind == "raw_pickle":
        return pickle.dumps(raw_model)
    if kind == "raw_joblib_zlib":
        buf = io.BytesIO()
        joblib.dump(raw_model, buf, compress=("zlib", 3))
        return buf.getvalue()
    if kind == "gzip":
        return gzip.compress(good)
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("schema.json", "{}")
        return buf.getvalue()
    if kind == "huge_header_length":
        return MAGIC + struct.pack(">HI", FORMAT_VERSION, 2**31) + good[fixed:]
    if kind == "header_not_json":
        hb = b"\x80\x04not json"
        return (
            MAGIC + struct.pack(">HI", FORMAT_VERSION, len(hb)) + hb + hashlib.sha256(hb).digest()
        )
    if kind == "payload_swapped":  # a valid header in front of another model's payload
        buf = io.BytesIO()
        joblib.dump(raw_model, buf)
        return good[:body] + buf.getvalue()
    raise AssertionError(kind)


DAMAGE = [
    "empty",
    "magic_only",
    "cut_in_header",
    "cut_in_digest",
    "cut_in_payload",
    "payload_only",
    "raw_pickle",
    "raw_joblib_zlib",
    "gzip",
    "zip",
    "huge_header_length",
    "header_not_json",
    "payload_swapped",
]


@pytest.mark.parametrize("fmt", ["joblib", "skops"])
@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_or_foreign_files_refused_before_deserialising(
    model, tmp_path, fmt, kind, no_deserialising
):
    good = save_model(model, tmp_path / f"good.{fmt}", format=fmt).read_bytes()
    bad = tmp_path / "renamed.model"  # the name and extension play no part
    bad.write_bytes(_damaged(kind, good, model))
    with pytest.raises(ModelIntegrityError) as info:
        load_model(bad, trusted=True)
    assert not isinstance(info.value, UntrustedModelError)
    assert str(info.value).startswith("renamed.model")
    with pytest.raises(ModelIntegrityError):
        read_header(bad)


# ----------------------------------------------------------- joblib needs explicit trust


def test_intact_malicious_joblib_file_is_refused_without_trust(tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = _forge(tmp_path / "model.joblib", _evil_payload(marker))
    header = read_header(path)  # the header is readable: reading it runs nothing
    assert header["payload"]["format"] == "joblib"
    for trusted in (False, None, [], "", ["0" * 64], [hashlib.sha256(b"other").hexdigest()]):
        with pytest.raises(UntrustedModelError, match="can run arbitrary code"):
            load_model(path, trusted=trusted)
    for name in ("model.skops", "model.json", "model"):  # a friendlier name grants nothing
        other = tmp_path / name
        shutil.copy(path, other)
        with pytest.raises(UntrustedModelError):
            load_model(other)
    # The command line: `info` reads only the header, `predict` refuses.
    assert main(["info", "--model", str(path)]) == EXIT_OK
    assert main(["predict", "--model", str(path), "calf twitch"]) == EXIT_MODEL_REFUSED
    assert "--trust" in capsys.readouterr().err
    assert not marker.exists(), "the payload ran"


def test_trust_is_the_only_barrier_for_an_intact_joblib_file(tmp_path):
    """What trusted=True means: the caller vouches for the author (documented in SECURITY.md)."""
    marker = tmp_path / "pwned"
    path = _forge(tmp_path / "model.joblib", _evil_payload(marker))
    with pytest.raises(ModelIntegrityError, match="expected a fitted classifier"):
        load_model(path, trusted=[read_header(path)["file_sha256"]])
    assert marker.exists()


def test_header_format_cannot_smuggle_a_pickle_past_the_trust_check(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    # A pickle declared as skops: skops reads it as a zip and fails; nothing is unpickled.
    path = _forge(tmp_path / "model.skops", _evil_payload(marker), fmt="skops")
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(ModelIntegrityError, match="skops payload is intact but could not be"):
        load_model(path)
    # An unknown declared format is refused outright.
    path = _forge(tmp_path / "model.bin", _evil_payload(marker), fmt="pickle")
    with pytest.raises(ModelIntegrityError, match="unknown payload format 'pickle'"):
        load_model(path, trusted=True)
    assert not marker.exists()


def test_skops_payload_declared_as_joblib_still_needs_trust(model, tmp_path):
    payload = sio.dumps(model)
    path = _forge(tmp_path / "model.skops", payload, fmt="joblib")
    with pytest.raises(UntrustedModelError):
        load_model(path)


def test_renamed_files_keep_their_own_rules(model, tmp_path):
    skops_as_joblib = save_model(model, tmp_path / "a.skops", format="skops").rename(
        tmp_path / "a.joblib"
    )
    assert load_model(skops_as_joblib).classes_.tolist() == ["benign", "neuropathy"]
    joblib_as_skops = save_model(model, tmp_path / "b.joblib").rename(tmp_path / "b.skops")
    with pytest.raises(UntrustedModelError):
        load_model(joblib_as_skops)


# --------------------------------------------------------------------------- skops


def test_skops_loads_without_executing_code(model, tmp_path, monkeypatch):
    path = save_model(model, tmp_path / "m.skops", format="skops")

    def boom(*args, **kwargs):
        pytest.fail("a skops load must not unpickle")

    monkeypatch.setattr(joblib, "load", boom)
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "Unpickler", boom)
    loaded = load_model(path)
    assert np.array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_skops_refuses_callables_and_names_them(model, tmp_path):
    import copy

    m = copy.deepcopy(model)
    m.hook_ = os.system
    path = save_model(m, tmp_path / "m.skops", format="skops")
    with pytest.raises(
        UntrustedModelError, match=r"outside the trusted list: posix\.system|nt\.system"
    ):
        load_model(path)
    with pytest.raises(UntrustedModelError):
        load_model(path, trusted=["0" * 64])  # a digest list is not a type review


def test_skops_trusted_list_is_small_reviewed_classes():
    import importlib

    assert len(SKOPS_TRUSTED_TYPES) == len(set(SKOPS_TRUSTED_TYPES)) <= 20
    for dotted in SKOPS_TRUSTED_TYPES:
        module, _, name = dotted.rpartition(".")
        obj = getattr(importlib.import_module(module), name)
        assert isinstance(obj, type), f"{dotted} is not a class"
        assert not any(bad in dotted for bad in ("builtins.", "os.", "posix.", "subprocess"))


def test_default_model_as_skops_needs_only_the_listed_types(tmp_path):
    path = save_model(default_model(), tmp_path / "default.skops", format="skops")
    extra = set(sio.get_untrusted_types(file=_payload_file(path, tmp_path)))
    assert extra <= set(SKOPS_TRUSTED_TYPES), extra - set(SKOPS_TRUSTED_TYPES)
    loaded = load_model(path)
    text = "My hand is getting weaker and the muscle is wasting."
    assert predict(text, model=loaded).to_dict() == predict(text).to_dict()


def _payload_file(path, tmp_path):
    data = path.read_bytes()
    fixed = len(MAGIC) + 6
    _, hlen = struct.unpack_from(">HI", data, len(MAGIC))
    out = tmp_path / "payload.skops"
    out.write_bytes(data[fixed + hlen + 32 :])
    return out


# ------------------------------------------------------------- the packaged model


def test_packaged_model_is_verified_even_though_trusted(tmp_path, monkeypatch):
    shipped = _predict.default_model_path()
    assert read_header(shipped)["payload"]["format"] == "joblib"
    copy = tmp_path / "default_model.joblib"
    data = bytearray(shipped.read_bytes())
    data[-100] ^= 0x01
    copy.write_bytes(bytes(data))
    monkeypatch.setattr(_predict, "default_model_path", lambda: copy)
    monkeypatch.setattr(_predict, "_default", None)
    with pytest.raises(ModelIntegrityError, match="payload SHA-256 mismatch"):
        default_model()


# ---------------------------------------------------------------- version drift


@pytest.mark.parametrize("fmt", ["joblib", "skops"])
def test_other_scikit_learn_version_warns_clearly(model, tmp_path, fmt):
    import sklearn

    path = save_model(model, tmp_path / f"old.{fmt}", format=fmt)
    _reheader(path, lambda h: h["metadata"]["versions"].update(sklearn="1.4.2", numpy="1.26.0"))
    with pytest.warns(ModelVersionWarning) as record:
        loaded = load_model(path, trusted=True)
    msg = str(record[0].message)
    assert msg.startswith(f"old.{fmt} was saved with sklearn 1.4.2, numpy 1.26.0")
    assert f"installed: sklearn {sklearn.__version__}" in msg
    assert "retrain or re-save" in msg
    assert loaded.predict(TEXTS).tolist() == model.predict(TEXTS).tolist()


def test_drift_is_named_when_an_old_payload_cannot_be_read(tmp_path):
    # A pickle naming a class that no longer exists, as after a scikit-learn upgrade.
    payload = b"\x80\x02csklearn.gone_module\nOldEstimator\nq\x00)\x81q\x01."
    path = _forge(tmp_path / "old.joblib", payload, metadata={"versions": {"sklearn": "0.24.2"}})
    with pytest.raises(ModelIntegrityError, match=r"saved with sklearn 0\.24\.2 \(installed "):
        load_model(path, trusted=True)


def test_info_shows_drift_without_loading(model, tmp_path, capsys, monkeypatch):
    path = save_model(model, tmp_path / "old.joblib")
    _reheader(path, lambda h: h["metadata"]["versions"].update(sklearn="1.4.2"))
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("info must not unpickle"))
    assert main(["info", "--model", str(path)]) == EXIT_OK
    assert "DIFFERS from installed: sklearn" in capsys.readouterr().out


# -------------------------------------------------------------------- offline


def test_loading_and_predicting_never_touch_the_network(model, tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    for fmt in ("joblib", "skops"):
        path = save_model(model, tmp_path / f"m.{fmt}", format=fmt)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = load_model(path, trusted=True)
        assert predict("numb toes", model=loaded).label == "neuropathy"
    monkeypatch.setattr(_predict, "_default", None)
    assert predict("calf twitching for a week, no weakness").label == "benign_fasciculation"


def test_default_model_is_pinned_to_its_digest(tmp_path, monkeypatch):
    import hashlib
    import shutil

    from fasciclf.models import _predict

    path = _predict.default_model_path()
    pin = _predict.default_model_sha256_path()
    assert pin.read_text("ascii").strip() == hashlib.sha256(path.read_bytes()).hexdigest()
    # A different (but well-formed) model file in its place is refused by the pin.
    other = tmp_path / "default_model.joblib"
    shutil.copy(path, other)
    (tmp_path / "default_model.sha256").write_text("0" * 64 + "\n", encoding="ascii")
    monkeypatch.setattr(_predict, "default_model_path", lambda: other)
    monkeypatch.setattr(_predict, "_default", None)
    from fasciclf.models import ModelIntegrityError

    with pytest.raises(ModelIntegrityError):
        _predict.default_model()
