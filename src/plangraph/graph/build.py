"""The graph stage: plan documents and their mentions in, an RDF dataset out.

One named graph per plan (``…/graph/plan/<plan-id>``) and the ontology with its
concept schemes in a graph of their own. IRIs are minted from the plan id and a hash
of what an entity states, so building twice gives isomorphic graphs. Every extracted
entity is ``prov:wasDerivedFrom`` its passage and has ``pg:evidence``: a Web
Annotation specific resource with a text position and a text quote selector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, QB, SKOS

from plangraph.errors import PlanGraphError
from plangraph.extract.mentions import Commitment, Evidence, Extraction, Quantity
from plangraph.graph.iris import content_hash, division_iri, local_name, passage_iri, plan_graph_iri, plan_iri
from plangraph.graph.links import link_cited_plans, link_indicator_concepts
from plangraph.graph.ties import Decision, IndicatorRow
from plangraph.graph.vocab import (
    ID,
    OA,
    ONTOLOGY_GRAPH,
    PG,
    PGC,
    PREFIXES,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    BoundNamespaces,
)
from plangraph.ingest.gazetteer import gazetteer
from plangraph.model import EntityRef, PlanDoc
from plangraph.resources import ONTOLOGY_FILES, ontology_dir


def passage_entities(ds: Dataset) -> dict[str, tuple[EntityRef, ...]]:
    """Passage id → the entities derived from that passage (kind = class name).

    ``ds`` is a union dataset (:func:`new_dataset`), as every reader of the graph expects.

    Quantities and commitment clauses are left out: they are parts of the entities that
    state them.
    """
    out: dict[str, list[EntityRef]] = {}
    seen: set[tuple[str, str]] = set()
    for entity, _, passage, _ in ds.quads((None, PROV.wasDerivedFrom, None, None)):
        types = [t for t in ds.objects(entity, RDF.type) if str(t).startswith(str(PG))]
        pid = local_name(passage)
        if not types or PG.Quantity in types or PG.CommitmentClause in types or (pid, str(entity)) in seen:
            continue
        seen.add((pid, str(entity)))
        node = ds.value(entity, RDFS.label) or ds.value(entity, SKOS.prefLabel)
        if node is not None:
            label = str(node)
        else:  # commitments: their quote is their name
            ev = ds.value(entity, PG.evidence)
            quotes = [q for sel in ds.objects(ev, OA.hasSelector) if (q := ds.value(sel, OA.exact)) is not None]
            label = str(quotes[0])[:60] if quotes else str(entity).rsplit("/", 1)[-1]
        kind = str(types[0]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out.setdefault(pid, []).append(EntityRef(str(entity), kind, str(label)))
    return {k: tuple(sorted(v, key=lambda e: (e.kind, e.label))) for k, v in out.items()}


def _year(y: int) -> Literal:
    return Literal(f"{y:04d}", datatype=XSD.gYear)


def _dec(d: Decimal) -> Literal:
    return Literal(d, datatype=XSD.decimal)


class _PlanWriter:
    """Writes one plan's triples into its named graph."""

    def __init__(self, g: Graph, doc: PlanDoc, ex: Extraction) -> None:
        self.g = g
        self.doc = doc
        self.ex = ex
        self.plan = plan_iri(doc.plan_id)
        self.minted: dict[str, int] = {}
        self.place_names = {p.name for p in ex.places}  # a set: one lookup per project row
        self.indicator_rows: list[IndicatorRow] = []  # in table order, for the concept ties

    def mint(self, kind: str, *key: object) -> URIRef:
        """A content-derived IRI; repeats of the same content get an ordinal."""
        h = content_hash(kind, *key)
        n = self.minted.get(h, 0)
        self.minted[h] = n + 1
        return ID[f"{self.doc.plan_id}/{kind}/{h}" + (f"-{n}" if n else "")]

    def passage(self, passage_id: str | None) -> URIRef | None:
        return passage_iri(self.doc.plan_id, passage_id) if passage_id else None

    def evidence(self, node: URIRef, ev: Evidence) -> None:
        g = self.g
        res = ID[f"{self.doc.plan_id}/ev/{content_hash(node, ev.start, ev.end)}"]
        pos, quote = URIRef(res + "/pos"), URIRef(res + "/quote")
        g.add((node, PG.evidence, res))
        g.add((res, RDF.type, OA.SpecificResource))
        g.add((res, OA.hasSource, self.plan))
        g.add((res, OA.hasSelector, pos))
        g.add((res, OA.hasSelector, quote))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(ev.start, datatype=XSD.nonNegativeInteger)))
        g.add((pos, OA.end, Literal(ev.end, datatype=XSD.nonNegativeInteger)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(ev.quote)))
        p = self.passage(ev.passage_id)
        if p is not None:
            g.add((node, PROV.wasDerivedFrom, p))

    def entity(self, node: URIRef, cls: URIRef, ev: Evidence) -> None:
        self.g.add((node, RDF.type, cls))
        self.g.add((node, PG.plan, self.plan))
        self.evidence(node, ev)

    def quantities(self, owner: URIRef, qs: Iterable[Quantity]) -> None:
        for i, q in enumerate(qs):
            node = URIRef(f"{owner}/q{i}")
            self.entity(node, PG.Quantity, q.evidence)
            self.g.add((owner, PG.hasQuantity, node))
            self.g.add((node, PG.numericValue, _dec(q.value)))
            self.g.add((node, PG.comparator, Literal(q.comparator)))
            if q.upper is not None:
                self.g.add((node, PG.upperValue, _dec(q.upper)))
            if q.unit:
                self.g.add((node, PG.unit, Literal(q.unit)))
            if q.qualifier:
                self.g.add((node, PG.qualifier, Literal(q.qualifier)))

    def write(self) -> None:
        self.structure()
        self.tables_and_rows()
        self.prose()

    def structure(self) -> None:
        g, doc, meta = self.g, self.doc, self.doc.meta
        g.add((self.plan, RDF.type, PG.Plan))
        g.add((self.plan, DCTERMS.identifier, Literal(meta.plan_id)))
        g.add((self.plan, DCTERMS.title, Literal(meta.title, lang="zh")))
        g.add((self.plan, PG.sourceFile, Literal(Path(meta.source_file).name)))
        g.add((self.plan, PG.sha256, Literal(meta.sha256)))
        g.add((self.plan, PG.region, Literal(self.ex.region)))
        if meta.level:
            g.add((self.plan, PG.planLevel, Literal(meta.level)))
        if meta.issued:
            g.add((self.plan, DCTERMS.issued, Literal(meta.issued)))
        g.add((self.plan, PG.documentKind, Literal(meta.kind)))
        if meta.kind_cue:
            g.add((self.plan, PG.documentKindCue, Literal(meta.kind_cue)))
        if meta.division_code:
            g.add((self.plan, DCTERMS.spatial, division_iri(meta.division_code)))
            self.division(meta.division_code)
        if meta.period_start:
            g.add((self.plan, PG.periodStart, _year(meta.period_start)))
        if meta.period_end:
            g.add((self.plan, PG.periodEnd, _year(meta.period_end)))
        for s in doc.sections:
            node = ID[f"{doc.plan_id}/{s.section_id}"]
            g.add((node, RDF.type, PG.Section))
            g.add((node, PG.plan, self.plan))
            g.add((node, RDFS.label, Literal(s.title, lang="zh")))
            g.add((node, PG.level, Literal(s.level)))
            if s.number:
                g.add((node, PG.sectionNumber, Literal(s.number)))
            if s.parent_id:
                g.add((node, DCTERMS.isPartOf, ID[f"{doc.plan_id}/{s.parent_id}"]))
        for p in doc.passages:
            node = ID[f"{doc.plan_id}/{p.passage_id}"]
            g.add((node, RDF.type, PG.Passage))
            g.add((node, PG.plan, self.plan))
            g.add((node, PG.passageKind, Literal(p.kind)))
            if p.section_id:
                g.add((node, PG.section, ID[f"{doc.plan_id}/{p.section_id}"]))
            if p.table_id:
                g.add((node, PG.table, ID[f"{doc.plan_id}/{p.table_id}"]))
            self.evidence(node, Evidence(None, p.start, p.end, p.text))
        for t in doc.tables:
            node = ID[f"{doc.plan_id}/{t.table_id}"]
            g.add((node, RDF.type, PG.Table))
            g.add((node, PG.plan, self.plan))
            g.add((node, RDFS.label, Literal(t.title, lang="zh")))
            g.add((node, PG.tableKind, Literal(t.kind)))
            if t.section_id:
                g.add((node, PG.section, ID[f"{doc.plan_id}/{t.section_id}"]))

    def division(self, code: str) -> None:
        """The plan's division and its parents up to the province (shared between plans)."""
        for d in gazetteer().chain(code):
            node = division_iri(d.code)
            self.g.add((node, RDF.type, PG.Division))
            self.g.add((node, SKOS.notation, Literal(d.code)))
            self.g.add((node, SKOS.prefLabel, Literal(d.name, lang="zh")))
            self.g.add((node, PG.divisionLevel, Literal(d.level)))
            if d.parent:
                self.g.add((node, SKOS.broader, division_iri(d.parent)))

    def tables_and_rows(self) -> None:
        g, pid = self.g, self.doc.plan_id
        for ind in self.ex.indicators:
            node = self.mint("indicator", ind.table_title, ind.category, ind.label)
            self.entity(node, PG.Indicator, ind.evidence)
            self.indicator_rows.append(IndicatorRow(str(node), ind.table_id, ind.name, ind.label, ind.sublabel,
                                                    ind.category, ind.unit, ind.table_title))
            g.add((node, RDFS.label, Literal(ind.label, lang="zh")))
            g.add((node, PG.table, ID[f"{pid}/{ind.table_id}"]))
            if ind.category:
                g.add((node, PG.category, Literal(ind.category)))
            if ind.sublabel:
                g.add((node, PG.subLabel, Literal(ind.sublabel)))
            if ind.unit:
                g.add((node, PG.unit, Literal(ind.unit)))
            if ind.binding:
                g.add((node, PG.binding, Literal(ind.binding)))
            if ind.target_year:
                g.add((node, PG.targetYear, _year(ind.target_year)))
            for i, v in enumerate(ind.values):
                obs = URIRef(f"{node}/v{i}")
                self.entity(obs, PG.IndicatorValue, v.evidence)
                g.add((obs, RDF.type, QB.Observation))
                g.add((obs, PG.indicator, node))
                g.add((obs, SDMX_DIMENSION.refPeriod, _year(v.year)))
                g.add((obs, PG.valueRole, Literal(v.role)))
                g.add((obs, PG.valueText, Literal(v.text)))
                g.add((obs, PG.comparator, Literal(v.comparator)))
                if v.number is not None:
                    g.add((obs, SDMX_MEASURE.obsValue, _dec(v.number)))
                if ind.unit:
                    g.add((obs, SDMX_ATTRIBUTE.unitMeasure, Literal(ind.unit)))
                if v.note:
                    g.add((obs, PG.note, Literal(v.note)))
        for pr in self.ex.programmes:
            node = self.mint("programme", pr.table_title, pr.seq, pr.name)
            self.entity(node, PG.Programme, pr.evidence)
            g.add((node, RDFS.label, Literal(pr.name, lang="zh")))
            g.add((node, PG.table, ID[f"{pid}/{pr.table_id}"]))
            if pr.seq is not None:
                g.add((node, PG.sequence, Literal(pr.seq)))
            g.add((node, PG.content, Literal(pr.content)))
            self.quantities(node, pr.quantities)
        for pj in self.ex.projects:
            node = self.mint("project", pj.table_title, pj.seq, pj.name)
            self.entity(node, PG.Project, pj.evidence)
            g.add((node, RDFS.label, Literal(pj.name, lang="zh")))
            g.add((node, PG.table, ID[f"{pid}/{pj.table_id}"]))
            if pj.seq is not None:
                g.add((node, PG.sequence, Literal(pj.seq)))
            if pj.scale:
                g.add((node, PG.scale, Literal(pj.scale)))
            if pj.classes is not None:
                g.add((node, PG.classCount, Literal(pj.classes)))
            if pj.school_type:
                g.add((node, PG.schoolType, Literal(pj.school_type)))
            if pj.location and pj.location in self.place_names:
                g.add((node, PG.location, self.place_iri(pj.location)))
            if pj.start_year:
                g.add((node, PG.startYear, _year(pj.start_year)))
            if pj.end_year:
                g.add((node, PG.endYear, _year(pj.end_year)))
            if pj.investment_wan is not None:
                g.add((node, PG.investmentWan, _dec(pj.investment_wan)))
                g.add((node, PG.investmentYuan, _dec(pj.investment_wan * 10000)))

    def org_iri(self, name: str) -> URIRef:
        return ID[f"org/{content_hash(self.ex.region, name)}"]

    def place_iri(self, name: str) -> URIRef:
        return ID[f"place/{content_hash(self.ex.region, name)}"]

    def prose(self) -> None:
        g = self.g
        for o in self.ex.organizations:
            node = self.org_iri(o.name)
            g.add((node, RDF.type, PG.Organization))
            g.add((node, RDF.type, ORG.Organization))
            g.add((node, PG.plan, self.plan))
            g.add((node, SKOS.prefLabel, Literal(o.name, lang="zh")))
            for a in o.aliases:
                g.add((node, SKOS.altLabel, Literal(a, lang="zh")))
            g.add((node, PG.region, Literal(o.region)))
            for ev in o.mentions:
                self.evidence(node, ev)
            if o.name == (self.doc.meta.issuer or None):
                g.add((self.plan, DCTERMS.publisher, node))
        for pl in self.ex.places:
            node = self.place_iri(pl.name)
            g.add((node, RDF.type, PG.Place))
            g.add((node, PG.plan, self.plan))
            g.add((node, RDFS.label, Literal(pl.name, lang="zh")))
            g.add((node, PG.placeType, Literal(pl.place_type)))
            g.add((node, PG.region, Literal(pl.region)))
            for ev in pl.mentions:
                self.evidence(node, ev)
        for d in self.ex.documents:
            node = ID[f"doc/{content_hash(d.title)}"]
            g.add((node, RDF.type, PG.CitedDocument))
            g.add((node, PG.plan, self.plan))
            g.add((node, DCTERMS.title, Literal(d.title, lang="zh")))
            g.add((self.plan, DCTERMS.references, node))
            for ev in d.mentions:
                self.evidence(node, ev)
        for c in self.ex.commitments:
            node = self.mint("commitment", c.text)
            self.entity(node, PG.Commitment, c.evidence)
            g.add((node, PG.statement, Literal(c.text, lang="zh")))
            if c.section_id:
                g.add((node, PG.section, ID[f"{self.doc.plan_id}/{c.section_id}"]))
            for key in c.themes:
                g.add((node, DCTERMS.subject, PGC[key]))
            for key in c.target_groups:
                g.add((node, PG.targetGroup, PGC[key]))
            for y in c.deadlines:
                g.add((node, PG.deadline, _year(y)))
            for b in c.bodies:
                g.add((node, PG.involves, self.org_iri(b)))
            for p in c.places:
                g.add((node, PG.mentionsPlace, self.place_iri(p)))
            self.quantities(node, c.quantities)
            self.clauses(node, c)

    def clauses(self, node: URIRef, c: Commitment) -> None:
        """A commitment's clauses, when it has more than one: each with its text, action,
        evidence and the commitment's quantities stated inside it."""
        if len(c.clauses) < 2:
            return
        g = self.g
        index = {q.evidence.start: i for i, q in enumerate(c.quantities)}
        for n, cl in enumerate(c.clauses):
            part = URIRef(f"{node}/c{n}")
            g.add((node, PG.clause, part))
            g.add((part, RDF.type, PG.CommitmentClause))
            g.add((part, PG.clauseText, Literal(cl.text, lang="zh")))
            if cl.action:
                g.add((part, PG.action, Literal(cl.action)))
            self.evidence(part, cl.evidence)
            for q in cl.quantities:
                if q.evidence.start in index:
                    g.add((part, PG.hasQuantity, URIRef(f"{node}/q{index[q.evidence.start]}")))


