"""Indicator matching benchmark: "same concept" decisions on the labelled pairs, rows
tied on unseen indicator tables, and the time to tie a plan's indicators.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_concepts.py
    PYTHONPATH=src .venv/bin/python benchmarks/bench_concepts.py --sweep   # P/R per threshold on tune
    PYTHONPATH=src .venv/bin/python benchmarks/bench_concepts.py --blind   # the first blind set only
    PYTHONPATH=src .venv/bin/python benchmarks/bench_concepts.py --blind blind5   # any set of tests/data

Pairs come from ``tests/data/indicator_pairs.tsv``: each side is tied by the matcher
(:mod:`plangraph.graph.matcher`), and a pair is predicted "same" when both sides are
tied to the same concept. Precision and recall of "same" are printed per split (``tune``
may be used to choose the threshold, ``test`` never), with the first matcher (exact
labels of the 15-concept scheme, ``benchmarks/data/indicator_concepts_v1.tsv``) beside
them. Unseen tables come from ``tests/data/indicator_tables/*.tsv`` with a ``gold``
concept per row (``-``: no concept of the scheme fits).

``--blind`` measures on the blind set instead: ``tests/data/indicator_pairs_blind.tsv`` and
``tests/data/indicator_tables_blind/*.tsv`` (sources in ``indicator_sources_blind.tsv``), plans
that neither the scheme nor the matcher's rules were written from, labelled by hand and
committed before the matcher was first run on them. Nothing may be tuned on these figures.
``--blind NAME`` measures on any set of ``tests/data`` named so (``indicator_pairs_NAME.tsv``,
``indicator_tables_NAME/``, ``indicator_sources_NAME.tsv``): blind2 to blind5 were each built and
committed after the one before had been used to fix the matcher (so the earlier ones are seen).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plangraph.extract.facets import TableRowName, parts_of
from plangraph.graph.matcher import THRESHOLD, match

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "indicator_pairs.tsv"
TABLES = ROOT / "tests" / "data" / "indicator_tables"
DATA = ROOT / "tests" / "data"
V1 = Path(__file__).resolve().parent / "data" / "indicator_concepts_v1.tsv"

Row = dict[str, str]
Tie = Callable[..., str | None]  # name, parent, category, unit (and, in a table, parts=its sub-rows) → concept key


def read_tsv(path: Path) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]


def v1_matcher() -> Tie:
    """The first matcher: a name equal to a label, or ``category:name`` under a category."""
    concepts = []
    for line in V1.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, label, _, alts = line.split("\t")
            concepts.append((key, (label, *[a for a in alts.split("|") if a])))

    def tie(name: str, parent: str, category: str, unit: str, parts: tuple[str, ...] = ()) -> str | None:
        cat = category.rstrip("*")
        for key, labels in concepts:
            for alt in labels:
                scope, _, label = alt.rpartition(":")
                if label == name and (not scope or cat.startswith(scope)):
                    return key
        return None
    return tie


def matcher(threshold: float = THRESHOLD) -> Tie:
    def tie(name: str, parent: str, category: str, unit: str, parts: tuple[str, ...] = ()) -> str | None:
        return match(name, parent=parent or None, category=category or None, unit=unit or None,
                     parts=parts, threshold=threshold).concept
    return tie


_ENCODED: dict[str, tuple[Any, Any, Any, dict[str, Any]]] = {}


def encoder_matcher(name: str, threshold: float, *, vetoes: bool) -> Tie:
    """Ties by an encoder: the concept with the label nearest the row's full name (cosine of
    normalised vectors), at or above ``threshold``; with ``vetoes`` only among the concepts
    the row's facets do not veto (the rules decide what may be tied, the encoder to which)."""
    import numpy as np

    from plangraph.extract.reading import read_indicator
    from plangraph.graph.matcher import _entries, score
    from plangraph.search.encoders import get_encoder

    entries = _entries()
    if name not in _ENCODED:
        enc = get_encoder(name)
        labels = [(i, label.text) for i, e in enumerate(entries) for label in e.labels]
        _ENCODED[name] = (enc, enc.encode_passages([t for _, t in labels]), np.array([i for i, _ in labels]), {})
    enc, vectors, owner, cache = _ENCODED[name]

    def tie(n: str, parent: str, category: str, unit: str, parts: tuple[str, ...] = ()) -> str | None:
        r = read_indicator(n, parent=parent or None, category=category or None, unit=unit or None, parts=parts)
        if r.full_name not in cache:
            cache[r.full_name] = enc.encode_queries([r.full_name])[0]
        sims = vectors @ cache[r.full_name]
        allowed = np.ones(len(entries), bool)
        if vetoes:
            allowed = np.array([score(r, e) is not None for e in entries])
        sims = np.where(allowed[owner], sims, -1.0)
        best = int(np.argmax(sims))
        return entries[owner[best]].concept.key if sims[best] >= threshold else None
    return tie


