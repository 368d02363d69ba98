"""Where a plan is from: the gazetteer, a plan's division, place-scoped search and the
place filter, on fragments of real plans of other provinces (tests/data/plans)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plangraph.errors import UsageError
from plangraph.ingest.division import locate
from plangraph.ingest.gazetteer import gazetteer, short_names
from plangraph.ingest.pipeline import ingest_file
from plangraph.interfaces.cli import main
from plangraph.search.read.scope import places_named, without_places
from plangraph.workspace import Workspace
from tests.conftest import PLACE_PLANS

SHANDONG = {"linyi-14th-fyp-traditional", "linyi-14th-fyp-explainer", "lanling-14th-fyp-education",
            "laishan-14th-fyp-explainer", "shinan-13th-fyp"}


def test_the_gazetteer_holds_every_level_with_codes_and_parents() -> None:
    g = gazetteer()
    levels = [d.level for d in g.divisions.values()]
    assert levels.count("province") == 34 + 1  # with 台湾省
    assert levels.count("city") > 330 and levels.count("county") > 2800
    assert [d.name for d in g.chain("371324")] == ["山东省", "临沂市", "兰陵县"]
    assert g.path("330113") == "浙江省 杭州市 临平区"  # a district created in 2021
    assert g.get("110101").parent == "110000"  # a municipality's district sits under it
    assert g.get("419001").parent == "410000"  # 济源市, run by its province
    assert g.within("371324", "370000") and not g.within("371324", "330000")


@pytest.mark.parametrize(("name", "short"), [
    ("临沂市", ("临沂",)), ("黄南藏族自治州", ("黄南", "黄南州")), ("新疆维吾尔自治区", ("新疆",)),
    ("内蒙古自治区", ("内蒙古",)), ("长阳土家族自治县", ("长阳", "长阳县")), ("鄂温克族自治旗", ("鄂温克", "鄂温克旗")),
    ("香港特别行政区", ("香港",)), ("兰陵县", ("兰陵",)),
])
def test_short_names(name: str, short: tuple[str, ...]) -> None:
    nations = ["藏族", "维吾尔族", "蒙古族", "土家族", "鄂温克族"]
    assert short_names(name, nations) == short


@pytest.mark.parametrize(("query", "codes"), [
    ("临沂市教育规划以什么为主题?", {"371300"}),
    ("临沂规划的主题", {"371300"}),
    ("臨沂市教育規劃", {"371300"}),  # traditional script
    ("兰陵县义务教育巩固率", {"371324"}),
    ("山东的教育规划", {"370000"}),
    ("推进教育和平发展、加强安全教育", set()),  # 和平 (和平区) is a word here
    ("怎样给中小学生减轻学习压力?", set()),
])
def test_places_a_question_names(query: str, codes: set[str]) -> None:
    assert {d.code for d in places_named(query)} == codes


@pytest.mark.parametrize(("query", "rest"), [
    ("临沂市教育规划以什么为主题?", "教育规划以什么为主题?"),
    ("青岛市市南区学校食堂改造投入多少", "学校食堂改造投入多少"),
    ("臨沂市教育規劃", "教育規劃"),  # found in simplified, cut from the question as written
    ("临沂", "临沂"),  # nothing else to ask
])
def test_the_place_is_cut_when_its_plans_rank_among_themselves(query: str, rest: str) -> None:
    assert without_places(query) == rest


@pytest.mark.parametrize(("title", "issuer", "code", "cue"), [
    ("临沂市“十四五”教育事业发展规划", None, "371300", "title: 临沂市"),
    ("文字解读:《临沂市“十四五”教育事业发展规划》", None, "371300", "title: 临沂市"),
    ("关于《开州区教育事业发展“十四五”规划(征求意见稿)》的政策解读", None, "500154", "title: 开州区"),
    ("黄南州“十四五”教育事业发展规划", None, "632300", "title: 黄南州"),
    ("甘肃省“十一五”教育事业发展规划", None, "620000", "title: 甘肃省"),
    ("臨沂市“十四五”教育事業發展規劃", None, "371300", "title: 临沂市"),
    ("我市“十四五”期间基础教育提质扩容成效显著", "淮北市教育局", "340600", "issuer: 淮北市"),
    ("鼓楼区教育事业发展规划", "南京市鼓楼区教育局", "320106", "title: 鼓楼区"),  # settled by 南京市
])
def test_a_plan_is_located_by_its_title_or_issuer(title: str, issuer: str | None, code: str, cue: str) -> None:
    found = locate(title=title, issuer=issuer)
    assert found is not None and found.division.code == code and found.reason() == cue


def test_a_shared_name_alone_stays_unsettled() -> None:
    assert locate(title="鼓楼区教育事业发展规划") is None  # 鼓楼区 of four cities


def test_the_text_names_the_place_outside_the_documents_it_cites() -> None:
    # 《蚌埠市…规划》 is cited; the plan is 五河县's
    text = "为推进五河县教育事业科学发展,根据《蚌埠市“十四五”教育事业发展规划》,结合五河教育发展实际,制定本规划。"
    found = locate(title="教育规划", text=text)
    assert found is not None and found.division.name == "五河县" and found.source == "text"


@pytest.mark.parametrize(("file", "code", "level", "region"), [
    ("linyi-14th-fyp-traditional.txt", "371300", "municipal", "临沂市"),
    ("lanling-14th-fyp-education.excerpt.txt", "371324", "county", "临沂市兰陵县"),
    ("wuhe-14th-fyp.txt", "340322", "county", "五河县"),
    ("xiapu-14th-fyp.txt", "350921", "county", "霞浦县"),
    ("huangnan-14th-fyp.txt", "632300", "municipal", "黄南藏族自治州"),
    ("gansu-11th-fyp.txt", "620000", "provincial", "甘肃省"),
    ("huaibei-14th-fyp-progress.txt", "340600", "municipal", "淮北市"),
    ("kaizhou-14th-fyp-explainer.txt", "500154", "district", "开州区"),
    ("shinan-13th-fyp.txt", "370202", "district", "市南区"),
    ("report-midterm-evaluation.txt", None, None, None),
])
def test_each_fixture_gets_its_division(file: str, code: str | None, level: str | None, region: str | None) -> None:
    m = ingest_file(PLACE_PLANS / file).meta
    assert (m.division_code, m.level, m.region) == (code, level, region)
    if code:
        assert m.division == gazetteer().path(code) and m.division_level == gazetteer().get(code).level


def test_the_plan_facts_carry_the_division(places_index: Path) -> None:
    meta = {p["plan"]: p["meta"] for p in Workspace(places_index).plans()}
    assert meta["lanling-14th-fyp-education"]["division"] == "山东省 临沂市 兰陵县"
    assert meta["lanling-14th-fyp-education"]["division_cue"] == "text: 兰陵"
    assert meta["linan"]["division_code"] == "330112"


def test_the_graph_has_the_division_and_its_parents(places_index: Path) -> None:
    rows = Workspace(places_index).sparql("""
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX pg: <https://w3id.org/plangraph/ontology#>
        SELECT ?code ?name ?level WHERE {
          ?plan dcterms:identifier "lanling-14th-fyp-education" ; dcterms:spatial ?d .
          ?d skos:broader* ?up . ?up skos:notation ?code ; skos:prefLabel ?name ; pg:divisionLevel ?level .
        } ORDER BY ?code""").rows
    assert [tuple(map(str, r)) for r in rows] == [
        ("370000", "山东省", "province"), ("371300", "临沂市", "city"), ("371324", "兰陵县", "county")]


def test_a_question_naming_a_place_ranks_its_plan_first(places_index: Path) -> None:
    ws = Workspace(places_index)
    hits, scope = ws.search_with_scope("兰陵县普惠性幼儿园覆盖率目标是多少", 5)
    assert scope is not None and scope.places == ("兰陵县",)
    assert scope.plans == {"lanling-14th-fyp-education"}
    assert hits[0].plan == "lanling-14th-fyp-education" and "普惠性幼儿园覆盖率达到80%以上" in hits[0].quote
    alike = ws.search("兰陵县普惠性幼儿园覆盖率目标是多少", 5, scoped=False)
    assert alike[0].plan != "lanling-14th-fyp-education"  # the Lin'an plan says more on 普惠性幼儿园


def test_a_city_question_ranks_the_city_plan_before_its_counties_and_explainers(places_index: Path) -> None:
    _, scope = Workspace(places_index).search_with_scope("临沂市教育规划以什么为主题?", 5)
    assert scope is not None and scope.places == ("临沂市",)
    assert scope.plans == {"linyi-14th-fyp-traditional"}  # not 兰陵县's, nor the explainer
    _, asked = Workspace(places_index).search_with_scope("临沂市教育规划的文字解读说了什么", 5)
    assert asked is not None and asked.plans == {"linyi-14th-fyp-traditional", "linyi-14th-fyp-explainer"}
    _, province = Workspace(places_index).search_with_scope("山东的教育规划如何坚持党的全面领导", 5)
    # none is the province's own: those under it, the plans proper
    assert province is not None and province.plans == {"linyi-14th-fyp-traditional", "lanling-14th-fyp-education",
                                                       "shinan-13th-fyp"}


def test_without_a_place_nothing_changes(places_index: Path) -> None:
    _, scope = Workspace(places_index).search_with_scope("怎样给中小学生减轻学习压力?", 5)
    assert scope is None or not scope.places


def test_the_scope_line_says_which_place(places_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "临沂规划以什么为主题", "--index", str(places_index), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "(scope: plans of 临沂市 first (linyi-14th-fyp-traditional); named 临沂市" in out
    assert "other plans weighted 0.5" in out


@pytest.mark.parametrize(("place", "plans"), [
    ("山东", SHANDONG), ("山东省", SHANDONG), ("370000", SHANDONG),
    ("临沂", {"linyi-14th-fyp-traditional", "linyi-14th-fyp-explainer", "lanling-14th-fyp-education"}),
    ("兰陵县", {"lanling-14th-fyp-education"}),
    ("杭州市", {"linan", "linping", "linan-toc"}),
    ("西藏", set()),  # a place with no plans here: nothing found
])
def test_the_place_filter_keeps_a_division_and_what_is_under_it(places_index: Path, place: str,
                                                                 plans: set[str]) -> None:
    hits = Workspace(places_index).search("教育发展", 50, place=place)
    assert {h.plan for h in hits} <= plans
    if plans:
        assert hits


def test_the_scope_is_worked_out_among_the_plans_filtered_to(places_index: Path) -> None:
    _, scope = Workspace(places_index).search_with_scope("学前教育", 5, place="临沂")
    # of 临沂's plans, its county's first; plans outside the filter are not listed
    assert scope is not None and scope.plans == {"lanling-14th-fyp-education"}


def test_an_unknown_place_is_named(places_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match="unknown place '火星'"):
        Workspace(places_index).search("教育", 5, place="火星")
    assert main(["search", "教育", "--index", str(places_index), "--place", "火星"]) == 1
    assert "unknown place '火星'" in capsys.readouterr().err


def test_the_place_question_set_is_well_formed() -> None:
    data = json.loads((PLACE_PLANS.parent / "place_questions.json").read_text("utf-8"))
    qs = data["questions"]
    assert len(qs) >= 25 and {q["level"] for q in qs} == {"province", "city", "county"}
    for q in qs:  # every question names a place the gazetteer knows
        assert places_named(q["q"]), q["q"]
