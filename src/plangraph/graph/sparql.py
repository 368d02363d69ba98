"""SPARQL over the plan graph: read-only, time-limited, never reaching the network.

User queries are parsed first: updates (INSERT, DELETE, LOAD, CLEAR …) are refused,
as are SERVICE clauses and FROM/FROM NAMED graphs that are not in the dataset (rdflib
would fetch them over HTTP). Evaluation runs under a deadline. Named queries live in
``plangraph/data/*.rq`` with a comment header::

    # name: projects-by-place
    # description: Construction projects per place, with investment totals.
    # param: plan — plan id (dcterms:identifier); optional
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from types import FrameType
from typing import Any

from rdflib import Dataset, Literal
from rdflib.term import Node

from plangraph.errors import QueryError, UsageError
from plangraph.resources import data_files
from plangraph.graph.vocab import PREFIXES

DEFAULT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library, with what it answers and the parameters it takes."""

    name: str
    description: str
    params: tuple[tuple[str, str], ...]
    text: str


@dataclass(frozen=True)
class QueryResult:
    """A result table: column names and rows of plain Python values."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    seconds: float

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def _parse_header(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = re.match(r"#\s*(name|description|param):\s*(.*)$", line.strip())
        if not m:
            if line.strip() and not line.lstrip().startswith("#"):
                break
            continue
        if m.group(1) == "param":
            pname, _, pdesc = m.group(2).partition("—")
            params.append((pname.strip(), pdesc.strip()))
        else:
            fields[m.group(1)] = m.group(2).strip()
    if fields.get("name") != name or not fields.get("description"):
        raise QueryError(f"named query file {name}.rq needs '# name: {name}' and a description")
    return NamedQuery(name, fields["description"], tuple(params), text)


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """The library of named queries, by name."""
    out = {}
    for file_name, text in data_files(".rq"):
        name = file_name[: -len(".rq")]
        out[name] = _parse_header(name, text)
    return out


def get_named_query(name: str) -> NamedQuery:
    """The named query ``name``, or a UsageError listing the names there are."""
    queries = named_queries()
    if name not in queries:
        raise UsageError(f"unknown query {name!r}; choose one of: {', '.join(queries)}")
    return queries[name]


_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_COMMENTS = re.compile(r"#[^\n]*")
_IRIS = re.compile(r"<[^<>\s]*>")
_UPDATE = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE
)


def _code_only(query: str) -> str:
    """The query without string literals, IRIs and comments (for keyword checks)."""
    out = _STRINGS.sub('""', query)
    out = _IRIS.sub("<>", out)
    out = _COMMENTS.sub("", out)
    out = re.sub(r"[?$]\w+", "?v", out)  # variables may be called ?add or ?move
    return re.sub(r"[\w-]*:[\w-]*", "p:n", out)  # so may prefixed names


def check_query(query: str, ds: Dataset) -> None:
    """Refuse anything but a local read-only query.

    Raises:
        QueryError: naming what is not allowed.
    """
    code = _code_only(query)
    m = _UPDATE.search(code)
    if m:
        raise QueryError(
            f"{m.group(1).upper()} is not allowed: queries are read-only "
            "(SELECT, ASK, CONSTRUCT or DESCRIBE)"
        )
    if re.search(r"\bSERVICE\b", code, re.IGNORECASE):
        raise QueryError("SERVICE is not allowed: queries may not reach the network")
    local = {str(g.identifier) for g in ds.graphs()}
    for m in re.finditer(r"\bFROM\s+(?:NAMED\s+)?<([^>]*)>", _COMMENTS.sub("", query), re.I):
        if m.group(1) not in local:
            raise QueryError(
                f"FROM <{m.group(1)}> is not a graph of this index; "
                "queries may not load remote graphs"
            )


class _Deadline(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt Python-level evaluation after ``seconds``.

    A trace function checks the clock on every call; it works in any thread (the
    Streamlit app runs queries outside the main thread, where signals cannot go).
    """
    end = time.monotonic() + seconds
    counter = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        nonlocal counter
        if event == "call":
            counter += 1
            if counter % 64 == 0 and time.monotonic() > end:
                raise _Deadline()
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(old)


def _plain(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, Decimal | int | float | bool | str) and not isinstance(value, Literal):
            return value
        return str(node)
    return str(node)


def run_query(
    ds: Dataset,
    query: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    params: Mapping[str, str] | None = None,
) -> QueryResult:
    """Run a read-only query over all graphs of ``ds`` and return a table.

    Args:
        ds: the plan dataset (queries see the union of its graphs).
        query: SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE text.
        timeout_s: evaluation time limit in seconds.
        params: values for variables (``{"plan": "linan-…"}``), bound as literals.

    Raises:
        QueryError: the query is malformed, not allowed, or ran out of time.
    """
    from rdflib.plugins.sparql import prepareQuery

    check_query(query, ds)
    if timeout_s <= 0:
        raise UsageError(f"timeout must be positive, not {timeout_s}")
    try:
        prepared = prepareQuery(query, initNs=PREFIXES)
    except Exception as exc:  # pyparsing raises several types
        raise QueryError(f"malformed query: {exc}") from exc
    bindings = {k: Literal(v) for k, v in (params or {}).items() if v not in (None, "")}
    t0 = time.perf_counter()
    try:
        with _deadline(timeout_s):
            result = ds.query(prepared, initBindings=bindings)
            if result.type == "ASK":
                columns: tuple[str, ...] = ("ask",)
                rows: list[tuple[Any, ...]] = [(bool(result.askAnswer),)]
            elif result.type == "SELECT":
                columns = tuple(str(v) for v in result.vars or ())
                rows = [tuple(_plain(v) for v in row) for row in result]  # type: ignore[union-attr]
            else:
                columns = ("subject", "predicate", "object")
                rows = [tuple(_plain(t) for t in triple) for triple in result.graph or ()]
    except _Deadline:
        raise QueryError(
            f"query ran longer than {timeout_s:g} s and was stopped",
            hint="narrow it with a LIMIT or more specific patterns",
        ) from None
    except QueryError:
        raise
    except Exception as exc:
        raise QueryError(f"query failed: {exc}") from exc
    return QueryResult(columns, tuple(rows), time.perf_counter() - t0)


def run_named(
    ds: Dataset, name: str, params: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> QueryResult:
    """Run a query of the library by name; unknown parameters are a UsageError."""
    nq = get_named_query(name)
    allowed = {p for p, _ in nq.params}
    for key in params or {}:
        if key not in allowed:
            raise UsageError(
                f"query {name!r} takes no parameter {key!r}; "
                f"choose one of: {', '.join(sorted(allowed)) or '(none)'}"
            )
    return run_query(ds, nq.text, timeout_s, params)
