"""What a skops payload must pass before and after skops reads it.

Before: the archive's declared uncompressed size and entry count are
bounded (:func:`check_archive`), so a 1 MB zip bomb is refused in
milliseconds instead of costing gigabytes; Python's zip reader never
inflates an entry past its declared size, so the bound holds.

Types: only those skops trusts by default, plus :data:`SKOPS_TRUSTED_TYPES`,
plus type names a caller lists explicitly. ``trusted=True`` admits nothing
more (that was the bypass skops removed after CVE-2024-37065).

After: decision trees (``sklearn.tree._tree.Tree``, inside the gradient
boosting) are walked by Cython code that does not check node indices, which
is why skops leaves them off its defaults. :func:`validate_trees` checks
every tree through its public arrays (``children_left``/``children_right``
pointing forward and in range or both -1 for a leaf, ``feature`` below the
enclosing estimators' ``n_features_in_``, ``value`` of the right shape)
before the model is returned, so a forged file gives a
:class:`ModelIntegrityError`, never an ``IndexError`` or a segfault.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
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
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.tree._tree.Tree",
)
TREE_TYPE = "sklearn.tree._tree.Tree"

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
    if trusted is not True and trusted is not False and trusted is not None:
        if not isinstance(trusted, Iterable) or isinstance(trusted, bytes):
            raise TypeError(
                "trusted must be True, False or an iterable of type names (skops) or "
                f"SHA-256 digests (joblib), got {type(trusted).__name__}"
            )
        extra = [str(t) for t in trusted if not _looks_like_digest(str(t))]
    return list(SKOPS_TRUSTED_TYPES) + extra


def _looks_like_digest(s: str) -> bool:
    s = s.strip().lower()
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)


def validate_trees(model: Any, name: str) -> None:
    """Check every decision tree reachable from ``model`` (see the module docstring)."""
    for tree, n_features in _trees(model):
        problem = _tree_problem(tree, n_features)
        if problem:
            raise ModelIntegrityError(
                f"{name}: a decision tree in the skops payload is malformed "
                f"({problem}); refusing it before it is used"
            )


def _type_name(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _trees(root: Any) -> Iterator[tuple[Any, int | None]]:
    """Yield (Tree, the smallest n_features_in_ of the estimators enclosing it)."""
    seen: set[int] = set()
    stack: list[tuple[Any, int | None, int]] = [(root, None, 0)]
    while stack:
        obj, n_features, depth = stack.pop()
        if id(obj) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(obj))
        if _type_name(obj) == TREE_TYPE:
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
                n_features = int(found) if n_features is None else min(n_features, int(found))
            children = vars(obj).values()
        stack.extend((c, n_features, depth + 1) for c in children)


def _tree_problem(tree: Any, n_features: int | None) -> str | None:
    if n_features is None:
        return "no enclosing estimator gives the number of features"
    try:
        n = int(tree.node_count)
        left = np.asarray(tree.children_left, dtype=np.int64)
        right = np.asarray(tree.children_right, dtype=np.int64)
        feature = np.asarray(tree.feature, dtype=np.int64)
        value = np.asarray(tree.value)
    except (AttributeError, TypeError, ValueError) as exc:
        return f"unreadable node arrays ({type(exc).__name__})"
    if n < 1 or not (len(left) == len(right) == len(feature) == n == value.shape[0]):
        return "node arrays of inconsistent lengths"
    leaf = left == -1
    if np.any(leaf != (right == -1)):
        return "a node with one child"
    index = np.arange(n)[~leaf]
    # scikit-learn numbers children after their parent: forward pointers in
    # range mean every walk ends at a leaf inside the array.
    if np.any((left[~leaf] <= index) | (left[~leaf] >= n)):
        return "child index out of range"
    if np.any((right[~leaf] <= index) | (right[~leaf] >= n)):
        return "child index out of range"
    if np.any((feature[~leaf] < 0) | (feature[~leaf] >= n_features)):
        return f"feature index outside the {n_features} features"
    if int(tree.n_features) != n_features:
        return f"tree reads {tree.n_features} features, its estimator {n_features}"
    return None


__all__ = [
    "MAX_UNCOMPRESSED_BYTES",
    "SKOPS_TRUSTED_TYPES",
    "allowed_types",
    "check_archive",
    "validate_trees",
]
