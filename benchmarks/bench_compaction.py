"""Store compaction, side by side: the same index with its store as bulk loading left it
and compacted.

Two copies of one built index are measured in the same run, runs alternating between
them: ``as built`` (compaction off, as the writer did before compacting) and
``compacted`` (the writer's compaction, then a snapshot published from it). Printed:
the store's table files and bytes, what the store folder holds on disk (old snapshots
keep the files a compaction replaced), how long the compaction took, point lookups
(``quads_for_pattern`` on subjects taken from the plans' graphs) on the published
snapshot, named queries evaluated on the store through ``Workspace.sparql(...,
from_views=False)`` with the parameters staff give them (the plans' stored rows answer
some of them without the store, and compaction does not change those), the RSS of a
process that only opens the snapshot and does the lookups (the store's own native
memory), and the seconds to add one more plan to each copy (child processes, fake
encoder; the compacted copy compacts again only when it is due).

Either give a built index (``--index``: its copies share the plan shards and table
files by hard link, so the index itself is not changed) or a number of synthetic plans
(``benchmarks/synth.py``): then both copies are built, one with compaction off and one
as the writer does by default, and their build times are printed too.

Usage::

    python benchmarks/bench_compaction.py --index DIR [--work DIR] [--runs 5] [--adds 3]
    python benchmarks/bench_compaction.py 150 [--work DIR] [--runs 5] [--adds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import generate, write_corpus  # noqa: E402

SIDES = ("as built", "compacted")
QUERIES = ("indicators-by-category", "indicator-across-plans")

CHILD = """
import json, sys, time
import plangraph.workspace.writer as w
if sys.argv[1] == "off":
    w.COMPACT_MIN_FILES = 10**9
from plangraph.workspace import add, build
t0 = time.perf_counter()
if sys.argv[2] == "build":
    s = build([sys.argv[4]], sys.argv[3], encoders=("fake",), progress=False)
else:
    s = add([sys.argv[4]], sys.argv[3], progress=False)
print(json.dumps({"seconds": time.perf_counter() - t0, "parts": s.seconds}))
"""

LOOKUPS = """
import json, resource, sys, time
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) // 1024 for l in fh if l.startswith("VmRSS"))
import pyoxigraph as ox
start = rss()
store = ox.Store.read_only(sys.argv[1])
opened = rss()
subjects = [ox.NamedNode(s) for s in json.loads(sys.argv[2])]
t0 = time.perf_counter()
quads = sum(1 for s in subjects for _ in store.quads_for_pattern(s, None, None, None))
print(json.dumps({"start": start, "opened": opened, "after": rss(), "quads": quads,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "seconds": time.perf_counter() - t0}))
"""


def _child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _copy(src: Path, dst: Path) -> None:
    """Copy an index: plan shards and table files are never changed once written, so
    they are hard-linked; everything else (store manifests and logs, search) is copied."""
    shutil.rmtree(dst, ignore_errors=True)

    def link_or_copy(s: str, d: str) -> None:
        rel = Path(s).relative_to(src)
        if s.endswith(".sst") or rel.parts[0] == "plans":
            os.link(s, d)
        else:
            shutil.copy2(s, d)

    shutil.copytree(src, dst, copy_function=link_or_copy)


def _compact(ix: Path) -> float:
    """Compact an index's store as the writer does when it is due, and publish it."""
    import plangraph.workspace.writer as w

    saved, w.COMPACT_MIN_FILES = w.COMPACT_MIN_FILES, 0
    try:
        with w.IndexWriter(ix) as writer:
            t0 = time.perf_counter()
            writer.compact_if_due()
            seconds = time.perf_counter() - t0
            writer._publish()
    finally:
        w.COMPACT_MIN_FILES = saved
    return seconds


def _files(folder: Path) -> tuple[int, int]:
    ssts = [p.stat().st_size for p in folder.glob("*.sst")]
    return len(ssts), sum(ssts)


