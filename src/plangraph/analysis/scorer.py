"""The learned clause-pair scorer: a logistic regression on the features of two clauses.

Every pair of (synonym-normalised) clauses gets the features of
:data:`plangraph.analysis.likeness.FEATURES` (bigram TF-IDF, the best piece, object coverage,
shared distinctive words, the encoder's cosine, a synonym hit, facets that differ…).

The score is the logistic regression's probability that the two clauses are the same
commitment; its coefficients are data (``data/commitment_scorer.json``), fitted by
:func:`fit` on the ``tune`` split of ``tests/data/commitment_pairs_atomic.tsv``
(``benchmarks/bench_commitments.py --train``), threshold chosen there too.
:meth:`Scorer.contributions` says which features made a pair's score.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from plangraph.analysis.likeness import FEATURES, pair_features

__all__ = ["FEATURES", "MODEL_FILE", "SIGNS", "Scorer", "default_scorer", "fit", "pair_features", "read_scorer", "scored"]

SIGNS: dict[str, int] = {"facets": -1, **{f: 1 for f in FEATURES if f != "facets"}}
"""The sign each coefficient may take: more of a likeness never makes two clauses less alike,
a facet that differs never more. With a few hundred labelled pairs a free fit found, for
instance, that sharing the action verb counts *against* a pair (the hard negatives were
chosen for sharing words); :func:`fit` leaves such a feature out (coefficient 0) instead."""
MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "commitment_scorer.json"


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
    margin: float = 0.0
    """A pair above the threshold counts when its score is within ``margin`` of the best
    score of one of its two clauses (:func:`plangraph.analysis.align.matches`)."""

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n) or set(self.features) - set(FEATURES):
            raise ValueError(f"scorer: features {self.features!r} and its {len(self.coef)} coefficients do not"
                             f" match; features are {', '.join(FEATURES)}")
        if not 0 < self.threshold < 1:
            raise ValueError(f"scorer: threshold {self.threshold} is not a probability")
        if not 0 <= self.margin <= 1:
            raise ValueError(f"scorer: margin {self.margin} is not between 0 and 1")

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
                           "margin": self.margin, "note": self.note}, ensure_ascii=False, indent=1) + "\n"


def read_scorer(path: str | Path) -> Scorer:
    """A scorer from its JSON file."""
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return Scorer(tuple(d["features"]), tuple(map(float, d["mean"])), tuple(map(float, d["scale"])),
                      tuple(map(float, d["coef"])), float(d["intercept"]), float(d["threshold"]), str(d.get("note", "")),
                      float(d.get("margin", 0.0)))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a commitment scorer ({e}); rebuild it with"
                         " benchmarks/bench_commitments.py --train") from e


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The scorer the package ships (``data/commitment_scorer.json``)."""
    return read_scorer(MODEL_FILE)


def fit(x: np.ndarray, y: np.ndarray, features: Sequence[str], *, l2: float = 1.0, threshold: float = 0.5,
        signs: dict[str, int] | None = None, note: str = "", margin: float = 0.0) -> Scorer:
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
                  tuple(float(v) for v in coef), float(w[0]), threshold, note, margin)


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


def scored(x: dict[str, np.ndarray], scorer: Scorer) -> np.ndarray:
    """The scorer's probabilities; a feature that is ``nan`` (no encoder) counts as average."""
    filled = {k: np.where(np.isnan(v), scorer.mean[scorer.features.index(k)], v) if k in scorer.features else v
              for k, v in x.items()}
    return scorer.score(filled)
