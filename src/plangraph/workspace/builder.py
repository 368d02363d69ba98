"""Build, grow and shrink an index folder: ingest, extract, graph, search index.

Work is per plan and by content: a plan file (with its sidecar) whose hash and build
options match the shard already in the index costs nothing; a new or changed plan is
extracted, turned into its graph, validated with SHACL (its graph with the ontology)
and written to its own shard; then :class:`plangraph.workspace.writer.IndexWriter`
swaps the changes in so that a kill leaves the index as before or as after.

One broken plan (unreadable, too large, failing in a later stage) is reported in
:attr:`BuildSummary.failures` and skipped; the others land.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS

from plangraph.errors import InputError, PlanGraphError, describe_exception
from plangraph.graph.browse import passage_concepts
from plangraph.graph.iris import plan_iri
from plangraph.graph.store import INDEX_KEY, Change
from plangraph.graph.storetext import split_shared
from plangraph.graph.views import plan_views, stamped, views_digest
from plangraph.ingest.docjson import plan_to_json
from plangraph.ingest.metadata import input_hash
from plangraph.ingest.pipeline import find_plan_files, ingest_file
from plangraph.model import Passage, PlanDoc
from plangraph.search.encoders import get_encoder
from plangraph.search.lexical_index import char_pairs
from plangraph.search.write.build import update_index
from plangraph.search.write.embedding import Embedder, default_workers
from plangraph.search.write.plan_shard import embed_text
from plangraph.text import sentence_spans, title_key
from plangraph.workspace.clausefile import clause_encoder_for, write_clauses
from plangraph.workspace.faults import changing, fault_point, is_disk_full
from plangraph.workspace.folder import (
    CACHE_DIR,
    CONCEPTS_FILE,
    ENTITIES_FILE,
    GRAPH_NT,
    PASSAGES_FILE,
    PLAN_FILE,
    PLANS_DIR,
    SEARCH_DIR,
    SEARCH_SHARDS,
    SHARED_NT,
    TEXT_FILE,
    VIEWS_FILE,
    default_index,
    read_manifest,
    write_shard,
)
from plangraph.workspace.freshviews import refresh_views
from plangraph.workspace.planpool import PLAN_TIME_LIMIT_S, hang_point, plan_results
from plangraph.workspace.reviews import Decisions, decisions_for, with_decisions
from plangraph.workspace.writer import IndexWriter, check_removable, ontology_ntriples

PIPELINE_VERSION = "7"
"""Part of every shard's name: bump it when ingest, extract or the graph change output."""


@dataclass(frozen=True)
class BuildSummary:
    """What :func:`build`, :func:`add` or :func:`remove` did, for people and the benchmark.

    ``plans`` are the plans of the index afterwards; ``added``, ``replaced``,
    ``removed`` and ``unchanged`` say what happened to each.
    """

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
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    views_refreshed: tuple[str, ...] = ()
    """Plans whose stored rows of a named query were made again, without rebuilding
    the plan, because the query's text changed (:mod:`plangraph.workspace.freshviews`)."""


def _shard_name(plan_id: str, source_hash: str, options: dict[str, Any]) -> str:
    key = json.dumps([source_hash, PIPELINE_VERSION, options], sort_keys=True)
    return f"{plan_id}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


@lru_cache(maxsize=1)
def _ontology_ntriples() -> bytes:
    """The ontology graph as the store holds it (the writer's N-Triples), for the plan's views."""
    return ontology_ntriples()[0].encode()


def _index_plan(shard_dir: Path, doc: PlanDoc, commitments: list[dict[str, Any]], clause_encoder: str) -> None:
    """The passages of a plan's shard, from which :func:`_search_index` makes the
    plan's search shard (embedding happens there, a chunk of plans at a time, so that
    encoders get full batches and the embedding can go to workers or a Dask cluster),
    and its commitment clauses with their vectors (:mod:`plangraph.workspace.clausefile`)."""
    rows = [dataclasses.asdict(p) for p in doc.passages]
    (shard_dir / PASSAGES_FILE).write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    write_clauses(shard_dir, doc.plan_id, commitments, doc.original, clause_encoder, doc.passages)


