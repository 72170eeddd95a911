"""What a skops payload must pass before and after skops reads it.

Before: the archive's declared uncompressed size and entry count are
bounded (:func:`check_archive`), so a 1 MB zip bomb is refused in
milliseconds instead of costing gigabytes; Python's zip reader never
inflates an entry past its declared size, so the bound holds.

Types: only those skops trusts by default, plus :data:`SKOPS_TRUSTED_TYPES`,
plus type names a caller lists explicitly. ``trusted=True`` admits nothing
more (that was the bypass skops removed after CVE-2024-37065).

After: gradient-boosting trees (``TreePredictor``) are walked by Cython code
that does not check node indices, which is why skops leaves them off its
defaults. :func:`validate_trees` checks every tree's node array (dtype,
child indices pointing forward and in range, feature indices below the
estimator's ``n_features_in_``, categorical bitsets in range) before the
model is returned, so a forged file gives a :class:`ModelIntegrityError`,
never an ``IndexError`` or a segfault.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from fasciclf.models._model_file import ModelIntegrityError

#: Types outside skops' defaults that a fasciclf model file may contain: our
#: own estimators, scikit-learn's calibration maps (numbers only, no code on
#: load or predict) and the gradient-boosting trees, validated by
#: :func:`validate_trees` after loading.
SKOPS_TRUSTED_TYPES: tuple[str, ...] = (
    "fasciclf.models._classifier.SymptomClassifier",
    "fasciclf.models._classifier._Head",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.StratifiedKFold",
)
TREE_PREDICTOR = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"

MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
"""Largest total uncompressed size of a skops archive (the default model: ~15 MB)."""
MAX_ENTRIES = 100_000
_MAX_DEPTH = 64


def check_archive(raw: bytes, name: str) -> None:
    """Refuse a skops archive whose declared contents are too large, before inflating it."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelIntegrityError(
            f"{name}: the skops payload is intact but could not be loaded "
            f"(not a zip archive: {exc})"
        ) from None
    if len(infos) > MAX_ENTRIES:
        raise ModelIntegrityError(
            f"{name}: the skops archive has {len(infos)} entries (at most {MAX_ENTRIES})"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ModelIntegrityError(
            f"{name}: the skops archive would inflate to {total} bytes (at most "
            f"{MAX_UNCOMPRESSED_BYTES}); refusing a possible zip bomb"
        )


def allowed_types(trusted: Any) -> list[str]:
    """:data:`SKOPS_TRUSTED_TYPES` plus the type names listed in ``trusted``.

    Strings that look like SHA-256 digests (the joblib form of trust) and
    booleans admit no type.
    """
    extra: list[str] = []
    if isinstance(trusted, str):
        trusted = [trusted]
    if trusted not in (True, False, None):
        extra = [str(t) for t in trusted if not _looks_like_digest(str(t))]
    return list(SKOPS_TRUSTED_TYPES) + extra


def _looks_like_digest(s: str) -> bool:
    s = s.strip().lower()
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)


def validate_trees(model: Any, name: str) -> None:
    """Check every gradient-boosting tree reachable from ``model`` (see the module docstring)."""
    for tree, n_features in _trees(model):
        problem = _tree_problem(tree, n_features)
        if problem:
            raise ModelIntegrityError(
                f"{name}: a gradient-boosting tree in the skops payload is malformed "
                f"({problem}); refusing it before it is used"
            )


def _type_name(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _trees(root: Any) -> Iterator[tuple[Any, int | None]]:
    """Yield (TreePredictor, n_features of the nearest enclosing estimator)."""
    seen: set[int] = set()
    stack: list[tuple[Any, int | None, int]] = [(root, None, 0)]
    while stack:
        obj, n_features, depth = stack.pop()
        if id(obj) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(obj))
        if _type_name(obj) == TREE_PREDICTOR:
            yield obj, n_features
            continue
        children: Any = ()
        if isinstance(obj, dict):
            children = obj.values()
        elif isinstance(obj, list | tuple | set | frozenset):
            children = obj
        elif isinstance(obj, np.ndarray):
            children = obj.ravel() if obj.dtype == object else ()
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            found = getattr(obj, "n_features_in_", None)
            if isinstance(found, int | np.integer):
                n_features = int(found)
            children = vars(obj).values()
        stack.extend((c, n_features, depth + 1) for c in children)


def _record_dtype() -> np.dtype:
    # The node layout scikit-learn's Cython walk expects; only its dtype is read.
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    return np.dtype(PREDICTOR_RECORD_DTYPE)


def _tree_problem(tree: Any, n_features: int | None) -> str | None:
    nodes = getattr(tree, "nodes", None)
    if not isinstance(nodes, np.ndarray) or nodes.dtype != _record_dtype() or nodes.ndim != 1:
        return "node array of the wrong type"
    n = len(nodes)
    if n == 0:
        return "no nodes"
    if n_features is None:
        return "no enclosing estimator gives the number of features"
    inner = np.flatnonzero(nodes["is_leaf"] == 0)
    index = inner.astype(np.int64)
    left = nodes["left"][inner].astype(np.int64)
    right = nodes["right"][inner].astype(np.int64)
    # scikit-learn numbers children after their parent: forward pointers in
    # range mean every walk ends at a leaf inside the array.
    if np.any((left <= index) | (left >= n) | (right <= index) | (right >= n)):
        return "child index out of range"
    feature = nodes["feature_idx"][inner].astype(np.int64)
    if np.any((feature < 0) | (feature >= n_features)):
        return f"feature index outside the {n_features} features"
    return _bitset_problem(tree, nodes, inner)


def _bitset_problem(tree: Any, nodes: np.ndarray, inner: np.ndarray) -> str | None:
    categorical = inner[nodes["is_categorical"][inner] != 0]
    for attr in ("binned_left_cat_bitsets", "raw_left_cat_bitsets"):
        bits = getattr(tree, attr, None)
        if not (isinstance(bits, np.ndarray) and bits.dtype == np.uint32 and bits.ndim == 2):
            return f"{attr} is not a 2-D uint32 array"
        if bits.shape[1] != 8:
            return f"{attr} has {bits.shape[1]} words per bitset, expected 8"
        if len(categorical) and int(nodes["bitset_idx"][categorical].max()) >= bits.shape[0]:
            return "categorical bitset index out of range"
    return None


__all__ = [
    "MAX_UNCOMPRESSED_BYTES",
    "SKOPS_TRUSTED_TYPES",
    "allowed_types",
    "check_archive",
    "validate_trees",
]
