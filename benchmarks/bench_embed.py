"""Embedding the real corpus: texts per second of the default encoders, and what 3,000
real plans would take, in this process, on worker processes and on a Dask cluster.

The texts are those a build embeds for the real plans (``../shared/plans`` and
``corpus/``, ingested as a build does): for each default encoder, its passage texts, or
its sentences where it embeds sentences (``sentence_level="auto"``, then the passage
rows are means of the sentence rows, :mod:`plangraph.search.shard`). A sample of them
(the same texts for every way, cut to ``--sample`` per encoder, spread over the plans)
is embedded through :class:`plangraph.search.write.embedding.Embedder`, the class ``plangraph
build`` embeds with, into an empty in-memory cache each time:

* ``in process``: ``Embedder(1)``, the engine's own threads;
* ``2 workers``: ``Embedder(2)``, two single-threaded worker processes
  (``plangraph build --workers 2``);
* ``Dask LocalCluster``: ``Embedder(2, "local")``, a Dask ``LocalCluster`` of two
  single-threaded worker processes (``plangraph build --scheduler local --workers 2``;
  ``--scheduler tcp://HOST:8786`` sends the same tasks to a running cluster, the
  README's path past one machine).

Worker processes are started and their models loaded before the clock starts (a warm-up
fill of other texts). The projection for 3,000 plans multiplies the mean texts per plan
of the real plans (district and national apart, the Linping excerpt left out as it is a
fragment of a plan, and a corpus of 95% district plans) by
3,000 and divides by each way's rate; both encoders run one after the other in a build,
so their times add up. The machine's load average is printed before each timing: other
jobs share its cores, so compare within one run.

Usage::

    python benchmarks/bench_embed.py [--sample 256] [--plans 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared")) / "plans"
DISTRICT_SHARE = 0.95


def real_plans() -> list[Path]:
    """The real plan texts: ``corpus/`` and ``../shared/plans`` (one copy of each name)."""
    seen: dict[str, Path] = {}
    for folder in (ROOT / "corpus", SHARED):
        for path in sorted(folder.glob("*.txt")):
            seen.setdefault(path.name, path)
    return list(seen.values())


def texts_by_encoder(encoders: list[object]) -> tuple[dict[str, dict[str, list[str]]], set[str]]:
    """encoder name → plan id → the texts a build embeds for that plan with it; and the
    encoders that embed sentences."""
    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.write.plan_shard import plan_shard

    out: dict[str, dict[str, list[str]]] = {e.name: {} for e in encoders}  # type: ignore[attr-defined]
    sentence_level: set[str] = set()
    for path in real_plans():
        doc = ingest_file(path)
        shard = plan_shard(doc.passages, encoders, sentence_level="auto")  # type: ignore[arg-type]
        sentence_level.update(shard.sentence_encoders)
        for enc in encoders:
            out[enc.name][doc.plan_id] = shard.texts_for(enc)  # type: ignore[attr-defined,arg-type]
    return out, sentence_level


def spread(per_plan: dict[str, list[str]], size: int) -> list[str]:
    """Up to ``size`` distinct texts taken in turn from each plan."""
    pools = [list(dict.fromkeys(texts)) for texts in per_plan.values()]
    out: list[str] = []
    i = 0
    while len(out) < size and any(i < len(p) for p in pools):
        out += [p[i] for p in pools if i < len(p)]
        i += 1
    return out[:size]


def rate(enc: object, texts: list[str], workers: int, scheduler: str | None) -> float:
    """Texts per second of one way, its workers started and their models loaded first."""
    from plangraph.search.write.cache import EmbeddingCache
    from plangraph.search.write.embedding import Embedder

    with Embedder(workers, scheduler, batch_size=32) as em:
        em.fill(enc, [f"预热文本{i}" for i in range(64 * workers)], EmbeddingCache())  # type: ignore[arg-type]
        t0 = time.perf_counter()
        n = em.fill(enc, texts, EmbeddingCache())  # type: ignore[arg-type]
        return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=256, help="texts timed per encoder and way")
    ap.add_argument("--plans", type=int, default=3000, help="plans of the projection")
    args = ap.parse_args()

    from plangraph.search.encoders import DEFAULT_ENCODERS, get_encoder

    encoders = [get_encoder(name) for name in DEFAULT_ENCODERS]
    per_encoder, sentence_level = texts_by_encoder(encoders)
    national = {pid for pid in next(iter(per_encoder.values())) if pid.startswith("national")}
    excerpts = {pid for pid in next(iter(per_encoder.values())) if "excerpt" in pid or pid == "linping"}
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} (other jobs share the machine)")
    print("\ntexts a build embeds per real plan (passages, or sentences for a sentence-level encoder):\n")
    print("| encoder | embeds | " + " | ".join(next(iter(per_encoder.values()))) + " |")
    print("|---|---|" + "---|" * len(next(iter(per_encoder.values()))))
    means: dict[str, float] = {}
    for enc in encoders:
        plans = per_encoder[enc.name]
        unit = "sentences" if enc.name in sentence_level else "passages"
        district = [len(t) for p, t in plans.items() if p not in national and p not in excerpts] or [0]
        nat = [len(t) for p, t in plans.items() if p in national] or [0]
        means[enc.name] = DISTRICT_SHARE * statistics.mean(district) + (1 - DISTRICT_SHARE) * statistics.mean(nat)
        print(f"| {enc.name} | {unit} | " + " | ".join(str(len(t)) for t in plans.values()) + " |")
    ways = (("in process", 1, None), ("2 workers", 2, None), ("Dask LocalCluster, 2 workers", 2, "local"))
    print(f"\ntexts/s ({args.sample} texts per encoder, the same for every way; batches of 32):\n")
    print("| encoder | mean chars | " + " | ".join(w for w, _, _ in ways) + " |")
    print("|---|---|" + "---|" * len(ways))
    rates: dict[str, list[float]] = {}
    for enc in encoders:
        sample = spread(per_encoder[enc.name], args.sample)
        enc.encode_passages(["预热"])  # the in-process model loaded before the clock
        cells = []
        for _label, workers, scheduler in ways:
            load = os.getloadavg()[0]
            r = rate(enc, sample, workers, scheduler)
            rates.setdefault(enc.name, []).append(r)
            cells.append(f"{r:.1f} (load {load:.1f})")
        print(f"| {enc.name} | {statistics.mean(len(t) for t in sample):.0f} | " + " | ".join(cells) + " |",
              flush=True)
    print(f"\n{args.plans} real plans ({DISTRICT_SHARE:.0%} district-level, texts per plan as above), "
          "hours of embedding:\n")
    print("| way | " + " | ".join(e.name for e in encoders) + " | both |")
    print("|---|" + "---|" * (len(encoders) + 1))
    for i, (label, _, _) in enumerate(ways):
        hours = [means[e.name] * args.plans / rates[e.name][i] / 3600 for e in encoders]
        print(f"| {label} | " + " | ".join(f"{h:.1f}" for h in hours) + f" | {sum(hours):.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
