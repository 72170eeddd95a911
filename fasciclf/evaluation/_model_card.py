"""Model card (Mitchell et al., 2019) with the TRIPOD+AI items that apply.

The card is built from the model's ``metadata_`` and an
:class:`~fasciclf.evaluation.EvaluationReport`; anything the metadata does
not record is said to be "not recorded" rather than guessed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fasciclf.evaluation._flag_sources import SOURCE_NAMES, SOURCES_DEFINITION
from fasciclf.evaluation._format import (
    is_num,
    metric_name,
    num,
    pct,
    pretty_label,
    source_cell,
    with_ci,
)

DISCLAIMER_SHORT = "Triage aid, not a diagnosis."

# One-line outcome definitions of the default taxonomy (full guideline:
# data/labeled/GUIDELINE.md).
DEFAULT_TAXONOMY: dict[str, str] = {
    "benign_fasciculation": "twitching and/or cramps without real, progressive weakness or "
    "wasting (benign fasciculation, cramp-fasciculation syndrome, ordinary cramps)",
    "cervical_radiculopathy": "neck or cervical-spine origin: neck pain or posture with arm or "
    "hand numbness, tingling, radiating pain or weakness; cervical myelopathy",
    "lumbosacral_radiculopathy": "low-back origin: sciatica, pain or numbness down a leg, foot "
    "numbness or weakness; spinal stenosis",
    "peripheral_neuropathy": "a nerve outside the spine: carpal tunnel, ulnar or peroneal "
    "neuropathy, polyneuropathy, Bell's palsy",
    "possible_motor_neuron_disease": "a picture a neurologist must take seriously as MND/ALS: "
    "painless progressive or spreading weakness, wasting, fasciculations with weakness, "
    "bulbar signs",
    "neuromuscular_junction": "myasthenia gravis and similar: fatigable weakness, drooping "
    "eyelid, double vision, chewing or swallowing fatigue",
    "metabolic_systemic": "thyroid, electrolyte, vitamin, medication or other systemic cause "
    "suspected",
    "central_nervous_system": "brain or spinal-cord disease other than MND: multiple "
    "sclerosis, stroke/TIA, tumour, Parkinson's, tremor, restless legs, dystonia",
    "other": "none of the above: musculoskeletal strain, myofascial pain, vascular "
    "claudication, purely psychiatric complaints, off-topic",
}

_KIND_TEXT = {
    "hybrid": "structured, negation-aware symptom features (fasciclf.features) combined with "
    "n-gram TF-IDF of the text, into a calibrated classifier",
    "features": "structured, negation-aware symptom features only (fasciclf.features), into a "
    "calibrated classifier",
    "text": "n-gram TF-IDF with logistic regression (text-only baseline)",
}


def _ngram_text(hyper: Mapping[str, Any]) -> str:
    """Which n-grams the model really used, from its recorded hyperparameters."""
    parts = []
    if hyper.get("word_ngram_range"):
        lo, hi = hyper["word_ngram_range"]
        parts.append(f"word {lo}-{hi}-grams")
    if hyper.get("char_ngram_range"):
        lo, hi = hyper["char_ngram_range"]
        parts.append(f"character {lo}-{hi}-grams")
    return " and ".join(parts)


@dataclass
class ModelCard:
    """A model card as ordered sections of simple blocks.

    Each section is ``(title, blocks)``; a block is ``("p", text)``,
    ``("ul", [items])``, ``("table", headers, rows)`` or ``("note", text)``.
    Render with :meth:`to_markdown` or :meth:`to_html`.

    Examples
    --------
    >>> card = ModelCard("Demo", [("Model details", [("p", "A model.")])])
    >>> print(card.to_markdown().splitlines()[0])
    # Demo
    """

    title: str
    sections: list[tuple[str, list[tuple[Any, ...]]]] = field(default_factory=list)

    def to_markdown(self) -> str:
        """The card as Markdown; every string in it is Markdown-escaped."""
        from fasciclf.evaluation._render import card_markdown

        return card_markdown(self)

    def to_html(self, heading_level: int = 2) -> str:
        """The card as an HTML fragment (autoescaped)."""
        from fasciclf.evaluation._render import card_html

        return card_html(self, heading_level)

    def write(self, path: str | Path) -> Path:
        """Write the Markdown card to ``path`` (e.g. ``model_card.md``)."""
        p = Path(path)
        p.write_text(self.to_markdown(), encoding="utf-8")
        return p


def _meta_value(meta: Mapping[str, Any], key: str) -> Any:
    # train() records estimator settings under "hyperparameters"
    if meta.get(key) is not None:
        return meta[key]
    hyper = meta.get("hyperparameters")
    return hyper.get(key) if isinstance(hyper, Mapping) else None


def _recorded(v: Any) -> str:
    if v is None or v == "" or v == {} or v == []:
        return "not recorded"
    if isinstance(v, Mapping | list):
        return json.dumps(v, sort_keys=True, default=str)
    return str(v)


def build_model_card(metadata: Mapping[str, Any] | None, report: Any) -> ModelCard:
    """Build the model card of a model from its metadata and an evaluation report.

    Parameters
    ----------
    metadata : mapping or None
        The model's ``metadata_`` (keys such as ``model_version``, ``kind``,
        ``n_train``, ``class_counts``, ``training_data_sha256``,
        ``cv_metrics``, ``created``, ``versions``, ``lexicon_version``,
        ``calibration``); missing keys are reported as not recorded.
    report : EvaluationReport

    Returns
    -------
    ModelCard

    Examples
    --------
    >>> from fasciclf.evaluation import evaluate_predictions
    >>> rep = evaluate_predictions(["a", "b"], [[.9, .1], [.2, .8]], ["a", "b"],
    ...                            n_bootstrap=0)
    >>> card = build_model_card({"model_version": "0.1.0", "n_train": 10}, rep)
    >>> "## Intended use" in card.to_markdown()
    True
    """
    meta = dict(metadata or {})
    m = report.metrics
    classes = list(meta.get("classes") or m["classes"])
    version = meta.get("model_version") or "unversioned"
    kind = meta.get("kind")
    versions = meta.get("versions") or {}
    rf = m["red_flags"]
    default_taxonomy = set(classes) <= set(DEFAULT_TAXONOMY)
    dataset = report.dataset_name or m.get("dataset") or "the evaluation data supplied"

    source = meta.get("training_data") or meta.get("data_source")
    if source is None and default_taxonomy:
        source = (
            "the fasciclf labelled corpus (data/labeled): descriptions written by the project "
            "team following data/labeled/GUIDELINE.md; no patient data"
        )
    c = _CardContext(
        meta=meta,
        m=m,
        rf=rf,
        sub=m.get("subgroups") or {},
        classes=classes,
        version=version,
        kind=kind,
        versions=versions,
        dataset=dataset,
        default_taxonomy=default_taxonomy,
        source=source,
    )
    sections = [
        ("Model details", [("ul", _details(c))]),
        ("Intended use", _intended(c)),
        ("Factors", _factors(c)),
        ("Metrics", _metrics_blocks(c)),
        ("Evaluation data", _eval_blocks(c)),
        ("Training data", _train_blocks(c)),
        ("Quantitative analyses", _quant(c)),
        ("Ethical considerations", _ethics(c)),
        ("Caveats and recommendations", _caveats(c)),
        ("TRIPOD+AI reporting items", _tripod(c)),
    ]
    return ModelCard(f"Model card: fasciclf triage classifier {version}", sections)


@dataclass(frozen=True)
class _CardContext:
    """What every section of the card reads."""

    meta: dict[str, Any]
    m: Mapping[str, Any]
    rf: Mapping[str, Any]
    sub: Mapping[str, Any]
    classes: list[Any]
    version: Any
    kind: Any
    versions: Any
    dataset: str
    default_taxonomy: bool
    source: Any


def _details(c: _CardContext) -> list[Any]:
    """Model details: version, type, software and data fingerprint."""
    meta = c.meta
    version = c.version
    kind = c.kind
    versions = c.versions
    details = [
        f"Name and version: fasciclf triage classifier, model version {version}.",
        "Developed by: the fasciclf developers (open source, MIT licence).",
        f"Model type: {_KIND_TEXT.get(str(kind), _recorded(kind))}"
        + (
            f" (TF-IDF over {_ngram_text(meta['hyperparameters'])})."
            if isinstance(meta.get("hyperparameters"), Mapping)
            and str(kind) != "features"
            and _ngram_text(meta["hyperparameters"])
            else "."
        ),
        f"Created: {_recorded(meta.get('created'))}. Lexicon version: "
        f"{_recorded(meta.get('lexicon_version'))}.",
        "Software: "
        + (
            ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
            if isinstance(versions, Mapping) and versions
            else "not recorded"
        )
        + ".",
        f"Training-data fingerprint (SHA-256): {_recorded(meta.get('training_data_sha256'))}.",
        "Output: a probability for each category, the top three, red-flag rules with the "
        "words that triggered them, and an abstention when the text gives too little to go on.",
    ]
    return details


def _intended(c: _CardContext) -> list[Any]:
    """Intended use and what is out of scope."""
    intended = [
        (
            "note",
            f"{DISCLAIMER_SHORT} The output suggests what kind of clinician should see a "
            "person and how urgently; it never rules a disease in or out.",
        ),
        (
            "ul",
            [
                "Primary use: triage support for free-text, lay English descriptions of muscle "
                "twitching, cramps, weakness and numbness, e.g. to route a message or to prompt "
                "a person to seek care.",
                "Primary users: developers of triage and health-information tools, clinicians who "
                "review its output, and researchers.",
                "Red-flag rules (progressive weakness, wasting, bulbar signs, fatigable weakness "
                "with drooping eyelid or double vision, ...) are always shown, whatever the top "
                "suggestion.",
            ],
        ),
        ("p", "Out of scope:"),
        (
            "ul",
            [
                "Making or excluding a diagnosis (including telling someone they do not have ALS).",
                "Emergencies: sudden weakness, facial droop, trouble speaking or breathing need "
                "emergency services, not this tool.",
                "Children, clinical notes written by professionals, languages other than English, "
                "and any use without a route to a clinician.",
                "Decisions to withhold or delay care.",
            ],
        ),
    ]
    return intended


def _factors(c: _CardContext) -> list[Any]:
    """Factors: what can change performance, and the subgroups evaluated here."""
    sub = c.sub
    factors = [
        (
            "p",
            "Relevant factors: age, sex, who is writing (the person or a relative), writing "
            "style (terse, long and worried, non-native English, typos) and text length; "
            "symptom vocabulary differs across these.",
        ),
        (
            "p",
            "Evaluated here: "
            + (
                ", ".join(pretty_label(k).lower() for k in sub)
                if sub
                else "none (no subgroup columns were supplied)"
            )
            + ".",
        ),
    ]
    return factors


def _metrics_blocks(c: _CardContext) -> list[Any]:
    """The measures reported, and their intervals."""
    m = c.m
    rf = c.rf
    metrics_blocks = [
        (
            "ul",
            [
                "Top-1 accuracy and top-3 accuracy (the reference label among the three leading "
                "suggestions).",
                "Macro and weighted F1, and per-class precision and recall.",
                "Red-flag sensitivity and specificity: a case labelled "
                + " or ".join(pretty_label(c).lower() for c in rf["classes"])
                + " is caught when the top suggestion is a red-flag category or a red-flag rule "
                "fired. This is the figure that matters most for safety.",
                f"Calibration: top-label and class-wise expected calibration error "
                f"({m.get('ece_bins')} equal-width bins), multiclass Brier score, reliability "
                "diagram.",
                "One-vs-rest ROC AUC per class.",
                "Uncertainty: exact (Clopper-Pearson) 95% intervals for every proportion "
                "(accuracy, sensitivity, specificity, recall, precision, subgroup figures); "
                f"percentile bootstrap intervals from {m['n_bootstrap']} resamples for F1, "
                "calibration errors (shifted by the bootstrap estimate of their upward bias) "
                "and the Brier score.",
            ],
        ),
    ]
    return metrics_blocks


def _eval_blocks(c: _CardContext) -> list[Any]:
    """The evaluation data."""
    m = c.m
    dataset = c.dataset
    label_counts = {lab: d["support"] for lab, d in m["per_class"].items()}
    eval_blocks = [
        ("p", f"Dataset: {dataset}; {m['n']} descriptions."),
        (
            "table",
            ["Reference label", "Cases"],
            [[pretty_label(k), v] for k, v in label_counts.items()],
        ),
    ]
    if m.get("unknown_gold_labels"):
        eval_blocks.append(
            (
                "p",
                "Labels in the data that the model cannot predict: "
                + ", ".join(m["unknown_gold_labels"])
                + ".",
            )
        )
    return eval_blocks


def _train_blocks(c: _CardContext) -> list[Any]:
    """The training data."""
    meta = c.meta
    source = c.source
    class_counts = meta.get("class_counts") or {}
    train_blocks: list[tuple[Any, ...]] = [
        ("p", f"Source: {_recorded(source)}."),
        ("p", f"Number of training cases: {_recorded(meta.get('n_train'))}."),
    ]
    if isinstance(class_counts, Mapping) and class_counts:
        train_blocks.append(
            (
                "table",
                ["Label", "Training cases"],
                [[pretty_label(k), v] for k, v in class_counts.items()],
            )
        )
    return train_blocks


def _quant(c: _CardContext) -> list[Any]:
    """Quantitative analyses: overall, per class, red-flag sources, subgroups, CV."""
    meta = c.meta
    m = c.m
    rf = c.rf
    sub = c.sub
    dataset = c.dataset
    quant: list[tuple[Any, ...]] = [
        (
            "table",
            ["Measure", f"Value on {dataset} (95% CI)"],
            [
                ["Top-1 accuracy", with_ci(m["accuracy"], m["accuracy_ci"], 1)],
                ["Top-3 accuracy", with_ci(m["top3_accuracy"], m["top3_accuracy_ci"], 1)],
                *(
                    [
                        [
                            "Accuracy accepting alternative labels",
                            with_ci(
                                m["accuracy_with_alternatives"],
                                m["accuracy_with_alternatives_ci"],
                                1,
                            ),
                        ]
                    ]
                    if m.get("accuracy_with_alternatives") is not None
                    else []
                ),
                ["Macro F1", _num_ci(m["macro_f1"], m["macro_f1_ci"])],
                ["Weighted F1", _num_ci(m["weighted_f1"], m["weighted_f1_ci"])],
                ["Red-flag sensitivity", with_ci(rf["sensitivity"], rf["sensitivity_ci"], 1)],
                ["Red-flag specificity", with_ci(rf["specificity"], rf["specificity_ci"], 1)],
                ["Top-label ECE", _num_ci(m["ece"], m["ece_ci"])],
                ["Class-wise ECE", _num_ci(m["classwise_ece"], m["classwise_ece_ci"])],
                ["Brier score (0 best, 2 worst)", _num_ci(m["brier"], m["brier_ci"])],
                ["Macro one-vs-rest ROC AUC", num(m["roc_auc"]["macro"])],
            ],
        ),
        (
            "table",
            ["Class", "n", "Recall (95% CI)", "Precision (95% CI)"],
            [
                [
                    pretty_label(lab),
                    d["support"],
                    with_ci(d["recall"], d["recall_ci"]),
                    with_ci(d["precision"], d["precision_ci"]),
                ]
                for lab, d in m["per_class"].items()
            ],
        ),
    ]
    quant += _source_blocks(rf, sub)
    for name, table in sub.items():
        quant.append(
            (
                "table",
                [pretty_label(name), "n", "Top-1 accuracy (95% CI)", "Top-3 accuracy (95% CI)"],
                [
                    [
                        level,
                        row["n"],
                        with_ci(row["accuracy"], row["accuracy_ci"]),
                        with_ci(row["top3_accuracy"], row["top3_accuracy_ci"]),
                    ]
                    for level, row in table.items()
                ],
            )
        )
    cv = meta.get("cv_metrics")
    if isinstance(cv, Mapping) and cv:
        quant.append(("p", "Cross-validation on the training data (from the model metadata):"))
        quant.append(
            (
                "table",
                ["Measure", "Value"],
                [
                    [
                        metric_name(k),
                        (str(int(v)) if k == "n_splits" else num(v)) if is_num(v) else _recorded(v),
                    ]
                    for k, v in cv.items()
                    if k != "per_fold"
                ],
            )
        )
    other = meta.get("cv_other_folds")
    if isinstance(other, list) and other and all(isinstance(o, Mapping) for o in other):
        spans = [
            f"{metric_name(k)} {num(min(vals))}-{num(max(vals))}"
            for k in ("accuracy", "top3", "macro_f1", "mnd_recall")
            if (vals := [o[k] for o in other if is_num(o.get(k))])
        ]
        if spans:
            quant.append(
                (
                    "p",
                    f"The same model on {len(other)} other draws of writer-grouped folds "
                    f"(folds that did not choose it): " + "; ".join(spans) + ".",
                )
            )
    return quant


def _ethics(c: _CardContext) -> list[Any]:
    """Ethical considerations."""
    default_taxonomy = c.default_taxonomy
    if default_taxonomy:
        provenance = (
            "Training descriptions of the default corpus were written by the project team; no "
            "patient data or real posts were used to train the default model."
        )
        harm = (
            "Missing a motor neuron disease or myasthenia case is the most harmful error; "
            "red-flag rules run independently of the classifier for that reason."
        )
    else:
        provenance = (
            "This model was trained on a user-supplied label set; its data provenance is that "
            "of the user's file (training data source above)."
        )
        harm = (
            "Decide which categories must never be missed and report their sensitivity "
            "(red_flag_classes); red-flag rules still run independently of the classifier."
        )
    ethics = [
        (
            "ul",
            [
                provenance,
                "Health anxiety is common among people describing twitching: a benign "
                "suggestion can falsely reassure and a red-flag suggestion can frighten. The "
                "output must say plainly that it is not a diagnosis and point to a clinician.",
                harm,
                "Performance can differ by age, sex, writer and writing style; see the "
                "subgroup tables and their intervals.",
            ],
        )
    ]
    return ethics


def _caveats(c: _CardContext) -> list[Any]:
    """Caveats and recommendations."""
    m = c.m
    caveats = [
        (
            "ul",
            [
                f"The evaluation set has {m['n']} descriptions; intervals are wide for small classes "
                "and subgroups.",
                "Labels come from a guideline applied to text alone, without examination or tests; "
                "some cases are genuinely ambiguous (see accuracy accepting alternative labels).",
                "Probabilities were calibrated on the training data and may not transfer to another "
                "population; check the reliability diagram on local data before relying on them.",
                "Re-evaluate on local, real descriptions before any deployment and monitor red-flag "
                "sensitivity over time.",
            ],
        )
    ]
    return caveats


def _tripod(c: _CardContext) -> list[Any]:
    """The TRIPOD+AI reporting items and the category definitions."""
    meta = c.meta
    m = c.m
    rf = c.rf
    classes = c.classes
    dataset = c.dataset
    default_taxonomy = c.default_taxonomy
    source = c.source
    imbalance = next(
        (
            f"{key.replace('_', ' ')}: {_recorded(_meta_value(meta, key))}"
            for key in ("class_imbalance", "imbalance_handling", "class_weight")
            if _meta_value(meta, key) is not None
        ),
        None,
    )
    calibration = meta.get("calibration")
    tripod = [
        (
            "table",
            ["TRIPOD+AI item", "This model"],
            [
                [
                    "Outcome definition",
                    f"The triage category of a free-text description: one of {len(classes)} categories "
                    "(table below), assigned by a labeller reading the text alone"
                    + (
                        " following data/labeled/GUIDELINE.md."
                        if default_taxonomy
                        else " (user-defined label set)."
                    ),
                ],
                [
                    "Data sources",
                    f"Training: {_recorded(source)} (SHA-256 "
                    f"{_recorded(meta.get('training_data_sha256'))}). Evaluation: {dataset}.",
                ],
                [
                    "Sample size",
                    f"{_recorded(meta.get('n_train'))} training cases; {m['n']} evaluation cases, "
                    f"{rf['n_positive']} of them in red-flag categories.",
                ],
                ["Handling of class imbalance", _recorded(imbalance)],
                [
                    "Calibration",
                    f"Method: {_recorded(calibration)}. Measured: top-label ECE {pct(m['ece'], 1)}, "
                    f"Brier {num(m['brier'])}; see the reliability diagram.",
                ],
                [
                    "Missing data / unusable input",
                    "Empty, off-topic or non-text input abstains with a stated reason"
                    + (
                        f"; abstention rate here {pct(m['abstention']['rate'], 1)}."
                        if m.get("abstention", {}).get("available")
                        else "."
                    ),
                ],
                [
                    "Performance measures",
                    "Discrimination (accuracy, F1, ROC AUC) and calibration "
                    "(ECE, Brier, reliability diagram), each with a 95% interval (exact for "
                    "proportions, bootstrap otherwise).",
                ],
                [
                    "Limitations",
                    "Written, not real, training text; English only; small real-text "
                    "evaluation; labels without clinical examination. See caveats.",
                ],
            ],
        ),
        (
            "table",
            ["Category", "Definition"],
            [[pretty_label(c), DEFAULT_TAXONOMY.get(c, "user-defined")] for c in classes],
        ),
    ]
    return tripod


def _num_ci(v: Any, ci: Any) -> str:
    if ci:
        return f"{num(v)} ({num(ci[0])}–{num(ci[1])})"
    return num(v)


def _source_blocks(rf: Mapping[str, Any], sub: Mapping[str, Any]) -> list[Any]:
    """Red flags from the rules alone, the model alone and both, overall and per subgroup."""
    sources = rf.get("sources")
    if not sources:
        return []
    head = ["Red flags from", "Sensitivity (95% CI)", "Specificity (95% CI)"]
    threshold = sources.get("threshold")
    note = SOURCES_DEFINITION + (
        f" The model's threshold is {pct(threshold, 1)}." if threshold is not None else ""
    )

    def rows(src: Mapping[str, Any], level: str | None = None) -> list[list[Any]]:
        out = []
        for i, (key, name) in enumerate(SOURCE_NAMES.items()):
            cells = [source_cell(src[key], "sensitivity"), source_cell(src[key], "specificity")]
            out.append(([level if i == 0 else ""] if level is not None else []) + [name, *cells])
        return out

    blocks: list[Any] = [("p", note), ("table", head, rows(sources))]
    for name, table in sub.items():
        if table and all("red_flag_sources" in r for r in table.values()):
            per = [r for level, row in table.items() for r in rows(row["red_flag_sources"], level)]
            blocks.append(("table", [pretty_label(name), *head], per))
    return blocks
