"""Namespaces of the plangraph ontology and of the standard vocabularies it reuses.

Every term the code emits is a constant here; ``_fail = True`` makes a typo an error
instead of a new, undeclared IRI. The ontology itself is ``ontology/plangraph.ttl``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef, Variable
from rdflib.namespace import DefinedNamespace, NamespaceManager, split_uri

BASE = "https://w3id.org/plangraph/"
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
PGC = Namespace(BASE + "concept/")
ONTOLOGY_GRAPH = GRAPH["ontology"]
INDICATOR_SCHEME = PGC["indicator-concepts"]


class PG(DefinedNamespace):
    """The plangraph ontology (``ontology/plangraph.ttl``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Plan: URIRef
    Section: URIRef
    Passage: URIRef
    Table: URIRef
    Commitment: URIRef
    Indicator: URIRef
    IndicatorValue: URIRef
    Programme: URIRef
    Project: URIRef
    Organization: URIRef
    Place: URIRef
    CitedDocument: URIRef
    Quantity: URIRef
    Division: URIRef
    divisionLevel: URIRef
    documentKind: URIRef
    documentKindCue: URIRef
    CommitmentClause: URIRef
    # structure
    plan: URIRef
    section: URIRef
    table: URIRef
    level: URIRef
    sectionNumber: URIRef
    passageKind: URIRef
    tableKind: URIRef
    sequence: URIRef
    region: URIRef
    planLevel: URIRef
    sourceFile: URIRef
    sha256: URIRef
    periodStart: URIRef
    periodEnd: URIRef
    evidence: URIRef
    # indicators
    category: URIRef
    subLabel: URIRef
    binding: URIRef
    indicator: URIRef
    valueRole: URIRef
    valueText: URIRef
    note: URIRef
    targetYear: URIRef
    measures: URIRef
    # the indicator scheme (indicator-scheme.ttl) and the ties to it
    facet: URIRef
    direction: URIRef
    HigherIsBetter: URIRef
    LowerIsBetter: URIRef
    NoDirection: URIRef
    ConceptTie: URIRef
    conceptTie: URIRef
    tieConcept: URIRef
    tieScore: URIRef
    tieStatus: URIRef
    tieReason: URIRef
    # quantities
    comparator: URIRef
    numericValue: URIRef
    upperValue: URIRef
    unit: URIRef
    qualifier: URIRef
    hasQuantity: URIRef
    # programmes, projects
    content: URIRef
    scale: URIRef
    classCount: URIRef
    schoolType: URIRef
    location: URIRef
    startYear: URIRef
    endYear: URIRef
    investmentWan: URIRef
    investmentYuan: URIRef
    # commitments, bodies, places
    statement: URIRef
    targetGroup: URIRef
    deadline: URIRef
    involves: URIRef
    mentionsPlace: URIRef
    placeType: URIRef
    clause: URIRef
    clauseText: URIRef
    action: URIRef
    # cited documents
    citedPlan: URIRef


class OA(DefinedNamespace):
    """The W3C Web Annotation terms plangraph uses for source spans."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef


class SDMX_MEASURE(DefinedNamespace):
    """SDMX measure used with Data Cube observations."""

    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
    _fail = True

    obsValue: URIRef


class SDMX_DIMENSION(DefinedNamespace):
    """SDMX dimension used with Data Cube observations."""

    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
    _fail = True

    refPeriod: URIRef


class SDMX_ATTRIBUTE(DefinedNamespace):
    """SDMX attribute used with Data Cube observations."""

    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
    _fail = True

    unitMeasure: URIRef


PREFIXES: dict[str, str] = {
    "pg": str(PG._NS),
    "pgc": str(PGC),
    "oa": str(OA._NS),
    "sdmx-measure": str(SDMX_MEASURE._NS),
    "sdmx-dimension": str(SDMX_DIMENSION._NS),
    "sdmx-attribute": str(SDMX_ATTRIBUTE._NS),
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class BoundNamespaces(NamespaceManager):
    """rdflib's namespace manager, minus its cost per namespace: an IRI gets a prefix
    when its namespace is bound, and no other namespace is filed.

    rdflib files every namespace it meets in a trie whose insert and lookup scan the
    siblings. Every evidence node and value here has a namespace of its own
    (``…/id/linan/ev/<hash>/pos``), so writing a plan's graph as TriG and validating it
    (pyshacl writes each node it checks) grew with the square of the plan's size. The
    text written is the same: such IRIs had no prefix anyway.
    """

    def _unbound(self, iri: str) -> bool:
        try:
            namespace, _ = split_uri(iri)
        except ValueError:
            return False  # rdflib's own handling
        return self.store.prefix(URIRef(namespace)) is None

    def normalizeUri(self, rdfTerm: str) -> str:  # noqa: N802, N803 (rdflib's names)
        if not isinstance(rdfTerm, Variable) and self._unbound(rdfTerm):
            return f"<{rdfTerm}>"
        return super().normalizeUri(rdfTerm)

    def compute_qname(self, uri: str, generate: bool = True) -> tuple[str, URIRef, str]:
        if not generate and self._unbound(uri):
            raise KeyError(f"no known prefix for {uri} and generate=False")
        return super().compute_qname(uri, generate)
