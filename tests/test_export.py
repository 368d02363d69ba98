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
from plangraph.graph.export import FORMATS, export_graph, export_rows, write_dataset
from plangraph.interfaces.writers import write_export, write_table
from plangraph.extract.pipeline import extract
from plangraph.graph.build import build_graph
from plangraph.ingest.pipeline import ingest_file

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
        assert [r["name"] for r in back] == [r["name"] for r in rows]
        assert [int(r["investment_wan"]) for r in back] == [r["investment_wan"] for r in rows]
    elif fmt == "xlsx":
        sheet = load_workbook(path).active
        values = list(sheet.values)
        assert values[0][:3] == ("iri", "plan", "table")
        assert len(values) == len(rows) + 1
        assert values[1][values[0].index("name")] == rows[0]["name"]
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
    xlsx = write_table(rows, "xlsx", tmp_path / "x.xlsx")
    cell = load_workbook(xlsx).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_unknown_kind_and_format_name_the_choices(ds, tmp_path):
    with pytest.raises(UsageError) as err:
        export(ds, "projects", "ttl2", tmp_path / "x")
    assert str(err.value) == "unknown format 'ttl2'; choose one of: csv, xlsx, json, jsonld, ttl"
    with pytest.raises(UsageError, match="unknown export kind 'schools'; choose one of: indicators, "):
        export_rows(ds, "schools")