def _search_texts(doc: PlanDoc) -> None:
    """The search stage's work on this plan's text alone (its sentences, the text each
    encoder embeds, its lexical terms), done here once on the plan's worker so that a
    plan whose text breaks it fails alone, like a plan failing in ingest or extraction:
    the search stage itself works on many plans together (embedding in chunks, one
    lexical commit), where one plan's exception would stop the build. About 60 ms for
    the 113 KB Lin'an plan."""
    # looked up when a plan is built, so that a test can make one plan's text fail here
    from plangraph.search.lexical import tokenize

    for passage in doc.passages:
        sentence_spans(passage.content)
        embed_text(passage)
        tokenize(passage.content)
        char_pairs(passage.content)


def _plan_shard(index: Path, doc: PlanDoc, source_hash: str, options: dict[str, Any],
                decisions: Decisions | None = None) -> dict[str, Any]:
    """Extract, graph, validate and write one plan's shard; returns its registry record
    (without its ``order``, which the caller knows). ``decisions`` are the reviewers'
    on the plan's indicator ties (:mod:`plangraph.workspace.reviews`)."""
    # looked up when a plan is built, so that a test can make one plan fail in a stage
    from plangraph.extract.pipeline import extract
    from plangraph.graph.build import add_plan, new_dataset, passage_entities
    from plangraph.graph.export import export_rows
    from plangraph.graph.ontology import validate_ntriples

    ex = extract(doc)
    _search_texts(doc)
    ds = new_dataset()
    g = add_plan(ds, doc, ex, decisions)
    nt = g.serialize(format="nt", encoding="utf-8")
    local, shared = split_shared(ox.parse(nt, ox.RdfFormat.N_TRIPLES), doc.plan_id)
    # SHACL sees the plan with the ontology, as the text pyshacl-turbo parses natively
    report = validate_ntriples(nt.decode("utf-8") + "\n" + _ontology_ntriples().decode("utf-8"),
                               len(g) + _ontology_ntriples().count(b"\n") + 1)
    entities = {pid: [[e.iri, e.kind, e.label] for e in refs] for pid, refs in passage_entities(ds).items()}
    concepts = {pid: sorted(keys) for pid, keys in passage_concepts(ds).items()}
    views = stamped(plan_views("\n".join(local + shared).encode(), _ontology_ntriples()))
    info = {k: v for k, v in plan_to_json(doc).items()
            if k in ("plan", "meta", "counts", "findings", "format", "pages", "ocr")}
    plan = plan_iri(doc.plan_id)
    cites = {str(d): sorted({k for t in g.objects(d, DCTERMS.title) if (k := title_key(str(t)))})
             for d in g.objects(plan, DCTERMS.references)}
    name = _shard_name(doc.plan_id, source_hash, options)
    files = {PLAN_FILE: json.dumps(info, ensure_ascii=False, indent=1).encode(),
             ENTITIES_FILE: json.dumps(entities, ensure_ascii=False).encode(),
             CONCEPTS_FILE: json.dumps(concepts, ensure_ascii=False).encode(),
             VIEWS_FILE: json.dumps(views, ensure_ascii=False).encode(),
             GRAPH_NT: "\n".join(local).encode(), SHARED_NT: "\n".join(shared).encode(),
             # the text every offset indexes: for an HTML, Word or PDF plan it exists only here
             TEXT_FILE: doc.original.encode("utf-8")}
    commitments = export_rows(ds, "commitments", doc.plan_id)  # their clauses' vectors, the plan's own work
    write_shard(index, name, files, lambda d: _index_plan(d, doc, commitments, options["clause_encoder"]))
    return {
        "plan_id": doc.plan_id, "shard": name, "file": doc.meta.source_file, "path": str(Path(doc.meta.source_file).resolve()),
        "sha256": doc.meta.sha256, "input": source_hash, "triples": len(local), "counts": ex.counts(),
        "title_keys": sorted({k for t in g.objects(plan, DCTERMS.title) if (k := title_key(str(t)))}),
        "cites": cites,
        "shacl": {"conforms": report.conforms, "violations": len(report.violations),
                  "first": [str(v) for v in report.violations[:5]]},
    }


