"""Layouts of statistics tables the matcher reads (#24, after blind8): yearbook blocks whose
heading names the measure, stage-named rows under a group, special education within a stage.
The fragments are the layouts of provincial yearbooks and county bulletins (a block of rows by
kind of school under 专任教师 / 招生数 / 学校数); the matcher before these rules left them
unmapped or tied them to the wrong count (checked on c640ee4)."""

from __future__ import annotations

import pytest

from plangraph.graph.matcher import match


def _tie(name: str, **kw: str) -> str | None:
    return match(name, **kw).concept


@pytest.mark.parametrize(("name", "block", "unit", "concept"), [
    # a yearbook's 专任教师 block: the block says whom, the row the stage
    ("幼儿园", "专任教师", "人", "preschool-teacher-count"),
    ("特殊教育学校", "专任教师", "人", "special-teacher-count"),
    ("初 中", "专任教师", "人", "junior-teacher-count"),
    ("普通高等学校", "专任教师", "人", "higher-teacher-count"),
    # its 招生数 and 毕业生数 blocks
    ("普通高等学校", "招生数", "人", "higher-intake-count"),
    ("特殊教育学校", "招生数", "人", "special-school-intake-count"),
    ("小 学", "毕业生数", "人", "primary-graduate-count"),
    # its 学校数 block, as before
    ("小 学", "学校数", "所", "primary-school-count"),
    ("幼儿园", "学校数", "所", "kindergarten-count"),
])
def test_a_bare_stage_in_a_yearbook_block_takes_the_measure_from_the_block(name, block, unit, concept):
    assert _tie(name, category=block, unit=unit) == concept


def test_a_block_heading_of_whom_needs_a_count_unit():
    # 专任教师 as a heading over rates (学历合格率 by stage) says no count of teachers
    assert _tie("幼儿园", category="专任教师", unit="%") != "preschool-teacher-count"


@pytest.mark.parametrize(("block", "unit", "concept"), [
    ("学校数", "所", "general-senior-school-count"),
    ("专任教师", "人", "general-senior-teacher-count"),
    ("在校学生数", "人", "general-senior-enrolment-count"),
])
def test_senior_under_general_secondary_is_the_general_senior_stage(block, unit, concept):
    # 高 中 (a space inside, as yearbooks align their columns) under 普通中学
    assert _tie("高 中", parent="普通中学", category=block, unit=unit) == concept


@pytest.mark.parametrize(("name", "parent", "concept"), [
    ("小学在校生", "基础教育在校生", "primary-enrolment-count"),
    ("初中在校生", "基础教育在校生", "junior-enrolment-count"),
    ("高中在校生", "普通中学", "general-senior-enrolment-count"),
    ("初中招生", "普通中学", "junior-intake-count"),
])
def test_a_row_naming_its_stage_and_measure_keeps_them_under_a_group(name, parent, concept):
    assert _tie(name, parent=parent, unit="万人") == concept


@pytest.mark.parametrize("name", ["小学阶段特殊教育在校生总数", "初中阶段特殊教育在校生数"])
def test_special_education_within_a_stage_is_no_count_of_the_stage(name):
    m = match(name, unit="人")
    assert m.concept not in {"primary-enrolment-count", "junior-enrolment-count"}


@pytest.mark.parametrize(("name", "parent", "concept"), [
    # a county bulletin's rows 毕业 / 招生 / 在园幼儿 under each kind of school (全县 is the place)
    ("毕业", "初中", "junior-graduate-count"),
    ("毕业人数", "全县幼儿园", "preschool-graduate-count"),
    ("小学毕业", "义务教育学校", "primary-graduate-count"),
    ("在园幼儿（含托班）", "全市幼儿园", "preschool-enrolment-count"),
])
def test_what_is_counted_of_the_school_above(name, parent, concept):
    assert _tie(name, parent=parent, category="基本情况", unit="人") == concept


@pytest.mark.parametrize(("name", "unit", "concept"), [
    # a bulletin's bare stage in a unit of people: the stage's students
    ("研究生", "万人", "postgraduate-enrolment"),
    ("普通高中", "万人", "general-senior-enrolment-count"),
    # 普通中等职业学校 is the bulletins' 中等职业学校
    ("普通中等职业学校", "所", "secondary-vocational-school-count"),
])
def test_a_bulletins_bare_stage(name, unit, concept):
    assert _tie(name, category="2024年统计公报", unit=unit) == concept


@pytest.mark.parametrize(("name", "concept"), [("教职工", "staff-count"), ("小学教师", "primary-teacher-count")])
def test_whom_a_bare_name_counts_is_no_stage(name, concept):
    assert _tie(name, category="基本情况", unit="人") == concept


@pytest.mark.parametrize("name", [
    # the grade of the certificate and how holding it is said vary; the share is one concept
    "中等职业学校毕业生获得初级工（国家职业资格五级）以上职业资格证书比率",
    "中等职校毕业生中级及以上职业资格证书持有率",
    "高等职校毕业生取得高级工以上职业资格证书持有率",
    "中职毕业生职业资格证书获得率",
])
def test_a_vocational_certificate_rate_with_its_grade(name):
    assert _tie(name, unit="%") == "vocational-certificate-rate"


def test_a_stage_word_split_by_the_tokenizer_is_no_word_of_its_own():
    from plangraph.graph.wording import content_words, fold

    # 中等职业学校 is one facet word; the tokenizer's 中等职业 is a part of it
    assert "中等职业" not in content_words(fold("中等职业学校毕业生就业率"))
    assert "就业率" in content_words(fold("中等职业学校毕业生就业率")) or "就业" in content_words(
        fold("中等职业学校毕业生就业率"))


