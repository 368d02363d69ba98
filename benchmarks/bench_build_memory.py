"""Where a build's memory goes: per stage, the peak RSS of the building process and the
peak of its Python heap.

Builds N synthetic plans (``benchmarks/synth.py``) with the fake encoder in this
process while a thread samples its RSS every 50 ms; each stage of the build is marked
by wrapping the function that does it. ``tracemalloc`` traces the Python heap (objects,
strings, numpy buffers) and its peak is read at every change of stage, so each stage
is charged the peak of its own stretch of time. What RSS holds beyond that heap is
native memory: the interpreter and its modules, and above all the Oxigraph (RocksDB)
store's memtables, block cache and table readers. Tracing slows the build down, so
its seconds are not those of an ordinary build.

``--store-only`` then measures the store alone: in a fresh process, an empty index
gets exactly the plans of the built one (their shards hard-linked, their registry
records as they are) through the same writer (:class:`IndexWriter.apply`), without
ingest, extraction or search: RSS above that process's RSS after its imports is what
the store's writes cost, and the Python heap beside it shows how much of that is
Python's.

``--native INDEX`` goes one step further: pyoxigraph alone bulk-loads the plans' graphs
of a built index into an empty store, and the RSS is printed as the store grows.

Worker processes (plans are built on them) are not included: ``bench_scale.py`` shows
their peak.

Usage::

    python benchmarks/bench_build_memory.py 150 [--work DIR] [--store-only]
    python benchmarks/bench_build_memory.py 500 --native INDEX   # pyoxigraph alone
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

STAGES = [  # (module, attribute, label): what each stage of a build is done by
    ("plangraph.search.write.build", "_write_chunk", "search: embed and write shards"),
    ("plangraph.search.write.build", "add_ann", "search: ANN update"),
    ("plangraph.search.write.build", "open_lexical", "search: lexical index"),
    ("plangraph.workspace.writer", "IndexWriter.roll_forward", "store: plans rolled in"),
    ("plangraph.workspace.writer", "IndexWriter._shared_change", "store: shared graph"),
    ("plangraph.workspace.writer", "IndexWriter.compact_if_due", "store: compaction"),
    ("plangraph.workspace.writer", "IndexWriter._publish", "store: snapshot and manifest"),
]
START = "other (ingest results, registry, start)"


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


class Stages:
    """The stage the process is in, with each stage's peak RSS and peak Python heap."""

    def __init__(self) -> None:
        self.current = START
        self.rss: dict[str, int] = {}
        self.heap: dict[str, int] = {}
        self.lock = threading.Lock()

    def switch(self, label: str) -> None:
        """Charge the heap peak since the last switch to the stage that ends, then start
        a new stretch for ``label``."""
        with self.lock:
            if tracemalloc.is_tracing():
                peak = tracemalloc.get_traced_memory()[1]
                self.heap[self.current] = max(self.heap.get(self.current, 0), peak)
                tracemalloc.reset_peak()
            self.current = label
            self.rss[label] = max(self.rss.get(label, 0), _rss_mb())

    def sample(self) -> None:
        while True:
            with self.lock:
                self.rss[self.current] = max(self.rss.get(self.current, 0), _rss_mb())
            time.sleep(0.05)

    def mark(self, owner: Any, name: str, label: str) -> None:
        real: Callable[..., Any] = getattr(owner, name, None)  # type: ignore[assignment]
        if real is None:  # a stage this version of the code does not have
            return

        def marked(*args: Any, **kwargs: Any) -> Any:
            before = self.current
            self.switch(label)
            try:
                return real(*args, **kwargs)
            finally:
                self.switch(before)

        setattr(owner, name, marked)

    def install(self) -> None:
        import importlib

        for module, attr, label in STAGES:
            owner: Any = importlib.import_module(module)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            self.mark(owner, name, label)
        threading.Thread(target=self.sample, daemon=True).start()

    def table(self, base_rss: int | None = None) -> str:
        self.switch(self.current)
        head = "| stage | peak RSS MB | peak Python heap MB |"
        rule = "| --- | --- | --- |"
        if base_rss is not None:
            head, rule = head + " RSS above start MB |", rule + " --- |"
        rows = [head, rule]
        for label, mb in sorted(self.rss.items(), key=lambda kv: -kv[1]):
            row = f"| {label} | {mb} | {self.heap.get(label, 0) / 2**20:.1f} |"
            rows.append(row + (f" {mb - base_rss} |" if base_rss is not None else ""))
        return "\n".join(rows)


