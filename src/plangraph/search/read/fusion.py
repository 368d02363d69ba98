"""Reciprocal rank fusion of the retrievers' rankings, and how it is configured."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plangraph.text import Language

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class FusionConfig:
    """How rankings are combined.

    Attributes:
        rrf_k: the RRF constant; larger flattens the difference between ranks.
        weights: per-retriever weight (encoder name or ``bm25``); default 1.
        lexical_languages: query languages for which BM25 takes part.
        depth: how many results each retriever contributes to the fusion.
        translate: give BM25 the glossary translation of queries in other languages.
        expand: let the encoders see such a query followed by its glossary terms.
        out_of_scope: the weight of the fused score of a passage outside the plans the
            query is about (:mod:`plangraph.search.read.scope`); 1 ranks all plans alike.
        scope_agree: the weight applies only when this many retrievers (at most as
            many as ran) rank a passage of those plans in their top
            :data:`SCOPE_DEPTH`; 0 applies it always.
        out_of_place: the weight instead, when the question names a place
            (临沂市, 兰陵县) and the plans in scope are that place's. The question says
            whose plans it is about, so the weight is stronger and applies whether
            or not retrievers agree (``benchmarks/bench_places.py``).
        rows_per_table: at most this many rows of one table among the hits before
            the other passages (0: no limit). Rows of a project table share their
            title and column labels, so for a question about the table they crowd
            out the paragraph that sums it up; with 3 the dev questions' R@10 rose
            (four plans 0.966 → 1.000, their English versions 0.920 → 0.960), none fell.
    """

    rrf_k: float = 60.0
    weights: Mapping[str, float] = field(default_factory=dict)
    lexical_languages: tuple[Language, ...] = ("zh",)
    depth: int = 100
    translate: bool = True
    expand: bool = True
    out_of_scope: float = 0.8
    scope_agree: int = 2
    out_of_place: float = 0.5
    rows_per_table: int = 3

    def __post_init__(self) -> None:
        if self.rrf_k < 0 or self.depth < 1 or self.scope_agree < 0:
            raise ValueError("rrf_k and scope_agree must be >= 0 and depth >= 1")
        if not 0 <= self.out_of_scope <= 1 or not 0 <= self.out_of_place <= 1:
            raise ValueError("out_of_scope and out_of_place must be between 0 and 1")


def fuse(
    rankings: Mapping[str, Sequence[int]], *, k: float = 60.0, weights: Mapping[str, float] | None = None
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: ``(row, score)`` best first, ties broken by row."""
    scores: dict[int, float] = {}
    for name, rows in rankings.items():
        w = (weights or {}).get(name, 1.0)
        for rank, row in enumerate(rows, 1):
            scores[row] = scores.get(row, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def fuse_within(local: Mapping[str, list[int]], ranked: Mapping[str, list[int]], fused: list[tuple[int, float]],
                mine: Sequence[bool] | np.ndarray, config: FusionConfig) -> tuple[dict[str, list[int]], list[tuple[int, float]]]:
    """The rankings and fused scores with the passages ``mine`` marks (those of the
    place a question names) taking the ranks ``local`` gave them, each retriever having
    ranked them among themselves; the others keep theirs.

    A county's three passages are seldom in any retriever's top hundred of a corpus that
    holds national plans, and a passage no retriever ranked has no score to weigh. The
    rankings returned, for a hit's sources, hold the place's passages first.
    """
    merged = {name: list(local.get(name, [])) + [r for r in ranked.get(name, []) if not mine[r]]
              for name in dict.fromkeys((*ranked, *local))}
    in_place = fuse(local, k=config.rrf_k, weights=config.weights)
    return merged, in_place + [(row, s) for row, s in fused if not mine[row]]


def at_most_per_plan(fused: list[tuple[int, float]], limit: int,
                     plan_of: Sequence[str] | Callable[[int], str]) -> list[tuple[int, float]]:
    """The fused list with at most ``limit`` rows of any one plan, order kept
    (``plan_of``: the plan of each row, or a function giving a row's plan)."""
    taken: dict[str, int] = {}
    out = []
    for row, score in fused:
        plan = plan_of(row) if callable(plan_of) else plan_of[row]
        if taken.get(plan, 0) < limit:
            taken[plan] = taken.get(plan, 0) + 1
            out.append((row, score))
    return out


def rows_per_table(fused: list[tuple[int, float]], limit: int, top_k: int,
                   table_of: Callable[[int], str | None]) -> list[tuple[int, float]]:
    """The fused list with rows beyond the first ``limit`` of any one table moved after
    the ``top_k`` best others, order otherwise kept."""
    taken: dict[str, int] = {}
    first: list[tuple[int, float]] = []
    later: list[tuple[int, float]] = []
    for i, (row, score) in enumerate(fused):
        if len(first) >= top_k:
            return first + later + fused[i:]
        table = table_of(row)
        if table is not None:
            taken[table] = taken.get(table, 0) + 1
            if taken[table] > limit:
                later.append((row, score))
                continue
        first.append((row, score))
    return first + later
