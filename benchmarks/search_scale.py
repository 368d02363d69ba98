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


def query_child(index_dir: str, ann: bool = True) -> None:
    """In a fresh process: open, warm up, time the dev questions (with the time the
    encoders took in each search), the index's own share, ANN recall; print JSON.

    It uses only what every version of the package has (``open_index``, ``Searcher``,
    the two encoders), so that the same child times an older checkout (``--baseline``).
    """
    from plangraph.search.encoders import E5Encoder, USEEncoder

    e5, use = E5Encoder(), USEEncoder()  # load the engines before faiss (OpenMP threads)
    e5.encode_queries(["预热"]), use.encode_queries(["预热"])
    base = _rss_mib()
    from plangraph.search.index import open_index
    from plangraph.search.read.searcher import Searcher

    t = time.perf_counter()
    index = open_index(index_dir, [e5, use])
    open_s = time.perf_counter() - t
    searcher = Searcher(index, [e5, use])
    queries = _questions()
    spans: list[tuple[float, float]] = []  # when each encoder call of this search ran
    for enc in (e5, use):
        def timed(texts: list[str], real: object = enc.encode_queries) -> object:
            t0 = time.perf_counter()
            try:
                return real(texts)  # type: ignore[operator]
            finally:
                spans.append((t0, time.perf_counter()))
        enc.encode_queries = timed  # type: ignore[method-assign]
    enc_ms: list[float] = []

    def search(q: str) -> None:
        # the searcher keeps the last queries' vectors (for the hits' strength); a timed
        # search must run the encoders as a new question does
        getattr(searcher, "_query_vectors", {}).clear()
        spans.clear()
        searcher.search(q)
        # wall time with an encoder running: calls on two threads at once count once
        busy, end = 0.0, float("-inf")
        for a, b in sorted(spans):
            busy += max(0.0, b - max(a, end))
            end = max(end, b)
        enc_ms.append(busy * 1000)

    t = time.perf_counter()
    search(queries[0])
    first_s = time.perf_counter() - t
    lat = warm_latencies(search, queries)
    enc_ms = enc_ms[-len(lat):]
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
    out = {"open_s": open_s, "first_query_s": first_s, "lat": lat, "enc": enc_ms, "lat_index": lat_index,
           "rss_mib": _rss_mib() - base, "passages": len(index), "ann": {}}
    for name, vs in [*index.dense.items(), *index.sentence_vectors.items()]:
        if vs.ann is None or not ann:
            continue
        enc = e5 if name == e5.name else use
        qv = type(enc).encode_queries(enc, queries)  # all of them, not the memo above
        approx_index, hits, lat_ann, lat_flat = vs.ann, [], [], []
        for v in qv:
            t = time.perf_counter()
            approx = set(vs.top(v, 10)[0].tolist())
            lat_ann.append((time.perf_counter() - t) * 1000)
            vs.ann = None
            t = time.perf_counter()
            exact = set(vs.top(v, 10)[0].tolist())
            lat_flat.append((time.perf_counter() - t) * 1000)
            vs.ann = approx_index
            hits.append(len(approx & exact) / 10)
        out["ann"][f"{name} ({len(vs)} rows)"] = {"recall@10": statistics.mean(hits),
                                                  "ann_ms": _pct(lat_ann)[0], "flat_ms": _pct(lat_flat[1:])[0]}
    print(json.dumps(out))