def _plan_task(args: tuple[Path, Path, str, dict[str, Any]]) -> tuple[str, Any]:
    """Ingest one plan file and write its shard (in a worker process or this one):
    ``("ok", record)``, or ``("error", message)`` for a plan that cannot be built."""
    index, path, source_hash, options = args
    fault_point(f"building:{path.name}")
    hang_point(f"building:{path.name}")
    try:
        doc = ingest_file(path)
        decisions = decisions_for(path, doc.plan_id)  # the review file beside the plan
        return "ok", _plan_shard(index, doc, with_decisions(source_hash, decisions), options, decisions)
    except PlanGraphError as exc:
        return "error", exc.message if path.name in exc.message else f"{path}: {exc.message}"
    except Exception as exc:  # noqa: BLE001  one bad plan never stops the others, whatever it raises
        # (RecursionError, MemoryError, a parser library's own exception on close, a bug in a stage)
        if is_disk_full(exc):  # but a full disk stops them all: no plan is at fault
            raise
        return "error", f"{path}: {describe_exception(exc)[0]}"


def _passages_of(index: Path, shard: str) -> list[Passage]:
    rows = json.loads((index / PLANS_DIR / shard / PASSAGES_FILE).read_text("utf-8"))
    return [Passage(**{**row, "section_path": tuple(row["section_path"])}) for row in rows]


def _search_index(index: Path, generation: int, shards: dict[str, str], changed: set[str], encoders: Sequence[Any],
                  sentence_level: str, hashes: dict[str, str], progress: bool,
                  previous: str | None = None, workers: int | None = None,
                  scheduler: str | None = None) -> tuple[str, Any]:
    """The search index of the plans of ``shards`` (plan id → graph shard, in order),
    as a new generation: the search shards and lexical documents of plans not in
    ``changed`` are taken from the ``previous`` generation unread, and only new text
    is embedded, on worker processes."""
    name = f"{SEARCH_DIR}/{generation:08d}"
    (index / SEARCH_DIR).mkdir(exist_ok=True)
    plans = [(pid, lambda shard=shard: _passages_of(index, shard), pid not in changed)
             for pid, shard in shards.items()]
    with Embedder(workers or default_workers(), scheduler, progress=progress) as embedder:
        rep = update_index(plans, index / name, encoders, sentence_level=sentence_level, corpus_hashes=hashes,
                           cache_dir=index.parent / CACHE_DIR, progress=progress, embedder=embedder,
                           previous=index / previous if previous else None, shard_pool=index / SEARCH_SHARDS)
    fault_point("search-written")
    return name, rep


