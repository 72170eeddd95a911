"""``predict`` and ``predict_many`` with the packaged default model."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from fasciclf.features._types import SymptomFeatures
from fasciclf.models._prediction import MODEL_FLAG_CODE, Prediction, RedFlag
from fasciclf.models._red_flags import red_flags

LOW_CONFIDENCE_THRESHOLD = 0.5
"""Below this top probability a prediction abstains with ``"low_confidence"``.

Measured on out-of-fold (5-fold) calibrated predictions of the default
model on the train split: the 8% of cases under 0.5 had the right top
label 45% of the time, those at or above it 88% (test split: 6%, 54% vs
89%). The label is still given; the abstention says not to rely on it.
"""
TOP_K = 3
DEFAULT_MODEL_FILE = "default_model.joblib"

_lock = threading.Lock()
_default: Any = None


def default_model_sha256_path() -> Path:
    """Where the SHA-256 of the packaged default model is pinned."""
    return default_model_path().with_suffix(".sha256")


def default_model_path() -> Path:
    """Location of the packaged default model (it may not exist in a fresh checkout)."""
    return Path(str(resources.files("fasciclf.models") / "resources" / DEFAULT_MODEL_FILE))


def default_model() -> Any:
    """The model shipped inside the package, loaded once per process (thread-safe).

    Returns
    -------
    SymptomClassifier

    Raises
    ------
    FileNotFoundError
        If the artifact is missing (rebuild it with ``fasciclf train --default``).

    Examples
    --------
    >>> model = default_model()
    >>> model is default_model()
    True
    >>> "possible_motor_neuron_disease" in model.classes_
    True
    """
    global _default
    model = _default
    if model is not None:
        return model
    with _lock:
        if _default is None:
            from fasciclf.models._persist import load_model

            path = default_model_path()
            if not path.is_file():
                raise FileNotFoundError(
                    f"the packaged default model is missing ({path}); rebuild it with "
                    "`fasciclf train --default` (or `python -m fasciclf.models.build_default`)"
                )
            # Shipped inside the installed package, and pinned to the digest written
            # next to it when it was built: a swapped file is refused.
            pin = default_model_sha256_path()
            trusted: Any = [pin.read_text("ascii").strip()] if pin.is_file() else True
            _default = load_model(path, trusted=trusted)
        return _default


def _model_version(model: Any) -> str:
    meta = getattr(model, "metadata_", None)
    if isinstance(meta, dict) and meta.get("model_version"):
        return str(meta["model_version"])
    from fasciclf.models._train import model_version

    return model_version(model)


def _has_symptom_finding(features: SymptomFeatures) -> bool:
    from fasciclf.features import SIGN_CONCEPTS

    return any(f.status == "present" and f.concept in SIGN_CONCEPTS for f in features.findings)


def _proba(model: Any, feats: Sequence[SymptomFeatures]) -> np.ndarray:
    if hasattr(model, "predict_proba_from_features"):
        return model.predict_proba_from_features(feats)
    # Any other classifier over raw texts (a user's Pipeline, say).
    return np.asarray(model.predict_proba([f.text for f in feats]))


_Net = tuple[list[str], float, float]


def _safety_net(model: Any) -> _Net | None:
    """The model's red-flag classes, threshold and target sensitivity, if it learned one."""
    threshold = getattr(model, "red_flag_threshold_", None)
    red = getattr(model, "red_flag_classes_", None)
    if threshold is None or not red:
        return None
    target = getattr(model, "red_flag_sensitivity", None) or 0.0
    return [str(c) for c in red], float(threshold), float(target)


def _model_flag(probabilities: dict[str, float], net: _Net | None) -> tuple[RedFlag, ...]:
    """The model-based red flag, when the red-flag classes together pass the threshold."""
    if net is None:
        return ()
    red, threshold, target = net
    p = float(sum(probabilities.get(c, 0.0) for c in red))
    top = max(probabilities, key=probabilities.get) if probabilities else None
    if p >= threshold:
        reason = (
            f"No rule fired, but the model gives {p:.0%} to the red-flag categories "
            f"({', '.join(red)}) together, at or above its threshold of {threshold:.0%} "
            f"(chosen for at least {target:.0%} sensitivity on out-of-fold training data)."
        )
    elif top in red:
        # a suggestion of a red-flag category is never shown without its flag
        reason = (
            f"No rule fired, but the model's most likely category is {top} "
            f"({probabilities[top]:.0%}; {p:.0%} to the red-flag categories together)."
        )
    else:
        return ()
    return (RedFlag(MODEL_FLAG_CODE, reason, (), p),)


def _build(
    features: SymptomFeatures,
    proba: np.ndarray,
    classes: list[str],
    version: str,
    model_flag: _Net | None = None,
) -> Prediction:
    order = np.argsort(-proba, kind="stable")
    probabilities = {c: float(p) for c, p in zip(classes, proba, strict=True)}
    top_k = tuple((classes[j], float(proba[j])) for j in order[:TOP_K])
    label, top = top_k[0]
    reason = None
    if not features.text.strip():
        reason = "empty_text"
    elif not _has_symptom_finding(features):
        reason = "no_symptom_findings"
    elif top < LOW_CONFIDENCE_THRESHOLD:
        reason = "low_confidence"
    flags = red_flags(features)
    if not flags:
        flags = _model_flag(probabilities, model_flag)
    return Prediction(
        label=label,
        probabilities=probabilities,
        top_k=top_k,
        red_flags=flags,
        features=features,
        abstained=reason is not None,
        abstain_reason=reason,
        model_version=version,
    )