def encoder_report(name: str, splits: dict[str, list[Row]]) -> None:
    """Threshold by F1 on tune, then test, for the encoder alone and behind the vetoes."""
    for vetoes in (False, True):
        best = (-1.0, 0.0)
        for t in [x / 100 for x in range(50, 100, 2)]:
            p, r, *_ = pair_figures(splits["tune"], encoder_matcher(name, t, vetoes=vetoes))
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            if f1 >= best[0]:
                best = (f1, t)
        t = best[1]
        label = f"{name}{'+vetoes' if vetoes else ''}"
        for split, rows in splits.items():
            p, r, predicted, true, _ = pair_figures(rows, encoder_matcher(name, t, vetoes=vetoes))
            print(f"{split:6} {label:10} {p:9.3f} {r:7.3f} {predicted:9d} {true:5d}   (cosine ≥ {t:.2f}, from tune)")


def pair_figures(pairs: list[Row], tie: Tie) -> tuple[float, float, int, int, list[str]]:
    """Precision, recall, predicted "same", true "same", and the wrong decisions."""
    tp = fp = fn = 0
    wrong = []
    for p in pairs:
        a = tie(p["a_name"], p["a_parent"], p["a_category"], p["a_unit"])
        b = tie(p["b_name"], p["b_parent"], p["b_category"], p["b_unit"])
        same = a is not None and a == b
        gold = p["same"] == "1"
        tp += same and gold
        fp += same and not gold
        fn += gold and not same
        if same != gold:
            wrong.append(f"{'FP' if same else 'FN'} {p['a_name']} [{a}] ~ {p['b_name']} [{b}]  ({p['why']})")
    predicted, true = tp + fp, tp + fn
    return (tp / predicted if predicted else 1.0), (tp / true if true else 1.0), predicted, true, wrong


def tables_report(tie: Tie, folder: Path = TABLES) -> None:
    """Per table and in all: rows tied, rows tied right, and rows right (tied right, or left
    unmapped where no concept of the scheme fits)."""
    total = total_tied = total_right = total_correct = 0
    for path in sorted(folder.glob("*.tsv")):
        rows = read_tsv(path)
        tied = right = correct = 0
        wrong = []
        # what each row is broken down into: the rows below that name it as their parent
        below = parts_of([TableRowName(r["name"]) for r in rows], [r["parent"] or None for r in rows])
        for r, parts in zip(rows, below):
            got = tie(r["name"], r["parent"], r["category"], r["unit"], parts=parts)
            gold = None if r["gold"] in ("-", "") else r["gold"]
            tied += got is not None
            right += got is not None and got == gold
            correct += got == gold
            if got != gold:
                wrong.append(f"  {'wrong' if got else 'unmapped'}: {r['name']} (parent {r['parent'] or '-'}) "
                             f"→ {got or '-'}, gold {gold or '-'}")
        n = len(rows)
        print(f"{path.stem}: {n} rows, tied {tied} ({tied / n:.0%}), tied right {right} ({right / n:.0%}), "
              f"ties right {right}/{tied}, rows right {correct}/{n}")
        for w in wrong:
            print(w)
        total, total_tied, total_right = total + n, total_tied + tied, total_right + right
        total_correct += correct
    if total:
        print(f"all tables: {total} rows, tied {total_tied}, tied right {total_right} "
              f"({total_right / total:.0%} of rows, {total_right}/{total_tied} of ties); "
              f"rows right (tied right or rightly unmapped) {total_correct}/{total}")


def blind_sets() -> list[str]:
    """The names of the labelled sets in ``tests/data`` (a pairs file and a tables folder each)."""
    names = [p.stem.removeprefix("indicator_pairs_") for p in sorted(DATA.glob("indicator_pairs_*.tsv"))]
    return [n for n in names if (DATA / f"indicator_tables_{n}").is_dir()]


