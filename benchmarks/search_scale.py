"""The search index at N synthetic plans: build, open, memory, warm hybrid queries, ANN
recall, adding one plan, and embedding throughput on 1 and 2 workers.

Run through ``benchmarks/bench_search.py --scale N [--scale M ...]``. Plans come from
``benchmarks/synth.py``. Embedding 500 plans with the real encoders would take hours
on 2 cores, so the index stores stand-in vectors with the real encoders' names and
dimensions (a hash of the text seeds them) and the real encoders embed every
query; the embedding rate is measured on its own and the cost of a real build is
that rate times the texts counted here.
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


class StandIn:
    """Vectors for an encoder's name and dimension without running it."""

    in_process = True

    def __init__(self, name: str, dim: int, sentence_vectors: bool) -> None:
        self.name, self.dim, self.sentence_vectors = name, dim, sentence_vectors

    def encode_queries(self, texts: list[str]):  # type: ignore[no-untyped-def]
        return self.encode_passages(texts)

    def encode_passages(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            out[i] = np.random.default_rng(seed).standard_normal(self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _rss_mib() -> float:
    """This process's resident memory now (ru_maxrss is a peak: the engines' load hides the index)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def warm_latencies(search: object, queries: list[str], rounds: int = 3) -> list[float]:
    """Milliseconds of each search, after one warm-up pass over ``queries``."""
    for q in queries:
        search(q)  # type: ignore[operator]
    out = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            search(q)  # type: ignore[operator]
            out.append((time.perf_counter() - t) * 1000)
    return out


def _questions() -> list[str]:
    from plangraph.analysis.evaluate import load_questions

    return [q.q for q in load_questions(SHARED / "eval" / "dev_questions.json")]


def query_child(index_dir: str) -> None:
    """In a fresh process: open, warm up, time the dev questions, ANN recall; print JSON."""
    from plangraph.search.encoders import E5Encoder, USEEncoder

    e5, use = E5Encoder(), USEEncoder()  # load the engines before faiss (OpenMP threads)
    e5.encode_queries(["预热"]), use.encode_queries(["预热"])
    base = _rss_mib()
    from plangraph.search.index import open_index
    from plangraph.search.searcher import Searcher

    t = time.perf_counter()
    index = open_index(index_dir, [e5, use])
    open_s = time.perf_counter() - t
    searcher = Searcher(index, [e5, use])
    queries = _questions()
    t = time.perf_counter()
    searcher.search(queries[0])
    first_s = time.perf_counter() - t
    lat = warm_latencies(searcher.search, queries)
    # the index's own share: the same searches with each query's vectors computed once
    # (on a shared machine the engines' time varies with the load; this part does not)
    memo: dict[tuple[str, str], object] = {}
    for enc in (e5, use):
        def cached(texts: list[str], enc: object = enc, real: object = enc.encode_queries) -> object:
            key = (enc.name, texts[0])  # type: ignore[attr-defined]
            if key not in memo:
                memo[key] = real(texts)  # type: ignore[operator]
            return memo[key]
        enc.encode_queries = cached  # type: ignore[method-assign]
    lat_index = warm_latencies(searcher.search, queries)
    out = {"open_s": open_s, "first_query_s": first_s, "p50": _pct(lat)[0], "p95": _pct(lat)[1],
           "index_p50": _pct(lat_index)[0], "index_p95": _pct(lat_index)[1],
           "rss_mib": _rss_mib() - base,
           "passages": len(index), "ann": {}}
    for name, vs in [*index.dense.items(), *index.sentence_vectors.items()]:
        if vs.ann is None:
            continue
        enc = e5 if name == e5.name else use
        qv = enc.encode_queries(queries)
        ann, hits, lat_ann, lat_flat = vs.ann, [], [], []
        for v in qv:
            t = time.perf_counter()
            approx = set(vs.top(v, 10)[0].tolist())
            lat_ann.append((time.perf_counter() - t) * 1000)
            vs.ann = None
            t = time.perf_counter()
            exact = set(vs.top(v, 10)[0].tolist())
            lat_flat.append((time.perf_counter() - t) * 1000)
            vs.ann = ann
            hits.append(len(approx & exact) / 10)
        out["ann"][f"{name} ({len(vs)} rows)"] = {"recall@10": statistics.mean(hits),
                                                  "ann_ms": _pct(lat_ann)[0], "flat_ms": _pct(lat_flat)[0]}
    print(json.dumps(out))


def _embedding_rates(texts: list[str]) -> list[str]:
    from plangraph.search.cache import EmbeddingCache
    from plangraph.search.embedding import Embedder
    from plangraph.search.encoders import E5Encoder, USEEncoder

    rows = []
    for enc in (E5Encoder(), USEEncoder()):
        enc.encode_passages(["预热"])
        cells = []
        for workers in (1, 2):
            with Embedder(workers, batch_size=32) as em:
                if workers > 1:  # start the workers and load their models first
                    em.fill(enc, [f"预热{i}" for i in range(64 * workers)], EmbeddingCache())
                t = time.perf_counter()
                n = em.fill(enc, texts, EmbeddingCache())
                cells.append(f"{n / (time.perf_counter() - t):.1f}")
        rows.append(f"| {enc.name} | {len(texts)} | {cells[0]} | {cells[1]} |")
    return rows


def run(scales: list[int], embed_sample: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.build import build_index
    from plangraph.search.embedding import Embedder
    from plangraph.search.encoders import E5Encoder, USEEncoder

    e5, use = E5Encoder(), USEEncoder()
    stand_ins = [StandIn(e5.name, 384, True), StandIn(use.name, 512, False)]
    table = ["| plans | passages | sentences | ingest s | index build s | add 1 plan s | open s | first query s "
             "| query p50 ms | query p95 ms | index part p50 ms | index part p95 ms | search RSS MiB | index MiB |",
             "| --- |" + " --- |" * 13]
    ann_rows = []
    sample: list[str] = []
    for n in scales:
        with tempfile.TemporaryDirectory() as tmp:
            files = write_corpus(Path(tmp) / "plans", n + 1)
            t = time.perf_counter()
            docs = [ingest_file(f) for f in files]
            ingest_s = (time.perf_counter() - t) * n / (n + 1)
            passages = [p for d in docs[:n] for p in d.passages]
            out = Path(tmp) / "idx"
            t = time.perf_counter()
            build_index(passages, out, stand_ins, progress=False, embedder=Embedder(1))
            build_s = time.perf_counter() - t
            sentences = sum(json.loads(f.read_text("utf-8"))["sentences"] for f in out.glob("shards/*/shard.json"))
            size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20
            child = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_search.py"),
                                    "--query-child", str(out)], capture_output=True, text=True, check=True)
            q = json.loads(child.stdout.strip().splitlines()[-1])
            t = time.perf_counter()
            added = build_index([*passages, *docs[n].passages], out, stand_ins, progress=False, embedder=Embedder(1))
            add_s = time.perf_counter() - t
            assert added.shards_linked == n, "adding a plan rewrote other shards"
            table.append(f"| {n} | {len(passages)} | {sentences} | {ingest_s:.1f} | {build_s:.1f} | {add_s:.1f} "
                         f"| {q['open_s']:.2f} | {q['first_query_s']:.2f} | {q['p50']:.1f} | {q['p95']:.1f} "
                         f"| {q['index_p50']:.1f} | {q['index_p95']:.1f} "
                         f"| {q['rss_mib']:.0f} | {size:.0f} |")
            for label, a in q["ann"].items():
                ann_rows.append(f"| {n} | {label} | {a['recall@10']:.3f} | {a['ann_ms']:.1f} | {a['flat_ms']:.1f} |")
            if not sample:
                texts = sorted({p.content for p in passages}, key=len)
                sample = texts[:: max(1, len(texts) // embed_sample)][:embed_sample]
            print(table[-1], flush=True)
    print("\nsearch index at scale (stand-in vectors in the index, real e5 + use on every query):")
    print("\n".join(table))
    if ann_rows:
        print("\napproximate (IVF) vs exact vector search, dev questions:\n"
              "| plans | vector set | recall@10 | ANN p50 ms | exact p50 ms |\n| --- | --- | --- | --- | --- |")
        print("\n".join(ann_rows))
    print(f"\nembedding throughput, texts/s (passages of the synthetic plans; workers single-threaded):\n"
          "| encoder | texts | 1 process (engine on all cores) | 2 worker processes (1 thread each) |\n| --- | --- | --- | --- |")
    print("\n".join(_embedding_rates(sample)))
