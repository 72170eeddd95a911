"""fasciclf: triage suggestions for lay descriptions of twitching, cramps, weakness and numbness.

A triage aid, not a diagnosis. The public names load lazily (module
``__getattr__``), so ``import fasciclf`` does not import spaCy or
scikit-learn until something is used.

Examples
--------
>>> import fasciclf
>>> p = fasciclf.predict("My eyelid has been twitching for a week, I sleep badly.")
>>> p.label
'benign_fasciculation'
>>> fasciclf.extract("no weakness").symptoms["weakness"]
'absent'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from fasciclf._version import __version__

_LAZY: dict[str, str] = {
    "predict": "fasciclf.models",
    "predict_many": "fasciclf.models",
    "predict_iter": "fasciclf.models",
    "default_model": "fasciclf.models",
    "save_model": "fasciclf.models",
    "load_model": "fasciclf.models",
    "train": "fasciclf.models",
    "SymptomClassifier": "fasciclf.models",
    "Prediction": "fasciclf.models",
    "RedFlag": "fasciclf.models",
    "ModelIntegrityError": "fasciclf.models",
    "extract": "fasciclf.features",
    "extract_many": "fasciclf.features",
    "red_flags": "fasciclf.features",
    "SymptomFeatures": "fasciclf.features",
    "evaluate": "fasciclf.evaluation",
}

__all__ = [
    "ModelIntegrityError",
    "Prediction",
    "RedFlag",
    "SymptomClassifier",
    "SymptomFeatures",
    "__version__",
    "default_model",
    "evaluate",
    "extract",
    "extract_many",
    "load_model",
    "predict",
    "predict_iter",
    "predict_many",
    "red_flags",
    "save_model",
    "train",
]

if TYPE_CHECKING:  # pragma: no cover
    from fasciclf.evaluation import evaluate
    from fasciclf.features import SymptomFeatures, extract, extract_many, red_flags
    from fasciclf.models import (
        ModelIntegrityError,
        Prediction,
        RedFlag,
        SymptomClassifier,
        default_model,
        load_model,
        predict,
        predict_iter,
        predict_many,
        save_model,
        train,
    )


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fasciclf' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
