"""Negation-aware symptom features from free text.

The pipeline is ``spacy.blank("en")`` plus three registered components
(``fasciclf_terms``, ``fasciclf_context``, ``fasciclf_features``) and the
reviewable JSON lexicon and context rules in ``resources/``.
"""

from fasciclf.features._featurizer import SymptomFeaturizer
from fasciclf.features._pipeline import (
    MAX_CHARS,
    TextTruncatedWarning,
    build_nlp,
    extract,
    extract_many,
)
from fasciclf.features._resources import ResourceError, lexicon_version
from fasciclf.features._types import (
    BODY_SITES,
    FINDING_STATUSES,
    LATERALITIES,
    PROGRESSIONS,
    SYMPTOM_STATUSES,
    SYMPTOMS,
    TIMINGS,
    TRIGGERS,
    Finding,
    SymptomFeatures,
)

__all__ = [
    "BODY_SITES",
    "FINDING_STATUSES",
    "LATERALITIES",
    "MAX_CHARS",
    "PROGRESSIONS",
    "SYMPTOMS",
    "SYMPTOM_STATUSES",
    "TIMINGS",
    "TRIGGERS",
    "Finding",
    "ResourceError",
    "SymptomFeatures",
    "SymptomFeaturizer",
    "TextTruncatedWarning",
    "build_nlp",
    "extract",
    "extract_many",
    "lexicon_version",
]
