"""Named queries by name over ``plangraph endpoint``: ``/named`` and ``/named/NAME``.

A SPARQL client sends a query's text to ``/query``; the endpoint must then run it on the
store, joins and all (``concept-across-plans`` at 500 plans: hundreds of milliseconds).
``GET /named/NAME?PARAM=VALUE`` (or a form ``POST``) answers a query of the library as
:meth:`plangraph.workspace.Workspace.sparql` answers ``name=``: from the rows each plan
stored for it where it has them (:mod:`plangraph.graph.views`), else its text bound to the
parameters and run by the endpoint's own query workers. The same page (the first
:data:`~plangraph.graph.sparql.DEFAULT_PAGE` rows unless ``limit=``/``offset=``; ``limit=0``
is every row), the same rows; ``X-Total-Rows`` says how many the whole result has.
``GET /named`` lists the queries and their parameters as JSON.

Results come as SPARQL JSON, XML, CSV or TSV (``Accept`` or ``format=``). A row holds the
plain values :class:`~plangraph.graph.sparql.QueryResult` holds, written back as RDF
terms: numbers and booleans typed (``xsd:integer``, ``xsd:decimal``, ``xsd:double``,
``xsd:boolean``), the index's own IRIs (under :data:`plangraph.graph.vocab.BASE`) as IRIs,
any other text as a plain literal (a language tag or a ``xsd:gYear`` is not kept).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import pyoxigraph as ox

from plangraph.errors import UsageError
from plangraph.graph.querytext import check_bindable
from plangraph.graph.sparql import DEFAULT_PAGE, NamedQuery, QueryResult, checked_named, named_queries
from plangraph.graph.views import view_specs
from plangraph.graph.vocab import BASE

if TYPE_CHECKING:
    from plangraph.graph.runner import QueryRunner
    from plangraph.workspace import Workspace

PREFIX = "/named/"
RESERVED = ("format", "limit", "offset")
"""Fields of a request by name that are no query parameter."""
MAX_VALUE_CHARS = 1000
"""The longest parameter value: a plan id, a concept key, a part of an indicator's name."""
_NUMBER = re.compile(r"[0-9]{1,9}")
_XSD = "http://www.w3.org/2001/XMLSchema#"
JSON = "application/sparql-results+json"
RESULT_FORMATS = {JSON: None, "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                  "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
"""The media types of a SELECT result, with the pyoxigraph format that writes each but JSON."""


def find(name: str) -> NamedQuery | None:
    """The named query ``name`` (as the URL path gives it), or None."""
    return named_queries().get(name)


def unknown(name: str) -> str:
    """The 404 message for a name the library does not have."""
    shown = name if len(name) <= 80 else name[:79] + "…"
    return f"no named query {shown!r}; choose one of: {', '.join(sorted(named_queries()))} (GET /named lists them)"


def request_fields(nq: NamedQuery, fields: Mapping[str, list[str]]) -> tuple[dict[str, str], int | None, int]:
    """The query's parameters, ``limit`` (None: the first page) and ``offset`` of a request.

    Raises:
        UsageError: a field the query does not take, a field given twice, a value over
            :data:`MAX_VALUE_CHARS`, a limit or offset that is not a number.
        QueryError: a value the query text may not carry (a control character, an escape).
    """
    params: dict[str, str] = {}
    for key, values in fields.items():
        if len(values) != 1:
            raise UsageError(f"give {key!r} once, not {len(values)} times")
        value = values[0]
        if len(value) > MAX_VALUE_CHARS:
            raise UsageError(f"parameter {key!r} is {len(value):,} characters long; at most {MAX_VALUE_CHARS:,}")
        if key not in RESERVED:
            check_bindable(value, key)
            params[key] = value
    checked_named(nq.name, params)  # names the parameters it takes
    numbers = []
    for key in ("limit", "offset"):
        text = fields.get(key, [""])[0].strip()
        if text and not _NUMBER.fullmatch(text):
            raise UsageError(f"{key} must be a whole number of rows (0 or more), not {text[:40]!r}")
        numbers.append(int(text) if text else None)
    return params, numbers[0], numbers[1] or 0


def answer_by_name(nq: NamedQuery, params: dict[str, str], limit: int | None, offset: int, *,
                   workspace: Workspace | None, runner: QueryRunner) -> QueryResult:
    """The query's page: from the plans' stored rows where ``workspace`` has them, else
    its text on ``runner`` (the endpoint's workers, within their time limit)."""
    if workspace is not None and nq.name in view_specs():
        stored = workspace.stored_answer(nq.name, params, limit=limit, offset=offset)
        if stored is not None:
            return stored
    page = DEFAULT_PAGE if limit is None else limit or None
    columns, rows, total = runner.run_page(nq.text, params=params, offset=offset, limit=page)
    return QueryResult(tuple(columns), tuple(tuple(r) for r in rows), 0.0, total, offset)


def _term(value: object) -> dict[str, str]:
    if isinstance(value, bool):
        return {"type": "literal", "value": "true" if value else "false", "datatype": _XSD + "boolean"}
    if isinstance(value, int):
        return {"type": "literal", "value": str(value), "datatype": _XSD + "integer"}
    if isinstance(value, Decimal):
        return {"type": "literal", "value": str(value), "datatype": _XSD + "decimal"}
    if isinstance(value, float):
        return {"type": "literal", "value": repr(value), "datatype": _XSD + "double"}
    text = str(value)
    if text.startswith(BASE):
        return {"type": "uri", "value": text}
    return {"type": "literal", "value": text}


def serialize(result: QueryResult, media: str) -> tuple[bytes, str]:
    """``result`` as SPARQL results in ``media`` (one of :data:`RESULT_FORMATS`): (body, content type)."""
    bindings = [{c: _term(v) for c, v in zip(result.columns, row) if v is not None} for row in result.rows]
    body = json.dumps({"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()
    fmt = RESULT_FORMATS[media]
    if fmt is None:
        return body, JSON
    written = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
    assert written is not None  # bytes when no output file is given
    return written, media


def catalogue() -> bytes:
    """``GET /named``: every named query, its description and parameters, and whether it is
    answered from stored rows, as JSON."""
    views = view_specs()
    return json.dumps({"queries": [
        {"name": nq.name, "url": PREFIX + nq.name, "description": nq.description,
         "description_zh": nq.description_zh, "params": [{"name": p, "description": d} for p, d in nq.params],
         "stored_rows": nq.name in views} for nq in sorted(named_queries().values(), key=lambda q: q.name)],
        "reserved": list(RESERVED), "page": DEFAULT_PAGE}, ensure_ascii=False, indent=1).encode()
