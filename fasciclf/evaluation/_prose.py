"""The report's figures in plain sentences a clinician can read without a glossary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fasciclf.evaluation._format import pct, pretty_label, with_ci
from fasciclf.evaluation._metrics import SMALL_GROUP


def _label_list(labels: Sequence[str]) -> str:
    names = [pretty_label(x).lower() for x in labels]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _inner(v: Any, ci: Any) -> str:
    """'80%, 95% CI 33–100%' for use inside parentheses."""
    return with_ci(v, ci).replace(" (95% CI ", ", 95% CI ").rstrip(")")


def plain_summary(m: Mapping[str, Any]) -> list[str]:
    """Key figures as short sentences, warnings first."""
    n = m["n"]
    out = [f"Warning: {w}" for w in m.get("warnings") or ()]
    out += [
        f"The model's top suggestion matched the reference label for {m['n_correct']} of "
        f"{n} descriptions: {with_ci(m['accuracy'], m['accuracy_ci'])}.",
        f"The reference label was among its three leading suggestions for "
        f"{m['n_top3_correct']} of {n}: {with_ci(m['top3_accuracy'], m['top3_accuracy_ci'])}.",
    ]
    if m.get("accuracy_with_alternatives") is not None:
        out.append(
            "Also accepting the alternative categories the labeller named as plausible, the "
            "top suggestion was acceptable for "
            f"{with_ci(m['accuracy_with_alternatives'], m['accuracy_with_alternatives_ci'])}."
        )
    rf = m["red_flags"]
    groups = _label_list(rf["classes"])
    how = (
        "by its top suggestion or a red-flag rule"
        if rf["rules_available"]
        else ("by its top suggestion (red-flag rules were not available)")
    )
    if rf["n_positive"]:
        missed = rf["n_positive"] - rf["n_caught"]
        tail = (
            "None were missed."
            if missed == 0
            else f"{missed} {'was' if missed == 1 else 'were'} missed; "
            "see the error analysis below."
        )
        out.append(
            f"Red flags: of {rf['n_positive']} descriptions labelled {groups}, the model "
            f"flagged {rf['n_caught']} for prompt specialist attention {how} "
            f"(sensitivity {_inner(rf['sensitivity'], rf['sensitivity_ci'])}). {tail}"
        )
    else:
        out.append(
            f"Red flags: no description in this data was labelled {groups}, so the share of "
            "red-flag cases caught cannot be measured here."
        )
    if rf["n_negative"]:
        out.append(
            f"Of the {rf['n_negative']} other descriptions, {rf['n_false_alarms']} "
            f"{'was' if rf['n_false_alarms'] == 1 else 'were'} "
            f"flagged although their label was not a red-flag category "
            f"(specificity {_inner(rf['specificity'], rf['specificity_ci'])})."
        )
    out.extend(_sources_sentence(rf))
    ece = m["ece"]
    conf, acc = m["mean_confidence"], m["accuracy"]
    if conf - acc > 0.03:
        lean = (
            f"Overall it is over-confident: its average stated confidence is {pct(conf)} "
            f"while it is right {pct(acc)} of the time."
        )
    elif acc - conf > 0.03:
        lean = (
            f"Overall it is under-confident: its average stated confidence is {pct(conf)} "
            f"while it is right {pct(acc)} of the time."
        )
    else:
        lean = (
            f"Its average stated confidence ({pct(conf)}) is close to how often it is right "
            f"({pct(acc)})."
        )
    ci = m.get("ece_ci")
    ci_txt = f" (95% CI {ci[0] * 100:.1f}–{ci[1] * 100:.1f})" if ci else ""
    out.append(
        f"Calibration: the probabilities it states differ from how often it is right by "
        f"{ece * 100:.1f} percentage points on average{ci_txt}. {lean}"
    )
    ab = m.get("abstention", {})
    if ab.get("available"):
        k = ab["n_abstained"]
        if k == 0:
            out.append(f"The model did not abstain on any of the {n} descriptions.")
        else:
            out.append(
                f"The model declined to commit (abstained) on {k} of {n} descriptions "
                f"({pct(ab['rate'])}); on the other {n - k} its top suggestion was right "
                f"{with_ci(ab['accuracy_non_abstained'], ab['accuracy_non_abstained_ci'])}."
            )
    out.extend(_subgroup_sentence(m.get("subgroups") or {}))
    if n < 100:
        out.append(
            f"This evaluation set is small ({n} descriptions): read every figure together "
            "with its interval, which shows how far the true value could plausibly be."
        )
    return out


def _subgroup_sentence(sub: Mapping[str, Any]) -> list[str]:
    rows = [
        (f"{pretty_label(name).lower()} = {level}", row)
        for name, table in sub.items()
        for level, row in table.items()
        if not row["small"] and level != "unknown"
    ]
    if len(rows) < 2:
        return []
    lo = min(rows, key=lambda r: r[1]["accuracy"])
    hi = max(rows, key=lambda r: r[1]["accuracy"])
    return [
        f"Across subgroups with at least {SMALL_GROUP} descriptions, accuracy ranged "
        f"from {pct(lo[1]['accuracy'])} ({lo[0]}, n={lo[1]['n']}) to "
        f"{pct(hi[1]['accuracy'])} ({hi[0]}, n={hi[1]['n']})."
    ]


def _sources_sentence(rf: Mapping[str, Any]) -> list[str]:
    """Red flags raised by the rules alone, the model alone and either (their sensitivity)."""
    src = rf.get("sources")
    if not src or not rf["n_positive"]:
        return []
    names = {"rules": "the rules alone", "model": "the model alone", "both": "either of them"}
    parts = []
    for key, name in names.items():
        s = src[key]
        if s.get("available"):
            parts.append(
                f"{name} {s['n_caught']} ({_inner(s['sensitivity'], s['sensitivity_ci'])})"
            )
        elif key != "both":
            parts.append(f"{name} not available ({s['reason']})")
    parts[0] = parts[0].replace(names["rules"], names["rules"] + " flagged", 1)
    return [f"Of the {rf['n_positive']} red-flag cases, " + ", ".join(parts) + "."]
