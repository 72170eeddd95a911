"""Tests for fasciclf.evaluation: every metric against scikit-learn or a hand computation."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from sklearn.metrics import (
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
    top_k_accuracy_score,
)

import fasciclf.evaluation as fe
from fasciclf.evaluation import (
    CaseInfo,
    EvaluationReport,
    build_model_card,
    classwise_ece,
    evaluate_predictions,
    multiclass_brier_score,
    one_vs_rest_roc_auc,
    reliability_curve,
    top_label_ece,
)
from fasciclf.evaluation._synthetic import CLASSES, synthetic_inputs, synthetic_report

MND = "possible_motor_neuron_disease"
NMJ = "neuromuscular_junction"


def _random_case(n=400, k=5, seed=0, sharp=2.0):
    rng = np.random.default_rng(seed)
    classes = [f"c{j}" for j in range(k)]
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += sharp
    proba = np.exp(logits)
    proba /= proba.sum(axis=1, keepdims=True)
    return classes, y, proba


@pytest.fixture(scope="module")
def synth():
    return synthetic_report(n=300, seed=0, n_bootstrap=200)


# ---------------------------------------------------------------------------
# Classification metrics against scikit-learn


def test_accuracy_f1_per_class_match_sklearn():
    classes, y, proba = _random_case()
    # Make class c4 never predicted, so precision is undefined for it.
    proba[:, 4] *= 0.01
    proba /= proba.sum(axis=1, keepdims=True)
    labels = [classes[j] for j in y]
    rep = evaluate_predictions(labels, proba, classes, n_bootstrap=0)
    pred = [classes[j] for j in proba.argmax(axis=1)]
    assert rep.accuracy == pytest.approx(np.mean(np.array(pred) == np.array(labels)))
    assert rep.macro_f1 == pytest.approx(f1_score(labels, pred, average="macro"))
    assert rep.metrics["weighted_f1"] == pytest.approx(f1_score(labels, pred, average="weighted"))
    p, r, f, s = precision_recall_fscore_support(labels, pred, labels=classes, zero_division=np.nan)
    for j, c in enumerate(classes):
        d = rep.per_class[c]
        for ours, theirs in ((d["precision"], p[j]), (d["recall"], r[j]), (d["f1"], f[j])):
            if np.isnan(theirs):
                assert ours is None
            else:
                assert ours == pytest.approx(theirs)
        assert d["support"] == s[j]
    assert rep.per_class["c4"]["n_predicted"] == 0


def test_gold_label_unknown_to_model_is_kept():
    rep = evaluate_predictions(
        ["a", "b", "zzz"], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], ["a", "b"], n_bootstrap=0
    )
    assert rep.metrics["labels"] == ["a", "b", "zzz"]
    assert rep.metrics["unknown_gold_labels"] == ["zzz"]
    assert rep.accuracy == pytest.approx(2 / 3)
    assert rep.per_class["zzz"]["recall"] == 0.0
    assert rep.per_class["zzz"]["known_to_model"] is False
    # Unknown gold label adds 1 to its case's Brier term (implicit p=0, y=1).
    expected = ((0.1**2 + 0.1**2) + (0.2**2 + 0.2**2) + (0.6**2 + 0.4**2 + 1)) / 3
    assert rep.metrics["brier"] == pytest.approx(expected)


def test_top3_matches_sklearn():
    classes, y, proba = _random_case(k=7, sharp=0.8, seed=3)
    rep = evaluate_predictions([classes[j] for j in y], proba, classes, n_bootstrap=0)
    assert rep.top3_accuracy == pytest.approx(
        top_k_accuracy_score(y, proba, k=3, labels=list(range(7)))
    )


def test_top3_ties_follow_class_order():
    # Uniform row: the first three classes are the top three.
    proba = [[0.25, 0.25, 0.25, 0.25]] * 2
    rep = evaluate_predictions(["c", "d"], proba, ["a", "b", "c", "d"], n_bootstrap=0)
    assert rep.top3_accuracy == 0.5


def test_confusion_matrix_matches_sklearn():
    classes, y, proba = _random_case(seed=1)
    rep = evaluate_predictions([classes[j] for j in y], proba, classes, n_bootstrap=0)
    pred = proba.argmax(axis=1)
    expected = confusion_matrix(y, pred, labels=range(len(classes)))
    np.testing.assert_array_equal(rep.confusion_matrix, expected)
    np.testing.assert_allclose(
        rep.metrics["confusion_matrix"]["row_normalised"],
        confusion_matrix(y, pred, labels=range(len(classes)), normalize="true"),
    )


def test_brier_matches_sklearn():
    classes, y, proba = _random_case(seed=2)
    labels = [classes[j] for j in y]
    expected = brier_score_loss(labels, proba, labels=classes, scale_by_half=False)
    assert multiclass_brier_score(labels, proba, classes) == pytest.approx(expected)
    rep = evaluate_predictions(labels, proba, classes, n_bootstrap=0)
    assert rep.metrics["brier"] == pytest.approx(expected)


def test_roc_auc_matches_sklearn_and_skips_absent_classes():
    classes, y, proba = _random_case(seed=4)
    out = one_vs_rest_roc_auc(y, proba)
    assert out["macro"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    for j in range(len(classes)):
        assert out["per_class"][j] == pytest.approx(roc_auc_score(y == j, proba[:, j]))
    # A class with no gold case has no ROC curve: skipped with the reason.
    keep = y != 2
    rep = evaluate_predictions([classes[j] for j in y[keep]], proba[keep], classes, n_bootstrap=0)
    assert "c2" in rep.metrics["roc_auc"]["skipped"]
    assert "no gold cases" in rep.metrics["roc_auc"]["skipped"]["c2"]
    assert rep.per_class["c2"]["roc_auc"] is None
    assert rep.metrics["roc_auc"]["per_class"]["c0"] == pytest.approx(
        roc_auc_score(y[keep] == 0, proba[keep, 0])
    )


# ---------------------------------------------------------------------------
# Calibration


def test_ece_hand_computed():
    # 5 cases, 5 bins of width 0.2 (right-closed).
    proba = np.array(
        [
            [0.95, 0.05],  # conf .95 -> bin 5, correct (gold 0)
            [0.85, 0.15],  # conf .85 -> bin 5, wrong (gold 1)
            [0.3, 0.7],  # conf .70 -> bin 4, correct (gold 1)
            [0.4, 0.6],  # conf .60 -> bin 3 ((0.4, 0.6] is right-closed), wrong (gold 0)
            [0.5, 0.5],  # conf .50 -> bin 3, predicted class 0 (first max), correct
        ]
    )
    y = [0, 1, 1, 0, 0]
    # bin 5: 2 cases, acc 0.5, conf 0.90 -> |0.5-0.9| * 2/5 = 0.16
    # bin 4: 1 case,  acc 1.0, conf 0.70 -> 0.30 * 1/5 = 0.06
    # bin 3: 2 cases, acc 0.5, conf 0.55 -> 0.05 * 2/5 = 0.02
    assert top_label_ece(y, proba, n_bins=5) == pytest.approx(0.24)
    # Class-wise: class 0 probabilities .95 .85 .3 .4 .5 with indicators 1 0 0 1 1
    #   bin 5: {.95,.85} freq .5 mean .9 -> .4*2/5 = .16
    #   bin 2: {.3} freq 0 mean .3 -> .3/5 = .06
    #   bin 2 also holds .4 (0.2, 0.4] -> {.3,.4}: freq .5 mean .35 -> .15*2/5 = .06
    #   bin 3: {.5} freq 1 mean .5 -> .5/5 = .10          => class 0: .16+.06+.10 = .32
    # Class 1: .05 .15 .7 .6 .5 with indicators 0 1 1 0 0
    #   bin 1: {.05,.15} freq .5 mean .1 -> .4*2/5 = .16
    #   bin 4: {.7} freq 1 -> .3/5 = .06
    #   bin 3: {.6,.5} freq 0 mean .55 -> .55*2/5 = .22   => class 1: .44
    assert classwise_ece(y, proba, n_bins=5) == pytest.approx((0.32 + 0.44) / 2)
    rep = evaluate_predictions(y, proba, None, n_bins=5, n_bootstrap=0)
    assert rep.ece == pytest.approx(0.24)
    assert rep.metrics["classwise_ece"] == pytest.approx(0.38)


def test_ece_perfectly_calibrated_is_zero():
    # 10 cases at confidence 0.8, 8 right.
    proba = [[0.8, 0.2]] * 10
    y = [0] * 8 + [1] * 2
    assert top_label_ece(y, proba) == pytest.approx(0.0)


def test_reliability_curve_matches_sklearn_calibration_curve():
    from sklearn.calibration import calibration_curve

    classes, y, proba = _random_case(seed=5, sharp=1.0)
    curve = reliability_curve(y, proba, n_bins=10)
    conf = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    prob_true, prob_pred = calibration_curve(correct, conf, n_bins=10, strategy="uniform")
    filled = [i for i, c in enumerate(curve["count"]) if c]
    np.testing.assert_allclose([curve["accuracy"][i] for i in filled], prob_true)
    np.testing.assert_allclose([curve["mean_confidence"][i] for i in filled], prob_pred)
    assert sum(curve["count"]) == len(y)


# ---------------------------------------------------------------------------
# Red flags, abstention, alternatives, subgroups


def test_red_flag_sensitivity_specificity_hand_computed():
    classes = ["benign_fasciculation", MND, NMJ, "other"]
    gold = [MND, MND, NMJ, NMJ, "other", "other", "benign_fasciculation", "other"]
    top = [MND, "other", MND, "benign_fasciculation", "other", NMJ, "other", "other"]
    fired = [False, True, False, False, False, False, True, False]
    proba = np.full((8, 4), 0.1)
    for i, t in enumerate(top):
        proba[i, classes.index(t)] = 0.7
    rep = evaluate_predictions(
        gold,
        proba,
        classes,
        n_bootstrap=0,
        cases=CaseInfo(red_flag_fired=fired, ids=list("abcdefgh")),
    )
    rf = rep.metrics["red_flags"]
    # Positives a,b,c,d: a (top MND), b (rule), c (NMJ read as MND) caught; d missed.
    assert rf["n_positive"] == 4 and rf["n_caught"] == 3
    assert rf["sensitivity"] == pytest.approx(0.75)
    assert rf["n_caught_by_top_label"] == 2 and rf["n_caught_by_rule_only"] == 1
    assert rf["missed"] == ["d"]
    # Negatives e..h: f (top NMJ) and g (rule) are false alarms.
    assert rf["specificity"] == pytest.approx(0.5)
    assert rf["n_false_alarms"] == 2
    # Without rule information only the top label counts.
    rep2 = evaluate_predictions(gold, proba, classes, n_bootstrap=0)
    assert rep2.metrics["red_flags"]["sensitivity"] == pytest.approx(0.5)
    assert rep2.metrics["red_flags"]["rules_available"] is False
    # The missed case is listed first in the error analysis.
    assert rep.errors[0]["id"] == "d" and rep.errors[0]["red_flag_missed"]


def test_abstention_and_alt_labels():
    gold = ["a", "a", "b", "b", "a"]
    proba = [[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.8, 0.2], [0.55, 0.45]]
    abst = [False, True, False, False, True]
    alts = [[], ["b"], None, [], ["b"]]
    rep = evaluate_predictions(
        gold,
        proba,
        ["a", "b"],
        n_bootstrap=0,
        cases=CaseInfo(
            abstained=abst,
            alt_labels=alts,
            abstain_reasons=[None, "low_confidence", None, None, "low_confidence"],
        ),
    )
    ab = rep.metrics["abstention"]
    assert ab["rate"] == pytest.approx(0.4)
    # Non-abstained cases 0, 2, 3: right, right, wrong.
    assert ab["accuracy_non_abstained"] == pytest.approx(2 / 3)
    assert ab["reasons"] == {"low_confidence": 2}
    assert rep.accuracy == pytest.approx(3 / 5)
    # Case 1 (gold a, top b, alt b) becomes acceptable.
    assert rep.metrics["accuracy_with_alternatives"] == pytest.approx(4 / 5)
    assert evaluate_predictions(gold, proba, ["a", "b"], n_bootstrap=0).metrics["abstention"] == {
        "available": False
    }


def test_subgroups_equal_separate_evaluation():
    kw = synthetic_inputs(200, seed=3)
    y, proba, classes = kw["y_true"], kw["proba"], kw["classes"]
    sex = ["female" if i % 3 else "male" for i in range(200)]
    texts = ["short text"] * 150 + ["word " * 130] * 50
    rep = evaluate_predictions(
        y, proba, classes, cases=CaseInfo(groups={"sex": sex}, texts=texts), n_bootstrap=100
    )
    sub = rep.metrics["subgroups"]
    assert set(sub) == {"sex", "text_length"}
    assert set(sub["text_length"]) == {"terse (<=15 words)", "long (>=120 words)"}
    idx = [i for i in range(200) if sex[i] == "male"]
    alone = evaluate_predictions([y[i] for i in idx], proba[idx], classes, n_bootstrap=0)
    row = sub["sex"]["male"]
    assert row["n"] == len(idx)
    assert row["accuracy"] == pytest.approx(alone.accuracy)
    assert row["top3_accuracy"] == pytest.approx(alone.top3_accuracy)
    assert row["macro_f1"] == pytest.approx(alone.macro_f1)
    lo, hi = row["accuracy_ci"]
    assert lo <= row["accuracy"] <= hi


def test_groups_accepts_dataframe_and_missing_values():
    pd = pytest.importorskip("pandas")
    kw = synthetic_inputs(60, seed=4)
    df = pd.DataFrame({"sex": [None, "female", float("nan")] * 20})
    rep = evaluate_predictions(
        kw["y_true"], kw["proba"], kw["classes"], cases=CaseInfo(groups=df), n_bootstrap=20
    )
    assert set(rep.metrics["subgroups"]["sex"]) == {"female", "unknown"}
    assert rep.metrics["subgroups"]["sex"]["unknown"]["n"] == 40


# ---------------------------------------------------------------------------
# Bootstrap


def test_bootstrap_is_seeded_and_ci_brackets_estimate():
    kw = synthetic_inputs(150, seed=5)
    args = (kw["y_true"], kw["proba"], kw["classes"])
    a = evaluate_predictions(*args, n_bootstrap=300, random_state=7)
    b = evaluate_predictions(*args, n_bootstrap=300, random_state=7)
    c = evaluate_predictions(*args, n_bootstrap=300, random_state=8)
    assert a.to_json() == b.to_json()
    assert a.metrics["macro_f1_ci"] != c.metrics["macro_f1_ci"]
    # proportions have exact intervals: the seed does not move them
    assert a.metrics["accuracy_ci"] == c.metrics["accuracy_ci"]
    for key in (
        "accuracy",
        "top3_accuracy",
        "macro_f1",
        "weighted_f1",
        "brier",
        "ece",
        "classwise_ece",
    ):
        lo, hi = a.metrics[f"{key}_ci"]
        assert lo <= a.metrics[key] <= hi, key
    for d in a.per_class.values():
        lo, hi = d["recall_ci"]
        assert lo <= d["recall"] <= hi


def test_bootstrap_handles_classes_absent_from_resamples():
    # One case of a rare class: most resamples lack it entirely.
    y = ["a"] * 20 + ["b"] * 20 + ["rare"]
    rng = np.random.default_rng(0)
    proba = rng.dirichlet([1, 1, 1], size=41)
    rep = evaluate_predictions(y, proba, ["a", "b", "rare"], n_bootstrap=500)
    lo, hi = rep.metrics["macro_f1_ci"]
    assert 0 <= lo <= hi <= 1
    rare = rep.per_class["rare"]
    assert rare["support"] == 1
    assert rare["recall_ci"] is None or 0 <= rare["recall_ci"][0] <= rare["recall_ci"][1] <= 1


def test_no_bootstrap_gives_exact_intervals_only():
    rep = evaluate_predictions(["a", "b"], [[0.6, 0.4], [0.3, 0.7]], ["a", "b"], n_bootstrap=0)
    assert rep.metrics["macro_f1_ci"] is None and rep.metrics["ece_ci"] is None
    assert rep.metrics["accuracy_ci"] == pytest.approx(_scipy_ci(2, 2))
    assert rep.per_class["a"]["recall_ci"] == pytest.approx(_scipy_ci(1, 1))


def _scipy_ci(k, n):
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    return [ci.low, ci.high]


@pytest.mark.parametrize("k,n", [(0, 12), (12, 12), (152, 152), (112, 115), (7, 30), (1, 1)])
def test_proportion_intervals_match_scipy(k, n):
    assert list(fe.proportion_ci(k, n)) == pytest.approx(_scipy_ci(k, n))


def test_every_proportion_has_an_exact_interval_never_zero_width():
    # 12 red-flag cases all caught, 140 others all right: n/n and 0/n everywhere.
    gold = ["mnd"] * 12 + ["ok"] * 140
    proba = [[0.9, 0.1]] * 12 + [[0.1, 0.9]] * 140
    groups = {"sex": ["f"] * 76 + ["m"] * 76}
    rep = evaluate_predictions(
        gold,
        proba,
        ["mnd", "ok"],
        red_flag_classes=["mnd"],
        cases=CaseInfo(groups=groups),
        n_bootstrap=200,
    )
    m = rep.metrics
    assert m["accuracy"] == 1.0 and m["accuracy_ci"] == pytest.approx(_scipy_ci(152, 152))
    assert m["top3_accuracy_ci"] == pytest.approx(_scipy_ci(152, 152))
    rf = m["red_flags"]
    assert rf["sensitivity_ci"] == pytest.approx(_scipy_ci(12, 12))
    assert rf["specificity_ci"] == pytest.approx(_scipy_ci(140, 140))
    female = m["subgroups"]["sex"]["f"]
    assert female["accuracy_ci"] == pytest.approx(_scipy_ci(76, 76))
    assert female["red_flag_sensitivity_ci"] == pytest.approx(_scipy_ci(12, 12))
    male = m["subgroups"]["sex"]["m"]
    assert male["red_flag_sensitivity"] is None and male["red_flag_sensitivity_ci"] is None
    # every bootstrap figure is perfect on every resample: no zero-width interval is shown
    for key in ("macro_f1_ci", "weighted_f1_ci"):
        assert m[key] is None or m[key][0] < m[key][1]
    assert "100% (95% CI 100" not in rep.to_html() + rep.to_markdown()


def test_bootstrap_ci_coverage():
    """~95% of intervals from repeated samples cover the true accuracy (0.8)."""
    true_acc, n, reps = 0.8, 200, 200
    rng = np.random.default_rng(12345)
    covered = 0
    for r in range(reps):
        correct = rng.random(n) < true_acc
        proba = np.where(correct[:, None], [0.7, 0.3], [0.3, 0.7])
        rep = evaluate_predictions(["x"] * n, proba, ["x", "y"], n_bootstrap=500, random_state=r)
        lo, hi = rep.metrics["accuracy_ci"]
        covered += lo <= true_acc <= hi
    coverage = covered / reps
    # Binomial SD of the coverage estimate is ~0.015; percentile intervals for a
    # proportion at n=200 cover slightly under 95%.
    assert 0.90 <= coverage <= 0.99, coverage


def test_percentile_ci_helper():
    lo, hi = fe.percentile_ci(np.r_[np.ones(80), np.zeros(20)], n_bootstrap=2000)
    assert lo < 0.8 < hi and hi - lo < 0.2


# ---------------------------------------------------------------------------
# Input validation


@pytest.mark.parametrize(
    ("y", "proba", "classes", "match"),
    [
        (["a"], [0.5, 0.5], ["a", "b"], "2-D"),
        (["a"], [[0.5, 0.5]], ["a"], "classes has 1 entries"),
        (["a", "b"], [[0.5, 0.5]], ["a", "b"], "y_true has 2 labels"),
        (["a"], [[0.5, 0.6]], ["a", "b"], "sum to 1"),
        (["a"], [[1.5, -0.5]], ["a", "b"], "non-negative"),
    ],
)
def test_input_errors(y, proba, classes, match):
    with pytest.raises(ValueError, match=match):
        evaluate_predictions(y, proba, classes, n_bootstrap=0)


def test_length_mismatch_errors():
    with pytest.raises(ValueError, match="abstained must have one entry per case"):
        evaluate_predictions(
            ["a"], [[1.0, 0.0]], ["a", "b"], cases=CaseInfo(abstained=[True, False])
        )
    with pytest.raises(TypeError, match="groups must be a mapping"):
        evaluate_predictions(["a"], [[1.0, 0.0]], ["a", "b"], cases=CaseInfo(groups=["x"]))


# ---------------------------------------------------------------------------
# Outputs


def test_to_json_keys_and_file(synth, tmp_path):
    path = tmp_path / "metrics.json"
    text = synth.to_json(path)
    data = json.loads(path.read_text())
    assert data == json.loads(text)
    for key in (
        "accuracy",
        "top3_accuracy",
        "macro_f1",
        "ece",
        "per_class",
        "accuracy_ci",
        "classwise_ece",
        "brier",
        "roc_auc",
        "confusion_matrix",
        "reliability",
        "red_flags",
        "abstention",
        "subgroups",
        "errors",
    ):
        assert key in data, key
    assert isinstance(data["accuracy"], float)
    assert set(data["per_class"]) == set(CLASSES)
    assert {"precision", "recall", "f1", "support", "recall_ci"} <= set(data["per_class"][MND])
    assert "NaN" not in text and "Infinity" not in text
    assert data["n_errors"] == len(data["errors"]) == data["n"] - data["n_correct"]


def test_errors_have_top3_probabilities_and_evidence(synth):
    e = next(err for err in synth.errors if err["evidence"])
    assert len(e["top3"]) == 3 and e["top3"][0][0] == e["predicted"]
    assert sum(e["probabilities"].values()) == pytest.approx(1.0)
    span = e["evidence"][0]
    assert e["text"][span["start"] : span["end"]]
    plain = [e for e in synth.errors if not e["red_flag_missed"]]
    acceptable = [e["acceptable_alternative"] for e in plain]
    assert acceptable == sorted(acceptable)  # accepted alternatives last
    confidences = [e["confidence"] for e in plain if not e["acceptable_alternative"]]
    assert confidences == sorted(confidences, reverse=True)


_EXTERNAL = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)


def _assert_self_contained(doc: str) -> None:
    assert "<script" not in doc.lower()
    assert not _EXTERNAL.search(doc), _EXTERNAL.search(doc)
    assert "@import" not in doc
    assert not re.search(r"url\(\s*['\"]?(?!#)", doc), "CSS/SVG url() must be local (#id)"
    assert "<link" not in doc.lower()
    assert "<iframe" not in doc.lower()


def test_html_is_self_contained(synth, tmp_path):
    path = tmp_path / "report.html"
    doc = synth.to_html(path)
    assert path.read_text(encoding="utf-8") == doc
    assert doc.startswith("<!DOCTYPE html>")
    _assert_self_contained(doc)
    assert "Triage aid, not a diagnosis" in doc
    assert doc.count("<svg") >= 4
    assert 'id="model-card"' in doc and "Intended use" in doc
    # Inline SVGs share one document: ids must be unique.
    ids = re.findall(r'\bid="([^"]+)"', doc)
    assert len(ids) == len(set(ids))
    # Summary comes before details.
    assert doc.index('id="summary"') < doc.index('id="per-class"') < doc.index('id="errors"')


def test_html_escapes_case_text():
    rep = evaluate_predictions(
        ["a"],
        [[0.2, 0.8]],
        ["a", "b"],
        n_bootstrap=0,
        cases=CaseInfo(
            texts=["<script>alert(1)</script> & <b>"], evidence=[[(0, 8, "x", "present")]]
        ),
    )
    doc = rep.to_html()
    assert "<script>" not in doc
    assert "&lt;script&gt;" in doc


def test_repr_html_is_a_fragment(synth):
    frag = synth._repr_html_()
    assert "<html" not in frag and "<svg" in frag
    _assert_self_contained(frag)
    # Styles are scoped so a notebook is not restyled.
    css = frag[frag.index("<style>") + 7 : frag.index("</style>")]
    selectors = [s.strip() for s in re.findall(r"(?:^|})\s*([^{}@]+)\{", css)]
    assert selectors and all(s.startswith(".fr") for s in selectors), selectors


def test_markdown(synth):
    md = synth.to_markdown()
    assert md.startswith("# fasciclf evaluation report")
    assert "Triage aid, not a diagnosis" in md
    for heading in (
        "## Summary",
        "## Key figures",
        "## Per class",
        "## Confusion matrix",
        "## Calibration",
        "## Errors",
    ):
        assert heading in md
    assert "| Measure | Value (95% CI) |" in md
    assert "| Possible motor neuron disease |" in md
    # readable names only, no raw metric keys
    for raw in ("accuracy_std", "mnd_recall", "top3_accuracy |", "classwise_ece"):
        assert raw not in md and raw not in synth.model_card().to_markdown()


XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>[click](javascript:alert(3))"


def test_markdown_escapes_every_user_string():
    """Labels, group values, ids, texts and the data file name cannot become markup."""
    rep = evaluate_predictions(
        [XSS, "b", "b"],
        [[0.2, 0.8], [0.4, 0.6], [0.3, 0.7]],
        [XSS, "b"],
        cases=CaseInfo(
            groups={XSS: [XSS, "x", "x"]},
            texts=[XSS, "b", "b"],
            ids=[XSS, 2, 3],
            alt_labels=[[XSS], [], []],
        ),
        red_flag_classes=[XSS],
        dataset_name=XSS + ".jsonl",
        n_bootstrap=0,
        model_metadata={
            "model_version": XSS,
            "training_data": XSS,
            "class_counts": {XSS: 3},
            "cv_metrics": {XSS: 0.5},
        },
    )
    for md in (rep.to_markdown(), rep.model_card().to_markdown()):
        # every "<", "[" and "]" of a user string is backslash-escaped
        assert not re.search(r"(?<!\\)[<\[\]]", md)
        assert md.count("\\<script\\>") >= 3
    html = rep.to_html()
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_report_page_shows_each_table_once(synth):
    html = synth.to_html()
    assert html.count("<h3>Sex</h3>") == 1
    assert "Quantitative analyses" not in html
    assert "Quantitative analyses" in synth.model_card().to_markdown()


def test_write_creates_three_files(synth, tmp_path):
    paths = synth.write(tmp_path / "out")
    assert {p.name for p in paths.values()} == {"report.html", "metrics.json", "model_card.md"}
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_model_card_sections(synth):
    md = synth.model_card().to_markdown()
    for section in (
        "Model details",
        "Intended use",
        "Factors",
        "Metrics",
        "Evaluation data",
        "Training data",
        "Quantitative analyses",
        "Ethical considerations",
        "Caveats and recommendations",
        "TRIPOD+AI reporting items",
    ):
        assert f"## {section}" in md, section
    for item in (
        "Outcome definition",
        "Data sources",
        "Sample size",
        "Handling of class imbalance",
        "Calibration",
        "Limitations",
    ):
        assert f"| {item} |" in md, item
    assert "0.0.0-synthetic" in md and "class weight: balanced" in md
    assert "Triage aid, not a diagnosis" in md


def test_model_card_without_metadata():
    rep = evaluate_predictions(["x", "y"], [[0.7, 0.3], [0.4, 0.6]], ["x", "y"], n_bootstrap=0)
    md = build_model_card(None, rep).to_markdown()
    assert "not recorded" in md and "user-defined" in md


def test_summary_sentences_are_plain(synth):
    text = " ".join(synth.summary_sentences())
    assert "95% CI" in text and "Red flags" in text and "abstained" in text


def test_public_api():
    for name in fe.__all__:
        obj = getattr(fe, name)
        if callable(obj):
            assert obj.__doc__, name
    assert isinstance(synthetic_report(n=30, n_bootstrap=0), EvaluationReport)


# ---------------------------------------------------------------------------
# evaluate() over fasciclf.models, and the CLI


class _FakeModel:
    """Just enough of a fitted fasciclf model: classes_, predict_proba, metadata_."""

    classes_ = np.array(["benign_fasciculation", MND, "other"])
    metadata_ = {"model_version": "fake-1", "kind": "text", "n_train": 3}

    def predict_proba(self, texts):
        rows = []
        for t in texts:
            t = t.lower() if isinstance(t, str) else ""
            if "weak" in t or "wasting" in t:
                rows.append([0.2, 0.7, 0.1])
            elif "twitch" in t:
                rows.append([0.7, 0.2, 0.1])
            else:
                rows.append([0.3, 0.2, 0.5])
        return np.array(rows)


def _fake_predict_many(texts, *, model=None, n_jobs=1):
    from fasciclf.features._types import Finding, SymptomFeatures
    from fasciclf.models._prediction import Prediction, RedFlag

    model = model or _FakeModel()
    out = []
    for text, row in zip(texts, model.predict_proba(texts), strict=True):
        if not isinstance(text, str):
            out.append(Prediction(None, {}, (), (), None, True, "invalid_input"))
            continue
        probs = dict(zip(model.classes_.tolist(), row.tolist(), strict=True))
        top = tuple(sorted(probs.items(), key=lambda kv: -kv[1]))
        findings, flags = [], []
        j = text.find("weak")
        if j >= 0:
            findings.append(Finding("weakness", "present", "weak", j, j + 4))
            flags.append(
                RedFlag("progressive_weakness", "Weakness that gets worse.", ((j, j + 4, "weak"),))
            )
        feats = SymptomFeatures(text=text, findings=tuple(findings))
        out.append(
            Prediction(
                top[0][0],
                probs,
                top,
                tuple(flags),
                feats,
                abstained=not findings and "twitch" not in text,
                abstain_reason=None if findings else "no_symptom_findings",
            )
        )
    return out


@pytest.fixture
def fake_models(monkeypatch):
    import fasciclf.models as models

    monkeypatch.setattr(models, "predict_many", _fake_predict_many, raising=False)
    monkeypatch.setattr(models, "default_model", lambda: _FakeModel(), raising=False)
    monkeypatch.setattr(models, "load_model", lambda path: _FakeModel(), raising=False)
    return models


_TEXTS = [
    "my calves twitch all day",
    "left hand weak for months and getting worse",
    "eyes tired",
    "twitching and my arm feels weak",
    "random question about my knee",
]
_LABELS = ["benign_fasciculation", MND, "other", MND, "other"]


def test_evaluate_wrapper_with_fake_model(fake_models):
    rep = fe.evaluate(
        _FakeModel(),
        _TEXTS + [None],
        _LABELS + ["other"],
        n_bootstrap=50,
        groups={"sex": ["f", "m", "f", "m", "f", "m"]},
    )
    assert rep.n == 6
    assert rep.metrics["classes"] == _FakeModel.classes_.tolist()
    assert rep.model_metadata["model_version"] == "fake-1"
    assert rep.metrics["red_flags"]["rules_available"]
    assert rep.metrics["red_flags"]["sensitivity"] == 1.0
    assert rep.metrics["abstention"]["available"]
    assert rep.metrics["abstention"]["reasons"].get("invalid_input") == 1
    evidence = [e for err in rep.errors for e in err["evidence"]]
    assert all(e["start"] < e["end"] for e in evidence)
    # Default model when model=None.
    assert fe.evaluate(None, _TEXTS, _LABELS, n_bootstrap=0).n == 5


def test_evaluate_with_real_default_model(tmp_path):
    """Runs once fasciclf.models provides predict_many and a default model."""
    models = pytest.importorskip("fasciclf.models")
    if not hasattr(models, "predict_many") or not hasattr(models, "default_model"):
        pytest.skip("fasciclf.models.predict_many / default_model not implemented yet")
    model = models.default_model()
    rep = fe.evaluate(model, _TEXTS, _LABELS, n_bootstrap=100)
    preds = models.predict_many(_TEXTS, model=model)
    expected = np.mean([p.label == g for p, g in zip(preds, _LABELS, strict=True)])
    assert rep.accuracy == pytest.approx(expected)
    assert rep.metrics["classes"] == [str(c) for c in model.classes_]
    paths = rep.write(tmp_path)
    _assert_self_contained(paths["report"].read_text(encoding="utf-8"))


def test_cli_evaluate(fake_models, tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    from fasciclf.cli import main

    data = tmp_path / "cases.csv"
    pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(5)],
            "text": _TEXTS,
            "label": _LABELS,
            "alt_labels": ["", "other", "", '["other"]', ""],
            "sex": ["female", "male", None, "female", "male"],
            "split": ["test"] * 4 + ["train"],
        }
    ).to_csv(data, index=False)
    out = tmp_path / "out"
    code = main(
        [
            "evaluate",
            "--data",
            str(data),
            "--out",
            str(out),
            "--n-bootstrap",
            "20",
            "--split",
            "test",
        ]
    )
    assert code == 0
    assert {p.name for p in out.iterdir()} == {"report.html", "metrics.json", "model_card.md"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 4 and "sex" in metrics["subgroups"]
    assert metrics["accuracy_with_alternatives"] is not None
    assert "wrote" in capsys.readouterr().out

    code = main(
        [
            "evaluate",
            "--data",
            str(data),
            "--out",
            str(out),
            "--model",
            str(tmp_path / "missing.joblib"),
        ]
    )
    assert code == 2
    code = main(["evaluate", "--data", str(data), "--out", str(out), "--text-col", "body"])
    assert code == 2
    assert "no 'body' column in" in capsys.readouterr().err
    code = main(["evaluate", "--data", str(tmp_path / "nope.csv"), "--out", str(out)])
    assert code == 2


def test_cli_reads_jsonl_with_list_alt_labels(fake_models, tmp_path):
    from fasciclf.cli import main

    data = tmp_path / "cases.jsonl"
    with data.open("w") as fh:
        for i, (t, lab) in enumerate(zip(_TEXTS, _LABELS, strict=True)):
            fh.write(
                json.dumps(
                    {"id": i, "text": t, "label": lab, "alt_labels": ["other"], "age_band": "30-39"}
                )
                + "\n"
            )
    out = tmp_path / "o"
    assert main(["evaluate", "--data", str(data), "--out", str(out), "--n-bootstrap", "0"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "age_band" in metrics["subgroups"]


def _cases_csv(tmp_path, **extra):
    pd = pytest.importorskip("pandas")
    data = tmp_path / "cases.csv"
    pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(5)],
            "text": _TEXTS,
            "label": _LABELS,
            "split": ["test"] * 4 + ["train"],
            **extra,
        }
    ).to_csv(data, index=False)
    return data


def test_cli_mistyped_split_lists_the_splits(fake_models, tmp_path, capsys):
    from fasciclf.cli import main

    code = main(
        [
            "evaluate",
            "--data",
            str(_cases_csv(tmp_path)),
            "--out",
            str(tmp_path / "o"),
            "--split",
            "tset",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "no rows with split 'tset'" in err and "the splits there are: test, train" in err


def test_cli_subgroups_voice_and_red_flag_classes(fake_models, tmp_path, capsys):
    from fasciclf.cli import main

    data = _cases_csv(
        tmp_path, voice=["question", "narrative"] * 2 + ["question"], site=["a", "b", "a", "b", "a"]
    )
    out = tmp_path / "o"
    code = main(["evaluate", "--data", str(data), "--out", str(out), "--n-bootstrap", "0"])
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "voice" in metrics["subgroups"] and "site" not in metrics["subgroups"]
    code = main(
        [
            "evaluate",
            "--data",
            str(data),
            "--out",
            str(out),
            "--n-bootstrap",
            "0",
            "--subgroup",
            "site",
            "--red-flag-classes",
            "other",
        ]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["subgroups"]) == {"site", "text_length"}
    assert metrics["red_flags"]["classes"] == ["other"]
    assert metrics["red_flags"]["n_positive"] == 2
    assert main(["evaluate", "--data", str(data), "--out", str(out), "--subgroup", "nope"]) == 2
    assert "subgroup column(s) not found: nope" in capsys.readouterr().err


def test_warning_when_no_gold_label_is_a_model_class(fake_models, tmp_path, capsys):
    from fasciclf.cli import main

    data = _cases_csv(tmp_path)
    text = data.read_text().replace("benign_fasciculation", "calm").replace(MND, "urgent")
    data.write_text(text.replace(",other,", ",misc,"))
    code = main(
        ["evaluate", "--data", str(data), "--out", str(tmp_path / "o"), "--n-bootstrap", "0"]
    )
    err = capsys.readouterr().err
    assert code == 0 and "WARNING: None of the gold labels is a class of the model" in err
    html = (tmp_path / "o" / "report.html").read_text()
    card = (tmp_path / "o" / "metrics.json").read_text()
    assert "None of the gold labels is a class of the model" in html
    assert "None of the gold labels is a class of the model" in card


def test_single_class_and_unknown_red_flag_class_warnings():
    rep = evaluate_predictions(
        ["a", "a"], [[0.6, 0.4], [0.7, 0.3]], ["a", "b"], red_flag_classes=["urgent"], n_bootstrap=0
    )
    assert any("same gold label (a)" in w for w in rep.warnings)
    assert any("urgent" in w and "--red-flag-classes" in w for w in rep.warnings)
    assert rep.summary_sentences()[0].startswith("Warning: ")
    assert "same gold label" in rep.to_markdown()


def test_overlap_with_training_data_is_warned(fake_models):
    from fasciclf.models import training_data_sha256

    model = _FakeModel()
    model.metadata_ = {
        **model.metadata_,
        "training_data_sha256": training_data_sha256(_TEXTS, _LABELS),
    }
    rep = fe.evaluate(model, _TEXTS, _LABELS, n_bootstrap=0)
    assert any("is the training data" in w for w in rep.warnings)
    assert "is the training data" in rep.to_html()
    other = fe.evaluate(model, _TEXTS[:4], _LABELS[:4], n_bootstrap=0)
    assert not any("training data" in w for w in other.warnings)


def test_subgroup_sentence_without_abstention():
    kw = synthetic_inputs(200, seed=3)
    sex = ["female" if i % 2 else "male" for i in range(200)]
    rep = evaluate_predictions(
        kw["y_true"], kw["proba"], kw["classes"], cases=CaseInfo(groups={"sex": sex}), n_bootstrap=0
    )
    assert any(s.startswith("Across subgroups") for s in rep.summary_sentences())


def test_red_flags_are_counted_by_code():
    rep = evaluate_predictions(
        [MND, "other", "other"],
        [[0.2, 0.8], [0.3, 0.7], [0.1, 0.9]],
        [MND, "other"],
        cases=CaseInfo(
            red_flag_fired=[True, True, False],
            red_flag_codes=[["wasting"], ["wasting", "bulbar"], []],
        ),
        n_bootstrap=0,
    )
    by_code = rep.metrics["red_flags"]["by_code"]
    assert by_code["wasting"] == {"n_raised": 2, "n_on_red_flag_cases": 1, "n_on_others": 1}
    assert by_code["bulbar"]["n_on_others"] == 1


def test_model_card_shows_the_spread_over_other_folds():
    rep = evaluate_predictions(["x", "y"], [[0.7, 0.3], [0.4, 0.6]], ["x", "y"], n_bootstrap=0)
    meta = {
        "cv_metrics": {"accuracy": 0.95},
        "cv_other_folds": [
            {"accuracy": 0.94, "mnd_recall": 0.96},
            {"accuracy": 0.96, "mnd_recall": 0.98},
        ],
    }
    md = build_model_card(meta, rep).to_markdown()
    assert "2 other draws of writer-grouped folds" in md
    assert "0.94" in md and "0.96" in md and "0.98" in md
    meta["cv_other_folds"] = [{"accuracy": "<script>"}]
    assert "other draws" not in build_model_card(meta, rep).to_markdown()
