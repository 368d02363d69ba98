"""Ingestion of the four real plan texts: structure, tables and exact offsets."""

from __future__ import annotations

from plangraph.ingest.pipeline import ingest_file
from plangraph.model import PlanDoc

from .conftest import LINAN


def _rows(doc: PlanDoc, kind: str) -> list:
    return [(t, r) for t in doc.tables if t.kind == kind for r in t.rows]


def _cell(table, row, column: str) -> str | None:
    cell = row.get(table.columns, column)
    return cell.value if cell else None


def test_every_span_quotes_the_original_exactly(all_plans: list[PlanDoc]) -> None:
    for doc in all_plans:
        assert doc.passages, doc.plan_id
        for p in doc.passages:
            assert doc.original[p.start:p.end] == p.text, (doc.plan_id, p.passage_id)
            assert p.text.strip() == p.text and p.text
        for s in doc.sections:
            assert s.title.replace(" ", "") in doc.norm[s.start:s.end].replace(" ", ""), s.section_id
        for t in doc.tables:
            for r in t.rows:
                for c in (*r.cells, r.group, r.sublabel):
                    if c is not None:
                        assert doc.original[c.start:c.end] == c.text


def test_linan_header_metadata_is_read_and_agrees_with_sidecar(linan: PlanDoc) -> None:
    header = dict(linan.meta.header)
    assert header["索引号"] == "002508406/2022-83699"
    assert header["发布单位"] == "区教育局"
    assert header["发文日期"] == "2022-07-11"
    assert linan.meta.plan_id == "linan"
    assert linan.meta.issued == "2022-07-11"
    assert (linan.meta.period_start, linan.meta.period_end) == (2021, 2025)
    assert not [f for f in linan.findings if f.code == "metadata-mismatch"]


def test_linan_second_copy_and_chrome_are_kept_out(linan: PlanDoc) -> None:
    kinds = [e.kind for e in linan.excluded]
    assert kinds.count("duplicate_copy") == 1
    assert "page_footer" in kinds and "page_header" in kinds
    dup = next(e for e in linan.excluded if e.kind == "duplicate_copy")
    assert dup.start > len(linan.original) / 2
    assert all(p.end <= dup.start for p in linan.passages)
    opening = [p for p in linan.passages if p.text.startswith("为贯彻落实国家和省市教育现代化战略")]
    assert len(opening) == 1
    assert not any("分享" in p.text or "浏览量" in p.text for p in linan.passages)


def test_linan_sections(linan: PlanDoc) -> None:
    top = [s.title for s in linan.sections if s.level == 1]
    assert len(top) == 7
    assert top[0] == "现实基础" and top[-1] == "保障与实施"
    six = next(s for s in linan.sections if s.level == 1 and s.number == "四")
    subs = [s.title.split(":")[0] for s in linan.sections if s.parent_id == six.section_id]
    assert subs == ["学前教育", "义务教育", "普高教育", "职业教育", "特殊教育", "终身教育"]
    inline = [s for s in linan.sections if s.kind == "inline"]
    assert inline[0].title == "党对教育工作的全面领导进一步加强"
    assert inline[0].path == ("现实基础", "十三五期间取得的成效", "党对教育工作的全面领导进一步加强")


def test_linan_indicator_table(linan: PlanDoc) -> None:
    rows = _rows(linan, "indicator")
    assert len(rows) == 30
    table = rows[0][0]
    assert table.columns == ("类型", "指标", "2025", "指标属性") and table.years == (2025,)
    by_name = {(_cell(t, r, "指标"), r.sublabel.value if r.sublabel else None): (t, r) for t, r in rows}
    t, r = by_name[("普惠性幼儿园覆盖面(%", None)]
    assert (r.group.value, _cell(t, r, "2025"), _cell(t, r, "指标属性")) == ("学前教育", "90", "约束性")
    t, r = by_name[("校际优质均衡系数", "小学")]
    assert (_cell(t, r, "2025"), _cell(t, r, "指标属性")) == ("0.30", "约束性")
    t, r = by_name[("生均日常公用经费(元/生)", "初中")]
    assert _cell(t, r, "2025") == "1200"
    assert "continued" in r.get(t.columns, "指标").flags  # label and unit were on two lines
    t, r = by_name[("初中毕业生升入高中段比例(%", None)]
    assert (_cell(t, r, "2025"), _cell(t, r, "指标属性")) == ("99", None)
    t, r = by_name[("高校新生体质健康合格率与优良率(%", None)]
    assert "multi-value" in r.get(t.columns, "2025").flags
    t, r = by_name[("适龄持证儿童少年入学率(%", "高中段")]
    assert (r.group.value, _cell(t, r, "2025")) == ("特殊教育", "94")
    assert sorted({r.group.value for _, r in rows}) == sorted(
        ["学前教育", "义务教育", "高中教育", "师资", "特殊教育", "成人教育", "综合发展"])
    assert sum(1 for t, r in rows if _cell(t, r, "指标属性") == "约束性") == 15


