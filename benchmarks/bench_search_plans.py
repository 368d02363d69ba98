"""Warm search at many plans without building them: the search index of K copies of a
built index's plans, timed with versions of the code side by side.

A 3,000-plan build takes over an hour on two cores; the search index of 3,000 plans
needs only their passages, embedded with the index's encoder (the fake one: the
index's own part of a search, as ``bench_scale.py`` measures it). So the plans of a
built index (say 500) are taken ``--copies`` times, each copy's plan ids (and passage
ids) suffixed ``-cK``, with the plans' metadata (titles, regions, levels, periods) as
the searcher's plan profiles, as ``Workspace`` gives them; the index is written once
to ``--work`` and reused. Then each ``--src`` opens it in a child process, warms up on
the dev questions of ``../shared/eval`` and times ``Searcher.search`` over them
``--rounds`` times (A B B A …, the load beside each), printing p50 / p95 per version and,
with ``--profile``, each version's functions of most own time::

    git -C /work/main archive c640ee4 src | tar -x -C /tmp/before
    python benchmarks/bench_search_plans.py --index /tmp/ix500 --copies 6 --work /tmp/s3000 \\
        --src /tmp/before/src --src src --rounds 2

What ``Workspace.search`` adds per hit (the entities of each of the ten hits) is not in
these figures; it does not depend on the number of plans.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared"))

CHILD = r"""
import cProfile, io, json, pstats, sys, time
from plangraph.analysis.evaluate import load_questions
from plangraph.search.encoders import get_encoder
from plangraph.search.index import open_index
from plangraph.search.read.scope import PlanProfile
from plangraph.search.read.searcher import Searcher

folder, questions, rounds, profile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
setup = json.loads(open(folder + "/setup.json", encoding="utf-8").read())
encoders = [get_encoder(e) for e in setup["encoders"]]
t = time.perf_counter()
searcher = Searcher(open_index(folder + "/search", encoders), encoders,
                    plans=[PlanProfile.from_meta(m) for m in setup["metas"]])
qs = [q.q for q in load_questions(questions)]
for q in qs:
    searcher.search(q)
warm_s = time.perf_counter() - t
lat = []
for _ in range(rounds):
    for q in qs:
        t = time.perf_counter()
        searcher.search(q)
        lat.append((time.perf_counter() - t) * 1000)
top = ""
if profile:
    p = cProfile.Profile()
    p.enable()
    for q in qs:
        searcher.search(q)
    p.disable()
    out = io.StringIO()
    pstats.Stats(p, stream=out).sort_stats("tottime").print_stats(15)
    top = out.getvalue()
print(json.dumps({"lat": lat, "open_and_warm_s": warm_s, "passages": len(searcher.index), "profile": top}))
"""


ADD_CHILD = r"""
import json, shutil, sys, time
from pathlib import Path
from plangraph.search.encoders import get_encoder
from plangraph.search.write.build import update_index
from plangraph.search.write.embedding import Embedder

work, extra = Path(sys.argv[1]), Path(sys.argv[2])
setup = json.loads((work / "setup.json").read_text("utf-8"))
manifest = json.loads((work / "search" / "manifest.json").read_text("utf-8"))
encoders = [get_encoder(e) for e in setup["encoders"]]
from plangraph.ingest.pipeline import ingest_file
new = ingest_file(extra).passages
plans = [(pid, (lambda: []), True) for pid in manifest["shards"]] + [(new[0].plan_id, lambda: new, False)]
out = work / "added"
t = time.perf_counter()
with Embedder(1) as embedder:
    update_index(plans, out, encoders, sentence_level=setup["sentence_level"], progress=False, embedder=embedder,
                 previous=work / "search", shard_pool=work / "shards")
seconds = time.perf_counter() - t
shard = (out / json.loads((out / "manifest.json").read_text("utf-8"))["shards"][new[0].plan_id]).resolve()
shutil.rmtree(out)
shutil.rmtree(shard)  # the next run writes it again
print(json.dumps({"seconds": seconds}))
"""


def build(index: Path, copies: int, work: Path) -> None:
    """The search index of ``copies`` copies of ``index``'s plans, and their profiles, in ``work``."""
    from plangraph.model import Passage
    from plangraph.search.encoders import get_encoder
    from plangraph.search.write.build import update_index
    from plangraph.search.write.embedding import Embedder

    if (work / "setup.json").is_file():
        return
    manifest = json.loads((index / "manifest.json").read_text("utf-8"))
    encoders = [get_encoder(e) for e in manifest["encoders"]]
    plans, metas = [], []
    for k in range(copies):
        for pid, plan in manifest["plans"].items():
            shard = index / "plans" / plan["shard"]
            new = pid if k == 0 else f"{pid}-c{k}"

            def load(shard: Path = shard, pid: str = pid, new: str = new) -> list[Passage]:
                rows = json.loads((shard / "passages.json").read_text("utf-8"))
                return [Passage(**{**r, "plan_id": new, "passage_id": r["passage_id"].replace(pid, new, 1),
                                   "section_path": tuple(r["section_path"])}) for r in rows]

            plans.append((new, load, False))
            meta = json.loads((shard / "plan.json").read_text("utf-8"))["meta"]
            metas.append({**meta, "plan_id": new})
    t = time.perf_counter()
    with Embedder(1) as embedder:
        update_index(plans, work / "search", encoders, sentence_level=manifest.get("sentence_level", "auto"),
                     progress=False, embedder=embedder, shard_pool=work / "shards")
    print(f"search index of {len(plans)} plans written in {time.perf_counter() - t:.0f} s", flush=True)
    (work / "setup.json").write_text(json.dumps({"encoders": manifest["encoders"], "metas": metas,
                                                 "sentence_level": manifest.get("sentence_level", "auto")},
                                                ensure_ascii=False), "utf-8")


