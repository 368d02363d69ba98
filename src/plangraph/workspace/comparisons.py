"""What :meth:`Workspace.compare` and :meth:`Workspace.audit` read from an opened
index, and what comparison keeps between calls.

Comparing two plans again at another threshold (a slider in the app) should not
encode their commitments again: :class:`ComparisonStore` keeps, per workspace, each
plan's commitments, each commitment's vector, and the parts of a comparison that no
threshold changes (indicators side by side, linked citations). Re-aligning at a new
threshold then costs the TF-IDF scores of two plans, a few milliseconds.

A plan's clause vectors were made when it was built (:mod:`plangraph.workspace.clausefile`):
a comparison reads its two plans' files instead of encoding their clauses (on an index built
before them, it encodes on first use and says so once).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from plangraph.analysis.across import NATIONAL, ConceptTarget, plan_order, targets_from_rows
from plangraph.analysis.audit import AuditReport, audit, input_from_rows
from plangraph.analysis.compare import (
    DEFAULT_METHOD,
    CitedPlan,
    PlanComparison,
    Statement,
    check_method,
    compare_commitments,
    link_citations,
)
from plangraph.graph.export import evidence
from plangraph.graph.indicators import side_by_side
from plangraph.graph.iris import plan_graph_iri
from plangraph.graph.views import answer, view_specs
from plangraph.resources import data_text
from plangraph.search.encoders import get_encoder
from plangraph.workspace.clausefile import COMPARISON_ENCODER
from plangraph.workspace.clauseindex import ClauseIndex

if TYPE_CHECKING:
    import numpy as np

    from plangraph.analysis.uptake import Uptake
    from plangraph.graph.indicators import SideBySide
    from plangraph.search.encoders import Encoder
    from plangraph.workspace.core import Workspace

__all__ = ["COMPARISON_ENCODER", "ComparisonStore", "audit_plan"]

PREPARE_TEXT = "发展学前教育"
"""What :meth:`ComparisonStore.prepare` encodes to load the comparison encoder."""

AUDIT_PASSAGES = "queries/audit-passages.rq"
"""The query of a plan's passages for its audit (a data file: its comment says why it is
run in the plan's own graph)."""


