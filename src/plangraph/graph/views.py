"""Named queries answered from each plan's stored rows ("views").

A query of the library whose every row comes from one plan's graph and the ontology
(an indicator and its values, a commitment and its quantity) has as its answer the
union of per-plan answers. Such a query says so in its header, one line per
parameter, naming how the parameter narrows the rows and which variables it reads::

    # view: name contains ?indicator        CONTAINS(STR(?indicator), ?name)
    # view: group equals ?key ?groupLabel   ?group = STR(?key) || ?group = STR(?groupLabel)
    # view: plans listed ?plan              ?plan is one of the comma-separated ?plans

When a plan is built, :func:`plan_views` runs each such query with no parameter on
that plan's graph alone (plus the ontology), projecting the variables its ``view``
lines read as well, and the rows are written with the plan's shard. A reader sorts
every plan's rows by the query's ``ORDER BY`` once (:func:`ordered`) and answers by
narrowing them (:func:`answer`), without the joins: at 500 plans Oxigraph spends
100–150 µs a row on these joins (≈ 250 ms for the 924 rows of one indicator name
across plans), the filter over the stored rows a few milliseconds
(``benchmarks/bench_named_queries.py``). The SPARQL text stays the definition:
``tests/test_views.py`` checks that both give the same rows in the same order, and
the endpoint and remote stores run the text. Queries over nodes that plans share
(places, bodies, cited documents) have no view: one plan's rows could miss what
another plan states about them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from plangraph.errors import QueryError
from plangraph.graph.engines import _plain_ox, _prefixes
from plangraph.graph.sparql import NamedQuery, named_queries

OPS = ("contains", "equals", "listed")
"""How a parameter narrows rows: the value is in a cell (``CONTAINS``), equals a cell,
or lists a cell among its comma-separated items (spaces removed)."""

_VIEW_LINE = re.compile(r"^(\w+)\s+(\w+)\s+((?:\?\w+\s*)+)$")
_SELECT = re.compile(r"^SELECT\s+((?:\?\w+\s*)+)$", re.MULTILINE)
_ORDER = re.compile(r"^ORDER BY\s+((?:\?\w+\s*)+)$", re.MULTILINE)


@dataclass(frozen=True)
class ViewFilter:
    param: str
    op: str
    variables: tuple[str, ...]


@dataclass(frozen=True)
class ViewSpec:
    """How a named query is answered from per-plan rows."""

    name: str
    columns: tuple[str, ...]
    """The query's projection, in order."""
    stored: tuple[str, ...]
    """The columns of a stored row: the projection, then the variables only filters read."""
    filters: tuple[ViewFilter, ...]
    order: tuple[str, ...]
    """The ``ORDER BY`` variables (every column, so that the order is total)."""
    text: str
    """The query that makes a plan's rows: no ORDER BY, every stored column projected."""


def _spec(nq: NamedQuery) -> ViewSpec | None:
    if not nq.views:
        return None
    filters = []
    for line in nq.views:
        m = _VIEW_LINE.match(line)
        if m is None or m.group(2) not in OPS:
            raise QueryError(f"{nq.name}.rq: cannot read '# view: {line}'; write '# view: PARAM OP ?var…' "
                             f"with OP one of: {', '.join(OPS)}")
        filters.append(ViewFilter(m.group(1), m.group(2), tuple(v[1:] for v in m.group(3).split())))
    select, order = _SELECT.search(nq.text), _ORDER.search(nq.text)
    if select is None or order is None:
        raise QueryError(f"{nq.name}.rq: a view needs one 'SELECT ?a ?b …' line and one 'ORDER BY ?a ?b …' line")
    columns = tuple(v[1:] for v in select.group(1).split())
    hidden = tuple(dict.fromkeys(v for f in filters for v in f.variables if v not in columns))
    missing = {p for p, _ in nq.params} - {f.param for f in filters}
    if missing:
        raise QueryError(f"{nq.name}.rq: parameter(s) {', '.join(sorted(missing))} have no '# view:' line")
    stored = columns + hidden
    text = nq.text[: select.start(1)] + " ".join("?" + c for c in stored) + "\n" + nq.text[select.end(1):]
    text = _ORDER.sub("", text)
    return ViewSpec(nq.name, columns, stored, tuple(filters), tuple(v[1:] for v in order.group(1).split()), text)


@lru_cache(maxsize=1)
def view_specs() -> dict[str, ViewSpec]:
    """The named queries that are answered from per-plan rows, by name."""
    return {name: spec for name, nq in named_queries().items() if (spec := _spec(nq)) is not None}


# -- build time ----------------------------------------------------------------------

def encode_cell(value: Any) -> Any:
    """A cell as JSON keeps it: a Decimal (xsd:decimal) as ``{"decimal": "12.5"}``."""
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def decode_cell(value: Any) -> Any:
    return Decimal(value["decimal"]) if isinstance(value, dict) else value


