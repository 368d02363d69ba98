"""Entities of the graph as rows (for csv, xlsx, json) or as an RDF graph (for jsonld,
ttl). Rows are read from the built dataset, so that their ``iri`` is the graph's; the
files are written by :mod:`plangraph.interfaces.writers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from plangraph.errors import UsageError
from plangraph.graph.iris import plan_iri
from plangraph.graph.vocab import OA, PG, PREFIXES, SDMX_DIMENSION, SDMX_MEASURE, BoundNamespaces

KINDS: tuple[str, ...] = ("indicators", "programmes", "projects", "commitments", "organizations")
FORMATS: tuple[str, ...] = ("csv", "xlsx", "json", "jsonld", "ttl")
_CLASSES = {
    "indicators": PG.Indicator,
    "programmes": PG.Programme,
    "projects": PG.Project,
    "commitments": PG.Commitment,
    "organizations": PG.Organization,
}


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UsageError(f"unknown export kind {kind!r}; choose one of: {', '.join(KINDS)}")


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


Plans = str | Sequence[str] | None
"""A plan selection: one plan id, several, or None for every plan."""


def plan_set(plan: Plans) -> frozenset[str] | None:
    """The plan ids a selection names (None: every plan)."""
    if plan is None:
        return None
    return frozenset([plan] if isinstance(plan, str) else plan)


def _py(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, Literal):
        v = node.toPython()
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else float(v)
        if isinstance(v, int | float | str | bool) and not isinstance(v, Literal):
            return v
        return str(node)
    return str(node)


def _year(node: Node | None) -> int | None:
    return int(str(node)) if node is not None else None


class _Reader:
    def __init__(self, ds: Dataset) -> None:
        self.g = ds

    def v(self, s: Node, p: URIRef) -> Any:
        return _py(self.g.value(s, p))

    def plan(self, s: Node) -> str | None:
        p = self.g.value(s, PG.plan)
        return None if p is None else self.v(p, DCTERMS.identifier)

    def evidence(self, s: Node) -> tuple[str | None, int | None, int | None]:
        """(quote, start, end) of the earliest evidence of ``s``."""
        best: tuple[str | None, int | None, int | None] = (None, None, None)
        for ev in self.g.objects(s, PG.evidence):
            start = end = quote = None
            for sel in self.g.objects(ev, OA.hasSelector):
                if (sel, RDF.type, OA.TextPositionSelector) in self.g:
                    start, end = self.v(sel, OA.start), self.v(sel, OA.end)
                else:
                    quote = self.v(sel, OA.exact)
            if start is not None and (best[1] is None or start < best[1]):
                best = (quote, start, end)
        return best

    def table(self, s: Node) -> str | None:
        t = self.g.value(s, PG.table)
        return None if t is None else self.v(t, RDFS.label)

    def quantities(self, s: Node) -> list[dict[str, Any]]:
        out = []
        for q in self.g.objects(s, PG.hasQuantity):
            quote, start, _ = self.evidence(q)
            out.append({
                "comparator": self.v(q, PG.comparator), "value": self.v(q, PG.numericValue),
                "upper": self.v(q, PG.upperValue), "unit": self.v(q, PG.unit),
                "qualifier": self.v(q, PG.qualifier), "quote": quote, "start": start,
            })
        return sorted(out, key=lambda d: d["start"] or 0)


def _indicator(r: _Reader, s: Node) -> dict[str, Any]:
    values = []
    for obs in r.g.subjects(PG.indicator, s):
        values.append({
            "year": _year(r.g.value(obs, SDMX_DIMENSION.refPeriod)), "role": r.v(obs, PG.valueRole),
            "comparator": r.v(obs, PG.comparator), "value": r.v(obs, SDMX_MEASURE.obsValue),
            "text": r.v(obs, PG.valueText), "note": r.v(obs, PG.note),
            "start": r.evidence(obs)[1],
        })
    values.sort(key=lambda d: (d["year"], d["start"] or 0))
    target = _year(r.g.value(s, PG.targetYear))
    comparators = [v["comparator"] for v in values if v["year"] == target]
    quote, start, end = r.evidence(s)
    return {
        "iri": str(s), "plan": r.plan(s), "category": r.v(s, PG.category),
        "name": r.v(s, RDFS.label), "unit": r.v(s, PG.unit),
        "comparator": "".join(comparators) or None,
        "values": [{k: v for k, v in d.items() if k != "start"} for d in values],
        "target_year": target, "binding": r.v(s, PG.binding),
        "quote": quote, "start": start, "end": end,
    }


def _programme(r: _Reader, s: Node) -> dict[str, Any]:
    quote, start, end = r.evidence(s)
    return {
        "iri": str(s), "plan": r.plan(s), "table": r.table(s), "seq": r.v(s, PG.sequence),
        "name": r.v(s, RDFS.label), "content": r.v(s, PG.content),
        "quantities": r.quantities(s), "quote": quote, "start": start, "end": end,
    }


def _project(r: _Reader, s: Node) -> dict[str, Any]:
    quote, start, end = r.evidence(s)
    loc = r.g.value(s, PG.location)
    return {
        "iri": str(s), "plan": r.plan(s), "table": r.table(s), "seq": r.v(s, PG.sequence),
        "name": r.v(s, RDFS.label), "scale": r.v(s, PG.scale),
        "classes": r.v(s, PG.classCount), "school_type": r.v(s, PG.schoolType),
        "location": None if loc is None else r.v(loc, RDFS.label),
        "start_year": _year(r.g.value(s, PG.startYear)), "end_year": _year(r.g.value(s, PG.endYear)),
        "investment_wan": r.v(s, PG.investmentWan),
        "quote": quote, "start": start, "end": end,
    }


def _labels(r: _Reader, nodes: list[Node], prop: URIRef) -> list[str]:
    out = []
    for n in nodes:
        zh = [o for o in r.g.objects(n, prop) if getattr(o, "language", None) in ("zh", None)]
        out.append(str(zh[0]) if zh else str(n))
    return sorted(set(out))


def _commitment(r: _Reader, s: Node) -> dict[str, Any]:
    quote, start, end = r.evidence(s)
    sec = r.g.value(s, PG.section)
    return {
        "iri": str(s), "plan": r.plan(s),
        "section": None if sec is None else r.v(sec, RDFS.label),
        "statement": r.v(s, PG.statement),
        "themes": _labels(r, list(r.g.objects(s, DCTERMS.subject)), SKOS.prefLabel),
        "target_groups": _labels(r, list(r.g.objects(s, PG.targetGroup)), SKOS.prefLabel),
        "quantities": r.quantities(s),
        "deadlines": sorted(_year(y) for y in r.g.objects(s, PG.deadline)),
        "bodies": _labels(r, list(r.g.objects(s, PG.involves)), SKOS.prefLabel),
        "places": _labels(r, list(r.g.objects(s, PG.mentionsPlace)), RDFS.label),
        "passage": _py(r.g.value(s, PROV.wasDerivedFrom)),
        "quote": quote, "start": start, "end": end,
    }


def _organization(r: _Reader, s: Node) -> dict[str, Any]:
    quote, start, end = r.evidence(s)
    plans = sorted(_py(r.g.value(p, DCTERMS.identifier)) for p in r.g.objects(s, PG.plan))
    return {
        "iri": str(s), "plan": ", ".join(plans), "name": r.v(s, SKOS.prefLabel),
        "aliases": sorted({str(a) for a in r.g.objects(s, SKOS.altLabel)}),
        "region": r.v(s, PG.region), "mentions": len(set(r.g.objects(s, PG.evidence))),
        "responsible_for": len(set(r.g.subjects(PG.involves, s))),
        "quote": quote, "start": start, "end": end,
    }


_ROWS: dict[str, Callable[[_Reader, Node], dict[str, Any]]] = {
    "indicators": _indicator,
    "programmes": _programme,
    "projects": _project,
    "commitments": _commitment,
    "organizations": _organization,
}


def export_rows(ds: Dataset, kind: str, plan: Plans = None) -> list[dict[str, Any]]:
    """The entities of one kind as plain rows, in plan and text order; with ``plan``,
    those of that plan or of any of those plans."""
    check_kind(kind)
    r = _Reader(ds)
    wanted = plan_set(plan)
    cls = _CLASSES[kind]
    if wanted is None:
        subjects = set(r.g.subjects(RDF.type, cls))
    else:  # only the nodes of those plans are read (a store may hold hundreds of plans)
        subjects = {s for p in wanted for s in r.g.subjects(PG.plan, plan_iri(p)) if (s, RDF.type, cls) in r.g}
    rows = [_ROWS[kind](r, s) for s in subjects]
    if wanted is not None:
        rows = [row for row in rows if wanted.intersection(str(row["plan"]).split(", "))]
    return sorted(rows, key=lambda d: (str(d["plan"]), d["start"] or 0, d["iri"]))


def evidence(ds: Dataset, iris: Iterable[str]) -> dict[str, tuple[str | None, int | None, int | None]]:
    """(quote, start, end) of each node's earliest evidence, as :func:`export_rows` gives
    them: what a caller that needs a few rows' quotes reads instead of every row of
    their plans."""
    r = _Reader(ds)
    return {iri: r.evidence(URIRef(iri)) for iri in iris}


def export_graph(ds: Dataset, kind: str, plan: Plans = None) -> Graph:
    """The triples about the entities of one kind: each entity, its values and
    quantities, and its evidence with their selectors."""
    check_kind(kind)
    out = Graph()
    out.namespace_manager = BoundNamespaces(out)  # linear TriG/Turtle for a big plan
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    todo = [row["iri"] for row in export_rows(ds, kind, plan)]
    seen: set[str] = set()
    follow = (PG.evidence, PG.hasQuantity, OA.hasSelector)
    while todo:
        iri = todo.pop()
        if iri in seen:
            continue
        seen.add(iri)
        node = URIRef(iri)
        for p, o in ds.predicate_objects(node):
            out.add((node, p, o))
            if p in follow:
                todo.append(str(o))
        if kind == "indicators" and (node, RDF.type, PG.Indicator) in ds:
            todo.extend(str(s) for s in ds.subjects(PG.indicator, node))
    return out


def write_dataset(ds: Dataset, path: str | Path) -> Path:
    """Write the whole dataset (ontology graph and plan graphs) as TriG."""
    path = Path(path)
    ds.serialize(path, format="trig", encoding="utf-8")
    return path
