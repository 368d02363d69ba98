"""Run a read-only SPARQL query on the graph store (pyoxigraph), with the checks and
the result table of :mod:`plangraph.graph.sparql`.

The default graph is the union of every graph: the plan graphs, the ontology graph and
the registry (one ``<urn:plangraph:plan:ID> <urn:plangraph:record> "JSON"`` triple per
plan). Naming the plan and ontology graphs instead (``default_graph=[…]``) would leave
the registry out but made the named queries 3-4x slower on four plans, and slower still
with more graphs. Values come back as plain Python values, as from the rdflib runner.
Parameters are bound the way rdflib's ``initBindings`` binds them: a ``VALUES`` block
at the start of the outermost group, so a ``FILTER (!BOUND(?plan) || …)`` sees them.
The limit is checked between result rows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from plangraph.errors import QueryError, UsageError
from plangraph.graph.sparql import QueryResult, check_query
from plangraph.graph.store import GraphStore
from plangraph.graph.storeview import StoreView
from plangraph.graph.vocab import PREFIXES

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + n for n in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_PREFIXES = {k: str(v) for k, v in PREFIXES.items()}
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def plain(term: Any) -> Any:
    """A plain Python value for a pyoxigraph term: IRIs as str, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGERS:
                return int(term.value)
            if dt == _XSD + "decimal":
                return Decimal(term.value)
            if dt in (_XSD + "double", _XSD + "float"):
                return float(term.value)
            if dt == _XSD + "boolean":
                return term.value in ("true", "1")
        except (ValueError, InvalidOperation):
            pass  # an ill-typed literal keeps its lexical form
        return term.value
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)


def bind_params(query: str, params: Mapping[str, str] | None) -> str:
    """``query`` with ``params`` bound as string literals in its outermost group."""
    values = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    if not values:
        return query
    names = " ".join(f"?{ox.Variable(k).value}" for k in values)
    row = " ".join(str(ox.Literal(str(v))) for v in values.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    m = _WHERE.search(query)
    at = m.end() if m else query.find("{") + 1
    if at <= 0:
        raise QueryError("malformed query: no group pattern { … } to bind parameters in")
    return query[:at] + block + query[at:]


def run_store_query(store: GraphStore, query: str, timeout_s: float = 10.0,
                    params: Mapping[str, str] | None = None) -> QueryResult:
    """Run a read-only query over the store's plan and ontology graphs.

    Raises:
        QueryError: the query is malformed, not allowed, or ran out of time.
    """
    check_query(query, StoreView(store))  # type: ignore[arg-type]  # reads .graphs() only
    if timeout_s <= 0:
        raise UsageError(f"timeout must be positive, not {timeout_s}")
    t0 = time.perf_counter()
    end = time.monotonic() + timeout_s
    try:
        result = store.store.query(bind_params(query, params), prefixes=_PREFIXES, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            columns: tuple[str, ...] = ("ask",)
            rows: list[tuple[Any, ...]] = [(bool(result),)]
        elif isinstance(result, ox.QuerySolutions):
            columns = tuple(v.value for v in result.variables)
            rows = []
            for solution in result:
                if time.monotonic() > end:
                    raise QueryError(f"query ran longer than {timeout_s:g} s and was stopped",
                                     hint="narrow it with a LIMIT or more specific patterns")
                rows.append(tuple(plain(solution[c]) for c in columns))
        else:
            columns = ("subject", "predicate", "object")
            rows = [(plain(t.subject), plain(t.predicate), plain(t.object)) for t in result]
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from None
    return QueryResult(columns, tuple(rows), time.perf_counter() - t0)
