"""Ties of one plan's indicators to the indicator scheme, with the reviewers' decisions.

The matcher (:mod:`plangraph.graph.matcher`) proposes; staff decide in the review file
(``indicator-ties.tsv`` beside the corpus, :mod:`plangraph.workspace.reviews`). A
decision names the row by plan, indicator label and category and says:

* ``confirmed``: the tie to the concept stands, whatever the matcher says later;
* ``rejected``: no tie to that concept (with no concept: no tie at all);
* ``manual``: tied by hand to the concept given;
* ``auto``: no decision; the matcher's proposal of the day is taken.

:func:`plan_ties` turns a plan's rows and the decisions for it into
:class:`ConceptTie` values; :func:`write_ties` puts them in the plan's graph:
``?indicator pg:measures ?concept`` for every tie that is not rejected, and a
``pg:ConceptTie`` node with the concept, score, reason and status for every row
(``unmapped`` rows carry their best suggestions in the reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rdflib import RDF, XSD, Graph, Literal, URIRef

from plangraph.extract.facets import TableRowName, parents, parts_of
from plangraph.graph.matcher import Match, match
from plangraph.graph.vocab import PG, PGC

STATUSES: tuple[str, ...] = ("auto", "confirmed", "rejected", "manual")
"""What a review file row may say; ties read back from the graph may also be ``unmapped``."""


@dataclass(frozen=True)
class Decision:
    """A reviewer's word on one indicator of one plan."""

    plan: str
    indicator: str
    category: str
    concept: str
    status: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r}; choose one of: {', '.join(STATUSES)}")
        if self.status in ("confirmed", "manual") and not self.concept:
            raise ValueError(f"status {self.status} needs a concept key")

    @property
    def row_key(self) -> tuple[str, str, str]:
        return (self.plan, self.indicator, self.category)


@dataclass(frozen=True)
class ConceptTie:
    """One indicator of one plan and the concept it measures (``concept`` None: unmapped).

    ``status``: auto, confirmed, rejected, manual, or unmapped; ``why`` the matched
    label and agreeing facets (or the reviewer's note); ``suggestions`` the matcher's
    best candidates as ``(key, score)``.
    """

    plan: str
    indicator: str
    category: str
    concept: str | None
    status: str
    score: float
    why: str
    suggestions: tuple[tuple[str, float], ...] = ()
    iri: str | None = None
    unit: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in (*STATUSES, "unmapped"):
            raise ValueError(f"tie status {self.status!r}; choose one of: {', '.join(STATUSES)}, unmapped")

    @property
    def row_key(self) -> tuple[str, str, str]:
        return (self.plan, self.indicator, self.category)

    @property
    def measures(self) -> str | None:
        """The concept the indicator measures: none for a rejected or unmapped row."""
        return self.concept if self.status in ("auto", "confirmed", "manual") else None


@dataclass(frozen=True)
class IndicatorRow:
    """What the graph stage knows of one indicator row, in table order."""

    iri: str
    table: str
    name: str
    label: str
    sublabel: str | None
    category: str | None
    unit: str | None
    table_title: str | None = None


def _decide(plan: str, row: IndicatorRow, m: Match, decision: Decision | None) -> ConceptTie:
    tie = ConceptTie(plan, row.label, row.category or "", None, "unmapped", 0.0, "",
                     tuple((c.key, c.score) for c in m.candidates), row.iri, row.unit)
    if decision is not None and decision.status in ("confirmed", "manual"):
        same = m.concept == decision.concept
        return replace(tie, concept=decision.concept, status=decision.status, score=m.score if same else 1.0,
                       why=decision.note or (m.why if same else f"{decision.status} by a reviewer"),
                       note=decision.note)
    if decision is not None and decision.status == "rejected" and decision.concept in ("", m.concept):
        return replace(tie, concept=decision.concept or m.concept, status="rejected", score=m.score,
                       why=decision.note or "rejected by a reviewer", note=decision.note)
    if m.concept is None:
        return tie
    return replace(tie, concept=m.concept, status="auto", score=m.score, why=m.why)


def plan_ties(plan: str, rows: Sequence[IndicatorRow],
              decisions: Mapping[tuple[str, str, str], Decision] | None = None) -> list[ConceptTie]:
    """Tie each row of one plan (rows in table order, so that a sub-row finds the row
    above it), the reviewers' decisions overriding the matcher."""
    names = [TableRowName(r.name, r.table) for r in rows]
    ups = parents(names)
    out = []
    for row, up, below in zip(rows, ups, parts_of(names, ups)):
        m = match(row.name, parent=up, sublabel=row.sublabel, category=row.category, unit=row.unit,
                  table=row.table_title, parts=below)
        d = (decisions or {}).get((plan, row.label, row.category or ""))
        out.append(_decide(plan, row, m, d))
    return out


def write_ties(g: Graph, ties: Sequence[ConceptTie]) -> int:
    """Put the ties into one plan's graph; returns how many ``pg:measures`` it made."""
    made = 0
    for t in ties:
        if t.iri is None:
            continue
        ind = URIRef(t.iri)
        node = URIRef(f"{t.iri}/tie")
        g.add((ind, PG.conceptTie, node))
        g.add((node, RDF.type, PG.ConceptTie))
        g.add((node, PG.tieStatus, Literal(t.status)))
        g.add((node, PG.tieScore, Literal(f"{t.score:.4f}", datatype=XSD.decimal)))
        why = t.why if t.concept else "; ".join(f"{k} {s:.2f}" for k, s in t.suggestions)
        if why:
            g.add((node, PG.tieReason, Literal(why)))
        if t.concept:
            g.add((node, PG.tieConcept, PGC[t.concept]))
        if t.measures:
            g.add((ind, PG.measures, PGC[t.measures]))
            made += 1
    return made
