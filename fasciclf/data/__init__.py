"""The labeled corpus: loading, validation, duplicates and the data card.

The corpus (``data/labeled/corpus.jsonl``) and the challenge set
(``challenge.jsonl``) were written by the project team following
``data/labeled/GUIDELINE.md``; ``DATACARD.md`` describes them. The same
validation works on a user's own labeled file with their own label set.

Examples
--------
>>> from fasciclf.data import LABELS, load_labeled
>>> len(LABELS)
9
>>> corpus = load_labeled()
>>> sorted(corpus["split"].unique())
['test', 'train']
"""

from fasciclf.data._card import render_card_tables, update_datacard
from fasciclf.data._dedup import near_duplicates
from fasciclf.data._io import read_table
from fasciclf.data._load import labeled_dir, load_gold, load_labeled
from fasciclf.data._schema import (
    LABELS,
    SPLITS,
    STYLES,
    VOICES,
    LabeledDataError,
    length_band,
    word_count,
)
from fasciclf.data._validate import gold_problems, normalize_text, validate

__all__ = [
    "LABELS",
    "SPLITS",
    "STYLES",
    "VOICES",
    "LabeledDataError",
    "gold_problems",
    "labeled_dir",
    "length_band",
    "load_gold",
    "load_labeled",
    "near_duplicates",
    "normalize_text",
    "read_table",
    "render_card_tables",
    "update_datacard",
    "validate",
    "word_count",
]
