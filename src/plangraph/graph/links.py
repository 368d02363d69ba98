"""Links the graph stage adds on top of what each plan states.

* ``pg:measures``: an indicator to the concept of ``pgc:indicator-concepts`` it
  measures, chosen by the matcher (:mod:`plangraph.graph.matcher`) unless a reviewer
  decided otherwise (:mod:`plangraph.graph.ties`), so that a query can line up
  普惠性幼儿园覆盖面 of one plan with 普惠性幼儿园覆盖率 of another; with a
  ``pg:conceptTie`` node saying how sure and why.
* ``pg:citedPlan``: a cited document to the plan of the dataset its title names
  (:func:`plangraph.text.title_key`). The triple goes into the citing plan's graph;
  it points across graphs, and it is there only while the cited plan is in the dataset.

The ties are a function of the plan's indicator rows, the scheme and the review
decisions; the cited-plan links read the plan graphs back. A rebuild of the same plans
with the same decisions gives the same links.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from plangraph.graph.ties import Decision, IndicatorRow, plan_ties, write_ties
from plangraph.graph.vocab import PG, PGC
from plangraph.text import title_key


def concept_iri(key: str) -> URIRef:
    """The IRI of an indicator concept (``pgc:<key>``, declared in ``indicator-scheme.ttl``)."""
    return PGC[key]


def link_indicator_concepts(g: Graph, plan: str, rows: Sequence[IndicatorRow],
                            decisions: Mapping[tuple[str, str, str], Decision] | None = None) -> int:
    """Tie one plan's indicator rows (in table order) to the indicator scheme in the
    plan's graph: ``pg:measures`` and a ``pg:conceptTie`` node each; returns how many
    ``pg:measures`` links it made."""
    return write_ties(g, plan_ties(plan, rows, decisions))


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
