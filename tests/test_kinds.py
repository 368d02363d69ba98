"""What kind of document a file is (plan, explainer, report, fragment, other), with the
cue, and a progress report's values read as actual values of their year."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.extract.pipeline import extract
from plangraph.ingest.kinds import classify
from plangraph.ingest.pipeline import ingest_file, ingest_text
from plangraph.interfaces.cli import main
from plangraph.workspace import Workspace
from tests.conftest import LINAN, PLACE_PLANS


@pytest.mark.parametrize(("file", "kind", "cue"), [
    ("linyi-14th-fyp-traditional.txt", "plan", "title says 规划"),
    ("wuhe-14th-fyp.txt", "plan", "title says 规划"),
    ("lanling-14th-fyp-education.excerpt.txt", "plan", "text has 力争"),  # no title: its aims
    ("linyi-14th-fyp-explainer.txt", "explainer", "title says 文字解读"),
    ("kaizhou-14th-fyp-explainer.txt", "explainer", "title says 政策解读"),
    ("laishan-14th-fyp-explainer.txt", "explainer", "title says 文字解读"),
    ("huaibei-14th-fyp-progress.txt", "report", "title says 成效显著"),
    ("report-midterm-evaluation.txt", "report", "title says 中期评估"),
    ("linan-toc-only.txt", "fragment", "a table of contents (509 characters) and 16 characters of text"),
])
def test_each_fixture_is_told_apart(file: str, kind: str, cue: str) -> None:
    meta = ingest_file(PLACE_PLANS / file).meta
    assert (meta.kind, meta.kind_cue) == (kind, cue)


def test_the_corpus_plans_are_plans() -> None:
    assert ingest_file(LINAN).meta.kind == "plan"


@pytest.mark.parametrize(("title", "text", "kind"), [
    # the plan cited in an explainer's title does not make it a plan
    ("关于《某区教育事业发展“十四五”规划》的起草说明", "一、起草背景。", "explainer"),
    ("某区教育规划", "一、编制背景\n为推进教育发展。\n二、编制过程\n开展了调研。\n三、主要内容", "explainer"),
    ("2022年教育工作总结", "一、主要成绩。", "report"),
    ("教育动态", "截至目前，规划实施情况良好，各项指标进展顺利。" * 20, "report"),
    ("第3页", "（二）基本原则\n1.坚持", "fragment"),
    ("学校简介", "学校始建于1950年，现有教职工120人，学生1800人，校园占地面积50亩。" * 10, "other"),
])
def test_cues(title: str, text: str, kind: str) -> None:
    assert classify(title, text).kind == kind


def test_a_reports_year_values_are_actual_values() -> None:
    doc = ingest_file(PLACE_PLANS / "report-midterm-evaluation.txt")
    rate = next(i for i in extract(doc).indicators if i.name == "九年义务教育巩固率")
    assert [(v.year, v.role, v.text) for v in rate.values] == [
        (2020, "baseline", "101.2"), (2022, "actual", "103.7"), (2025, "target", "≥100")]
    assert rate.target_year == 2025


def test_a_reports_sentences_state_what_was_reached() -> None:
    ex = extract(ingest_file(PLACE_PLANS / "report-midterm-evaluation.txt"))
    stated = {str(q.value): q.qualifier for c in ex.commitments for q in c.quantities}
    assert stated == {"103.7": "2022年实际", "99.2": "2022年实际", "99.6": "2022年实际"}
    huaibei = extract(ingest_file(PLACE_PLANS / "huaibei-14th-fyp-progress.txt"))
    amounts = {str(q.value): q.qualifier for c in huaibei.commitments for q in c.quantities}
    assert amounts["65.45"] == "实际" and amounts["3.37"] == "实际"  # no year stated
    # a plan's sentences are targets: no such mark
    plan = extract(ingest_file(PLACE_PLANS / "lanling-14th-fyp-education.excerpt.txt"))
    assert not any(q.qualifier and "实际" in q.qualifier for c in plan.commitments for q in c.quantities)


def test_the_same_table_in_a_plan_states_targets() -> None:
    text = (PLACE_PLANS / "report-midterm-evaluation.txt").read_text("utf-8")
    text = text.replace("实施情况中期评估报告", "（2021-2025年）")
    doc = ingest_text(text, Path("plan.txt"))
    assert doc.meta.kind == "plan"
    rate = next(i for i in extract(doc).indicators if i.name == "九年义务教育巩固率")
    assert [v.role for v in rate.values] == ["baseline", "target", "target"]


def test_kind_is_a_plan_fact_a_graph_fact_and_a_search_filter(places_index: Path) -> None:
    ws = Workspace(places_index)
    meta = {p["plan"]: p["meta"] for p in ws.plans()}
    assert meta["kaizhou-14th-fyp-explainer"]["kind"] == "explainer"
    assert meta["kaizhou-14th-fyp-explainer"]["kind_cue"] == "title says 政策解读"
    explainers = {p for p, m in meta.items() if m["kind"] == "explainer"}
    hits = ws.search("规划的编制背景和主要内容", 20, kind="explainer")
    assert hits and {h.plan for h in hits} <= explainers
    rows = ws.sparql("""PREFIX pg: <https://w3id.org/plangraph/ontology#>
        SELECT ?kind (COUNT(?p) AS ?n) WHERE { ?p pg:documentKind ?kind } GROUP BY ?kind ORDER BY ?kind""").rows
    assert {str(k): int(n) for k, n in rows} == {"explainer": 3, "fragment": 1, "plan": 9, "report": 2}


def test_the_report_and_the_plan_side_by_side(places_index: Path) -> None:
    rows = Workspace(places_index).sparql("""PREFIX pg: <https://w3id.org/plangraph/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        SELECT ?year ?role WHERE { ?plan dcterms:identifier "report-midterm" .
          ?i a pg:Indicator ; pg:plan ?plan ; rdfs:label "九年义务教育巩固率"@zh .
          ?v pg:indicator ?i ; pg:valueRole ?role ; sdmx-dimension:refPeriod ?year } ORDER BY ?year""").rows
    assert [(str(y)[:4], str(r)) for y, r in rows] == [("2020", "baseline"), ("2022", "actual"), ("2025", "target")]


def test_the_cli_shows_kind_and_division(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(PLACE_PLANS / "kaizhou-14th-fyp-explainer.txt")]) == 0
    out = capsys.readouterr().out
    assert "  explainer (title says 政策解读); 重庆市 开州区 500154 (title: 开州区)" in out


def test_the_export_shows_the_actual_column(places_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "indicators", "--index", str(places_index), "--plan", "report-midterm",
                 "--format", "csv"]) == 0
    header, *rows = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert "2020 基期,2022 实际,2025 目标" in header
    assert any(r.startswith("report-midterm,") and ",101.2,103.7,≥100" in r for r in rows), rows
