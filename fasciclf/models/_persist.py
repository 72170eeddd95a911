"""``save_model`` / ``load_model``: model files that are checked before anything is loaded.

The file layout and its checks live in :mod:`fasciclf.models._model_file`;
the skops-specific guards in :mod:`fasciclf.models._skops_safety`.

**Formats.** ``save_model`` picks the format from the file name:
``.joblib`` writes joblib, anything else (``.skops`` included) writes skops,
the format that loads without running code, so a model saved by default
loads by default. An explicit ``format=`` that contradicts the suffix is
refused.

**Security.** A joblib (pickle) payload can run arbitrary code when it is
loaded. A checksum only proves the file is intact, not that its author is
benign, so :func:`load_model` refuses joblib files unless the caller
vouches for them: ``trusted=True`` (I made this file or trust whoever
did), or ``trusted=["<sha256 of the file>", ...]`` (an allowlist of file
digests, as printed by ``sha256sum`` or ``fasciclf info``). The model
packaged with fasciclf is joblib, pinned to the SHA-256 written next to it
(loading joblib is about twice as fast as skops, and the first prediction
should be quick). A skops payload instantiates only the types skops trusts
by default, the reviewed :data:`SKOPS_TRUSTED_TYPES` (gradient-boosting
trees among them, validated after loading) and type names the caller lists
in ``trusted=[...]``; ``trusted=True`` admits no extra type.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from fasciclf._json import to_jsonable
from fasciclf.models._drift import (
    LexiconVersionWarning,
    ModelVersionWarning,
    _drift_hint,
    _warn_drift,
    version_drift,
)
from fasciclf.models._model_file import (
    FORMAT_VERSION,
    FORMATS,
    MAGIC,
    ModelIntegrityError,
    encode,
    read_model_file,
)
from fasciclf.models._skops_safety import (
    SKOPS_TRUSTED_TYPES,
    allowed_types,
    check_archive,
    validate_trees,
)

_SUFFIX_FORMATS = {".joblib": "joblib", ".skops": "skops"}


class UntrustedModelError(ModelIntegrityError):
    """A model file is intact but would need trust to load (code could run).

    ``trust_would_load`` is true when ``trusted=True`` (the CLI's ``--trust``)
    would load it: a joblib file. A skops file with unlisted types needs
    the type names instead, so callers must not suggest blanket trust.
    """

    def __init__(self, message: str, *, trust_would_load: bool = False) -> None:
        super().__init__(message)
        self.trust_would_load = trust_would_load


_jsonable = to_jsonable


def _resolve_format(path: Path, format: str | None) -> str:
    if format is not None and format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    implied = _SUFFIX_FORMATS.get(path.suffix.lower())
    if format is not None and implied is not None and implied != format:
        raise ValueError(
            f"format={format!r} contradicts the file name {path.name!r} (a {implied} suffix); "
            f"rename the file or drop format="
        )
    return format or implied or "skops"


def save_model(model: Any, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write a fitted model with a checked header (see the module docstring).

    Parameters
    ----------
    model : fitted classifier
        Usually a :class:`~fasciclf.models.SymptomClassifier`; its
        ``metadata_`` (from :func:`~fasciclf.models.train`) goes into the
        header.
    path : path-like
        Destination; written atomically (a temporary file, then renamed).
    format : {"joblib", "skops"} or None, default=None
        ``None`` picks it from the suffix: ``.joblib`` is joblib, anything
        else skops (loads without executing code, and without ``trusted``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For an unknown ``format``, or one that contradicts the suffix.
    sklearn.exceptions.NotFittedError
        If ``model`` is not fitted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fasciclf.models import SymptomClassifier
    >>> m = SymptomClassifier(kind="text", min_df=1).fit(
    ...     ["calf twitch", "numb feet", "eyelid twitch", "numb toes"], ["b", "n", "b", "n"])
    >>> path = save_model(m, pathlib.Path(tempfile.mkdtemp()) / "m.skops")
    >>> load_model(path).predict(["numb toes"]).tolist()
    ['n']
    """
    path = Path(path)
    fmt = _resolve_format(path, format)
    check_is_fitted(model)
    if not hasattr(model, "classes_"):
        raise NotFittedError(
            f"expected a fitted classifier with classes_, got {type(model).__name__}"
        )
    data = encode(
        _payload(model, fmt),
        fmt,
        f"{type(model).__module__}.{type(model).__qualname__}",
        _metadata(model),
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _metadata(model: Any) -> dict[str, Any]:
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
    return meta


def _payload(model: Any, fmt: str) -> bytes:
    if fmt == "joblib":
        import joblib

        buf = io.BytesIO()
        joblib.dump(model, buf, compress=("zlib", 3))
        return buf.getvalue()
    import zipfile

    import skops.io as sio

    return sio.dumps(model, compression=zipfile.ZIP_DEFLATED, compresslevel=6)


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check a model file's structure and digests and return its header, loading nothing.

    The returned dict has ``format_version``, ``payload`` (``format``,
    ``length``, ``sha256``), ``model_class``, ``metadata`` and
    ``file_sha256`` (the digest of the whole file, for ``trusted=[...]``).

    Raises
    ------
    ModelIntegrityError
        If the file is not a regular file, not a fasciclf model, is
        truncated, was modified or has a malformed header.
    FileNotFoundError
        If there is no such file.
    """
    return read_model_file(path, keep_payload=False).header


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
        For skops files: type names to admit beyond skops' defaults and
        :data:`SKOPS_TRUSTED_TYPES` (as ``skops.io.load(trusted=...)``
        takes them); ``True`` admits none.

    Returns
    -------
    The fitted model.

    Raises
    ------
    ModelIntegrityError
        Not a regular fasciclf model file, truncated, modified (header or
        payload digest mismatch), malformed, too large once inflated, or
        undeserialisable.
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
    >>> p = save_model(m, pathlib.Path(tempfile.mkdtemp()) / "m.joblib")
    >>> try:
    ...     load_model(p)
    ... except UntrustedModelError as err:
    ...     print(str(err).split(":")[0])
    m.joblib
    >>> _ = p.write_bytes(p.read_bytes()[:-10])
    >>> try:
    ...     load_model(p, trusted=True)
    ... except ModelIntegrityError as err:  # doctest: +ELLIPSIS
    ...     print(err)
    m.joblib: truncated: expected a payload of ... bytes, found ...
    """
    path = Path(path)
    verified = read_model_file(path)
    header = verified.header
    name = path.name
    if header["payload"]["format"] == "joblib":
        model = _load_joblib(verified.payload, header, name, trusted)
    else:
        model = _load_skops(verified.payload, header, name, trusted)
    _check_loaded(model, header, name)
    _warn_drift(header, name)
    return model


def _load_joblib(payload: bytes, header: dict[str, Any], name: str, trusted: Any) -> Any:
    if not _is_trusted(trusted, header["file_sha256"]):
        raise UntrustedModelError(
            f"{name}: refusing to load a joblib file that is not trusted. Joblib (pickle) "
            "files can run arbitrary code when loaded; load only files you made or whose "
            "source you trust, with load_model(path, trusted=True) or "
            f"load_model(path, trusted=[{header['file_sha256']!r}]) (this file's SHA-256). "
            "Models saved as .skops load without that risk.",
            trust_would_load=True,
        )
    import joblib

    try:
        return joblib.load(io.BytesIO(payload))
    except Exception as exc:  # noqa: BLE001 - any failure here means an unusable file
        raise ModelIntegrityError(
            f"{name}: the payload is intact but could not be unpickled "
            f"({type(exc).__name__}: {exc}){_drift_hint(header)}"
        ) from exc


def _load_skops(payload: bytes, header: dict[str, Any], name: str, trusted: Any) -> Any:
    import skops.io as sio

    check_archive(payload, name)
    allowed = allowed_types(trusted)
    try:
        untrusted = sorted(set(sio.get_untrusted_types(data=payload)) - set(allowed))
    except Exception as exc:  # noqa: BLE001
        raise ModelIntegrityError(
            f"{name}: the skops payload is intact but could not be loaded "
            f"({type(exc).__name__}: {exc}){_drift_hint(header)}"
        ) from exc
    if untrusted:
        raise UntrustedModelError(
            f"{name}: the skops file contains types outside the trusted list: "
            f"{', '.join(untrusted)}. Review them; load_model(path, trusted=[<type names>]) "
            "admits the ones you list (trusted=True admits none)."
        )
    try:
        model = sio.loads(payload, trusted=allowed)
    except Exception as exc:  # noqa: BLE001
        raise ModelIntegrityError(
            f"{name}: the skops payload is intact but could not be loaded "
            f"({type(exc).__name__}: {exc}){_drift_hint(header)}"
        ) from exc
    validate_trees(model, name)
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
