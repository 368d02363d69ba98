"""Exports: required row keys, every format parsing back, CSV for Excel."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyoxigraph
import pytest
from openpyxl import load_workbook
from rdflib import Graph

from plangraph.errors import UsageError
from plangraph.extract.pipeline import extract
from plangraph.graph.build import build_graph
from plangraph.graph.export import FORMATS, export_graph, export_rows, write_dataset
from plangraph.ingest.pipeline import ingest_file
from plangraph.interfaces.writers import neutralise, sheet_name, write_export, write_table

REPO = Path(__file__).resolve().parents[1]
LINAN = REPO / "corpus" / "linan-2022-education-14th-fyp.raw.txt"

KEYS = {
    "indicators": ["iri", "plan", "category", "name", "unit", "comparator", "values", "target_year",
                   "binding", "quote", "start", "end"],
    "projects": ["iri", "plan", "table", "seq", "name", "scale", "location", "start_year", "end_year",
                 "investment_wan", "quote", "start", "end"],
    "programmes": ["iri", "plan", "table", "seq", "name", "content", "quote", "start", "end"],
}


@pytest.fixture(scope="module")
def doc():
    return ingest_file(LINAN)


@pytest.fixture(scope="module")
def ds(doc):
    return build_graph([(doc, extract(doc))])


class Source:
    """What the writers read an export from (a Workspace, in the app and the CLI)."""

    def __init__(self, ds):
        self.ds = ds

    def export_rows(self, kind, plan=None):
        return export_rows(self.ds, kind, plan)

    def export_graph(self, kind, plan=None):
        return export_graph(self.ds, kind, plan)


def export(ds, kind, fmt, path):
    return write_export(Source(ds), kind, fmt, path)


def test_rows_have_the_required_keys_and_real_values(ds, doc):
    for kind, keys in KEYS.items():
        rows = export_rows(ds, kind)
        assert rows and all(set(keys) <= set(row) for row in rows), kind
        for row in rows:
            assert doc.original[row["start"]:row["end"]] == row["quote"]
    ind = next(r for r in export_rows(ds, "indicators") if r["name"] == "高校新生体质健康合格率与优良率")
    assert (ind["comparator"], ind["unit"], ind["binding"], ind["target_year"]) == (">>", "%", "约束性", 2025)
    assert [v["value"] for v in ind["values"]] == [95, 30]
    pj = next(r for r in export_rows(ds, "projects") if r["name"] == "马溪幼儿园")
    assert (pj["seq"], pj["scale"], pj["location"], pj["start_year"], pj["end_year"], pj["investment_wan"]) \
        == (1, "15班幼儿园", "锦北街道", 2020, 2021, 2784)
    assert len(export_rows(ds, "programmes")) == 27


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_parses_back(ds, tmp_path, fmt):
    path = export(ds, "projects", fmt, tmp_path / f"projects.{fmt}")
    rows = export_rows(ds, "projects")
    if fmt == "json":
        back = json.loads(path.read_text(encoding="utf-8"))
        assert back == json.loads(json.dumps(rows, ensure_ascii=False, default=str))
    elif fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            back = list(csv.DictReader(f))
        assert [r["名称"] for r in back] == [r["name"] for r in rows]
        assert [int(r["投资（万元）"]) for r in back] == [r["investment_wan"] for r in rows]
        assert [r["标识"] for r in back] == [r["iri"] for r in rows]
    elif fmt == "xlsx":
        book = load_workbook(path)
        assert book.sheetnames == ["建设项目 linan", "说明 columns"]
        values = list(book["建设项目 linan"].values)
        assert values[0][:4] == ("规划", "所在表格", "序号", "名称")
        assert len(values) == len(rows) + 1
        assert values[1][values[0].index("名称")] == rows[0]["name"]
    else:
        rdf_format = "turtle" if fmt == "ttl" else "json-ld"
        g = Graph().parse(path, format=rdf_format)
        ox = pyoxigraph.RdfFormat.TURTLE if fmt == "ttl" else pyoxigraph.RdfFormat.JSON_LD
        assert len(list(pyoxigraph.parse(path=str(path), format=ox))) == len(g)
        subjects = {str(s) for s in g.subjects()}
        assert {r["iri"] for r in rows} <= subjects
        if fmt == "jsonld":
            assert "@context" in json.loads(path.read_text(encoding="utf-8"))


def test_whole_dataset_as_trig_parses_back(ds, tmp_path):
    path = write_dataset(ds, tmp_path / "graph.trig")
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TRIG)
    assert len(store) == sum(1 for _ in ds.quads((None, None, None, None)))


def test_csv_has_a_bom_and_neutralises_formulas(tmp_path):
    rows = [{"name": "=HYPERLINK(\"http://x\")", "note": "+1", "n": -5, "at": "@SUM(A1)",
             "ok": "普惠性幼儿园覆盖面", "list": ["-x"]}]
    path = write_table(rows, "csv", tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        back = list(csv.DictReader(f))[0]
    assert back["name"] == "'=HYPERLINK(\"http://x\")"
    assert back["note"] == "'+1" and back["at"] == "'@SUM(A1)"
    assert back["n"] == "-5" and back["ok"] == "普惠性幼儿园覆盖面"
    assert back["list"] == '["-x"]'
    xlsx = write_table(rows, "xlsx", tmp_path / "x.xlsx")
    cell = load_workbook(xlsx).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_lone_comparator_is_not_a_formula() -> None:
    """Excel, WPS and LibreOffice show a lone ``=`` as text; only what they would
    evaluate gets the ``'``."""
    assert [neutralise(v) for v in ("=", " = ", "-", "≥", "=SUM(A1)", "-x", "+1", "@x", "\tx")] \
        == ["=", " = ", "-", "≥", "'=SUM(A1)", "'-x", "'+1", "'@x", "'\tx"]
    assert neutralise(-5) == -5 and neutralise(0.3) == 0.3


