"""Browsing the graph: entity tables with facets, one entity with its source text and
its neighbourhood, and the concept filters that search offers.

Everything here reads the built dataset (an rdflib ``Dataset`` whose default graph is
the union of the plan graphs) and returns plain data for the app and the tests.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from plangraph.errors import UsageError
from plangraph.graph.export import export_rows
from plangraph.graph.iris import local_name
from plangraph.graph.vocab import OA, PG, PGC, PREFIXES, SDMX_DIMENSION
from plangraph.resources import ontology_dir

ENTITY_KINDS: tuple[str, ...] = ("indicators", "programmes", "projects", "commitments",
                                 "organizations", "places")
FACETS: tuple[str, ...] = ("plan", "stage", "binding", "place", "year")
SCHEMES: tuple[str, ...] = ("stages", "themes", "target-groups")
# Entity classes as search results name them (EntityRef.kind), per table kind.
KIND_CLASSES: dict[str, str] = {
    "indicators": "Indicator", "programmes": "Programme", "projects": "Project",
    "commitments": "Commitment", "organizations": "Organization", "places": "Place",
    "documents": "CitedDocument",
}
_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicators": ("plan", "category", "name", "unit", "baseline_year", "baseline", "target_year", "target",
                   "binding"),
    "programmes": ("plan", "table", "seq", "name", "content"),
    "projects": ("plan", "table", "seq", "name", "scale", "location", "start_year", "end_year",
                 "investment_wan"),
    "commitments": ("plan", "section", "statement", "themes", "target_groups", "deadlines",
                    "bodies", "places"),
    "organizations": ("plan", "name", "aliases", "region", "mentions", "responsible_for"),
    "places": ("plan", "name", "place_type", "region", "projects"),
}
# Properties not listed on an entity page: they are shown elsewhere on it.
_HIDDEN = {RDF.type, PG.evidence, PROV.wasDerivedFrom, PG.hasQuantity}
_MAX_NEIGHBOURS = 24


@dataclass(frozen=True)
class Concept:
    """A term of a concept scheme (a stage, theme or target group)."""

    key: str
    scheme: str
    zh: str
    en: str


@dataclass(frozen=True)
class EntityRow:
    """One entity as a table row: its display columns and the facet values it has."""

    iri: str
    label: str
    columns: Mapping[str, Any]
    facets: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Edge:
    """A link between the entity shown and a neighbour, for the neighbourhood picture."""

    source: str
    target: str
    predicate: str


@dataclass(frozen=True)
class EntityDetail:
    """What the entity page shows: properties, the source quote in its passage, and
    the graph around the entity (``nodes`` maps an IRI to its kind and label)."""

    iri: str
    kind: str
    label: str
    plan: str | None
    properties: tuple[tuple[str, str], ...]
    quote: str | None
    start: int | None
    end: int | None
    before: str
    after: str
    section: str | None
    nodes: Mapping[str, tuple[str, str]]
    edges: tuple[Edge, ...]


@lru_cache(maxsize=1)
def concepts() -> tuple[Concept, ...]:
    """Every stage, theme and target group of ``ontology/concepts.ttl``, in file order."""
    g = Graph().parse(ontology_dir() / "concepts.ttl", format="turtle")
    out = []
    for scheme in SCHEMES:
        for c in g.subjects(SKOS.inScheme, PGC[scheme]):
            labels = {getattr(o, "language", None): str(o) for o in g.objects(c, SKOS.prefLabel)}
            key = str(g.value(c, SKOS.notation) or str(c).rsplit("/", 1)[-1])
            out.append(Concept(key, scheme, labels.get("zh", key), labels.get("en", key)))
    return tuple(sorted(out, key=lambda c: (SCHEMES.index(c.scheme), c.key)))


@lru_cache(maxsize=1)
def property_labels() -> dict[str, tuple[str, str]]:
    """Each property the ontology declares, as an entity page names it (``pg:binding``),
    → its ``rdfs:label`` in Chinese and English: the page speaks the reader's language,
    not the vocabulary's."""
    g = Graph()
    for name in ("plangraph.ttl", "concepts.ttl"):
        g.parse(ontology_dir() / name, format="turtle")
    out: dict[str, tuple[str, str]] = {}
    for prop in set(g.subjects(RDFS.label, None)):
        labels = {getattr(o, "language", None): str(o) for o in g.objects(prop, RDFS.label)}
        if "zh" in labels and "en" in labels and isinstance(prop, URIRef):
            out[_compact(prop)] = (labels["zh"], labels["en"])
    return out