def new_dataset() -> Dataset:
    """An empty dataset with plangraph's prefixes bound, whose default graph is the
    union of its graphs (so plain triple patterns see every plan)."""
    ds = Dataset(default_union=True)
    ds.namespace_manager = BoundNamespaces(ds)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds


def add_ontology(ds: Dataset) -> Graph:
    """Load the ontology and concept schemes into their own named graph."""
    g = ds.graph(ONTOLOGY_GRAPH)
    for name in ONTOLOGY_FILES:
        g.parse(ontology_dir() / name, format="turtle")
    return g


def add_plan(ds: Dataset, doc: PlanDoc, extraction: Extraction,
             decisions: Mapping[tuple[str, str, str], Decision] | None = None) -> Graph:
    """Write one plan into its own named graph (replacing what was there), its
    indicators tied to the indicator scheme as the matcher and the reviewers'
    ``decisions`` (:mod:`plangraph.graph.ties`) say."""
    if extraction.plan_id != doc.plan_id:
        raise PlanGraphError(
            f"extraction is of plan {extraction.plan_id!r}, not {doc.plan_id!r}"
        )
    ds.remove_graph(plan_graph_iri(doc.plan_id))
    g = ds.graph(plan_graph_iri(doc.plan_id))
    writer = _PlanWriter(g, doc, extraction)
    writer.write()
    link_indicator_concepts(g, doc.plan_id, writer.indicator_rows, decisions)
    return g


def build_graph(items: Iterable[tuple[PlanDoc, Extraction]]) -> Dataset:
    """The dataset for a set of plans: the ontology graph and one graph per plan, with
    cited documents linked to the plans of the set they name."""
    ds = new_dataset()
    add_ontology(ds)
    graphs = {plan_iri(doc.plan_id): add_plan(ds, doc, extraction) for doc, extraction in items}
    link_cited_plans(graphs)
    return ds
