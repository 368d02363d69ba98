"""The engines a query worker evaluates on, each turning results into plain values.

* :class:`OxigraphEngine`: a pyoxigraph store, on disk (a published snapshot folder,
  opened read-only) or in memory (loaded from a TriG/N-Quads file).
* :class:`RdflibEngine`: an rdflib Dataset parsed from the index's ``graph.trig``,
  with rdflib's network paths closed (:func:`plangraph.graph.guard.harden_rdflib`).
* :class:`RemoteEngine`: a SPARQL 1.1 Protocol endpoint over HTTP.

Every engine guards the text it is given (:func:`plangraph.graph.guard.check_query`)
and evaluates only the text the guard returns, the one it judged (line ends and
codepoint escapes made canonical: :mod:`plangraph.graph.querytext`), after binding
parameters the same way (:func:`plangraph.graph.bindings.bind_params`). rdflib's
parser needs 25–130 ms for a named query, more than Oxigraph needs to answer it, so
each engine keeps the verdicts on the texts it has let through; binding only writes
escaped string literals where variables were, which cannot add a SERVICE, a FROM or
an update. The union of the plan graphs is the
default graph; a registry graph a store keeps for itself is not part of it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pyoxigraph as ox

from plangraph.errors import IndexStoreError, QueryError
from plangraph.graph.bindings import bind_params
from plangraph.graph.guard import CheckedQuery, check_query, harden_rdflib, run_deep
from plangraph.graph.httpclient import DEADLINE_S, MAX_REPLY_BYTES, exchange
from plangraph.graph.storecheck import repair_hint, store_problem
from plangraph.graph.vocab import GRAPH, PREFIXES

Rows = tuple[tuple[str, ...], list[tuple[Any, ...]]]
Page = tuple[int, int | None]
"""Which rows to return: (offset, limit); a limit of None returns every row from the offset."""
PagedRows = tuple[tuple[str, ...], list[tuple[Any, ...]], int]
"""Columns, the rows of the page, and how many rows the whole result has."""
REGISTRY_GRAPH = "urn:plangraph:registry"
"""A store's own bookkeeping graph: never part of what queries see."""
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + n for n in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                  "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                  "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FILE_FORMATS = {".trig": "trig", ".nq": "nquads", ".nt": "nt", ".ttl": "turtle"}


@runtime_checkable
class SparqlEngine(Protocol):
    """What the query worker asks of a graph: the rows of a guarded, read-only query.
    The built-in engines are listed in :data:`plangraph.extensions.SPARQL_ENGINES`; an
    engine that can also ``serialize(text, media_type) -> (bytes, media type)`` a
    CONSTRUCT or DESCRIBE answers the endpoint's RDF formats (Oxigraph does).

    ``rows`` guards ``text`` (:func:`~plangraph.graph.guard.check_query`), binds ``params``
    as escaped literals and returns the columns, the rows of ``page`` and the total count.
    """

    def rows(self, text: str, params: Mapping[str, object] | None, page: Page = (0, None)) -> PagedRows: ...