@pytest.mark.parametrize(("name", "unit", "concept"), [
    # traditional script is converted first; then the wording rules apply
    ("學前教育生師比", ":1", "kindergarten-child-staff-ratio"),
    ("本科以上園長和專任教師佔比", "%", "preschool-teacher-bachelor"),
    ("義務教育階段殘疾學生生均公用經費標準", "元", "special-per-student-funding"),
])
def test_traditional_rows_worded_unlike_the_scheme(name, unit, concept):
    assert _tie(name, category="師資力量", unit=unit) == concept


def test_a_sub_row_under_heads_and_teachers_takes_both():
    m = match("其中：专科及以上学历比例", parent="幼儿园园长和专任教师", unit="%")
    assert m.reading.full_name.startswith("幼儿园园长和专任教师")
    assert m.concept == "preschool-teacher-associate-degree"


def test_a_special_count_within_a_stage_is_still_no_count_of_special_education():
    m = match("其中义务教育阶段", parent="特殊教育在校生", unit="人")
    assert m.concept != "special-enrolment-count"


@pytest.mark.parametrize(("name", "concept"), [
    ("幼儿教学点", None),            # a pre-school point is no primary teaching point
    ("乡镇幼儿园教学点", None),
    ("农村小学教学点", "primary-teaching-point-count"),
    ("教学点", "primary-teaching-point-count"),
])
def test_teaching_points_take_the_stage_named_with_them(name, concept):
    assert _tie(name, category="学前教育和义务教育", unit="个") == concept


@pytest.mark.parametrize(("name", "parent", "category", "unit", "concept"), [
    # the kinds of school a yearbook counts schools by: each its own concept, never the stage's count
    ("完全中学", "", "学校情况", "所", "complete-secondary-school-count"),
    ("九年一贯制学校", "各级各类学校", "基本情况", "所", "nine-year-school-count"),
    ("职业高中", "", "学校数", "所", "vocational-high-school-count"),
    ("技工院校", "", "学校数", "所", "technical-school-count"),
    ("其中普通中学", "中学", "学校", "所", "general-secondary-school-count"),
    # a stage under the kind above is the stage's, not the kind's
    ("初 中", "普通中学", "学校数", "所", "junior-school-count"),
    ("高 中", "普通中学", "学校数", "所", "general-senior-school-count"),
])
def test_kinds_of_school_counted(name, parent, category, unit, concept):
    assert _tie(name, parent=parent or None, category=category, unit=unit) == concept


@pytest.mark.parametrize(("name", "parent", "category", "unit"), [
    ("普通中学", "", "专任教师", "人"),             # the kind's teachers: no concept, not its schools
    ("完全中学", "", "在校学生数", "人"),
    ("中等师范学校", "普通中等专业学校", "学校数", "所"),  # a kind the scheme has no word for
    ("初级中学", "公办中小学校", "学校", "所"),       # the public ones only
])
def test_kinds_of_school_the_scheme_does_not_count_stay_unmapped(name, parent, category, unit):
    assert _tie(name, parent=parent or None, category=category, unit=unit) is None


@pytest.mark.parametrize(("name", "concept"), [
    # special-education pupils by phase, as the national bulletins list them
    ("其中：学前教育阶段", "special-preschool-enrolment-count"),
    ("其中：小学阶段", "special-primary-enrolment-count"),
    ("其中：初中阶段", "special-junior-enrolment-count"),
    ("其中：高中阶段", "special-senior-enrolment-count"),
])
def test_special_education_pupils_by_phase(name, concept):
    assert _tie(name, parent="特殊教育在校生", unit="人") == concept


def test_special_education_of_all_compulsory_phases_has_no_count_of_its_own():
    assert _tie("其中义务教育阶段", parent="特殊教育在校生", unit="人") is None


def test_a_count_broken_down_into_teaching_points_counts_them_in():
    from plangraph.extract.facets import TableRowName, parts_of

    # a county report: its compulsory schools, then 其中 小学, 教学点, 初中 as sub-rows
    rows = [TableRowName(n) for n in ("义务教育学校", "小学", "教学点", "初中", "小学在校生", "其中教学点在校生")]
    ups = [None, "义务教育学校", "义务教育学校", "义务教育学校", None, "小学在校生"]
    below = parts_of(rows, ups)
    assert below[0] == ("小学", "教学点", "初中") and below[4] == ("其中教学点在校生",)
    assert _tie("义务教育学校", unit="所") == "compulsory-school-count"
    assert match("义务教育学校", unit="所", parts=below[0]).concept is None  # schools and points: a sum
    # the pupils of teaching points are primary pupils: a breakdown of people changes nothing
    assert match("小学在校生", unit="人", parts=below[4]).concept == "primary-enrolment-count"


@pytest.mark.parametrize(("name", "parent", "concept"), [
    # the share of kindergartens that are inclusive (counted in kindergartens), not the coverage
    ("普惠性幼儿园所数占幼儿园总数的比例", None, "inclusive-kindergarten-share"),
    ("占幼儿园总数", "普惠性幼儿园（含公办园和普惠性民办园）", "inclusive-kindergarten-share"),
    ("普惠性幼儿园在园幼儿占在园幼儿总数的比例", None, "inclusive-kindergarten-coverage"),
])
def test_inclusive_kindergartens_counted_or_their_children(name, parent, concept):
    assert _tie(name, parent=parent, unit="%") == concept
