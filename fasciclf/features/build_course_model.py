"""Fit the packaged course model (``course_model.json``) on the corpus's train split.

Usage::

    python -m fasciclf.features.build_course_model [--out PATH] [--n-jobs 2]

Reads every train-split row of ``data/labeled`` with a gold ``progression``,
runs the pipeline without the course stage (the rules' reading), and fits a
multinomial :class:`~sklearn.linear_model.LogisticRegression` on the tf-idf
of the words' unigrams and bigrams (:func:`course_terms`; the
:data:`MAX_TERMS` most frequent, sublinear tf) beside the rules' reading
(one-hot, times :data:`RULE_WEIGHT`). ``C`` is chosen by
:class:`~sklearn.model_selection.GridSearchCV` on folds that hold out whole
writers, as the classifier's settings are. The result is deterministic.
No held-out set (test split, challenge, selection, analysis, realdev) is
read. Rebuild the default classifier afterwards
(``python -m fasciclf.models.build_default``): its features change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from fasciclf.features._course_model import COURSE_MODEL_FILE, CourseModel, course_terms

# The terms kept: 3,000 and 50,000 read the held-out written sets alike in
# the first trials; fewer make a smaller file and a faster stage.
MAX_TERMS = 3000
MIN_DF = 3
# The rules' reading enters as one-hot columns beside the l2-normalised
# tf-idf row; this scale lets a few weights carry it (as 1.0 would not
# against a row of unit length).
RULE_WEIGHT = 3.0
C_GRID = (2.0, 4.0, 8.0, 16.0, 32.0)
CV = 5
_DIGITS = 6


def _round(x: float) -> float:
    return float(f"{x:.{_DIGITS}g}")


def training_rows() -> tuple[list[str], list[str], list[str]]:
    """Texts, gold progressions and writer groups of the train split."""
    from fasciclf.data import load_labeled
    from fasciclf.models.build_default import writer_groups

    frame = load_labeled(split="train")
    rows = [
        (r.text, r.gold["progression"], r.id)
        for r in frame.itertuples()
        if isinstance(r.gold, dict) and r.gold.get("progression")
    ]
    texts = [t for t, _, _ in rows]
    return texts, [g for _, g, _ in rows], writer_groups(i for _, _, i in rows)


def rule_readings(texts: list[str]) -> tuple[list[list[str]], list[str]]:
    """The terms of each text and the rules' progression (the pipeline without this stage)."""
    from fasciclf.features import build_nlp
    from fasciclf.features._tokens import token_view

    nlp = build_nlp(course_model=False)
    terms, rules = [], []
    for doc in nlp.pipe(texts, batch_size=256):
        view = token_view(doc)
        terms.append(course_terms(view.words, view.sent))
        rules.append(doc._.fasciclf.progression)
    return terms, rules


def fit(
    terms: list[list[str]], rules: list[str], gold: list[str], groups: list[str], *, n_jobs: int = 1
) -> CourseModel:
    """Fit the model; returns it with its cross-validated accuracy in ``training``."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, GroupKFold

    from fasciclf.features._types import PROGRESSIONS

    vec = TfidfVectorizer(
        analyzer=lambda t: t, sublinear_tf=True, min_df=MIN_DF, max_features=MAX_TERMS
    )
    tfidf = vec.fit_transform(terms)
    onehot = np.array([[RULE_WEIGHT * (r == p) for p in PROGRESSIONS] for r in rules])
    X = hstack([tfidf, csr_matrix(onehot)]).tocsr()
    # The vocabulary and idf are fitted on all training rows before the
    # folds: the CV accuracy is a little optimistic and only chooses C; the
    # held-out sets measure the stage (README, extraction).
    search = GridSearchCV(
        LogisticRegression(max_iter=5000),
        {"C": list(C_GRID)},
        cv=GroupKFold(n_splits=CV),
        n_jobs=n_jobs,
    )
    search.fit(X, gold, groups=groups)
    lr = search.best_estimator_
    classes = [str(c) for c in lr.classes_]
    n_terms = tfidf.shape[1]
    vocab = vec.get_feature_names_out()
    coef = lr.coef_
    terms_out = {
        str(t): (_round(float(vec.idf_[i])), tuple(_round(float(w)) for w in coef[:, i]))
        for i, t in enumerate(vocab)
    }
    rule_out = {
        p: tuple(_round(RULE_WEIGHT * float(w)) for w in coef[:, n_terms + j])
        for j, p in enumerate(PROGRESSIONS)
    }
    rule_acc = float(np.mean([r == g for r, g in zip(rules, gold, strict=True)]))
    return CourseModel(
        classes=tuple(classes),
        intercept=tuple(_round(float(b)) for b in lr.intercept_),
        rule=rule_out,
        terms=terms_out,
        description=(
            "Progression read by a multinomial logistic regression over the tf-idf of a "
            "text's unigrams and bigrams and the rules' reading; built by "
            "python -m fasciclf.features.build_course_model (see its docstring)."
        ),
        training={
            "data": "data/labeled corpus.jsonl, split train, rows with gold progression",
            "rows": len(gold),
            "writers": len(set(groups)),
            "max_terms": MAX_TERMS,
            "min_df": MIN_DF,
            "rule_weight": RULE_WEIGHT,
            "C": float(search.best_params_["C"]),
            "cv": f"GroupKFold({CV}) by writer",
            "cv_accuracy": round(float(search.best_score_), 4),
            "rules_accuracy_on_train": round(rule_acc, 4),
        },
    )


def main(argv: list[str] | None = None) -> int:
    default_out = Path(__file__).with_name("resources") / COURSE_MODEL_FILE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    texts, gold, groups = training_rows()
    terms, rules = rule_readings(texts)
    model = fit(terms, rules, gold, groups, n_jobs=args.n_jobs)
    data: dict[str, Any] = model.to_json()
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    tr = model.training
    print(
        f"{tr['rows']} rows, {tr['writers']} writers, {len(model.terms)} terms, C={tr['C']}: "
        f"CV accuracy {tr['cv_accuracy']:.3f} (rules alone on the same rows "
        f"{tr['rules_accuracy_on_train']:.3f}); wrote {args.out} "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