def plan_views(ntriples: bytes, ontology: bytes, names: Sequence[str] | None = None) -> dict[str, list[list[Any]]]:
    """Every view query's rows (or those of ``names``) over one plan's graph (N-Triples)
    and the ontology, each row in its spec's ``stored`` order, cells as :func:`encode_cell`
    writes them."""
    store = ox.Store()
    store.bulk_load(ontology, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:plangraph:view:ontology"))
    store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:plangraph:view:plan"))
    out: dict[str, list[list[Any]]] = {}
    for name, spec in view_specs().items():
        if names is not None and name not in names:
            continue
        solutions = store.query(spec.text, prefixes=_prefixes(), use_default_graph_as_union=True)
        out[name] = [[encode_cell(_plain_ox(s[c])) for c in spec.stored] for s in solutions]  # type: ignore[union-attr]
    return out


def _stamp(spec: ViewSpec) -> str:
    return hashlib.sha256(spec.text.encode()).hexdigest()[:16]


def views_digest() -> str:
    """One hash of every view query's stamp and columns: a plan's rows made with these
    texts are current, and an index that records this digest holds no stale rows
    (:mod:`plangraph.workspace.freshviews`)."""
    parts = sorted(f"{name}\t{_stamp(spec)}\t{','.join(spec.stored)}" for name, spec in view_specs().items())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def stamped(views: Mapping[str, list[list[Any]]]) -> dict[str, dict[str, Any]]:
    """Rows as a plan's ``views.json`` holds them: with the columns and a hash of the
    query that made them, so that rows of an older query text are never used."""
    specs = view_specs()
    return {name: {"columns": list(specs[name].stored), "query": _stamp(specs[name]), "rows": rows}
            for name, rows in views.items()}


def stale(views: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The view queries whose rows a plan's ``views.json`` content lacks or holds from
    another query text (another stamp or other columns): those a build makes again."""
    entries = views if isinstance(views, Mapping) else {}
    return tuple(name for name, spec in view_specs().items()
                 if not isinstance(entry := entries.get(name), dict) or entry.get("query") != _stamp(spec)
                 or entry.get("columns") != list(spec.stored) or not isinstance(entry.get("rows"), list))


def stored_rows(spec: ViewSpec, views: Mapping[str, Any] | None) -> list[tuple[Any, ...]] | None:
    """A plan's rows of ``spec`` from its ``views.json`` content, cells decoded; None
    when the file has none made by this query text (then the query runs as SPARQL).

    Raises:
        ValueError: rows stamped with this query that are not rows of it (a damaged file).
    """
    entry = (views or {}).get(spec.name)
    if not isinstance(entry, dict) or entry.get("query") != _stamp(spec) or entry.get("columns") != list(spec.stored):
        return None
    rows = entry.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == len(spec.stored) for r in rows):
        raise ValueError(f"the rows of {spec.name} are not lists of {len(spec.stored)} cells")
    try:
        return [tuple(decode_cell(c) for c in row) for row in rows]
    except (KeyError, TypeError, ArithmeticError) as exc:  # decimal.InvalidOperation is an ArithmeticError
        raise ValueError(f"a cell of {spec.name} is not a value ({exc!r})") from None


# -- read time -----------------------------------------------------------------------

def _keep(f: ViewFilter, value: str, positions: Sequence[int]) -> Callable[[Sequence[Any]], bool]:
    """A test of a stored row for one parameter, as the query's FILTER tests it."""
    if len(positions) == 1:  # the common case, without a generator per row: half the time over 14,000 rows
        i = positions[0]
        if f.op == "contains":
            return lambda row: isinstance(row[i], str) and value in row[i]
        if f.op == "equals":
            return lambda row: row[i] == value
    if len(positions) == 2 and f.op == "equals":  # a key or a label (concept, theme, group)
        i, j = positions
        return lambda row: row[i] == value or row[j] == value
    if f.op == "contains":
        return lambda row: any(isinstance(row[i], str) and value in row[i] for i in positions)
    if f.op == "equals":
        return lambda row: any(row[i] == value for i in positions)
    items = set(value.replace(" ", "").split(","))
    return lambda row: any(row[i] in items for i in positions)


def _sort_key(value: Any) -> tuple[int, Any]:
    """SPARQL's order of the values these queries hold: unbound first, then numbers
    by value, then text by code point (what Oxigraph's ORDER BY does)."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value))


def ordered(spec: ViewSpec, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows sorted by the query's ``ORDER BY``, once, so that every answer (a subsequence)
    is in order without sorting again."""
    order = [spec.stored.index(v) for v in spec.order]
    return sorted(rows, key=lambda row: [_sort_key(row[i]) for i in order])


def answer(spec: ViewSpec, rows: Sequence[Sequence[Any]], params: Mapping[str, str] | None,
           page: tuple[int, int | None] = (0, None)) -> tuple[tuple[str, ...], list[tuple[Any, ...]], int]:
    """The query's columns, the rows of ``page`` (offset, limit) and the number of rows
    in all, from every plan's stored rows, decoded and :func:`ordered`.

    An empty or absent parameter leaves rows as they are, as it leaves the query's
    variable unbound (:func:`plangraph.graph.bindings.bind_params`).
    """
    index = {c: i for i, c in enumerate(spec.stored)}
    given = {k: str(v) for k, v in (params or {}).items() if v not in (None, "")}
    tests = [_keep(f, given[f.param], [index[v] for v in f.variables]) for f in spec.filters if f.param in given]
    kept: Sequence[Sequence[Any]] = rows
    if len(tests) == 1:  # one parameter, without a generator per row: half the time (commitment-themes, 92,766 rows)
        keep = tests[0]
        kept = [row for row in rows if keep(row)]
    elif tests:
        kept = [row for row in rows if all(t(row) for t in tests)]
    offset, limit = page
    width = len(spec.columns)
    chosen = kept[offset:None if limit is None else offset + limit]
    return spec.columns, [tuple(row[:width]) for row in chosen], len(kept)