def _disk(folder: Path) -> int:
    """Bytes of the files under ``folder``, a file linked twice counted once."""
    seen: dict[tuple[int, int], int] = {}
    for p in folder.rglob("*"):
        if p.is_file():
            st = p.stat()
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


def _snapshot(ix: Path) -> Path:
    return ix / json.loads((ix / "manifest.json").read_text("utf-8"))["snapshot"]


def _subjects(ix: Path, plans: int = 20, per_plan: int = 50) -> list[str]:
    """Subjects spread over the graphs of ``plans`` plans spread over the index."""
    manifest = json.loads((ix / "manifest.json").read_text("utf-8"))
    shards = [p["shard"] for p in manifest["plans"].values()]
    out: list[str] = []
    for shard in shards[:: max(1, len(shards) // plans)][:plans]:
        subjects = sorted({line.split(" ", 1)[0][1:-1] for line in
                           (ix / "plans" / shard / "graph.nt").read_text("utf-8").splitlines()
                           if line.startswith("<")})
        out += subjects[:: max(1, len(subjects) // per_plan)][:per_plan]
    return out


def _alternate(fns: list[Any], runs: int) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:  # warm: the first run reads the files into the page cache
        fn()
    for run in range(runs):
        order = list(enumerate(fns))
        for i, fn in order[::-1] if run % 2 else order:  # ABBA: neither side always goes first
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return times


def _extras(folder: Path, n: int) -> list[Path]:
    """``n`` synthetic plans that no index of ``synth.py`` plans holds (another seed,
    plan ids ``extra-NNNN``), one folder each."""
    out = []
    for plan in generate(n, seed=1):
        pid = plan.plan_id.replace("synth-", "extra-")
        one = folder / pid
        shutil.rmtree(one, ignore_errors=True)
        one.mkdir(parents=True)
        (one / f"{pid}.txt").write_text(plan.text, "utf-8")
        (one / f"{pid}.meta.toml").write_text(plan.meta_toml().replace(plan.plan_id, pid), "utf-8")
        out.append(one)
    return out


def _compaction_record(ix: Path) -> dict[str, Any]:
    from plangraph.graph.store import GraphStore

    store = GraphStore.open_writer(ix / "store")
    try:
        return dict(store.index_record().get("compaction", {}))
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", type=int, nargs="?", help="build this many synthetic plans (else --index)")
    parser.add_argument("--index", type=Path, help="a built index whose store was never compacted")
    parser.add_argument("--work", type=Path, default=Path("/tmp/plangraph-bench-compaction"))
    parser.add_argument("--runs", type=int, default=5, help="alternating runs of lookups and queries")
    parser.add_argument("--adds", type=int, default=3, help="plans added one at a time to each copy")
    args = parser.parse_args(argv)
    if (args.plans is None) == (args.index is None):
        parser.error("give a number of plans or --index DIR")
    from bench_named_queries import typical_params

    from plangraph.workspace import Workspace

    ixs = {side: args.work / side.replace(" ", "-") for side in SIDES}
    rows: dict[str, tuple[str, str]] = {}
    if args.index:
        for ix in ixs.values():
            _copy(args.index, ix)
        compaction_s = _compact(ixs["compacted"])
    else:
        inputs = args.work / f"in-{args.plans}"
        if len(list(inputs.glob("*.txt"))) != args.plans:
            shutil.rmtree(inputs, ignore_errors=True)
            write_corpus(inputs, args.plans)
        built = {}
        for side, ix in ixs.items():
            shutil.rmtree(ix, ignore_errors=True)
            shutil.rmtree(ix.parent / ".embedding-cache", ignore_errors=True)
            built[side] = _child(CHILD, "off" if side == "as built" else "on", "build", str(ix), str(inputs))
        rows["build s (store s)"] = tuple(  # type: ignore[assignment]
            f"{built[s]['seconds']:.1f} ({built[s]['parts'].get('store', 0):.1f})" for s in SIDES)
        compaction_s = float(_compaction_record(ixs["compacted"]).get("seconds", 0.0))
    rows["compaction s"] = ("–", f"{compaction_s:.1f}")
    plans = len(json.loads((ixs["as built"] / "manifest.json").read_text("utf-8"))["plans"])
    for label, folder in (("table files / MB, primary", lambda ix: ix / "store" / "primary"),
                          ("table files / MB, published snapshot", _snapshot)):
        stats = [_files(folder(ixs[s])) for s in SIDES]
        rows[label] = tuple(f"{n} / {b / 2**20:.0f}" for n, b in stats)  # type: ignore[assignment]
    rows["store folder on disk MB (snapshots included)"] = tuple(  # type: ignore[assignment]
        f"{_disk(ixs[s] / 'store') / 2**20:.0f}" for s in SIDES)
    subjects = _subjects(ixs["as built"])
    probes = {s: _child(LOOKUPS, str(_snapshot(ixs[s])), json.dumps(subjects)) for s in SIDES}
    assert probes["as built"]["quads"] == probes["compacted"]["quads"], "the copies differ"
    rows[f"RSS MB of a process that opens the snapshot (+{len(subjects)} lookups)"] = tuple(  # type: ignore[assignment]
        f"{probes[s]['opened'] - probes[s]['start']} (+{probes[s]['after'] - probes[s]['opened']})" for s in SIDES)
    import pyoxigraph as ox

    stores = [ox.Store.read_only(str(_snapshot(ixs[s]))) for s in SIDES]
    nodes = [ox.NamedNode(x) for x in subjects]
    times = _alternate([lambda st=st: sum(1 for n in nodes for _ in st.quads_for_pattern(n, None, None, None))
                        for st in stores], args.runs)
    rows[f"{len(subjects)} point lookups ms (p50)"] = tuple(  # type: ignore[assignment]
        f"{statistics.median(t) * 1000:.1f}" for t in times)
    del stores
    spaces = [Workspace(ixs[s]) for s in SIDES]
    typical = typical_params(spaces[0].plan_ids[0])
    for name in QUERIES:
        params = typical.get(name, {})
        for ws in spaces:
            ws.sparql(name=name, params=params, from_views=False)  # the query worker starts once
        times = _alternate([lambda ws=ws: ws.sparql(name=name, params=params, from_views=False)
                            for ws in spaces], args.runs)
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        rows[f"{name} ({shown}) ms (p50)"] = tuple(  # type: ignore[assignment]
            f"{statistics.median(t) * 1000:.1f}" for t in times)
    del spaces
    adds: dict[str, list[float]] = {s: [] for s in SIDES}
    compacted_on_add = 0
    for extra in _extras(args.work / "extra", args.adds):
        for side in SIDES:
            before = _compaction_record(ixs[side]).get("last")
            adds[side].append(_child(CHILD, "off" if side == "as built" else "on", "add",
                                     str(ixs[side]), str(extra))["seconds"])
            compacted_on_add += side == "compacted" and _compaction_record(ixs[side]).get("last") != before
    rows[f"add one plan s (median of {args.adds})"] = tuple(  # type: ignore[assignment]
        f"{statistics.median(adds[s]):.2f}" for s in SIDES)
    record = _compaction_record(ixs["compacted"])
    from plangraph.graph.store import GraphStore

    store = GraphStore.open_writer(ixs["compacted"] / "store")
    new = store.files(newer_than=int(record.get("last", 0))).count
    store.close()
    print(f"{plans} plans (+{args.adds} added); load average {os.getloadavg()[0]:.1f}; the compacted copy "
          f"{'was' if record else 'was not'} compacted (its writer compacts when due)")
    print("| | as built | compacted |\n| --- | --- | --- |")
    for label, (a, b) in rows.items():
        print(f"| {label} | {a} | {b} |")
    print(f"(compacted copy: {compacted_on_add} of {args.adds} adds compacted again; table files written since its "
          f"last compaction: {new}, left by it: {record.get('files')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
