"""Lexical engines over the same character-bigram terms, at N synthetic plans.

Compares the JSON postings the index used to keep (rebuilt here as the reference:
the same BM25 formula, exact document lengths), ``bm25s`` (one index; and one index
per plan, which keeps adding a plan cheap but scores with per-plan IDF) and tantivy
(:mod:`plangraph.search.lexical_index`, the engine chosen): build time (tantivy's
includes making the terms; the others get them made), size on disk,
open time, query p50/p95, top-10 overlap with the reference, adding and removing one
plan, and exact-phrase lookup against a scan of every passage.

Usage::

    .venv/bin/python benchmarks/bench_lexical.py --plans 630

``bm25s`` is optional (the ``dev`` extra installs it); without it its rows are skipped.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["乡村教师", "学前教育普及普惠", "教师队伍建设", "职业教育产教融合", "义务教育优质均衡", "智慧教育",
           "课后服务", "特殊教育", "心理健康教育", "劳动教育", "师德师风建设", "集团化办学", "普通高中多样化特色发展",
           "终身学习体系", "教育数字化转型", "托育服务", "如何推进城乡教育一体化？", "学前教育毛入园率要达到多少",
           "新建改扩建学校项目有哪些"]


def _pct(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"{statistics.median(xs):.1f} | {xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]:.1f}"


def _timed(fn, reps: int = 5) -> str:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(reps):
        for q in QUERIES:
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
    return _pct(out)


def _size(path: Path) -> float:
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20


def _top(scores, k: int = 100):  # type: ignore[no-untyped-def]
    """The best ``k`` rows of a score array, best first (what every engine returns)."""
    import numpy as np

    k = min(k, len(scores))
    cand = np.argpartition(-scores, k - 1)[:k]
    return cand[np.argsort(-scores[cand], kind="stable")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=630)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import numpy as np
    from synth import write_corpus

    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.lexical import STOP_TERMS, tokenize
    from plangraph.search.lexical_index import LexicalIndex, shard_key
    from plangraph.text import fold_compact

    tmp = Path(tempfile.mkdtemp())
    try:
        docs = [ingest_file(f) for f in write_corpus(tmp / "plans", args.plans)]
        texts = [p.content for d in docs for p in d.passages]
        plan_rows: dict[str, list[int]] = {}
        for i, p in enumerate(p for d in docs for p in d.passages):
            plan_rows.setdefault(p.plan_id, []).append(i)
        n = len(texts)
        toks = [tokenize(t) for t in texts]
        print(f"{n} passages of {len(docs)} synthetic plans")
        qterms = {q: sorted({t for t in tokenize(q) if t not in STOP_TERMS}) for q in QUERIES}
        rows = ["| engine | build s | disk MiB | open s | p50 ms | p95 ms | top-10 overlap | add plan s | remove plan s |",
                "| --- |" + " --- |" * 8]

        # the reference: JSON postings, exact lengths (the index before tantivy)
        t = time.perf_counter()
        post: dict[str, list[list[int]]] = {}
        for row, ts in enumerate(toks):
            for term, tf in Counter(ts).items():
                post.setdefault(term, []).append([row, tf])
        (tmp / "lexical.json").write_text(json.dumps({"doc_len": [len(ts) for ts in toks], "postings": post}))
        build = time.perf_counter() - t
        t = time.perf_counter()
        data = json.loads((tmp / "lexical.json").read_text())
        open_s = time.perf_counter() - t
        lengths = np.asarray(data["doc_len"], dtype=np.float32)
        avg = float(lengths.mean())

        def ref_scores(q: str) -> np.ndarray:
            out = np.zeros(n, dtype=np.float32)
            for term in qterms[q]:
                pl = data["postings"].get(term)
                if not pl:
                    continue
                idf = math.log(1.0 + (n - len(pl) + 0.5) / (len(pl) + 0.5))
                r = np.array([a for a, _ in pl])
                f = np.array([b for _, b in pl], dtype=np.float32)
                out[r] += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * lengths[r] / avg))
            return out

        ref = {q: ref_scores(q) for q in QUERIES}

        def overlap(top) -> str:  # type: ignore[no-untyped-def]
            shares = []
            for q in QUERIES:
                s = ref[q]
                tenth = np.sort(s)[-10]
                if tenth <= 0:
                    continue
                # ties count as equal: synthetic plans share sentences, so scores tie often
                shares.append(np.mean([s[int(i)] >= tenth * (1 - 1e-3) for i in list(top(q))[:10]]))
            return f"{np.mean(shares):.2f}"

        rows.append(f"| JSON postings (before) | {build:.1f} | {_size(tmp / 'lexical.json'):.0f} | {open_s:.2f} | "
                    f"{_timed(lambda q: _top(ref_scores(q)))} | 1.00 | - | - |")

        try:
            import bm25s
        except ImportError:
            bm25s = None
        if bm25s is not None:
            t = time.perf_counter()
            bm = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
            bm.index(toks, show_progress=False)
            bm.save(str(tmp / "bm25s"))
            build = time.perf_counter() - t
            t = time.perf_counter()
            bm = bm25s.BM25.load(str(tmp / "bm25s"), mmap=True)
            open_s = time.perf_counter() - t
            vocab = bm.vocab_dict

            def bm_top(q: str) -> list[int]:
                ids = [vocab[x] for x in qterms[q] if x in vocab]
                return _top(bm.get_scores_from_ids(ids)).tolist() if ids else []

            rows.append(f"| bm25s, one index | {build:.1f} | {_size(tmp / 'bm25s'):.0f} | {open_s:.2f} | "
                        f"{_timed(bm_top)} | {overlap(bm_top)} | rebuild | rebuild |")
            t = time.perf_counter()
            shards = []
            for plan, idx in plan_rows.items():
                b = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
                b.index([toks[i] for i in idx], show_progress=False)
                shards.append((b, np.asarray(idx)))
            build = time.perf_counter() - t

            def shard_top(q: str) -> list[int]:
                s_all, i_all = [], []
                for b, idx in shards:
                    ids = [b.vocab_dict[x] for x in qterms[q] if x in b.vocab_dict]
                    if ids:
                        s = b.get_scores_from_ids(ids)
                        s_all.append(s)
                        i_all.append(idx)
                if not s_all:
                    return []
                s, i = np.concatenate(s_all), np.concatenate(i_all)
                return i[_top(s)].tolist()

            rows.append(f"| bm25s, one index per plan (per-plan IDF) | {build:.1f} | - | - | {_timed(shard_top, 2)} "
                        f"| {overlap(shard_top)} | {build / len(shards):.3f} | - |")

        t = time.perf_counter()
        lex = LexicalIndex.create(tmp / "tantivy")
        lex.add_shards((plan, plan, [texts[i] for i in idx]) for plan, idx in plan_rows.items())
        build = time.perf_counter() - t
        t = time.perf_counter()
        lex = LexicalIndex.open(tmp / "tantivy")
        len(lex)
        open_s = time.perf_counter() - t
        first = {shard_key(plan): idx[0] for plan, idx in plan_rows.items()}

        def tv_top(q: str) -> list[int]:
            return [r for r, _ in lex.scores(q, 100, first)]

        size = _size(tmp / "tantivy")
        plan0 = next(iter(plan_rows))
        t = time.perf_counter()
        lex.remove_plans([plan0])
        removed = time.perf_counter() - t
        t = time.perf_counter()
        lex.add_shards([(plan0, plan0, [texts[i] for i in plan_rows[plan0]])])
        added = time.perf_counter() - t
        rows.append(f"| tantivy (chosen) | {build:.1f} | {size:.0f} | {open_s:.2f} | {_timed(tv_top)} | "
                    f"{overlap(tv_top)} | {added:.2f} | {removed:.2f} |")

        folded = [fold_compact(t) for t in texts]
        phrases = [q for q in QUERIES if len(q) >= 3 and q.isalnum()]

        def scan(q: str) -> list[int]:
            return [i for i, f in enumerate(folded) if q in f]

        def engine(q: str) -> list[int]:
            return [r for r, _ in lex.phrase_candidates(q, q, n, first) if q in folded[r]]

        same = sum(sorted(scan(q)) == sorted(engine(q)) for q in phrases)
        print("\n".join(rows))
        print(f"\nexact phrase ({len(phrases)} phrases): scan of every passage p50 | p95 ms {_timed(scan, 1)}; "
              f"tantivy candidates checked on the text {_timed(engine)}; same passages for {same}/{len(phrases)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
