"""The one text of a query that the guard judges and every engine runs.

Two SPARQL parsers read a user's query: rdflib's, on which the guard
(:mod:`plangraph.graph.guard`) decides, and the engine's (Oxigraph, or whatever
server ``--endpoint`` names). Where they split the text into tokens differently, a
``SERVICE`` the guard read as part of a comment or a string is a real ``SERVICE`` to
the engine. These splits were found in rdflib 7.6 (with pyparsing 3) and Oxigraph 0.5:

* **line ends**: rdflib ends a ``#`` comment only at LF; Oxigraph also at CR;
* **codepoint escapes**: rdflib expands every ``\\uXXXX`` / ``\\UXXXXXXXX`` in the whole
  text before parsing (SPARQL 1.1 §19.2), Oxigraph only inside strings and IRIs, so
  ``"\\u0022"`` is one quote character to Oxigraph and the end of a string to rdflib;
* **tabs**: pyparsing, under rdflib, replaces every tab with spaces before parsing,
  so a tab inside a string literal is spaces to rdflib and a tab to Oxigraph.

:func:`canonical_query` removes these sources of doubt before either parser sees the
text: line ends become LF, codepoint escapes are expanded once, as the standard says,
tabs become spaces (to the next multiple of 8 columns, as pyparsing does), and a text
in which a parser could still find a line end or an escape of its own is refused
(another escape written by an escape, a control character other than tab and LF,
U+0085, U+2028, U+2029, a lone surrogate). What is left has one reading under both grammars on
these points; ``tests/test_sparql_differential.py`` checks that claim by fuzzing.
"""

from __future__ import annotations

import re

from plangraph.errors import QueryError

_LINE_ENDS = re.compile(r"\r\n?")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ANY_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
"""What rdflib (``\\u`` or ``\\U`` with 4 or 8 hex digits, any case) or Oxigraph would read as an escape."""
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
"""Characters no query needs unescaped, which some parser reads as a line end or space."""


def canonical_query(text: str) -> str:
    """The text both the guard and an engine read: line ends LF, codepoint escapes expanded, no tabs.

    A byte-order mark at the very start is dropped.

    Raises:
        QueryError: the text holds a character or escape that parsers may read
            differently; the message says which and where.
    """
    text = _LINE_ENDS.sub("\n", text.removeprefix("\ufeff"))
    _refuse_forbidden(text, "")
    expanded = _ESCAPE.sub(_expand, text)
    if expanded != text:
        _refuse_forbidden(expanded, " written by a \\u escape")
    left = _ANY_ESCAPE.search(expanded)
    if left:
        raise QueryError(
            f"malformed SPARQL at {_where(expanded, left.start())}: {left.group()} is read differently by "
            "different parsers (\\u takes 4 hex digits, \\U takes 8, and an escape may not write another one)",
            hint="write the character itself instead of an escape")
    return expanded.expandtabs()  # what pyparsing, under rdflib, reads: a tab in a string is spaces to it


def check_bindable(value: str, name: str) -> None:
    """Refuse a parameter value that would make a bound query text not canonical.

    Raises:
        QueryError: the value holds a control character, a line separator or a
            codepoint escape (which the engines would expand differently).
    """
    bad = _FORBIDDEN.search(value) or _ANY_ESCAPE.search(value)
    if bad:
        raise QueryError(f"parameter {name!r}: the value holds {_describe(bad.group())}, "
                         "which a query text may not carry", hint="remove it from the value")


def _expand(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise QueryError(f"malformed SPARQL: {match.group()} is not a Unicode character")
    return chr(code)


def _refuse_forbidden(text: str, origin: str) -> None:
    bad = _FORBIDDEN.search(text)
    if bad:
        raise QueryError(
            f"malformed SPARQL at {_where(text, bad.start())}: {_describe(bad.group())}{origin} is not "
            "allowed in a query (parsers disagree on where it ends a line or a token)",
            hint="inside a string write \\t, \\n or \\r; elsewhere use a space or a new line")


def _describe(found: str) -> str:
    return f"the escape {found}" if found.startswith("\\") else f"the character U+{ord(found):04X}"


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line}, column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"
