"""Indicator ties to the scheme: the matcher on real rows (Lin'an's table, an unseen
county's sub-rows), facet vetoes, and the review file kept across rebuilds and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from plangraph.errors import InputError, UsageError
from plangraph.extract.facets import TableRowName, full_name, is_sub_row, normalise, parents
from plangraph.extract.pipeline import extract
from plangraph.extract.reading import read_indicator
from plangraph.graph.matcher import match
from plangraph.graph.ties import IndicatorRow, plan_ties
from plangraph.interfaces.cli import main
from plangraph.model import PlanDoc
from plangraph.workspace.reviews import read_decisions

from .conftest import CORPUS

MEASURED = "PREFIX pg: <https://w3id.org/plangraph/ontology#> SELECT ?c WHERE { ?i pg:measures ?c }"


@pytest.fixture(scope="module")
def linan_ties(linan: PlanDoc) -> dict[str, object]:
    rows = [IndicatorRow(f"urn:x:{i.row_index}", i.table_id, i.name, i.label, i.sublabel, i.category, i.unit)
            for i in extract(linan).indicators]
    return {t.indicator: t for t in plan_ties("linan", rows)}


def test_linan_table_rows_tie_to_their_concepts(linan_ties):
    ties = linan_ties
    assert len(ties) == 30
    assert sum(1 for t in ties.values() if t.measures) >= 28  # the first matcher tied 7
    expected = {
        "普惠性幼儿园覆盖面": "inclusive-kindergarten-coverage",
        "本科及以上学历教师比例": "preschool-teacher-bachelor",  # the stage from the category 学前教育
        "教师学历 小学本科": "primary-teacher-bachelor",  # the sub-row label says stage and degree
        "教师学历 初中研究生": "junior-teacher-postgraduate",
        "生均日常公用经费 小学": "primary-per-student-public-funding",
        "生均日常公用经费 初中": "junior-per-student-public-funding",
        "高中教师研究生学历比": "general-senior-teacher-postgraduate",
        "劳动年龄人口平均受教育年限": "working-age-years-of-schooling",
    }
    assert {k: ties[k].concept for k in expected} == expected
    # a row that states two things (合格率与优良率) and a higher-education stage is left for a reviewer
    fitness = ties["高校新生体质健康合格率与优良率"]
    assert fitness.status == "unmapped" and fitness.concept is None and fitness.suggestions
    tie = ties["本科及以上学历教师比例"]
    assert "degree=bachelor" in tie.why and "stage=preschool" in tie.why and 0.5 <= tie.score <= 1


@pytest.mark.parametrize("a, b", [
    (dict(name="小学专任教师本科及以上学历比例", unit="%"), dict(name="初中专任教师本科及以上学历比例", unit="%")),
    (dict(name="初中教师本科及以上学历比例", unit="%"), dict(name="初中教师研究生学历（学位）比例", unit="%")),
    (dict(name="学前一年毛入园率", unit="%"), dict(name="学前三年毛入园率", unit="%")),
    (dict(name="普惠性幼儿园覆盖率", unit="%"), dict(name="公办幼儿园覆盖率", unit="%")),
    (dict(name="从业人员继续教育", unit="万人次"), dict(name="从业人员继续教育参与率", unit="%")),
    (dict(name="劳动年龄人口平均受教育年限", unit="年"), dict(name="主要劳动年龄人口平均受教育年限", unit="年")),
])
def test_near_indicators_tie_to_different_concepts(a, b):
    ma, mb = match(**a), match(**b)
    assert ma.concept and mb.concept and ma.concept != mb.concept


def test_a_stated_facet_vetoes_a_concept_that_contradicts_it():
    # 初中 never reaches a primary concept, whatever the words share
    assert all("primary" not in c.key for c in match("初中生师比", unit="比值").candidates)
    # a head count is no rate: 万人 vetoes the coverage rates of the same words
    count = match("普惠性幼儿园在园幼儿数", unit="万人")
    assert "inclusive-kindergarten-coverage" not in {c.key for c in count.candidates}
    # a part of a population (the urban districts) is not the whole
    assert match("其中市区学前三年幼儿入园率", unit="%").concept != "preschool-gross-enrolment"
    assert match("学前三年幼儿入园率", unit="%").concept == "preschool-gross-enrolment"
    # 毛入学率 alone fits the higher, senior and junior rates alike: left to a reviewer; the
    # table's title or the category says which
    assert match("毛入学率", unit="%").concept is None
    assert match("毛入学率", unit="%", table="高等教育主要发展指标").concept == "higher-gross-enrolment"
    assert match("毛入学率", unit="%", category="高中阶段教育*").concept == "senior-secondary-gross-enrolment"
    # 大班额 is the opposite of 标准班额, whatever the words share
    assert match("小学大班额比例", unit="%").concept != "primary-standard-class-share"
    assert match("56人以上大班额比例", category="义务教育", unit="%").concept == "compulsory-large-class-share"
    # 持证上岗 (certified teachers) is no 持证 (children with a disability certificate)
    assert match("中小学教师持证上岗率", unit="%").concept == "teacher-certification-rate"
    assert match("高等职业院校双师型教师比例", unit="%").concept == "higher-vocational-dual-qualified"
    # and a name that says nothing the scheme knows stays unmapped, never forced
    assert match("三(四、五)星级融合教育优秀学校比例", unit="%").concept is None


def test_a_qualifier_that_narrows_what_is_counted_must_agree():
    # ownership: a part (普惠性, 公办, 民办) is not the whole, nor a flow of new schools
    assert match("幼儿园数", unit="所").concept == "kindergarten-count"
    assert match("普惠性幼儿园数", unit="所").concept == "inclusive-kindergarten-count"  # not all, nor new ones
    assert match("民办幼儿园数", unit="所").concept == "private-kindergarten-count"  # its own concept since #24
    assert match("其中：公办", parent="幼儿园在园幼儿数", unit="万人").concept == "public-kindergarten-enrolment-count"
    # population: rural, urban, boarding, migrant pupils are parts of all pupils
    assert match("小学生师比", unit="比值").concept == "primary-student-teacher-ratio"
    assert match("乡村小学生师比", unit="比值").concept is None
    assert match("城镇义务教育大班额比例", unit="%").concept is None
    assert match("寄宿制学校生均公用经费", unit="元").concept is None
    # where the concept states the ownership, a row that states it is tied
    assert match("新改扩建公办幼儿园", unit="所").concept == "new-kindergartens"
    assert match("新增普惠性学位", unit="个").concept == "preschool-new-places"
    # 人均 (per resident) is no 生均 (per student)
    assert match("人均体育场地面积", unit="平方米").concept != "sports-area-per-student"


def test_a_degree_only_is_not_that_degree_and_above():
    assert match("小学专任教师专科及以上学历比例", unit="%").concept == "primary-teacher-associate-degree"
    only = match("专科学历比例", parent="幼儿园专任教师学历", unit="%")
    assert "scope=only" in only.reading.describe() and only.concept is None
    assert match("仅专科学历的小学教师比例", unit="%").concept is None
    assert match("专科以下学历教师比例", category="学前教育", unit="%").concept is None
    # a bare 本科 is read as 本科及以上, as most plans mean it
    assert match("初中本科学历教师比例", unit="%").concept == "junior-teacher-bachelor"


@pytest.mark.parametrize("name, concept", [
    ("实现义务教育优质均衡的县（市、区）比例", "quality-balanced-county-share"),
    ("建成智慧校园的中小学比例", "smart-campus-share"),
    ("开展课后服务的义务教育学校比例", "after-school-service-coverage"),
    ("达到办学条件标准的中等职业学校比例", "secondary-vocational-standard-share"),
])
def test_paraphrases_of_how_a_share_came_about_are_tied(name, concept):
    assert match(name, unit="%").concept == concept


def test_a_share_of_accredited_counties_is_not_the_accreditation():
    assert match("创建成学前教育普及普惠县（市、区）比例", unit="%").concept is None
    assert match("义务教育实现基本均衡的县（市、区）比例", unit="%").reading.facets.get("population") is None


def test_what_a_row_counts_must_be_what_the_concept_counts():
    # a name that is its subject only takes its measure from the unit: 幼儿园 in 所 is 幼儿园数
    assert match("幼儿园", unit="所").concept == "kindergarten-count"
    assert match("专任教师", unit="人").concept == "full-time-teacher-count"
    # people are no institutions: staff of the universities are not a count of universities
    assert match("普通高校教职工", unit="万人").concept == "higher-staff-count"  # not higher-institution-count
    # a part of the institutions: adult or bachelor-granting ones only; an exclusion in brackets is no part
    assert match("成人高校数", unit="所").concept == "adult-higher-institution-count"  # not the regular ones
    assert match("本科高校数", unit="所").concept == "undergraduate-school-count"  # not 普通高校数
    assert match("普通高校数（不含成人高校）", unit="所").concept == "higher-institution-count"
    # intake is no enrolment; doctoral students are a part of all postgraduates
    assert match("普通高中招生", unit="万人").concept == "general-senior-intake-count"
    assert match("中职招生占高中阶段招生比例", unit="%").concept == "vocational-intake-share"
    assert match("在学研究生数", unit="万人").concept == "postgraduate-enrolment"
    assert match("在学博士生", unit="万人").concept == "doctoral-enrolment"
    assert match("高校专任教师博士学位比例", unit="%").concept == "higher-teacher-doctorate"
    # counties that passed an evaluation are counted, not the evaluation
    assert match("通过义务教育优质均衡发展督导评估认定的县（市、区）", unit="个").concept is None
    assert match("义务教育优质均衡发展督导评估认定").concept == "quality-balance-accreditation"


def test_counts_by_stage_tell_schools_students_intake_graduates_and_teachers_apart():
    # the statistics bulletins' counts (#24): what is counted, of which stage, stock or flow
    assert match("小学", parent="学校数", unit="所").concept == "primary-school-count"
    assert match("普通初中学校数", unit="所").concept == "junior-school-count"
    assert match("小学在校生", unit="万人").concept == "primary-enrolment-count"
    assert match("小学招生", unit="万人").concept == "primary-intake-count"
    assert match("小学毕业生", unit="万人").concept == "primary-graduate-count"
    assert match("小学专任教师", unit="万人").concept == "primary-teacher-count"
    assert match("初中阶段在校生", unit="万人").concept == "junior-enrolment-count"
    assert match("在校生", category="普通高中", unit="人").concept == "general-senior-enrolment-count"
    assert match("中等职业学校", unit="所").concept == "secondary-vocational-school-count"
    assert match("中职招生", unit="人").concept == "secondary-vocational-intake-count"
    assert match("特殊教育在校学生数", unit="人").concept == "special-enrolment-count"
    # the concept counts special schools' pupils and those in ordinary classes (its definition: 含特殊教育
    # 学校和随班就读): special schools' pupils alone are a part, which has its own concept since #24
    assert match("特殊教育学校在校生", unit="人").concept == "special-school-enrolment-count"
    assert match("特教学生", unit="人").concept == "special-enrolment-count"
    assert match("普通本科在校生", unit="万人").concept == "undergraduate-enrolment-count"
    assert match("普通本专科在校生", unit="万人").concept == "higher-enrolment-count"
    # a stage's count is no count of all stages, whatever says the stage (the name or the category)
    assert match("专任教师", category="初中", unit="人").concept == "junior-teacher-count"
    assert match("在校生总数", unit="万人").concept == "student-count"
    # staff are no teachers; a unit in 所 counts schools, not students; new schools are no stock
    assert match("普通高中教职工", unit="人").concept == "general-senior-staff-count"  # not its teachers
    assert match("成人高等学校", unit="所").concept == "adult-higher-institution-count"  # not 成人本专科在校生
    assert match("新建初中", unit="所").concept is None
    # 招生 says intake: an enrolment row never ties to it, nor it to enrolment
    assert match("初中在校生", unit="人").concept != "junior-intake-count"
    assert match("在学研究生", unit="万人").concept == "postgraduate-enrolment"


def test_attainment_must_agree():
    assert match("主要劳动年龄人口中受过高等教育的比例", unit="%").concept == "main-working-age-higher-education-share"
    assert match("新增劳动力中受过高中阶段及以上教育的比例", unit="%").concept == "new-workforce-senior-education-share"
    # the new workforce's higher-education share is its own concept, not the senior-and-above one
    assert match("新增劳动力中受过高等教育的比例", unit="%").concept == "new-workforce-higher-education-share"


def test_wording_is_normalised_before_matching():
    assert normalise("4. 其中：高中教师研究生学历（学位）比例(%)") == "高中教师研究生学历比例"
    assert normalise("生均日常公用经费（小学）") == "生均日常公用经费小学"  # a bracket naming a stage stays
    assert match("２．义务教育巩固率（％）", unit="％").concept == "compulsory-retention"
    assert match("巩固率", category="九年义务教育", unit="%").concept == "compulsory-retention"


def test_sub_rows_take_their_subject_from_the_row_above():
    assert full_name("其中:本科及以上学历比例", "幼儿教师专科及以上学历比例") == "幼儿教师本科及以上学历比例"
    assert full_name("其中：研究生学历(学位)比例", "普通初中教师本科及以上学历比例") == "普通初中教师研究生及以上学历比例"
    assert full_name("初中", "义务教育标准班额比例") == "初中标准班额比例"
    assert full_name("其中:研究生", "在校生") == "研究生在校生"
    assert full_name("其中:受过高等教育的比例", "主要劳动年龄人口平均受教育年限") == "主要劳动年龄人口受过高等教育的比例"
    assert is_sub_row("其中:小学") and is_sub_row("初中") and not is_sub_row("普惠性幼儿园覆盖面")
    rows = [TableRowName(n, "t1") for n in ("幼儿教师专科及以上学历比例", "其中:本科及以上学历比例",
                                            "义务教育标准班额比例", "其中:小学", "初中")]
    assert parents(rows) == [None, "幼儿教师专科及以上学历比例", None, "义务教育标准班额比例", "义务教育标准班额比例"]
    reading = read_indicator("其中:本科及以上学历比例", parent="幼儿教师专科及以上学历比例", unit="%")
    assert reading.facets["degree"] == {"bachelor"} and reading.facets["stage"] == {"preschool"}
    assert match("其中:本科及以上学历比例", parent="幼儿教师专科及以上学历比例", unit="%").concept == \
        "preschool-teacher-bachelor"
    assert match("幼儿教师专科及以上学历比例", unit="%").concept == "preschool-teacher-associate-degree"


@pytest.fixture(scope="module")
def reviewed_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The district plans copied to a corpus folder of their own, built with the fake encoder."""
    from plangraph.workspace import build

    base = tmp_path_factory.mktemp("ties")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    build([corpus], base / "index", encoders=("fake",), progress=False)
    return corpus, base / "index"