def _latest(values: Sequence[Mapping[str, Any]], role: str) -> Mapping[str, Any] | None:
    """An indicator's value of ``role`` for its latest year, if it states one."""
    of_role = [v for v in values if v.get("role") == role]
    return max(of_role, key=lambda v: v.get("year") or 0) if of_role else None


def _value_cells(row: Mapping[str, Any]) -> dict[str, Any]:
    """Baseline and target of an indicator row as its table writes them (``≥65``,
    ``通过``, ``99``), each with its year."""
    values = row.get("values") or []
    out: dict[str, Any] = {}
    for role in ("baseline", "target"):
        v = _latest(values, role)
        text = None if v is None else (v.get("text") if v.get("text") is not None else v.get("value"))
        out[role] = text
        out[f"{role}_year"] = None if v is None else v.get("year")
    if out["target_year"] is None:
        out["target_year"] = row.get("target_year")
    return out


def _label(ds: Dataset, node: Node) -> str:
    for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title, PG.statement, DCTERMS.identifier):
        values = list(ds.objects(node, p))
        if values:
            zh = [v for v in values if getattr(v, "language", None) == "zh"]
            return str((zh or values)[0])
    return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _kind(ds: Dataset, node: Node) -> str | None:
    types = sorted(str(t) for t in ds.objects(node, RDF.type) if str(t).startswith(str(PG._NS)))
    return types[0].rsplit("#", 1)[-1] if types else None


def _plan_id(ds: Dataset, node: Node) -> str | None:
    plans = sorted(str(ds.value(p, DCTERMS.identifier)) for p in ds.objects(node, PG.plan))
    return ", ".join(plans) or None


def _stages_in(text: str | None) -> tuple[str, ...]:
    """Stages whose Chinese name a table title or category names (``学前教育发展任务表``)."""
    return tuple(c.zh for c in concepts() if c.scheme == "stages" and text and c.zh in text)


def _words(value: Any) -> tuple[str, ...]:
    if value in (None, "", []):
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _place_rows(ds: Dataset) -> list[dict[str, Any]]:
    rows = []
    for s in set(ds.subjects(RDF.type, PG.Place)):
        rows.append({
            "iri": str(s), "plan": _plan_id(ds, s), "name": _label(ds, s),
            "place_type": str(ds.value(s, PG.placeType) or ""), "region": str(ds.value(s, PG.region) or ""),
            "projects": len(set(ds.subjects(PG.location, s))),
        })
    return sorted(rows, key=lambda r: (str(r["plan"]), r["name"]))


def _facets(kind: str, row: Mapping[str, Any], stage_names: Collection[str]) -> dict[str, tuple[str, ...]]:
    plans = tuple(p.strip() for p in str(row.get("plan") or "").split(",") if p.strip())
    stage: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    if kind == "indicators":
        stage = _stages_in(row.get("category")) or _words(row.get("category"))
        years = tuple(sorted({str(v["year"]) for v in row.get("values", []) if v.get("year")}))
    elif kind in ("programmes", "projects"):
        stage = _stages_in(row.get("table"))
    if kind == "projects":
        place = _words(row.get("location"))
        lo, hi = row.get("start_year"), row.get("end_year")
        years = tuple(str(y) for y in range(lo, (hi or lo) + 1)) if lo else ()
    elif kind == "commitments":
        stage = tuple(t for t in row.get("themes", []) if t in stage_names)
        place = _words(row.get("places"))
        years = tuple(str(y) for y in row.get("deadlines", []))
    elif kind == "places":
        place = _words(row.get("name"))
    return {"plan": plans, "stage": stage, "binding": _words(row.get("binding")),
            "place": place, "year": years}


