"""The RDF build: SHACL on the real plans, a broken graph failing, stable IRIs,
every emitted ontology term declared."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from plangraph.extract.lexicon import concepts
from plangraph.extract.pipeline import extract
from plangraph.graph.build import build_graph
from plangraph.graph.iris import plan_graph_iri
from plangraph.graph.ontology import validate, validate_ntriples
from plangraph.graph.scheme import concepts as indicator_concepts
from plangraph.graph.vocab import INDICATOR_SCHEME, ONTOLOGY_GRAPH, PG, PGC
from plangraph.ingest.pipeline import ingest_file
from plangraph.resources import ontology_dir

from .conftest import NATIONAL_2010, NATIONAL_2035, shared_file

REPO = Path(__file__).resolve().parents[1]
FILES = [
    REPO / "corpus" / "linan-2022-education-14th-fyp.raw.txt",
    REPO / "corpus" / "linping-education-14th-fyp.excerpt.txt",
    NATIONAL_2035,
    NATIONAL_2010,
]


@pytest.fixture(scope="module")
def docs():
    return [ingest_file(shared_file(f)) for f in FILES]


@pytest.fixture(scope="module")
def extracted(docs):
    return [(d, extract(d)) for d in docs]


@pytest.fixture(scope="module")
def dataset(extracted):
    return build_graph(extracted)


def test_one_named_graph_per_plan_and_one_for_the_ontology(dataset, docs):
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert names == {ONTOLOGY_GRAPH} | {plan_graph_iri(d.plan_id) for d in docs}


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_shacl_passes_on_all_four_plans(dataset, engine):
    report = validate(dataset, engine=engine)
    assert report.conforms, report.violations[:5]
    assert report.violations == ()


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_a_broken_graph_fails_shacl(dataset, docs, engine):
    g = dataset.graph(plan_graph_iri(docs[0].plan_id))
    ind = next(g.subjects(RDF.type, PG.Indicator))
    broken = Graph()
    for t in dataset.graph(ONTOLOGY_GRAPH):
        broken.add(t)
    for t in g:
        broken.add(t)
    broken.remove((ind, PG.binding, None))
    broken.add((ind, PG.binding, Literal("随便")))
    ev = next(broken.objects(ind, PG.evidence))
    broken.remove((ev, None, None))  # evidence without source or selectors
    broken.add((ind, PG.measures, PGC["teachers"]))  # a theme, not an indicator concept
    from plangraph.graph.build import new_dataset

    ds = new_dataset()
    target = ds.graph(URIRef("urn:test:broken"))
    for t in broken:
        target.add(t)
    report = validate(ds, engine=engine)
    assert not report.conforms
    paths = {(v.focus, v.path.rsplit("#", 1)[-1]) for v in report.violations}
    assert (str(ind), "binding") in paths
    assert (str(ind), "evidence") in paths
    assert (str(ind), "measures") in paths


def test_the_fast_shacl_engine_reports_what_pyshacl_reports(dataset, docs):
    """pyshacl-turbo is the default engine; pySHACL, the reference, must agree with it
    on a plan graph with faults of every kind the shapes check: required triples
    dropped, literals where resources belong and resources where literals belong."""
    import random

    from plangraph.graph.build import new_dataset

    plan = dataset.graph(plan_graph_iri(docs[1].plan_id))  # Linping: small, every kind of node
    triples = sorted(plan, key=lambda t: tuple(str(x) for x in t))
    rng = random.Random(7)
    ds = new_dataset()
    target = ds.graph(URIRef("urn:test:faults"))
    for t in dataset.graph(ONTOLOGY_GRAPH):
        target.add(t)
    dropped = set(rng.sample(triples, 30))
    for s, p, o in triples:
        if (s, p, o) not in dropped:
            target.add((s, p, o))
    for s, p, o in rng.sample(triples, 30):
        target.remove((s, p, o))
        target.add((s, p, URIRef("urn:test:not-a-literal") if isinstance(o, Literal) else Literal("not a node")))
    fast, reference = validate(ds, engine="turbo"), validate(ds, engine="pyshacl")
    assert not reference.conforms and len(reference.violations) >= 10
    assert fast.conforms == reference.conforms
    assert {(v.focus, v.path) for v in fast.violations} == {(v.focus, v.path) for v in reference.violations}
    # what a build runs: the same triples as N-Triples text, parsed by pyshacl-turbo's native reader
    native = validate_ntriples(target.serialize(format="nt"), len(target))
    assert native.conforms == reference.conforms
    assert {(v.focus, v.path, v.message) for v in native.violations} == \
        {(v.focus, v.path, v.message) for v in fast.violations}


def test_an_unknown_shacl_engine_is_named(dataset):
    from plangraph.errors import PlanGraphError

    with pytest.raises(PlanGraphError, match="unknown SHACL engine 'jena'; choose one of: turbo, pyshacl"):
        validate(dataset, engine="jena")


def test_rebuild_gives_an_isomorphic_graph(dataset, docs, extracted):
    # the same four plans, the first read and extracted afresh: its cited documents
    # link to the others (pg:citedPlan), so it is rebuilt beside them
    first = ingest_file(docs[0].meta.source_file)
    again = build_graph([(first, extract(first)), *extracted[1:]])
    iri = plan_graph_iri(docs[0].plan_id)
    assert isomorphic(dataset.graph(iri), again.graph(iri))
    assert len(again.graph(iri)) > 5000


def test_every_emitted_term_is_declared(dataset):
    ontology = Graph().parse(ontology_dir() / "plangraph.ttl")
    declared = {s for s in ontology.subjects() if str(s).startswith(str(PG._NS))}
    emitted = set()
    for s, p, o, c in dataset.quads((None, None, None, None)):
        if c == ONTOLOGY_GRAPH:
            continue
        emitted.add(p)
        if p == RDF.type:
            emitted.add(o)
    emitted = {t for t in emitted if str(t).startswith(str(PG._NS))}
    assert emitted and emitted <= declared, emitted - declared
    # and every term the namespace object offers is in the ontology file
    assert {PG[name] for name in PG.__annotations__} <= declared


def test_concepts_file_matches_the_lexicon(dataset):
    scheme = Graph().parse(ontology_dir() / "concepts.ttl")
    for entry in concepts():
        node = PGC[entry.key]
        assert (node, RDF.type, SKOS.Concept) in scheme, entry.key
        assert Literal(entry.zh, lang="zh") in set(scheme.objects(node, SKOS.prefLabel))
    used = set()
    for p in (PG.targetGroup, URIRef("http://purl.org/dc/terms/subject")):
        used |= set(dataset.objects(None, p))
    assert used and all((c, RDF.type, SKOS.Concept) in scheme for c in used)


def test_indicator_scheme_is_loaded_from_its_turtle_file_and_is_in_the_ontology_graph(dataset):
    scheme = Graph().parse(ontology_dir() / "indicator-scheme.ttl")
    in_scheme = set(scheme.subjects(SKOS.inScheme, INDICATOR_SCHEME))
    assert in_scheme == {PGC[c.key] for c in indicator_concepts()}
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    for c in indicator_concepts():
        node = PGC[c.key]
        assert (node, RDF.type, SKOS.Concept) in ontology
        assert Literal(c.label, lang="zh") in set(scheme.objects(node, SKOS.prefLabel))
        assert {Literal(a, lang="zh") for a in c.alt_labels} <= set(scheme.objects(node, SKOS.altLabel))
    # one concept, one scheme: no key is also a stage, theme or target group
    assert all(len(set(ontology.objects(n, SKOS.inScheme))) == 1 for n in in_scheme)
    # and the old copies in concepts.ttl are gone
    assert not set(Graph().parse(ontology_dir() / "concepts.ttl").subjects(SKOS.inScheme, INDICATOR_SCHEME))


def test_bodies_are_scoped_to_their_region(dataset):
    by_label: dict[str, set] = {}
    for org in dataset.subjects(RDF.type, PG.Organization):
        for label in dataset.objects(org, SKOS.prefLabel):
            by_label.setdefault(str(label), set()).add(org)
    # 教育部门 of Lin'an and of the national plans are two bodies; the two national
    # plans share their region, so their 中共中央 is one
    assert len(by_label["教育部门"]) == 2
    assert len(by_label["中共中央"]) == 1


def test_provenance_points_at_the_exact_quote(dataset, docs):
    doc = docs[0]
    g = dataset.graph(plan_graph_iri(doc.plan_id))
    from plangraph.graph.vocab import OA

    checked = 0
    for ev in g.subjects(RDF.type, OA.SpecificResource):
        start = end = exact = None
        for sel in g.objects(ev, OA.hasSelector):
            if (sel, RDF.type, OA.TextPositionSelector) in g:
                start, end = int(g.value(sel, OA.start)), int(g.value(sel, OA.end))
            else:
                exact = str(g.value(sel, OA.exact))
        assert doc.original[start:end] == exact
        checked += 1
    assert checked > 500


def test_every_ontology_file_ships_in_the_wheel() -> None:
    import tomllib

    from .conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    shipped = config["tool"]["setuptools"]["data-files"]["share/plangraph/ontology"]
    assert sorted(shipped) == sorted(f"ontology/{p.name}" for p in (ROOT / "ontology").glob("*.ttl"))


def test_entity_tables_show_baseline_and_target_with_their_years(dataset) -> None:
    """The outline's table: 2009 baselines, 2020 targets (专栏1)."""
    from plangraph.graph.browse import entity_table

    rows = {r.columns["name"]: r.columns
            for r in entity_table(dataset, "indicators", "national-education-reform-outline-2010-2020")}
    assert {k: rows["学前三年毛入园率"][k] for k in ("baseline_year", "baseline", "target_year", "target", "unit")} \
        == {"baseline_year": 2009, "baseline": "50.9", "target_year": 2020, "target": "70.0", "unit": "%"}
