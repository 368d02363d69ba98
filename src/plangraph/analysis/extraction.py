"""Extraction scored against expected rows: precision and recall per entity kind.

Expected rows are written by hand in a small JSON file per table fixture
(``tests/data/tables/*.json``)::

    {"layout": "what the fixture is an example of",
     "indicators": [{"category": "发展水平", "name": "学前教育毛入园率", "unit": "%",
                     "binding": "预期性", "values": [[2020, "baseline", "=", "98.6"],
                                                    [2025, "target", "≥", "99"]]}],
     "projects": [{"seq": 1, "name": "…", "scale": "…", "location": "…",
                   "start_year": 2021, "end_year": 2022, "investment_wan": "2800"}],
     "programmes": [{"seq": 1, "name": "…", "content": "…"}]}

A row counts as found only when every field is exact (row-exact); a value's fourth
item is its number, or its text when it has none (``通过``). Fields a row leaves out
are expected empty. Names and contents are compared normalised (full-width forms as
half-width) and without whitespace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from plangraph.extract.mentions import Extraction
from plangraph.text import normalize

KINDS = ("indicators", "projects", "programmes")
Row = tuple[object, ...]


@dataclass(frozen=True)
class Score:
    """How the rows of one kind compare: counts, precision, recall."""

    expected: int
    found: int
    exact: int

    @property
    def precision(self) -> float:
        return self.exact / self.found if self.found else (1.0 if not self.expected else 0.0)

    @property
    def recall(self) -> float:
        return self.exact / self.expected if self.expected else (1.0 if not self.found else 0.0)


def _squash(text: object) -> object:
    # full-width and half-width forms (（%） and (%)) are the same text
    return "".join(normalize(str(text)).split()) if text is not None else None


def _number(text: object) -> object:
    """A number as a Decimal (so 0.30 == 0.3), anything else as squashed text."""
    if text is None:
        return None
    try:
        return Decimal(str(text).replace(",", ""))
    except InvalidOperation:
        return _squash(text)


def _indicator(name: object, category: object, sublabel: object, unit: object, binding: object,
               values: list[tuple[object, object, object, object]]) -> Row:
    return (_squash(category), _squash(name), _squash(sublabel), unit, binding,
            tuple((int(str(y)), role, cmp, _number(v)) for y, role, cmp, v in values))


def rows_of(extraction: Extraction) -> dict[str, list[Row]]:
    """The extracted rows of every kind, in the form :func:`expected_rows` gives."""
    return {
        "indicators": [
            _indicator(i.name, i.category, i.sublabel, i.unit, i.binding,
                       [(v.year, v.role, v.comparator, v.number if v.number is not None else v.text)
                        for v in i.values])
            for i in extraction.indicators],
        "projects": [
            (p.seq, _squash(p.name), _squash(p.scale), _squash(p.location), p.start_year, p.end_year,
             _number(p.investment_wan))
            for p in extraction.projects],
        "programmes": [(p.seq, _squash(p.name), _squash(p.content)) for p in extraction.programmes],
    }


def expected_rows(spec: dict[str, Any]) -> dict[str, list[Row]]:
    """The rows a fixture's JSON expects, by kind (kinds it leaves out expect none)."""
    return {
        "indicators": [
            _indicator(r["name"], r.get("category"), r.get("sublabel"), r.get("unit"), r.get("binding"),
                       [tuple(v) for v in r.get("values", [])])  # type: ignore[misc]
            for r in spec.get("indicators", [])],
        "projects": [
            (r.get("seq"), _squash(r["name"]), _squash(r.get("scale")), _squash(r.get("location")),
             r.get("start_year"), r.get("end_year"), _number(r.get("investment_wan")))
            for r in spec.get("projects", [])],
        "programmes": [(r.get("seq"), _squash(r["name"]), _squash(r.get("content")))
                       for r in spec.get("programmes", [])],
    }


def score_rows(expected: dict[str, list[Row]], found: dict[str, list[Row]]) -> dict[str, Score]:
    """Row-exact precision and recall per kind (rows matched as multisets)."""
    out = {}
    for kind in KINDS:
        want, got = Counter(expected.get(kind, [])), Counter(found.get(kind, []))
        out[kind] = Score(sum(want.values()), sum(got.values()), sum((want & got).values()))
    return out


def missing_rows(expected: dict[str, list[Row]], found: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """Expected rows that were not found exactly, per kind (for messages)."""
    return {k: list((Counter(expected.get(k, [])) - Counter(found.get(k, []))).elements()) for k in KINDS}
