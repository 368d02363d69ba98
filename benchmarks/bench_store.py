"""The build's store stage alone, part by part, on the shards of a built index.

A fresh build's store stage (``IndexWriter.apply`` with every plan new) is run again on
a copy of a built index's plan shards (hard links), into a new store, for the first N
plans of the index (as many sizes as given), and the seconds of each part are printed:
the registry's ``held()`` lookups of each plan's shared lines, graph loads (``DROP`` and
``bulk_load``), registry commits (SPARQL updates), the shared graph's final change, the
compaction at the end and the snapshot, with the store's table files and bytes before
the compaction. Every part is timed where the writer calls Oxigraph (a proxy around the
``pyoxigraph.Store`` of the writer), so the figures add up to the stage.

The plans stage is not run again: build the index once (``plangraph build`` or
``bench_scale.py``) and measure the store stage as often as wanted; ``--src`` names the
code to measure (a ``src`` folder, put first on ``PYTHONPATH`` of a child process), so
two versions can be compared on the same shards (``--src`` given twice alternates
them, A B B A).

Usage::

    python benchmarks/bench_store.py --index DIR 100 300 [--src src] [--src /tmp/before/src] [--work DIR]
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

CHILD = r"""
import json, sys, time
from collections import defaultdict
from pathlib import Path
import pyoxigraph as ox
from plangraph.graph.store import GraphStore
from plangraph.workspace.writer import IndexWriter

seconds = defaultdict(float)
calls = defaultdict(int)


def kind(text):
    head = text.lstrip().split(None, 1)[0].upper()
    return {"DROP": "update DROP", "DELETE": "update commit", "INSERT": "update commit"}.get(head, "update other")


class Timed:
    def __init__(self, store):
        object.__setattr__(self, "_s", store)

    def _time(self, name, fn, *a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            seconds[name] += time.perf_counter() - t0
            calls[name] += 1

    def update(self, text, *a, **k):
        return self._time(kind(text), self._s.update, text, *a, **k)

    def bulk_load(self, *a, **k):
        return self._time("bulk_load", self._s.bulk_load, *a, **k)

    def optimize(self, *a, **k):
        return self._time("optimize (compaction)", self._s.optimize, *a, **k)

    def backup(self, *a, **k):
        return self._time("backup (snapshot)", self._s.backup, *a, **k)

    def flush(self, *a, **k):
        return self._time("flush", self._s.flush, *a, **k)

    def __contains__(self, quad):
        t0 = time.perf_counter()
        try:
            return quad in self._s
        finally:
            seconds["held lookups"] += time.perf_counter() - t0

    def quads_for_pattern(self, *a, **k):
        t0 = time.perf_counter()
        out = list(self._s.quads_for_pattern(*a, **k))
        seconds["pattern reads"] += time.perf_counter() - t0
        return iter(out)

    def __getattr__(self, name):
        return getattr(self._s, name)


index, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
src = GraphStore.open_writer(index / "store", create=False)
registry, record = src.registry(), src.index_record()
src.close()
order = sorted(registry, key=lambda p: (registry[p].get("order", 0), p))[:n]
replace = {p: registry[p] for p in order}
index_part = {k: v for k, v in record.items() if k not in ("generation", "compaction", "ontology", "pending")}

writer = IndexWriter(out)
writer.store.store = Timed(writer.store.store)
files = {}
real_compact = writer.compact_if_due


def compact_if_due():
    files["before compaction"] = writer.store.files().count
    t0 = time.perf_counter()
    real_compact()
    seconds["compact_if_due"] += time.perf_counter() - t0
    files["after compaction"] = writer.store.files().count


writer.compact_if_due = compact_if_due
real_shared = writer._shared_change


def shared_change(*a, **k):
    t0 = time.perf_counter()
    try:
        return real_shared(*a, **k)
    finally:
        seconds["_shared_change"] += time.perf_counter() - t0


writer._shared_change = shared_change
t0 = time.perf_counter()
writer.apply(replace, [], index_part)
total = time.perf_counter() - t0
writer.close()
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
size = sum(f.stat().st_size for f in (out / "store" / "primary").iterdir() if f.is_file())
print(json.dumps({"plans": len(replace), "seconds": total, "parts": seconds, "calls": calls,
                  "files": files, "store_mb": size / 2**20,
                  "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))
"""


def _run(src: Path, index: Path, work: Path, n: int) -> dict[str, object]:
    out = work / "ix"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(index / "plans"), str(out / "plans")], check=True)
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, "-c", CHILD, str(index), str(out), str(n)], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the store stage with {src} failed:\n{done.stderr[-3000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    result["load"] = load
    shutil.rmtree(out, ignore_errors=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", type=int, nargs="+", help="numbers of plans (the first N of the index)")
    ap.add_argument("--index", type=Path, required=True, help="a built index (its shards and registry)")
    ap.add_argument("--src", type=Path, action="append", help="code to measure (default: src); twice: A B B A")
    ap.add_argument("--work", type=Path, default=Path("/tmp/plangraph-bench-store"))
    args = ap.parse_args()
    sides = args.src or [Path(__file__).resolve().parent.parent / "src"]
    order = sides if len(sides) == 1 else [sides[0], sides[1], sides[1], sides[0]]
    print(f"store stage of a fresh build, {os.cpu_count()} cores, index {args.index}")
    for n in args.sizes:
        totals: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        for src in order:
            r = _run(src, args.index, args.work, n)
            parts, calls = r["parts"], r["calls"]
            assert isinstance(parts, dict) and isinstance(calls, dict)
            totals.setdefault(str(src), []).append(float(r["seconds"]))  # type: ignore[arg-type]
            cpus.setdefault(str(src), []).append(float(r["cpu"]))  # type: ignore[arg-type]
            print(f"\n{r['plans']} plans, {src}: {r['seconds']:.1f} s, CPU {r['cpu']:.1f} s (every thread, "
                  f"the registry read included), peak RSS {r['rss_mb']:.0f} MB (load before {r['load']:.1f}), "
                  f"table files {r['files']}, store {r['store_mb']:.0f} MB")
            for name, s in sorted(parts.items(), key=lambda kv: -kv[1]):
                print(f"  {name:24} {s:8.2f} s  {calls.get(name, '')}")
        if len(totals) == 2:
            (a, ta), (b, tb) = totals.items()
            print(f"\n{n} plans: p50 {statistics.median(ta):.1f} s ({a}) against {statistics.median(tb):.1f} s ({b}): "
                  f"{statistics.median(ta) / statistics.median(tb):.2f}x; CPU p50 {statistics.median(cpus[a]):.1f} "
                  f"against {statistics.median(cpus[b]):.1f} s: {statistics.median(cpus[a]) / statistics.median(cpus[b]):.2f}x")


if __name__ == "__main__":
    main()
