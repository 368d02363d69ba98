"""The indicator ties of an index, for :class:`~plangraph.workspace.Workspace`: read
them from the graph, write them to a review file, apply a reviewed file or one
decision (which rebuilds only the plans it touches)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from plangraph.errors import UsageError
from plangraph.graph.iris import plan_graph_iri
from plangraph.graph.scheme import concept as scheme_concept
from plangraph.graph.ties import ConceptTie, Decision
from plangraph.workspace.builder import add
from plangraph.workspace.reviews import Decisions, merge_decisions, read_decisions, review_path, write_review

if TYPE_CHECKING:
    from plangraph.workspace.builder import BuildSummary
    from plangraph.workspace.core import Workspace

_HEAD = """
PREFIX pg: <https://w3id.org/plangraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?plan ?iri ?label ?category ?unit ?status ?score ?reason ?concept ?start WHERE {"""
_TIE = """
    ?iri a pg:Indicator ; rdfs:label ?label ; pg:plan ?p ; pg:conceptTie ?t .
    ?p dcterms:identifier ?plan .
    ?t pg:tieStatus ?status ; pg:tieScore ?score .
    OPTIONAL { ?iri pg:category ?category }
    OPTIONAL { ?iri pg:unit ?unit }
    OPTIONAL { ?t pg:tieReason ?reason }
    OPTIONAL { ?iri pg:evidence/oa:hasSelector/oa:start ?start }"""

_TIES = _HEAD + _TIE + """
  OPTIONAL { ?t pg:tieConcept ?c . ?c skos:notation ?concept }
}
"""

# One plan's ties, read in the plan's own graph ($graph: its IRI); the concept's notation
# is in the shared scheme graph. Over the union of 500 plans' graphs the query above took
# 26 s for one plan (a comparison asks it for both plans and every national plan), in the
# plan's graph 0.09 s, the same rows.
_PLAN_TIES = _HEAD + """
  GRAPH $graph {""" + _TIE + """
  }
  OPTIONAL { GRAPH $graph { ?t pg:tieConcept ?c } ?c skos:notation ?concept }
}
"""


def _suggestions(text: str) -> tuple[tuple[str, float], ...]:
    out = []
    for part in text.split(";"):
        key, _, score = part.strip().rpartition(" ")
        try:
            out.append((key, float(score)))
        except ValueError:
            continue
    return tuple(out)


def concept_ties(ws: Workspace, plan: str | None = None) -> list[ConceptTie]:
    """Every indicator's tie (or its being unmapped), of one plan or all, in plan and
    table order."""
    ws.check_plan(plan)
    if plan:
        query, params = _PLAN_TIES.replace("$graph", plan_graph_iri(plan).n3()), {"plan": plan}
    else:
        query, params = _TIES, None
    rows = ws.sparql(query, params=params, timeout_s=60).as_dicts()
    order = {p: i for i, p in enumerate(ws.plan_ids)}
    rows = [{**r, "plan": r.get("plan") or plan} for r in rows]
    rows.sort(key=lambda r: (order.get(r["plan"], len(order)), int(r["start"] or 0), r["iri"]))
    out, seen = [], set()
    for r in rows:
        if r["iri"] in seen:
            continue
        seen.add(r["iri"])
        status, reason = str(r["status"]), str(r["reason"] or "")
        unmapped = status == "unmapped"
        out.append(ConceptTie(str(r["plan"]), str(r["label"]), str(r["category"] or ""),
                              None if unmapped else (str(r["concept"]) if r["concept"] else None), status,
                              float(r["score"]), "" if unmapped else reason,
                              _suggestions(reason) if unmapped else (), str(r["iri"]),
                              str(r["unit"]) if r["unit"] else None))
    return out


def _plan_files(ws: Workspace, plans: Sequence[str]) -> dict[str, Path]:
    out = {}
    for p in plans:
        rec = ws.manifest["plans"].get(p, {})
        path = rec.get("path") or rec.get("file")
        if not path:
            raise UsageError(f"plan {p!r} has no file recorded in the index; rebuild it")
        out[p] = Path(path)
    return out


def _rebuild(ws: Workspace, plans: Sequence[str]) -> BuildSummary | None:
    files = _plan_files(ws, plans)
    return add(list(files.values()), ws.path, progress=False) if files else None


def write_review_file(ws: Workspace, path: str | Path, plan: str | None = None) -> Path:
    """Write the index's ties to a review file, keeping the decisions it already holds."""
    return write_review(path, concept_ties(ws, plan))


def apply_review_file(ws: Workspace, path: str | Path) -> tuple[Decisions, BuildSummary | None]:
    """Apply a reviewed file: its decisions go into the review file beside each plan's
    file (unless it is that file) and the plans it has decisions on are rebuilt.

    Raises:
        InputError: the file is unreadable or names an unknown status or concept.
    """
    decisions = read_decisions(path)
    plans = sorted({d.plan for d in decisions.values()} & set(ws.plan_ids))
    for p, file in _plan_files(ws, plans).items():
        beside = review_path(file)
        if beside.resolve() != Path(path).resolve():
            merge_decisions(beside, {k: d for k, d in decisions.items() if d.plan == p})
    return decisions, _rebuild(ws, plans)


def review_tie(ws: Workspace, plan: str, indicator: str, category: str, status: str,
               concept: str = "", note: str = "") -> BuildSummary | None:
    """Record one reviewer's decision in the review file beside the plan and rebuild
    that plan; returns the build summary.

    Raises:
        UsageError: no such plan or indicator, an unknown status or concept.
    """
    ws.check_plan(plan)
    if concept:
        scheme_concept(concept)
    if not any(t.indicator == indicator and t.category == category for t in concept_ties(ws, plan)):
        raise UsageError(f"plan {plan!r} has no indicator {indicator!r} under category {category!r}",
                         hint="plangraph concepts --plan PLAN lists its indicators")
    try:
        d = Decision(plan, indicator, category, concept, status, note)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    merge_decisions(review_path(_plan_files(ws, [plan])[plan]), {d.row_key: d})
    return _rebuild(ws, [plan])