def store_only(index: Path, out: Path) -> None:
    """Write the plans of the built ``index`` into an empty index at ``out`` through the
    writer alone, and print the stage table."""
    from plangraph.workspace.folder import PLANS_DIR
    from plangraph.workspace.writer import IndexWriter

    shutil.rmtree(out, ignore_errors=True)
    (out / PLANS_DIR).mkdir(parents=True)
    with IndexWriter(index) as source:
        registry, record = source.store.registry(), source.store.index_record()
    for rec in registry.values():
        shutil.copytree(index / PLANS_DIR / rec["shard"], out / PLANS_DIR / rec["shard"], copy_function=os.link)
    stages = Stages()
    stages.install()
    base = _rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    with IndexWriter(out) as writer:
        writer.apply(registry, [], {k: v for k, v in record.items() if k not in ("generation", "pending")})
    seconds = time.perf_counter() - t0
    time.sleep(0.2)
    print(f"store only: {len(registry)} plans written in {seconds:.1f} s (RSS after imports {base} MB)")
    print(stages.table(base))


def native(index: Path, out: Path) -> None:
    """pyoxigraph alone, no plangraph code: bulk-load the graphs of the built ``index``
    into an empty store at ``out``, one named graph per plan as the writer does, and
    print the RSS as the store grows, after a compaction and after reopening it."""
    import pyoxigraph as ox

    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((index / "manifest.json").read_text("utf-8"))
    shards = [(pid, plan["shard"]) for pid, plan in manifest["plans"].items()]
    start = _rss_mb()
    store = ox.Store(str(out))
    rows = [("opened", 0, start)]
    every = max(1, len(shards) // 5)
    for n, (pid, shard) in enumerate(shards, 1):
        store.bulk_load(path=str(index / "plans" / shard / "graph.nt"), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(f"urn:plan:{pid}"))
        if n % every == 0 or n == len(shards):
            rows.append((f"{n} plans bulk-loaded", len(list(out.glob("*.sst"))), _rss_mb()))
    store.flush()
    t0 = time.perf_counter()
    store.optimize()
    rows.append((f"compacted ({time.perf_counter() - t0:.1f} s)", len(list(out.glob("*.sst"))), _rss_mb()))
    del store
    reopened = ox.Store.read_only(str(out))
    rows.append(("closed, reopened read-only", len(list(out.glob("*.sst"))), _rss_mb()))
    sum(1 for _ in reopened.quads_for_pattern(None, None, None, ox.NamedNode(f"urn:plan:{shards[-1][0]}")))
    rows.append(("one plan's graph read", len(list(out.glob("*.sst"))), _rss_mb()))
    size = sum(p.stat().st_size for p in out.glob("*.sst")) / 2**20
    print(f"pyoxigraph alone, {len(shards)} plans ({size:.0f} MB of table files at the end); "
          f"RSS before opening the store {start} MB")
    print("| step | table files | RSS MB | above start |\n| --- | --- | --- | --- |")
    for label, files, rss in rows:
        print(f"| {label} | {files} | {rss} | {rss - start} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", type=int, help="number of synthetic plans")
    parser.add_argument("--work", type=Path, default=Path("/tmp/plangraph-bench-memory"))
    parser.add_argument("--store-only", action="store_true",
                        help="then write the built plans into an empty store in a fresh process")
    parser.add_argument("--native", type=Path, metavar="INDEX",
                        help="only bulk-load the graphs of this built index with pyoxigraph alone, and print RSS")
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)  # the fresh process of --store-only
    args = parser.parse_args(argv)
    inputs, index = args.work / f"n{args.plans}" / "in", args.work / f"n{args.plans}" / "ix"
    if args.replay:
        store_only(args.replay, index.parent / "store-only")
        return 0
    if args.native:
        native(args.native, index.parent / "native-store")
        return 0
    from plangraph.workspace import build

    if len(list(inputs.glob("*.txt"))) != args.plans:
        shutil.rmtree(inputs, ignore_errors=True)
        write_corpus(inputs, args.plans)
    shutil.rmtree(index, ignore_errors=True)
    shutil.rmtree(index.parent / ".embedding-cache", ignore_errors=True)
    stages = Stages()
    stages.install()
    tracemalloc.start()
    t0 = time.perf_counter()
    summary = build([inputs], index, encoders=("fake",), progress=False)
    time.sleep(0.2)
    print(f"{len(summary.plans)} plans built in {time.perf_counter() - t0:.1f} s with tracing "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in summary.seconds.items())})")
    print(stages.table())
    if args.store_only:
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, str(args.plans), "--work", str(args.work),
                        "--replay", str(index)], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