def entity_table(ds: Dataset, kind: str, plan: str | None = None) -> list[EntityRow]:
    """The entities of one kind as rows with display columns and facet values."""
    if kind not in ENTITY_KINDS:
        raise UsageError(f"unknown entity kind {kind!r}; choose one of: {', '.join(ENTITY_KINDS)}")
    raw = _place_rows(ds) if kind == "places" else export_rows(ds, kind, plan)
    if plan is not None:
        raw = [r for r in raw if plan in str(r["plan"]).split(", ")]
    stage_names = {c.zh for c in concepts() if c.scheme == "stages"}
    out = []
    for r in raw:
        cells = {**r, **_value_cells(r)} if kind == "indicators" else r
        cols = {c: ("、".join(map(str, cells[c])) if isinstance(cells.get(c), list) else cells.get(c))
                for c in _COLUMNS[kind]}
        label = str(r.get("name") or r.get("statement") or r["iri"])
        out.append(EntityRow(r["iri"], label, cols, _facets(kind, r, stage_names)))
    return out


def facet_values(rows: Sequence[EntityRow]) -> dict[str, list[str]]:
    """For each facet, the values the rows have (facets no row has are left out)."""
    out: dict[str, set[str]] = {f: set() for f in FACETS}
    for r in rows:
        for f in FACETS:
            out[f].update(r.facets.get(f, ()))
    return {f: sorted(v) for f, v in out.items() if v}


def filter_rows(rows: Sequence[EntityRow], chosen: Mapping[str, Collection[str]]) -> list[EntityRow]:
    """Rows having, for every facet with a choice, at least one chosen value."""
    active = {f: set(v) for f, v in chosen.items() if v}
    return [r for r in rows if all(active[f] & set(r.facets.get(f, ())) for f in active)]


def _evidence(ds: Dataset, node: Node) -> tuple[str | None, int | None, int | None]:
    """(quote, start, end) of the earliest evidence of ``node``."""
    best: tuple[str | None, int | None, int | None] = (None, None, None)
    for ev in ds.objects(node, PG.evidence):
        quote, start, end = None, None, None
        for sel in ds.objects(ev, OA.hasSelector):
            if ds.value(sel, OA.start) is not None:
                start, end = int(str(ds.value(sel, OA.start))), int(str(ds.value(sel, OA.end)))
            elif ds.value(sel, OA.exact) is not None:
                quote = str(ds.value(sel, OA.exact))
        if start is not None and (best[1] is None or start < best[1]):
            best = (quote, start, end)
    return best


def _section_path(ds: Dataset, section: Node | None) -> str | None:
    parts: list[str] = []
    while section is not None and len(parts) < 12:
        parts.insert(0, _label(ds, section))
        section = ds.value(section, DCTERMS.isPartOf)
    return " > ".join(parts) or None


def _value_text(ds: Dataset, node: Node) -> str:
    if isinstance(node, Literal):
        return str(node)
    return _label(ds, node) if _kind(ds, node) or (node, SKOS.prefLabel, None) in ds else str(node)


def _compact(p: Node) -> str:
    for prefix, ns in PREFIXES.items():
        if str(p).startswith(ns):
            return f"{prefix}:{str(p)[len(ns):]}"
    return str(p)


def _properties(ds: Dataset, node: URIRef) -> list[tuple[str, str]]:
    props = sorted((_compact(p), _value_text(ds, o)) for p, o in ds.predicate_objects(node)
                   if p not in _HIDDEN)
    for q in ds.objects(node, PG.hasQuantity):
        parts = [ds.value(q, p) for p in (PG.comparator, PG.numericValue, PG.unit, PG.qualifier)]
        props.append(("pg:hasQuantity", " ".join(str(x) for x in parts if x is not None)))
    for obs in sorted(ds.subjects(PG.indicator, node), key=lambda o: str(ds.value(o, SDMX_DIMENSION.refPeriod))):
        year, role = ds.value(obs, SDMX_DIMENSION.refPeriod), ds.value(obs, PG.valueRole)
        props.append((f"{year} {role}", str(ds.value(obs, PG.valueText) or "")))
    return props


