"""Red flags by source in the evaluation report: rules alone, model alone, both."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fasciclf.evaluation import CaseInfo, evaluate_predictions, proportion_ci

CLASSES = ["benign", "mnd", "nmj"]
# gold, P(benign), P(mnd), P(nmj), a rule fired
CASES = [
    ("mnd", 0.2, 0.7, 0.1, True),  # both sources
    ("mnd", 0.7, 0.2, 0.1, True),  # rule only (red-flag mass 0.3)
    ("nmj", 0.5, 0.1, 0.4, False),  # model only (mass 0.5)
    ("mnd", 0.9, 0.05, 0.05, False),  # missed by both
    ("benign", 0.8, 0.1, 0.1, True),  # false alarm by the rule
    ("benign", 0.55, 0.3, 0.15, False),  # false alarm by the model (mass 0.45)
    ("benign", 0.9, 0.05, 0.05, False),
    ("benign", 0.95, 0.03, 0.02, False),
]
GOLD = [c[0] for c in CASES]
PROBA = np.array([c[1:4] for c in CASES])
RULES = [c[4] for c in CASES]
VOICE = ["question", "narrative"] * 4


def _report(threshold=0.4, **kw):
    cases = kw.pop("cases", CaseInfo(rule_fired=RULES, groups={"voice": VOICE}))
    return evaluate_predictions(
        GOLD,
        PROBA,
        CLASSES,
        cases=cases,
        red_flag_classes=["mnd", "nmj"],
        red_flag_threshold=threshold,
        n_bootstrap=0,
        **kw,
    )


@pytest.mark.parametrize(
    ("source", "caught", "alarms"),
    [("rules", 2, 1), ("model", 2, 1), ("both", 3, 2)],
)
def test_counts_and_exact_intervals(source, caught, alarms):
    s = _report().metrics["red_flags"]["sources"][source]
    assert (s["n_positive"], s["n_caught"], s["n_negative"], s["n_false_alarms"]) == (
        4,
        caught,
        4,
        alarms,
    )
    assert s["sensitivity"] == caught / 4 and s["specificity"] == (4 - alarms) / 4
    assert s["sensitivity_ci"] == pytest.approx(proportion_ci(caught, 4))
    assert s["specificity_ci"] == pytest.approx(proportion_ci(4 - alarms, 4))


def test_threshold_is_inclusive_and_recorded():
    # Case 3's red-flag mass is exactly 0.5: at a threshold of 0.5 it is still flagged.
    src = _report(threshold=0.5).metrics["red_flags"]["sources"]
    assert src["threshold"] == 0.5 and src["model"]["n_caught"] == 2
    assert src["model"]["n_false_alarms"] == 0


def test_score_classes_can_differ_from_the_gold_classes():
    # Summing only mnd: case 3 (mostly nmj) is no longer flagged by the model.
    rep = _report(red_flag_score_classes=["mnd"])
    src = rep.metrics["red_flags"]["sources"]
    assert src["score_classes"] == ["mnd"] and src["model"]["n_caught"] == 1


def test_user_red_flag_classes_define_positives():
    rep = evaluate_predictions(
        GOLD,
        PROBA,
        CLASSES,
        cases=CaseInfo(rule_fired=RULES),
        red_flag_classes=["nmj"],
        red_flag_threshold=0.4,
        n_bootstrap=0,
    )
    rules = rep.metrics["red_flags"]["sources"]["rules"]
    assert rules["n_positive"] == 1 and rules["n_caught"] == 0 and rules["n_false_alarms"] == 3


def test_rules_read_from_codes_without_the_model_flag():
    codes = [["wasting"], ["bulbar_signs"], ["model_probability"], [], ["wasting"], [], [], []]
    rep = _report(cases=CaseInfo(red_flag_codes=codes, red_flag_fired=[bool(c) for c in codes]))
    rules = rep.metrics["red_flags"]["sources"]["rules"]
    assert (rules["n_caught"], rules["n_false_alarms"]) == (2, 1)


def test_no_threshold_says_so_in_every_output(tmp_path):
    rep = _report(threshold=None)
    src = rep.metrics["red_flags"]["sources"]
    assert src["threshold"] is None and src["rules"]["available"]
    for key in ("model", "both"):
        assert src[key]["available"] is False and "no red-flag threshold" in src[key]["reason"]
        assert "sensitivity" not in src[key]
    paths = rep.write(tmp_path)
    saved = json.loads(paths["metrics"].read_text("utf-8"))
    assert saved["red_flags"]["sources"]["model"]["available"] is False
    for text in (rep.to_markdown(), rep.to_html(), paths["model_card"].read_text("utf-8")):
        assert "not available: the model has no red-flag threshold" in text.replace("\\_", "_")


def test_no_rule_results_says_so():
    rep = _report(cases=CaseInfo())
    src = rep.metrics["red_flags"]["sources"]
    assert not src["rules"]["available"] and "no rule results" in src["rules"]["reason"]
    assert src["model"]["available"] and not src["both"]["available"]


def test_per_subgroup():
    sub = _report().metrics["subgroups"]["voice"]
    # question = cases 0, 2, 4, 6; narrative = 1, 3, 5, 7
    q, n = sub["question"]["red_flag_sources"], sub["narrative"]["red_flag_sources"]
    assert (q["both"]["n_positive"], q["both"]["n_caught"]) == (2, 2)
    assert (n["both"]["n_positive"], n["both"]["n_caught"]) == (2, 1)
    assert n["model"]["n_false_alarms"] == 1 and q["rules"]["n_false_alarms"] == 1
    assert n["rules"]["sensitivity_ci"] == pytest.approx(proportion_ci(1, 2))


def test_rendered_in_report_markdown_and_card():
    rep = _report()
    md, page, card = rep.to_markdown(), rep.to_html(), rep.model_card().to_markdown()
    for text in (md, page, card):
        assert "Rules alone" in text and "Model alone" in text and "Both (rules or model)" in text
    assert "2 of 4: 50.0% (95% CI" in md and "3 of 4: 75.0% (95% CI" in page
    assert "| narrative | Rules alone |" in card.replace("Voice", "")


def test_group_values_are_escaped_in_the_source_tables():
    rep = _report(cases=CaseInfo(rule_fired=RULES, groups={"voice": ["<b>x</b>|"] * 8}))
    assert "<b>x</b>" not in rep.to_html()
    assert "\\<b\\>x\\</b\\>\\|" in rep.to_markdown()


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_bad_threshold(bad):
    with pytest.raises(ValueError, match="red_flag_threshold must be a probability"):
        _report(threshold=bad)


def test_unknown_score_classes():
    with pytest.raises(ValueError, match="none of the red-flag classes"):
        _report(red_flag_score_classes=["als"])


def test_evaluate_uses_the_models_threshold_and_agrees_with_predict():
    import fasciclf
    from fasciclf.models import default_model, predict_many

    model = default_model()
    texts = [
        "My hand is getting weaker and the muscle is wasting.",
        "My eyelid droops by evening and I see double when tired.",
        "Calf twitching for weeks, strength normal, I still run.",
        "Both feet numb and burning at night.",
        "My speech is slurred and I choke on water, and my arm feels weak.",
        "Twitching all over after coffee, no weakness at all.",
    ]
    labels = ["possible_motor_neuron_disease", "neuromuscular_junction"] + ["other"] * 4
    rep = fasciclf.evaluate(model, texts, labels, n_bootstrap=0)
    src = rep.metrics["red_flags"]["sources"]
    assert src["threshold"] == pytest.approx(model.red_flag_threshold_)
    assert src["score_classes"] == [str(c) for c in model.red_flag_classes_]
    preds = predict_many(texts, model=model)
    red = [sum(p.probabilities[c] for c in model.red_flag_classes_) for p in preds]
    flagged = [r >= model.red_flag_threshold_ for r in red]
    pos = [lab in model.red_flag_classes_ for lab in labels]
    assert src["model"]["n_caught"] == sum(f and p for f, p in zip(flagged, pos, strict=True))
    rules = [any(f.code != "model_probability" for f in p.red_flags) for p in preds]
    assert src["rules"]["n_caught"] == sum(r and p for r, p in zip(rules, pos, strict=True))
    # predict shows the model flag only where no rule fired, and only above the threshold.
    for p, f, r in zip(preds, flagged, rules, strict=True):
        if any(x.code == "model_probability" for x in p.red_flags):
            assert f and not r


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.4, "Of the 4 red-flag cases, the rules alone flagged 2 (50%"),
        (None, "the model alone not available (the model has no red-flag threshold"),
    ],
)
def test_plain_summary_names_each_source(threshold, expected):
    sentences = _report(threshold=threshold).summary_sentences()
    assert any(expected in s for s in sentences)
