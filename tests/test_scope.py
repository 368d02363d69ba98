"""Scoping a question to the plans it is about, on the real metadata and text of the
four shared plans (two district plans, two national documents)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plangraph.analysis.evaluate import is_relevant
from plangraph.interfaces.cli import main
from plangraph.model import PlanDoc
from plangraph.search.encoders import FakeEncoder
from plangraph.search.read.fusion import FusionConfig
from plangraph.search.read.scope import PlanProfile, scope_of, years_named
from plangraph.search.read.searcher import LEXICAL, Searcher
from plangraph.search.write.build import build_index, open_index

DISTRICTS = {"linan", "linping"}
N2010 = "national-education-reform-outline-2010-2020"
N2035 = "national-china-education-modernization-2035"


@pytest.fixture(scope="module")
def profiles(all_plans: list[PlanDoc]) -> list[PlanProfile]:
    return [PlanProfile.from_meta(d.meta) for d in all_plans]


@pytest.fixture(scope="module")
def four_plan_searcher(all_plans: list[PlanDoc], profiles: list[PlanProfile],
                       tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    out = tmp_path_factory.mktemp("scope") / "idx"
    build_index([p for d in all_plans for p in d.passages], out, [FakeEncoder()], progress=False)
    return Searcher(open_index(out, [FakeEncoder()]), [FakeEncoder()], plans=profiles)


@pytest.mark.parametrize(
    ("query", "years"),
    [
        ("2020年学前三年毛入园率", (2020,)),
        ("到2035年教育现代化的总体目标", (2035,)),
        ("2021-2025年的目标", (2021, 2025)),
        ("What is the 2020 target for the preschool enrolment rate?", (2020,)),
        ("十四五期间一共要建多少个幼儿园项目", (2021, 2022, 2023, 2024, 2025)),
        ("goals of the 13th Five-Year Plan", (2016, 2017, 2018, 2019, 2020)),
        ("培养2000名骨干教师", ()),  # a count, not a year
        ("十五年免费教育", ()),
    ],
)
def test_years_a_question_names(query: str, years: tuple[int, ...]) -> None:
    assert years_named(query) == years


def test_the_real_plans_metadata_gives_levels_regions_and_periods(profiles: list[PlanProfile]) -> None:
    by_id = {p.plan_id: p for p in profiles}
    assert by_id["linan"].names() == ("临安区教育事业发展“十四五”规划", "临安区", "临安")
    assert by_id["linping"].names() == ("临平区教育事业发展“十四五”规划", "临平区", "临平")  # without （节选）
    assert by_id[N2010].names()[0] == "国家中长期教育改革和发展规划纲要"
    assert by_id["linan"].tier == by_id["linping"].tier == 0
    assert by_id[N2010].tier == by_id[N2035].tier == 3
    assert by_id[N2010].covers(2015) and not by_id[N2010].covers(2021)
    # known only by its end year, 《中国教育现代化2035》 covers 2035 alone
    assert by_id[N2035].covers(2035) and not by_id[N2035].covers(2020)


@pytest.mark.parametrize(
    ("query", "plans"),
    [
        ("怎样给中小学生减轻学习压力?", DISTRICTS),  # no cue: the most local plans
        ("What share of schools should employ full-time foreign teachers?", DISTRICTS),
        ("十四五期间一共要建多少个幼儿园项目", DISTRICTS),
        ("临平区的未来学校试点", {"linping"}),
        ("临安的幼儿园项目", {"linan"}),
        ("Linping future schools", {"linping"}),
        ("到2035年教育现代化的总体目标", {N2035}),
        ("What is the 2020 target for the three-year preschool gross enrolment rate?", {N2010}),
        ("国家层面的学前教育毛入园率目标", {N2010, N2035}),
        ("国家对学前教育有什么要求", {N2010, N2035}),
        ("What does the national plan say about preschool education?", {N2010, N2035}),
        ("中国教育现代化2035提出的目标", {N2035}),  # by its title
        # 全国 alone names titles districts strive for, not the national documents
        ("创建全国义务教育优质均衡发展区", DISTRICTS),
        ("2008年的情况", DISTRICTS),  # a year no plan covers does not narrow the scope
    ],
)
def test_scope_of_real_questions(profiles: list[PlanProfile], query: str, plans: set[str]) -> None:
    scope = scope_of(query, profiles)
    assert scope is not None and scope.plans == plans


def test_no_scope_when_every_plan_is_in_it(profiles: list[PlanProfile]) -> None:
    districts = [p for p in profiles if p.plan_id in DISTRICTS]
    assert scope_of("怎样给中小学生减轻学习压力?", districts) is None  # one level only
    assert scope_of("临安的幼儿园", districts[:1]) is None  # one plan


def test_a_scope_says_why(profiles: list[PlanProfile]) -> None:
    scope = scope_of("What is the 2020 target for the three-year preschool gross enrolment rate?", profiles)
    assert scope is not None
    assert scope.describe() == f"national plans first ({N2010}); period covers 2020"
    assert scope.describe_zh() == f"优先显示国家级规划（{N2010}）：规划期含2020年"
    named = scope_of("临平区的未来学校", profiles)
    assert named is not None and named.regions == ("临平区",)  # not also 临平


BURDEN = ("怎样给中小学生减轻学习压力?", ["树立轻负高质教育理念", "坚决防止学生学业负担过重", "持续推进中小学生减负工作"])


def test_local_plans_rank_first_for_a_general_question(four_plan_searcher: Searcher) -> None:
    # the national outline's chapter on 减负 is BM25's best match; the dev set's answer is
    # the Lin'an plan's own commitment
    query, evidence = BURDEN
    alike = four_plan_searcher.search(query, top_k=3, retrievers=[LEXICAL], scoped=False)
    assert alike[0].plan == N2010 and alike[0].scope_weight == 1.0
    scoped = four_plan_searcher.search(query, top_k=20, retrievers=[LEXICAL])
    assert scoped[0].plan == "linan" and is_relevant(scoped[0], evidence)
    national = [h for h in scoped if h.plan == N2010]
    assert national and all(h.scope_weight == 0.8 for h in national)
    assert all(h.scope_weight == 1.0 for h in scoped if h.plan in DISTRICTS)


def test_the_scope_weight_is_a_soft_preference(four_plan_searcher: Searcher) -> None:
    query = BURDEN[0]
    off = Searcher(four_plan_searcher.index, [FakeEncoder()], plans=four_plan_searcher.plans,
                   fusion=FusionConfig(out_of_scope=1.0))
    assert off.scope(query) is None
    assert [h.passage_id for h in off.search(query, retrievers=[LEXICAL])] == [
        h.passage_id for h in four_plan_searcher.search(query, retrievers=[LEXICAL], scoped=False)]
    # weight 0: every in-scope passage the retriever found comes before any other
    # (rows of one table past the third would give way to them: not what this checks)
    strict = Searcher(four_plan_searcher.index, [FakeEncoder()], plans=four_plan_searcher.plans,
                      fusion=FusionConfig(out_of_scope=0.0, rows_per_table=0))
    plans = [h.plan for h in strict.search(query, top_k=200, retrievers=[LEXICAL])]
    first_national = min(plans.index(p) for p in (N2010, N2035) if p in plans)
    assert set(plans[:first_national]) <= DISTRICTS and set(plans[first_national:]) <= {N2010, N2035}
    with pytest.raises(ValueError, match="out_of_scope"):
        FusionConfig(out_of_scope=1.5)


def test_local_plans_come_first_only_when_they_address_the_question(four_plan_searcher: Searcher) -> None:
    # no district plan mentions 学分银行: the national answers keep their place
    hits, scope = four_plan_searcher.search_with_scope("学分银行", top_k=3)
    assert scope is None
    assert {h.plan for h in hits} <= {N2010, N2035} and all(h.scope_weight == 1.0 for h in hits)
    assert is_relevant(hits[0], ["学分银行"])
    always = Searcher(four_plan_searcher.index, [FakeEncoder()], plans=four_plan_searcher.plans,
                      fusion=FusionConfig(scope_agree=0))
    hits, scope = always.search_with_scope("学分银行", top_k=10)
    assert scope is not None and scope.plans == DISTRICTS
    assert {h.scope_weight for h in hits if h.plan not in DISTRICTS} == {0.8}
    # Lin'an's own 减负 commitment is in the top ten of both the encoder and BM25
    hits, scope = four_plan_searcher.search_with_scope("中小学生减负", top_k=10)
    assert scope is not None and scope.plans == DISTRICTS
    assert [h.scope_weight for h in hits if h.plan not in DISTRICTS] == [0.8] * sum(
        h.plan not in DISTRICTS for h in hits)


def test_a_question_naming_the_national_period_keeps_national_passages_first(four_plan_searcher: Searcher) -> None:
    hits = four_plan_searcher.search("到2035年教育现代化的总体目标", top_k=3, retrievers=[LEXICAL])
    assert hits[0].plan == N2035 and hits[0].scope_weight == 1.0
    assert is_relevant(hits[0], ["总体实现教育现代化，迈入教育强国行列"])


def test_a_plan_filter_to_national_documents_still_finds_them(four_plan_searcher: Searcher) -> None:
    hits = four_plan_searcher.search(BURDEN[0], top_k=3, plan=N2010, retrievers=[LEXICAL])
    assert hits and {h.plan for h in hits} == {N2010}


def test_cli_search_says_which_plans_come_first(four_plan_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = ["--index", str(four_plan_index)]
    assert main(["search", "中小学生减负", *index, "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "(scope: district and county plans first (linan, linping); other plans weighted 0.8" in out
    assert main(["search", "中小学生减负", *index, "--top", "3", "--no-scope"]) == 0
    assert "scope:" not in capsys.readouterr().out
    assert main(["search", "学分银行", *index, "--top", "3"]) == 0  # the districts do not address it
    assert "scope:" not in capsys.readouterr().out
    assert main(["search", "中小学生减负", *index, "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert {h["scope_weight"] for h in hits if h["plan"] in DISTRICTS} == {1.0}
    assert {h["scope_weight"] for h in hits if h["plan"] not in DISTRICTS} <= {0.8}


def _named_plan_by_plan(query: str, plans: list[PlanProfile]) -> dict[str, tuple[str, ...]]:
    """What regions_named answered before PlanNames: each plan's names folded and tested in turn."""
    import re

    from plangraph.search.read.scope import _fold

    folded = _fold(query)
    words = set(re.findall(r"[a-z0-9-]+", folded))
    out = {}
    for p in plans:
        found = [n for n in p.names() if (n in words if re.fullmatch(r"[a-z0-9-]+", n) else _fold(n) in folded)]
        if p.plan_id.casefold() in words:
            found.append(p.plan_id)
        if found:
            out[p.plan_id] = tuple(found)
    return out


