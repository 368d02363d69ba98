"""Search on Milvus (milvus-lite) against the index's own search: ranking on the dev
questions, query latency side by side, push times, and what made Milvus queries slow.

    python benchmarks/bench_milvus.py [--index DIR] [--scale N]

``--index`` is an index of the district plans with the default encoders (built there
from ``corpus/`` when the folder holds none; about 40 s). Each lexical tokenisation is
pushed to its own milvus-lite file and scored with ``plangraph eval``'s metrics; the
query p50 of both backends is measured on the same index and questions, alternating
question by question so that the machine's load falls on both alike. ``--scale N``
does the same timing on N synthetic plans (``benchmarks/synth.py``) with stand-in
vectors under the real encoders' names, as ``bench_search.py --scale`` does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUESTIONS = SHARED / "eval" / "dev_questions.json"


def _pcts(ms: list[float]) -> str:
    xs = sorted(ms)
    return f"{statistics.median(xs):.1f} / {xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]:.1f}"


def side_by_side(searches: dict[str, Callable[[str], object]], queries: list[str], rounds: int,
                 before: Callable[[], None] = lambda: None) -> dict[str, list[float]]:
    """Milliseconds of each search, the backends taking turns on every question (after a
    warm-up pass); ``before`` runs untimed before each search."""
    for q in queries:
        for search in searches.values():
            search(q)
    out: dict[str, list[float]] = {name: [] for name in searches}
    for _ in range(rounds):
        for q in queries:
            for name, search in searches.items():
                before()
                t = time.perf_counter()
                search(q)
                out[name].append((time.perf_counter() - t) * 1000)
    return out


def dev_set(index: Path, rounds: int) -> None:
    from plangraph.analysis.evaluate import evaluate, load_questions
    from plangraph.search.milvus import MilvusStore
    from plangraph.workspace import Workspace, build
    from plangraph.workspace.searchbackend import push_search

    if not (index / "manifest.json").exists():
        build([ROOT / "corpus"], index, encoders=("e5", "use"), progress=False)
    queries = [q.q for q in load_questions(QUESTIONS)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-milvus-"))
    print(f"dev questions ({len(queries)}) on {index} (district plans, default encoders):\n"
          "| search | R@5 | R@10 | MRR@10 | push s |\n| --- | --- | --- | --- | --- |")
    local = Workspace(index, search_backend="local")
    m = evaluate(QUESTIONS, local).overall
    print(f"| index (tantivy BM25, exact vectors) | {m.recall_at_5:.3f} | {m.recall_at_10:.3f} | {m.mrr_at_10:.3f} | |")
    for lexical in ("bigram", "jieba", "bigram+jieba"):
        db = tmp / f"{lexical}.db"
        t = time.perf_counter()
        push_search(index, f"milvus:{db}", lexical=lexical)
        push_s = time.perf_counter() - t
        m = evaluate(QUESTIONS, Workspace(index, search_backend=f"milvus:{db}")).overall
        print(f"| milvus-lite, {lexical} terms | {m.recall_at_5:.3f} | {m.recall_at_10:.3f} | {m.mrr_at_10:.3f} "
              f"| {push_s:.1f} |", flush=True)

    t = time.perf_counter()
    report = push_search(index, f"milvus:{tmp / 'bigram.db'}")
    print(f"\npush again, nothing changed: {time.perf_counter() - t:.3f} s ({report.describe()})")
    milvus = Workspace(index, search_backend=f"milvus:{tmp / 'bigram.db'}")
    searches = {"index": local.search, "milvus-lite": milvus.search}

    def forget() -> None:  # every query embedded again, as for a new question
        for ws in (local, milvus):
            ws.searcher._query_vectors.clear()

    full = side_by_side(searches, queries, rounds, forget)
    part = side_by_side(searches, queries, rounds)
    print("\nquery latency, ms p50 / p95, the two backends alternating on each question:\n"
          "| search | with query embedding | search only (query vectors kept) |\n| --- | --- | --- |")
    for name in searches:
        print(f"| {name} | {_pcts(full[name])} | {_pcts(part[name])} |")
    ratio = statistics.median(part["milvus-lite"]) / statistics.median(part["index"])
    print(f"milvus-lite / index, search only: {ratio:.1f}x; with embedding: "
          f"{statistics.median(full['milvus-lite']) / statistics.median(full['index']):.1f}x")

    # what made a Milvus query slow: rows written but never sealed (no flush)
    from plangraph.search.milvus import Layout
    from plangraph.search.write.build import open_index
    from plangraph.search.write.milvus_sync import write_shard

    opened = open_index(index / milvus.manifest["search"])
    store = MilvusStore(str(tmp / "unsealed.db"))
    layout = Layout.of_specs(opened.manifest["encoders"])
    store.create(layout)
    for name, data in opened.shards:
        write_shard(store, name, data, layout)
    unsealed = Workspace(index, search_backend=f"milvus:{tmp / 'unsealed.db'}")
    t = side_by_side({"sealed": milvus.search, "unsealed": unsealed.search}, queries[:10], 1)
    print(f"\nmilvus-lite rows not flushed (BM25 postings rebuilt at every search), search only, ms p50: "
          f"{statistics.median(t['unsealed']):.1f} vs {statistics.median(t['sealed']):.1f} flushed")


def scale(n: int, rounds: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from search_scale import StandIn
    from synth import write_corpus

    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.encoders import E5Encoder, USEEncoder
    from plangraph.search.milvus import MilvusStore
    from plangraph.search.read.milvus_search import MilvusSearcher
    from plangraph.search.read.searcher import Searcher
    from plangraph.search.write.build import build_index, open_index
    from plangraph.search.write.embedding import Embedder
    from plangraph.search.write.milvus_sync import sync_index

    e5, use = E5Encoder(), USEEncoder()
    stand_ins = [StandIn(e5.name, 384, True), StandIn(use.name, 512, False)]
    with tempfile.TemporaryDirectory() as tmp:
        files = write_corpus(Path(tmp) / "plans", n + 1)
        docs = [ingest_file(f) for f in files]
        passages = [p for d in docs[:n] for p in d.passages]
        out, db = Path(tmp) / "idx", str(Path(tmp) / "m.db")
        build_index(passages, out, stand_ins, progress=False, embedder=Embedder(1))
        index = open_index(out, [e5, use])
        t = time.perf_counter()
        sync_index(index, db)
        push_s = time.perf_counter() - t
        build_index([*passages, *docs[n].passages], out, stand_ins, progress=False, embedder=Embedder(1))
        t = time.perf_counter()
        added = sync_index(open_index(out), db)
        add_s = time.perf_counter() - t
        assert added.written == (docs[n].meta.plan_id,), added
        index = open_index(out, [e5, use])
        local = Searcher(index, [e5, use])
        milvus = MilvusSearcher(MilvusStore(db), [e5, use], {d.plan: name for name, d in index.shards})
        from plangraph.analysis.evaluate import load_questions

        queries = [q.q for q in load_questions(QUESTIONS)]
        part = side_by_side({"index": local.search, "milvus-lite": milvus.search}, queries, rounds)
        print(f"\n{n} synthetic plans, {len(index)} passages (stand-in vectors, real encoders on the queries):\n"
              f"push {push_s:.1f} s; add one plan and push: {add_s:.1f} s ({added.passages} passages written)\n"
              f"search only, ms p50 / p95: index {_pcts(part['index'])}, milvus-lite {_pcts(part['milvus-lite'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path(tempfile.gettempdir()) / "milvus-eval")
    parser.add_argument("--scale", type=int, action="append", default=[], metavar="N")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-dev", action="store_true", help="only the --scale runs")
    args = parser.parse_args()
    if not args.no_dev:
        dev_set(args.index, args.rounds)
    for n in args.scale:
        scale(n, args.rounds)


if __name__ == "__main__":
    main()