def _edit(path: Path, changes: dict[str, tuple[str, str, str]]) -> None:
    lines = path.read_text("utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        c = line.split("\t")
        if c[1] in changes:
            c[3], c[4], c[8] = changes[c[1]]
        out.append("\t".join(c))
    path.write_text("\n".join(out) + "\n", "utf-8")


def test_concepts_lists_unmapped_with_suggestions(reviewed_index, capsys):
    # (runs before the review test below changes the index)
    _, index = reviewed_index
    assert main(["concepts", "--index", str(index), "--unmapped"]) == 0
    out = capsys.readouterr().out
    assert "indicators tied to a concept" in out and "高校新生体质健康合格率与优良率" in out
    assert "suggestions" in out.splitlines()[1]
    assert main(["concepts", "--index", str(index), "--plan", "linan", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["concepts"]
    assert len(rows) == 30
    row = next(r for r in rows if r["indicator"] == "教师学历 小学本科")
    assert (row["concept"], row["status"]) == ("primary-teacher-bachelor", "auto") and row["why"]
    assert main(["concepts", "--index", str(index), "--format", "csv", "--unmapped"]) == 0
    assert capsys.readouterr().out.startswith("plan,indicator,category,concept,status,score,why,suggestions")


def test_review_file_decisions_survive_a_rebuild(reviewed_index, capsys):
    from plangraph.workspace import Workspace, build

    corpus, index = reviewed_index
    review = corpus / "indicator-ties.tsv"
    assert main(["concepts", "--index", str(index), "--write", str(review)]) == 0
    assert "wrote" in capsys.readouterr().out
    header, *rows = review.read_text("utf-8").splitlines()
    assert header.split("\t") == ["plan", "indicator", "category", "concept", "status", "score", "why",
                                  "suggestions", "note"]
    assert len(rows) == 30 and all(r.split("\t")[4] == "auto" for r in rows)
    _edit(review, {
        "全国学前教育普及普惠区督导评估人大": ("preschool-universal-inclusive-accreditation", "rejected", "cell ran on"),
        "普惠性幼儿园覆盖面": ("inclusive-kindergarten-coverage", "confirmed", ""),
        "高校新生体质健康合格率与优良率": ("student-fitness-pass-rate", "manual", "the pass rate counts"),
    })
    assert main(["concepts", "--index", str(index), "--apply", str(review)]) == 0
    out = capsys.readouterr().out
    assert "applied 3 decisions on 1 plans" in out and "rebuilt: linan" in out

    def ties() -> dict[str, object]:
        return {t.indicator: t for t in Workspace(index).concept_ties("linan")}

    after = ties()
    assert after["全国学前教育普及普惠区督导评估人大"].status == "rejected"
    assert after["全国学前教育普及普惠区督导评估人大"].measures is None
    assert (after["高校新生体质健康合格率与优良率"].concept, after["高校新生体质健康合格率与优良率"].status) == (
        "student-fitness-pass-rate", "manual")
    assert after["普惠性幼儿园覆盖面"].status == "confirmed"
    rows = Workspace(index).sparql(MEASURED).as_dicts()  # what every query sees: pg:measures
    measured = {r["c"].rsplit("/", 1)[-1] for r in rows}
    assert "student-fitness-pass-rate" in measured and "inclusive-kindergarten-coverage" in measured
    assert "preschool-universal-inclusive-accreditation" not in measured
    # a plain rebuild of the corpus keeps every decision and rebuilds nothing
    summary = build([corpus], index, encoders=("fake",), progress=False)
    assert summary.replaced == () and ties() == after
    # writing the review file again keeps the decisions and their notes
    assert main(["concepts", "--index", str(index), "--write", str(review)]) == 0
    decisions = read_decisions(review)
    assert {k[1]: (d.status, d.note) for k, d in decisions.items()} == {
        "全国学前教育普及普惠区督导评估人大": ("rejected", "cell ran on"),
        "普惠性幼儿园覆盖面": ("confirmed", ""),
        "高校新生体质健康合格率与优良率": ("manual", "the pass rate counts"),
    }
    # a decision taken back (auto again) gives the matcher's proposal back
    _edit(review, {"高校新生体质健康合格率与优良率": ("", "auto", "")})
    summary = build([corpus], index, encoders=("fake",), progress=False)
    assert summary.replaced == ("linan",)
    assert ties()["高校新生体质健康合格率与优良率"].status == "unmapped"
    # the façade records one decision and rebuilds that plan (what the app will call)
    ws = Workspace(index)
    with pytest.raises(UsageError, match="status 'approved'; choose one of: auto, confirmed"):
        ws.review_tie("linan", "高校新生体质健康合格率与优良率", "高中教育", "approved")
    with pytest.raises(UsageError, match="has no indicator '体质' under category '高中教育'"):
        ws.review_tie("linan", "体质", "高中教育", "rejected")
    summary = ws.review_tie("linan", "高校新生体质健康合格率与优良率", "高中教育", "manual",
                            "student-fitness-excellent-rate", "excellent is the stricter target")
    assert summary.replaced == ("linan",)
    tie = ties()["高校新生体质健康合格率与优良率"]
    assert (tie.concept, tie.status, tie.why) == ("student-fitness-excellent-rate", "manual",
                                                 "excellent is the stricter target")


def test_a_review_file_naming_an_unknown_concept_is_refused_by_line(tmp_path, capsys):
    bad = tmp_path / "indicator-ties.tsv"
    bad.write_text("plan\tindicator\tcategory\tconcept\tstatus\tscore\twhy\tsuggestions\tnote\n"
                   "linan\t普惠性幼儿园覆盖面\t学前教育\tno-such-concept\tmanual\t\t\t\t\n", "utf-8")
    with pytest.raises(InputError, match=r"line 2: unknown concept 'no-such-concept'"):
        read_decisions(bad)
    bad.write_text("plan\tindicator\tcategory\tconcept\tstatus\n"
                   "linan\t普惠性幼儿园覆盖面\t学前教育\tinclusive-kindergarten-coverage\tapproved\n", "utf-8")
    with pytest.raises(InputError, match=r"line 2: status 'approved'; choose one of: auto, confirmed"):
        read_decisions(bad)


def test_ties_in_the_graph_pass_shacl_and_a_bad_status_fails(linan: PlanDoc):
    from rdflib import Literal as Lit

    from plangraph.graph.build import build_graph
    from plangraph.graph.ontology import validate
    from plangraph.graph.vocab import PG, PGC

    ds = build_graph([(linan, extract(linan))])
    assert validate(ds).conforms
    ties = list(ds.subject_objects(PG.conceptTie))
    assert len(ties) == 30
    measured = [(i, c) for i, c in ds.subject_objects(PG.measures)]
    assert len(measured) == 29 and all(str(c).startswith(str(PGC)) for _, c in measured)
    _, tie = ties[0]
    ds.graph(next(iter(c for _, _, _, c in ds.quads((tie, None, None, None))))).add(
        (tie, PG.tieStatus, Lit("approved")))
    report = validate(ds)
    assert not report.conforms and any("tieStatus" in str(v) for v in report.violations)


def test_what_the_third_blind_set_taught_holds_for_other_wordings():
    # the kinds of school a count of all schools breaks into (其中：小学 under 各级各类学校)
    assert match("其中：小学", parent="各级各类学校", unit="所").concept == "primary-school-count"
    assert match("普通高中学校", parent="各级各类学校", unit="所").concept == "general-senior-school-count"
    # 就读 says what 在园 says of children; 新增/增加/新建 are one flow; public places are places
    assert match("在公办幼儿园就读的幼儿占比", unit="%").concept == "public-kindergarten-coverage"
    assert match("新增普惠性幼儿园", unit="所").concept == "new-kindergartens"
    assert match("新增公办园学位", category="学前教育", unit="万个").concept == "preschool-new-places"
    # a part that names what it counts is no part of the row above's measure
    assert match("其中博士研究生在校生数", parent="高等教育在学总规模", unit="万人").concept == "doctoral-enrolment"
    # a status is no count; a share of money is a rate; parents are a part of the public;
    # one part of a difference coefficient is not the coefficient
    assert match("小学办学条件达标情况").concept is None
    assert match("公共财政教育经费占比", unit="%").concept != "public-education-expenditure"
    assert match("家长满意度", unit="%").concept is None
    assert match("生均图书册数差异系数", parent="初中校际差异系数").concept is None


def test_the_bulletins_words_for_intake_and_teaching_points():
    assert match("学前教育入园幼儿", unit="万人").concept == "preschool-intake-count"
    assert match("在园幼儿", unit="万人").concept == "preschool-enrolment-count"  # not the intake
    assert match("小学教学点", unit="个").concept == "primary-teaching-point-count"
    assert match("普惠性幼儿园在园幼儿", parent="学前教育在园幼儿", unit="万人").concept == (
        "inclusive-kindergarten-enrolment-count")


def test_net_rates_totals_reverse_words_and_one_stage_standards_are_told_apart():
    # a net rate (净, 适龄) is no gross rate, and a bare 入园率 is still read as the gross one
    assert match("学前三年净入园率", unit="%").concept == "preschool-net-enrolment"
    assert match("全区适龄幼儿入园率", unit="%").concept == "preschool-net-enrolment"
    assert match("初中净入学率", unit="%").concept == "junior-net-enrolment"
    assert match("幼儿入园率", category="学前教育", unit="%").concept == "preschool-gross-enrolment"
    assert match("小学毛入学率", unit="%").concept != "primary-net-enrolment"
    # a total of places is no count per 1,000 residents, and the reverse
    assert match("婴幼儿托位总数", unit="个").concept == "infant-care-place-count"
    assert match("每千人口拥有婴幼儿托位数", unit="个").concept == "infant-care-places"
    # places of all stages are no kindergarten places; under a stage's heading they are that stage's
    assert match("新增中小学幼儿园学位", unit="万个").concept == "new-school-places"
    assert match("新增学位", category="学前教育", unit="个").concept == "preschool-new-places"
    # the reverse of a rate, or its fall, is not the rate
    assert match("控辍保学工作达标率", unit="%").concept != "compulsory-dropout"
    assert match("消除56人以上大班额", unit="个").concept is None
    # 建设 before what is built is a flow of new institutions; 智慧校园建设 is not
    assert match("建设普惠性幼儿园", unit="所").concept == "new-kindergartens"
    assert match("智慧校园建设", unit="%").concept != "new-kindergartens"
    # a school resource standard of one stage is the compulsory standard's; a coefficient is not
    assert match("生均体育运动场馆面积", parent="初中学校达标情况", unit="平方米").concept == "sports-area-per-student"
    assert match("生均校舍建筑面积差异系数", parent="小学校际差异系数").concept is None
    # 教育支出 and 教育经费 are one word: a share of it is the budget share, not an amount
    assert match("教育经费占一般公共预算支出比重", unit="%").concept == "education-share-of-budget"


def test_what_the_fourth_blind_set_taught_holds_for_other_wordings():
    # 毛 says which rate even beside 适龄
    assert match("适龄儿童学前三年毛入园率", unit="%").concept == "preschool-gross-enrolment"
    # a total is no per-student concept
    assert match("校舍建筑总面积", unit="平方米").concept == "school-floor-area"  # the total, its own concept
    assert match("生均校舍建筑面积", unit="平方米").concept == "school-building-area-per-student"
    # civil servants are not teachers; teachers' parity with them is its own concept
    assert match("公务员平均工资", unit="元").concept is None
    # a share of money is no share of people
    assert match("教研经费占公用经费比例", unit="%").concept is None
    # a rating narrows what is counted, and 基本均衡 is no 优质均衡
    assert match("新建省级示范性幼儿园", unit="所").concept is None
    assert match("通过义务教育基本均衡发展国家督导评估认定", category="义务教育").concept != (
        "quality-balance-accreditation")
    assert match("创建义务教育优质均衡发展县").concept == "quality-balance-accreditation"
    # a count of one stage takes no row that names no stage; time words are no part of what is counted
    assert match("学生规模", unit="人").concept != "higher-total-enrolment"
    assert match("当年毕业学生人数", category="初中", unit="人").concept == "junior-graduate-count"
    assert match("专任教师总人数", unit="人").concept == "full-time-teacher-count"
    # 所次 counts institutions
    assert match("新建改扩建中小学校", unit="所次").concept == "new-schools"