def test_linan_task_and_project_tables(linan: PlanDoc) -> None:
    tasks = [t for t in linan.tables if t.kind == "task"]
    assert len(tasks) == 9 and sum(len(t.rows) for t in tasks) == 27
    assert all(t.title.endswith("发展任务表") for t in tasks)
    first = tasks[0]
    assert _cell(first, first.rows[0], "项目名称") == "1.普及普惠县创建项目"
    projects = [t for t in linan.tables if t.kind == "project"]
    assert [len(t.rows) for t in projects] == [21, 18]
    kg, schools = projects
    row = kg.rows[0]
    assert [c.value for c in row.cells] == ["1", "马溪幼儿园", "15班幼儿园", "锦北街道", "2020-2021", "2784"]
    assert sum(int(_cell(kg, r, "总投资(万元)")) for r in kg.rows) == 50145  # text: 合计21个项目,投资估算约5亿元
    assert sum(int(_cell(schools, r, "总投资(万元)")) for r in schools.rows) == 339589  # text: 投资估算约34亿元
    assert _cell(schools, schools.rows[-1], "项目名称") == "特殊学校扩建项目"


def test_linan_glued_cells_are_flagged_not_repaired(linan: PlanDoc) -> None:
    glued = [f for f in linan.findings if f.code == "glued-cell"]
    assert len(glued) == 1
    assert "0.305~7所" in linan.original[glued[0].start:glued[0].end]
    ratio = [linan.original[f.start:f.end] for f in linan.findings if f.code == "suspect-ratio-cell"]
    assert any("生师比小学达到171" in q for q in ratio)


def test_table_rows_are_passages_with_labelled_content(linan: PlanDoc) -> None:
    rows = [p for p in linan.passages if p.kind == "table_row"]
    assert len(rows) == 30 + 27 + 39
    p = next(p for p in rows if "马溪幼儿园" in p.content)
    assert p.content.startswith("学前教育计划建设项目表 | 序号: 1; 项目名称: 马溪幼儿园")
    assert "总投资(万元): 2784" in p.content
    assert p.section_path == ("谋划重大项目:创设设施优良的现代办学条件", "学前教育计划建设项目")


def test_long_paragraphs_become_sentence_windows(all_plans: list[PlanDoc]) -> None:
    for doc in all_plans:
        for p in doc.passages:
            if p.kind == "window":
                assert len(p.text) <= 320 or "。" not in p.text[:-1]
            if p.kind == "paragraph":
                assert len(p.text) <= 300
        assert not any(p.section_id is None and p.kind == "table_row" for p in doc.passages)


def test_topic_sentences(linan: PlanDoc, linping: PlanDoc) -> None:
    topics = {p.topic for p in linan.passages}
    assert "优化学前教育布局" in topics
    assert "建设美好校园样板" in topics  # a —— lead paragraph
    assert [s.title for s in linping.sections] == ["强化高素质师资队伍建设", "提升教育资源配置水平", "打造数智教育新高地"]
    assert linping.sections[0].kind == "inline"
    first_in_section = next(p for p in linping.passages if p.section_id == linping.sections[0].section_id)
    assert first_in_section.text.startswith("2.强化高素质师资队伍建设。")


def test_national_2010_toc_chapters_and_tables(national_2010: PlanDoc) -> None:
    assert [e.kind for e in national_2010.excluded] == ["toc"]
    chapters = [s for s in national_2010.sections if s.kind == "chapter"]
    assert len(chapters) == 22
    assert len({s.title for s in chapters}) == 22  # each heading once, not again from the TOC
    parts = [s.title for s in national_2010.sections if s.kind == "part"]
    assert parts == ["总体战略", "发展任务", "体制改革", "保障措施"]
    items = [s for s in national_2010.sections if s.kind == "inline" and s.level == 3]
    assert len(items) == 70
    t1, t2 = national_2010.tables
    assert t1.title.startswith("专栏1") and t2.title.startswith("专栏2")
    assert t1.years == t2.years == (2009, 2015, 2020)
    assert (len(t1.rows), len(t2.rows)) == (15, 5)
    r = next(r for r in t1.rows if _cell(t1, r, "指标") == "学前三年毛入园率")
    assert (r.group.value, _cell(t1, r, "单位"), _cell(t1, r, "2020年")) == ("学前教育", "%", "70.0")
    assert t1.notes and t1.notes[0].startswith("注:")
    assert (national_2010.meta.period_start, national_2010.meta.period_end) == (2010, 2020)
    assert national_2010.meta.level == "national"


def test_national_2035_table_and_leads(national_2035: PlanDoc) -> None:
    (table,) = national_2035.tables
    assert table.years == (2017, 2020, 2035) and table.unit == "%"
    assert len(table.rows) == 9
    r = table.rows[0]
    assert [c.value for c in r.cells] == ["学前教育毛入园率", "79.6", "85", ">95"]
    assert sum(1 for p in national_2035.passages if p.kind == "lead") == 15
    assert [s.title for s in national_2035.sections if s.level == 1] == [
        "战略背景", "总体思路", "战略任务", "实施路径", "保障措施"]


def test_ids_are_stable_and_content_derived(linan: PlanDoc) -> None:
    again = ingest_file(LINAN)
    assert [p.passage_id for p in again.passages] == [p.passage_id for p in linan.passages]
    assert [s.section_id for s in again.sections] == [s.section_id for s in linan.sections]
    ids = [p.passage_id for p in linan.passages]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("linan-p-") for i in ids)