def test_plan_names_finds_what_each_plan_s_names_would(profiles: list[PlanProfile]) -> None:
    """The names looked up by the question's substrings give what testing every plan's
    names did, in the plans' order, for the plans asked about (a searcher makes one
    PlanNames of all its plans and asks about some)."""
    from plangraph.search.read.scope import PlanNames, regions_named

    more = [*profiles, PlanProfile("Quzhou-2025", title="《衢州市教育发展规划（2021—2025年）》", level="city",
                                   region="浙江省衢州市"),
            PlanProfile("kecheng", title="柯城区教育规划", level="district", region="浙江省衢州市柯城区")]
    names = PlanNames(more)
    queries = ["临平区的未来学校", "Linping future schools", "linan and LINPING", "衢州和柯城的学前教育",
               "quzhou-2025 targets", "国家中长期教育改革和发展规划纲要的目标", "“临安”的幼儿园", "全国的义务教育",
               "柯城区衢州市临安区临平区", "What does the 2035 national plan say?", "幼儿园"]
    for query in queries:
        expected = _named_plan_by_plan(query, more)
        assert regions_named(query, more) == expected, query
        assert regions_named(query, more, names) == expected, query
        assert regions_named(query, more[2:], names) == _named_plan_by_plan(query, more[2:]), query
    assert set(regions_named("柯城区衢州市临安区临平区", more, names)) == {"linan", "linping", "Quzhou-2025", "kecheng"}