def add_one(work: Path, srcs: list[Path], order: list[Path]) -> None:
    """Seconds of the search stage of adding one plan (``update_index`` with the index as
    the previous generation and the shard pool beside it, as a workspace's change runs it)."""
    import dataclasses

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synth import generate

    plan = dataclasses.replace(next(generate(1, seed=99)), plan_id="synth-extra")
    extra = work / "extra" / "synth-extra.txt"
    extra.parent.mkdir(exist_ok=True)
    extra.write_text(plan.text, "utf-8")
    extra.with_suffix(".meta.toml").write_text(plan.meta_toml(), "utf-8")
    times: dict[str, list[str]] = {str(s): [] for s in srcs}
    for src in order:
        load = _load()
        env = {**os.environ, "PYTHONPATH": str(src.resolve())}
        out = subprocess.run([sys.executable, "-c", ADD_CHILD, str(work), str(extra)], capture_output=True,
                             text=True, env=env)
        if out.returncode:
            raise SystemExit(f"adding with {src} failed:\n{out.stderr[-3000:]}")
        seconds = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
        times[str(src)].append(f"{seconds:.2f} (load {load})")
        print(f"{src}: search stage of adding one plan {seconds:.2f} s; load {load}", flush=True)
    print("\n| version | search stage of add 1 plan, s (each run) |\n|---|---|")
    for src in srcs:
        print(f"| {src} | {'; '.join(times[str(src)])} |")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _pct(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a built index whose plans are copied")
    parser.add_argument("--copies", type=int, default=6, help="copies of its plans (500 plans × 6 = 3,000)")
    parser.add_argument("--work", type=Path, required=True, help="where the search index is written (and reused)")
    parser.add_argument("--src", type=Path, action="append", help="a package's src folder (repeatable)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each version (A B B A …)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the questions per run")
    parser.add_argument("--profile", action="store_true", help="print each version's first profile")
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev_questions.json")
    parser.add_argument("--add-one", action="store_true",
                        help="also time the search stage of adding one plan (a new generation beside the index)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    build(args.index, args.copies, args.work)
    srcs = args.src or [ROOT / "src"]
    order = [s for r in range(args.rounds) for s in (srcs if r % 2 == 0 else srcs[::-1])]
    if args.add_one:
        add_one(args.work, srcs, order)
    lat: dict[str, list[float]] = {str(s): [] for s in srcs}
    loads: dict[str, list[str]] = {str(s): [] for s in srcs}
    passages = 0
    for src in order:
        load = _load()
        env = {**os.environ, "PYTHONPATH": str(src.resolve())}
        first = args.profile and not lat[str(src)]
        out = subprocess.run([sys.executable, "-c", CHILD, str(args.work), str(args.questions), str(args.passes),
                              "1" if first else "0"], capture_output=True, text=True, env=env)
        if out.returncode:
            raise SystemExit(f"search with {src} failed:\n{out.stderr[-3000:]}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        lat[str(src)] += r["lat"]
        loads[str(src)].append(load)
        passages = r["passages"]
        p50, p95 = _pct(r["lat"])
        print(f"{src}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (open and warm-up {r['open_and_warm_s']:.1f} s); "
              f"load {load}", flush=True)
        if r["profile"]:
            print(r["profile"], flush=True)
    plans = len(json.loads((args.work / "setup.json").read_text("utf-8"))["metas"])
    print(f"\nwarm search, {plans} plans, {passages} passages (the index's encoder), "
          f"{args.rounds} runs × {args.passes} passes over the dev questions:\n"
          "| version | p50 ms | p95 ms | load at each start |\n|---|---|---|---|")
    for src in srcs:
        p50, p95 = _pct(lat[str(src)])
        print(f"| {src} | {p50:.1f} | {p95:.1f} | {', '.join(loads[str(src)])} |")


if __name__ == "__main__":
    main()
