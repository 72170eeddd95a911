"""Negation-aware symptom features from free text.

The pipeline is ``spacy.blank("en")`` plus six registered components
(``fasciclf_spelling``, ``fasciclf_terms``, ``fasciclf_function``,
``fasciclf_signs``, ``fasciclf_context``, ``fasciclf_features``) and the
reviewable JSON lexicon, function-loss table, sign families and context
rules in ``resources/``; a seventh, ``fasciclf_course`` (a fitted course
model, ``course_model.json``), is added by ``build_nlp(course_model=True)``.

spaCy and scikit-learn are imported on first use of a name that needs them
(PEP 562), so ``fasciclf --help`` and the vocabularies stay light.

>>> from fasciclf.features import extract
>>> extract("neither numbness nor pain").symptoms["sensory"]
'absent'
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

from fasciclf.features._types import (
    BODY_SITES,
    FINDING_STATUSES,
    LATERALITIES,
    PROGRESSIONS,
    SYMPTOM_STATUSES,
    SYMPTOMS,
    TIMINGS,
    TRIGGERS,
    Episode,
    Finding,
    SymptomFeatures,
)

_LAZY: dict[str, str] = {
    "SymptomFeaturizer": "_featurizer",
    "FEATURE_NAMES": "_featurizer",
    "features_to_row": "_featurizer",
    "finding_sentences": "_featurizer",
    "MAX_CHARS": "_pipeline",
    "TextTruncatedWarning": "_pipeline",
    "build_nlp": "_pipeline",
    "apply_timeline": "_timeline",
    "extract": "_pipeline",
    "extract_many": "_pipeline",
    "truncate_text": "_pipeline",
    "ResourceError": "_resources",
    "lexicon_version": "_resources",
    "SIGN_CONCEPTS": "_status",
    "red_flags": "_red_flags",
}

if TYPE_CHECKING:  # pragma: no cover
    from fasciclf.features._featurizer import (
        FEATURE_NAMES,
        SymptomFeaturizer,
        features_to_row,
        finding_sentences,
    )
    from fasciclf.features._pipeline import (
        MAX_CHARS,
        TextTruncatedWarning,
        build_nlp,
        extract,
        extract_many,
        truncate_text,
    )
    from fasciclf.features._red_flags import red_flags
    from fasciclf.features._resources import ResourceError, lexicon_version
    from fasciclf.features._status import SIGN_CONCEPTS


if "spacy" in sys.modules:  # pragma: no branch
    # spaCy is loaded already: register the factories now. Otherwise spaCy finds
    # them through the spacy_factories entry points when a pipeline asks.
    import_module("fasciclf.features._pipeline")


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fasciclf.features' has no attribute {name!r}")
    value = getattr(import_module(f"fasciclf.features.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "BODY_SITES",
    "FEATURE_NAMES",
    "FINDING_STATUSES",
    "LATERALITIES",
    "MAX_CHARS",
    "PROGRESSIONS",
    "SIGN_CONCEPTS",
    "SYMPTOMS",
    "SYMPTOM_STATUSES",
    "TIMINGS",
    "TRIGGERS",
    "Episode",
    "Finding",
    "ResourceError",
    "SymptomFeatures",
    "SymptomFeaturizer",
    "TextTruncatedWarning",
    "apply_timeline",
    "build_nlp",
    "extract",
    "extract_many",
    "features_to_row",
    "finding_sentences",
    "lexicon_version",
    "red_flags",
    "truncate_text",
]
