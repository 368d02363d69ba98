"""Bind query parameters by writing them into the query text as literals.

A named query takes parameters (``--param plan=linan``) that must act as if the
variable had that value everywhere, nested groups and FILTERs included: the library's
queries say ``FILTER (!BOUND(?body) || STR(?label) = ?body)`` inside inner groups.
rdflib's ``initBindings`` does that, but pyoxigraph's ``substitutions`` only takes
projected variables and does not reach inside FILTERs, and a trailing ``VALUES``
joins after grouping. So both engines get the same rewritten text (in the spirit of
SPARQL-dev SEP-0007): every ``?name`` token becomes the string literal, except

* in the SELECT list, where ``?name`` becomes ``("value" AS ?name)`` so the column stays;
* bare in GROUP BY / ORDER BY, where it becomes ``STR("value")`` (a literal alone is
  not allowed there, and rdflib cannot group by a bracketed constant);
* ``BOUND(?name)``, which becomes ``true``;
* right after ``AS`` and in a ``VALUES`` header, where it is left as it is.

A small tokenizer keeps strings, IRIs and comments intact, so a ``?name`` inside
``"…"``, ``<…>`` or after ``#`` is never touched. The guard checks the text before
binding: what binding writes (escaped string literals, ``STR``, ``AS``, ``true``)
cannot add a SERVICE, a FROM or an update. Values keep the bound text canonical
(:mod:`plangraph.graph.querytext`): one with a control character or a codepoint
escape, which the engines would read differently, is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from plangraph.errors import UsageError
from plangraph.graph.querytext import check_bindable

_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKENS = re.compile(
    r'''(?P<comment>\#[^\n]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<open>[({])
      | (?P<close>[)}])
      | (?P<space>\s+)
      | (?P<other>.)''',
    re.VERBOSE | re.DOTALL,
)
_ENDS_SOLUTION_CLAUSE = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP"}


def literal(value: object) -> str:
    """``value`` as a SPARQL string literal (what rdflib's ``Literal(value)`` binds)."""
    text = str(value)
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(old, new)
    return f'"{text}"'


def bind_params(query: str, params: Mapping[str, object] | None) -> str:
    """The query with each parameter's variable replaced by its value as a literal.

    Empty values leave their variable unbound, as the named queries expect.

    Raises:
        UsageError: a parameter name is not a SPARQL variable name.
        QueryError: a value holds a character or escape the text may not carry
            (:func:`plangraph.graph.querytext.check_bindable`): the bound text stays canonical.
    """
    values = {k: literal(v) for k, v in (params or {}).items() if v not in (None, "")}
    for name in values:
        if not _VARNAME.match(name):
            raise UsageError(f"parameter name {name!r} is not a SPARQL variable name (letters, digits, _)")
        check_bindable(values[name], name)  # as written into the text: \n, \r and \t are escaped
    if not values:
        return query
    out: list[str] = []
    clause: str | None = None  # "select", "group", "order", "values"
    clause_depth = 0
    depth = 0
    previous = ""  # the last significant token, upper-cased when a word
    significant: list[int] = []  # positions in ``out`` of the tokens that are not space or comment
    drop_close = False
    for match in _TOKENS.finditer(query):
        kind, token = match.lastgroup, match.group()
        if drop_close and kind == "close":  # the ")" of a BOUND(?name) already written as true
            drop_close = False
            previous = "TRUE"
            continue
        if kind == "word":
            upper = token.upper()
            standalone = query[match.start() - 1: match.start()] != ":" and query[match.end(): match.end() + 1] != ":"
            if standalone:
                if upper == "SELECT":
                    clause, clause_depth = "select", depth
                elif upper == "BY" and previous in ("GROUP", "ORDER"):
                    clause, clause_depth = previous.lower(), depth
                elif upper == "VALUES":
                    clause = "values"
                elif upper in ("WHERE", "FROM") and clause == "select":
                    clause = None
                elif upper in _ENDS_SOLUTION_CLAUSE and clause in ("group", "order"):
                    clause = None
                previous = upper
        elif kind == "open":
            if token == "{" and clause in ("select", "group", "order", "values"):
                clause = None
            depth += 1
            previous = token
        elif kind == "close":
            if token == "}" and clause in ("group", "order"):
                clause = None
            depth -= 1
            previous = token
        elif kind == "var" and token[1:] in values and previous != "AS" and clause != "values":
            value = values[token[1:]]
            if previous == "(" and len(significant) >= 2 and out[significant[-2]].upper() == "BOUND":
                del out[significant[-2]:]
                del significant[-2:]
                token, drop_close = "true", True
            elif clause == "select" and depth == clause_depth:
                token = f"({value} AS {token})"
            elif clause in ("group", "order") and depth == clause_depth:
                token = f"STR({value})"
            else:
                token = value
            previous = "?"
        elif kind not in ("space", "comment"):
            previous = token
        if kind not in ("space", "comment"):
            significant.append(len(out))
        out.append(token)
    return "".join(out)
