"""SPARQL over the plan graph: read-only, time-limited, never reaching the network.

:func:`run_query` takes the graph as a place: an on-disk pyoxigraph store folder, the
index's ``graph.trig`` (evaluated by rdflib), or the URL of a SPARQL 1.1 endpoint.
Every query is checked on its parse tree (:mod:`plangraph.graph.guard`: no update,
no SERVICE, no FROM outside the graph's own graphs) and runs in a worker process that
is killed at the deadline (:mod:`plangraph.graph.runner`), so the limit bounds parse
and evaluation alike. The union of the plan graphs is the default graph. Named
queries live in ``plangraph/data/*.rq`` with a comment header::

    # name: projects-by-place
    # description: Construction projects per place, with investment totals.
    # param: plan — plan id (dcterms:identifier); optional
"""

from __future__ import annotations

import atexit
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangraph.errors import IndexStoreError, QueryError, UsageError
from plangraph.graph.runner import DEFAULT_TIMEOUT_S, QueryRunner
from plangraph.resources import data_files

KEEP_RUNNERS = 4
"""Graphs kept open by warm workers at once (an index rebuilt is a new graph)."""


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library, with what it answers and the parameters it takes."""

    name: str
    description: str
    params: tuple[tuple[str, str], ...]
    text: str
    description_zh: str = ""
    """The description in Chinese (``# description_zh:``), for the app."""
    params_zh: tuple[tuple[str, str], ...] = ()
    """Chinese descriptions of the parameters (``# param_zh: NAME — …``)."""
    views: tuple[str, ...] = ()
    """How each parameter narrows the rows stored per plan (``# view: PARAM OP ?var…``,
    read by :mod:`plangraph.graph.views`)."""


DEFAULT_PAGE = 1000
"""Rows a named query returns unless asked for another page or for all (``limit=0``)."""


@dataclass(frozen=True)
class QueryResult:
    """A result table: column names and rows of plain Python values.

    ``rows`` may be one page of the result: ``total`` says how many rows the whole
    result has and ``offset`` where the page starts (see :attr:`is_partial`).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    seconds: float
    total: int | None = None
    """Rows in the whole result; None means ``len(rows)``."""
    offset: int = 0

    @property
    def total_rows(self) -> int:
        return len(self.rows) if self.total is None else self.total

    @property
    def is_partial(self) -> bool:
        """Whether rows of the result are missing from this page."""
        return len(self.rows) < self.total_rows

    def page_note(self) -> str:
        """What the page shows, e.g. ``showing rows 1–1,000 of 14,322``; empty when it is the whole result."""
        if not self.is_partial:
            return ""
        if not self.rows:
            return f"no rows from row {self.offset + 1:,}: the result has {self.total_rows:,}"
        return f"showing rows {self.offset + 1:,}–{self.offset + len(self.rows):,} of {self.total_rows:,}"

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def _parse_header(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    params_zh: list[tuple[str, str]] = []
    views: list[str] = []
    for line in text.splitlines():
        m = re.match(r"#\s*(name|description_zh|description|param_zh|param|view):\s*(.*)$", line.strip())
        if not m:
            if line.strip() and not line.lstrip().startswith("#"):
                break
            continue
        if m.group(1) == "view":
            views.append(m.group(2).strip())
        elif m.group(1) in ("param", "param_zh"):
            pname, _, pdesc = m.group(2).partition("—")
            (params if m.group(1) == "param" else params_zh).append((pname.strip(), pdesc.strip()))
        else:
            fields[m.group(1)] = m.group(2).strip()
    if fields.get("name") != name or not fields.get("description"):
        raise QueryError(f"named query file {name}.rq needs '# name: {name}' and a description")
    return NamedQuery(name, fields["description"], tuple(params), text, fields.get("description_zh", ""),
                      tuple(params_zh), tuple(views))


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


def graph_kind(store: str | os.PathLike[str]) -> tuple[str, str]:
    """How to open ``store``: (``store``/``rdflib``/``remote``, location).

    Raises:
        IndexStoreError: it is neither a store folder, a TriG/N-Quads file nor an http(s) URL.
    """
    text = os.fspath(store)
    if text.startswith(("http://", "https://")):
        return "remote", text
    path = Path(text)
    if path.is_dir():
        return "store", str(path.resolve())
    if path.is_file() and path.suffix in (".trig", ".nq"):
        return "rdflib", str(path.resolve())
    raise IndexStoreError(f"no graph at {text}: give a graph store folder, a .trig or .nq file, "
                          "or an http(s) SPARQL endpoint URL")


_runners: OrderedDict[tuple[Any, ...], QueryRunner] = OrderedDict()
_runners_lock = threading.Lock()


def runner_for(store: str | os.PathLike[str]) -> QueryRunner:
    """The warm :class:`~plangraph.graph.runner.QueryRunner` of a graph, shared by every
    caller in this process; a file or folder replaced on disk gets a new one."""
    kind, location = graph_kind(store)
    stamp: tuple[int, int] | None = None
    if kind != "remote":
        st = os.stat(location)
        stamp = (st.st_ino, st.st_mtime_ns)
    key = (kind, location, stamp)
    with _runners_lock:
        runner = _runners.get(key)
        if runner is None:
            runner = _runners[key] = QueryRunner(kind, location)
        _runners.move_to_end(key)
        while len(_runners) > KEEP_RUNNERS:
            _runners.popitem(last=False)[1].close()
    return runner


def release_runners(store: str | os.PathLike[str]) -> int:
    """Stop the warm workers of a graph this process no longer reads (the snapshot of an
    index that was published again), so that they hold none of its files open; how many
    runners were stopped. A later query on it starts new ones."""
    location = os.path.realpath(os.fspath(store))
    with _runners_lock:
        gone = [key for key in _runners if key[1] == location]
        for key in gone:
            _runners.pop(key).close()
    return len(gone)


@atexit.register
def close_runners() -> None:
    """Stop every warm worker of this process."""
    with _runners_lock:
        while _runners:
            _runners.popitem()[1].close()


def run_query(
    store: str | os.PathLike[str],
    query: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    params: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> QueryResult:
    """Run a read-only query over all plan graphs of ``store`` and return a table.

    Args:
        store: a pyoxigraph store folder, a ``graph.trig`` (or ``.nq``) file, or the
            URL of a SPARQL 1.1 endpoint.
        query: SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE text (``pg:``, ``dcterms:`` …
            are declared).
        timeout_s: limit in seconds on the whole of parsing and evaluation.
        params: values for variables (``{"plan": "linan"}``), bound as string literals
            (:mod:`plangraph.graph.bindings`); empty values leave a variable unbound.
        limit: return at most this many rows (None or 0: every row), starting at row
            ``offset``; the result's ``total`` still counts every row.

    Raises:
        QueryError: the query is malformed or not allowed; QueryTimeoutError when it
            ran out of time.
        IndexStoreError: there is no graph at ``store``.
    """
    t0 = time.perf_counter()
    columns, rows, total = runner_for(store).run_page(query, offset=offset, limit=limit or None,
                                                      timeout_s=timeout_s, params=params)
    return QueryResult(tuple(columns), tuple(tuple(r) for r in rows), time.perf_counter() - t0, total, offset)


def checked_named(name: str, params: Mapping[str, str] | None) -> NamedQuery:
    """The named query ``name``; a UsageError for a name or a parameter it does not have."""
    nq = get_named_query(name)
    allowed = {p for p, _ in nq.params}
    for key in params or {}:
        if key not in allowed:
            raise UsageError(
                f"query {name!r} takes no parameter {key!r}; "
                f"choose one of: {', '.join(sorted(allowed)) or '(none)'}"
            )
    return nq


def run_named(
    store: str | os.PathLike[str], name: str, params: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S, *, limit: int | None = None, offset: int = 0,
) -> QueryResult:
    """Run a query of the library by name; unknown parameters are a UsageError.

    Without a parameter some named queries return a row for every indicator value of
    every plan, so they answer with :data:`DEFAULT_PAGE` rows (``limit`` None) unless
    given another ``limit`` (0: every row) or ``offset``; the result says how many
    rows there are in all (:meth:`QueryResult.page_note`).
    """
    nq = checked_named(name, params)
    return run_query(store, nq.text, timeout_s, params, limit=DEFAULT_PAGE if limit is None else limit,
                     offset=offset)
