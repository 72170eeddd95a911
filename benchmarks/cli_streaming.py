"""Does ``fasciclf predict --input`` stream? Time to first output and peak memory.

Writes a JSONL file of the requested size (synthetic ~100-word descriptions,
not real text), runs ``fasciclf predict --input FILE --json`` on it and prints
the time until the first output line, the rows per second, and the CLI's peak
resident memory (``VmHWM`` from ``/proc``, Linux only).

    python benchmarks/cli_streaming.py                 # 200 MB, to the end
    python benchmarks/cli_streaming.py --mb 200 --seconds 120   # stop after 120 s
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SENTENCES = (
    "My left calf has twitched on and off for about three weeks.",
    "No weakness that I can tell, I still run twice a week.",
    "Lately the twitching spread to my thigh and sometimes my arm.",
    "I had a lot of coffee and very little sleep this month.",
    "My hands feel a bit tingly at night but strength is fine.",
    "I am 34 and really anxious that this could be ALS.",
    "Cramps in my feet after exercise, they pass after a few minutes.",
)


def write_jsonl(path: Path, megabytes: float) -> int:
    target = int(megabytes * 1_000_000)
    n = size = 0
    with path.open("w", encoding="utf-8") as f:
        while size < target:
            words = " ".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(9))
            line = json.dumps({"id": f"r{n}", "text": words}) + "\n"
            f.write(line)
            size += len(line.encode())
            n += 1
    return n


def _peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=200.0, help="input size in MB (default 200)")
    ap.add_argument(
        "--seconds", type=float, default=0.0, help="stop after this long (0: run to the end)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jsonl"
        n_rows = write_jsonl(path, args.mb)
        print(f"input: {path.stat().st_size / 1e6:.0f} MB, {n_rows:,} rows")
        cmd = [
            sys.executable,
            "-m",
            "fasciclf.cli",
            "predict",
            "--json",
            "--no-progress",
            "--input",
            str(path),
        ]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        state = {"first": None, "lines": 0, "peak": 0.0}

        def read() -> None:
            for _ in proc.stdout:
                if state["first"] is None:
                    state["first"] = time.perf_counter() - t0
                state["lines"] += 1

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        while proc.poll() is None:
            state["peak"] = max(state["peak"], _peak_rss_mb(proc.pid) or 0.0)
            if args.seconds and time.perf_counter() - t0 > args.seconds:
                proc.terminate()
                break
            time.sleep(0.5)
        proc.wait()
        reader.join(timeout=10)
        elapsed = time.perf_counter() - t0
    done = state["lines"]
    print(f"first output line after {state['first']:.1f} s" if state["first"] else "no output")
    print(f"rows out: {done:,} of {n_rows:,} in {elapsed:.0f} s ({done / elapsed:,.0f} rows/s)")
    print(f"peak RSS of the CLI: {state['peak']:.0f} MB")


if __name__ == "__main__":
    main()