class ComparisonStore:
    """The threshold-free parts of comparisons over one workspace, computed once."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self._lock = threading.Lock()
        self._statements: dict[str, tuple[Statement, ...]] = {}
        self._context: dict[tuple[str, str], tuple[SideBySide, tuple[CitedPlan, ...]]] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._indicators: dict[str, list[dict[str, Any]]] = {}
        self._indicators_lock = threading.Lock()
        self._preparing: threading.Thread | None = None
        self._prepare_lock = threading.Lock()
        self._encoder: Encoder | None = None
        self.clauses = ClauseIndex(ws.path, ws.manifest)
        self.encoder_spec = self.clauses.encoder_spec()
        """The encoder comparisons score with: the one the index's clause vectors were made with."""
        self._stored: set[str] = set()
        self.encoded = 0
        """Texts encoded here so far (not read from a clause file)."""

    def statements(self, plan: str) -> tuple[Statement, ...]:
        """The plan's commitments as comparison sees them."""
        if plan not in self._statements:
            self._statements[plan] = tuple(
                Statement(plan, r["statement"], r["start"], r["end"], r.get("section") or "", r["iri"])
                for r in self._ws.export_rows("commitments", plan))
        return self._statements[plan]

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised vectors of ``texts``; each text is encoded once."""
        import numpy as np  # with the first comparison, not when the package is imported

        with self._lock:  # one model load, and no text encoded twice by two sessions
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            if missing:
                self._vectors.update(zip(missing, self.encoder().encode_passages(missing)))
                self.encoded += len(missing)
        return np.stack([self._vectors[t] for t in texts])

    def encoder(self) -> Encoder:
        """The comparison encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = get_encoder(self.encoder_spec)
        return self._encoder

    def remember(self, keys: Sequence[str], vectors: Sequence[Any] | np.ndarray) -> None:
        """Vectors read from clause files, by the text the encoder saw."""
        with self._lock:
            for key, row in zip(keys, vectors):
                self._vectors.setdefault(key, row)

    def stored(self, plans: Sequence[str]) -> None:
        """Take ``plans``' clause vectors from their clause files (made when each plan was
        built), so that comparing them encodes none of their clauses; on an index built before
        them, say once that they will be encoded."""
        import numpy as np

        self.clauses.warn_if_old()
        name = self.encoder().name  # one instance per model per process (get_encoder)
        for plan in plans:
            if plan in self._stored:
                continue
            found = self.clauses.plan(plan, name)
            if found is not None:
                self.remember([c.key for c in found.clauses], np.asarray(found.vectors, dtype=np.float32))
            self._stored.add(plan)

    def indicators(self, plan: str) -> list[dict[str, Any]]:
        """The plan's indicator rows with their concepts, read once: every comparison
        reads the national plans' too (14 of 500 synthetic plans, 0.3 s each)."""
        with self._indicators_lock:  # a comparison asked meanwhile waits for what prepare() reads
            if plan not in self._indicators:
                self._indicators[plan] = _with_concepts(self._ws, plan)
            return self._indicators[plan]

    def national(self) -> list[str]:
        """The national plans of the index, whose targets every comparison shows."""
        meta = {p["plan"]: p["meta"] for p in self._ws.plans()}
        return [p for p in self._ws.plan_ids if meta.get(p, {}).get("level") == "national"]

    def prepare(self) -> None:
        """Read what every comparison needs, whichever two plans: the comparison encoder, the
        word tokenizer, every plan's clause rows and the national plans' indicators (at 500
        plans, 10 s of a first comparison's 12 s in process), while the reader picks two plans
        or types a phrase."""
        from plangraph.extract.lexicon import tokenizer

        self.embed([PREPARE_TEXT])
        tokenizer()
        if self.clauses.complete:  # every plan's clause rows, for "which plans commit to X"
            self.clauses.load(self.encoder().name)
        for plan in self.national():
            self.indicators(plan)

    def context(self, plan_a: str, plan_b: str) -> tuple[SideBySide, tuple[CitedPlan, ...]]:
        """Indicators side by side (with national targets) and the linked citations."""
        if (plan_a, plan_b) not in self._context:
            ws = self._ws
            meta = {p["plan"]: p["meta"] for p in ws.plans()}
            national = self.national()
            wanted = dict.fromkeys([plan_a, plan_b, *national])
            indicators = side_by_side({p: self.indicators(p) for p in wanted}, [plan_a, plan_b], national)
            cited = [(r["plan"], r["title"], int(r["mentions"]))
                     for p in (plan_a, plan_b)
                     for r in ws.sparql(name="cited-documents", params={"plan": p}).as_dicts()]
            titles = {p: str(m.get("title") or "") for p, m in meta.items()}
            self._context[(plan_a, plan_b)] = (indicators, link_citations(cited, titles))
        return self._context[(plan_a, plan_b)]

    def prepare_in_background(self) -> threading.Thread:
        """:meth:`prepare` in a daemon thread, started once (a failure is left to the
        comparison, which meets it again)."""
        def run() -> None:
            try:
                self.prepare()
            except Exception:  # noqa: BLE001 - the comparison raises it again
                pass

        with self._prepare_lock:  # not the encoder's lock, held while it loads: a rerun never waits
            if self._preparing is None:
                self._preparing = threading.Thread(target=run, name="plangraph-compare-prepare", daemon=True)
                self._preparing.start()
            return self._preparing

    def uptake(self, plan: str, superiors: tuple[str, ...], threshold: float | None = None) -> Uptake:
        """:meth:`Workspace.uptake` (plan ids already checked)."""
        from plangraph.analysis.compare import THRESHOLDS
        from plangraph.analysis.uptake import uptake

        limit = THRESHOLDS["atomic"] if threshold is None else threshold
        self.stored((plan, *superiors))
        return uptake(self.statements(plan), {s: self.statements(s) for s in superiors}, self.embed, limit)

    def compare(self, plan_a: str, plan_b: str, *, method: str | None = None,
                threshold: float | None = None) -> PlanComparison:
        """:meth:`Workspace.compare` (plan ids already checked)."""
        method = method or DEFAULT_METHOD
        check_method(method)
        embed = None if method == "tfidf" else self.embed
        if embed is not None:
            self.stored((plan_a, plan_b))
        commitments = compare_commitments(self.statements(plan_a), self.statements(plan_b),
                                          method=method, embed=embed, threshold=threshold)
        indicators, citations = self.context(plan_a, plan_b)
        return PlanComparison(commitments, indicators, citations)


