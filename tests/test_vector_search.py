"""Exact vector search without a per-query matrix: the faiss flat index over the shards'
float16 rows ranks as a float32 matrix product does, with and without a filter; a
passage ranks by its best sentence, found among the best sentences; and a search that
embeds with its encoders side by side returns what one after the other returns."""

from __future__ import annotations

import numpy as np
import pytest

from plangraph.model import PlanDoc
from plangraph.search.encoders import FakeEncoder
from plangraph.search.index import PassageIndex
from plangraph.search.read.searcher import Searcher
from plangraph.search.write.build import build_index, open_index

ENC = FakeEncoder()
OTHER = FakeEncoder(dim=48, name="fake/other", sentence_vectors=False)
QUERIES = ["学前教育普及普惠", "教师队伍建设", "马溪幼儿园", "What share of schools employ foreign teachers?",
           "推进义务教育优质均衡发展"]


@pytest.fixture(scope="module")
def index(linan: PlanDoc, linping: PlanDoc, tmp_path_factory: pytest.TempPathFactory) -> PassageIndex:
    out = tmp_path_factory.mktemp("vectors") / "idx"
    build_index([*linan.passages, *linping.passages], out, [ENC, OTHER], progress=False)
    return open_index(out, [ENC, OTHER])


def _best(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """The k best of ``scores`` (ties by row), as the float32 product ranked them."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return order[np.isfinite(scores[order])]


@pytest.mark.parametrize("query", QUERIES)
def test_top_rows_are_those_of_a_float32_product(index: PassageIndex, query: str) -> None:
    vectors = index.dense[OTHER.name]
    q = OTHER.encode_queries([query])[0]
    exact = vectors.matrix() @ q
    rows, sims = vectors.top(q, 10)
    # the same cosines at every rank (a near tie may swap two rows, never change a score)
    np.testing.assert_allclose(sims, exact[_best(exact, 10)], atol=1e-5)
    np.testing.assert_allclose(exact[rows], sims, atol=1e-5)
    assert list(sims) == sorted(sims, reverse=True)


def test_a_filter_ranks_only_the_allowed_rows(index: PassageIndex) -> None:
    vectors = index.dense[OTHER.name]
    q = OTHER.encode_queries(["学前教育普及普惠"])[0]
    exact = vectors.matrix() @ q
    linan = np.array([p == "linan" for p in index.plan_ids])
    rows, sims = vectors.top(q, 20, linan)
    assert len(rows) == 20 and linan[rows].all()
    np.testing.assert_allclose(sims, exact[_best(exact, 20, linan)], atol=1e-5)
    # fewer rows allowed than asked for: all of them
    linping = ~linan
    assert sorted(vectors.top(q, 100, linping)[0].tolist()) == np.flatnonzero(linping).tolist()


@pytest.mark.parametrize("query", QUERIES[:3])
def test_a_passage_ranks_by_its_best_sentence(index: PassageIndex, query: str) -> None:
    q = ENC.encode_queries([query])[0]
    best = index.sentence_scores(ENC.name, q)  # every passage's best sentence, from the float32 rows
    for depth in (10, 100, len(index)):  # the whole index: what a per-plan limit asks for
        ranked = index.dense_ranking(ENC.name, q, depth)
        assert len(ranked) == len(set(ranked)) == min(depth, len(index))
        np.testing.assert_allclose(best[ranked], best[_best(best, depth)], atol=1e-5)
    linan = np.array([p == "linan" for p in index.plan_ids])
    ranked = index.dense_ranking(ENC.name, q, 30, linan)
    assert len(ranked) == 30 and linan[ranked].all()
    np.testing.assert_allclose(best[ranked], best[_best(best, 30, linan)], atol=1e-5)


def test_encoders_side_by_side_give_the_hits_of_one_after_the_other(index: PassageIndex) -> None:
    together = Searcher(index, [ENC, OTHER])
    in_turn = Searcher(index, [ENC, OTHER], concurrent=False)
    for query in QUERIES:
        a, b = together.search(query, 10), in_turn.search(query, 10)
        assert a == b
        assert {ENC.name, OTHER.name} <= {name for hit in a for name, _ in hit.sources}
    assert together.rankings("教师队伍建设", retrievers=[OTHER.name, ENC.name]).keys() == {OTHER.name, ENC.name}
