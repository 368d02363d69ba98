"""Namespaces of the plangraph ontology and of the standard vocabularies it reuses.

Every term the code emits is a constant here; ``_fail = True`` makes a typo an error
instead of a new, undeclared IRI. The ontology itself is ``ontology/plangraph.ttl``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

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