def test_plan_mask_and_plan_set_are_those_of_every_row(four_plan_searcher: Searcher) -> None:
    import numpy as np

    index = four_plan_searcher.index
    assert index.plan_set == set(index.plan_ids) == DISTRICTS | {N2010, N2035}
    for chosen in ({"linan"}, {N2010, "linping"}, set()):
        mask = index.plan_mask(chosen)
        assert mask.dtype == bool and mask.tolist() == [p in chosen for p in index.plan_ids]
        assert np.flatnonzero(mask).size == sum(p in chosen for p in index.plan_ids)


def test_a_searcher_scopes_as_scope_of_does(four_plan_searcher: Searcher, profiles: list[PlanProfile]) -> None:
    """The searcher keeps the scope of a question that names no plan, place or year (the
    same for all of them) and its plans' names: what it answers is scope_of's answer."""
    questions = ["怎样给中小学生减轻学习压力?", "临平区的未来学校", "2020年学前三年毛入园率", "2008年的情况",
                 "到2035年教育现代化的总体目标", "What does Linping plan for future schools?", "幼儿园建设项目"]
    for query in questions * 2:
        assert four_plan_searcher.scope(query) == scope_of(query, profiles), query
        assert four_plan_searcher.scope(query, DISTRICTS) == scope_of(
            query, [p for p in profiles if p.plan_id in DISTRICTS]), query
    plain = four_plan_searcher.scope("怎样给中小学生减轻学习压力?")
    assert plain is not None and plain.plans == DISTRICTS and not plain.regions and not plain.years