def blind_report(name: str = "blind") -> None:
    """Pairs and tables of a blind set (``blind`` or ``blind2``), every wrong decision listed."""
    pairs_file, tables = DATA / f"indicator_pairs_{name}.tsv", DATA / f"indicator_tables_{name}"
    if not pairs_file.exists() or not tables.is_dir():
        raise SystemExit(f"no blind set {name!r}: {pairs_file.name} and {tables.name}/ are needed in {DATA}; "
                         f"sets there: {', '.join(blind_sets()) or 'none'}")
    pairs = read_tsv(pairs_file)
    print(f"{name} pairs: {len(pairs)}; threshold {THRESHOLD}")
    print(f"{'split':6} {'matcher':10} {'precision':>9} {'recall':>7} {'said same':>9} {'same':>5}")
    for matcher_name, tie in (("exact-v1", v1_matcher()), ("facets", matcher())):
        p, r, predicted, true, wrong = pair_figures(pairs, tie)
        print(f"{name:6} {matcher_name:10} {p:9.3f} {r:7.3f} {predicted:9d} {true:5d}")
        if matcher_name == "facets":
            for w in wrong:
                print("   ", w)
    print(f"{name} tables (facets matcher):")
    tables_report(matcher(), tables)



def probes_report() -> None:
    """The probes of ``tests/data/indicator_probes.tsv``: common wordings written to look for
    classes of error (``expected`` a concept, ``-`` none, ``?`` either way), not a blind set."""
    rows = read_tsv(DATA / "indicator_probes.tsv")
    tie = matcher()
    misses = [r for r in rows if r["expected"] != "?"
              and (tie(r["name"], r["parent"], r["category"], r["unit"]) or "-") != r["expected"]]
    print(f"probes: {len(rows) - len(misses)} of {len(rows)} as expected")
    for r in misses:
        print(f"  {r['probe']}: {r['name']} (parent {r['parent'] or '-'}, category {r['category'] or '-'}) "
              f"→ {tie(r['name'], r['parent'], r['category'], r['unit']) or '-'}, expected {r['expected']}")


def timing() -> None:
    rows = [r for path in sorted(TABLES.glob("*.tsv")) for r in read_tsv(path)]
    rows = (rows * (100 // max(len(rows), 1) + 1))[:100]
    from plangraph.graph import matcher as m
    from plangraph.graph import scheme

    scheme.concepts.cache_clear()
    m._entries.cache_clear()
    t0 = time.perf_counter()
    match("学前教育毛入园率")  # loads the scheme once per process
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for r in rows:
        match(r["name"], parent=r["parent"] or None, category=r["category"] or None, unit=r["unit"] or None)
    per_plan = time.perf_counter() - t0
    print(f"time: scheme load and first match {first * 1000:.0f} ms (once per process); "
          f"a plan of {len(rows)} indicators {per_plan * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sweep", action="store_true", help="precision/recall per threshold on the tune split")
    ap.add_argument("--wrong", action="store_true", help="list the wrong pair decisions of each split")
    ap.add_argument("--encoder", metavar="NAME", help="also tie by this encoder's nearest label (e5, use)")
    ap.add_argument("--blind", nargs="?", const="blind", metavar="NAME",
                    help="only a labelled set of tests/data (indicator_pairs_NAME.tsv and indicator_tables_NAME/): "
                         f"{', '.join(blind_sets()) or 'none found'}")
    ap.add_argument("--probes", action="store_true", help="only the probes of tests/data/indicator_probes.tsv")
    args = ap.parse_args()
    if args.probes:
        probes_report()
        return
    if args.blind:
        blind_report(args.blind)
        return
    pairs = read_tsv(PAIRS)
    splits = {s: [p for p in pairs if p["split"] == s] for s in ("tune", "test")}
    print(f"pairs: {len(pairs)} ({', '.join(f'{s} {len(v)}' for s, v in splits.items())}); "
          f"threshold {THRESHOLD}")
    print(f"{'split':6} {'matcher':10} {'precision':>9} {'recall':>7} {'said same':>9} {'same':>5}")
    for split, rows in splits.items():
        for name, tie in (("exact-v1", v1_matcher()), ("facets", matcher())):
            p, r, predicted, true, wrong = pair_figures(rows, tie)
            print(f"{split:6} {name:10} {p:9.3f} {r:7.3f} {predicted:9d} {true:5d}")
            if args.wrong and name == "facets":
                for w in wrong:
                    print("   ", w)
    if args.encoder:
        encoder_report(args.encoder, splits)
    if args.sweep:
        print("tune sweep: threshold precision recall")
        for t in [x / 100 for x in range(30, 91, 5)]:
            p, r, *_ = pair_figures(splits["tune"], matcher(t))
            print(f"  {t:.2f} {p:.3f} {r:.3f}")
    print("unseen tables (facets matcher):")
    tables_report(matcher())
    print("unseen tables (exact-v1):")
    v1 = v1_matcher()
    for path in sorted(TABLES.glob("*.tsv")):
        rows = read_tsv(path)
        tied = sum(v1(r["name"], r["parent"], r["category"], r["unit"]) is not None for r in rows)
        print(f"  {path.stem}: tied {tied} of {len(rows)}")
    timing()


if __name__ == "__main__":
    main()
