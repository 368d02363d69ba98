"""Links the graph stage adds on top of what each plan states.

* ``pg:measures``: an indicator to the concept of ``pgc:indicator-concepts`` it
  measures, chosen by :func:`plangraph.graph.indicators.concept_of` (the matcher
  ``plangraph compare`` uses), so that a query can line up 普惠性幼儿园覆盖面 of one plan
  with 普惠性幼儿园覆盖率 of another.
* ``pg:citedPlan``: a cited document to the plan of the dataset its title names
  (:func:`plangraph.text.title_key`). The triple goes into the citing plan's graph;
  it points across graphs, and it is there only while the cited plan is in the dataset.

Both read the plan graphs back, so they see exactly what was written, and both are
functions of the graph contents alone: a rebuild of the same plans gives the same links.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS

from plangraph.graph.indicators import concept_of
from plangraph.text import title_key
from plangraph.graph.vocab import PG, PGC


def concept_iri(key: str) -> URIRef:
    """The IRI of an indicator concept (``pgc:<key>``, declared in ``concepts.ttl``)."""
    return PGC[key]


def link_indicator_concepts(g: Graph) -> int:
    """Add ``indicator pg:measures concept`` to one plan's graph; returns how many."""
    links = []
    for ind in g.subjects(RDF.type, PG.Indicator):
        label = g.value(ind, RDFS.label)
        if label is None:
            continue
        category = g.value(ind, PG.category)
        concept = concept_of(str(label), str(category) if category is not None else None)
        if concept is not None:
            links.append((ind, PG.measures, concept_iri(concept.key)))
    for triple in links:
        g.add(triple)
    return len(links)


def link_cited_plans(plan_graphs: dict[URIRef, Graph]) -> int:
    """Add ``cited-document pg:citedPlan plan`` where a cited title names exactly one
    plan of ``plan_graphs`` (plan IRI → that plan's graph); returns how many.

    Links made before are dropped first, so calling it again after a plan was added
    or replaced leaves the links of the plans now there.
    """
    by_key: dict[str, set[URIRef]] = {}
    for plan, g in plan_graphs.items():
        for title in g.objects(plan, DCTERMS.title):
            if key := title_key(str(title)):
                by_key.setdefault(key, set()).add(plan)
    made = 0
    for plan, g in plan_graphs.items():
        g.remove((None, PG.citedPlan, None))
        for doc in list(g.objects(plan, DCTERMS.references)):
            cited = {p for t in g.objects(doc, DCTERMS.title) for p in by_key.get(title_key(str(t)), ())}
            if len(cited) == 1:  # two plans of one title: no way to tell which is meant
                g.add((doc, PG.citedPlan, cited.pop()))
                made += 1
    return made
