"""Version drift: a model file saved with other library or lexicon versions.

Read from the header alone, so ``fasciclf info`` can show it without
loading the model; :func:`~fasciclf.models.load_model` warns with it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any


class ModelVersionWarning(UserWarning):
    """A model was saved with other versions of fasciclf or its libraries."""


class LexiconVersionWarning(ModelVersionWarning):
    """A model was trained with another lexicon than the extractor now uses."""


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


__all__ = ["LexiconVersionWarning", "ModelVersionWarning", "version_drift"]
