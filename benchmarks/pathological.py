"""Time and peak memory for pathological input: one 1 MB text, 100,000 one-word texts.

Usage::

    python benchmarks/pathological.py [--words 100000] [--mb 1.0] [--no-scan]

Every case runs in a fresh interpreter (so peak RSS belongs to that case
alone) after importing fasciclf, loading the default model and warming the
pipeline up; "peak +MB" is the rise of peak RSS over that warm baseline.

Policy under test (README, "Scale-out and reliability"): a text longer than
``fasciclf.features.MAX_CHARS`` characters is cut at the last space before
the cap (``SymptomFeatures.truncated`` is set; ``extract`` and ``predict``
also emit a ``TextTruncatedWarning``), so time and memory per text are
bounded by the cap, whatever the input length. Cases:

- ``1MB filler``: 1 MB of words the lexicon does not know;
- ``1MB dense``: 1 MB of "My calf twitches." (a mention every 3 tokens: the
  worst case for the feature rules);
- ``{N} one-word``: N one-word texts as a list, through ``extract_many`` and
  ``predict_many``.

``--scan`` (default on) times ``extract`` on dense text of 10k to 100k
characters, to show how the cost grows with length below the cap.

``--shapes`` prints the hostile-shape table (issue 14): ``extract`` on each
shape of ``tests/test_linear_time.py`` at 1k, 10k and 100k characters, one
interpreter per shape, a shape given up after ``--timeout`` seconds
(target: every shape <= 1 s at 100,000 characters). ``--shapes-only`` skips
the other cases.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DENSE = "My calf twitches. "
FILLER = "lorem ipsum dolor sit amet "
WORDS = ["twitch", "numb", "calf", "weak", "cramp", "hello", "tingling", "eyelid", "?", "no"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _text(kind: str, n_chars: int) -> str:
    unit = DENSE if kind == "dense" else FILLER
    return (unit * (n_chars // len(unit) + 1))[:n_chars]


def run_case(case: dict) -> dict:
    """Run one case in this process; return seconds, peak RSS rise and notes."""
    import warnings

    from fasciclf.features import TextTruncatedWarning, extract, extract_many
    from fasciclf.models import default_model, predict, predict_many

    default_model()
    predict("warm up: my calf twitches")
    list(extract_many(["warm up"] * 300))
    base = _peak_mb()
    op, kind = case["op"], case["kind"]
    if kind == "one-word":
        data = [WORDS[i % len(WORDS)] for i in range(case["n"])]
    else:
        data = _text(kind, case["n"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        if op == "extract":
            out = extract(data)
            note = f"truncated={out.truncated}"
        elif op == "predict":
            out = predict(data)
            note = f"truncated={out.features.truncated} label={out.label}"
        elif op == "extract_many":
            items = data if isinstance(data, list) else [data]
            n = 0
            truncated = 0
            for f in extract_many(items):
                n += 1
                truncated += f.truncated
            note = f"{n} results, {truncated} truncated"
        elif op == "predict_many":
            items = data if isinstance(data, list) else [data]
            preds = predict_many(items)
            truncated = sum(p.features.truncated for p in preds)
            note = f"{len(preds)} results, {truncated} truncated"
        else:
            raise ValueError(op)
        seconds = time.perf_counter() - t0
    warned = sum(issubclass(w.category, TextTruncatedWarning) for w in caught)
    return {
        **case,
        "seconds": seconds,
        "peak_rise_mb": _peak_mb() - base,
        "peak_mb": _peak_mb(),
        "note": note + f", {warned} TextTruncatedWarning",
    }


SHAPE_SIZES = (1_000, 10_000, 100_000)


def _shapes() -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("shapes", ROOT / "tests" / "test_linear_time.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SHAPES


def run_shape(name: str) -> None:
    """Print ``size seconds`` for each size of one shape, as each finishes."""
    import warnings

    from fasciclf.features import extract

    make = _shapes()[name]
    extract("warm up: my calf twitches")
    for n in SHAPE_SIZES:
        text = make(n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            extract(text)
        print(n, time.perf_counter() - t0, flush=True)


def shapes_table(timeout: float) -> None:
    print(f"\nextract() on hostile shapes (seconds; '>{timeout:g}' = given up):")
    print(f"{'shape':<20}" + "".join(f"{n:>10,}" for n in SHAPE_SIZES))
    for name in _shapes():
        proc = subprocess.Popen(
            [sys.executable, __file__, "--shape", name], stdout=subprocess.PIPE, text=True
        )
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        got = dict(line.split() for line in out.splitlines() if line.strip())
        cells = [
            f"{float(got[str(n)]):>10.3f}" if str(n) in got else f"{'>' + format(timeout, 'g'):>10}"
            for n in SHAPE_SIZES
        ]
        print(f"{name:<20}" + "".join(cells), flush=True)


def _in_subprocess(case: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--case", json.dumps(case)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=100_000, help="one-word texts (100000)")
    parser.add_argument("--mb", type=float, default=1.0, help="size of the long text in MB")
    parser.add_argument("--no-scan", action="store_true", help="skip the length scan")
    parser.add_argument("--shapes", action="store_true", help="also print the hostile shapes")
    parser.add_argument("--shapes-only", action="store_true", help="only the hostile shapes")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per shape (120)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(json.loads(args.case))))
        return 0
    if args.shape:
        run_shape(args.shape)
        return 0
    if args.shapes_only:
        shapes_table(args.timeout)
        return 0

    from fasciclf.features import MAX_CHARS

    n_chars = int(args.mb * 1_000_000)
    cases = [
        {"op": op, "kind": kind, "n": n_chars}
        for kind in ("filler", "dense")
        for op in ("extract", "predict", "extract_many", "predict_many")
    ] + [{"op": op, "kind": "one-word", "n": args.words} for op in ("extract_many", "predict_many")]
    print(f"MAX_CHARS = {MAX_CHARS:,}; each case in a fresh interpreter, warm model and pipeline\n")
    print(
        f"{'case':<16} {'operation':<13} {'seconds':>8} {'per text':>10} {'peak +MB':>9} "
        f"{'peak MB':>8}  notes"
    )
    for case in cases:
        r = _in_subprocess(case)
        label = (
            f"{r['n'] / 1e6:g}MB {r['kind']}" if r["kind"] != "one-word" else f"{r['n']:,} one-word"
        )
        per = r["seconds"] / (r["n"] if r["kind"] == "one-word" else 1)
        per_s = f"{per * 1e6:.0f} us" if per < 0.01 else f"{per:.2f} s"
        print(
            f"{label:<16} {r['op']:<13} {r['seconds']:>8.2f} {per_s:>10} "
            f"{r['peak_rise_mb']:>9.1f} {r['peak_mb']:>8.0f}  {r['note']}"
        )

    if not args.no_scan:
        import warnings

        from fasciclf.features import extract

        extract("warm up")
        print("\nextract() on dense text below the cap (cost vs length):")
        print(f"{'chars':>8} {'seconds':>8} {'us/char':>8}")
        for n in (10_000, 25_000, 50_000, 100_000):
            text = _text("dense", n)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                extract(text)
                s = time.perf_counter() - t0
            print(f"{n:>8,} {s:>8.2f} {s / n * 1e6:>8.1f}")
    if args.shapes:
        shapes_table(args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