def _checkout(ref: str, into: Path) -> Path:
    """The ``src`` folder of commit ``ref`` of this repository, exported under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def _queries(index_dir: Path, src: Path, ann: bool) -> dict:  # type: ignore[type-arg]
    """Run :func:`query_child` on ``index_dir`` with the package from ``src``."""
    import os

    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_search.py"), "--query-child", str(index_dir)]
    if not ann:
        cmd.append("--no-ann")
    child = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(src)})
    if child.returncode:
        raise SystemExit(f"query run on {index_dir} with {src} failed:\n{child.stderr}")
    return json.loads(child.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _timed_queries(index_dir: Path, versions: dict[str, Path], rounds: int) -> dict[str, dict]:  # type: ignore[type-arg]
    """Each version's query figures, the versions' children taking turns ``rounds``
    times (so that a change in the machine's load falls on both alike); the
    latencies of a version's rounds are pooled."""
    out: dict[str, dict] = {}  # type: ignore[type-arg]
    for r in range(rounds):
        for label, src in versions.items():
            q = _queries(index_dir, src, ann=label == "after" and r == 0)
            if label not in out:
                out[label] = q
            else:
                for key in ("lat", "enc", "lat_index"):
                    out[label][key] += q[key]
    return out


def _embedding_rates(texts: list[str]) -> list[str]:
    from plangraph.search.encoders import E5Encoder, USEEncoder
    from plangraph.search.write.cache import EmbeddingCache
    from plangraph.search.write.embedding import Embedder

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


def _index_at(n: int, root: Path, stand_ins: list[StandIn]) -> tuple[Path, list[str]]:
    """The index of ``n`` synthetic plans under ``root`` (built unless it is there from
    an earlier ``--keep`` run), and its row of the build figures."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.write.build import build_index
    from plangraph.search.write.embedding import Embedder

    out = root / "idx"
    if (out / "manifest.json").is_file():
        return out, [str(json.loads((out / "manifest.json").read_text("utf-8"))["passages"]), "-", "-", "-"]
    files = write_corpus(root / "plans", n + 1)
    t = time.perf_counter()
    docs = [ingest_file(f) for f in files]
    ingest_s = (time.perf_counter() - t) * n / (n + 1)
    passages = [p for d in docs[:n] for p in d.passages]
    t = time.perf_counter()
    build_index(passages, out, stand_ins, progress=False, embedder=Embedder(1))
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    added = build_index([*passages, *docs[n].passages], out, stand_ins, progress=False, embedder=Embedder(1))
    add_s = time.perf_counter() - t
    assert added.shards_linked == n, "adding a plan rewrote other shards"
    build_index(passages, out, stand_ins, progress=False, embedder=Embedder(1))  # back to n plans
    return out, [str(len(passages)), f"{ingest_s:.1f}", f"{build_s:.1f}", f"{add_s:.1f}"]


def run(scales: list[int], embed_sample: int, *, baseline: str | None = None, keep: Path | None = None,
        rounds: int = 2) -> None:
    """Build (or reuse, with ``keep``) the index at each scale and time queries on it;
    with ``baseline`` (a git commit), the same queries on that commit's code, side by side."""
    from plangraph.search.encoders import E5Encoder, USEEncoder

    e5, use = E5Encoder(), USEEncoder()
    stand_ins = [StandIn(e5.name, 384, True), StandIn(use.name, 512, False)]
    table = ["| plans | passages | sentences | ingest s | index build s | add 1 plan s | open s | first query s "
             "| query p50 ms | query p95 ms | encoders p50 ms | index part p50 ms | index part p95 ms "
             "| search RSS MiB | index MiB |",
             "| --- |" + " --- |" * 14]
    versus = ["| plans | query p50 ms before → after | p95 ms before → after | encoders p50 ms before → after "
              "| index part p50 ms before → after | index part p95 ms before → after | p50 after/before |",
              "| --- |" + " --- |" * 6]
    ann_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        versions = {"after": ROOT / "src"}
        if baseline:
            versions = {"before": _checkout(baseline, Path(tmp)), **versions}
        for n in scales:
            root = (keep or Path(tmp)) / f"{n}-plans"
            out, built = _index_at(n, root, stand_ins)
            sentences = sum(json.loads(f.read_text("utf-8"))["sentences"] for f in out.glob("shards/*/shard.json"))
            size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20
            figures = _timed_queries(out, versions, rounds if baseline else 1)
            q = figures["after"]
            p50, p95 = _pct(q["lat"])
            table.append(f"| {n} | {built[0]} | {sentences} | {built[1]} | {built[2]} | {built[3]} "
                         f"| {q['open_s']:.2f} | {q['first_query_s']:.2f} | {p50:.1f} | {p95:.1f} "
                         f"| {_pct(q['enc'])[0]:.1f} | {_pct(q['lat_index'])[0]:.1f} | {_pct(q['lat_index'])[1]:.1f} "
                         f"| {q['rss_mib']:.0f} | {size:.0f} |")
            if baseline:
                b = figures["before"]
                cells = [f"{_pct(b[k])[i]:.1f} → {_pct(q[k])[i]:.1f}"
                         for k, i in (("lat", 0), ("lat", 1), ("enc", 0), ("lat_index", 0), ("lat_index", 1))]
                versus.append(f"| {n} | {' | '.join(cells)} | {p50 / _pct(b['lat'])[0]:.2f} |")
            for label, a in q["ann"].items():
                ann_rows.append(f"| {n} | {label} | {a['recall@10']:.3f} | {a['ann_ms']:.1f} | {a['flat_ms']:.1f} |")
            print(table[-1], flush=True)
    print("\nsearch index at scale (stand-in vectors in the index, real e5 + use on every query; "
          "'-': index reused from --keep):")
    print("\n".join(table))
    if baseline:
        print(f"\nwarm hybrid query, {baseline} (before) vs this checkout (after), same index, "
              f"{rounds} alternating runs each:")
        print("\n".join(versus))
    if ann_rows:
        print("\napproximate (IVF) vs exact vector search, dev questions:\n"
              "| plans | vector set | recall@10 | ANN p50 ms | exact p50 ms |\n| --- | --- | --- | --- | --- |")
        print("\n".join(ann_rows))
    if embed_sample > 0:
        sample = _sample_texts(scales[0], keep, embed_sample)
        print("\nembedding throughput, texts/s (passages of the synthetic plans; workers single-threaded):\n"
              "| encoder | texts | 1 process (engine on all cores) | 2 worker processes (1 thread each) |\n"
              "| --- | --- | --- | --- |")
        print("\n".join(_embedding_rates(sample)))


def _sample_texts(n: int, keep: Path | None, size: int) -> list[str]:
    """``size`` passages spread over the lengths of ``n`` synthetic plans."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    from plangraph.ingest.pipeline import ingest_file

    with tempfile.TemporaryDirectory() as tmp:
        files = write_corpus(Path(tmp), n)
        texts = sorted({p.content for f in files for p in ingest_file(f).passages}, key=len)
    return texts[:: max(1, len(texts) // size)][:size]
