"""Links across plans in the graph, on the real texts: indicators to the concept they
measure (``pg:measures``), cited documents to the plans of the dataset they name
(``pg:citedPlan``), and the named queries that read them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, SKOS

from plangraph.extract.mentions import Extraction
from plangraph.extract.pipeline import extract
from plangraph.graph.build import build_graph
from plangraph.graph.iris import plan_graph_iri, plan_iri
from plangraph.graph.sparql import run_named
from plangraph.graph.vocab import INDICATOR_SCHEME, PG
from plangraph.model import PlanDoc
from plangraph.resources import ontology_dir
from plangraph.text import title_key

N2010 = "national-education-reform-outline-2010-2020"
N2035 = "national-china-education-modernization-2035"


@pytest.fixture(scope="module")
def extracted(linan: PlanDoc, national_2010: PlanDoc, national_2035: PlanDoc) -> dict[str, tuple[PlanDoc, Extraction]]:
    return {d.plan_id: (d, extract(d)) for d in (linan, national_2010, national_2035)}


@pytest.fixture(scope="module")
def ds(extracted: dict[str, tuple[PlanDoc, Extraction]]) -> Dataset:
    return build_graph(extracted.values())


@pytest.fixture(scope="module")
def trig(ds: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset as an N-Quads file, for the named queries (which run on a graph in a place)."""
    path = tmp_path_factory.mktemp("links") / "graph.nq"
    ds.serialize(str(path), format="nquads")
    return path


