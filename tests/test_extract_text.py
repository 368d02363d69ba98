"""Goldens: sentence → the mentions extracted from it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plangraph.extract.pipeline import extract
from plangraph.model import Passage, PlanDoc, PlanMeta, Section


def make_doc(paragraphs: list[str], *, region: str = "杭州市临安区", issuer: str | None = None,
             section: str = "教师队伍", plan_id: str = "golden") -> PlanDoc:
    text = "一、" + section + "\n" + "\n".join(paragraphs) + "\n"
    sec = Section(f"{plan_id}-s-1", plan_id, 1, "heading", "一", section, (section,), None, 2,
                  2 + len(section))
    passages = []
    pos = 3 + len(section)
    for i, p in enumerate(paragraphs):
        passages.append(Passage(f"{plan_id}-p-{i}", plan_id, "paragraph", i, pos, pos + len(p), p, p,
                                sec.section_id, sec.path))
        pos += len(p) + 1
    meta = PlanMeta(plan_id, "测试规划", f"{plan_id}.txt", "0" * 64, "utf-8", region=region,
                    issuer=issuer, period_start=2021, period_end=2025)
    return PlanDoc(meta, text, text, (sec,), (), tuple(passages))


def one(sentence: str):
    ex = extract(make_doc([sentence]))
    assert len(ex.commitments) == 1, ex.commitments
    return ex.commitments[0], ex


D = Decimal
GOLDENS = [
    # sentence, quantities (comparator, value, upper, unit, qualifier, quote), target groups
    ("确保学生每天锻炼至少1小时;",
     [("≥", D(1), None, "小时", None, "至少1小时")], []),
    ("近视率每年下降1%;",
     [("=", D(1), None, "%", "每年下降", "每年下降1%")], []),
    ("义务段专任教师拥有境外学习研修经历的比例不低于3%,高中不低于10%。",
     [("≥", D(3), None, "%", None, "不低于3%"), ("≥", D(10), None, "%", None, "不低于10%")], []),
    ("建立2-3老年大学(学堂),新增学位500。",
     [("=", D(500), None, "学位", "新增", "新增学位500")], ["elderly"]),
    ("培养150名中小学35周岁以下各学科新锐教师。",
     [("=", D(150), None, "名", None, "150名"), ("≤", D(35), None, "周岁", None, "35周岁以下")],
     ["new-teachers"]),
    ("普惠性幼儿园覆盖面保持在90%以上。", [("≥", D(90), None, "%", None, "90%以上")], []),
    ("建成2~3个省市示范性教师发展学校。", [("=", D(2), D(3), "个", None, "2~3个")], []),
    ("健全完善乡村教师补充机制和待遇保障机制。", [], ["rural-teachers"]),
    ("实施流动人口随迁子女居住证积分入学政策。", [], ["migrant-children"]),
    ("完善优秀教师、优秀班主任等典型选树机制。", [], ["head-teachers"]),
    # 创新|教师 are two words: no 新教师 here, whatever the characters say
    ("创新教师培训模式,健全分层分类培训机制。", [], []),
    ("于2022年启用新校区,实施特殊学校改扩建工程。", [], []),
]


@pytest.mark.parametrize(("sentence", "quantities", "groups"), GOLDENS)
def test_sentence_goldens(sentence, quantities, groups):
    c, _ = one(sentence)
    got = [(q.comparator, q.value, q.upper, q.unit, q.qualifier, q.evidence.quote) for q in c.quantities]
    assert got == quantities
    assert list(c.target_groups) == groups


def test_deadlines_bodies_and_lists_of_departments():
    c, ex = one("到2025年,教育、人社、文旅、卫健等部门充分发挥统筹协调作用。")
    assert c.deadlines == (2025,)
    assert c.bodies == ("教育部门", "人社部门", "文旅部门", "卫健部门")
    quotes = {o.name: o.mentions[0].quote for o in ex.organizations}
    assert quotes["人社部门"] == "人社" and quotes["卫健部门"] == "卫健"


def test_bodies_merge_within_a_plan():
    ex = extract(make_doc(["区教育局牵头推进学校建设。", "教育局会同区政府完善经费保障机制。"]))
    bodies = {o.name: o for o in ex.organizations}
    assert set(bodies) == {"区教育局", "区政府"}
    assert bodies["区教育局"].aliases == ("教育局",)
    assert [m.quote for m in bodies["区教育局"].mentions] == ["区教育局", "教育局"]


def test_places_and_cited_documents():
    c, ex = one("贯彻《中国教育现代化2035》,推进於潜镇、锦北街道和青山湖科技城的学校建设,统筹城镇和乡镇资源。")
    assert c.places == ("於潜镇", "锦北街道", "青山湖科技城")
    assert {p.name: p.place_type for p in ex.places} == {
        "於潜镇": "镇", "锦北街道": "街道", "青山湖科技城": "科技城"}
    assert [d.title for d in ex.documents] == ["中国教育现代化2035"]
    assert ex.documents[0].mentions[0].quote == "《中国教育现代化2035》"


def test_past_sections_give_no_commitments():
    ex = extract(make_doc(["实施学校建设三年行动计划,实施项目26个。"], section="现实基础"))
    assert ex.commitments == ()
