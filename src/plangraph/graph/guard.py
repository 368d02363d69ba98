"""Decide on a *parsed* SPARQL query whether it may run: read-only, local, no SERVICE.

The text is parsed with rdflib's SPARQL 1.1 grammar (``parseQuery``, then
``translateQuery``, which resolves PREFIX and BASE), and the decision is made on the
parse tree, never on the text: a comment that contains ``SERVICE``, a variable called
``?load`` or an IRI ``<http://x/insert>`` are fine; ``FROM<x>`` without a space, a
prefixed or BASE-relative FROM, ``SERVICE`` in any case and nested in EXISTS,
OPTIONAL, MINUS or a subquery are all seen. Text rdflib cannot parse is refused.

A decision on rdflib's reading protects only if the engine reads the text the same
way, and rdflib and Oxigraph split some texts differently (where a comment ends,
where codepoint escapes are expanded, what a tab is). So the guard first makes the
text canonical (:mod:`plangraph.graph.querytext`), decides on that, and returns it in
:class:`CheckedQuery`; the engines run only that text (#22).

Both engines plangraph runs queries on have their own network paths: pyoxigraph
sends SERVICE requests and fetches LOAD with no switch to turn that off, and rdflib
fetches FROM and LOAD unless ``SPARQL_LOAD_GRAPHS`` is False and calls ``urlopen``
for SERVICE. :func:`harden_rdflib` closes rdflib's; the guard closes both.
"""

from __future__ import annotations

import gc
import re
import sys
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from plangraph.errors import QueryError
from plangraph.graph.querytext import canonical_query

T = TypeVar("T")
FIRST_RECURSION = 1_500
"""Python calls the guard's parser may nest at first (enough for 1,000 UNIONs, and cheap to reach)."""
DEEP_RECURSION = 20_000
"""Python calls the guard's parser may nest on a second try (rdflib recurses per nested group and per UNION)."""
_SERVICE_WORD = re.compile(r"service", re.IGNORECASE)
DEEP_STACK_BYTES = 512 * 2**20
"""The stack of the thread that parses (reserved, not used, until a query nests that deep)."""
_DEEP_LOCK = threading.Lock()

MAX_QUERY_CHARS = 1_000_000
"""Longer text is refused before parsing (the endpoint's body limit is the same)."""

