"""Atomic alignment: commitments compared clause by clause, after synonym normalisation.

The ``atomic`` method of :mod:`plangraph.analysis.compare`:

1. every commitment sentence is split into its clauses (one action with its object,
   :func:`plangraph.extract.clauses.split_clauses`), each keeping the sentence as context;
2. each clause is rewritten with the synonym table (:func:`plangraph.analysis.synonyms.normalise`:
   ``区管校聘`` → ``县管校聘``, quotation marks dropped);
3. a pair's score is a weighted sum (:data:`WEIGHTS`) of three cosines on the normalised
   clauses: character-bigram TF-IDF, the overlap of the *objects'* words (the clause less
   its adverbs and action verb, words weighted by IDF, so that ``提高教职工编制使用效益``
   and ``提高教育经费使用效益`` differ in what matters), and the encoder's;
4. a pair says what made it (:func:`explain`): the words both clauses share, the synonym
   rows applied, and the two cosines.

The threshold (:data:`plangraph.analysis.compare.THRESHOLDS` ``["atomic"]``) is chosen
on the ``tune`` split of ``tests/data/commitment_pairs_atomic.tsv`` and reported on its
``test`` split by ``benchmarks/bench_commitments.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from plangraph.analysis.synonyms import Normalised, normalise
from plangraph.extract.clauses import action_of, split_clauses
from plangraph.extract.lexicon import tokens

if TYPE_CHECKING:
    from plangraph.analysis.compare import Statement

WEIGHTS: dict[str, float] = {"tfidf": 0.4, "object": 0.4, "encoder": 0.2}
"""Weights of the three cosines in the atomic score, chosen on the ``tune`` split."""
Embed = Callable[[list[str]], np.ndarray]
_FILLER = frozenset("的 和 与 及 等 、 在 对 为 了 是 把 将 以 其 之 各 一批 各类 各级 方面 工作".split())
_PUNCT = re.compile(r"[\W_]+")
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


def object_of(text: str) -> str:
    """A (normalised) clause less what comes up to its action verb: ``深入推进校长职级制改革``
    → ``校长职级制改革``; a clause without one is its own object."""
    verb = action_of(text)
    return text[text.find(verb) + len(verb):] if verb else text


def object_words(text: str) -> set[str]:
    """The words of a clause's object that can tell two objects apart."""
    return {w for w in tokens(object_of(text)) if len(w.strip()) >= 1 and w not in _FILLER
            and not w.isdigit() and not _PUNCT.fullmatch(w)}


def object_overlap(texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
    """IDF-weighted overlap of the objects' words, ``len(a)`` × ``len(b)``: the IDF sum of the
    shared words over the geometric mean of each side's IDF sum (the cosine of binary word
    vectors weighted by √IDF); IDF over both lists, as for the bigram TF-IDF."""
    words = [object_words(t) for t in [*texts_a, *texts_b]]
    df: dict[str, int] = {}
    for ws in words:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    vocab = {w: i for i, w in enumerate(df)}
    n = len(words)
    m = np.zeros((n, max(len(vocab), 1)), dtype=np.float32)
    for r, ws in enumerate(words):
        for w in ws:
            m[r, vocab[w]] = math.sqrt(math.log((1 + n) / (1 + df[w])) + 1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m /= np.where(norms == 0, 1, norms)
    return np.asarray(m[:len(texts_a)] @ m[len(texts_a):].T)


_NOT_TEXT = re.compile(r"[\W\d_]+")


def _bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in _NOT_TEXT.sub(" ", text).split():
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def similarity(texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
    """Cosine similarities (``len(a)`` × ``len(b)``) of character-bigram TF-IDF vectors.

    Document frequencies are counted over both lists together, so a bigram common in
    either plan (``教育``, ``建设``) weighs little.
    """
    docs = [_bigrams(t) for t in [*texts_a, *texts_b]]
    df: dict[str, int] = {}
    for d in docs:
        for g in set(d):
            df[g] = df.get(g, 0) + 1
    vocab = {g: i for i, g in enumerate(df)}
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in vocab], dtype=np.float32)
    m = np.zeros((n, max(len(vocab), 1)), dtype=np.float32)
    for r, d in enumerate(docs):
        for g in d:
            m[r, vocab[g]] += 1
    m = np.log1p(m)
    m[:, :len(vocab)] *= idf
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m /= np.where(norms == 0, 1, norms)
    return np.asarray(m[:len(texts_a)] @ m[len(texts_a):].T)


def atomic_scores(texts_a: Sequence[str], texts_b: Sequence[str], embed: Embed | None,
                  weights: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(score, TF-IDF cosine, object overlap, encoder cosine), each ``len(a)`` × ``len(b)``,
    of clause texts after synonym normalisation. Without ``embed`` (or with an encoder
    weight of 0) the encoder cosine is zeros and its weight goes to the other two."""
    w = dict(WEIGHTS if weights is None else weights)
    na, nb = normalised(texts_a), normalised(texts_b)
    ta, tb = [n.text for n in na], [n.text for n in nb]
    tf = similarity(ta, tb)
    obj = object_overlap(ta, tb)
    if embed is None or not w.get("encoder"):
        cos = np.zeros_like(tf)
        rest = w.get("tfidf", 0) + w.get("object", 0)
        w = {"tfidf": w.get("tfidf", 0) / rest, "object": w.get("object", 0) / rest, "encoder": 0.0}
    else:
        cos = cosines(na, nb, embed)
    score = w["tfidf"] * tf + w["object"] * obj + w["encoder"] * cos
    return score, tf, obj, cos


@dataclass(frozen=True)
class Why:
    """What made a pair score as it did."""

    shared: tuple[str, ...]
    synonyms: tuple[str, ...]
    tfidf: float
    object: float
    cosine: float

    def __str__(self) -> str:
        parts = []
        if self.synonyms:
            parts.append("synonym " + ", ".join(self.synonyms))
        if self.shared:
            parts.append("shared " + ", ".join(self.shared))
        parts.append(f"tfidf {self.tfidf:.2f}, object {self.object:.2f}, cosine {self.cosine:.2f}")
        return "; ".join(parts)


def explain(text_a: str, text_b: str, tfidf: float, obj: float, cosine: float) -> Why:
    """The words two clauses share (longest first, common plan words left out) and
    the synonym rows that brought them together."""
    na, nb = normalise(text_a), normalise(text_b)
    words_b = set(tokens(nb.text))
    shared = sorted({w for w in tokens(na.text) if w in words_b and len(w) >= 2 and w not in _COMMON
                     and not w.isdigit()}, key=lambda w: (-len(w), w))[:5]
    canon_b = {r.canonical for r in nb.applied} | {w for w in words_b}
    syn = [f"{r.variant}→{r.canonical}" for r in na.applied if r.canonical in nb.text or r.canonical in canon_b]
    syn += [f"{r.variant}→{r.canonical}" for r in nb.applied if r.canonical in na.text]
    return Why(tuple(shared), tuple(dict.fromkeys(syn)), float(tfidf), float(obj), float(cosine))


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
