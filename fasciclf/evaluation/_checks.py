"""Warnings that protect a reviewer from figures that mislead without a word.

Each check returns plain sentences; the report shows them above every
figure (HTML, Markdown, ``metrics.json``) and the CLI repeats them on stderr.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def label_warnings(
    gold: Sequence[str], classes: Sequence[str], red_flag_classes: Sequence[str]
) -> list[str]:
    """Gold labels the model cannot predict, a single gold class, unknown red-flag classes.

    Examples
    --------
    >>> label_warnings(["x", "x"], ["a", "b"], ["a"])[0][:47]
    'None of the gold labels is a class of the model'
    >>> label_warnings(["a", "a"], ["a", "b"], ["b"])[0][:45]
    'Every description has the same gold label (a)'
    """
    out: list[str] = []
    counts = Counter(gold)
    known = set(classes)
    unknown = sorted(set(counts) - known)
    if counts and not set(counts) & known:
        out.append(
            "None of the gold labels is a class of the model "
            f"({', '.join(unknown)} vs. {', '.join(classes)}): every figure below is 0 by "
            "construction. Evaluate a model trained on this label set."
        )
    elif unknown:
        n = sum(counts[u] for u in unknown)
        out.append(
            f"{n} description(s) have gold labels the model does not know "
            f"({', '.join(unknown)}); they count as errors."
        )
    if len(counts) == 1:
        only = next(iter(counts))
        out.append(
            f"Every description has the same gold label ({only}): macro-F1, specificity and "
            "the per-class figures of the other classes are not meaningful."
        )
    missing = [c for c in red_flag_classes if c not in known and c not in counts]
    if missing:
        out.append(
            f"Red-flag classes {', '.join(missing)} are neither a class of the model nor a "
            "gold label here: name your own with red_flag_classes (CLI: --red-flag-classes)."
        )
    return out


def training_overlap_warnings(
    texts: Sequence[Any],
    labels: Sequence[Any],
    metadata: Mapping[str, Any] | None,
    fingerprint: Callable[[Sequence[str], Sequence[Any]], str],
) -> list[str]:
    """Whether the evaluation data is the model's training data.

    Compares the data fingerprint the model carries (``training_data_sha256``)
    with ``fingerprint(texts, labels)`` of the evaluation data (pass
    :func:`fasciclf.models.training_data_sha256`, the function that made it).

    Examples
    --------
    >>> fp = lambda texts, labels: "|".join(sorted(texts))
    >>> meta = {"training_data_sha256": "a b"}
    >>> training_overlap_warnings(["a b"], ["x"], meta, fp)[0][:40]
    'The evaluation data is the training data'
    >>> training_overlap_warnings(["other"], ["x"], meta, fp)
    []
    """
    recorded = (metadata or {}).get("training_data_sha256")
    usable = [(t, lab) for t, lab in zip(texts, labels, strict=True) if isinstance(t, str)]
    if not recorded or not usable:
        return []
    if fingerprint(*zip(*usable, strict=True)) != recorded:
        return []
    return [
        "The evaluation data is the training data (same data fingerprint as the model): "
        "the figures below measure memory, not how the model does on new descriptions."
    ]
