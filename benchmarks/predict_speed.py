"""Speed, size and memory of prediction with the packaged default model.

Usage::

    python benchmarks/predict_speed.py [--n 300] [--batch 5000] [--skip-train]

Prints, in one run:

- import + first prediction time in a fresh interpreter (``import fasciclf``
  then ``fasciclf.predict(...)``: loads spaCy, the pipeline and the model);
- single-text ``fasciclf.predict`` latency p50/p99 over ``--n`` corpus texts;
- a bare TF-IDF + logistic regression ``predict_proba`` p50 on the same
  texts, measured alternately with ``predict`` text by text (the same load
  for both), and the ratio. ``predict`` runs scikit-learn's own public
  ``predict_proba`` end to end: no re-implemented inference;
- ``predict_many`` throughput (n_jobs 1 and 2) on ``--batch`` texts;
- training time of the default model (``build_default`` into a temporary
  file, n_jobs=2; ``--skip-train`` to leave out);
- artifact size and peak RSS.

Targets (issue 4, 2-core machine): first prediction <= 3 s after import,
p50 <= 2 ms and <= 5x the bare TF-IDF+LR, predict_many >= 2,000 texts/s,
default training <= 60 s, artifact < 5 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST = (
    "import time; t0 = time.perf_counter(); import fasciclf; t1 = time.perf_counter(); "
    "fasciclf.predict('My left calf has been twitching for three weeks, no weakness.'); "
    "t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def paired_latency(fn_a, fn_b, items) -> tuple[np.ndarray, np.ndarray]:
    """Latencies of two functions, alternating text by text.

    On a shared machine the load changes from second to second; measuring
    both on each text in turn exposes them to the same load, so their
    ratio means something even when the absolute figures drift.
    """
    a, b = np.empty(len(items)), np.empty(len(items))
    for i, x in enumerate(items):
        t = time.perf_counter()
        fn_a(x)
        a[i] = time.perf_counter() - t
        t = time.perf_counter()
        fn_b(x)
        b[i] = time.perf_counter() - t
    return a * 1e3, b * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="texts for the latency figures")
    parser.add_argument("--batch", type=int, default=5000, help="texts for predict_many")
    parser.add_argument("--skip-train", action="store_true", help="leave out the training time")
    args = parser.parse_args(argv)

    runs = [
        subprocess.run(
            [sys.executable, "-c", FIRST], capture_output=True, text=True, check=True, cwd=ROOT
        )
        for _ in range(3)
    ]
    firsts = sorted((tuple(map(float, r.stdout.split())) for r in runs), key=lambda t: sum(t))
    imp, first = firsts[1]  # the median run

    import fasciclf
    from fasciclf.data import load_labeled
    from fasciclf.models import default_model, default_model_path, predict_many

    train = load_labeled("train")
    test = load_labeled("test")["text"].tolist()
    texts = (test * (args.n // len(test) + 1))[: args.n]
    model = default_model()
    for t in texts[:50]:
        fasciclf.predict(t)  # warm the tokenizer's vocabulary and caches

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    bare = make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=2000))
    bare.fit(train["text"], train["label"])
    for t in texts[:50]:
        bare.predict_proba([t])
    ours, base = paired_latency(fasciclf.predict, lambda t: bare.predict_proba([t]), texts)

    batch = (test * (args.batch // len(test) + 1))[: args.batch]
    predict_many(batch[:200], model=model)
    rates = {}
    for n_jobs in (1, 2):
        t0 = time.perf_counter()
        predict_many(batch, model=model, n_jobs=n_jobs)
        rates[n_jobs] = len(batch) / (time.perf_counter() - t0)

    train_s = None
    if not args.skip_train:
        from fasciclf.models.build_default import build_default

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            build_default(Path(tmp) / "m.joblib", n_jobs=2)
            train_s = time.perf_counter() - t0

    size = default_model_path().stat().st_size / 1e6
    p50, p99, b50 = np.percentile(ours, 50), np.percentile(ours, 99), np.percentile(base, 50)
    ok = lambda c: "ok" if c else "MISSED"  # noqa: E731
    print(f"model: {model.metadata_['model_version']} ({len(train)} training texts)")
    print(f"import fasciclf:                 {imp * 1e3:7.0f} ms")
    print(f"first prediction after import:   {first:7.2f} s   (target <= 3 s: {ok(first <= 3)})")
    print(
        f"predict() latency p50 / p99:     {p50:7.2f} / {p99:.2f} ms over {len(texts)} texts "
        f"(target p50 <= 2 ms: {ok(p50 <= 2)})"
    )
    print(
        f"bare TF-IDF+LR predict_proba p50:{b50:7.2f} ms; ratio {p50 / b50:.1f}x "
        f"(target <= 5x: {ok(p50 <= 5 * b50)})"
    )
    print(
        f"predict_many throughput:         {rates[1]:7.0f} texts/s (n_jobs=1), "
        f"{rates[2]:.0f} texts/s (n_jobs=2) over {len(batch)} texts "
        f"(target >= 2000: {ok(max(rates.values()) >= 2000)})"
    )
    if train_s is not None:
        print(
            f"default model training:          {train_s:7.1f} s   (n_jobs=2; target <= 60 s: "
            f"{ok(train_s <= 60)})"
        )
    print(f"artifact size:                   {size:7.2f} MB  (target < 5 MB: {ok(size < 5)})")
    print(f"peak RSS:                        {peak_rss_mb():7.0f} MB")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:7.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
