"""Evaluation of triage classifiers: metrics with confidence intervals, reports, model cards.

The numerical core (:func:`evaluate_predictions` and the metric functions)
works on arrays and does not need :mod:`fasciclf.models`; :func:`evaluate`
runs a fasciclf model over texts first.

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

from fasciclf.evaluation._metrics import (
    RED_FLAG_CLASSES,
    classwise_ece,
    multiclass_brier_score,
    one_vs_rest_roc_auc,
    percentile_ci,
    reliability_curve,
    top_label_ece,
)
from fasciclf.evaluation._model_card import ModelCard, build_model_card
from fasciclf.evaluation._report import (
    EvaluationReport,
    evaluate,
    evaluate_predictions,
    predictions_to_arrays,
)

__all__ = [
    "RED_FLAG_CLASSES",
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
    "reliability_curve",
    "top_label_ece",
]
