"""The guard decides on the parsed query; parameters bind alike on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.errors import QueryError, UsageError
from plangraph.graph.bindings import bind_params
from plangraph.graph.guard import check_query
from plangraph.graph.sparql import named_queries, run_named, run_query
from plangraph.graph.vocab import PREFIXES

from .hostile import REFUSAL, hostile_queries

PLAN_A = "https://w3id.org/plangraph/graph/plan/a"
NS = {k: str(v) for k, v in PREFIXES.items()}


def test_the_corpus_is_big_and_every_query_is_refused_clearly() -> None:
    queries = hostile_queries(9)
    assert len(queries) >= 80
    for q in queries:
        with pytest.raises(QueryError) as exc:
            check_query(q, allowed_graphs={PLAN_A}, prefixes=NS)
        assert REFUSAL.search(exc.value.message), (q, exc.value.message)


@pytest.mark.parametrize("query", [
    "SELECT * { ?s ?p ?o }",
    "SELECT ?load ?service { ?load <http://x/insert> ?service } # SERVICE <http://127.0.0.1:9/>",
    'SELECT * { ?s ?p "FROM <http://127.0.0.1:9/> SERVICE" }',
    "PREFIX from: <urn:f:> SELECT * { ?s from:named ?o }",
    f"SELECT * FROM <{PLAN_A}> {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{PLAN_A}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "ASK { FILTER NOT EXISTS { ?s pg:plan ?o } }",
])
def test_harmless_queries_pass(query: str) -> None:
    check_query(query, allowed_graphs={PLAN_A}, prefixes=NS)


def test_messages_name_the_problem() -> None:
    with pytest.raises(QueryError, match=r"^LOAD is not allowed: queries are read-only"):
        check_query("load <http://x/>")
    with pytest.raises(QueryError, match=r"^SERVICE is not allowed"):
        check_query("select * { service silent ?e { ?s ?p ?o } }")
    with pytest.raises(QueryError, match=r"^FROM NAMED <http://127.0.0.1:9/x#f> is not a graph"):
        check_query("SELECT * from named<http://127.0.0.1:9/x#f> { ?s ?p ?o }")
    with pytest.raises(QueryError, match=r"^FROM <http://127.0.0.1:9/g> is not a graph"):
        check_query("PREFIX ex: <http://127.0.0.1:9/> SELECT * FROM ex:g { ?s ?p ?o }")
    with pytest.raises(QueryError, match=r"^malformed SPARQL at line 1, column"):
        check_query("SELEKT * { ?s ?p ?o }")


def test_a_checked_query_says_its_form_and_dataset() -> None:
    checked = check_query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert (checked.form, checked.has_dataset) == ("CONSTRUCT", False)
    checked = check_query("PREFIX g: <https://w3id.org/plangraph/graph/plan/> ASK FROM g:a { ?s ?p ?o }",
                          allowed_prefixes=("https://w3id.org/plangraph/graph/",))
    assert (checked.form, checked.from_graphs, checked.from_named) == ("ASK", (PLAN_A,), ())


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_passes_the_guard_with_and_without_parameters(name: str) -> None:
    nq = named_queries()[name]
    check_query(nq.text, prefixes=NS)
    check_query(bind_params(nq.text, {p: 'x"y\\z' for p, _ in nq.params}), prefixes=NS)


def test_parameters_become_literals_where_the_grammar_allows_them() -> None:
    q = ("SELECT ?plan (COUNT(?x) AS ?n) WHERE { ?p <urn:id> ?plan ; <urn:s> \"?plan\" # ?plan\n"
         " FILTER (!BOUND(?plan) || ?plan != <urn:?plan>) BIND(?plan AS ?copy) } GROUP BY ?plan ORDER BY DESC(?plan) ?plan")
    assert bind_params(q, {"plan": 'a"b'}) == (
        'SELECT ("a\\"b" AS ?plan) (COUNT(?x) AS ?n) WHERE { ?p <urn:id> "a\\"b" ; <urn:s> "?plan" # ?plan\n'
        ' FILTER (!true || "a\\"b" != <urn:?plan>) BIND("a\\"b" AS ?copy) } GROUP BY STR("a\\"b") '
        'ORDER BY DESC("a\\"b") STR("a\\"b")')
    assert bind_params(q, {"plan": ""}) == q  # an empty value leaves the variable unbound
    with pytest.raises(UsageError, match="not a SPARQL variable name"):
        bind_params(q, {"plan) } ; DROP ALL #": "x"})


@pytest.fixture(scope="module")
def district_store(district_index: Path, district_trig: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The district index's graph in an on-disk pyoxigraph store."""
    import pyoxigraph as ox

    path = tmp_path_factory.mktemp("store") / "store"
    store = ox.Store(str(path))
    store.load(path=str(district_trig), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return path


PARAMS = {"projects-by-place": {"plan": "linan"}, "bodies-responsibilities": {"body": "教育部门"},
          "commitments-for-group": {"group": "elderly"}, "commitment-themes": {"theme": "teachers"},
          "indicators-by-category": {"category": "学前教育"},
          "indicator-across-plans": {"name": "受教育年限"}, "cited-documents": {"plan": "linping"},
          "cited-plans": {"plan": "linan"}, "indicators-side-by-side": {"plans": "linan,linping"}}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_answer_the_same_on_rdflib_and_oxigraph(name: str, district_index: Path, district_trig: Path,
                                                              district_store: Path) -> None:
    def table(where: Path) -> list[tuple[object, ...]]:
        # GROUP_CONCAT's order is the engine's choice
        def cell(v: object) -> str:
            return "、".join(sorted(str(v).split("、")))

        rows = run_named(where, name, PARAMS.get(name)).rows
        return sorted(tuple(cell(v) for v in r) for r in rows)

    on_rdflib = table(district_trig)
    if name not in ("cited-plans", "indicators-side-by-side"):  # the district plans cite none of each other
        assert on_rdflib, name
    assert table(district_store) == on_rdflib


def test_a_store_answers_over_the_union_of_its_plan_graphs(district_store: Path) -> None:
    r = run_query(district_store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a pg:Commitment } } GROUP BY ?g")
    by_graph = dict(r.rows)
    assert set(by_graph) == {"https://w3id.org/plangraph/graph/plan/linan",
                             "https://w3id.org/plangraph/graph/plan/linping"}
    total = run_query(district_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s a pg:Commitment }").rows[0][0]
    assert total == sum(by_graph.values()) and total > 100
    only = run_query(district_store, "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/plangraph/graph/plan/linan> "
                                     "WHERE { ?s a pg:Commitment }").rows[0][0]
    assert only == by_graph["https://w3id.org/plangraph/graph/plan/linan"]


