"""Read the graph store with the rdflib calls the readers use.

:mod:`plangraph.graph.browse`, :mod:`~plangraph.graph.export`,
:mod:`~plangraph.graph.planview` and :func:`plangraph.graph.build.passage_entities` walk
the graph with ``value``, ``objects``, ``subjects``, ``triples``, ``quads``,
``predicate_objects``, ``subject_predicates`` and ``in``. :class:`StoreView` answers
those calls from an Oxigraph store (``quads_for_pattern`` over every graph but the
registry) and returns rdflib terms, so the readers are the same code over a parsed
dataset and over the store. Like rdflib's union graph it yields each triple once even
when several plan graphs state it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from plangraph.graph.engines import REGISTRY_GRAPH
from plangraph.graph.store import GraphStore

_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_LANG_STRING = str(RDF.langString)
Pattern = tuple[Node | None, Node | None, Node | None]


def to_rdflib(term: Any) -> Any:
    """An rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_DECIMAL and "." not in term.value:
            # Oxigraph stores 2784.0 as 2784; rdflib (and the pages) write the XSD 1.0 form
            return Literal(term.value + ".0", datatype=XSD.decimal)
        return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return None if isinstance(term, ox.DefaultGraph) else URIRef(str(term))


def to_ox(term: Node | None) -> Any:
    """A pyoxigraph term for an rdflib term (None stays None: a wildcard)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != _LANG_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


class StoreView:
    """An rdflib-like, read-only union view of a :class:`GraphStore`."""

    def __init__(self, store: GraphStore) -> None:
        self.graph_store = store
        self._ox = store.store

    def _quads(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[ox.Quad]:
        for q in self._ox.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o)):
            g = q.graph_name
            if isinstance(g, ox.NamedNode) and g.value != REGISTRY_GRAPH:
                yield q

    def triples(self, pattern: Pattern) -> Iterator[tuple[Any, Any, Any]]:
        """Each matching triple once, whichever graphs state it."""
        seen: set[tuple[Any, Any, Any]] = set()
        for q in self._quads(*pattern):
            key = (q.subject, q.predicate, q.object)
            if key not in seen:
                seen.add(key)
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def quads(self, pattern: tuple[Node | None, Node | None, Node | None, Any]) -> Iterator[tuple[Any, ...]]:
        """Matching quads; the fourth item is the graph's IRI (not an rdflib Graph)."""
        for q in self._quads(*pattern[:3]):
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), to_rdflib(q.graph_name)

    def _distinct(self, pattern: Pattern, position: int) -> Iterator[Any]:
        seen: set[Any] = set()
        for q in self._quads(*pattern):
            term = (q.subject, q.predicate, q.object)[position]
            if term not in seen:
                seen.add(term)
                yield to_rdflib(term)

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator[Any]:  # noqa: A002
        return self._distinct((None, predicate, object), 0)

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Any]:
        return self._distinct((subject, predicate, None), 2)

    def predicate_objects(self, subject: Node | None = None) -> Iterator[tuple[Any, Any]]:
        for _, p, o in self.triples((subject, None, None)):
            yield p, o

    def subject_predicates(self, object: Node | None = None) -> Iterator[tuple[Any, Any]]:  # noqa: A002
        for s, p, _ in self.triples((None, None, object)):
            yield s, p

    def value(self, subject: Node | None = None, predicate: Node | None = RDF.value,
              object: Node | None = None, default: Any = None, any: bool = True) -> Any:  # noqa: A002
        """One value of the missing position, as rdflib's ``Graph.value`` (``any`` only)."""
        position = 0 if subject is None else 1 if predicate is None else 2
        for q in self._quads(subject, predicate, object):
            return to_rdflib((q.subject, q.predicate, q.object)[position])
        return default

    def __contains__(self, triple: Pattern) -> bool:
        return next(self._quads(*triple), None) is not None
