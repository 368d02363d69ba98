"""The query runner: read-only, time-limited, no network; the named query library."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.errors import QueryError, UsageError
from plangraph.extract.pipeline import extract
from plangraph.graph.build import build_graph
from plangraph.graph.sparql import get_named_query, named_queries, run_named, run_query
from plangraph.ingest.pipeline import ingest_file

from .conftest import NATIONAL_2010, shared_file

REPO = Path(__file__).resolve().parents[1]
LINAN = REPO / "corpus" / "linan-2022-education-14th-fyp.raw.txt"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    """The graph of two plans as an N-Quads file (queries run on a graph in a place)."""
    docs = [ingest_file(LINAN), ingest_file(shared_file(NATIONAL_2010))]
    path = tmp_path_factory.mktemp("sparql") / "graph.nq"
    build_graph([(d, extract(d)) for d in docs]).serialize(str(path), format="nquads")
    return path


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("select * where { service <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_refuses_updates_and_network(ds, query, word):
    with pytest.raises(QueryError) as err:
        run_query(ds, query)
    assert word in str(err.value)


def test_keywords_inside_strings_variables_and_iris_are_fine(ds):
    r = run_query(ds, 'SELECT ?add WHERE { BIND("INSERT or SERVICE" AS ?add) }')
    assert r.rows == (("INSERT or SERVICE",),)
    r = run_query(ds, "ASK { <urn:load:service> ?p ?o }")
    assert r.rows == ((False,),)


def test_malformed_query_is_a_query_error(ds):
    with pytest.raises(QueryError, match="malformed SPARQL"):
        run_query(ds, "SELECT WHERE {")


def test_a_long_query_is_stopped(ds):
    with pytest.raises(QueryError, match="longer than 0.3 s"):
        run_query(ds, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", timeout_s=0.3)


def test_default_prefixes_and_union_graph(ds):
    r = run_query(ds, "SELECT (COUNT(?i) AS ?n) WHERE { ?i a pg:Indicator }")
    assert r.rows == ((50,),)


def test_every_named_query_has_a_description_and_runs(ds):
    queries = named_queries()
    assert {"indicators-by-category", "commitments-for-group", "projects-by-place",
            "bodies-responsibilities", "indicator-across-plans", "indicators-side-by-side",
            "cited-plans"} <= set(queries)
    for name, nq in queries.items():
        assert nq.description and nq.params, name
        r = run_named(ds, name)
        assert r.rows, name
        assert r.seconds < 5, name


def test_unknown_query_and_parameter_name_the_choices(ds):
    with pytest.raises(UsageError, match="unknown query 'nope'; choose one of: .*projects-by-place"):
        get_named_query("nope")
    with pytest.raises(UsageError, match="no parameter 'year'; choose one of: category, plan"):
        run_named(ds, "indicators-by-category", {"year": "2025"})


def test_indicators_of_a_plan_by_category(ds):
    r = run_named(ds, "indicators-by-category", {"plan": "linan", "category": "特殊教育"})
    rows = r.as_dicts()
    assert {row["indicator"] for row in rows} == {
        "特殊教育教师接受专业教育比例", "适龄持证儿童少年入学率 学前段",
        "适龄持证儿童少年入学率 义务段", "适龄持证儿童少年入学率 高中段"}
    assert all(row["cat"] == "特殊教育" and row["year"] == "2025" for row in rows)


def test_projects_by_place_totals(ds):
    rows = run_named(ds, "projects-by-place", {"plan": "linan"}).as_dicts()
    assert sum(row["projects"] for row in rows) == 39
    assert sum(row["investmentWan"] for row in rows) == 50145 + 339589
    jinbei = next(row for row in rows if row["place"] == "锦北街道")
    assert (jinbei["projects"], jinbei["investmentWan"]) == (7, 107664)


def test_quantified_commitments_about_a_group(ds):
    rows = run_named(ds, "commitments-for-group", {"group": "老年人"}).as_dicts()
    assert rows and all(row["groupLabel"] == "老年人" for row in rows)
    assert any(row["quote"] == "30分钟" for row in rows)
    assert rows == run_named(ds, "commitments-for-group", {"group": "elderly"}).as_dicts()


def test_bodies_and_the_same_indicator_across_plans(ds):
    rows = run_named(ds, "bodies-responsibilities", {"body": "人社部门"}).as_dicts()
    assert rows and all("人社" in row["statement"] for row in rows)
    rows = run_named(ds, "indicator-across-plans", {"name": "受教育年限"}).as_dicts()
    assert {row["plan"] for row in rows} == {"linan", "national-education-reform-outline-2010-2020"}