class _Guard:
    """:func:`~plangraph.graph.guard.check_query` with the verdicts on passed texts kept."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._passed: OrderedDict[str, CheckedQuery] = OrderedDict()

    def __call__(self, text: str) -> CheckedQuery:
        checked = self._passed.get(text)
        if checked is None:
            checked = self._passed[text] = check_query(text, **self._options)
            if len(self._passed) > 256:
                self._passed.popitem(last=False)
        return checked


def _prefixes() -> dict[str, str]:
    return {k: str(v) for k, v in PREFIXES.items()}


def plain_literal(lexical: str, datatype: str | None) -> Any:
    """A plain Python value for a literal: numbers and booleans typed, the rest as text."""
    try:
        if datatype in _INTEGERS:
            return int(lexical)
        if datatype == _XSD + "decimal":
            # Oxigraph writes 2784.0 as 2784; rdflib, the pages and the exports the XSD 1.0 form
            return Decimal(lexical if "." in lexical else lexical + ".0")
        if datatype in (_XSD + "double", _XSD + "float"):
            return float(lexical)
        if datatype == _XSD + "boolean":
            return lexical in ("true", "1")
    except (ValueError, InvalidOperation):
        pass  # an ill-typed literal keeps its lexical form
    return lexical


class OxigraphEngine:
    """Queries over a pyoxigraph store."""

    def __init__(self, location: Path, *, in_memory: bool) -> None:
        try:
            if in_memory:
                self.store = ox.Store()
                fmt = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}.get(location.suffix)
                if fmt is None:
                    raise IndexStoreError(f"{location}: cannot load a graph from a {location.suffix or 'suffixless'} "
                                          "file; choose one of: .trig, .nq")
                self.store.load(path=str(location), format=fmt)
            else:
                self.store = ox.Store.read_only(str(location))
        except (OSError, SyntaxError, RuntimeError) as exc:  # RuntimeError: RocksDB finds a damaged store

            hint = repair_hint(location.parent.parent.parent) if location.parent.name == "snapshots" else \
                "rebuild the index: plangraph build corpus"
            raise IndexStoreError(f"cannot open the graph at {location}: {store_problem(exc)}", hint=hint) from None
        named = [g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]
        self.graphs = frozenset(g.value for g in named if g.value != REGISTRY_GRAPH)
        self._visible = None if len(named) == len(self.graphs) else [g for g in named if g.value in self.graphs]
        self._prefixes = _prefixes()
        self._guard = _Guard(allowed_graphs=self.graphs, prefixes=self._prefixes)

    def _run(self, text: str, params: Mapping[str, object] | None) -> Any:
        checked = self._guard(text)
        text = bind_params(checked.text, params)
        kwargs: dict[str, Any] = {"prefixes": self._prefixes}
        if checked.has_dataset:  # the query's own dataset (graphs of this store: the guard checked)
            kwargs["default_graph"] = [ox.NamedNode(g) for g in checked.from_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in checked.from_named]
        elif self._visible is not None:
            kwargs["default_graph"] = kwargs["named_graphs"] = self._visible
        else:
            kwargs["use_default_graph_as_union"] = True
        try:
            return self.store.query(text, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def rows(self, text: str, params: Mapping[str, object] | None, page: Page = (0, None)) -> PagedRows:
        """The result's columns, the rows of ``page`` and the number of rows in all.

        Rows outside the page are counted but never turned into Python values, so a
        first page of a big result costs its evaluation, not its conversion and transfer.
        """
        result = self._run(text, params)
        try:
            if isinstance(result, ox.QueryBoolean):
                return ("ask",), [(bool(result),)], 1
            if isinstance(result, ox.QuerySolutions):
                columns = tuple(v.value for v in result.variables)
                return (columns, *_window(result, page, lambda s: tuple(_plain_ox(s[c]) for c in columns)))
            return (("subject", "predicate", "object"),
                    *_window(result, page, lambda t: (_plain_ox(t.subject), _plain_ox(t.predicate),
                                                      _plain_ox(t.object))))
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def serialize(self, text: str, media_type: str) -> tuple[bytes, str]:
        """The result as the SPARQL protocol sends it: (body, content type)."""
        result = self._run(text, None)
        try:
            if isinstance(result, ox.QueryTriples):
                rdf = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
                return result.serialize(format=rdf) or b"", rdf.media_type
            fmt = ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.JSON
            return result.serialize(format=fmt) or b"", fmt.media_type
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None


def _window(items: Any, page: Page, convert: Any) -> tuple[list[Any], int]:
    """The converted items of ``page`` and the number of items in all."""
    offset, limit = page
    end = None if limit is None else offset + limit
    out, total = [], 0
    for item in items:
        if total >= offset and (end is None or total < end):
            out.append(convert(item))
        total += 1
    return out, total


def paged(rows: Rows, page: Page) -> PagedRows:
    """A page of rows already converted, with the number of rows in all."""
    columns, items = rows
    offset, limit = page
    return columns, items[offset:None if limit is None else offset + limit], len(items)


def _plain_ox(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return plain_literal(term.value, term.datatype.value)
    return str(term)  # a quoted triple


class RdflibEngine:
    """Queries over an rdflib Dataset parsed from a graph file (network paths closed)."""

    def __init__(self, location: Path) -> None:
        from rdflib import Dataset

        harden_rdflib()
        self.ds = Dataset(default_union=True)
        try:
            self.ds.parse(str(location), format=_FILE_FORMATS.get(location.suffix, "trig"))
        except FileNotFoundError:
            raise IndexStoreError(f"missing graph file {location}", hint="rebuild the index: plangraph build corpus") from None
        except Exception as exc:
            raise IndexStoreError(f"{location} is corrupt ({exc})", hint="rebuild the index: plangraph build corpus") from None
        self.graphs = frozenset(str(g.identifier) for g in self.ds.graphs())
        self._prefixes = _prefixes()
        self._guard = _Guard(allowed_graphs=self.graphs, prefixes=self._prefixes)

    def rows(self, text: str, params: Mapping[str, object] | None, page: Page = (0, None)) -> PagedRows:
        return paged(self._rows(text, params), page)

    def _rows(self, text: str, params: Mapping[str, object] | None) -> Rows:
        text = bind_params(self._guard(text).text, params)
        try:
            # rdflib parses, translates and evaluates by recursion: give it the guard's stack
            return run_deep(self._evaluate, text, pause_gc=False)
        except QueryError:
            raise
        except RecursionError:
            raise QueryError("the query nests too deeply for rdflib to evaluate",
                             hint="nest fewer groups or parentheses, or query the index's store") from None
        except Exception as exc:  # rdflib raises many types for evaluation errors
            raise QueryError(f"query failed: {exc}") from None

    def _evaluate(self, text: str) -> Rows:
        result = self.ds.query(text, initNs=self._prefixes)
        if result.type == "ASK":
            return ("ask",), [(bool(result.askAnswer),)]
        if result.type == "SELECT":
            columns = tuple(str(v) for v in result.vars or ())
            return columns, [tuple(_plain_rdflib(v) for v in row) for row in result]  # type: ignore[union-attr]
        return ("subject", "predicate", "object"), [tuple(_plain_rdflib(t) for t in triple)
                                                    for triple in result.graph or ()]


def _plain_rdflib(node: Any) -> Any:
    from rdflib import BNode, Literal

    if node is None:
        return None
    if isinstance(node, Literal):
        return plain_literal(str(node), str(node.datatype) if node.datatype else None)
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


class RemoteEngine:
    """Queries sent to a SPARQL 1.1 Protocol endpoint (POST, ``application/sparql-query``).

    FROM / FROM NAMED may only name plangraph's own graphs (those ``plangraph push``
    writes); the guard refuses the rest before anything is sent. Requests go through
    :func:`plangraph.graph.httpclient.exchange`: a reply is read up to
    ``max_reply_bytes``, the exchange may take ``deadline_s`` (the query runner's own
    limit, which kills the worker, usually comes first), redirects stay on the origin.
    """

    def __init__(self, url: str, *, deadline_s: float = DEADLINE_S, max_reply_bytes: int = MAX_REPLY_BYTES) -> None:
        self.url, self.deadline_s, self.max_reply_bytes = url, deadline_s, max_reply_bytes
        self._prefixes = _prefixes()
        self._guard = _Guard(allowed_prefixes=(str(GRAPH),), prefixes=self._prefixes)

    def _checked(self, text: str, params: Mapping[str, object] | None) -> tuple[str, CheckedQuery]:
        checked = self._guard(text)
        text = bind_params(checked.text, params)
        declared = "".join(f"PREFIX {k}: <{v}>\n" for k, v in self._prefixes.items())
        return declared + text, checked  # a remote server does not know plangraph's prefixes

    def rows(self, text: str, params: Mapping[str, object] | None, page: Page = (0, None)) -> PagedRows:
        return paged(self._rows(text, params), page)

    def _rows(self, text: str, params: Mapping[str, object] | None) -> Rows:
        text, checked = self._checked(text, params)
        if checked.form in ("CONSTRUCT", "DESCRIBE"):
            body = self._post(text, "application/n-triples")
            try:
                return ("subject", "predicate", "object"), [
                    (_plain_ox(t.subject), _plain_ox(t.predicate), _plain_ox(t.object))
                    for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            except (SyntaxError, ValueError) as exc:
                raise QueryError(f"the reply from {self.url} could not be read: "
                                 f"it is not N-Triples ({exc})") from None
        body = self._post(text, "application/sparql-results+json")
        try:
            data = json.loads(body)
        except RecursionError:
            raise QueryError(f"the reply from {self.url} could not be read: its JSON is nested too deeply "
                             "(deeper than Python's limit of nested calls); a SPARQL JSON result "
                             "is four levels deep",
                             hint="check that the URL is a SPARQL endpoint") from None
        except ValueError as exc:
            raise QueryError(f"the reply from {self.url} could not be read: it is not JSON ({exc})",
                             hint="check that the URL is a SPARQL endpoint") from None
        try:
            if "boolean" in data:
                return ("ask",), [(bool(data["boolean"]),)]
            columns = tuple(data["head"]["vars"])
            return columns, [tuple(_plain_json(b.get(c)) for c in columns) for b in data["results"]["bindings"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise QueryError(f"{self.url} answered with results that are not SPARQL JSON ({exc})") from None

    def _post(self, text: str, accept: str) -> bytes:
        reply = exchange("POST", self.url, body=text.encode("utf-8"), deadline_s=self.deadline_s,
                         max_bytes=self.max_reply_bytes,
                         headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept})
        if reply.status >= 400:
            raise QueryError(f"{self.url} answered {reply.status} {reply.reason}: {reply.detail()}")
        if reply.status >= 300:
            raise QueryError(f"{self.url} answered {reply.status} {reply.reason} without a usable Location")
        return reply.body


def _plain_json(binding: dict[str, str] | None) -> Any:
    if binding is None:
        return None
    if binding.get("type") == "bnode":
        return f"_:{binding['value']}"
    if binding.get("type") == "uri":
        return binding["value"]
    return plain_literal(binding["value"], binding.get("datatype"))


if TYPE_CHECKING:  # mypy checks that each built-in engine satisfies the protocol
    _ENGINES: tuple[type[SparqlEngine], ...] = (OxigraphEngine, RdflibEngine, RemoteEngine)
