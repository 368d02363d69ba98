"""Search benchmark: encoder load time and throughput, build time, query latency,
peak memory, and the retrieval ablation on the dev question set.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_search.py                # timings only
    .venv/bin/python benchmarks/bench_search.py --ablation     # plus the ablation tables
    .venv/bin/python benchmarks/bench_search.py --scale 4 --scale 50 --scale 500   # index at scale
    .venv/bin/python benchmarks/bench_search.py --scale 500 --baseline main --keep /tmp/scale  # vs main's code

The corpus is the four shared plans: the district plans from ``corpus/`` and the
national plans from ``../shared/plans``. Embeddings for the ablation are cached in
``--cache`` (default ``~/.cache/plangraph/bench-embeddings``); throughput is measured separately,
on uncached passages, so the cache does not flatter it.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PLAN_FILES = {
    # question-file plan key -> plan text (as dev_questions.json's "about" defines them)
    "linan": ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt",
    "linping": ROOT / "corpus" / "linping-education-14th-fyp.excerpt.txt",
    "national-2010": SHARED / "plans" / "national-education-reform-outline-2010-2020.txt",
    "national-2035": SHARED / "plans" / "national-china-education-modernization-2035.txt",
}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _row(label: str, report: object) -> str:
    cells = [label]
    for m in (report.overall, report.by_language.get("zh"), report.by_language.get("en")):  # type: ignore[attr-defined]
        cells += [f"{m.recall_at_5:.3f}", f"{m.recall_at_10:.3f}", f"{m.mrr_at_10:.3f}"] if m else ["-"] * 3
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev_questions.json")
    parser.add_argument("--questions-en", type=Path, default=ROOT / "benchmarks" / "data" / "dev_questions_en.json",
                        help="English versions of the Chinese questions")
    parser.add_argument("--questions-national", type=Path,
                        default=ROOT / "benchmarks" / "data" / "national_questions.json",
                        help="questions only the national documents answer")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "plangraph" / "bench-embeddings")
    parser.add_argument("--sample", type=int, default=128, help="passages timed per encoder (uncached)")
    parser.add_argument("--ablation", action="store_true", help="also print the ablation table")
    parser.add_argument("--scale", type=int, action="append", metavar="N",
                        help="instead: the index at N synthetic plans (repeatable; see benchmarks/search_scale.py)")
    parser.add_argument("--embed-sample", type=int, default=256,
                        help="with --scale: texts timed per encoder (0: skip the throughput table)")
    parser.add_argument("--baseline", metavar="REF",
                        help="with --scale: also time the queries with the code of this git commit, side by side")
    parser.add_argument("--rounds", type=int, default=2,
                        help="with --baseline: alternating query runs per version (default 2)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="with --scale: keep the synthetic indexes in DIR/<N>-plans and reuse them next time")
    parser.add_argument("--query-child", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--no-ann", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.query_child or args.scale:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import search_scale

        if args.query_child:
            search_scale.query_child(args.query_child, ann=not args.no_ann)
        else:
            search_scale.run(args.scale, args.embed_sample, baseline=args.baseline, keep=args.keep,
                             rounds=args.rounds)
        return 0

    from plangraph.search.encoders import E5Encoder, USEEncoder

    e5, use = E5Encoder(), USEEncoder()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    e5.encode_queries(["预热"])
    timings[e5.name] = time.perf_counter() - t
    t = time.perf_counter()
    use.encode_queries(["预热"])
    timings[use.name] = time.perf_counter() - t

    from plangraph.analysis.evaluate import evaluate
    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.lexical_index import LexicalIndex
    from plangraph.search.read.fusion import FusionConfig
    from plangraph.search.read.scope import PlanProfile
    from plangraph.search.read.searcher import EXACT, LEXICAL, Searcher
    from plangraph.search.write.build import build_index, embed_text, open_index
    from plangraph.text import sentences

    docs = {key: ingest_file(path) for key, path in PLAN_FILES.items()}
    passages = [p for doc in docs.values() for p in doc.passages]
    plan_ids = {key: doc.plan_id for key, doc in docs.items()}
    profiles = [PlanProfile.from_meta(doc.meta) for doc in docs.values()]
    print(f"corpus: {len(passages)} passages from {len(docs)} plans; {sys.version.split()[0]}")

    texts = sorted({embed_text(p) for p in passages}, key=len)
    step = max(1, len(texts) // args.sample)
    sample = texts[::step][: args.sample]
    units = sorted({s for p in passages for s in sentences(p.content)}, key=len)
    n_sentences = sum(len(sentences(p.content)) for p in passages)
    unit_sample = units[:: max(1, len(units) // args.sample)][: args.sample]
    print("\n| encoder | load (s) | passages/s (n, mean chars) | sentences/s (n, mean chars) |\n"
          "| --- | --- | --- | --- |")
    for enc in (e5, use):
        cells = []
        for batch in (sample, unit_sample):
            t = time.perf_counter()
            enc.encode_passages(batch)
            rate = len(batch) / (time.perf_counter() - t)
            cells.append(f"{rate:.1f} ({len(batch)}, {statistics.mean(len(s) for s in batch):.0f})")
        print(f"| {enc.name} | {timings[enc.name]:.2f} | {cells[0]} | {cells[1]} |")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench"
        t = time.perf_counter()
        report = build_index(passages, out, [e5, use], cache_dir=args.cache, progress=False)
        build_s = time.perf_counter() - t
        print(f"\nbuild: {build_s:.1f} s for {report.passages} passages and {n_sentences} sentences "
              f"(embedded now: passages {dict(report.embedded)}, sentences {dict(report.sentences_embedded)}; "
              "the rest from the cache)")
        t = time.perf_counter()
        index = open_index(out, [e5, use])
        print(f"open index: {time.perf_counter() - t:.2f} s")
        searcher = Searcher(index, [e5, use], plans=profiles)

        from plangraph.analysis.evaluate import load_questions

        queries = [q.q for q in load_questions(args.questions)]
        from search_scale import warm_latencies

        lat = sorted(warm_latencies(searcher.search, queries))
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        print(f"query latency, warm, hybrid e5+use+bm25+exact (n={len(lat)}): "
              f"p50 {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms")

        if args.ablation:
            E, U = e5.name, use.name
            # the default index scores e5 by sentence; these score passages whole ("none")
            # or score usem3 by sentence too ("all")
            indexes = {"auto": index}
            for level in ("none", "all"):
                build_index(passages, Path(tmp) / level, [e5, use], sentence_level=level,
                            cache_dir=args.cache, progress=False)
                indexes[level] = open_index(Path(tmp) / level, [e5, use])
            lexicals = {"bigram": index.lexical}
            for m in ("jieba", "bigram+jieba"):
                lexicals[m] = LexicalIndex.create(Path(tmp) / f"lexical-{m}", m)
                lexicals[m].add_shards((s.passages[0].plan_id, name, [p.content for p in s.passages])
                                       for name, s in index.shards)
            both = ("zh", "en")
            X = EXACT
            configs = [
                ("e5 alone, whole passages", "none", [E], "bigram", FusionConfig()),
                ("e5 alone, best sentence", "auto", [E], "bigram", FusionConfig()),
                ("use alone, whole passages", "auto", [U], "bigram", FusionConfig()),
                ("use alone, best sentence", "all", [U], "bigram", FusionConfig()),
                ("bm25 bigram alone", "auto", [LEXICAL], "bigram", FusionConfig(lexical_languages=both)),
                ("bm25 jieba-search alone", "auto", [LEXICAL], "jieba", FusionConfig(lexical_languages=both)),
                ("bm25 bigram+jieba alone", "auto", [LEXICAL], "bigram+jieba", FusionConfig(lexical_languages=both)),
                ("e5+use, whole passages", "none", [E, U], "bigram", FusionConfig()),
                ("e5+use, e5 best sentence", "auto", [E, U], "bigram", FusionConfig()),
                ("e5+bm25, whole passages", "none", [E, LEXICAL], "bigram", FusionConfig()),
                ("e5+bm25, e5 best sentence", "auto", [E, LEXICAL], "bigram", FusionConfig()),
                ("before: e5+use+bm25, whole passages, en not expanded", "none", [E, U, LEXICAL], "bigram",
                 FusionConfig(expand=False, out_of_scope=1.0)),
                ("e5+use+bm25, whole passages", "none", [E, U, LEXICAL], "bigram", FusionConfig()),
                ("e5+use+bm25, e5 best sentence", "auto", [E, U, LEXICAL], "bigram", FusionConfig()),
                ("e5+use+bm25+exact, whole passages", "none", [E, U, LEXICAL, X], "bigram", FusionConfig()),
                ("e5+use+bm25+exact, both best sentence", "all", [E, U, LEXICAL, X], "bigram", FusionConfig()),
                ("default, bm25 jieba-search", "auto", [E, U, LEXICAL, X], "jieba", FusionConfig()),
                ("default, bm25 bigram+jieba", "auto", [E, U, LEXICAL, X], "bigram+jieba", FusionConfig()),
                ("default, no glossary for en", "auto", [E, U, LEXICAL, X], "bigram", FusionConfig(translate=False)),
                ("default, bm25 on en too", "auto", [E, U, LEXICAL, X], "bigram", FusionConfig(lexical_languages=both)),
                ("default, k=20", "auto", [E, U, LEXICAL, X], "bigram", FusionConfig(rrf_k=20)),
                ("default, bm25 x2", "auto", [E, U, LEXICAL, X], "bigram", FusionConfig(weights={LEXICAL: 2.0})),
                ("default, en not expanded for the encoders", "auto", [E, U, LEXICAL, X], "bigram",
                 FusionConfig(expand=False)),
                ("default, all plans alike (no scope)", "auto", [E, U, LEXICAL, X], "bigram",
                 FusionConfig(out_of_scope=1.0)),
                ("**default: e5 best sentence + use + bm25 bigram + exact, k=60**", "auto", [E, U, LEXICAL, X],
                 "bigram", FusionConfig()),
            ]
            header = ("| config | R@5 | R@10 | MRR@10 | zh R@5 | zh R@10 | zh MRR | en R@5 | en R@10 | en MRR |\n"
                      "| --- |" + " --- |" * 9)
            for scoped in (False, True):
                title = "searched within the question's plan" if scoped else "whole corpus (four plans)"
                print(f"\nablation, {title}:\n{header}")
                for label, level, retrievers, mode, fusion in configs:
                    chosen = indexes[level]
                    own = chosen.lexical
                    if mode != "bigram":  # the other tokenisations are indexed for the default shards
                        chosen.lexical = lexicals[mode]
                    s = Searcher(chosen, [e5, use], fusion=fusion, plans=profiles)
                    rep = evaluate(args.questions, s, plan_ids=plan_ids if scoped else None,
                                   retrievers=retrievers)
                    print(_row(label, rep))
                    chosen.lexical = own

            print(f"\n{args.questions_en.name}, whole corpus:\n{header}")
            for label, level, retrievers, mode, fusion in configs:
                if label.startswith(("**default", "default, no glossary", "default, en not", "e5+use+bm25, whole",
                                     "before", "default, all plans")):
                    s = Searcher(indexes[level], [e5, use], fusion=fusion, plans=profiles)
                    print(_row(label, evaluate(args.questions_en, s, retrievers=retrievers)))

            # the scope prior (plangraph.search.read.scope): passages outside the plans a question is
            # about weigh out_of_scope; 1 ranks all plans alike
            # national_questions.json: answers only the national documents give, to measure the cost
            print(f"\nscope weight and coverage check, default retrievers, whole corpus:\n{header}")
            for weight, agree in ((1.0, 2), (0.95, 2), (0.9, 2), (0.8, 2), (0.6, 2), (0.0, 2), (0.8, 0)):
                s = Searcher(index, [e5, use], fusion=FusionConfig(out_of_scope=weight, scope_agree=agree),
                             plans=profiles)
                default = " (default)" if (weight, agree) == (0.8, 2) else ""
                for qfile in (args.questions, args.questions_en, args.questions_national):
                    print(_row(f"out_of_scope={weight}, scope_agree={agree}{default}, {qfile.stem}",
                               evaluate(qfile, s)))
            print(f"\neach retriever alone, all plans alike (out_of_scope=1):\n{header}")
            for label, retrievers, langs in (("e5 alone, best sentence", [E], ("zh",)), ("use alone", [U], ("zh",)),
                                             ("bm25 bigram alone", [LEXICAL], both)):
                fusion = FusionConfig(out_of_scope=1.0, lexical_languages=langs)
                s = Searcher(index, [e5, use], fusion=fusion, plans=profiles)
                print(_row(label, evaluate(args.questions, s, retrievers=retrievers)))

            ctx_dir = Path(tmp) / "ctx"
            build_index(passages, ctx_dir, [e5, use], context="section", sentence_level="none",
                        cache_dir=args.cache, progress=False)
            ctx_searcher = Searcher(open_index(ctx_dir, [e5, use]), [e5, use], plans=profiles)
            print(f"\nsection path prepended before embedding (whole passages):\n{header}")
            for label, retrievers in (("e5 alone", [E]), ("use alone", [U]),
                                      ("e5+use+bm25+exact", [E, U, LEXICAL, EXACT])):
                print(_row(label, evaluate(args.questions, ctx_searcher, retrievers=retrievers)))
            print("\nper question, default config, whole corpus:")
            print(evaluate(args.questions, searcher).table())

    print(f"\npeak memory (ru_maxrss): {_peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
