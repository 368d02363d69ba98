"""Atomic alignment: commitments compared clause by clause, after synonym normalisation.

The ``atomic`` method of :mod:`plangraph.analysis.compare`:

1. every commitment sentence is split into its clauses (one action with its object,
   :func:`plangraph.extract.clauses.split_clauses`), each keeping the sentence as context;
2. each clause is rewritten with the synonym table (:func:`plangraph.analysis.synonyms.normalise`:
   ``区管校聘`` → ``县管校聘``, quotation marks dropped);
3. every pair of clauses gets the features of :mod:`plangraph.analysis.scorer` (bigram TF-IDF,
   the best comma piece, the coverage of the *objects'* words — the clause less its adverbs
   and action verb, words weighted by IDF, so that ``提高教职工编制使用效益`` and
   ``提高教育经费使用效益`` differ in what matters —, how distinctive the shared words are,
   the encoder's cosine, a synonym hit, the facets that differ (:func:`facet_mismatch`: the
   stage, population, ownership or degree one states and the other does not, or states
   otherwise: ``深化高等学校和中等职业学校教师职称制度改革`` is not ``全面落实职称制度改革``
   of a district), action, year and quantity agreement);
4. a logistic regression fitted on labelled pairs turns them into a probability
   (:func:`score_clauses`; the hand-set blend it replaced is :func:`hand_set_scores`);
5. a pair says what made it (:meth:`PairScores.why`): the features that added most to its
   score, the words both clauses share, the synonym rows applied, the facets that differ,
   and the cosines;
6. a section heading (:func:`plangraph.extract.clauses.is_heading`) is compared with
   headings only, and a pair counts when it reaches the threshold within the scorer's margin
   of either clause's best score (:func:`matches`).

The threshold (:data:`plangraph.analysis.compare.THRESHOLDS` ``["atomic"]``) is chosen
with the scorer on the ``tune`` split of ``tests/data/commitment_pairs_atomic.tsv`` and
reported on its ``test`` split by ``benchmarks/bench_commitments.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from plangraph.analysis.likeness import (
    Embed,
    differing,
    facet_mismatch,
    facets_of,
    object_of,
    object_overlap,
    pair_features,
    similarity,
)
from plangraph.analysis.scorer import Scorer, default_scorer, scored
from plangraph.analysis.synonyms import Normalised, normalise
from plangraph.extract.clauses import is_heading, split_clauses
from plangraph.extract.lexicon import tokens

# Re-exported: what comparison and its tests have always imported from here.
__all__ = ["WEIGHTS", "Embed", "LabelledPair", "PairScores", "Singleton", "Why", "atomic_scores", "clauses", "cosines",
           "explain", "facet_mismatch", "hand_set_scores", "headings_of", "matches", "normalised", "object_of", "object_overlap",
           "read_labelled_pairs", "read_singletons", "score_clauses", "similarity"]

if TYPE_CHECKING:
    from plangraph.analysis.compare import Statement

WEIGHTS: dict[str, float] = {"tfidf": 0.4, "object": 0.0, "coverage": 0.2, "encoder": 0.3, "facets": 0.1}
"""The hand-set blend the learned scorer replaced (:func:`hand_set_scores`, threshold 0.37):
weights of its terms and the penalty per facet that differs, chosen by hand on the ``tune`` split."""
# Words too common in plans to say why two clauses match.
_COMMON = frozenset((
    "教育", "学校", "建设", "发展", "推进", "实施", "完善", "加强", "建立", "健全", "深化", "推动",
    "提高", "提升", "工作", "机制", "体系", "制度", "全面", "进一步", "不断", "积极", "持续",
    "各级", "加快", "深入", "落实", "构建", "强化", "优化", "促进", "支持", "鼓励", "开展",
))


def clauses(statements: Sequence[Statement]) -> list[Statement]:
    """Each commitment's clauses as statements of their own, the sentence kept as
    ``context`` (a statement already a clause is split no further). A one-action
    sentence is one clause: the sentence less its final punctuation."""
    out: list[Statement] = []
    for s in statements:
        parts = split_clauses(s.text, s.start)
        if not parts or (len(parts) == 1 and s.context):
            out.append(s if s.context else replace(s, context=s.text))
            continue
        out.extend(replace(s, text=c.text, start=c.start, end=c.end, context=s.context or s.text)
                   for c in parts)
    return out


def normalised(texts: Sequence[str]) -> list[Normalised]:
    return [normalise(t) for t in texts]


def cosines(na: Sequence[Normalised], nb: Sequence[Normalised], embed: Embed) -> np.ndarray:
    va = embed([n.text for n in na])
    vb = embed([n.text for n in nb])
    return np.asarray(va @ vb.T, dtype=np.float32)



def hand_set_scores(x: dict[str, np.ndarray], weights: dict[str, float] | None = None) -> np.ndarray:
    """The hand-set blend that scored pairs before the learned scorer (:data:`WEIGHTS`, threshold
    0.37), from :func:`plangraph.analysis.scorer.pair_features`; kept to be measured beside it.
    Without an encoder cosine its weight goes to the other terms."""
    w = dict(WEIGHTS if weights is None else weights)
    cos = x["encoder"]
    if np.isnan(cos).any() or not w.get("encoder"):
        cos = np.zeros_like(x["tfidf"])
        rest = w["tfidf"] + w["object"] + w["coverage"]
        w = {**w, "tfidf": w["tfidf"] / rest, "object": w["object"] / rest, "coverage": w["coverage"] / rest,
             "encoder": 0.0}
    score = w["tfidf"] * x["tfidf"] + w["object"] * x["object"] + w["encoder"] * cos + w["coverage"] * x["coverage"]
    return np.asarray(score - w["facets"] * x["facets"], dtype=np.float32)


@dataclass(frozen=True)
class PairScores:
    """Every pair of two lists of clauses: the learned score, the features behind it, and
    :meth:`why` one pair scored as it did."""

    texts_a: tuple[str, ...]
    texts_b: tuple[str, ...]
    score: np.ndarray
    features: dict[str, np.ndarray]
    scorer: Scorer
    phrase: bool = False
    apart: np.ndarray | None = None
    """Pairs of a section heading and a body clause, scored 0 (``None``: no headings given)."""

    def values(self, i: int, j: int) -> dict[str, float]:
        return {k: float(v[i, j]) for k, v in self.features.items()}

    def why(self, i: int, j: int) -> Why:
        v = self.values(i, j)
        made = tuple((k, c) for k, c in self.scorer.contributions(v) if not math.isnan(c))[:3]
        cosine = 0.0 if math.isnan(v["encoder"]) else v["encoder"]
        why = explain(self.texts_a[i], self.texts_b[j], v["tfidf"], v["object"], cosine, made, unsaid_a=not self.phrase)
        if self.apart is not None and self.apart[i, j]:
            return replace(why, made=(), note=HEADING_NOTE)
        return why

    def matched(self, threshold: float | None = None) -> np.ndarray:
        """Which pairs count as the same commitment (:func:`matches`), at the scorer's
        threshold and margin unless ``threshold`` is given."""
        return matches(self.score, self.scorer.threshold if threshold is None else threshold, self.scorer.margin)


HEADING_NOTE = "a section heading against a body clause: not compared"


def matches(score: np.ndarray, threshold: float, margin: float) -> np.ndarray:
    """The pairs (``len(a)`` × ``len(b)``) that count as the same commitment: the score reaches
    ``threshold`` and lies within ``margin`` of the best score of one of its two clauses (its
    row's or its column's). ``margin`` 0 is "one is the other's closest"; a larger margin lets
    a clause match the two halves of a measure the other plan states twice. The margin, like
    the threshold, is chosen on the ``tune`` split (``data/commitment_scorer.json``)."""
    if score.size == 0:
        return np.zeros(score.shape, dtype=bool)
    near = (score >= score.max(axis=1, keepdims=True) - margin) | (score >= score.max(axis=0, keepdims=True) - margin)
    return np.asarray((score >= threshold) & near)


def score_clauses(texts_a: Sequence[str], texts_b: Sequence[str], embed: Embed | None,
                  scorer: Scorer | None = None, *, phrase: bool = False,
                  headings: tuple[Sequence[bool], Sequence[bool]] | None = None) -> PairScores:
    """The learned scorer (:mod:`plangraph.analysis.scorer`, default: the one the package ships)
    on every pair of clause texts, after synonym normalisation; IDF over both lists. Without
    ``embed`` the encoder cosine counts as average. With ``phrase`` the texts of A are
    phrases asked about (``which plans commit to X``): a facet a phrase leaves unsaid does
    not count against a clause that states it. ``headings`` says which clauses of A and of B
    are section headings (:func:`plangraph.extract.clauses.is_heading`): a heading is the
    plan's outline, not a measure, and is compared with headings only (a heading against
    a body clause scores 0)."""
    model = scorer or default_scorer()
    na, nb = normalised(texts_a), normalised(texts_b)
    x = pair_features(na, nb, embed, phrase=phrase)
    score = scored(x, model)
    apart = None
    if headings is not None:
        ha, hb = np.asarray(headings[0], dtype=bool), np.asarray(headings[1], dtype=bool)
        apart = ha[:, None] != hb[None, :]
        score = np.where(apart, np.float32(0), score)
    return PairScores(tuple(texts_a), tuple(texts_b), score, x, model, phrase, apart)


def headings_of(statements: Sequence[Statement]) -> list[bool]:
    """Which clause statements are their section's heading (:func:`is_heading`)."""
    return [is_heading(s.text, s.section) for s in statements]


