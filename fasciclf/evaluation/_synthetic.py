"""A realistic synthetic evaluation, for tests and for looking at the report layout.

Nothing here is real data or a real model: probabilities are drawn so that
the "model" is right about three times in four and somewhat over-confident.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fasciclf._vocab import LABELS as CLASSES  # noqa: E402

_TEXTS = (
    "My calves have been twitching for about three months, mostly when I rest. No weakness, "
    "I still run 5k. I googled it and now I'm terrified it's ALS.",
    "left hand getting weaker over 6 months, the muscle by my thumb looks thinner, "
    "no numbness at all",
    "Writing for my mother (62): her eyelid droops by the evening and she sees double when "
    "reading; her jaw gets tired when she chews.",
    "numb tingling thumb and index finger at night, shaking the hand helps",
    "cramps",
    "Since the flu my legs feel heavy, my potassium was low last week and the doctor changed "
    "my water tablets.",
)

# (words, concept, status) found in the texts above.
_EVIDENCE = (
    ("twitching", "twitching", "present"),
    ("No weakness", "weakness", "absent"),
    ("weaker", "weakness", "present"),
    ("thinner", "atrophy", "present"),
    ("no numbness", "sensory", "absent"),
    ("eyelid droops", "ptosis", "present"),
    ("sees double", "diplopia", "present"),
    ("jaw gets tired", "bulbar", "present"),
    ("numb tingling", "sensory", "present"),
    ("cramps", "cramps", "present"),
    ("legs feel heavy", "weakness", "uncertain"),
)


def synthetic_inputs(n: int = 300, seed: int = 0) -> dict[str, Any]:
    """Keyword arguments for :func:`evaluate_predictions` describing a plausible model.

    >>> kw = synthetic_inputs(40)
    >>> kw["proba"].shape
    (40, 9)
    """
    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    weights = np.array([60, 30, 30, 40, 35, 20, 25, 30, 30], float)
    y = rng.choice(k, size=n, p=weights / weights.sum())
    logits = rng.normal(0.0, 1.0, (n, k))
    logits[np.arange(n), y] += rng.normal(2.6, 1.2, n)
    proba = np.exp(1.2 * logits)
    proba /= proba.sum(axis=1, keepdims=True)
    texts, evidence = [], []
    for i in range(n):
        text = _TEXTS[i % len(_TEXTS)]
        spans = []
        for words, concept, status in _EVIDENCE:
            j = text.find(words)
            if j >= 0:
                spans.append((j, j + len(words), concept, status))
        texts.append(text)
        evidence.append(spans)
    urgent = np.isin(y, [4, 5])
    fired = rng.random(n) < np.where(urgent, 0.8, 0.08)
    for i in np.nonzero(fired)[0]:
        j = texts[i].find("getting weaker")
        if j >= 0:
            evidence[i].append((j, j + 14, "red flag: progressive_weakness", "red_flag"))
    abstained = rng.random(n) < 0.04
    return {
        "y_true": [CLASSES[j] for j in y],
        "proba": proba,
        "classes": list(CLASSES),
        "red_flag_fired": fired,
        "abstained": abstained,
        "alt_labels": [[CLASSES[rng.integers(k)]] if rng.random() < 0.2 else [] for _ in y],
        "groups": {
            "sex": rng.choice(
                np.array(["female", "male", None], dtype=object), n, p=[0.5, 0.4, 0.1]
            ),
            "age_band": rng.choice(["20-29", "30-39", "40-49", "50-59", "60+"], n),
            "style": rng.choice(["plain", "terse", "long_worried", "non_native", "typos"], n),
        },
        "texts": texts,
        "evidence": evidence,
        "ids": [f"case-{i:03d}" for i in range(n)],
        "red_flag_codes": [["progressive_weakness"] if f else [] for f in fired],
        "abstain_reasons": ["low_confidence" if a else None for a in abstained],
        "model_metadata": {
            "model_version": "0.0.0-synthetic",
            "kind": "hybrid",
            "n_train": 960,
            "class_counts": {
                c: int(round(w)) for c, w in zip(CLASSES, weights * 960 / 300, strict=True)
            },
            "training_data_sha256": "0" * 64,
            "cv_metrics": {"accuracy": 0.81, "top3_accuracy": 0.95, "macro_f1": 0.78},
            "created": "2025-01-01T00:00:00+00:00",
            "versions": {"fasciclf": "0.0.0", "sklearn": "1.9", "spacy": "3.8", "numpy": "2.4"},
            "lexicon_version": "1",
            "calibration": "sigmoid, 5-fold CalibratedClassifierCV",
            "class_weight": "balanced",
        },
        "dataset_name": "synthetic demonstration data (not real cases)",
    }


def synthetic_report(n: int = 300, seed: int = 0, n_bootstrap: int = 300) -> Any:
    """An :class:`EvaluationReport` of :func:`synthetic_inputs`."""
    from fasciclf.evaluation._report import evaluate_predictions

    kw = synthetic_inputs(n, seed)
    return evaluate_predictions(
        kw["y_true"],
        kw["proba"],
        kw["classes"],
        cases=synthetic_cases(kw),
        model_metadata=kw["model_metadata"],
        dataset_name=kw["dataset_name"],
        n_bootstrap=n_bootstrap,
    )


def synthetic_cases(kw: dict[str, Any]) -> Any:
    """The per-case part of :func:`synthetic_inputs` as a :class:`CaseInfo`."""
    from fasciclf.evaluation._report import CaseInfo

    fields = CaseInfo.__dataclass_fields__
    return CaseInfo(**{k: v for k, v in kw.items() if k in fields})
