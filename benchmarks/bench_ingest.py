"""Ingestion throughput and memory.

Prints, for each real plan text, characters/s (best of several runs), then the time
and peak memory to ingest a synthetic 50 MB plan made of the Lin'an text repeated
with changing numbers (so it is not one copy twice), with the plan size limit lifted.

    .venv/bin/python benchmarks/bench_ingest.py [--big-mb 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from plangraph.ingest.pipeline import MAX_PLAN_BYTES_ENV, ingest_file  # noqa: E402

SHARED = ROOT.parent / "shared" / "plans"
FILES = [
    ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt",
    ROOT / "corpus" / "linping-education-14th-fyp.excerpt.txt",
    SHARED / "national-china-education-modernization-2035.txt",
    SHARED / "national-education-reform-outline-2010-2020.txt",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big-mb", type=float, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    total_chars = total_time = 0.0
    print(f"{'file':55} {'chars':>8} {'best s':>8} {'chars/s':>10} passages")
    for path in FILES:
        if not path.exists():
            print(f"{path.name:55} missing, skipped")
            continue
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            doc = ingest_file(path)
            times.append(time.perf_counter() - t0)
        best = min(times)
        total_chars += len(doc.original)
        total_time += best
        print(f"{path.name:55} {len(doc.original):8d} {best:8.3f} {len(doc.original) / best:10.0f} {len(doc.passages)}")
    print(f"{'all four':55} {int(total_chars):8d} {total_time:8.3f} {total_chars / total_time:10.0f}")

    base = FILES[0].read_text(encoding="utf-8")
    body = base[base.index("一、现实基础"): base.index("分享:")]
    target = int(args.big_mb * 1024 * 1024)
    parts, size, n = [], 0, 0
    while size < target:
        n += 1
        chunk = body.replace("十四五", f"第{n}轮").replace("2025", str(2025 + n))
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big-plan.txt"
        big.write_text("".join(parts), encoding="utf-8")
        mb = big.stat().st_size / 1024 / 1024
        os.environ[MAX_PLAN_BYTES_ENV] = str(big.stat().st_size)  # measured over the size limit
        rss0 = peak_rss_mb()
        t0 = time.perf_counter()
        doc = ingest_file(big)
        dt = time.perf_counter() - t0
        print(f"\nsynthetic plan: {mb:.1f} MB, {len(doc.original)} chars, {len(doc.passages)} passages, "
              f"{len(doc.tables)} tables")
        print(f"  ingest time {dt:.1f} s ({len(doc.original) / dt:.0f} chars/s), "
              f"peak RSS {peak_rss_mb():.0f} MB (before: {rss0:.0f} MB)")


if __name__ == "__main__":
    main()
