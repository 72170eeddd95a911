"""Triage classifiers, red-flag rules, safe model files and ``predict``.

- :class:`SymptomClassifier`: a scikit-learn estimator over raw texts
  (structured features, TF-IDF, or both), calibrated.
- :func:`train`: hyperparameter selection with ``GridSearchCV``, CV metrics,
  the model-based red-flag threshold and metadata attached.
- :func:`red_flags`: rules over extracted features, independent of any model.
- :func:`save_model` / :func:`load_model`: a checked header in front of a
  skops (default) or joblib payload; tampered, truncated, forged or
  oversized files are refused.
- :func:`predict` / :func:`predict_many` with :func:`default_model`, the
  model shipped in the package.

Examples
--------
>>> from fasciclf.models import predict
>>> p = predict("Twitching in both calves for two months, strength fine, EMG normal.")
>>> p.label
'benign_fasciculation'
>>> p.disclaimer.startswith("fasciclf is a triage aid, not a diagnosis")
True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Loaded on first use (PEP 562), so that the ``fasciclf`` console script can
# import ``fasciclf.models._cli`` without scikit-learn and spaCy.
_LAZY: dict[str, str] = {
    "SymptomClassifier": "_classifier",
    "training_data_sha256": "_classifier",
    "SKOPS_TRUSTED_TYPES": "_persist",
    "LexiconVersionWarning": "_persist",
    "ModelIntegrityError": "_persist",
    "ModelVersionWarning": "_persist",
    "UntrustedModelError": "_persist",
    "load_model": "_persist",
    "read_header": "_persist",
    "save_model": "_persist",
    "LOW_CONFIDENCE_THRESHOLD": "_predict",
    "default_model": "_predict",
    "default_model_path": "_predict",
    "predict": "_predict",
    "predict_many": "_predict",
    "predict_iter": "_predict",
    "ABSTAIN_REASONS": "_prediction",
    "MODEL_FLAG_CODE": "_prediction",
    "BENIGN_LABELS": "_prediction",
    "DISCLAIMER": "_prediction",
    "Prediction": "_prediction",
    "RedFlag": "_prediction",
    "RULES": "_red_flags",
    "red_flags": "_red_flags",
    "DEFAULT_GRIDS": "_train",
    "cv_scores": "_train",
    "model_metadata": "_train",
    "model_version": "_train",
    "red_flag_threshold": "_train",
    "train": "_train",
}

if TYPE_CHECKING:  # pragma: no cover
    from fasciclf.models._classifier import SymptomClassifier, training_data_sha256
    from fasciclf.models._persist import (
        SKOPS_TRUSTED_TYPES,
        LexiconVersionWarning,
        ModelIntegrityError,
        ModelVersionWarning,
        UntrustedModelError,
        load_model,
        read_header,
        save_model,
    )
    from fasciclf.models._predict import (
        LOW_CONFIDENCE_THRESHOLD,
        default_model,
        default_model_path,
        predict,
        predict_iter,
        predict_many,
    )
    from fasciclf.models._prediction import (
        ABSTAIN_REASONS,
        BENIGN_LABELS,
        DISCLAIMER,
        MODEL_FLAG_CODE,
        Prediction,
        RedFlag,
    )
    from fasciclf.models._red_flags import RULES, red_flags
    from fasciclf.models._train import (
        DEFAULT_GRIDS,
        cv_scores,
        model_metadata,
        model_version,
        red_flag_threshold,
        train,
    )

__all__ = [
    "ABSTAIN_REASONS",
    "BENIGN_LABELS",
    "DEFAULT_GRIDS",
    "DISCLAIMER",
    "LOW_CONFIDENCE_THRESHOLD",
    "MODEL_FLAG_CODE",
    "RULES",
    "SKOPS_TRUSTED_TYPES",
    "LexiconVersionWarning",
    "ModelIntegrityError",
    "ModelVersionWarning",
    "Prediction",
    "RedFlag",
    "SymptomClassifier",
    "UntrustedModelError",
    "cv_scores",
    "default_model",
    "default_model_path",
    "load_model",
    "model_metadata",
    "model_version",
    "predict",
    "predict_iter",
    "predict_many",
    "read_header",
    "red_flag_threshold",
    "red_flags",
    "save_model",
    "train",
    "training_data_sha256",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fasciclf.models' has no attribute {name!r}")
    value = getattr(import_module(f"fasciclf.models.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
