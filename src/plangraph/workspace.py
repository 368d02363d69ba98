"""The façade: build an index folder from plan files, then open it and ask it things.

The CLI, the Streamlit app and the tests all go through :func:`build` and
:class:`Workspace`. An index folder holds::

    manifest.json   what was built, from which files, when, by which versions
    graph.trig      the knowledge graph: one named graph per plan + the ontology
    plans.json      plan metadata and ingestion findings
    entities.json   passage id → the entities stated there (so search needs no graph)
    search/         passages, vectors (faiss) and the lexical index

A build writes a complete new folder beside the old one and swaps it in at the
end, so an interrupted build leaves the last good index usable. Heavy libraries
(faiss, the encoders) load only when a search needs them.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import IndexStoreError, InputError, UsageError
from .model import EntityRef, Hit
from .scope import PlanProfile, Scope
from .store import fsync_path, fsync_write, recover, swap_into_place

DEFAULT_INDEX = Path("indexes") / "default"
MANIFEST = "manifest.json"
GRAPH_FILE = "graph.trig"
PLANS_FILE = "plans.json"
ENTITIES_FILE = "entities.json"
SEARCH_DIR = "search"
CACHE_DIR = ".embedding-cache"
FORMAT = 2
WARM_QUERY = "教育"
"""What :meth:`Workspace.warm` asks: short, Chinese, so that every retriever runs."""


def _broken(path: Path, problem: str) -> IndexStoreError:
    return IndexStoreError(f"index {path}: {problem}", hint="rebuild it: plangraph build corpus")


def default_index() -> Path:
    """The index folder commands use unless told otherwise (``PLANGRAPH_INDEX``)."""
    return Path(os.environ.get("PLANGRAPH_INDEX", DEFAULT_INDEX))


@dataclass(frozen=True)
class BuildSummary:
    """What :func:`build` did, for people and for the benchmark."""

    index: Path
    plans: tuple[str, ...]
    failures: tuple[tuple[str, str], ...]
    counts: dict[str, dict[str, int]]
    shacl_conforms: bool
    shacl_violations: tuple[str, ...]
    embedded: dict[str, int]
    reused: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    sentences_embedded: dict[str, int] = field(default_factory=dict)


def build(paths: Iterable[str | Path], out_dir: str | Path | None = None, *,
          encoders: Sequence[str] = ("e5", "use"), sentence_level: str = "auto",
          progress: bool = True) -> BuildSummary:
    """Ingest plan files, extract, build the graph and the search index.

    One broken plan is reported in :attr:`BuildSummary.failures` and skipped.
    ``sentence_level`` is passed to :func:`plangraph.index.build_index`.

    Raises:
        InputError: no plan at all could be ingested.
    """
    from .encoders import get_encoder
    from .extract import extract
    from .graph import build_graph, passage_entities
    from .ontology import validate
    from .index import build_index
    from .ingest import ingest_files

    out = Path(out_dir) if out_dir else default_index()
    chosen = [get_encoder(e) for e in encoders]  # an unknown name fails before any work
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    docs, failures = ingest_files(list(paths))
    if not docs:
        detail = "; ".join(f.error.message for f in failures) or "no .txt files given"
        raise InputError(f"no plan could be ingested ({detail})")
    seconds["ingest"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    extractions = [extract(d) for d in docs]
    seconds["extract"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = build_graph(zip(docs, extractions))
    report = validate(ds)
    seconds["graph"] = time.perf_counter() - t0

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.building-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        t0 = time.perf_counter()
        ds.serialize(destination=str(tmp / GRAPH_FILE), format="trig")
        seconds["write graph"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        passages = [p for d in docs for p in d.passages]
        hashes = {d.plan_id: d.meta.sha256 for d in docs}
        rep = build_index(passages, tmp / SEARCH_DIR, chosen, sentence_level=sentence_level,
                          corpus_hashes=hashes, cache_dir=out.parent / CACHE_DIR, progress=progress)
        seconds["index"] = time.perf_counter() - t0
        from .docjson import plan_to_json

        plans = [{k: v for k, v in plan_to_json(d).items() if k in ("plan", "meta", "counts", "findings")}
                 for d in docs]
        (tmp / PLANS_FILE).write_text(json.dumps(plans, ensure_ascii=False, indent=1), "utf-8")
        entities = {pid: [[e.iri, e.kind, e.label] for e in refs] for pid, refs in passage_entities(ds).items()}
        (tmp / ENTITIES_FILE).write_text(json.dumps(entities, ensure_ascii=False), "utf-8")
        counts = {x.plan_id: x.counts() for x in extractions}
        manifest = {
            "format": FORMAT,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "plans": {d.plan_id: {"file": d.meta.source_file, "sha256": d.meta.sha256} for d in docs},
            "skipped": {f.path: f.error.message for f in failures},
            "encoders": list(encoders),
            "counts": counts,
            "shacl": {"conforms": report.conforms, "violations": len(report.violations)},
        }
        fsync_write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        for name in (GRAPH_FILE, PLANS_FILE, ENTITIES_FILE):
            fsync_path(tmp / name)
        fsync_path(tmp)
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildSummary(
        out, tuple(d.plan_id for d in docs), tuple((f.path, f.error.message) for f in failures),
        counts, report.conforms, tuple(str(v) for v in report.violations[:20]),
        dict(rep.embedded), dict(rep.reused), seconds, dict(rep.sentences_embedded))


class Workspace:
    """An opened index folder. Cheap to open; the graph and the search index load on
    first use and are then kept (read-only, safe to share between threads).

    Comparison keeps what does not depend on the threshold (commitments, their
    vectors, indicators, citations), so comparing the same plans again at another
    threshold costs milliseconds.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_index()
        recover(self.path)  # a build that died between its two renames
        mpath = self.path / MANIFEST
        if not self.path.is_dir():
            raise IndexStoreError(f"no index at {self.path}",
                                  hint="build one first: plangraph build corpus")
        try:
            self.manifest: dict[str, Any] = json.loads(mpath.read_text("utf-8"))
        except FileNotFoundError:
            raise _broken(self.path, f"missing {MANIFEST}") from None
        except ValueError as exc:
            raise _broken(self.path, f"{MANIFEST} is not valid JSON ({exc})") from None
        if self.manifest.get("format") != FORMAT:
            raise _broken(self.path, f"format {self.manifest.get('format')!r}, this version reads {FORMAT}")
        self._dataset: Any = None
        self._searcher: Any = None
        self._entities: dict[str, tuple[EntityRef, ...]] | None = None
        self._concepts: dict[str, frozenset[str]] | None = None
        self._search_lock = threading.Lock()
        self._graph_lock = threading.Lock()
        self._comparisons: Any = None
        self.warm_error: Exception | None = None
        self._warm_thread: threading.Thread | None = None

    # -- plans ---------------------------------------------------------------------
    @property
    def plan_ids(self) -> tuple[str, ...]:
        return tuple(self.manifest["plans"])

    def plans(self) -> list[dict[str, Any]]:
        """Metadata, counts and ingestion findings of every plan in the index."""
        return list(json.loads((self.path / PLANS_FILE).read_text("utf-8")))

    def check_plan(self, plan: str | Sequence[str] | None) -> None:
        """UsageError unless ``plan`` (one id, several, or None for all) names plans of the index."""
        for p in [] if plan is None else [plan] if isinstance(plan, str) else plan:
            if p not in self.plan_ids:
                raise UsageError(f"unknown plan {p!r}; choose one of: {', '.join(self.plan_ids)}")

    # -- graph ---------------------------------------------------------------------
    @property
    def dataset(self) -> Any:
        """The knowledge graph (an rdflib Dataset), parsed once: the app shares one
        workspace between sessions, which wait for the parse instead of repeating it."""
        if self._dataset is None:
            with self._graph_lock:
                if self._dataset is None:
                    self._dataset = self._parse_graph()
        return self._dataset

    def _parse_graph(self) -> Any:
        from rdflib import Dataset

        ds = Dataset()
        gpath = self.path / GRAPH_FILE
        try:
            ds.parse(str(gpath), format="trig")
        except FileNotFoundError:
            raise _broken(self.path, f"missing {GRAPH_FILE}") from None
        except Exception as exc:
            raise _broken(self.path, f"{GRAPH_FILE} is corrupt ({exc})") from None
        return ds

    def sparql(self, query: str | None = None, *, name: str | None = None,
               params: dict[str, str] | None = None, timeout_s: float = 10.0) -> Any:
        """Run a read-only query (text, or a named query of the library)."""
        from .sparql import run_named, run_query

        if (query is None) == (name is None):
            raise UsageError("give either a query or the name of a named query")
        if name is not None:
            return run_named(self.dataset, name, params, timeout_s=timeout_s)
        return run_query(self.dataset, query or "", timeout_s, params)

    def entities_for(self, passage_id: str) -> tuple[EntityRef, ...]:
        """Entities the graph says were stated in this passage."""
        if self._entities is None:
            try:
                raw = json.loads((self.path / ENTITIES_FILE).read_text("utf-8"))
                self._entities = {pid: tuple(EntityRef(*e) for e in refs) for pid, refs in raw.items()}
            except FileNotFoundError:
                raise _broken(self.path, f"missing {ENTITIES_FILE}") from None
            except (ValueError, TypeError) as exc:
                raise _broken(self.path, f"{ENTITIES_FILE} is corrupt ({exc})") from None
        return self._entities.get(passage_id, ())

    # -- browse --------------------------------------------------------------------
    def entities(self, kind: str, plan: str | None = None) -> list[Any]:
        """Entities of one kind (``indicators`` … ``places``) as :class:`~plangraph.browse.EntityRow`."""
        from .browse import entity_table

        self.check_plan(plan)
        return entity_table(self.dataset, kind, plan)

    def entity(self, iri: str) -> Any:
        """One entity's :class:`~plangraph.browse.EntityDetail` (UsageError if unknown)."""
        from .browse import entity_detail

        return entity_detail(self.dataset, iri)

    def sections(self, plan: str) -> list[Any]:
        """The plan's section tree with counts (:class:`~plangraph.planview.SectionNode`)."""
        from .planview import section_tree

        self.check_plan(plan)
        return section_tree(self.dataset, plan)

    def passage_context(self, passage_id: str, chars: int = 80) -> tuple[str, str]:
        """Text just before and just after a passage, from its plan's neighbouring passages."""
        from .browse import passage_context

        return passage_context(self.searcher.index.passages, passage_id, chars)

    def passage_filter(self, *, kinds: Sequence[str] = (), themes: Sequence[str] = (),
                       groups: Sequence[str] = ()) -> Callable[[str], bool] | None:
        """A ``predicate`` for :meth:`search`: passages stating an entity of one of
        ``kinds``, with a commitment on one of ``themes`` and one of ``groups``."""
        from .browse import passage_concepts, passage_filter

        def concepts_of() -> dict[str, frozenset[str]]:
            if self._concepts is None:
                self._concepts = passage_concepts(self.dataset)
            return self._concepts

        return passage_filter(self.entities_for, concepts_of, kinds=kinds, themes=themes, groups=groups)

    # -- search --------------------------------------------------------------------
    def _open_searcher(self) -> Any:
        from .encoders import get_encoder
        from .graph import passage_iri
        from .index import open_index
        from .search import Searcher

        encoders = [get_encoder(e) for e in self.manifest["encoders"]]
        index = open_index(self.path / SEARCH_DIR, encoders)
        return Searcher(index, encoders, entities_for=self.entities_for,
                        passage_iri=lambda p: str(passage_iri(p.plan_id, p.passage_id)),
                        plans=[PlanProfile.from_meta(p["meta"]) for p in self.plans()])

    @property
    def searcher(self) -> Any:
        """The :class:`~plangraph.search.Searcher`, opened once (callers racing for it
        wait for the one that opens it, a warm-up included)."""
        if self._searcher is None:
            with self._search_lock:
                if self._searcher is None:
                    self._searcher = self._open_searcher()
        return self._searcher

    def warm(self) -> None:
        """Open the search index and answer one short query, so that the encoders'
        models and the lexical index are loaded before the first real search.

        The searcher is published only once it has answered, so a search that starts
        meanwhile waits instead of loading the models a second time.

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
        """:meth:`warm` in a daemon thread, started once per workspace (later calls return
        the same thread). A failure is kept in :attr:`warm_error`, not raised: the first
        search meets the same problem and reports it as usual. ``delay_s`` lets a page
        that has just been sent draw before the loading competes with it for the CPU."""
        def run() -> None:
            try:
                if delay_s:
                    time.sleep(delay_s)
                self.warm()
            except Exception as exc:  # noqa: BLE001 - the first search raises it again
                self.warm_error = exc

        with self._search_lock:
            if self._warm_thread is None:
                self._warm_thread = threading.Thread(target=run, name=f"plangraph-warm-{self.path.name}",
                                                     daemon=True)
                self._warm_thread.start()
        return self._warm_thread

    def search(self, query: str, top_k: int = 10, *, plan: str | None = None,
               section: str | None = None, predicate: Callable[[str], bool] | None = None,
               per_plan: int | None = None, scoped: bool = True) -> list[Hit]:
        """The best passages for a question, with their plan, section, quote and entities
        (at most ``per_plan`` of any one plan when given; the plans the question is about
        first unless ``scoped`` is False, see :mod:`plangraph.scope`)."""
        return self.search_with_scope(query, top_k, plan=plan, section=section, predicate=predicate,
                                      per_plan=per_plan, scoped=scoped)[0]

    def search_with_scope(self, query: str, top_k: int = 10, *, plan: str | None = None,
                          section: str | None = None, predicate: Callable[[str], bool] | None = None,
                          per_plan: int | None = None, scoped: bool = True) -> tuple[list[Hit], Scope | None]:
        """:meth:`search`, and the scope that ranked the hits (None when all plans
        ranked alike)."""
        self.check_plan(plan)
        hits, scope = self.searcher.search_with_scope(query, top_k, plan=plan, section=section,
                                                      predicate=predicate, per_plan=per_plan, scoped=scoped)
        return list(hits), scope

    # -- export --------------------------------------------------------------------
    def export_rows(self, kind: str, plan: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Entity rows of one kind (``indicators``, ``projects`` …) as plain dicts, of
        every plan or of the one or several plans given."""
        from .export import export_rows

        self.check_plan(plan)
        return export_rows(self.dataset, kind, plan)

    def export(self, kind: str, fmt: str, dest: str | Path, plan: str | Sequence[str] | None = None) -> Path:
        """Write the entities of ``kind`` to ``dest`` in ``fmt``; returns the path.

        Tabular formats (csv, xlsx, json) get the rows; RDF formats (jsonld, ttl)
        get the entities' triples with their evidence.
        """
        from .export import export

        self.check_plan(plan)
        return Path(export(self.dataset, kind, fmt, dest, plan))

    # -- comparison and audit --------------------------------------------------------
    def compare(self, plan_a: str, plan_b: str, *, method: str | None = None,
                threshold: float | None = None) -> Any:
        """Compare two plans: aligned commitments, indicators side by side by concept
        (with national targets from the national plans in the index), and the cited
        documents of both that are plans of the index.

        What no threshold changes is kept, so asking again at another threshold is fast.

        Returns a :class:`plangraph.compare.PlanComparison`.
        """
        from .compare import METHODS
        from .comparison import ComparisonStore

        for p in (plan_a, plan_b):
            self.check_plan(p)
        if plan_a == plan_b:
            others = [p for p in self.plan_ids if p != plan_a]
            raise UsageError(f"compare needs two different plans, got {plan_a!r} twice",
                             hint=f"compare it with one of: {', '.join(others)}" if others else None)
        if method is not None and method not in METHODS:
            raise UsageError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
        if self._comparisons is None:
            self._comparisons = ComparisonStore(self)
        return self._comparisons.compare(plan_a, plan_b, method=method, threshold=threshold)

    def audit(self, plan: str) -> Any:
        """Check a plan against itself: stated totals against its project tables,
        targets stated twice, and the table cells ingestion flagged.

        Returns a :class:`plangraph.audit.AuditReport`.
        """
        from .comparison import audit_plan

        self.check_plan(plan)
        return audit_plan(self, plan)
