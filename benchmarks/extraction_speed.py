"""Throughput and peak memory of feature extraction.

Usage::

    python benchmarks/extraction_speed.py [--n 5000] [--n-jobs 1] [--repeat 3]

Builds ~100-word texts by shuffling sentences of the labeled corpus (or a
small built-in set when the corpus is absent), then times, in the same run:
bare ``spacy.blank("en")`` tokenization (``nlp.pipe``) and
``fasciclf.features.extract_many``, alternating, best of ``--repeat`` rounds,
each round on new texts with fresh pipelines; then again on the texts just
read (warm tokenizer caches). Prints docs/s for both, the ratios, and peak RSS.
Target (issue 12): >= 10% of bare tokenization speed single-process on new
texts, peak RSS < 300 MB. ``--gc-freeze`` measures what a long-running service
gains by calling ``gc.freeze()`` once after loading (the library never does it:
it would change the collector for the whole process).
"""

from __future__ import annotations

import argparse
import gc
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
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds (best is kept)")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after each pipeline is built and warmed, as a long-running "
        "service may do after loading (the library itself never touches the collector)",
    )
    args = parser.parse_args(argv)

    import spacy

    from fasciclf.features import build_nlp, extract_many

    t0 = time.perf_counter()
    build_nlp()
    t_build = time.perf_counter() - t0
    # Each round reads fresh texts with a fresh tokenizer and pipeline, so both
    # start from empty tokenizer caches (after the same 200-text warm-up), as
    # in one pass over new data; the rounds alternate so a busy neighbour on a
    # shared machine slows both alike, and the best round of each is kept (as
    # timeit does). A second pass over the same texts is the warm case of a
    # long-running service, whose tokenizer caches every word it has seen.
    cold: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    for r in range(args.repeat):
        texts = make_texts(args.n, seed=r)
        blank = spacy.blank("en")
        nlp = build_nlp() if args.n_jobs == 1 else None
        for _ in blank.pipe(texts[:200]):
            pass
        list(extract_many(texts[:200], nlp=nlp))
        if args.gc_freeze:
            # the objects alive now (libraries, pipeline, lexicons) are never
            # walked again by the collector; a service does this once after loading
            gc.collect()
            gc.freeze()
        for times in (cold, warm):
            t0 = time.perf_counter()
            for _ in blank.pipe(texts, batch_size=256):
                pass
            t_blank = time.perf_counter() - t0
            t0 = time.perf_counter()
            if nlp is None:
                n = sum(1 for _ in extract_many(texts, n_jobs=args.n_jobs))
            else:
                n = sum(1 for _ in extract_many(texts, nlp=nlp))
            times.append((t_blank, time.perf_counter() - t0))

    gc.unfreeze()
    frozen = ", gc.freeze() after loading" if args.gc_freeze else ""
    print(
        f"texts: {args.n} x ~100 words per round, {args.repeat} rounds, "
        f"n_jobs={args.n_jobs}{frozen}"
    )
    for name, times in (("new texts", cold), ("texts seen before (warm caches)", warm)):
        blank_rate = n / min(t for t, _ in times)
        our_rate = n / min(t for _, t in times)
        rounds = ", ".join(f"{b / o:.1%}" for b, o in times)
        print(f"{name}:")
        print(f"  bare spacy.blank('en') tokenization: {blank_rate:10.0f} docs/s")
        print(f"  fasciclf extract_many:               {our_rate:10.0f} docs/s")
        target = " (target >= 10%)" if times is cold else ""
        ratio = our_rate / blank_rate
        print(f"  ratio: {ratio:.1%} of bare tokenization{target}; per round {rounds}")
    print(f"pipeline build: {t_build:.2f} s")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (target < 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
