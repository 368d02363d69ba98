"""Two versions of the code building the same synthetic plans, side by side.

Builds N synthetic plans (``benchmarks/synth.py``, fake encoder, plans on one worker
process per core, as ``plangraph build`` does) with the code under ``--before`` and the
code under ``--after`` (each a ``src`` folder of a checkout, its ``ontology/`` beside it, put
first on ``PYTHONPATH`` of a child process; ``git archive REV src ontology | tar -x -C DIR``),
alternating A B B A, and prints each build's seconds by stage (plans, search index, store),
the p50 of each side and the ratio. The machine is shared and its load moves, so each run's
load average is printed beside it; compare within one run.

Usage::

    python benchmarks/bench_build_abba.py 100 --before /tmp/main/src --after src [--work DIR] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus

CHILD = """
import json, resource, sys, time
from plangraph.workspace import build
t0 = time.perf_counter()
s = build([sys.argv[2]], sys.argv[1], encoders=("fake",), progress=False)
print(json.dumps({"seconds": time.perf_counter() - t0, "plans": len(s.plans), "failures": len(s.failures),
                  "parts": s.seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _build(src: Path, corpus: Path, ix: Path) -> dict[str, object]:
    shutil.rmtree(ix, ignore_errors=True)
    shutil.rmtree(ix.parent / ".embedding-cache", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, "-c", CHILD, str(ix), str(corpus)], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"the build with {src} failed:\n{out.stderr[-3000:]}")
    result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    result["load"] = load
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/plangraph-abba"))
    ap.add_argument("--rounds", type=int, default=1, help="A B B A repeated this many times")
    args = ap.parse_args()
    corpus = args.work / f"in{args.n}"
    if len(list(corpus.glob("*.txt"))) != args.n:
        shutil.rmtree(corpus, ignore_errors=True)
        write_corpus(corpus, args.n)
    times: dict[str, list[float]] = {"before": [], "after": []}
    print(f"{args.n} synthetic plans, fake encoder, {os.cpu_count()} cores")
    print("| side | build s | plans s | index s | store s | peak RSS MB | load before |")
    print("|---|---|---|---|---|---|---|")
    for _ in range(args.rounds):
        for side in ("before", "after", "after", "before"):
            src = args.before if side == "before" else args.after
            r = _build(src, corpus, args.work / side / "ix")
            parts = r["parts"]
            assert isinstance(parts, dict)
            times[side].append(float(r["seconds"]))  # type: ignore[arg-type]
            print(f"| {side} | {r['seconds']:.1f} | {parts.get('plans', 0):.1f} | {parts.get('index', 0):.1f} | "
                  f"{parts.get('store', 0):.1f} | {r['rss_mb']:.0f} | {r['load']:.1f} |", flush=True)
    b, a = statistics.median(times["before"]), statistics.median(times["after"])
    print(f"p50 before {b:.1f} s, after {a:.1f} s: {b / a:.2f}x faster ({b / args.n:.2f} → {a / args.n:.2f} s a plan)")


if __name__ == "__main__":
    main()
