"""Controlled vocabularies shared by features, data, models and evaluation.

Kept in a dependency-free module so that loading data or reading a report
does not import spaCy. The strings are a contract: the gold annotations in
``data/labeled``, ``../shared/realdev.jsonl`` and saved models use them.
"""

from __future__ import annotations

# Shown with every prediction, report and model card.
DISCLAIMER = (
    "fasciclf is a triage aid, not a diagnosis: a clinician must assess anyone "
    "with new, worsening or frightening symptoms."
)
# Classifier kinds: TF-IDF + features, features only, text only.
KINDS: tuple[str, ...] = ("hybrid", "features", "text")

# The default triage taxonomy (see data/labeled/GUIDELINE.md).
LABELS: tuple[str, ...] = (
    "benign_fasciculation",
    "cervical_radiculopathy",
    "lumbosacral_radiculopathy",
    "peripheral_neuropathy",
    "possible_motor_neuron_disease",
    "neuromuscular_junction",
    "metabolic_systemic",
    "central_nervous_system",
    "other",
)
# Gold labels that a triage aid must never miss (red-flag sensitivity).
RED_FLAG_LABELS: tuple[str, ...] = ("possible_motor_neuron_disease", "neuromuscular_junction")

BODY_SITES: tuple[str, ...] = (
    "head_face",
    "bulbar",
    "neck",
    "arm",
    "hand",
    "trunk",
    "leg",
    "foot",
    "generalized",
)
LATERALITIES: tuple[str, ...] = ("left", "right", "bilateral", "unspecified")
PROGRESSIONS: tuple[str, ...] = ("progressive", "improving", "stable", "episodic", "unknown")
SYMPTOMS: tuple[str, ...] = (
    "twitching",
    "weakness",
    "atrophy",
    "cramps",
    "sensory",
    "pain",
    "bulbar",
    "fatigue",
)
SYMPTOM_STATUSES: tuple[str, ...] = ("present", "absent", "not_mentioned")
FINDING_STATUSES: tuple[str, ...] = (
    "present",
    "absent",
    "uncertain",
    "hypothetical",
    "historical",
    "family",
)
TRIGGERS: tuple[str, ...] = (
    "stress",
    "caffeine",
    "exercise",
    "sleep_loss",
    "posture",
    "cold",
    "medication",
)
TIMINGS: tuple[str, ...] = ("on_waking", "at_night", "at_rest", "after_exercise", "end_of_day")
SEXES: tuple[str, ...] = ("female", "male")