def entity_detail(ds: Dataset, iri: str) -> EntityDetail:
    """One entity: its properties, its earliest source quote within its passage, and
    its neighbours in the graph.

    Raises:
        UsageError: no entity has this IRI.
    """
    node = URIRef(iri)
    kind = _kind(ds, node)
    if kind is None:
        raise UsageError(f"no entity {iri!r} in this index")
    quote, start, end = _evidence(ds, node)
    before = after = ""
    section = None
    for passage in ds.objects(node, PROV.wasDerivedFrom):
        ptext, pstart, pend = _evidence(ds, passage)
        if ptext is None or start is None or end is None or pstart is None or pend is None:
            continue
        if pstart <= start and end <= pend:
            before, after = ptext[: start - pstart], ptext[end - pstart:]
            section = _section_path(ds, ds.value(passage, PG.section))
            break
    nodes, edges = neighbourhood(ds, node)
    return EntityDetail(iri, kind, _label(ds, node), _plan_id(ds, node), tuple(_properties(ds, node)),
                        quote, start, end, before, after, section, nodes, tuple(edges))


def neighbourhood(ds: Dataset, node: URIRef) -> tuple[dict[str, tuple[str, str]], list[Edge]]:
    """The entity, the things it links to and the entities that link to it (one hop;
    at most a couple of dozen neighbours)."""
    nodes: dict[str, tuple[str, str]] = {str(node): (_kind(ds, node) or "", _label(ds, node))}
    edges: list[Edge] = []

    def add(other: Node, edge: Edge) -> None:
        if len(nodes) > _MAX_NEIGHBOURS or not isinstance(other, URIRef):
            return
        kind = _kind(ds, other) or ("Concept" if (other, SKOS.prefLabel, None) in ds else None)
        if kind in (None, "Passage", "Quantity", "IndicatorValue"):
            return
        nodes.setdefault(str(other), (str(kind), _label(ds, other)))
        edges.append(edge)

    for p, o in sorted(ds.predicate_objects(node)):
        if p not in _HIDDEN:
            add(o, Edge(str(node), str(o), _compact(p)))
    for s, p in sorted(ds.subject_predicates(node)):
        if p not in (PG.plan, PG.indicator):
            add(s, Edge(str(s), str(node), _compact(p)))
    return nodes, edges


def _dot_text(text: str, limit: int = 18) -> str:
    text = text if len(text) <= limit else text[:limit] + "…"
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_DOT_COLOURS = {"Project": "#fde2c8", "Indicator": "#d6e6fb", "Programme": "#e8dcf7",
                "Commitment": "#d7f0dc", "Organization": "#f9d5d3", "Place": "#e5e5e5",
                "Plan": "#fff5bf", "Concept": "#f2f2f2"}


def neighbourhood_dot(detail: EntityDetail) -> str:
    """The neighbourhood as Graphviz DOT (the entity itself drawn bold)."""
    ids = {iri: f"n{i}" for i, iri in enumerate(detail.nodes)}
    lines = ["digraph neighbourhood {", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fontname="Noto Sans CJK SC", fontsize=11];',
             '  edge [fontname="Noto Sans CJK SC", fontsize=9, color="#888888"];']
    for iri, (kind, label) in detail.nodes.items():
        extra = ", penwidth=2.5" if iri == detail.iri else ""
        colour = _DOT_COLOURS.get(kind, "#ffffff")
        lines.append(f'  {ids[iri]} [label="{_dot_text(kind)}\\n{_dot_text(label)}", '
                     f'fillcolor="{colour}"{extra}];')
    for e in detail.edges:
        lines.append(f'  {ids[e.source]} -> {ids[e.target]} [label="{_dot_text(e.predicate, 24)}"];')
    lines.append("}")
    return "\n".join(lines)


def passage_concepts(ds: Dataset) -> dict[str, frozenset[str]]:
    """Passage id → keys of the themes, stages and target groups of the commitments
    stated there."""
    out: dict[str, set[str]] = {}
    for c in ds.subjects(RDF.type, PG.Commitment):
        keys = {local_name(o) for p in (DCTERMS.subject, PG.targetGroup) for o in ds.objects(c, p)}
        if keys:
            for passage in ds.objects(c, PROV.wasDerivedFrom):
                out.setdefault(local_name(passage), set()).update(keys)
    return {k: frozenset(v) for k, v in out.items()}