def _with_concepts(ws: Workspace, plan: str) -> list[dict[str, Any]]:
    """A plan's indicator rows, each with the concept the graph ties it to (None: none),
    so that the reviewers' decisions hold in comparisons too."""
    ties = {t.iri: t.measures for t in ws.concept_ties(plan)}
    return [{**r, "concept": ties.get(r["iri"])} for r in ws.export_rows("indicators", plan)]


def audit_plan(ws: Workspace, plan: str) -> AuditReport:
    """:meth:`Workspace.audit` (plan id already checked): the plan's passages, projects,
    indicators and ingestion findings, and its targets for indicator concepts beside the
    national plans', read from the index and audited."""
    query = data_text(AUDIT_PASSAGES).replace("$graph", plan_graph_iri(plan).n3())
    passages = ws.sparql(query, params={"id": plan}, timeout_s=30).as_dicts()
    plans = ws.plans()
    findings = next((p.get("findings", []) for p in plans if p["plan"] == plan), [])
    indicators = ws.export_rows("indicators", plan)
    inp = input_from_rows(plan, passages, ws.export_rows("projects", plan), indicators, findings)
    own, national = _concept_targets(ws, plan, plans, indicators)
    return audit(replace(inp, concept_targets=own, national_targets=national, plan_order=plan_order(plans)))


def _stored(ws: Workspace, name: str, plans: list[str]) -> list[dict[str, Any]] | None:
    """The rows a named query (without parameters) answers for ``plans`` alone, from the rows
    those plans stored for it (:mod:`plangraph.graph.views`); None when they have none."""
    spec = view_specs().get(name)
    rows = None if spec is None else ws._plan_files.plans_view_rows(spec, plans)
    if spec is None or rows is None:
        return None
    columns, chosen, _ = answer(spec, rows, None)
    return [dict(zip(columns, r)) for r in chosen]


def _concept_targets(ws: Workspace, plan: str, plans: Sequence[Mapping[str, Any]], indicators: list[dict[str, Any]],
                     ) -> tuple[tuple[ConceptTarget, ...], tuple[ConceptTarget, ...]]:
    """The plan's targets for indicator concepts and the national plans' targets for the
    same concepts, each with the quote of its indicator's table row."""
    level = {p["plan"]: (p.get("meta") or {}).get("level") for p in plans}
    concepts = {c.key: c for c in ws.indicator_concepts()}
    # Only the plan's rows and the national plans' are needed: read from those plans' stored
    # rows (the same rows, in the same order, as the query over every plan answers).
    wanted = [p for p, lv in level.items() if p == plan or lv == NATIONAL]
    stored = _stored(ws, "concept-across-plans", wanted)
    every = ws.sparql(name="concept-across-plans", limit=0).as_dicts() if stored is None else stored
    rows = targets_from_rows(every, concepts)
    own = [t for t in rows if t.plan == plan]
    keys = {t.key for t in own}
    national = [t for t in rows if t.key in keys and level.get(t.plan) == NATIONAL and t.plan != plan]
    # The national targets' quotes alone, not every indicator row of their plans with its
    # ties (2.5 s of a first audit's 4.7 s at 500 plans).
    quoted = {**evidence(ws.dataset, {t.iri for t in national}),
              **{r["iri"]: (r.get("quote"), r.get("start"), r.get("end")) for r in indicators}}

    def with_quote(t: ConceptTarget) -> ConceptTarget:
        quote, start, end = quoted.get(t.iri, (None, None, None))
        return replace(t, quote=" ".join(str(quote or "").split()), start=start, end=end)

    return tuple(map(with_quote, own)), tuple(map(with_quote, national))
