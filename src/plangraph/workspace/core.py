"""The façade: open a built index folder (:mod:`plangraph.workspace.folder`) and ask
it things. The CLI, the Streamlit app and the tests all go through :class:`Workspace`
(:func:`plangraph.workspace.builder.build` writes the folder); heavy libraries (faiss,
the encoders) load only when a search needs them.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from plangraph.analysis.strength import Strength, strength
from plangraph.durable import readable
from plangraph.errors import IndexStoreError, UsageError
from plangraph.graph.browse import entity_detail, entity_table, passage_concepts
from plangraph.graph.export import check_kind, export_graph, export_rows
from plangraph.graph.planview import section_tree
from plangraph.graph.store import GraphStore
from plangraph.graph.storeview import StoreView
from plangraph.graph.views import answer, view_specs
from plangraph.model import EntityRef, Hit
from plangraph.search.read.filters import chosen_plans, context_in_index, passage_filter
from plangraph.search.read.scope import Scope
from plangraph.workspace.acrossplans import AcrossPlans
from plangraph.workspace.answers import cosines as hit_cosines
from plangraph.workspace.comparing import Comparing
from plangraph.workspace.folder import (
    PLAN_FILE,
    PLANS_DIR,
    TEXT_FILE,
    IndexWarning,
    PlanRecord,
    broken_index,
    default_index,
    read_manifest,
    unfinished_change,
)
from plangraph.workspace.planfiles import PlanFiles
from plangraph.workspace.searchers import open_searcher
from plangraph.workspace.tiereview import TieReview

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

    from plangraph.graph.browse import EntityDetail, EntityRow
    from plangraph.graph.planview import SectionNode
    from plangraph.graph.sparql import QueryResult
    from plangraph.graph.store import GraphStore
    from plangraph.graph.storeview import StoreView
    from plangraph.search.read.backend import SearchBackend
    from plangraph.search.read.searcher import Searcher
    from plangraph.workspace.comparisons import ComparisonStore

_WARNED: dict[str | tuple[str, type[Warning], int], int] = {}
"""The unfinished changes this process has warned of (see :func:`warnings.warn_explicit`)."""

WARM_QUERY = "教育"
"""What :meth:`Workspace.warm` asks: short, Chinese, so that every retriever runs."""

class Workspace(Comparing, TieReview, AcrossPlans):
    """An opened index folder. Cheap to open; the graph and the search index load on
    first use and are then kept (read-only, safe to share between threads).

    Comparison keeps what does not depend on the threshold (commitments, their
    vectors, indicators, citations), so comparing the same plans again at another
    threshold costs milliseconds.
    """

    def __init__(self, path: str | Path | None = None, *, search_backend: str | None = None) -> None:
        self.path = readable(Path(path) if path else default_index())  # a swap that died half-way
        self.search_backend = search_backend  # None: $PLANGRAPH_SEARCH_BACKEND (workspace.searchbackend)
        # A reader never writes (read-only media, two apps, a backup beside it): it opens
        # the snapshot the manifest names, and only a writer finishes a change left unfinished.
        self.manifest: dict[str, Any] = read_manifest(self.path)
        self.unfinished: str | None = unfinished_change(self.path)
        """What a writer left unfinished here (None: nothing); this workspace answers from the
        last published index meanwhile."""
        if self.unfinished:  # one line, once per process: it is about the folder, not a line of code
            warnings.warn_explicit(self.unfinished, IndexWarning, "plangraph", 0, registry=_WARNED)
        self._dataset: Dataset | None = None
        self._plans: list[PlanRecord] | None = None
        self._searcher: SearchBackend | None = None
        self._plan_files = PlanFiles(self.path, self.manifest, self._every_concept)
        self.foreground = self._plan_files.foreground  # searches, a page drawn: background reading waits
        self._search_lock = threading.Lock()
        self._graph_lock = threading.Lock()
        self._comparisons: ComparisonStore | None = None
        self.warm_error: Exception | None = None
        self._warm_thread: threading.Thread | None = None

    # -- plans ---------------------------------------------------------------------
    @property
    def plan_ids(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.manifest["plans"])

    def plans(self) -> list[PlanRecord]:
        """Metadata, counts and ingestion findings of every plan in the index
        (:class:`~plangraph.workspace.folder.PlanRecord`, read from the shards once; callers
        get their own copy of the list)."""
        if self._plans is None:
            out: list[PlanRecord] = []
            for plan in self.manifest["plans"].values():
                path = self.path / PLANS_DIR / plan["shard"] / PLAN_FILE
                try:
                    out.append(json.loads(path.read_text("utf-8")))
                except (OSError, ValueError) as exc:
                    raise broken_index(self.path, f"{path} is unreadable ({exc})") from None
            self._plans = out
        return list(self._plans)

    def plan_text(self, plan: str) -> str:
        """The text the plan's character offsets index (for an HTML, Word or PDF plan,
        the canonical text read from it)."""
        self.check_plan(plan)
        path = self.path / PLANS_DIR / self.manifest["plans"][plan]["shard"] / TEXT_FILE
        try:
            text: str = path.read_bytes().decode("utf-8")
            return text
        except OSError as exc:
            raise broken_index(self.path, f"{path} is unreadable ({exc})") from None

    def check_plan(self, plan: str | Sequence[str] | None) -> None:
        """UsageError unless ``plan`` (one id, several, or None for all) names plans of the index."""
        for p in [] if plan is None else [plan] if isinstance(plan, str) else plan:
            if p not in self.plan_ids:
                raise UsageError(f"unknown plan {p!r}; choose one of: {', '.join(self.plan_ids)}")

    # -- graph ---------------------------------------------------------------------
    @property
    def dataset(self) -> Dataset:
        """The knowledge graph as an rdflib-like read-only view of the store snapshot
        this workspace opened (:class:`plangraph.graph.storeview.StoreView`), opened
        once and shared between threads."""
        dataset = self._dataset
        if dataset is None:
            with self._graph_lock:
                if self._dataset is None:
                    self._dataset = self._parse_graph()
                dataset = self._dataset
        return dataset

    def _parse_graph(self) -> Dataset:
        """Open the snapshot the manifest names (nothing is parsed: the store is on disk)."""
        # StoreView answers the part of rdflib's Dataset the graph stage reads (triples,
        # objects, value, query), so the graph functions are typed by that.
        return cast("Dataset", StoreView(GraphStore.open_snapshot(self.path / self.manifest["snapshot"])))

    @property
    def graph_store(self) -> GraphStore:
        """The :class:`~plangraph.graph.store.GraphStore` snapshot this workspace reads."""
        return cast("StoreView", self.dataset).graph_store

    def is_stale(self) -> bool:
        """Whether a writer has published a newer index since this workspace opened."""
        try:
            return read_manifest(self.path).get("generation") != self.manifest.get("generation")
        except IndexStoreError:
            return False

    def close(self) -> None:
        """Let go of the store snapshot, the search index's files and this process's query workers
        on the snapshot, which the writer keeps while a process holds it open (:mod:`~plangraph.workspace.garbage`);
        what still uses them keeps them until done, and a later call opens them again."""
        from plangraph.graph.sparql import release_runners

        with self._graph_lock:
            self._dataset = None
        with self._search_lock:
            self._searcher = None
            self._warm_thread = None
        self._comparisons = None
        release_runners(self.path / self.manifest["snapshot"])

    def reopened(self) -> Workspace:
        """This workspace, or a new one on the newest published index."""
        return Workspace(self.path, search_backend=self.search_backend) if self.is_stale() else self

    def sparql(self, query: str | None = None, *, name: str | None = None,
               params: dict[str, str] | None = None, timeout_s: float = 10.0,
               endpoint: str | None = None, limit: int | None = None, offset: int = 0,
               from_views: bool = True) -> QueryResult:
        """Run a read-only query (text, or a named query of the library) in a worker process stopped
        after ``timeout_s`` (:mod:`plangraph.graph.sparql`), on this index's store snapshot or on the
        SPARQL ``endpoint`` URL. ``limit`` rows from row ``offset`` come back (0: all; None: a named
        query's first page, a text's every row); ``result.total`` counts the whole result's rows.

        A named query that every plan of the index has stored its rows of is answered from
        them (:mod:`plangraph.graph.views`), unless ``from_views`` is False or an
        ``endpoint`` is given: the same rows, without the store's joins."""
        # looked up at call time, so that a test can stand in for the query runner
        from plangraph.graph.sparql import checked_named, run_named, run_query

        if (query is None) == (name is None):
            raise UsageError("give either a query or the name of a named query")
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise UsageError(f"SPARQL endpoint {endpoint!r} is not an http(s) URL")
        where = endpoint or self.graph_location
        if name is not None:
            checked_named(name, params)
            stored = None if endpoint or not from_views else self.stored_answer(name, params, limit=limit,
                                                                                offset=offset)
            if stored is not None:
                return stored
            return run_named(where, name, params, timeout_s, limit=limit, offset=offset)
        return run_query(where, query or "", timeout_s, params, limit=limit, offset=offset)

    def stored_answer(self, name: str, params: dict[str, str] | None = None, *, limit: int | None = None,
                      offset: int = 0) -> QueryResult | None:
        """A named query's answer from the rows every plan stored for it (:mod:`plangraph.graph.views`),
        paged as :meth:`sparql` pages it; None for a query without them (it runs as SPARQL). UsageError
        for an unknown query or parameter, a negative offset or limit."""
        from plangraph.graph.sparql import DEFAULT_PAGE, QueryResult, checked_named

        checked_named(name, params)
        if offset < 0 or (limit is not None and limit < 0):
            raise UsageError(f"offset and limit must be 0 or more, not offset={offset}, limit={limit}")
        spec = view_specs().get(name)
        rows = None if spec is None else self._plan_files.view_rows(spec)
        if spec is None or rows is None:
            return None
        t0, page = time.perf_counter(), (offset, (DEFAULT_PAGE if limit is None else limit) or None)
        columns, chosen, total = answer(spec, rows, params, page)
        return QueryResult(columns, tuple(chosen), time.perf_counter() - t0, total, offset)

    def stored_views(self, *, background: bool = False) -> None:
        """Read every plan's stored rows of the named queries now (``background``: after :attr:`foreground` work)."""
        self._plan_files.all_views(self.foreground.wait_idle if background else None)

    @property
    def graph_location(self) -> Path:
        """Where queries read the graph: the published graph store snapshot the manifest
        names (``"snapshot": "store/snapshots/<name>"``)."""
        snapshot: Path = self.path / self.manifest["snapshot"]
        if not snapshot.is_dir():
            if self.is_stale():  # a writer published since and removed this snapshot (garbage.py)
                raise IndexStoreError(f"index {self.path}: graph store snapshot {snapshot} was replaced by a newer "
                                      "version of the index", hint="open the index again (Workspace.reopened())")
            raise IndexStoreError(f"index {self.path}: missing graph store snapshot {snapshot}",
                                  hint=f"publish one again: plangraph repair --index {self.path}")
        return snapshot

    def entities_for(self, passage_id: str) -> tuple[EntityRef, ...]:
        """Entities the graph says were stated in this passage."""
        return self._plan_files.entities_for(passage_id)

    def concepts_for(self, passage_id: str) -> frozenset[str]:
        """Keys of the themes, stages and target groups of the commitments stated here."""
        return self._plan_files.concepts_for(passage_id)

    # -- browse --------------------------------------------------------------------
    def entities(self, kind: str, plan: str | None = None) -> list[EntityRow]:
        """Entities of one kind (``indicators`` … ``places``) as :class:`~plangraph.graph.browse.EntityRow`."""
        self.check_plan(plan)
        return entity_table(self.dataset, kind, plan)

    def entity(self, iri: str) -> EntityDetail:
        """One entity's :class:`~plangraph.graph.browse.EntityDetail` (UsageError if unknown)."""
        return entity_detail(self.dataset, iri)

    def sections(self, plan: str) -> list[SectionNode]:
        """The plan's section tree with counts (:class:`~plangraph.graph.planview.SectionNode`)."""
        self.check_plan(plan)
        return section_tree(self.dataset, plan)

    def passage_context(self, passage_id: str, chars: int = 80) -> tuple[str, str]:
        """Text just before and just after a passage, from its plan's neighbouring passages."""
        own: Callable[[str, int], tuple[str, str]] | None = getattr(self.searcher, "passage_context", None)
        if own is not None:  # a Milvus searcher reads only the neighbours
            return own(passage_id, chars)
        local = cast("Searcher", self.searcher)  # the local searcher holds the index's passages
        return context_in_index(local.index, passage_id, chars)

    def _every_concept(self) -> dict[str, frozenset[str]]:
        return passage_concepts(self.dataset)

    def passage_filter(self, *, kinds: Sequence[str] = (), themes: Sequence[str] = (),
                       groups: Sequence[str] = ()) -> Callable[[str], bool] | None:
        """A ``predicate`` for :meth:`search`: passages stating an entity of one of
        ``kinds``, with a commitment on one of ``themes`` and one of ``groups``."""
        return passage_filter(self.entities_for, self.concepts_for, kinds=kinds, themes=themes, groups=groups)

    # -- search --------------------------------------------------------------------
    def _open_searcher(self) -> SearchBackend:
        return open_searcher(self)

    @property
    def searcher(self) -> SearchBackend:
        """The search backend (:class:`~plangraph.search.read.backend.SearchBackend`: the local
        :class:`~plangraph.search.read.searcher.Searcher` or Milvus), opened once (callers racing
        for it wait for the one that opens it, a warm-up included)."""
        searcher = self._searcher
        if searcher is None:
            with self._search_lock:
                if self._searcher is None:
                    self._searcher = self._open_searcher()
                searcher = self._searcher
        return searcher

    def lexical_query(self, query: str) -> str | None:
        """What the lexical retriever is asked for ``query``: the query, its Chinese glossary
        terms (an English query), or None when it sits this query out."""
        return self.searcher.lexical_query(query)

    def scope_weight(self, scope: Scope) -> float:
        """The weight the plans outside a search's ``scope`` are ranked with (a place's
        scope or another: :class:`~plangraph.search.read.fusion.FusionConfig`)."""
        fusion = self.searcher.fusion
        return fusion.out_of_place if scope.places else fusion.out_of_scope

    def warm(self) -> None:
        """Open the search index and answer one short query, so that the encoders' models and
        the lexical index are loaded before the first real search. The searcher is published
        only once it has answered: a search meanwhile waits instead of loading them again.

        Raises:
            PlanGraphError: what the first search would raise (a broken index).
        """
        if self._searcher is not None:
            return
        with self._search_lock:
            if self._searcher is None:
                searcher = self._open_searcher()
                searcher.search(WARM_QUERY, 1)
                self._searcher = searcher

    def warm_in_background(self, delay_s: float = 0.0) -> threading.Thread:
        """:meth:`warm`, then a query worker started and the plans' stored rows of the named queries
        read, in a daemon thread started once per workspace (later calls return the same thread). A
        failure is kept in :attr:`warm_error`, not raised: the first search meets it again. ``delay_s``
        lets a page that has just been sent draw before the loading competes for the CPU."""
        def run() -> None:
            from plangraph.graph.sparql import runner_for
            try:
                time.sleep(delay_s)
                self.warm()
                self.foreground.wait_idle()  # not while a page is drawn: a worker start is a process of CPU
                runner_for(self.graph_location).start()  # a query worker, before a page's first query needs one
                self.stored_views(background=True)  # the named queries' rows, before the first one is asked
            except Exception as exc:  # noqa: BLE001 - the first search raises it again
                self.warm_error = exc

        with self._search_lock:
            if self._warm_thread is None:
                self._warm_thread = threading.Thread(target=run, name=f"plangraph-warm-{self.path.name}",
                                                     daemon=True)
                self._warm_thread.start()
        return self._warm_thread

    def search(self, query: str, top_k: int = 10, **options: Any) -> list[Hit]:
        return self.search_with_scope(query, top_k, **options)[0]  # its hits; same options

    def search_with_scope(self, query: str, top_k: int = 10, *, plan: str | Sequence[str] | None = None,
                          section: str | None = None, predicate: Callable[[str], bool] | None = None,
                          per_plan: int | None = None, scoped: bool = True, place: str | None = None,
                          kind: str | None = None) -> tuple[list[Hit], Scope | None]:
        """The best passages for a question (plan, section, quote, entities) and the scope that ranked
        them (:mod:`plangraph.search.read.scope`; None when all plans ranked alike or not ``scoped``). ``place``,
        ``kind``: only plans of a division, of a document kind (:func:`~plangraph.search.read.filters.chosen_plans`)."""
        self.check_plan(plan)
        if place is not None or kind is not None:
            if not (plan := chosen_plans(self.plans(), plan, place=place, kind=kind)):
                return [], None
        with self.foreground.running():  # reading in the background waits for it
            hits, scope = self.searcher.search_with_scope(query, top_k, plan=plan, section=section,
                                                          predicate=predicate, per_plan=per_plan, scoped=scoped)
        return list(hits), scope

    def cosines(self, query: str, hits: Sequence[Hit]) -> list[dict[str, float]]:
        """Each hit's cosine with ``query`` under each encoder (:func:`~plangraph.workspace.answers.cosines`)."""
        return hit_cosines(self.searcher, query, hits)

    def strengths(self, query: str, hits: Sequence[Hit]) -> list[Strength]:
        """How strongly each hit answers ``query`` (strong, medium, weak)."""
        return [strength(c) for c in self.cosines(query, hits)] if hits else []

    # -- export --------------------------------------------------------------------
    def export_rows(self, kind: str, plan: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Entity rows of one kind (``indicators``, ``projects`` …) as plain dicts, of
        every plan or of the one or several plans given."""
        self.check_plan(plan)
        return export_rows(self.dataset, kind, plan)

    def export_graph(self, kind: str, plan: str | Sequence[str] | None = None) -> Graph:
        """The entities of ``kind`` (of every plan, or of those given) with their
        evidence, as an rdflib Graph (for JSON-LD and Turtle exports)."""
        check_kind(kind)
        self.check_plan(plan)
        return export_graph(self.dataset, kind, plan)

    def write_graph(self, path: str | Path, fmt: str = "trig") -> Path:
        """Write every graph (plans and ontology) as ``trig`` or ``nq`` to ``path``."""
        path = Path(path)
        with open(path, "wb") as fh:
            self.graph_store.dump(fh, fmt)
        return path
