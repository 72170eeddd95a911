"""Vocabularies of the labeled corpus and the error type for bad labeled data.

These strings are a contract shared with ``data/labeled/GUIDELINE.md``, the
models (default label set) and the data card.
"""

from __future__ import annotations

import re

# Shared vocabularies live in a spaCy-free module; re-exported here for the
# data package (the label set and the ``gold`` annotation fields).
from fasciclf._vocab import (  # noqa: F401
    BODY_SITES,
    LABELS,
    LATERALITIES,
    PROGRESSIONS,
    SEXES,
    SYMPTOM_STATUSES,
    SYMPTOMS,
)

STYLES: tuple[str, ...] = ("standard", "non_native", "informal", "clinical")
SPLITS: tuple[str, ...] = ("train", "test")
#: How a text is told: a letter or post asking a doctor (``question``), or a
#: person or relative telling how the months before a diagnosis went
#: (``narrative``). Every figure is reported per voice.
VOICES: tuple[str, ...] = ("question", "narrative")
CONFIDENCES: tuple[str, ...] = ("clear", "ambiguous")
AGE_BANDS: tuple[str, ...] = ("0-9",) + tuple(f"{d}0-{d}9" for d in range(1, 10))

#: Column order of ``corpus.jsonl``; ``gold`` is present only on annotated rows.
CORPUS_COLUMNS: tuple[str, ...] = (
    "id",
    "text",
    "label",
    "label_confidence",
    "alt_labels",
    "age_band",
    "sex",
    "writer",
    "style",
    "voice",
    "split",
)
#: The challenge file has the same columns but no ``split``.
CHALLENGE_COLUMNS: tuple[str, ...] = tuple(c for c in CORPUS_COLUMNS if c != "split")
GOLD_KEYS: tuple[str, ...] = (
    "body_sites",
    "laterality",
    "duration_days",
    "progression",
    "symptoms",
)
#: Optional gold keys of the time course (the narrative challenge set has
#: them): the region where the first symptom began, and the regions in the
#: order they became involved.
OPTIONAL_GOLD_KEYS: tuple[str, ...] = ("onset_site", "spread")


# "self" or the relation of the person writing for someone else ("mother",
# "step-father", "best friend"): lowercase words, so that the data card can
# group every non-self writer as a relative without a closed list.
WRITER_PATTERN = re.compile(r"^[a-z]+(?:[ _-][a-z]+)*$")

#: Word-count bands of the data card: terse <= 15 words, long >= 120 words.
TERSE_MAX_WORDS = 15
LONG_MIN_WORDS = 120
LENGTH_BANDS: tuple[str, ...] = ("terse", "medium", "long")


class LabeledDataError(ValueError):
    """A labeled table does not follow the expected schema.

    Parameters
    ----------
    problems : list of str
        One human-readable message per problem found; ``str(error)`` joins
        them, one per line.

    Examples
    --------
    >>> err = LabeledDataError(["missing column 'label'"])
    >>> err.problems
    ["missing column 'label'"]
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, problems: list[str] | str) -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:\n" + "\n".join(
                f"- {p}" for p in self.problems
            )
        super().__init__(message)


def word_count(text: str) -> int:
    """Number of whitespace-separated words in ``text``.

    Examples
    --------
    >>> word_count("left calf twitching 3 wks,  no weakness. als?")
    8
    """
    return len(text.split())


def length_band(text: str) -> str:
    """Length band used by the data card and the corpus targets.

    ``"terse"`` is at most 15 words, ``"long"`` at least 120 words,
    ``"medium"`` everything between.

    Examples
    --------
    >>> length_band("eyelid twitching for a week, no weakness")
    'terse'
    >>> length_band(" ".join(["word"] * 60))
    'medium'
    >>> length_band(" ".join(["word"] * 120))
    'long'
    """
    n = word_count(text)
    if n <= TERSE_MAX_WORDS:
        return "terse"
    if n >= LONG_MIN_WORDS:
        return "long"
    return "medium"