def _run(out: Path, files: list[Path], *, remove_missing: bool, remove_ids: Sequence[str] = (),
         encoders: Sequence[str], sentence_level: str, progress: bool,
         embedding: dict[str, Any] | None = None, clause_encoder: str | None = None,
         unreadable: Sequence[tuple[str, str]] = ()) -> BuildSummary:
    embedding = embedding or {}  # workers, scheduler, device
    chosen = [get_encoder(e, device=embedding.get("device")) for e in encoders]  # unknown names fail first
    get_encoder(clause_encoder := clause_encoder or clause_encoder_for(encoders))  # so does the clauses' one
    options = {"encoders": list(encoders), "sentence_level": sentence_level, "clause_encoder": clause_encoder}
    seconds: dict[str, float] = {}
    failures: list[tuple[str, str]] = list(unreadable)  # inputs that are no plan file (missing, loops)
    with IndexWriter(out) as writer:
        writer.recover()
        registry = writer.store.registry()
        index_record = writer.store.index_record()
        by_path = {rec.get("path"): pid for pid, rec in registry.items()}
        next_order = max((int(r.get("order", 0)) for r in registry.values()), default=-1) + 1
        replace: dict[str, dict[str, Any]] = {}
        seen: dict[str, str] = {}
        kept: set[str] = set()
        t0 = time.perf_counter()
        tasks: list[tuple[Path, Path, str, dict[str, Any]]] = []
        orders: list[int] = []  # the place of each task's file among the inputs
        for order, path in enumerate(files):
            old = by_path.get(str(path.resolve()))
            try:
                source_hash = input_hash(path)
                reviewed = with_decisions(source_hash, decisions_for(path, old)) if old is not None else source_hash
            except OSError as exc:
                failures.append((str(path), f"{path}: {describe_exception(exc)[0]}"))
                continue
            except PlanGraphError as exc:  # a broken review file: this plan is reported, the rest build
                failures.append((str(path), exc.message))
                continue
            if old is not None and registry[old]["input"] == reviewed and \
                    registry[old]["shard"] == _shard_name(old, registry[old]["input"], options):
                kept.add(old)
                seen[old] = str(path)
                continue
            tasks.append((out, path, source_hash, options))
            orders.append(order)
        results = plan_results(_plan_task, tasks, workers=embedding.get("workers") or default_workers(),
                               progress=progress, name=lambda task: str(task[1]),
                               time_limit_s=embedding.get("plan_time_limit") or PLAN_TIME_LIMIT_S)
        for order, (_, path, _, _), (status, value) in zip(orders, tasks, results):
            if status == "error":
                failures.append((str(path), value))
                continue
            pid = value["plan_id"]
            if pid in seen:
                failures.append((str(path), f"{path}: plan id {pid!r} is already used by {seen[pid]}; "
                                 "give one of them a sidecar with a different id"))
                continue
            seen[pid] = str(path)
            value["order"] = registry[pid]["order"] if pid in registry else \
                (order if remove_missing else next_order + order)
            replace[pid] = value
            fault_point("shard-written")
        seconds["plans"] = time.perf_counter() - t0
        failed_paths = {_resolved(f) for f, _ in failures}
        remove = [pid for pid in registry if pid in remove_ids or (
            remove_missing and pid not in seen and pid not in replace and registry[pid].get("path") not in failed_paths)]
        final = {pid: (replace.get(pid) or registry[pid]) for pid in registry if pid not in remove} | replace
        if not final:
            detail = "; ".join(m for _, m in failures) or "no plan files given"
            raise InputError(f"no plan could be ingested ({detail})")
        t0 = time.perf_counter()  # the kept plans' stored rows of named queries whose text changed
        refreshed, unrefreshed = refresh_views(out, {p: final[p]["shard"] for p in final if p not in replace},
                                               workers=embedding.get("workers") or default_workers(),
                                               progress=progress, recorded=index_record.get("views"))
        if refreshed or unrefreshed:
            seconds["views"] = time.perf_counter() - t0
        views = None if unrefreshed else views_digest()  # no plan's rows stale: the next change reads none
        same_options = {k: index_record.get(k) for k in options} == options
        embedded: dict[str, int] = {}
        reused: dict[str, int] = {}
        sentences: dict[str, int] = {}
        if replace or remove or not same_options or not index_record.get("search"):
            generation = int(index_record.get("generation", 0)) + 1
            t0 = time.perf_counter()
            ordered = sorted(final, key=lambda p: (final[p]["order"], p))
            changed = set(replace) if same_options else set(final)
            search, rep = _search_index(out, generation, {p: final[p]["shard"] for p in ordered}, changed, chosen,
                                        sentence_level, {p: final[p]["sha256"] for p in ordered}, progress,
                                        index_record.get("search"), embedding.get("workers"),
                                        embedding.get("scheduler"))
            embedded, reused, sentences = dict(rep.embedded), dict(rep.reused), dict(rep.sentences_embedded)
            seconds["index"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            skipped = {f: m for f, m in failures}
            writer.apply(replace, remove, {**options, "search": search, "skipped": skipped, "views": views})
            seconds["store"] = time.perf_counter() - t0
        elif index_record.get("views") != views:  # rows refreshed, nothing else changed
            writer.store.commit(Change(records={INDEX_KEY: {**index_record, "views": views}}))
        registry = writer.store.registry()
    plans = sorted(registry, key=lambda p: (registry[p].get("order", 0), p))
    violations = tuple(v for p in replace for v in replace[p]["shacl"]["first"])[:20]
    return BuildSummary(
        out, tuple(plans), tuple(failures), {p: registry[p]["counts"] for p in plans},
        all(registry[p]["shacl"]["conforms"] for p in plans), violations, embedded, reused, seconds, sentences,
        added=tuple(p for p in replace if p not in kept and p not in by_path.values()),
        replaced=tuple(p for p in replace if p in by_path.values()),
        removed=tuple(remove), unchanged=tuple(p for p in plans if p not in replace),
        views_refreshed=refreshed)


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (RuntimeError, OSError):  # a symbolic link loop: it was never a plan of the index
        return str(Path(path).absolute())


def build(paths: Iterable[str | Path], out_dir: str | Path | None = None, *,
          encoders: Sequence[str] = ("e5", "use"), sentence_level: str = "auto",
          progress: bool = True, workers: int | None = None, scheduler: str | None = None,
          device: str | None = None, plan_time_limit: float | None = None,
          clause_encoder: str | None = None) -> BuildSummary:
    """Make the index hold exactly the plans of ``paths`` (files or folders), doing
    only what changed: new and changed plans are built, plans whose file is no longer
    among the inputs are removed (a plan whose file fails to read now is kept).
    ``workers`` (default: one per core, at most 4) is how many processes build plans
    side by side and embed texts; ``scheduler`` (a Dask address or ``local``) sends
    the embedding to a Dask cluster instead; ``device`` (``cuda``) is for ``st:`` encoders;
    ``plan_time_limit`` is the seconds one plan may take on a worker before it is stopped
    and reported (default :data:`~plangraph.workspace.planpool.PLAN_TIME_LIMIT_S`);
    ``clause_encoder`` makes the commitment clause vectors (default: ``clause_encoder_for(encoders)``).

    Raises:
        InputError: no plan at all could be ingested.
    """
    out = Path(out_dir) if out_dir else default_index()
    files, unreadable = find_plan_files(list(paths))
    with changing(out):  # a full disk: an error naming the folder, and the index as it was
        return _run(out, files, remove_missing=True, encoders=encoders, sentence_level=sentence_level,
                    progress=progress, embedding={"workers": workers, "scheduler": scheduler, "device": device,
                                                  "plan_time_limit": plan_time_limit},
                    clause_encoder=clause_encoder, unreadable=[(f.path, f.error.message) for f in unreadable])


def add(paths: Iterable[str | Path], out_dir: str | Path | None = None, *,
        encoders: Sequence[str] | None = None, sentence_level: str | None = None,
        progress: bool = True, workers: int | None = None, plan_time_limit: float | None = None) -> BuildSummary:
    """Add plans to an index, or replace those whose file changed (the others stay).
    Encoders and sentence level default to the index's own; ``workers`` and
    ``plan_time_limit`` as for :func:`build`."""
    out = Path(out_dir) if out_dir else default_index()
    manifest = read_manifest(out) if (out / "manifest.json").exists() else {}
    files, unreadable = find_plan_files(list(paths))
    with changing(out):
        return _run(out, files, remove_missing=False,
                    encoders=encoders or manifest.get("encoders") or ("e5", "use"),
                    sentence_level=sentence_level or manifest.get("sentence_level", "auto"), progress=progress,
                    embedding={"workers": workers, "plan_time_limit": plan_time_limit},
                    clause_encoder=manifest.get("clause_encoder"), unreadable=[(f.path, f.error.message) for f in unreadable])


def remove(plans: Sequence[str], out_dir: str | Path | None = None, *, progress: bool = True) -> BuildSummary:
    """Remove plans (by id) from an index.

    Raises:
        UsageError: a plan id the index does not hold, or every plan of it.
    """
    out = Path(out_dir) if out_dir else default_index()
    manifest = read_manifest(out)
    with changing(out):
        with IndexWriter(out) as writer:
            writer.recover()
            check_removable(writer.store.registry(), list(plans))
        return _run(out, [], remove_missing=False, remove_ids=plans, encoders=manifest["encoders"],
                    sentence_level=manifest.get("sentence_level", "auto"), progress=progress,
                    clause_encoder=manifest.get("clause_encoder"))
