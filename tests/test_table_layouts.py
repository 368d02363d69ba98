"""Tables by meaning: the generalisation set of tests/data/tables/, column roles, cell
values, and the findings for tables that could not be rebuilt.

Each layout fixture is a short plan in one of the table layouts published Chinese
plans use, with the rows it should give written by hand beside it (``NN-*.json``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from plangraph.analysis.extraction import KINDS, expected_rows, missing_rows, rows_of, score_rows
from plangraph.extract.pipeline import extract
from plangraph.extract.quantities import read_cell_values
from plangraph.ingest.columns import column_roles, header_role, table_kind
from plangraph.ingest.pipeline import ingest_file, ingest_text
from plangraph.model import PlanDoc

from .conftest import LINAN, NATIONAL_2010, NATIONAL_2035, shared_file

TABLES = Path(__file__).parent / "data" / "tables"
LAYOUTS = sorted(p for p in TABLES.iterdir() if p.suffix in (".txt", ".html", ".docx", ".pdf")
                 and p.with_suffix(".json").exists())
UNSEEN_COUNTY = TABLES / "01-county-flat-sections.txt"


def _spec(path: Path) -> dict[str, object]:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_set_has_twelve_layouts_or_more_in_every_format() -> None:
    assert len(LAYOUTS) >= 12
    assert {p.suffix for p in LAYOUTS} == {".txt", ".html", ".docx", ".pdf"}
    kinds = {k for p in LAYOUTS for k in KINDS if _spec(p).get(k)}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.stem)
def test_layout_rows_are_exact(path: Path) -> None:
    doc = ingest_file(path)
    want, got = expected_rows(_spec(path)), rows_of(extract(doc))
    scores = score_rows(want, got)
    for kind, s in scores.items():
        assert s.precision >= 0.95 and s.recall >= 0.95, (kind, missing_rows(want, got)[kind])
    # every cell quotes the canonical text exactly
    for table in doc.tables:
        for row in table.rows:
            for cell in (*row.cells, row.group, row.sublabel):
                if cell is not None:
                    assert doc.original[cell.start:cell.end] == cell.text


def test_unseen_county_table_of_the_issue() -> None:
    """指  标 / 2020年 / 2025年 / 属性, section rows, numbered rows, 99%以上, 12.3年以上."""
    doc = ingest_file(UNSEEN_COUNTY)
    x = extract(doc)
    score = score_rows(expected_rows(_spec(UNSEEN_COUNTY)), rows_of(x))["indicators"]
    assert score.expected == 18 and score.exact / score.expected >= 0.9
    years = next(i for i in x.indicators if i.name == "劳动年龄人口平均受教育年限")
    assert [(v.role, v.comparator, v.number, v.text) for v in years.values] == [
        ("baseline", "=", Decimal("11.6"), "11.6"), ("target", "≥", Decimal("12.3"), "12.3年以上")]
    assert years.evidence.quote.startswith("5.劳动年龄人口平均受教育年限(年)")
    # the plan's own headings around the table are still sections, its section rows are not
    titles = [s.title for s in doc.sections]
    assert "发展任务" in titles and "发展水平" not in titles


def test_shared_plans_give_their_frozen_rows() -> None:
    for plan, path in (("linan", LINAN), ("national-education-reform-outline-2010-2020", NATIONAL_2010),
                       ("national-china-education-modernization-2035", NATIONAL_2035)):
        spec = json.loads((TABLES / "shared" / f"{plan}.json").read_text(encoding="utf-8"))
        got = rows_of(extract(ingest_file(shared_file(path))))
        assert got == expected_rows(spec), plan


@pytest.mark.parametrize(("header", "role"), [
    ("指  标", "name"), ("指标名称", "name"), ("项 目", "name"), ("学校名称", "name"), ("重点任务", "name"),
    ("单位", "unit"), ("基期值", "baseline"), ("2020年现状", "baseline"), ("2020年(基期)", "baseline"),
    ("目标值", "target"), ("2025年目标", "target"), ("2025年", "year"), ("2025", "year"), ("2017 年", "year"),
    ("属性", "binding"), ("指标属性", "binding"), ("类别", "category"), ("类型", "category"),
    ("建设地点", "place"), ("所在镇街", "place"), ("建设年限", "period"), ("起止年限", "period"),
    ("总投资(万元)", "investment"), ("投资估算（亿元）", "investment"), ("责任单位", "body"),
    ("牵头单位", "body"), ("项目内容", "content"), ("主要内容", "content"), ("序号", "seq"), ("备注", "note"),
    ("学前教育", None), ("2025年全面建成教育强区", None), ("约束性", None),
])
def test_header_roles(header: str, role: str | None) -> None:
    assert header_role(header) == role


def test_table_kind_follows_the_roles() -> None:
    assert table_kind(column_roles(("类型", "指标", "2025", "指标属性"))) == "indicator"
    assert table_kind(column_roles(("指标", "属性", "单位", "2025年目标", "2020年现状"))) == "indicator"
    assert table_kind(column_roles(("序号", "项目名称", "建设规模", "建设地点", "起止年限", "总投资(万元)"))) == "project"
    assert table_kind(column_roles(("项目名称", "项目内容"))) == "task"
    assert table_kind(column_roles(("序号", "重点任务", "主要内容", "牵头单位"))) == "task"
    assert table_kind(column_roles(("索引号", "002508406/2022-83699"))) == "generic"
    assert column_roles(("类型", "指标", "指标", "2025")) == ("category", "name", "sublabel", "year")


@pytest.mark.parametrize(("cell", "values"), [
    ("99%以上", [("≥", "99", "%")]), ("12.3年以上", [("≥", "12.3", "年")]), ("不低于95", [("≥", "95", None)]),
    ("95左右", [("≈", "95", None)]), ("达到100%", [("=", "100", "%")]), ("≥65", [("≥", "65", None)]),
    (">95>30", [(">", "95", None), (">", "30", None)]), ("3,600", [("=", "3600", None)]),
    ("通过", [("=", None, None)]),
])
def test_cell_values_with_qualifiers(cell: str, values: list[tuple[str, str | None, str | None]]) -> None:
    got = [(v.comparator, None if v.number is None else str(v.number.normalize()), v.unit) for v in read_cell_values(cell)]
    assert got == [(c, None if n is None else str(Decimal(n).normalize()), u) for c, n, u in values]


def _doc(text: str) -> PlanDoc:
    return ingest_text(text, Path("plan.txt"))


def test_empty_tab_cells_keep_their_position() -> None:
    doc = _doc("某县教育规划\n主要指标表\n指标\t单位\t2020年\t2025年\t属性\n入学率\t\t95\t98\t约束性\n巩固率\t%\t\t99\t\n")
    (table,) = doc.tables
    first, second = table.rows
    assert [c.value if c else None for c in first.cells] == ["入学率", None, "95", "98", "约束性"]
    assert [c.value if c else None for c in second.cells] == ["巩固率", "%", None, "99", None]
    assert not [f for f in doc.findings if f.code == "ragged-row"]


def test_a_table_announced_but_not_rebuilt_is_a_finding() -> None:
    # the table was an image on the page: only its heading and a remark are left
    text = ("黄岩区教育事业发展“十四五”规划\n二、发展目标\n(二)主要指标\n(详见附图)\n"
            "三、主要任务\n坚持立德树人。\n")
    doc = _doc(text)
    assert doc.tables == ()
    (missed,) = [f for f in doc.findings if f.code == "missed-table"]
    assert text[missed.start:missed.end] == "(二)主要指标" and "no table could be rebuilt" in missed.message


def test_a_table_typed_with_spaces_is_rebuilt() -> None:
    text = ("黄岩区教育事业发展“十四五”规划\n二、发展目标\n(二)主要指标\n指标 2020年 2025年 属性\n"
            "学前三年毛入园率(%) 98 99 预期性\n高中阶段毛入学率(%) 97 98\n三、主要任务\n坚持立德树人。\n")
    doc = _doc(text)
    assert [(i.name, [v.text for v in i.values]) for i in extract(doc).indicators] == [("学前三年毛入园率", ["98", "99"])]
    (unread,) = [f for f in doc.findings if f.code == "unread-row"]  # one cell short: not guessed
    assert text[unread.start:unread.end] == "高中阶段毛入学率(%) 97 98"
    assert not [f for f in doc.findings if f.code == "missed-table"]


def test_a_row_that_cannot_be_read_is_a_finding() -> None:
    text = ("某县教育规划\n某县主要指标\n指标\n2020年\n2025年\n属性\n一、发展水平\n1.学前教育毛入园率(%)\n98\n99\n"
            "预期性\n2.高中阶段毛入学率(%)\n二、教育公平\n3.随迁子女就读比例(%)\n88\n90\n预期性\n三、主要任务\n坚持立德树人。\n")
    doc = _doc(text)
    (unread,) = [f for f in doc.findings if f.code == "unread-row"]
    assert text[unread.start:unread.end] == "2.高中阶段毛入学率(%)"
    assert [i.name for i in extract(doc).indicators] == ["学前教育毛入园率", "随迁子女就读比例"]


def test_a_name_cell_that_is_only_a_unit_gives_no_indicator() -> None:
    doc = _doc("某县教育规划\n主要指标表\n指标\t2025年\t属性\n(%)\t98\t约束性\n巩固率(%)\t99\t约束性\n")
    assert [(i.name, i.unit) for i in extract(doc).indicators] == [("巩固率", "%")]
