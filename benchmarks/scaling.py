"""Extraction and prediction throughput and peak memory at 1k, 10k and 100k texts.

Usage::

    python benchmarks/scaling.py [--max 100000] [--workers 2] [--no-cluster]

Texts are streamed: a generator cycles through the labeled corpus (about
2,200 real-length descriptions), so no list of N texts is ever built.

- single process: ``extract_many`` over the generator; prediction with
  ``predict_many`` over successive chunks of 1,024 texts of the generator
  (``predict_many`` itself returns a list, so the chunking is what keeps
  memory flat);
- LocalCluster (``--workers`` processes, one thread each): a
  ``dask.dataframe`` built with ``from_map`` whose partitions (2,000 texts)
  are generated on the workers, then ``map_partitions`` of
  ``extract_many`` or :func:`fasciclf.distributed.predict_partition`; only
  small per-partition summaries come back to the client.

Every (mode, operation, size) runs in a fresh interpreter (and, for the
cluster, a fresh cluster) after a warm-up, so "peak +MB" is the rise of peak
RSS over the warm baseline of that run alone: of the process for single
runs, of the largest worker for cluster runs (the client's is also shown).
Linear cost shows as a constant "us/text" across sizes; flat memory as a
"peak +MB" that does not grow with N.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
CHUNK = 1_024
PARTITION = 2_000
_CORPUS: list[str] | None = None


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def corpus() -> list[str]:
    global _CORPUS
    if _CORPUS is None:
        from fasciclf.data import load_labeled

        _CORPUS = list(load_labeled()["text"])
    return _CORPUS


def stream(n: int, start: int = 0) -> Iterator[str]:
    texts = corpus()
    return (texts[i % len(texts)] for i in range(start, start + n))


# ------------------------------------------------------------------ single process


def _warm() -> None:
    from fasciclf.features import extract_many
    from fasciclf.models import predict_many

    for _ in extract_many(stream(300)):
        pass
    predict_many(list(stream(300)))


def single(op: str, n: int) -> dict:
    from fasciclf.features import extract_many
    from fasciclf.models import predict_many

    _warm()
    base = _peak_mb()
    t0 = time.perf_counter()
    count = 0
    if op == "extract":
        for _ in extract_many(stream(n)):
            count += 1
    else:
        texts = stream(n)
        while chunk := list(itertools.islice(texts, CHUNK)):
            count += sum(not p.abstained for p in predict_many(chunk))
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_rise_mb": _peak_mb() - base, "client_rise_mb": None}


# ------------------------------------------------------------------------ cluster


def _partition(bounds: tuple[int, int]):
    import pandas as pd

    start, stop = bounds
    return pd.DataFrame({"text": list(stream(stop - start, start))}, index=range(start, stop))


def _extract_partition(frame):
    import pandas as pd

    from fasciclf.features import extract_many

    counts = [len(f.findings) for f in extract_many(frame["text"].tolist())]
    return pd.DataFrame({"n": [len(counts)], "findings": [sum(counts)]})


def _predict_partition(frame):
    import pandas as pd

    from fasciclf.distributed import predict_partition

    out = predict_partition(frame)
    return pd.DataFrame({"n": [len(out)], "findings": [int((~out["abstained"]).sum())]})


def _worker_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cluster(op: str, n: int, workers: int) -> dict:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        ) as lc,
        Client(lc) as client,
    ):
        # Ship this file as an importable module, so that the workers import the
        # functions below (and cache the corpus) instead of receiving copies of
        # __main__ functions with every task.
        client.upload_file(__file__)
        import scaling as mod

        meta = pd.DataFrame({"n": pd.Series([], dtype="int64"), "findings": []}).astype("int64")
        fn = mod._extract_partition if op == "extract" else mod._predict_partition

        def graph(size: int):
            bounds = [(s, min(s + PARTITION, size)) for s in range(0, size, PARTITION)]
            texts = pd.DataFrame({"text": []}, dtype=object)
            parts = dd.from_map(mod._partition, bounds, meta=texts)
            return parts.map_partitions(fn, meta=meta).sum()

        # warm every worker: pipeline, default model, corpus
        graph(300 * workers).compute()
        client.run(mod._warm)
        base = client.run(mod._worker_peak_mb)
        client_base = _peak_mb()
        t0 = time.perf_counter()
        total = graph(n).compute()
        seconds = time.perf_counter() - t0
        assert int(total["n"]) == n, total
        peaks = client.run(mod._worker_peak_mb)
    rise = max(peaks[w] - base[w] for w in peaks)
    return {"seconds": seconds, "peak_rise_mb": rise, "client_rise_mb": _peak_mb() - client_base}


# --------------------------------------------------------------------------- main


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
    parser.add_argument(
        "--max", type=int, default=100_000, help="largest size to run (e.g. 10000 for a quick run)"
    )
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--no-cluster", action="store_true", help="single process only")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        case = json.loads(args.case)
        if case["mode"] == "single":
            r = single(case["op"], case["n"])
        else:
            r = cluster(case["op"], case["n"], case["workers"])
        print(json.dumps({**case, **r}))
        return 0

    sizes = [n for n in SIZES if n <= args.max] or [args.max]
    modes = ["single"] + ([] if args.no_cluster else ["cluster"])
    print(
        f"{os.cpu_count()} CPUs; texts cycle through the labeled corpus ({len(corpus()):,} texts, "
        f"mean {sum(map(len, corpus())) / len(corpus()):.0f} chars); cluster: {args.workers} "
        "worker processes x 1 thread\n"
    )
    header = (
        f"{'mode':<8} {'operation':<9} {'texts':>8} {'seconds':>8} {'texts/s':>8} "
        f"{'us/text':>8} {'peak +MB':>9} {'client +MB':>10}"
    )
    print(header)
    print("-" * len(header))
    for mode in modes:
        for op in ("extract", "predict"):
            for n in sizes:
                r = _in_subprocess({"mode": mode, "op": op, "n": n, "workers": args.workers})
                client = "" if r["client_rise_mb"] is None else f"{r['client_rise_mb']:.1f}"
                print(
                    f"{mode:<8} {op:<9} {n:>8,} {r['seconds']:>8.2f} {n / r['seconds']:>8.0f} "
                    f"{r['seconds'] / n * 1e6:>8.0f} {r['peak_rise_mb']:>9.1f} {client:>10}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
