"""The report object: ``evaluate_predictions``, ``evaluate`` and :class:`EvaluationReport`.

Figures come from :mod:`._metrics` (pure functions over arrays), reviewer
warnings from :mod:`._checks`; the words are in :mod:`._prose` and the pages
in :mod:`._render` (Jinja2 templates). Nothing here writes prose or markup.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fasciclf._json import to_jsonable
from fasciclf._vocab import RED_FLAG_LABELS
from fasciclf.evaluation import _flag_sources as FS
from fasciclf.evaluation import _intervals as I
from fasciclf.evaluation import _metrics as M
from fasciclf.evaluation import _sections as S
from fasciclf.evaluation._checks import label_warnings, training_overlap_warnings

SCHEMA_VERSION = 1


# ---------------------------------------------------------------------------
# JSON helpers


_jsonable = to_jsonable


# ---------------------------------------------------------------------------
# Core


@dataclass(frozen=True)
class CaseInfo:
    """Optional per-case inputs of :func:`evaluate_predictions`, one entry per case.

    Attributes
    ----------
    red_flag_fired : sequence of bool, optional
        Whether any red-flag rule fired. Without it, red-flag sensitivity
        counts only the top label.
    abstained : sequence of bool, optional
        Whether the model abstained. Abstained cases still count in every
        metric; abstention rate and accuracy on the rest are added.
    abstain_reasons : sequence of str or None, optional
        Why the model abstained, tallied in the report.
    red_flag_codes : sequence of (sequence of str), optional
        Codes of the red flags raised, shown in the error analysis and
        counted by code in the red-flag section.
    alt_labels : sequence of (sequence of labels or None), optional
        Other categories the labeller named as plausible; used for
        ``accuracy_with_alternatives``.
    groups : mapping of name -> sequence, or DataFrame, optional
        Subgroup columns (e.g. ``sex``, ``age_band``, ``voice``); metrics with
        intervals are reported per value. Missing values become ``"unknown"``.
    texts : sequence of str, optional
        The input texts, shown in the error analysis; also used to add a
        ``text_length`` subgroup (word-count bands) unless ``groups`` has one.
    evidence : sequence of (sequence of spans), optional
        Evidence spans to highlight: ``(start, end, concept, status)`` tuples
        or dicts with those keys.
    ids : sequence, optional
        Case identifiers shown in the error analysis (default: row numbers).
    rule_fired : sequence of bool, optional
        Whether a red-flag *rule* fired (the model's own ``model_probability``
        flag excluded), for the rules-alone figures. Without it, rules are
        read from ``red_flag_codes`` (every code but ``model_probability``),
        else from ``red_flag_fired``.
    """

    red_flag_fired: Sequence[bool] | None = None
    abstained: Sequence[bool] | None = None
    abstain_reasons: Sequence[str | None] | None = None
    red_flag_codes: Sequence[Sequence[str]] | None = None
    alt_labels: Sequence[Any] | None = None
    groups: Any = None
    texts: Sequence[Any] | None = None
    evidence: Sequence[Any] | None = None
    ids: Sequence[Any] | None = None
    rule_fired: Sequence[bool] | None = None


def evaluate_predictions(
    y_true: Sequence[Any],
    proba: Any,
    classes: Sequence[Any] | None,
    *,
    cases: CaseInfo | None = None,
    red_flag_classes: Sequence[Any] = RED_FLAG_LABELS,
    red_flag_threshold: float | None = None,
    red_flag_score_classes: Sequence[Any] | None = None,
    model_metadata: Mapping[str, Any] | None = None,
    dataset_name: str | None = None,
    n_bins: int = M.DEFAULT_N_BINS,
    n_bootstrap: int = 1000,
    random_state: int | None = 0,
    warnings: Sequence[str] = (),
) -> EvaluationReport:
    """Score predicted probabilities against gold labels.

    This is the numerical core of :func:`evaluate`; it needs no fasciclf
    model, only arrays, so any classifier can be scored with it.

    Parameters
    ----------
    y_true : sequence of labels, length n
        Gold (reference) labels. Labels the model does not know are kept
        (they count as errors and get their own row in the confusion matrix).
    proba : array-like of shape (n, n_classes)
        Predicted probabilities; rows must sum to 1.
    classes : sequence of length n_classes, optional
        Label of each column of ``proba`` (a model's ``classes_``).
    cases : CaseInfo, optional
        Per-case details: red flags, abstentions, alternatives, subgroups,
        texts, evidence and ids.
    red_flag_classes : sequence of labels
        Gold labels whose cases must be caught (default: possible motor
        neuron disease and neuromuscular junction). A case of such a class is
        caught when the top label is any red-flag class or a red flag fired.
    red_flag_threshold : float or None, default=None
        The model's red-flag threshold (``red_flag_threshold_``): a case is
        flagged by the model alone when the summed probability of
        ``red_flag_score_classes`` reaches it. ``None`` (no threshold) says
        so in the report instead of a number.
    red_flag_score_classes : sequence of labels, optional
        Columns summed for the model's red-flag probability (the model's
        ``red_flag_classes_``); default ``red_flag_classes``.
    model_metadata : mapping, optional
        A model's ``metadata_``; used by the model card.
    dataset_name : str, optional
        Shown in the report header and model card.
    n_bins : int, default=10
        Equal-width bins for the calibration errors and reliability diagram.
    n_bootstrap : int, default=1000
        Bootstrap resamples for the intervals of figures that are not
        proportions (0 disables them; proportions always get exact intervals).
    random_state : int or None, default=0
        Seed of the bootstrap; the same seed gives identical intervals.
    warnings : sequence of str, default=()
        Warnings found by the caller (e.g. overlap with training data), shown
        in the report with the ones found here.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> classes = ["benign_fasciculation", "possible_motor_neuron_disease", "other"]
    >>> y = rng.choice(classes, size=60)
    >>> proba = rng.dirichlet([1, 1, 1], size=60)
    >>> report = evaluate_predictions(y, proba, classes, n_bootstrap=200)
    >>> sorted(k for k in report.to_dict() if k in {"accuracy", "macro_f1", "ece"})
    ['accuracy', 'ece', 'macro_f1']
    >>> low, high = report.metrics["accuracy_ci"]
    >>> bool(low <= report.accuracy <= high)
    True
    """
    cases = cases or CaseInfo()
    enc = M._encode(y_true, proba, classes)
    n = enc.n
    nb = M._check_bins(n_bins)
    if not isinstance(n_bootstrap, int | np.integer) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a non-negative integer; got {n_bootstrap!r}")
    per_case = S.case_lists(cases, n)
    rf_fired = M.as_bool_array(cases.red_flag_fired, n, "red_flag_fired")
    abst = M.as_bool_array(cases.abstained, n, "abstained")
    cols = M.group_columns(cases.groups, n)
    if per_case["texts"] is not None and "text_length" not in cols:
        cols["text_length"] = [M.length_band(t) for t in per_case["texts"]]
    ca = I._case_arrays(
        enc,
        n_bins=nb,
        alt_ok=M.alt_correct(enc, cases.alt_labels),
        red_flag_fired=rf_fired,
        abstained=abst,
        red_flag_classes=red_flag_classes,
    )
    sources = _flag_sources(
        enc, cases, rf_fired, red_flag_threshold, red_flag_score_classes or red_flag_classes
    )
    main_seed, group_seed = np.random.SeedSequence(random_state).spawn(2)
    point, ci = I._bootstrap(ca, np.arange(n), n_bootstrap, np.random.default_rng(main_seed))

    metrics = S.headline(enc, ca, point, ci, n_bins=nb)
    metrics.update(
        schema_version=SCHEMA_VERSION,
        dataset=dataset_name,
        n_bootstrap=int(n_bootstrap),
        random_state=random_state,
        confidence_level=M.CONFIDENCE_LEVEL,
    )
    metrics["red_flags"] = S.red_flag_section(
        ca, point, ci, red_flag_classes, rules_available=rf_fired is not None, **per_case
    )
    metrics["red_flags"]["sources"] = {
        "threshold": red_flag_threshold,
        "score_classes": [str(c) for c in (red_flag_score_classes or red_flag_classes)],
        **FS.source_rates(ca.positive, sources),
    }
    metrics["abstention"] = S.abstention_section(ca, point, ci, per_case["abstain_reasons"])
    metrics["subgroups"] = S.subgroups_section(ca, cols, n_bootstrap, group_seed, sources)
    metrics["errors"] = S.errors_section(enc, ca, rf_fired=rf_fired, **per_case)
    metrics["n_errors"] = len(metrics["errors"])
    metrics["warnings"] = list(warnings) + label_warnings(
        [str(v) for v in np.asarray(enc.labels)[enc.y]],
        metrics["classes"],
        [str(c) for c in red_flag_classes],
    )
    meta = dict(model_metadata or {})
    metrics["model"] = {
        key: meta.get(key)
        for key in ("model_version", "kind", "lexicon_version", "created", "training_data_sha256")
        if meta.get(key) is not None
    }
    return EvaluationReport(_jsonable(metrics), model_metadata=meta, dataset_name=dataset_name)


def _flag_sources(
    enc: M._Encoded,
    cases: CaseInfo,
    rf_fired: np.ndarray | None,
    threshold: float | None,
    score_classes: Sequence[Any],
) -> FS.FlagSources:
    rule = FS.rule_flags(
        enc.n,
        rule_fired=cases.rule_fired,
        red_flag_codes=cases.red_flag_codes,
        red_flag_fired=rf_fired,
    )
    model = FS.model_flags(enc.proba, enc.labels, threshold=threshold, score_classes=score_classes)
    return FS.FlagSources(
        rule,
        model,
        None if threshold is None else float(threshold),
        rules_reason=FS.NO_RULES if rule is None else None,
        model_reason=FS.NO_THRESHOLD if model is None else None,
    )


# ---------------------------------------------------------------------------
# Wrapper over fasciclf models


def evaluate(
    model: Any,
    texts: Sequence[Any],
    labels: Sequence[Any],
    *,
    alt_labels: Sequence[Any] | None = None,
    groups: Any = None,
    ids: Sequence[Any] | None = None,
    dataset_name: str | None = None,
    red_flag_classes: Sequence[Any] = RED_FLAG_LABELS,
    n_bootstrap: int = 1000,
    random_state: int | None = 0,
    n_jobs: int = 1,
) -> EvaluationReport:
    """Evaluate a fasciclf model on labelled texts.

    Runs :func:`fasciclf.models.predict_many` (so red-flag rules, abstention
    and evidence come from the same code path applications use) and scores
    the result with :func:`evaluate_predictions`.

    Parameters
    ----------
    model : fitted classifier or None
        A model from :func:`fasciclf.models.train` or
        :func:`fasciclf.load_model`; ``None`` uses the bundled default model.
    texts : sequence of str
        Descriptions to classify.
    labels : sequence of str
        Gold labels, one per text.
    alt_labels, groups, ids, dataset_name, red_flag_classes, n_bootstrap, random_state
        See :func:`evaluate_predictions`. With your own label set, name the
        classes that must not be missed in ``red_flag_classes``.
    n_jobs : int, default=1
        Passed to ``predict_many``.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> import fasciclf
    >>> from fasciclf.data import load_labeled
    >>> test = load_labeled("test")  # doctest: +SKIP
    >>> report = fasciclf.evaluate(None, test["text"], test["label"])  # doctest: +SKIP
    >>> report.to_html("report.html")  # doctest: +SKIP
    """
    from fasciclf.models import predict_many, training_data_sha256

    if model is None:
        from fasciclf.models import default_model

        model = default_model()
    texts_l = list(texts)
    labels_l = list(labels)
    if len(texts_l) != len(labels_l):
        raise ValueError(f"got {len(texts_l)} texts but {len(labels_l)} labels")
    preds = predict_many(texts_l, model=model, n_jobs=n_jobs)
    classes = _model_classes(model, preds)
    arrays = predictions_to_arrays(preds, classes)
    meta = getattr(model, "metadata_", None)
    meta = meta if isinstance(meta, Mapping) else None
    cases = CaseInfo(
        red_flag_fired=arrays["red_flag_fired"],
        abstained=arrays["abstained"],
        abstain_reasons=arrays["abstain_reasons"],
        red_flag_codes=arrays["red_flag_codes"],
        alt_labels=alt_labels,
        groups=groups,
        texts=texts_l,
        evidence=arrays["evidence"],
        ids=ids,
        rule_fired=arrays["rule_fired"],
    )
    threshold = getattr(model, "red_flag_threshold_", None)
    return evaluate_predictions(
        labels_l,
        arrays["proba"],
        classes,
        cases=cases,
        red_flag_classes=red_flag_classes,
        red_flag_threshold=threshold,
        red_flag_score_classes=list(getattr(model, "red_flag_classes_", None) or []) or None,
        model_metadata=meta,
        dataset_name=dataset_name,
        n_bootstrap=n_bootstrap,
        random_state=random_state,
        warnings=training_overlap_warnings(texts_l, labels_l, meta, training_data_sha256),
    )


def _model_classes(model: Any, preds: Sequence[Any]) -> list[str]:
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes):
        return [str(c) for c in classes]
    seen: dict[str, None] = {}
    for p in preds:
        for c in p.probabilities:
            seen.setdefault(str(c), None)
    if not seen:
        raise ValueError("cannot tell the model's classes: no classes_ and no probabilities")
    return list(seen)


def predictions_to_arrays(preds: Sequence[Any], classes: Sequence[str]) -> dict[str, Any]:
    """Turn ``Prediction`` objects into the arrays :func:`evaluate_predictions` takes.

    A prediction without probabilities (invalid input) gets a uniform row,
    so it counts as an uninformed guess; it is also marked as abstained.
    """
    k = len(classes)
    proba = np.zeros((len(preds), k))
    fired, rules, abstained, codes, reasons, evidence = [], [], [], [], [], []
    for i, p in enumerate(preds):
        row = np.array([float(p.probabilities.get(c, 0.0)) for c in classes])
        total = row.sum()
        proba[i] = row / total if total > 0 else np.full(k, 1.0 / k)
        fired.append(bool(p.red_flags))
        rules.append(any(r.code != FS.MODEL_FLAG_CODE for r in p.red_flags))
        abstained.append(bool(p.abstained) or total <= 0)
        codes.append([r.code for r in p.red_flags])
        reasons.append(p.abstain_reason if p.abstained else None)
        spans: list[tuple[int, int, str, str]] = []
        feats = getattr(p, "features", None)
        for f in getattr(feats, "findings", ()) or ():
            spans.append((f.start, f.end, f.concept, f.status))
        for r in p.red_flags:
            for start, end, _text in r.evidence:
                spans.append((start, end, f"red flag: {r.code}", "red_flag"))
        evidence.append(spans)
    return {
        "proba": proba,
        "red_flag_fired": fired,
        "rule_fired": rules,
        "abstained": abstained,
        "red_flag_codes": codes,
        "abstain_reasons": reasons,
        "evidence": evidence,
    }


# ---------------------------------------------------------------------------
# Report object


class EvaluationReport:
    """The result of :func:`evaluate` / :func:`evaluate_predictions`.

    Attributes
    ----------
    metrics : dict
        Every figure, JSON-safe (``NaN`` stored as ``None``); this is what
        ``metrics.json`` contains. Scalars have a sibling ``<name>_ci`` with
        the 95% interval ``[low, high]``.
    model_metadata : dict
        The evaluated model's ``metadata_`` (may be empty).
    dataset_name : str or None
    created : str
        ISO date the report was made (shown in the HTML and model card only,
        so ``metrics.json`` stays reproducible).

    Examples
    --------
    >>> rep = evaluate_predictions(["a", "b", "b"], [[.7, .3], [.4, .6], [.8, .2]],
    ...                            ["a", "b"], n_bootstrap=0)
    >>> rep.accuracy, rep.top3_accuracy
    (0.6666666666666666, 1.0)
    >>> "accuracy" in rep.to_markdown()
    True
    """

    def __init__(
        self,
        metrics: dict[str, Any],
        *,
        model_metadata: Mapping[str, Any] | None = None,
        dataset_name: str | None = None,
        created: str | None = None,
    ) -> None:
        self.metrics = metrics
        self.model_metadata = dict(model_metadata or {})
        self.dataset_name = dataset_name
        self.created = created or _dt.date.today().isoformat()

    # -- convenient accessors ------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.metrics["n"])

    @property
    def accuracy(self) -> float:
        return self.metrics["accuracy"]

    @property
    def top3_accuracy(self) -> float:
        return self.metrics["top3_accuracy"]

    @property
    def macro_f1(self) -> float:
        return self.metrics["macro_f1"]

    @property
    def ece(self) -> float:
        return self.metrics["ece"]

    @property
    def warnings(self) -> list[str]:
        """What a reviewer must know before trusting the figures (also in every output)."""
        return list(self.metrics.get("warnings") or [])

    @property
    def per_class(self) -> dict[str, Any]:
        return self.metrics["per_class"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.metrics["errors"]

    @property
    def confusion_matrix(self) -> np.ndarray:
        """Counts, rows = gold label, columns = predicted top label."""
        return np.asarray(self.metrics["confusion_matrix"]["counts"])

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"EvaluationReport(n={m['n']}, accuracy={m['accuracy']:.1%}, "
            f"top3_accuracy={m['top3_accuracy']:.1%}, macro_f1={m['macro_f1']:.3f}, "
            f"ece={m['ece']:.3f})"
        )

    # -- outputs ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A deep copy of :attr:`metrics`."""
        return json.loads(json.dumps(self.metrics))

    def to_json(self, path: str | Path | None = None, *, indent: int = 2) -> str:
        """Return the metrics as JSON and, given ``path``, write them there.

        Parameters
        ----------
        path : str or Path, optional
            Where to write (e.g. ``out/metrics.json``).
        indent : int, default=2

        Returns
        -------
        str
        """
        text = json.dumps(self.metrics, indent=indent, ensure_ascii=False, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def summary_sentences(self) -> list[str]:
        """The key figures in plain words, as shown at the top of the report."""
        from fasciclf.evaluation._prose import plain_summary

        return plain_summary(self.metrics)

    def to_markdown(self) -> str:
        """The report as GitHub-flavoured Markdown (no figures)."""
        from fasciclf.evaluation._render import report_markdown

        return report_markdown(self)

    def model_card(self) -> Any:
        """The :class:`~fasciclf.evaluation.ModelCard` for the evaluated model."""
        from fasciclf.evaluation._model_card import build_model_card

        return build_model_card(self.model_metadata, self)

    def to_html(self, path: str | Path | None = None) -> str:
        """A single self-contained HTML page (inline SVG plots, no scripts).

        Parameters
        ----------
        path : str or Path, optional
            Where to write it (e.g. ``out/report.html``).

        Returns
        -------
        str
            The HTML document.
        """
        from fasciclf.evaluation._render import report_html

        doc = report_html(self, full=True)
        if path is not None:
            Path(path).write_text(doc, encoding="utf-8")
        return doc

    def _repr_html_(self) -> str:
        from fasciclf.evaluation._render import report_html

        return report_html(self, full=False)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``report.html``, ``metrics.json`` and ``model_card.md`` into ``out_dir``.

        Returns
        -------
        dict
            File kind -> path written.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "report": out / "report.html",
            "metrics": out / "metrics.json",
            "model_card": out / "model_card.md",
        }
        self.to_html(paths["report"])
        self.to_json(paths["metrics"])
        paths["model_card"].write_text(self.model_card().to_markdown(), encoding="utf-8")
        return paths
