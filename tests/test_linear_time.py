"""Extraction time grows linearly with text length, for hostile text shapes too.

Each shape is generated at 1k, 10k and 100k characters and timed in the
same run; a 10x longer text must cost well under 100x (quadratic) the time.
No absolute time is asserted (``benchmarks/pathological.py`` prints those).
"""

from __future__ import annotations

import gc
import itertools
import json
import time
import warnings
from pathlib import Path

import pytest

from fasciclf.features import extract

CORPUS = Path(__file__).resolve().parents[1] / "data" / "labeled" / "corpus.jsonl"
MAX_RATIO = 40.0  # linear is ~10, quadratic 100; room for a loaded 2-core machine (30 flaked)


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


_FRESH = itertools.count(1)


def _distinct_words(n: int) -> str:
    # every token a different non-word of nine letters: each one is looked up
    # by the spelling component (its candidates are not cached across words).
    # Each call starts at words no earlier call made, so every size is timed
    # on words the process has never seen: a text that reused the smaller
    # texts' words was timed warm against a cold larger one, a ratio of
    # caches (17-44 between runs), not of our code's growth.
    words, i = [], next(_FRESH) * 10_000_000
    while sum(map(len, words)) + len(words) < n:
        k, letters = i, []
        for _ in range(7):
            k, r = divmod(k, 26)
            letters.append(chr(97 + r))
        words.append("tw" + "".join(letters))
        i += 1
    return " ".join(words)[:n]


def _corpus_text() -> str:
    line = CORPUS.read_text("utf-8").splitlines()[0]
    return json.loads(line)["text"] + " "


SHAPES = {
    "digit, spaces, x": lambda n: "1" + " " * (n - 2) + "x",
    "x 11, spaces": lambda n: "x 11" + " " * (n - 4),
    "commas": lambda n: "," * n,
    "(…) runs": lambda n: _repeat("(…)", n),
    "question marks": lambda n: "?" * n,
    "lone surrogates": lambda n: "\ud800" * n,
    "calf, calf, ...": lambda n: _repeat("calf, ", n),
    "no twitch, ...": lambda n: _repeat("no left calf twitch, ", n),
    "my husband, ...": lambda n: _repeat("my husband, 45, has twitching, ", n),
    "corpus text": lambda n: _repeat(_corpus_text(), n),
    "diary entries": lambda n: _repeat("5 May. My left calf twitches. ", n),
    "dates in one sentence": lambda n: _repeat("5 may 6 june ", n),
    "weekday diary": lambda n: _repeat("Monday. My calf twitches.\nWed. My hand too.\n", n),
    "weekday scenes": lambda n: _repeat("On Monday my calf twitched, by Friday my hand. ", n),
    "mornings in one sentence": lambda n: _repeat("my arm is weak in the morning and ", n),
    "dates in a long sentence": lambda n: _repeat("since May my hand is weak and ", n),
    "better in a long sentence": lambda n: _repeat("my right hand is better now and ", n),
    "function frames": lambda n: _repeat("can't struggle to the jar is a struggle ", n),
    "sign parts and states": lambda n: _repeat("eyelid sags hangs droops voice nasal ", n),
    "one long word": lambda n: "a" * n,
    "distinct non-words": _distinct_words,
    "a word, spaces, a line break": lambda n: "a" + " " * (n - 3) + "\nb",
    "a word, spaces, a word": lambda n: "a" + " " * (n - 2) + "b",
    "character references": lambda n: _repeat("can&#39;t &amp; &#x27;", n),
    "emoji": lambda n: "\U0001f61f" * n,
    "no-break spaces": lambda n: "\u00a0" * n,
    "dates in figures": lambda n: _repeat("on 12/03/2024 since 20/05 2024 - 03 - 12 ", n),
    "names and ages of someone else": lambda n: _repeat("Her hand is weak. Ab, 4 Cd is (5 ", n),
    "quotes told by a relative": lambda n: _repeat('Mum said "my hand is weak ', n),
    "ages in words and stories": lambda n: _repeat(
        "I am a b c, forty-one years turned ninetieth ", n
    ),
    "self-descriptions": lambda n: _repeat("i am taxi driver bus nurse, 50 years old. ab, 62 ", n),
}


def _seconds(make, n: int, repeats: int) -> float:
    # The collector's pauses depend on what else the process holds, not on
    # this text: switched off while timing, so the ratio measures our code.
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(repeats):
                text = make(n)  # the same text but for the fresh non-words
                t0 = time.perf_counter()
                extract(text)
                best = min(best, time.perf_counter() - t0)
    finally:
        gc.enable()
    return best


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_extraction_time_grows_linearly(shape):
    make = SHAPES[shape]
    extract("warm up: my calf twitches")
    # best of three: a busy machine slows single runs, never speeds them up
    times = {n: _seconds(make, n, repeats=3) for n in (1_000, 10_000, 100_000)}
    # a floor of 1 ms keeps timer noise on tiny texts from inflating the ratio
    small = max(times[1_000], 1e-3)
    assert times[10_000] / small < MAX_RATIO, times
    assert times[100_000] / max(times[10_000], 1e-3) < MAX_RATIO, times


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_hostile_shapes_keep_offsets(shape):
    text = SHAPES[shape](3_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = extract(text)
    for finding in f.findings:
        assert text[finding.start : finding.end] == finding.text
