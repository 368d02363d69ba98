"""The IRIs of the graph, built and read back in one place.

Plans are ``id:PLAN``, their passages ``id:PLAN/PASSAGE`` (the passage id is a hash
of its normalised text, so a rebuild gives the same IRI), a plan's named graph
``graph:plan/PLAN``, concepts ``concept:KEY``.
"""

from __future__ import annotations

import hashlib

from rdflib import URIRef

from plangraph.graph.vocab import GRAPH, ID

_PLAN_GRAPH_PREFIX = str(GRAPH["plan/"])


def plan_iri(plan_id: str) -> URIRef:
    """The IRI of a plan (the document)."""
    return ID[plan_id]


def passage_iri(plan_id: str, passage_id: str) -> URIRef:
    """The IRI of a passage; search results cite passages by it."""
    return ID[f"{plan_id}/{passage_id}"]


def division_iri(code: str) -> URIRef:
    """The IRI of an administrative division, by its six-digit code (shared by the
    plans of that division)."""
    return ID[f"division/{code}"]


def plan_graph_iri(plan_id: str) -> URIRef:
    """The named graph that holds one plan's triples."""
    return GRAPH[f"plan/{plan_id}"]


def content_hash(*parts: object) -> str:
    """A short stable hash of ``parts``, for IRIs derived from content."""
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]


def local_name(iri: object) -> str:
    """The last segment of an IRI (after the last ``/`` or ``#``): a passage id from a
    passage IRI, a concept key from a concept IRI, a class name from a class IRI."""
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def plan_of_graph(iri: object) -> str | None:
    """The plan id of a plan's named graph IRI, None for any other graph."""
    text = str(iri)
    return text[len(_PLAN_GRAPH_PREFIX):] if text.startswith(_PLAN_GRAPH_PREFIX) else None
