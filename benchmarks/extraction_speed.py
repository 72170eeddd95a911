"""Throughput and peak memory of feature extraction.

Usage::

    python benchmarks/extraction_speed.py [--n 5000] [--n-jobs 1]

Builds ~100-word texts by shuffling sentences of the labeled corpus (or a
small built-in set when the corpus is absent), then times, in the same run:
bare ``spacy.blank("en")`` tokenization (``nlp.pipe``) and
``fasciclf.features.extract_many``. Prints docs/s for both, the ratio, and
peak RSS. Target (issue 12): >= 10% of bare tokenization speed single-process
(about 3,000 docs/s on a 2-core machine), peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FALLBACK = [
    "My left calf has been twitching for three weeks.",
    "No weakness, no numbness, I can still run fine.",
    "Lately my hands feel weak for ten minutes after waking and I can't hold a pen.",
    "I'm 34 and scared it could be ALS because I read about it online.",
    "The cramps wake me up at night and my feet burn.",
    "It started in my right hand and now it has spread to my forearm.",
    "My neck is stiff from the desk job and the tingling goes down my arm into my fingers.",
    "Coffee and stress make the twitching worse, my doctor said my EMG was normal.",
]


def make_texts(n: int, seed: int = 0) -> list[str]:
    sentences: list[str] = []
    corpus = ROOT / "data" / "labeled" / "corpus.jsonl"
    if corpus.exists():
        for line in corpus.read_text("utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                sentences += [s.strip() + "." for s in text.split(".") if len(s.split()) > 3]
    if len(sentences) < 50:
        sentences = FALLBACK
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words: list[str] = []
        while len(words) < 100:
            words += rng.choice(sentences).split()
        texts.append(" ".join(words[:100]))
    return texts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)

    import spacy

    from fasciclf.features import extract_many
    from fasciclf.features._pipeline import default_nlp

    texts = make_texts(args.n)
    blank = spacy.blank("en")
    for _ in blank.pipe(texts[:200]):
        pass
    t0 = time.perf_counter()
    for _ in blank.pipe(texts, batch_size=256):
        pass
    t_blank = time.perf_counter() - t0

    default_nlp()  # build once, outside the timing (first-call cost printed below)
    t0 = time.perf_counter()
    list(extract_many(texts[:200]))
    t_warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = sum(1 for _ in extract_many(texts, n_jobs=args.n_jobs))
    t_ours = time.perf_counter() - t0

    blank_rate = len(texts) / t_blank
    our_rate = n / t_ours
    print(f"texts: {len(texts)} x ~100 words, n_jobs={args.n_jobs}")
    print(f"bare spacy.blank('en') tokenization: {blank_rate:10.0f} docs/s")
    print(f"fasciclf extract_many:               {our_rate:10.0f} docs/s")
    print(f"ratio: {our_rate / blank_rate:.1%} of bare tokenization (target >= 10%)")
    print(f"warm-up (200 texts): {t_warm:.2f} s")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (target < 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