def test_indicators_in_the_staff_shape_round_trip_through_openpyxl(ds, tmp_path):
    """One column per year and role, the comparator written into the value, two glued
    values (>95>30) in two columns each with its own comparator, numbers as numbers,
    years as ints, quotes on one line, the header frozen, a sheet explaining the columns."""
    book = load_workbook(export(ds, "indicators", "xlsx", tmp_path / "ind.xlsx"))
    assert book.sheetnames == ["指标 linan", "说明 columns"]
    sheet = book["指标 linan"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:8] == ["规划", "类别", "指标", "2025 目标", "2025 目标 2", "单位", "属性", "目标年份"]
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    rows = {r[2]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    glued = rows["高校新生体质健康合格率与优良率"]
    assert (glued["2025 目标"], glued["2025 目标 2"], glued["单位"]) == (">95", ">30", "%")
    exact = rows["普惠性幼儿园覆盖面"]
    assert exact["2025 目标"] == 90 and isinstance(exact["2025 目标"], int)
    assert rows["本科及以上学历教师比例"]["2025 目标"] == "≥65"
    assert rows["校际优质均衡系数 小学"]["2025 目标"] == 0.3
    assert all(isinstance(r["目标年份"], int) and isinstance(r["起始字符"], int) for r in rows.values())
    assert all("\n" not in r["原文"] and not str(r["原文"]).startswith("'") for r in rows.values())
    cells = [v for r in rows.values() for v in r.values() if isinstance(v, str)]
    assert not any(v.startswith(("[", "{", "'=")) for v in cells)
    notes = {r[0]: r for r in book["说明 columns"].iter_rows(min_row=2, values_only=True)}
    assert set(notes) == set(header)
    assert notes["2025 目标"][1] == "2025 target" and notes["单位"][2] == "计量单位"


def test_projects_keep_their_types_through_openpyxl(ds, tmp_path):
    sheet = load_workbook(export(ds, "projects", "xlsx", tmp_path / "p.xlsx"))["建设项目 linan"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True))))
    assert (first["名称"], first["开工年份"], first["完工年份"], first["投资（万元）"], first["序号"]) \
        == ("马溪幼儿园", 2020, 2021, 2784, 1)
    assert sheet.cell(2, header.index("开工年份") + 1).data_type == "n"
    assert sheet.cell(2, header.index("名称") + 1).data_type == "s"


def test_commitment_lists_are_plain_text_cells(ds, tmp_path):
    path = export(ds, "commitments", "csv", tmp_path / "c.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        back = list(csv.DictReader(f))
    assert not any(v.startswith("[") for r in back for v in r.values())
    assert any("、" in r["主题"] for r in back)
    assert any(r["数量"].startswith("≥") for r in back)


def test_sheet_names_are_valid_and_distinct():
    assert sheet_name("指标 a/b:c") == "指标 a b c"
    long = "指标 national-china-education-modernization-2035"
    first = sheet_name(long)
    assert len(first) == 31 and sheet_name(long, [first]) != first and len(sheet_name(long, [first])) <= 31


def test_unknown_kind_and_format_name_the_choices(ds, tmp_path):
    with pytest.raises(UsageError) as err:
        export(ds, "projects", "ttl2", tmp_path / "x")
    assert str(err.value) == "unknown format 'ttl2'; choose one of: csv, xlsx, json, jsonld, ttl"
    with pytest.raises(UsageError, match="unknown export kind 'schools'; choose one of: indicators, "):
        export_rows(ds, "schools")