def test_workspace_queries_the_store_snapshot_its_manifest_names(district_index: Path, district_store: Path,
                                                                 tmp_path: Path) -> None:
    import json
    import shutil

    from plangraph.workspace import Workspace

    index = tmp_path / "ix"
    shutil.copytree(district_index, index, ignore=shutil.ignore_patterns("search"))
    expected = Workspace(index).sparql(name="projects-by-place", params={"plan": "linan"}).rows
    shutil.copytree(district_store, index / "store" / "snapshots" / "s1")
    manifest = json.loads((index / "manifest.json").read_text("utf-8"))
    (index / "manifest.json").write_text(json.dumps({**manifest, "snapshot": "store/snapshots/s1"}), "utf-8")
    (index / "graph.trig").unlink(missing_ok=True)  # the store alone must answer
    ws = Workspace(index)
    assert ws.graph_location == index / "store" / "snapshots" / "s1"
    got = ws.sparql(name="projects-by-place", params={"plan": "linan"}).rows
    def counts(rows: tuple[tuple[object, ...], ...]) -> list[tuple[object, ...]]:
        return sorted((r[:5] for r in rows), key=str)  # without the names (GROUP_CONCAT's order varies)

    assert counts(got) == counts(expected) and len(got) == 12


def test_a_flat_chain_of_1000_unions_is_not_too_deep(tmp_path: Path) -> None:
    """A chain of UNIONs is long, not deep: rdflib's recursion once refused it as 'nested too deeply' (#22)."""
    from plangraph.graph.engines import OxigraphEngine

    graph = tmp_path / "graph.trig"
    graph.write_text('<urn:g> { <urn:s> <urn:p> "7", "999" . }\n', encoding="utf-8")
    query = "SELECT ?s WHERE { " + " UNION ".join(f'{{ ?s ?p "{i}" }}' for i in range(1000)) + " }"
    assert check_query(query).form == "SELECT"
    assert OxigraphEngine(graph, in_memory=True).rows(query, None)[1:] == ([("urn:s",), ("urn:s",)], 2)


def test_a_query_too_deep_for_the_guard_says_which_limit_and_what_to_do() -> None:
    deep = "SELECT * WHERE " + "{ " * 2000 + "?s ?p ?o" + " }" * 2000
    with pytest.raises(QueryError) as exc:
        check_query(deep)
    assert exc.value.message.startswith("the query nests too deeply for the guard's parser: it reached Python's "
                                        "limit of 20,000 nested calls (a level of { } costs about 27")
    assert exc.value.hint == "nest fewer groups or parentheses, or split the query"