def _classes(model: Any) -> list[str]:
    return [str(c.item() if isinstance(c, np.generic) else c) for c in model.classes_]


def predict(text: str, *, model: Any = None) -> Prediction:
    """Classify one description and report its red flags.

    Parameters
    ----------
    text : str
        The description in the writer's own words.
    model : fitted classifier, optional
        Default: :func:`default_model`.

    Returns
    -------
    Prediction
        Abstains (``abstained=True``, the most likely label still given)
        with ``"empty_text"`` for empty or blank text,
        ``"no_symptom_findings"`` when no symptom or sign is described as
        present, and ``"low_confidence"`` when the top probability is under
        :data:`LOW_CONFIDENCE_THRESHOLD`. Red flags are always reported.

    Raises
    ------
    TypeError
        If ``text`` is not a string (the message names its type).

    Examples
    --------
    >>> p = predict("My left calf has twitched for three weeks. No weakness, I still run.")
    >>> p.label, p.abstained, p.red_flags
    ('benign_fasciculation', False, ())
    >>> round(sum(p.probabilities.values()), 6)
    1.0
    >>> predict("   ").abstain_reason
    'empty_text'
    >>> [r.code for r in predict("My hand is getting weaker and the muscle is wasting.").red_flags]
    ['progressive_weakness', 'wasting']
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text as str, got {type(text).__name__}")
    from fasciclf.features import extract

    model = default_model() if model is None else model
    features = extract(text)
    proba = _proba(model, [features])[0]
    return _build(features, proba, _classes(model), _model_version(model), _safety_net(model))


def _invalid(item: Any, version: str) -> Prediction:
    return Prediction(
        label=None,
        probabilities={},
        top_k=(),
        red_flags=(),
        features=None,
        abstained=True,
        abstain_reason="invalid_input",
        model_version=version,
        error=f"expected text as str, got {type(item).__name__}",
    )


def predict_many(
    texts: Iterable[Any],
    *,
    model: Any = None,
    n_jobs: int = 1,
    batch_size: int = 1024,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> list[Prediction]:
    """Classify many descriptions; one :class:`Prediction` per input, in order.

    Features are extracted once per text (with :func:`fasciclf.features.extract_many`)
    and used by both the classifier and the red-flag rules.

    Parameters
    ----------
    texts : iterable
        Descriptions. An item that is not a string becomes an abstained
        Prediction (``abstain_reason="invalid_input"``, ``label=None``,
        ``error`` naming the type); the other rows are unaffected.
    model : fitted classifier, optional
        Default: :func:`default_model`.
    n_jobs : int, default=1
        Processes for feature extraction.
    batch_size : int, default=1024
        Texts classified per batch (bounds memory).
    progress : callable, optional
        ``progress(iterable_of_features, total)`` wrapper, e.g. tqdm.

    Returns
    -------
    list of Prediction
        Same length and order as ``texts``.

    Raises
    ------
    TypeError
        If ``texts`` is a single string rather than an iterable of them.

    Examples
    --------
    >>> preds = predict_many(["calf twitching for weeks, strength normal", None, ""])
    >>> [p.abstain_reason for p in preds]
    [None, 'invalid_input', 'empty_text']
    >>> preds[1].error
    'expected text as str, got NoneType'
    """
    if isinstance(texts, str):
        raise TypeError("expected an iterable of texts, got a single str; use predict(text)")
    from fasciclf.features import extract_many

    items = list(texts)
    model = default_model() if model is None else model
    version = _model_version(model)
    classes = _classes(model)
    net = _safety_net(model)
    out: list[Prediction | None] = [None] * len(items)
    valid = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            valid.append(i)
        else:
            out[i] = _invalid(item, version)
    feats_iter: Iterable[SymptomFeatures] = extract_many((items[i] for i in valid), n_jobs=n_jobs)
    if progress is not None:
        feats_iter = progress(feats_iter, len(valid))
    batch: list[tuple[int, SymptomFeatures]] = []

    def flush() -> None:
        proba = _proba(model, [f for _, f in batch])
        for (i, f), row in zip(batch, proba, strict=True):
            out[i] = _build(f, row, classes, version, net)
        batch.clear()

    for i, f in zip(valid, feats_iter, strict=True):
        batch.append((i, f))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return out  # type: ignore[return-value]


__all__ = [
    "LOW_CONFIDENCE_THRESHOLD",
    "default_model",
    "default_model_path",
    "predict",
    "predict_many",
]


def predict_iter(
    texts: Iterable[Any],
    *,
    model: Any = None,
    n_jobs: int = 1,
    batch_size: int = 1024,
) -> Iterator[Prediction]:
    """Stream predictions for an iterable of any length, in input order.

    Like :func:`predict_many`, but only ``batch_size`` texts are held in
    memory at a time, so a generator over millions of rows runs in flat
    memory.

    >>> [p.label for p in predict_iter(iter(["calf cramps at night"]))]
    ['benign_fasciculation']
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    model = model if model is not None else default_model()
    batch: list[Any] = []
    for item in texts:
        batch.append(item)
        if len(batch) >= batch_size:
            yield from predict_many(batch, model=model, n_jobs=n_jobs, batch_size=batch_size)
            batch = []
    if batch:
        yield from predict_many(batch, model=model, n_jobs=n_jobs, batch_size=batch_size)
