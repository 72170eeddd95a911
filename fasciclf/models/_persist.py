"""Model files: a checked header in front of a joblib or skops payload.

File layout (all integers big-endian)::

    MAGIC            10 bytes   b"\\x93FASCICLF\\n"
    format version    2 bytes   FORMAT_VERSION
    header length     4 bytes   n
    header           n bytes    UTF-8 JSON: payload format, length and SHA-256,
                                label set, lexicon version, library versions,
                                training-data fingerprint, CV metrics, created
    header SHA-256   32 bytes   digest of the header bytes
    payload          rest       joblib pickle or skops zip

:func:`load_model` checks the magic bytes, the format version, both
lengths and both digests *before* anything is deserialised, so a
tampered, truncated or foreign file is refused with a
:class:`ModelIntegrityError` naming the problem, never a raw pickle error.

**Security.** A joblib (pickle) payload can run arbitrary code when it is
loaded. A checksum only proves the file is intact, not that its author is
benign, so :func:`load_model` refuses joblib files unless the caller
vouches for them: ``trusted=True`` (I made this file or trust whoever
did), or ``trusted=["<sha256 of the file>", ...]`` (an allowlist of file
digests, as printed by ``sha256sum`` or ``fasciclf info``). The model
packaged with fasciclf is loaded as trusted. The skops format
(``save_model(..., format="skops")``) loads without executing code and
only instantiates the types in :data:`SKOPS_TRUSTED_TYPES`; it needs no
``trusted`` argument.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from fasciclf._json import to_jsonable

MAGIC = b"\x93FASCICLF\n"
FORMAT_VERSION = 1
FORMATS: tuple[str, ...] = ("joblib", "skops")
_PREFIX = struct.Struct(">HI")
_DIGEST_LEN = 32
_MAX_HEADER = 16 * 1024 * 1024

#: Types outside skops' defaults that a fasciclf model file may contain.
#: Reviewed with ``skops.io.get_untrusted_types`` on hybrid, features and
#: text models with every calibration option; nothing here runs code on load.
SKOPS_TRUSTED_TYPES: tuple[str, ...] = (
    "fasciclf.models._classifier.SymptomClassifier",
    "fasciclf.models._classifier._Head",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.StratifiedKFold",
)


class ModelIntegrityError(Exception):
    """A model file was refused: not a fasciclf model, damaged, or not trusted."""


class UntrustedModelError(ModelIntegrityError):
    """A model file is intact but would need trust to load (code could run)."""


class ModelVersionWarning(UserWarning):
    """A model was saved with other versions of fasciclf or its libraries."""


class LexiconVersionWarning(ModelVersionWarning):
    """A model was trained with another lexicon than the extractor now uses."""


def _sha256(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


_jsonable = to_jsonable


def save_model(model: Any, path: str | os.PathLike[str], *, format: str = "joblib") -> Path:
    """Write a fitted model with a checked header (see the module docstring).

    Parameters
    ----------
    model : fitted classifier
        Usually a :class:`~fasciclf.models.SymptomClassifier`; its
        ``metadata_`` (from :func:`~fasciclf.models.train`) goes into the
        header.
    path : path-like
        Destination; written atomically (a temporary file, then renamed).
    format : {"joblib", "skops"}, default="joblib"
        ``"skops"`` files load without executing code.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For an unknown ``format``.
    sklearn.exceptions.NotFittedError
        If ``model`` is not fitted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fasciclf.models import SymptomClassifier
    >>> m = SymptomClassifier(kind="text", min_df=1).fit(
    ...     ["calf twitch", "numb feet", "eyelid twitch", "numb toes"], ["b", "n", "b", "n"])
    >>> path = save_model(m, pathlib.Path(tempfile.mkdtemp()) / "m.joblib")
    >>> load_model(path, trusted=True).predict(["numb toes"]).tolist()
    ['n']
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    check_is_fitted(model)
    if not hasattr(model, "classes_"):
        raise NotFittedError(
            f"expected a fitted classifier with classes_, got {type(model).__name__}"
        )
    from fasciclf.models._train import library_versions, model_metadata

    meta = getattr(model, "metadata_", None)
    if not isinstance(meta, Mapping):
        meta = model_metadata(model) if hasattr(model, "get_params") else {}
    meta = _jsonable(dict(meta))
    meta["versions"] = library_versions()  # what wrote the payload, for drift checks
    meta.setdefault("classes", _jsonable(list(model.classes_)))
    if "lexicon_version" not in meta:
        from fasciclf.features import lexicon_version

        meta["lexicon_version"] = lexicon_version()

    if format == "joblib":
        import joblib

        buf = io.BytesIO()
        joblib.dump(model, buf, compress=("zlib", 3))
        payload = buf.getvalue()
    else:
        sio = _import_skops()
        import zipfile

        payload = sio.dumps(model, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    header = {
        "format_version": FORMAT_VERSION,
        "payload": {"format": format, "length": len(payload), "sha256": _sha256(payload)},
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "metadata": meta,
    }
    header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True, allow_nan=False).encode()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC)
            fh.write(_PREFIX.pack(FORMAT_VERSION, len(header_bytes)))
            fh.write(header_bytes)
            fh.write(hashlib.sha256(header_bytes).digest())
            fh.write(payload)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _import_skops():
    try:
        import skops.io as sio
    except ImportError as exc:  # pragma: no cover - skops is a test dependency
        raise ImportError(
            "the skops model format needs the skops package: pip install 'fasciclf[skops]'"
        ) from exc
    return sio


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check a model file's structure and digests and return its header, loading nothing.

    The returned dict has ``format_version``, ``payload`` (``format``,
    ``length``, ``sha256``), ``model_class``, ``metadata`` and
    ``file_sha256`` (the digest of the whole file, for ``trusted=[...]``).

    Raises
    ------
    ModelIntegrityError
        If the file is not a fasciclf model, is truncated or was modified.
    FileNotFoundError
        If there is no such file.
    """
    path = Path(path)
    data = path.read_bytes()
    header, _ = _parse(data, path)
    return header


def _parse(data: bytes, path: Path) -> tuple[dict[str, Any], memoryview]:
    name = path.name
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            raise ModelIntegrityError(
                f"{name}: truncated ({len(data)} bytes, ends inside the header)"
            )
        raise ModelIntegrityError(
            f"{name} is not a fasciclf model file: expected it to start with {MAGIC!r}, "
            f"found {data[:10]!r}{_guess(data)}. Save models with fasciclf.save_model()."
        )
    fixed = len(MAGIC) + _PREFIX.size
    if len(data) < fixed:
        raise ModelIntegrityError(f"{name}: truncated ({len(data)} bytes, ends inside the header)")
    version, hlen = _PREFIX.unpack_from(data, len(MAGIC))
    if version != FORMAT_VERSION:
        newer = (
            " (written by a newer fasciclf; upgrade to read it)" if version > FORMAT_VERSION else ""
        )
        raise ModelIntegrityError(
            f"{name}: model file format {version} is not supported; this fasciclf reads "
            f"format {FORMAT_VERSION}{newer}"
        )
    if hlen > _MAX_HEADER:
        raise ModelIntegrityError(
            f"{name}: header length {hlen} is implausible; the file is damaged"
        )
    body = fixed + hlen + _DIGEST_LEN
    if len(data) < body:
        raise ModelIntegrityError(
            f"{name}: truncated: the header needs {body} bytes, the file has {len(data)}"
        )
    header_bytes = data[fixed : fixed + hlen]
    if hashlib.sha256(header_bytes).digest() != data[fixed + hlen : body]:
        raise ModelIntegrityError(
            f"{name}: header checksum mismatch; the file was modified or damaged"
        )
    try:
        header = json.loads(header_bytes)
        payload_info = header["payload"]
        expected_len = int(payload_info["length"])
        expected_sha = str(payload_info["sha256"])
        fmt = payload_info["format"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(f"{name}: unreadable header ({exc})") from None
    if fmt not in FORMATS:
        raise ModelIntegrityError(
            f"{name}: unknown payload format {fmt!r}; expected one of {FORMATS}"
        )
    payload = memoryview(data)[body:]
    if len(payload) != expected_len:
        what = "truncated" if len(payload) < expected_len else "has trailing bytes"
        raise ModelIntegrityError(
            f"{name}: {what}: expected a payload of {expected_len} bytes, found {len(payload)}"
        )
    if _sha256(payload) != expected_sha:
        raise ModelIntegrityError(
            f"{name}: payload SHA-256 mismatch (expected {expected_sha[:16]}…, found "
            f"{_sha256(payload)[:16]}…); the file was modified or damaged. Nothing was loaded."
        )
    header["file_sha256"] = _sha256(data)
    return header, payload


def _guess(data: bytes) -> str:
    if data[:1] == b"\x80":
        return " (a raw pickle/joblib file?)"
    if data[:2] in (b"x\x01", b"x\x5e", b"x\x9c", b"x\xda"):
        return " (a compressed joblib file?)"
    if data[:4] == b"PK\x03\x04":
        return " (a zip or raw skops file?)"
    return ""


def load_model(
    path: str | os.PathLike[str],
    *,
    trusted: bool | Iterable[str] = False,
) -> Any:
    """Load a model written by :func:`save_model`, verifying it first.

    Parameters
    ----------
    path : path-like
        The file; its name and extension do not matter, only its content.
    trusted : bool or iterable of str, default=False
        For joblib files, which can run code when loaded: ``True`` to load
        any intact file, or the SHA-256 digests (hex) of files you trust.
        For skops files, ``True`` also admits types beyond
        :data:`SKOPS_TRUSTED_TYPES`.

    Returns
    -------
    The fitted model.

    Raises
    ------
    ModelIntegrityError
        Not a fasciclf model file, truncated, modified (header or payload
        digest mismatch), or undeserialisable.
    UntrustedModelError
        A joblib file without ``trusted``, or a skops file with types
        outside the trusted list (a subclass of ModelIntegrityError).
    FileNotFoundError

    Warns
    -----
    ModelVersionWarning
        When fasciclf, scikit-learn, spaCy or NumPy differ from the
        versions that saved the file.
    LexiconVersionWarning
        When the model was trained with another lexicon than the current one.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from fasciclf.models import SymptomClassifier
    >>> m = SymptomClassifier(kind="text", min_df=1).fit(
    ...     ["calf twitch", "numb feet", "eyelid twitch", "numb toes"], [0, 1, 0, 1])
    >>> p = save_model(m, pathlib.Path(tempfile.mkdtemp()) / "m.bin")
    >>> try:
    ...     load_model(p)
    ... except UntrustedModelError as err:
    ...     print(str(err).split(":")[0])
    m.bin
    >>> _ = p.write_bytes(p.read_bytes()[:-10])
    >>> try:
    ...     load_model(p, trusted=True)
    ... except ModelIntegrityError as err:  # doctest: +ELLIPSIS
    ...     print(err)
    m.bin: truncated: expected a payload of ... bytes, found ...
    """
    path = Path(path)
    data = path.read_bytes()
    header, payload = _parse(data, path)
    fmt = header["payload"]["format"]
    name = path.name
    if fmt == "joblib":
        if not _is_trusted(trusted, header["file_sha256"]):
            raise UntrustedModelError(
                f"{name}: refusing to load a joblib file that is not trusted. Joblib (pickle) "
                "files can run arbitrary code when loaded; load only files you made or whose "
                "source you trust, with load_model(path, trusted=True) or "
                f"load_model(path, trusted=[{header['file_sha256']!r}]) (this file's SHA-256). "
                "Models saved with format='skops' load without that risk."
            )
        import joblib

        try:
            model = joblib.load(io.BytesIO(payload))
        except Exception as exc:  # noqa: BLE001 - any failure here means an unusable file
            raise ModelIntegrityError(
                f"{name}: the payload is intact but could not be unpickled "
                f"({type(exc).__name__}: {exc}){_drift_hint(header)}"
            ) from exc
    else:
        sio = _import_skops()
        raw = bytes(payload)
        try:
            allowed = list(SKOPS_TRUSTED_TYPES)
            if trusted is True:
                allowed += sio.get_untrusted_types(data=raw)
            untrusted = sorted(set(sio.get_untrusted_types(data=raw)) - set(allowed))
            if untrusted:
                raise UntrustedModelError(
                    f"{name}: the skops file contains types outside the trusted list: "
                    f"{', '.join(untrusted)}. Review them; load_model(path, trusted=True) "
                    "admits them."
                )
            model = sio.loads(raw, trusted=allowed)
        except ModelIntegrityError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ModelIntegrityError(
                f"{name}: the skops payload is intact but could not be loaded "
                f"({type(exc).__name__}: {exc}){_drift_hint(header)}"
            ) from exc
    _check_loaded(model, header, name)
    _warn_drift(header, name)
    return model


def _is_trusted(trusted: bool | Iterable[str], file_sha256: str) -> bool:
    if trusted is True:
        return True
    if trusted is False or trusted is None:
        return False
    if isinstance(trusted, str):
        trusted = [trusted]
    if not isinstance(trusted, Iterable) or isinstance(trusted, bytes | int | float):
        raise TypeError(
            "trusted must be True, False or an iterable of SHA-256 hex strings, "
            f"got {type(trusted).__name__}"
        )
    return file_sha256 in {str(t).strip().lower() for t in trusted}


def _check_loaded(model: Any, header: dict[str, Any], name: str) -> None:
    if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
        raise ModelIntegrityError(
            f"{name}: expected a fitted classifier, the payload holds a {type(model).__name__}"
        )
    meta = header.get("metadata") or {}
    expected = meta.get("classes")
    found = _jsonable(list(model.classes_))
    if expected is not None and expected != found:
        raise ModelIntegrityError(
            f"{name}: the header lists labels {expected} but the model predicts {found}"
        )
    if not isinstance(getattr(model, "metadata_", None), Mapping) and meta:
        try:
            model.metadata_ = meta
        except AttributeError:  # pragma: no cover - exotic objects
            pass


def version_drift(header: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """``{library: (saved_with, installed)}`` for every version that differs."""
    from fasciclf.models._train import library_versions

    saved = (header.get("metadata") or {}).get("versions") or {}
    now = library_versions()
    return {k: (str(saved[k]), v) for k, v in now.items() if k in saved and str(saved[k]) != v}


def _drift_hint(header: Mapping[str, Any]) -> str:
    drift = version_drift(header)
    if not drift:
        return ""
    return "; saved with " + ", ".join(f"{k} {a} (installed {b})" for k, (a, b) in drift.items())


def _warn_drift(header: Mapping[str, Any], name: str) -> None:
    drift = version_drift(header)
    if drift:
        warnings.warn(
            f"{name} was saved with "
            + ", ".join(f"{k} {a}" for k, (a, _) in drift.items())
            + "; installed: "
            + ", ".join(f"{k} {b}" for k, (_, b) in drift.items())
            + ". Predictions may differ; retrain or re-save with the installed versions.",
            ModelVersionWarning,
            stacklevel=3,
        )
    from fasciclf.features import lexicon_version

    saved_lex = (header.get("metadata") or {}).get("lexicon_version")
    if saved_lex is not None and saved_lex != lexicon_version():
        warnings.warn(
            f"{name} was trained with {saved_lex}, the extractor now uses {lexicon_version()}: "
            "its features may read texts differently. Retrain the model "
            "(fasciclf train --default for the packaged one).",
            LexiconVersionWarning,
            stacklevel=3,
        )


__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "MAGIC",
    "SKOPS_TRUSTED_TYPES",
    "LexiconVersionWarning",
    "ModelIntegrityError",
    "ModelVersionWarning",
    "UntrustedModelError",
    "load_model",
    "read_header",
    "save_model",
    "version_drift",
]
