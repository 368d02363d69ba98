"""Extraction on the real plan texts: cell-by-cell for a sample, counts for the rest."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from plangraph.extract.mentions import Extraction
from plangraph.extract.pipeline import extract
from plangraph.extract.tables import investment_total
from plangraph.ingest.pipeline import ingest_file
from plangraph.model import PlanDoc

from .conftest import NATIONAL_2010, NATIONAL_2035, shared_file

REPO = Path(__file__).resolve().parents[1]
LINAN = REPO / "corpus" / "linan-2022-education-14th-fyp.raw.txt"
LINPING = REPO / "corpus" / "linping-education-14th-fyp.excerpt.txt"
OUTLINE = NATIONAL_2010
MODERN = NATIONAL_2035


@pytest.fixture(scope="module")
def linan() -> tuple[PlanDoc, Extraction]:
    doc = ingest_file(LINAN)
    return doc, extract(doc)


@pytest.fixture(scope="module")
def outline() -> tuple[PlanDoc, Extraction]:
    doc = ingest_file(shared_file(OUTLINE))
    return doc, extract(doc)


def _ind(ex: Extraction, label: str):
    found = [i for i in ex.indicators if i.label == label]
    assert len(found) == 1, [i.label for i in ex.indicators]
    return found[0]


def _all_evidence(ex: Extraction):
    for i in ex.indicators:
        yield i.evidence
        yield from (v.evidence for v in i.values)
    for p in ex.programmes:
        yield p.evidence
        yield from (q.evidence for q in p.quantities)
    yield from (p.evidence for p in ex.projects)
    for c in ex.commitments:
        yield c.evidence
        yield from (q.evidence for q in c.quantities)
    for group in (ex.organizations, ex.places, ex.documents):
        for e in group:
            yield from e.mentions


def test_every_quote_is_the_original_text(linan, outline):
    for doc, ex in (linan, outline):
        n = 0
        for ev in _all_evidence(ex):
            assert doc.original[ev.start:ev.end] == ev.quote
            n += 1
        assert n > 500


def test_linan_indicators_cell_by_cell(linan):
    _, ex = linan
    assert len(ex.indicators) == 30
    assert {i.target_year for i in ex.indicators} == {2025}
    expected = [
        # label, category, unit, binding, [(comparator, number, text)]
        ("普惠性幼儿园覆盖面", "学前教育", "%", "约束性", [("=", Decimal("90"), "90")]),
        ("全国学前教育普及普惠区督导评估人大", "学前教育", None, "预期性", [("=", None, "通过")]),
        ("幼儿园生均公用经费", "学前教育", "元/生", "预期性", [("=", Decimal("700"), "700")]),
        ("本科及以上学历教师比例", "学前教育", "%", "预期性", [("≥", Decimal("65"), "≥65")]),
        ("初中毕业生升入高中段比例", "义务教育", "%", None, [("=", Decimal("99"), "99")]),
        ("校际优质均衡系数 小学", "义务教育", None, "约束性", [("=", Decimal("0.30"), "0.30")]),
        ("生均日常公用经费 初中", "义务教育", "元/生", "约束性", [("=", Decimal("1200"), "1200")]),
        ("教师学历 小学本科", "义务教育", "%", "预期性", [(">", Decimal("90"), ">90")]),
        ("高校新生体质健康合格率与优良率", "高中教育", "%", "约束性",
         [(">", Decimal("95"), ">95"), (">", Decimal("30"), ">30")]),
        ("中职双师型教师占专任教师比", "师资", "%", "预期性", [("≥", Decimal("96.6"), "≥96.6")]),
        ("适龄持证儿童少年入学率 高中段", "特殊教育", "%", "约束性", [("=", Decimal("94"), "94")]),
        ("儿童预期受教育年限", "综合发展", "年", "约束性", [("=", Decimal("15"), "15")]),
        ("劳动年龄人口平均受教育年限", "综合发展", "年", "约束性", [("=", Decimal("12.5"), "12.5")]),
        ("现代化学校创建数", "综合发展", "所", "预期性", [("=", Decimal("15"), "15")]),
        ("社会公众教育工作满意度", "综合发展", "%", "预期性", [(">", Decimal("90"), ">90")]),
    ]
    for label, category, unit, binding, values in expected:
        ind = _ind(ex, label)
        assert (ind.category, ind.unit, ind.binding) == (category, unit, binding), label
        assert [(v.comparator, v.number, v.text) for v in ind.values] == values, label
        assert all(v.year == 2025 and v.role == "target" for v in ind.values)
    # the two values of >95>30 point at their own parts of the cell
    two = _ind(ex, "高校新生体质健康合格率与优良率").values
    assert [v.evidence.quote for v in two] == [">95", ">30"]
    bindings = [i.binding for i in ex.indicators]
    assert bindings.count("约束性") == 15 and bindings.count("预期性") == 14


def test_linan_programmes(linan):
    _, ex = linan
    assert len(ex.programmes) == 27
    assert len({p.table_id for p in ex.programmes}) == 9
    by_name = {p.name: p for p in ex.programmes}
    q = [(x.comparator, x.value, x.unit) for x in by_name["普惠幼儿园建设项目"].quantities]
    assert q == [("≥", 90, "%"), ("≥", 75, "%"), ("≥", 90, "%")]
    assert by_name["普惠幼儿园建设项目"].seq == 2
    health = [(x.comparator, x.value, x.unit, x.qualifier) for x in by_name["体质健康保障项目"].quantities]
    assert ("≥", 1, "小时", None) in health and ("=", 1, "%", "每年下降") in health
    old = by_name["老年教育提升项目"].quantities
    assert [(x.value, x.unit, x.qualifier) for x in old] == [(500, "学位", "新增")]
    # 0.305~7所 is the glued pair 小于0.30 | 5~7所
    glued = [(x.comparator, x.value, x.upper, x.unit) for x in by_name["初中提质强校项目"].quantities]
    assert glued[:2] == [("<", Decimal("0.30"), None, None), ("=", 5, 7, "所")]


def test_linan_projects_sum_to_the_stated_totals(linan):
    doc, ex = linan
    assert len(ex.projects) == 39
    tables: dict[str, list] = {}
    for p in ex.projects:
        tables.setdefault(p.table_title, []).append(p)
    pre, school = tables["学前教育计划建设项目表"], tables["中小学计划建设项目表"]
    assert (len(pre), len(school)) == (21, 18)
    assert investment_total(pre) == 50145 and investment_total(school) == 339589
    stated = [int(x) for x in re.findall(r"投资估算约(\d+)亿元", doc.norm[: len(doc.norm) // 2])]
    assert stated == [5, 34]
    assert round(investment_total(pre) / 10000) == stated[0]
    assert round(investment_total(school) / 10000) == stated[1]
    qj = next(p for p in school if p.name.startswith("钱锦学校"))
    assert (qj.seq, qj.classes, qj.school_type, qj.location) == (16, 54, "一贯制", "滨湖新城")
    assert (qj.start_year, qj.end_year, qj.investment_wan, qj.investment_yuan) == (
        2022, 2024, 30000, 300000000)
    assert next(p for p in school if p.seq == 11).classes is None  # 扩建食堂等


def test_linan_bodies_places_documents(linan):
    _, ex = linan
    bodies = {o.name: o for o in ex.organizations}
    for name in ("区委区政府", "区教育局", "区委教育工作领导小组", "区政府", "人社部门", "卫健部门",
                 "文旅部门", "教育部门"):
        assert name in bodies, name
    assert {o.region for o in ex.organizations} == {"杭州市临安区"}
    assert "杭州市临安区教育局" in bodies["区教育局"].aliases
    assert bodies["区教育局"].mentions[0].quote == "区教育局"
    places = {p.name: p.place_type for p in ex.places}
    assert places["锦北街道"] == "街道" and places["於潜镇"] == "镇"
    assert places["滨湖新城"] == "新城" and places["青山湖科技城"] == "科技城"
    assert not {"城镇", "乡镇", "镇街"} & set(places)
    titles = {d.title for d in ex.documents}
    assert {"中国教育现代化2035", "浙江省教育事业发展“十四五”规划", "杭州教育现代化2035行动纲要"} <= titles


def test_linan_commitments(linan):
    _, ex = linan
    assert 150 < len(ex.commitments) < 400
    # past achievements are not commitments
    assert not any("现实基础" in c.section_path for c in ex.commitments)
    rural = [c for c in ex.commitments if "rural-teachers" in c.target_groups]
    assert any("乡村教师补充机制" in c.text for c in rural)
    elderly = [c for c in ex.commitments if "elderly" in c.target_groups]
    assert any("老年人智能技术" in c.text for c in elderly)


def test_linping_names_its_research_institute():
    ex = extract(ingest_file(LINPING))
    assert "教育发展研究学院" in {o.name for o in ex.organizations}
    assert ex.indicators == () and len(ex.commitments) > 20


def test_outline_indicator_tables_with_baseline_and_targets(outline):
    _, ex = outline
    assert len(ex.indicators) == 20
    assert len({i.table_id for i in ex.indicators}) == 2
    ind = _ind(ex, "学前三年毛入园率")
    assert (ind.category, ind.unit, ind.target_year) == ("学前教育", "%", 2020)
    assert [(v.year, v.role, v.number) for v in ind.values] == [
        (2009, "baseline", Decimal("50.9")), (2015, "target", Decimal("60.0")),
        (2020, "target", Decimal("70.0"))]
    years = _ind(ex, "主要劳动年龄人口平均受教育年限")
    assert years.unit == "年" and [v.number for v in years.values] == [
        Decimal("9.5"), Decimal("10.5"), Decimal("11.2")]
    cont = _ind(ex, "从业人员继续教育")
    assert cont.unit == "万人次" and cont.values[-1].number == 35000


def test_modernization_2035_values_with_notes():
    ex = extract(ingest_file(shared_file(MODERN)))
    assert len(ex.indicators) == 9
    pre = _ind(ex, "学前教育毛入园率")
    assert [(v.year, v.comparator, v.number) for v in pre.values] == [
        (2017, "=", Decimal("79.6")), (2020, "=", Decimal("85")), (2035, ">", Decimal("95"))]
    bal = next(i for i in ex.indicators if i.name.startswith("域内义务教育均衡县"))
    assert [(v.number, v.note) for v in bal.values] == [
        (Decimal("81"), "基本均衡"), (Decimal("95"), "基本均衡"), (Decimal("95"), "基本均衡")]