_UPDATE_NAMES = {
    "Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD",
    "Move": "MOVE", "Copy": "COPY", "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE", "Modify": "DELETE/INSERT",
}
_READ_ONLY = "queries are read-only (SELECT, ASK, CONSTRUCT or DESCRIBE)"
_NO_SERVICE = "SERVICE is not allowed: queries may not reach the network"
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class CheckedQuery:
    """What the guard learned from a query it let through.

    Attributes:
        text: the text the guard judged (:func:`~plangraph.graph.querytext.canonical_query`),
            the only text an engine may run.
        form: SELECT, ASK, CONSTRUCT or DESCRIBE.
        from_graphs: the graphs of its FROM clauses (its default graph), in order.
        from_named: the graphs of its FROM NAMED clauses.
    """

    text: str
    form: str
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its own dataset (then it replaces the union of all graphs)."""
        return bool(self.from_graphs or self.from_named)


def check_query(text: str, *, allowed_graphs: Collection[str] = (), allowed_prefixes: tuple[str, ...] = (),
                prefixes: Mapping[str, str] | None = None) -> CheckedQuery:
    """Refuse anything but a local, read-only SPARQL query.

    Args:
        text: the query as the user wrote it; the engine must run the returned ``text``.
        allowed_graphs: graph IRIs that FROM / FROM NAMED may name (the store's own graphs).
        allowed_prefixes: graph IRIs starting with one of these are allowed too (for a
            remote store, whose graphs are not known here).
        prefixes: prefixes the engine declares for every query (``pg:`` …).

    Raises:
        QueryError: the query is malformed, an update, uses SERVICE, or names a graph
            outside what is allowed; the message says which.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    text = canonical_query(text)
    try:
        query = run_deep(_parse, text, dict(prefixes or {}), recursion_limit=FIRST_RECURSION)
    except RecursionError:
        # rdflib recurses without end on a SERVICE inside a SERVICE (each one searches the
        # whole text again): such a text is refused at the first, cheaper limit
        if _SERVICE_WORD.search(text):
            raise _too_deep(FIRST_RECURSION) from None
        try:
            query = run_deep(_parse, text, dict(prefixes or {}))
        except RecursionError:
            raise _too_deep(DEEP_RECURSION) from None
    default: list[str] = []
    named: list[str] = []
    for clause in query.algebra.get("datasetClause") or ():
        is_named = "named" in clause
        iri = str(clause["named"] if is_named else clause["default"])
        if iri not in allowed_graphs and not iri.startswith(allowed_prefixes):
            keyword = "FROM NAMED" if is_named else "FROM"
            raise QueryError(
                f"{keyword} <{iri}> is not a graph of this store; queries may not load remote graphs",
                hint="leave out FROM to query all plan graphs, or use GRAPH <plan-graph> { … }",
            )
        (named if is_named else default).append(iri)
    return CheckedQuery(text, _FORMS.get(query.algebra.name, query.algebra.name), tuple(default), tuple(named))


def _parse(text: str, prefixes: dict[str, str]) -> Any:
    """rdflib's parse and algebra of a canonical query text; SERVICE anywhere is refused."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        _refuse_update(text)
        raise QueryError(f"malformed SPARQL at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    except RecursionError:
        raise
    except Exception as exc:  # rdflib raises bare exceptions for some bad input
        raise QueryError(f"malformed SPARQL: {exc}") from None
    if _contains(parsed, "ServiceGraphPattern"):
        raise QueryError(_NO_SERVICE)
    try:
        query = translateQuery(parsed, initNs=prefixes)
    except RecursionError:
        raise
    except Exception as exc:
        raise QueryError(f"malformed SPARQL: {exc}") from None
    if _contains(query.algebra, "ServiceGraphPattern"):  # the algebra too, in case a rewrite moved it
        raise QueryError(_NO_SERVICE)
    return query


def _too_deep(limit: int) -> QueryError:
    return QueryError(
        f"the query nests too deeply for the guard's parser: it reached Python's limit of {limit:,} nested "
        "calls (a level of { } costs about 27, of parentheses about 37, each UNION of a flat chain 1)",
        hint="nest fewer groups or parentheses, or split the query")


def run_deep(function: Callable[..., T], *args: Any, recursion_limit: int = DEEP_RECURSION, pause_gc: bool = True,
             **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a thread with a big stack and a high recursion limit.

    rdflib's parser and algebra recurse once per nested group and per UNION of a
    chain, so Python's default limit of 1,000 calls refuses a query of 1,000
    UNIONs. The limit is raised only while this thread runs (it is process-wide):
    plangraph checks queries in a worker process that does nothing else meanwhile.
    With ``pause_gc`` no cyclic garbage collection runs meanwhile (see below); an
    rdflib evaluation, which makes no pyoxigraph objects and may run long, turns it off.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def call() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, recursion_limit))
        try:
            result.append(function(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(exc)
        finally:
            sys.setrecursionlimit(old)

    with _DEEP_LOCK:
        # no cyclic collection meanwhile: it would free the caller's pyoxigraph results on
        # this thread, which pyoxigraph refuses (its objects are bound to their thread)
        collecting = pause_gc and gc.isenabled()
        if collecting:
            gc.disable()
        old_size = threading.stack_size(DEEP_STACK_BYTES)
        try:
            thread = threading.Thread(target=call, name="plangraph-guard")
            thread.start()
            thread.join()
        finally:
            threading.stack_size(old_size)
            if collecting:
                gc.enable()
    if error:
        raise error[0]
    return result[0]


def _refuse_update(text: str) -> None:
    """Raise a clear 'read-only' error if ``text`` parses as a SPARQL update."""
    from rdflib.plugins.sparql.parser import parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        update = parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update either: the caller reports the query's error
        return
    ops = [op for op in update.get("request") or [] if isinstance(op, CompValue)]
    if ops:
        name = _UPDATE_NAMES.get(ops[0].name, ops[0].name.upper())
        raise QueryError(f"{name} is not allowed: {_READ_ONLY}")


def _contains(tree: Any, name: str) -> bool:
    """Whether a CompValue called ``name`` is anywhere in a parse or algebra tree."""
    from rdflib.plugins.sparql.parserutils import CompValue

    return any(isinstance(node, CompValue) and node.name == name for node in _walk(tree))


def _walk(tree: Any) -> Iterator[Any]:
    from pyparsing import ParseResults

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):  # CompValue is an OrderedDict
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple | set | frozenset):
            stack.extend(node)


def harden_rdflib() -> None:
    """Close rdflib's own network paths, for code that evaluates SPARQL with rdflib.

    rdflib 7.6 has a switch for FROM and LOAD (``SPARQL_LOAD_GRAPHS``) but none for
    SERVICE, which it fetches with ``urlopen``; a custom evaluation hook refuses
    SERVICE patterns before that code is reached. Idempotent; process-wide.
    """
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    rdflib_sparql.CUSTOM_EVALS["plangraph-no-service"] = _refuse_service_eval


def _refuse_service_eval(ctx: Any, part: Any) -> Any:
    if part.name == "ServiceGraphPattern":
        raise QueryError(_NO_SERVICE)
    raise NotImplementedError  # rdflib's signal for "evaluate as usual"