def _side_by_side(trig: Path, **params: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = run_named(trig, "indicators-side-by-side", params).as_dicts()
    by = {(r["key"], r["plan"]): r for r in rows}
    assert len(by) == len(rows)  # one row per concept and plan
    return by


def test_linan_inclusive_kindergarten_coverage_under_its_concept(trig: Path) -> None:
    by = _side_by_side(trig)
    row = by[("inclusive-kindergarten-coverage", "linan")]
    assert row["conceptLabel"] == "普惠性幼儿园覆盖率"  # Lin'an calls it 覆盖面
    assert (row["indicator"], row["target"], row["comparator"], row["unit"], row["year"], row["binding"]) == (
        "普惠性幼儿园覆盖面", Decimal("90"), "=", "%", "2025", "约束性")
    # neither national plan sets it
    assert {p for k, p in by if k == "inclusive-kindergarten-coverage"} == {"linan"}


def test_preschool_gross_enrolment_of_both_national_plans_under_one_concept(trig: Path) -> None:
    by = _side_by_side(trig)
    rows = {p: r for (k, p), r in by.items() if k == "preschool-gross-enrolment"}
    # Lin'an's table has no gross pre-school enrolment rate
    assert set(rows) == {N2010, N2035}
    old, new = rows[N2010], rows[N2035]
    assert (old["indicator"], old["target"], old["year"]) == ("学前三年毛入园率", Decimal("70.0"), "2020")
    assert (new["indicator"], new["comparator"], new["target"], new["year"]) == ("学前教育毛入园率", ">", Decimal("95"), "2035")


def test_one_concept_across_three_plans_that_name_it_differently(trig: Path) -> None:
    by = _side_by_side(trig)
    rows = {p: (r["indicator"], r["target"], r["year"]) for (k, p), r in by.items()
            if k == "working-age-years-of-schooling"}
    assert rows == {
        "linan": ("劳动年龄人口平均受教育年限", Decimal("12.5"), "2025"),
        N2035: ("劳动年龄人口平均受教育年限", Decimal("12"), "2035"),
    }
    # 主要劳动年龄人口 (20-59) is a near concept of its own (skos:closeMatch), not the same
    main_age = {p: r["indicator"] for (k, p), r in by.items() if k == "main-working-age-years-of-schooling"}
    assert main_age == {N2010: "主要劳动年龄人口平均受教育年限"}
    teachers = {p: r["indicator"] for (k, p), r in by.items() if k == "compulsory-teacher-degree"}
    assert teachers == {N2035: "义务教育专任教师中本科以上学历比例"}
    # Lin'an's sub-row 教师学历 / 小学本科 is the primary-school concept, not the compulsory one
    assert by[("primary-teacher-bachelor", "linan")]["indicator"] == "教师学历 小学本科"


def test_side_by_side_parameters_pick_plans_and_a_concept(trig: Path) -> None:
    by_key = _side_by_side(trig, plans=f"linan, {N2035}", concept="working-age-years-of-schooling")
    assert set(by_key) == {("working-age-years-of-schooling", "linan"), ("working-age-years-of-schooling", N2035)}
    by_label = _side_by_side(trig, plans=f"linan,{N2035}", concept="劳动年龄人口平均受教育年限")
    assert by_label == by_key
    assert _side_by_side(trig, plans="lin") == {}  # a plan id, not a part of one


def test_every_concept_an_indicator_measures_is_declared(ds: Dataset) -> None:
    scheme = Graph().parse(ontology_dir() / "indicator-scheme.ttl")
    used = set(ds.objects(None, PG.measures))
    assert len(used) >= 10
    for c in used:
        assert (c, RDF.type, SKOS.Concept) in scheme, c
        assert (c, SKOS.inScheme, INDICATOR_SCHEME) in scheme, c
    # an indicator no concept fits stays unlinked, its tie node saying so
    g = ds.graph(plan_graph_iri("linan"))
    fitness = next(g.subjects(RDFS.label, Literal("高校新生体质健康合格率与优良率", lang="zh")))
    assert (fitness, RDF.type, PG.Indicator) in g
    assert g.value(fitness, PG.measures) is None
    assert str(g.value(g.value(fitness, PG.conceptTie), PG.tieStatus)) == "unmapped"

def test_linan_cites_the_2035_plan_of_the_dataset(ds: Dataset, trig: Path) -> None:
    rows = run_named(trig, "cited-plans", {"plan": "linan"}).as_dicts()
    linked = {r["title"]: (r["citedPlan"], r["citedPlanIri"]) for r in rows if r["citedPlan"]}
    assert linked == {"中国教育现代化2035": (N2035, str(plan_iri(N2035)))}
    # 杭州教育现代化2035行动纲要 and the provincial plan are cited but not in the dataset
    titles = {r["title"] for r in rows}
    assert {"杭州教育现代化2035行动纲要", "浙江省教育事业发展“十四五”规划"} <= titles
    # the link lives in Lin'an's graph, not in the cited plan's
    link = next(ds.quads((None, PG.citedPlan, plan_iri(N2035), None)))
    assert link[3] == plan_graph_iri("linan")
    assert ds.value(link[0], DCTERMS.title).toPython() == "中国教育现代化2035"


def test_no_link_when_the_cited_plan_is_not_in_the_dataset(extracted: dict[str, tuple[PlanDoc, Extraction]],
                                                          tmp_path: Path) -> None:
    ds = build_graph([extracted["linan"], extracted[N2010]])
    ds.serialize(str(tmp_path / "graph.nq"), format="nquads")
    rows = run_named(tmp_path / "graph.nq", "cited-plans", {"plan": "linan"}).as_dicts()
    assert "中国教育现代化2035" in {r["title"] for r in rows}
    assert all(r["citedPlan"] is None and r["citedPlanIri"] is None for r in rows)
    assert not list(ds.quads((None, PG.citedPlan, None, None)))


def test_title_key_ignores_width_and_brackets_but_keeps_years() -> None:
    assert title_key("《中国教育现代化2035》") == title_key("中国教育现代化2035")
    assert title_key("国家中长期教育改革和发展规划纲要（2010-2020年）") == title_key(
        "《国家中长期教育改革和发展规划纲要(2010—2020年)》")
    assert title_key("中国教育现代化2035") != title_key("中国教育现代化2050")