def atomic_scores(texts_a: Sequence[str], texts_b: Sequence[str], embed: Embed | None,
                  scorer: Scorer | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(score, TF-IDF cosine, object cosine, encoder cosine), each ``len(a)`` × ``len(b)``:
    :func:`score_clauses` for callers that need only those."""
    s = score_clauses(texts_a, texts_b, embed, scorer)
    cos = np.nan_to_num(s.features["encoder"])
    return s.score, s.features["tfidf"], s.features["object"], cos


@dataclass(frozen=True)
class Why:
    """What made a pair score as it did."""

    shared: tuple[str, ...]
    synonyms: tuple[str, ...]
    tfidf: float
    object: float
    cosine: float
    facets: tuple[str, ...] = ()
    made: tuple[tuple[str, float], ...] = ()
    """The features that moved the learned score most, with their part of its logit."""
    note: str = ""
    """Why the pair was not compared at all (:data:`HEADING_NOTE`)."""

    def __str__(self) -> str:
        parts = [self.note] if self.note else []
        if self.made:
            parts.append("made by " + ", ".join(f"{k} {c:+.1f}" for k, c in self.made))
        if self.synonyms:
            parts.append("synonym " + ", ".join(self.synonyms))
        if self.shared:
            parts.append("shared " + ", ".join(self.shared))
        if self.facets:
            parts.append("facets differ " + ", ".join(self.facets))
        parts.append(f"tfidf {self.tfidf:.2f}, object {self.object:.2f}, cosine {self.cosine:.2f}")
        return "; ".join(parts)


def explain(text_a: str, text_b: str, tfidf: float, obj: float, cosine: float,
            made: tuple[tuple[str, float], ...] = (), *, unsaid_a: bool = True) -> Why:
    """The words two clauses share (longest first, common plan words left out), the
    synonym rows that brought them together and the facets that differ (``stage higher|secondary-vocational/—``)."""
    na, nb = normalise(text_a), normalise(text_b)
    words_b = set(tokens(nb.text))
    shared = sorted({w for w in tokens(na.text) if w in words_b and len(w) >= 2 and w not in _COMMON
                     and not w.isdigit()}, key=lambda w: (-len(w), w))[:5]
    canon_b = {r.canonical for r in nb.applied} | {w for w in words_b}
    syn = [f"{r.variant}→{r.canonical}" for r in na.applied if r.canonical in nb.text or r.canonical in canon_b]
    syn += [f"{r.variant}→{r.canonical}" for r in nb.applied if r.canonical in na.text]
    fa, fb = facets_of(na.text), facets_of(nb.text)
    show = lambda f, k: "|".join(sorted(f.get(k, ()))) or "—"  # noqa: E731
    facets = tuple(f"{k} {show(fa, k)}/{show(fb, k)}" for k in differing(fa, fb, unsaid_a=unsaid_a))
    return Why(tuple(shared), tuple(dict.fromkeys(syn)), float(tfidf), float(obj), float(cosine), facets, made)


SPLITS = ("tune", "test")
PAIR_COLUMNS = ("plan_a", "start_a", "end_a", "quote_a", "plan_b", "start_b", "end_b", "quote_b", "label", "kind",
                "split")


@dataclass(frozen=True)
class LabelledPair:
    """One hand-judged clause pair of ``tests/data/commitment_pairs_atomic.tsv``."""

    plan_a: str
    start_a: int
    end_a: int
    quote_a: str
    plan_b: str
    start_b: int
    end_b: int
    quote_b: str
    same: bool
    kind: str
    split: str

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise ValueError(f"pair {self.quote_a!r}: split {self.split!r}; choose one of: {', '.join(SPLITS)}")
        for quote, start, end in ((self.quote_a, self.start_a, self.end_a), (self.quote_b, self.start_b, self.end_b)):
            if end - start != len(quote):
                raise ValueError(f"pair quote {quote!r}: span [{start}, {end}) has another length")


def read_labelled_pairs(path: str | Path) -> list[LabelledPair]:
    """The labelled clause pairs of a TSV file (``#`` lines are its notes)."""
    import csv

    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))
    if rows and set(PAIR_COLUMNS) - set(rows[0]):
        raise ValueError(f"{path}: missing columns {sorted(set(PAIR_COLUMNS) - set(rows[0]))}")
    out = []
    for n, r in enumerate(rows, 1):
        if r["label"] not in ("0", "1"):
            raise ValueError(f"{path}: pair {n}: label {r['label']!r}; choose 0 or 1")
        out.append(LabelledPair(r["plan_a"], int(r["start_a"]), int(r["end_a"]), r["quote_a"], r["plan_b"],
                                int(r["start_b"]), int(r["end_b"]), r["quote_b"], r["label"] == "1", r["kind"],
                                r["split"]))
    return out


@dataclass(frozen=True)
class Singleton:
    """A hand-judged commitment of ``plan`` that ``others`` do not make
    (``tests/data/commitment_singletons.tsv``)."""

    plan: str
    start: int
    end: int
    quote: str
    others: tuple[str, ...]
    note: str

    def __post_init__(self) -> None:
        if self.end - self.start != len(self.quote) or not self.others:
            raise ValueError(f"singleton {self.quote!r}: span [{self.start}, {self.end}) or plans {self.others!r} wrong")


def read_singletons(path: str | Path) -> list[Singleton]:
    """The commitments only one plan makes, from a TSV file (``#`` lines are its notes)."""
    import csv

    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))
    return [Singleton(r["plan"], int(r["start"]), int(r["end"]), r["quote"], tuple(r["others"].split(",")), r["note"])
            for r in rows]
