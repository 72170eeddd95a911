"""Markdown rendering of an :class:`EvaluationReport`."""

from __future__ import annotations

from typing import Any

from fasciclf.evaluation._format import (
    DISCLAIMER,
    md_table,
    num,
    num_ci,
    pct,
    pretty_label,
    with_ci,
)

MAX_ERRORS_MD = 20


def report_markdown(report: Any) -> str:
    m = report.metrics
    rf = m["red_flags"]
    meta = m.get("model") or {}
    lines = [
        "# fasciclf evaluation report",
        "",
        f"> **Triage aid, not a diagnosis.** {DISCLAIMER}",
        "",
        f"Model: {meta.get('model_version', 'unversioned')}"
        + (f" ({meta['kind']})" if meta.get("kind") else "")
        + f" · data: {m.get('dataset') or 'evaluation data'} · {m['n']} descriptions"
        + f" · {report.created}",
        "",
        "## Summary",
        "",
    ]
    lines += [f"- {s}" for s in report.summary_sentences()]
    rows = [
        ["accuracy (top-1)", pct(m["accuracy"], 1), with_ci(m["accuracy"], m["accuracy_ci"], 1)],
        [
            "top3_accuracy",
            pct(m["top3_accuracy"], 1),
            with_ci(m["top3_accuracy"], m["top3_accuracy_ci"], 1),
        ],
    ]
    if m.get("accuracy_with_alternatives") is not None:
        rows.append(
            [
                "accuracy_with_alternatives",
                pct(m["accuracy_with_alternatives"], 1),
                with_ci(m["accuracy_with_alternatives"], m["accuracy_with_alternatives_ci"], 1),
            ]
        )
    rows += [
        ["macro_f1", num(m["macro_f1"]), num_ci(m["macro_f1"], m["macro_f1_ci"])],
        ["weighted_f1", num(m["weighted_f1"]), num_ci(m["weighted_f1"], m["weighted_f1_ci"])],
        [
            "red-flag sensitivity",
            pct(rf["sensitivity"], 1),
            with_ci(rf["sensitivity"], rf["sensitivity_ci"], 1),
        ],
        [
            "red-flag specificity",
            pct(rf["specificity"], 1),
            with_ci(rf["specificity"], rf["specificity_ci"], 1),
        ],
        ["ece (top-label)", num(m["ece"]), num_ci(m["ece"], m["ece_ci"])],
        [
            "classwise_ece",
            num(m["classwise_ece"]),
            num_ci(m["classwise_ece"], m["classwise_ece_ci"]),
        ],
        ["brier", num(m["brier"]), num_ci(m["brier"], m["brier_ci"])],
        ["roc_auc (macro, one-vs-rest)", num(m["roc_auc"]["macro"]), ""],
    ]
    lines += ["", "## Key figures", "", md_table(["Metric", "Value", "With 95% CI"], rows)]

    lines += ["", "## Per class", ""]
    lines.append(
        md_table(
            ["Class", "Support", "Precision (95% CI)", "Recall (95% CI)", "F1 (95% CI)", "ROC AUC"],
            [
                [
                    lab,
                    d["support"],
                    with_ci(d["precision"], d["precision_ci"]),
                    with_ci(d["recall"], d["recall_ci"]),
                    num_ci(d["f1"], d["f1_ci"], 2),
                    num(d["roc_auc"]),
                ]
                for lab, d in m["per_class"].items()
            ],
        )
    )
    skipped = m["roc_auc"]["skipped"]
    if skipped:
        lines += [
            "",
            "ROC AUC not computed for: "
            + "; ".join(f"{k} ({v})" for k, v in skipped.items())
            + ".",
        ]

    cm = m["confusion_matrix"]
    lines += ["", "## Confusion matrix (rows: reference label, columns: top suggestion)", ""]
    lines.append(
        md_table(
            ["", *cm["labels"]],
            [[lab, *row] for lab, row in zip(cm["labels"], cm["counts"], strict=True)],
        )
    )

    rel = m["reliability"]
    lines += [
        "",
        "## Calibration",
        "",
        f"Top-label ECE {num(m['ece'])}, class-wise ECE {num(m['classwise_ece'])} "
        f"({m['ece_bins']} equal-width bins); Brier score {num(m['brier'])}.",
        "",
    ]
    edges = rel["bin_edges"]
    lines.append(
        md_table(
            ["Confidence bin", "Cases", "Mean confidence", "Share right"],
            [
                [
                    f"{edges[i]:.1f}–{edges[i + 1]:.1f}",
                    c,
                    pct(rel["mean_confidence"][i], 1),
                    pct(rel["accuracy"][i], 1),
                ]
                for i, c in enumerate(rel["count"])
                if c
            ],
        )
    )

    ab = m["abstention"]
    if ab.get("available"):
        lines += [
            "",
            "## Abstention",
            "",
            f"Abstained on {ab['n_abstained']} of {m['n']} "
            f"({with_ci(ab['rate'], ab['rate_ci'], 1)}); accuracy on the rest "
            f"{with_ci(ab['accuracy_non_abstained'], ab['accuracy_non_abstained_ci'], 1)}.",
        ]
        if ab["reasons"]:
            lines.append(
                "Reasons: " + ", ".join(f"{k} {v}" for k, v in ab["reasons"].items()) + "."
            )

    for name, table in (m.get("subgroups") or {}).items():
        lines += ["", f"## Subgroup: {name}", ""]
        lines.append(
            md_table(
                [
                    "Group",
                    "n",
                    "Accuracy (95% CI)",
                    "Top-3 (95% CI)",
                    "Macro F1",
                    "Red-flag sensitivity",
                ],
                [
                    [
                        level,
                        row["n"],
                        with_ci(row["accuracy"], row["accuracy_ci"]),
                        with_ci(row["top3_accuracy"], row["top3_accuracy_ci"]),
                        num(row["macro_f1"], 2),
                        (
                            f"{pct(row['red_flag_sensitivity'])} of {row['n_red_flag_positive']}"
                            if row["n_red_flag_positive"]
                            else "n/a"
                        ),
                    ]
                    for level, row in table.items()
                ],
            )
        )

    errors = m["errors"]
    lines += ["", f"## Errors ({len(errors)} misclassified)", ""]
    if errors:
        shown = errors[:MAX_ERRORS_MD]
        lines.append(
            md_table(
                ["Case", "Reference", "Top suggestion", "Top 3", "Red-flag case missed", "Text"],
                [
                    [
                        e["id"],
                        e["gold"],
                        f"{e['predicted']} ({pct(e['confidence'])})",
                        ", ".join(f"{lab} {pct(p)}" for lab, p in e["top3"]),
                        "yes" if e["red_flag_missed"] else "",
                        _excerpt(e.get("text")),
                    ]
                    for e in shown
                ],
            )
        )
        if len(errors) > len(shown):
            lines += ["", f"{len(errors) - len(shown)} more in metrics.json."]
    lines += [
        "",
        f"_{pretty_label('bootstrap')}: percentile, {m['n_bootstrap']} resamples, "
        f"seed {m['random_state']}._",
        "",
    ]
    return "\n".join(lines)


def _excerpt(text: Any, limit: int = 140) -> str:
    if not isinstance(text, str):
        return ""
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"
