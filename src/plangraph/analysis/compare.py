"""Cross-plan comparison: which commitments two plans share, which only one makes.

Commitments are scored by one of three methods, measured on the labelled pairs of
``tests/data/commitment_pairs.tsv`` (``benchmarks/bench_compare.py`` prints the figures):

* ``tfidf``: cosine of character-bigram TF-IDF vectors (punctuation and digits dropped,
  sublinear term frequency, IDF over the commitments of both plans). No model, well under
  a second for two plans, but word overlap is a poor judge of "the same commitment".
* ``use``: cosine of the bundled multilingual USE vectors (the caller passes ``embed``).
* ``blend``: the mean of the two, the best F1 of the three on those pairs.
* ``atomic`` (default): the sentences split into clauses of one action each, names of
  the same reform made one (``区管校聘`` = ``县管校聘``), then every clause pair scored by a
  logistic regression on its features (:mod:`plangraph.analysis.align`,
  :mod:`plangraph.analysis.scorer`); fitted and measured on the clause pairs of
  ``tests/data/commitment_pairs_atomic.tsv`` (``benchmarks/bench_commitments.py``).

Each method has its own threshold (:data:`THRESHOLDS`): the first three chosen by F1 on
``commitment_pairs.tsv``, ``atomic`` (the scorer's, ``data/commitment_scorer.json``) on the
``tune`` split of the atomic pairs.

A commitment of A is *shared* when its closest counterpart in B scores at least
:data:`THRESHOLD`, else it is *only in A*; the commitments of B that are no A
commitment's counterpart above the threshold are *only in B*.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from plangraph.analysis.align import clauses, headings_of, score_clauses, similarity
from plangraph.text import title_key

THRESHOLDS: dict[str, float] = {"tfidf": 0.18, "use": 0.66, "blend": 0.42, "atomic": 0.47}
"""Per method, the threshold of best F1 on its labelled pairs (see the module text)."""
METHODS: tuple[str, ...] = tuple(THRESHOLDS)


def shown(score: float) -> float:
    """A score to three decimals, cut rather than rounded, so that a score below a
    threshold of two decimals is never shown at it (0.3696 under 0.37 is 0.369)."""
    return math.floor(score * 1000 + 1e-9) / 1000


DEFAULT_METHOD = "atomic"
TOP_K = 3
Side = Literal["shared", "only in A", "only in B"]
Embed = Callable[[list[str]], np.ndarray]



@dataclass(frozen=True)
class Statement:
    """A commitment as comparison sees it: its plan, its text and where it stands.

    For the ``atomic`` method ``text`` is one clause and ``context`` its sentence."""

    plan: str
    text: str
    start: int
    end: int
    section: str = ""
    iri: str = ""
    context: str = ""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError(f"{self.plan}: empty commitment")


@dataclass(frozen=True)
class Counterpart:
    """A commitment of the other plan and how close it is."""

    statement: Statement
    score: float
    why: str = ""


@dataclass(frozen=True)
class Alignment:
    """One commitment of A (or, for ``only in B``, of B) with its closest counterparts."""

    statement: Statement
    side: Side
    counterparts: tuple[Counterpart, ...]

    @property
    def best(self) -> Counterpart | None:
        return self.counterparts[0] if self.counterparts else None


@dataclass(frozen=True)
class CommitmentComparison:
    """Commitments of plan A against plan B."""

    plan_a: str
    plan_b: str
    method: str
    threshold: float
    alignments: tuple[Alignment, ...]

    def side(self, side: Side) -> tuple[Alignment, ...]:
        return tuple(a for a in self.alignments if a.side == side)

    def counts(self) -> dict[str, int]:
        return {s: len(self.side(s)) for s in ("shared", "only in A", "only in B")}

    def rows(self) -> list[dict[str, Any]]:
        """One row per alignment: the commitment, its best counterpart, the score.

        Shared pairs come first, closest first (the pairs worth reading); then the
        commitments only in A and only in B, in document order, each with the nearest
        commitment of the other plan and a note that it is below the threshold (a
        nearest quote without it reads like a match)."""
        order = {"shared": 0, "only in A": 1, "only in B": 2}
        ranked = sorted(self.alignments, key=lambda a: (
            order[a.side], -(a.best.score if a.best and a.side == "shared" else 0.0), a.statement.start))
        out = []
        for a in ranked:
            best = a.best
            mine, other = (self.plan_b, self.plan_a) if a.side == "only in B" else (self.plan_a, self.plan_b)
            out.append({
                "side": a.side,
                "plan": mine,
                "quote": a.statement.text,
                "start": a.statement.start,
                "end": a.statement.end,
                "section": a.statement.section,
                "score": shown(best.score) if best else None,
                "note": None if a.side == "shared" or best is None else below_note(self.threshold),
                "other_plan": other,
                "other_quote": best.statement.text if best else None,
                "other_start": best.statement.start if best else None,
                "other_end": best.statement.end if best else None,
                "why": best.why if best else "",
                "context": a.statement.context,
                "other_context": best.statement.context if best else "",
            })
        return out


def below_note(threshold: float) -> str:
    """What an only-in row says about the nearest quote it shows."""
    return f"nearest only: below the threshold {threshold:.2f}"


def _top(row: np.ndarray, others: Sequence[Statement], k: int,
         why: Callable[[int], str] | None = None) -> tuple[Counterpart, ...]:
    order = np.argsort(-row, kind="stable")[:k]
    return tuple(Counterpart(others[j], float(row[j]), why(int(j)) if why else "") for j in order)


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")


def score_matrix(texts_a: Sequence[str], texts_b: Sequence[str], method: str = DEFAULT_METHOD,
                 embed: Embed | None = None) -> np.ndarray:
    """Scores of every commitment of A against every one of B by ``method``; ``use``,
    ``blend`` and ``atomic`` need ``embed`` (texts → L2-normalised vectors); ``atomic``
    scores the texts as given (split them first with :func:`plangraph.analysis.align.clauses`)."""
    check_method(method)
    if method == "tfidf":
        return similarity(texts_a, texts_b)
    if embed is None:
        raise ValueError(f"method {method!r} needs an embed function")
    if method == "atomic":
        return score_clauses(texts_a, texts_b, embed).score  # texts taken as clauses
    va, vb = embed(list(texts_a)), embed(list(texts_b))
    cos = np.asarray(va @ vb.T, dtype=np.float32)
    return cos if method == "use" else 0.5 * similarity(texts_a, texts_b) + 0.5 * cos


def compare_commitments(a: Sequence[Statement], b: Sequence[Statement], *, method: str = DEFAULT_METHOD,
                        embed: Embed | None = None, threshold: float | None = None,
                        top_k: int = TOP_K) -> CommitmentComparison:
    """Align the commitments of two plans.

    Every commitment of A gets its ``top_k`` closest commitments of B; it is shared
    when the best scores at least ``threshold`` (default: the method's measured one).
    Commitments of B that no commitment of A reaches at ``threshold`` are listed as
    only in B, with their closest in A.
    """
    check_method(method)
    limit = THRESHOLDS[method] if threshold is None else threshold
    if method == "atomic":
        return _compare_atomic(clauses(a), clauses(b), embed, limit, top_k)
    plan_a = a[0].plan if a else ""
    plan_b = b[0].plan if b else ""
    if not a or not b:
        only = [Alignment(s, "only in A", ()) for s in a] + [Alignment(s, "only in B", ()) for s in b]
        return CommitmentComparison(plan_a, plan_b, method, limit, tuple(only))
    sim = score_matrix([s.text for s in a], [s.text for s in b], method, embed)
    out = []
    for i, s in enumerate(a):
        top = _top(sim[i], b, top_k)
        out.append(Alignment(s, "shared" if top[0].score >= limit else "only in A", top))
    reached = sim.max(axis=0) >= limit
    for j, s in enumerate(b):
        if not reached[j]:
            out.append(Alignment(s, "only in B", _top(sim[:, j], a, top_k)))
    return CommitmentComparison(plan_a, plan_b, method, limit, tuple(out))


def _compare_atomic(a: Sequence[Statement], b: Sequence[Statement], embed: Embed | None,
                    limit: float, top_k: int) -> CommitmentComparison:
    """:func:`compare_commitments` on clauses, each counterpart saying what made it."""
    if embed is None:
        raise ValueError("method 'atomic' needs an embed function")
    plan_a, plan_b = (a[0].plan if a else ""), (b[0].plan if b else "")
    if not a or not b:
        only = [Alignment(s, "only in A", ()) for s in a] + [Alignment(s, "only in B", ()) for s in b]
        return CommitmentComparison(plan_a, plan_b, "atomic", limit, tuple(only))
    scores = score_clauses([s.text for s in a], [s.text for s in b], embed, headings=(headings_of(a), headings_of(b)))
    sim = scores.score

    def why(i: int, j: int) -> str:
        return str(scores.why(i, j))

    out = []
    for i, s in enumerate(a):
        top = _top(sim[i], b, top_k, lambda j, i=i: why(i, j))  # type: ignore[misc]
        out.append(Alignment(s, "shared" if top[0].score >= limit else "only in A", top))
    reached = sim.max(axis=0) >= limit
    for j, s in enumerate(b):
        if not reached[j]:
            out.append(Alignment(s, "only in B", _top(sim[:, j], a, top_k, lambda i, j=j: why(i, j))))  # type: ignore[misc]
    return CommitmentComparison(plan_a, plan_b, "atomic", limit, tuple(out))


@dataclass(frozen=True)
class CitedPlan:
    """A document a plan cites, linked to a plan of the corpus when it is one."""

    plan: str
    title: str
    mentions: int
    corpus_plan: str | None


@dataclass(frozen=True)
class PlanComparison:
    """Everything ``plangraph compare`` shows: commitments, indicators, citations.

    ``indicators`` is a :class:`plangraph.graph.indicators.SideBySide`.
    """

    commitments: CommitmentComparison
    indicators: Any
    citations: tuple[CitedPlan, ...]

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """The three parts as lists of plain rows, by name."""
        return {
            "commitments": self.commitments.rows(),
            "indicators": self.indicators.rows(),
            "citations": [dict(c.__dict__) for c in self.citations],
        }


def link_citations(cited: Sequence[tuple[str, str, int]], titles: dict[str, str]) -> tuple[CitedPlan, ...]:
    """Link cited titles (plan, title, mentions) to corpus plans by title, matched as
    :func:`plangraph.text.title_key` matches them (the graph's ``pg:citedPlan``
    links are made the same way)."""
    by_title = {title_key(t): pid for pid, t in titles.items()}
    return tuple(CitedPlan(p, t, n, by_title.get(title_key(t))) for p, t, n in cited)
