"""The report's sections (headline, per class, red flags, abstention, subgroups, errors).

Each function turns the case arrays and the point estimates and intervals of
:mod:`._metrics` into the JSON-ready dictionary of one section of
``metrics.json``. No prose, no rendering.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fasciclf.evaluation import _intervals as I
from fasciclf.evaluation import _metrics as M
from fasciclf.evaluation._flag_sources import source_rates

# Natural order of the text-length bands (otherwise levels sort alphabetically).
_LEVEL_ORDER = {
    M.length_band("x"): 0,
    M.length_band("x " * 60): 1,
    M.length_band("x " * 120): 2,
}

RED_FLAG_DEFINITION = (
    "A description whose reference label is a red-flag category counts as caught "
    "when the model's top suggestion is a red-flag category or a red flag was raised; "
    "specificity is the share of the other descriptions with neither."
)
_HEADLINE = (
    "accuracy",
    "top3_accuracy",
    "accuracy_with_alternatives",
    "macro_f1",
    "weighted_f1",
    "ece",
    "classwise_ece",
    "brier",
)


def _ci(ci: dict[str, np.ndarray], key: str, j: int | None = None) -> list[float] | None:
    if key not in ci:
        return None
    arr = ci[key] if j is None else ci[key][:, j]
    vals = [float(v) for v in arr]
    return None if any(math.isnan(v) for v in vals) else vals


def case_lists(cases: Any, n: int) -> dict[str, list[Any] | None]:
    """The optional per-case inputs as lists of length ``n`` (or None), checked."""
    names = ("texts", "evidence", "ids", "red_flag_codes", "abstain_reasons", "alt_labels")
    return {name: optional_list(getattr(cases, name), n, name) for name in names}


def headline(
    enc: M._Encoded, ca: I._CaseArrays, point: dict, ci: dict, *, n_bins: int
) -> dict[str, Any]:
    """Counts, headline figures with intervals, per class, ROC AUC, confusion, reliability."""
    labels, k = enc.labels, enc.n_classes
    counts = M.confusion_counts(enc)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_norm = counts / counts.sum(axis=1, keepdims=True)
    auc = M._roc_auc(enc)
    out: dict[str, Any] = {
        "n": enc.n,
        "classes": [str(c) for c in labels[:k]],
        "labels": [str(c) for c in labels],
        "unknown_gold_labels": [str(c) for c in labels[k:]],
        "n_correct": int(ca.correct.sum()),
        "n_top3_correct": int(ca.top3.sum()),
    }
    for key in _HEADLINE:
        out[key] = float(point[key]) if key in point else None
        out[f"{key}_ci"] = _ci(ci, key)
    out["ece_bins"] = n_bins
    out["mean_confidence"] = float(ca.conf.mean())
    out["per_class"] = {
        str(lab): {
            "precision": float(point["precision"][j]),
            "precision_ci": _ci(ci, "precision", j),
            "recall": float(point["recall"][j]),
            "recall_ci": _ci(ci, "recall", j),
            "f1": float(point["f1"][j]),
            "f1_ci": _ci(ci, "f1", j),
            "support": int(counts[j].sum()),
            "n_predicted": int(counts[:, j].sum()),
            "roc_auc": auc["per_class"].get(lab),
            "known_to_model": j < k,
        }
        for j, lab in enumerate(labels)
    }
    out["roc_auc"] = {
        "per_class": {str(c): v for c, v in auc["per_class"].items()},
        "macro": auc["macro"],
        "skipped": {str(c): v for c, v in auc["skipped"].items()},
    }
    out["confusion_matrix"] = {
        "labels": [str(c) for c in labels],
        "rows": "gold label",
        "columns": "predicted top label",
        "counts": counts.tolist(),
        "row_normalised": row_norm.tolist(),
    }
    out["reliability"] = M._reliability(enc, n_bins)
    return out


def red_flag_section(
    ca: I._CaseArrays,
    point: dict,
    ci: dict,
    red_flag_classes: Sequence[Any],
    *,
    rules_available: bool,
    ids: list[Any] | None,
    red_flag_codes: list[Any] | None,
    **_: Any,
) -> dict[str, Any]:
    """Caught, missed and false alarms, with exact intervals, and each flag counted by code."""
    pos, fl = ca.positive, ca.flagged
    by_label = pos & ca.flagged_by_label
    return {
        "classes": [str(c) for c in red_flag_classes],
        "definition": RED_FLAG_DEFINITION,
        "rules_available": rules_available,
        "n_positive": int(pos.sum()),
        "n_negative": int((~pos).sum()),
        "n_caught": int((pos & fl).sum()),
        "n_caught_by_top_label": int(by_label.sum()),
        "n_caught_by_rule_only": int((pos & fl & ~by_label).sum()),
        "n_false_alarms": int((~pos & fl).sum()),
        "sensitivity": float(point["red_flag_sensitivity"]),
        "sensitivity_ci": _ci(ci, "red_flag_sensitivity"),
        "specificity": float(point["red_flag_specificity"]),
        "specificity_ci": _ci(ci, "red_flag_specificity"),
        "missed": [case_id(ids, i) for i in np.nonzero(pos & ~fl)[0]],
        "by_code": flags_by_code(red_flag_codes, pos),
    }


def abstention_section(
    ca: I._CaseArrays, point: dict, ci: dict, reasons: list[Any] | None
) -> dict[str, Any]:
    """How often the model abstained, why, and its accuracy on the rest."""
    abst = ca.abstained
    if abst is None:
        return {"available": False}
    tally = Counter(
        str(reasons[i]) if reasons is not None and reasons[i] else "unspecified"
        for i in np.nonzero(abst)[0]
    )
    return {
        "available": True,
        "n_abstained": int(abst.sum()),
        "rate": float(point["abstention_rate"]),
        "rate_ci": _ci(ci, "abstention_rate"),
        "accuracy_non_abstained": float(point["accuracy_non_abstained"]),
        "accuracy_non_abstained_ci": _ci(ci, "accuracy_non_abstained"),
        "reasons": dict(sorted(tally.items())),
    }


def optional_list(values: Any, n: int, name: str) -> list[Any] | None:
    if values is None:
        return None
    out = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if len(out) != n:
        raise ValueError(f"{name} must have one entry per case ({n}); got {len(out)}")
    return out


def case_id(ids: list[Any] | None, i: int) -> Any:
    return int(i) if ids is None else ids[int(i)]


def flags_by_code(codes: list[Any] | None, positive: np.ndarray) -> dict[str, dict[str, int]]:
    """How often each red flag was raised, on red-flag cases and on the others.

    Counting by code lets the report split rules from model-raised flags
    (a ``source`` per code) without another pass over the cases.
    """
    out: dict[str, dict[str, int]] = {}
    for i, case_codes in enumerate(codes or ()):
        for code in dict.fromkeys(str(c) for c in case_codes or ()):
            row = out.setdefault(code, {"n_raised": 0, "n_on_red_flag_cases": 0, "n_on_others": 0})
            row["n_raised"] += 1
            row["n_on_red_flag_cases" if positive[i] else "n_on_others"] += 1
    return dict(sorted(out.items()))


def subgroups_section(
    ca: I._CaseArrays,
    cols: dict[str, list[str]],
    n_bootstrap: int,
    seed: np.random.SeedSequence,
    sources: Any = None,
) -> dict[str, Any]:
    """Headline figures per value of each group column; red flags by source if given."""
    out: dict[str, Any] = {}
    if not cols:
        return out
    children = iter(seed.spawn(sum(len(set(v)) for v in cols.values())))
    for name, values in cols.items():
        arr = np.asarray(values, dtype=object)
        levels = sorted(set(values), key=lambda v: (v == "unknown", _LEVEL_ORDER.get(v, 99), v))
        table: dict[str, Any] = {}
        for level in levels:
            subset = np.nonzero(arr == level)[0]
            rng = np.random.default_rng(next(children))
            point, ci = I._bootstrap(ca, subset, n_bootstrap, rng)
            small = bool(subset.size < M.SMALL_GROUP)
            row: dict[str, Any] = {"n": int(subset.size), "small": small}
            for key in ("accuracy", "top3_accuracy", "macro_f1"):
                row[key] = float(point[key])
                row[f"{key}_ci"] = _ci(ci, key)
            row["n_red_flag_positive"] = int(ca.positive[subset].sum())
            row["red_flag_sensitivity"] = float(point["red_flag_sensitivity"])
            row["red_flag_sensitivity_ci"] = _ci(ci, "red_flag_sensitivity")
            if "abstention_rate" in point:
                row["abstention_rate"] = float(point["abstention_rate"])
                row["abstention_rate_ci"] = _ci(ci, "abstention_rate")
            if sources is not None:
                row["red_flag_sources"] = source_rates(ca.positive, sources, subset)
            table[level] = row
        out[name] = table
    return out


def _norm_span(span: Any) -> dict[str, Any] | None:
    if isinstance(span, Mapping):
        start, end = span.get("start"), span.get("end")
        concept, status = span.get("concept", ""), span.get("status", "")
    else:
        try:
            start, end, concept, status = (list(span) + ["", ""])[:4]
        except TypeError:
            return None
    if not isinstance(start, int | np.integer) or not isinstance(end, int | np.integer):
        return None
    return {"start": int(start), "end": int(end), "concept": str(concept), "status": str(status)}


def errors_section(
    enc: M._Encoded,
    ca: I._CaseArrays,
    *,
    texts: list[Any] | None,
    evidence: list[Any] | None,
    ids: list[Any] | None,
    red_flag_codes: list[Any] | None,
    abstain_reasons: list[Any] | None,
    alt_labels: list[Any] | None,
    rf_fired: np.ndarray | None,
) -> list[dict[str, Any]]:
    """Misclassified cases, dangerous misses first, with everything shown about each."""
    codes, reasons, alts = red_flag_codes, abstain_reasons, alt_labels
    labels = enc.labels
    k = enc.n_classes
    wrong = np.nonzero(~ca.correct)[0]
    order = np.argsort(-enc.proba, axis=1, kind="stable")[:, : min(3, k)]
    rows = []
    for i in wrong:
        i = int(i)
        alt = alts[i] if alts is not None else None
        alt_list = (
            []
            if alt is None or isinstance(alt, float)
            else ([alt] if isinstance(alt, str) else [str(a) for a in alt])
        )
        spans = []
        if evidence is not None and evidence[i]:
            spans = [s for s in (_norm_span(x) for x in evidence[i]) if s is not None]
        rows.append(
            {
                "index": i,
                "id": case_id(ids, i),
                "text": texts[i] if texts is not None and isinstance(texts[i], str) else None,
                "gold": str(labels[enc.y[i]]),
                "alt_labels": alt_list,
                "predicted": str(labels[enc.pred[i]]),
                "confidence": float(ca.conf[i]),
                "top3": [[str(labels[j]), float(enc.proba[i, j])] for j in order[i]],
                "probabilities": {str(labels[j]): float(enc.proba[i, j]) for j in range(k)},
                "acceptable_alternative": bool(ca.alt_ok[i]) if ca.alt_ok is not None else None,
                "red_flag_case": bool(ca.positive[i]),
                "red_flag_missed": bool(ca.positive[i] and not ca.flagged[i]),
                "red_flag_fired": bool(rf_fired[i]) if rf_fired is not None else None,
                "red_flags": [str(c) for c in codes[i]] if codes is not None and codes[i] else [],
                "abstained": bool(ca.abstained[i]) if ca.abstained is not None else None,
                "abstain_reason": reasons[i] if reasons is not None else None,
                "evidence": spans,
            }
        )
    # Dangerous misses first, then the most confident mistakes; suggestions the
    # labeller named as acceptable alternatives go last.
    rows.sort(
        key=lambda r: (
            not r["red_flag_missed"],
            bool(r["acceptable_alternative"]),
            -r["confidence"],
            r["index"],
        )
    )
    return rows
