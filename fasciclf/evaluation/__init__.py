"""Evaluation of triage classifiers: metrics with confidence intervals, reports, model cards.

In layers: metrics are pure functions over arrays (``_metrics``), their
intervals (``_intervals``: exact for proportions, bootstrap for the rest),
the report's sections (``_sections``), the report object
(``_report``: :func:`evaluate_predictions`, :func:`evaluate`,
:class:`EvaluationReport`), reviewer warnings (``_checks``), plain-language
sentences (``_prose``) and Jinja2 renderers (``_render`` with the templates in
``templates/``). :func:`evaluate_predictions` needs no fasciclf model;
:func:`evaluate` runs one over texts first.

Examples
--------
>>> from fasciclf.evaluation import evaluate_predictions
>>> report = evaluate_predictions(
...     ["benign_fasciculation", "other", "other"],
...     [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]],
...     ["benign_fasciculation", "other"],
...     n_bootstrap=0,
... )
>>> round(report.accuracy, 3)
0.667
"""

from fasciclf.evaluation._intervals import percentile_ci, proportion_ci
from fasciclf.evaluation._metrics import (
    RED_FLAG_CLASSES,
    classwise_ece,
    multiclass_brier_score,
    one_vs_rest_roc_auc,
    reliability_curve,
    top_label_ece,
)
from fasciclf.evaluation._model_card import ModelCard, build_model_card
from fasciclf.evaluation._report import (
    CaseInfo,
    EvaluationReport,
    evaluate,
    evaluate_predictions,
    predictions_to_arrays,
)

__all__ = [
    "RED_FLAG_CLASSES",
    "CaseInfo",
    "EvaluationReport",
    "ModelCard",
    "build_model_card",
    "classwise_ece",
    "evaluate",
    "evaluate_predictions",
    "multiclass_brier_score",
    "one_vs_rest_roc_auc",
    "percentile_ci",
    "predictions_to_arrays",
    "proportion_ci",
    "reliability_curve",
    "top_label_ece",
]
