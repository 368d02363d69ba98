"""Change an index folder so that a kill at any moment leaves it as before or as after.

The order of a change (adding, replacing, removing plans):

1. Each new plan version is written to ``plans/.building-…`` and renamed to its shard
   ``plans/<ID>-<sha12>/`` (it holds the plan's graph as N-Triples); the search index of
   the new set of plans goes to ``search-<generation>/``. Nothing names them yet: a kill
   here leaves leftovers that the next opening removes.
2. One store transaction records the intent (the plans to replace and remove, the new
   generation) in the registry. From here on the change rolls forward: the plans'
   graphs are bulk-loaded from their shards, several plans at a time
   (:data:`LOAD_BATCH_BYTES`), then their registry records are replaced (a plan whose
   record does not name the new shard yet is loaded again), in one transaction with
   what the batch's plans state in the shared graph (what several plans may state)
   that the graph lacks; the lines only replaced or removed versions stated are
   deleted, batch by batch; a last transaction brings the cross-plan links to what the
   plans now call for, replaces the ontology graph if its files changed, and clears the
   intent. A change that loaded more than one batch (a build), or after which the store
   holds many table files not merged yet (:data:`COMPACT_MIN_FILES`), compacts it, so
   readers get the merged files and the next small change does not pay the merge.
3. The store is checkpointed to ``store/snapshots/<generation>-…`` and the manifest is
   rewritten atomically to name it. Readers go by the manifest only, so they see the
   old index until this rename and the new one after it.
4. Shards, search indexes and snapshots that the manifest no longer names are removed
   (the previous generation's are kept for readers that have not reopened yet).

Every writer calls :meth:`IndexWriter.recover` first: an intent left by a killed (or
stopped: a full disk) writer is rolled forward from the shards, a store newer than the
manifest is published, leftovers are removed. Readers never do (they never write): they
answer from the last published snapshot meanwhile. A writer refuses an index whose
store is missing or damaged (:mod:`plangraph.workspace.repair` rebuilds it from the
shards). ``PLANGRAPH_FAULT_AT=<step>`` kills the process at a named step (tests).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from plangraph.durable import recover
from plangraph.errors import DamagedIndexError, IndexStoreError, UsageError
from plangraph.graph.iris import plan_graph_iri, plan_iri
from plangraph.graph.store import INDEX_KEY, PRIMARY, SHARED_GRAPH, Change, GraphStore
from plangraph.graph.storecheck import damaged, store_problem
from plangraph.graph.storetext import ntriples_body
from plangraph.graph.vocab import ONTOLOGY_GRAPH, PG
from plangraph.resources import ONTOLOGY_FILES, ontology_dir
from plangraph.workspace.faults import fault_point
from plangraph.workspace.folder import (
    FORMAT,
    GRAPH_NT,
    PLANS_DIR,
    SHARED_NT,
    STORE_DIR,
    WRITING,
    published_manifest,
    read_manifest,
    write_manifest,
)
from plangraph.workspace.garbage import collect

SHARED_BATCH = 20_000
"""Lines of replaced or removed plan versions checked (and deleted) at a time."""
LOAD_BATCH_BYTES = 32 * 2**20
"""N-Triples bytes of plan graphs bulk-loaded at a time (10-20 plans of a build): one bulk
load has a fixed cost of about 0.2 s and Oxigraph's loader holds what it loads in memory
(about 1.4 kB a triple), so a batch this size keeps the writer near 300 MB
(``benchmarks/bench_store.py``)."""
COMPACT_MIN_FILES = 200
"""A change compacts the store when this many table files (and half as many as the last
compaction left) were written since that compaction: about 50 plans' bulk loads
(``benchmarks/bench_compaction.py``: lookups 1.3-1.5x faster at 50, 150 and 500 plans)."""


def ontology_ntriples() -> tuple[str, str]:
    """The ontology graph as N-Triples lines, and a hash of its files."""
    digest = hashlib.sha256()
    quads: list[Any] = []
    for name in ONTOLOGY_FILES:
        data = (ontology_dir() / name).read_bytes()
        digest.update(data)
        quads.extend(ox.parse(data, ox.RdfFormat.TURTLE))
    return ntriples_body(quads)[0], digest.hexdigest()[:16]


def _cited_links(registry: dict[str, dict[str, Any]]) -> set[str]:
    """Every ``pg:citedPlan`` link the registry's plans call for: a cited title that
    names exactly one plan of the index (see graph/links.py)."""
    by_key: dict[str, set[str]] = {}
    for pid, rec in registry.items():
        for key in rec.get("title_keys", []):
            by_key.setdefault(key, set()).add(pid)
    out = set()
    for pid, rec in registry.items():
        for doc, keys in rec.get("cites", {}).items():
            cited = {p for k in keys for p in by_key.get(k, ())}
            if len(cited) == 1:
                out.add(f"<{doc}> <{PG.citedPlan}> <{plan_iri(cited.pop())}> .")
    return out


class IndexWriter:
    """The one writer of an index folder (it holds the store's lock while open)."""

    def __init__(self, path: str | Path, *, wait_s: float = 10.0) -> None:
        """Open the index's primary store for writing, waiting up to ``wait_s`` for
        another writer to let go of it.

        Raises:
            DamagedIndexError: the index was published but its store is missing, damaged,
                or older than what was published (nothing is changed; see :mod:`plangraph.workspace.repair`).
            IndexStoreError: another writer still holds the store.
        """
        self.path = Path(path)
        recover(self.path)  # a format-2 build that died between its two renames
        self.path.mkdir(parents=True, exist_ok=True)
        published = published_manifest(self.path)
        deadline = time.monotonic() + wait_s
        while True:  # another writer may be finishing
            try:
                self.store = GraphStore.open_writer(self.path / STORE_DIR, create=published is None)
                break
            except DamagedIndexError:
                raise
            except IndexStoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        if published is not None:
            self._check_store(published)

    @classmethod
    def on_store(cls, path: Path, store: GraphStore) -> IndexWriter:
        """A writer of index ``path`` on a store opened elsewhere (a repair's new store)."""
        writer = cls.__new__(cls)
        writer.path, writer.store = Path(path), store
        return writer

    def _check_store(self, published: dict[str, Any]) -> None:
        """Refuse a store that cannot hold what the manifest published: one RocksDB
        cannot read, or one of an older generation (emptied or put back from a backup),
        which a change would make the index of, losing the plans it lacks."""
        primary = self.path / STORE_DIR / PRIMARY
        try:
            record = self.store.index_record()
            self.store.registry()
        except (OSError, RuntimeError, ValueError) as exc:
            self.close()
            raise damaged(primary, store_problem(exc)) from None
        have, want = int(record.get("generation", 0)), int(published.get("generation", 0))
        if have < want:
            self.close()
            raise damaged(primary, f"it holds generation {have} of the index, its manifest published {want}")

    def close(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            del self.store

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the change ------------------------------------------------------------

    def apply(self, replace: dict[str, dict[str, Any]], remove: list[str], index: dict[str, Any]) -> dict[str, Any]:
        """Replace the plans of ``replace`` (plan id → registry record naming its shard),
        remove those of ``remove``, and record ``index`` (search folder, encoders …);
        returns the new manifest."""
        generation = int(self.store.index_record().get("generation", 0)) + 1
        (self.path / STORE_DIR / WRITING).touch()
        registry = self.store.registry()
        # the versions being replaced or removed: what they put in the shared graph may go
        before = {pid: registry[pid]["shard"] for pid in [*replace, *remove] if pid in registry}
        pending = {"replace": replace, "remove": remove, "index": index, "generation": generation,
                   "before": before}
        self.store.commit(Change(records={INDEX_KEY: {**self.store.index_record(), "pending": pending}}))
        fault_point("intent-committed")
        batches = self.roll_forward()
        self.compact_if_due(large=batches > 1)
        return self._publish()

    def republish(self) -> dict[str, Any]:
        """Publish the store as it is as a new snapshot (for readers whose snapshot is
        damaged) and rewrite the manifest to name it; returns the manifest."""
        return self._publish()

    def roll_forward(self) -> int:
        """Carry out the change the store's intent records, from the shards (nothing
        when there is none); returns the number of batches of plans it bulk-loaded."""
        pending = self.store.index_record().get("pending")
        if not pending:
            return 0
        batches = 0
        todo: list[tuple[str, dict[str, Any]]] = []
        for pid, rec in pending["replace"].items():
            if self.store.record(pid).get("shard") == rec["shard"]:  # landed before a kill
                lines = self._shared(rec["shard"])
                insert = [(SHARED_GRAPH, t) for t in sorted(lines - self.store.held(SHARED_GRAPH, lines))]
                if insert:  # by a writer that added the shared lines last
                    self.store.commit(Change(insert=insert))
                continue
            todo.append((pid, rec))
        for batch in self._load_batches(todo):
            self.store.load_graphs([(str(plan_graph_iri(pid)), self.path / PLANS_DIR / rec["shard"] / GRAPH_NT)
                                    for pid, rec in batch])
            fault_point("graph-loaded")
            # what the plans state about shared nodes goes in with them, so that the
            # change never holds the shared lines of every plan at once
            lines = set().union(*(self._shared(rec["shard"]) for _, rec in batch))
            insert = [(SHARED_GRAPH, t) for t in sorted(lines - self.store.held(SHARED_GRAPH, lines))]
            self.store.commit(Change(records=dict(batch), insert=insert))  # the plans have landed
            fault_point("plan-committed")
            batches += 1
        for pid in pending["remove"]:
            if self.store.record(pid):
                self.store.commit(Change(graphs={str(plan_graph_iri(pid)): ""}, records={pid: None}))
                fault_point("plan-removed")
        change = self._shared_change(self.store.registry(), pending)
        last = self.store.index_record()
        record = {**pending["index"], "generation": pending["generation"], "compaction": last.get("compaction", {})}
        body, digest = ontology_ntriples()
        if last.get("ontology") != digest:
            change.graphs[str(ONTOLOGY_GRAPH)] = body
        record["ontology"] = digest
        change.records[INDEX_KEY] = record
        self.store.commit(change)
        fault_point("links-committed")
        return batches

    def _load_batches(self, plans: list[tuple[str, dict[str, Any]]]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """The plans to load, a batch at a time: as many as hold :data:`LOAD_BATCH_BYTES`
        of N-Triples between them (at least one)."""
        batch: list[tuple[str, dict[str, Any]]] = []
        size = 0
        for pid, rec in plans:
            nbytes = (self.path / PLANS_DIR / rec["shard"] / GRAPH_NT).stat().st_size
            if batch and size + nbytes > LOAD_BATCH_BYTES:
                yield batch
                batch, size = [], 0
            batch.append((pid, rec))
            size += nbytes
        if batch:
            yield batch

    def _shared(self, shard: str) -> set[str]:
        return {line for line in (self.path / PLANS_DIR / shard / SHARED_NT).read_text("utf-8").splitlines() if line}

    def _shared_change(self, registry: dict[str, dict[str, Any]], pending: dict[str, Any]) -> Change:
        """Delete from the shared graph what only the replaced or removed versions
        stated, and return the change of the cross-plan links (for the last
        transaction of the change).

        The plans' new lines went in as each plan landed. A line of a replaced or
        removed version goes only if no plan states it now: the lines of those
        versions are taken :data:`SHARED_BATCH` at a time, and only for a line that the
        new versions of those plans do not state are the other plans' files read. Each
        batch is deleted in a transaction of its own: a kill between them leaves the
        intent, and the next roll-forward works out the rest again. Without the record of
        the versions replaced (an older intent) or with one of their shards gone, the
        whole graph is recomputed from every plan's file.
        """
        before: dict[str, str] | None = pending.get("before")
        links = _cited_links(registry)
        current_links = self.store.lines_with(SHARED_GRAPH, str(PG.citedPlan))
        change = Change(delete=[(SHARED_GRAPH, t) for t in sorted(current_links - links)],
                        insert=[(SHARED_GRAPH, t) for t in sorted(links - current_links)])
        if before is None or not all((self.path / PLANS_DIR / shard).is_dir() for shard in before.values()):
            wanted = set(links)
            for rec in registry.values():
                wanted |= self._shared(rec["shard"])
            current = self.store.lines_of(SHARED_GRAPH)
            change.delete = [(SHARED_GRAPH, t) for t in sorted(current - wanted)]
            change.insert = [(SHARED_GRAPH, t) for t in sorted(wanted - current)]
            return change
        batch: set[str] = set()
        plans = list(before.items())
        for n, (pid, shard) in enumerate(plans):
            old = self._shared(shard)
            if pid in registry:  # replaced: most of its lines its new version states again
                old -= self._shared(registry[pid]["shard"])
            batch |= old
            if batch and (len(batch) >= SHARED_BATCH or n == len(plans) - 1):
                for rec in registry.values():
                    batch -= self._shared(rec["shard"])
                    if not batch:
                        break
                gone = batch - links
                if gone:
                    self.store.commit(Change(delete=[(SHARED_GRAPH, t) for t in sorted(gone)]))
                    fault_point("shared-deleted")
                batch = set()
        return change

    def compact_if_due(self, *, large: bool = False) -> None:
        """Merge the store's table files after a ``large`` change (several batches: its
        merge is part of its own work, not left to the next small change) or once enough
        were written since the last merge (:data:`COMPACT_MIN_FILES`, or half the files the
        last merge left, whichever is more), so that its cost is shared by the changes that
        made it due; the merge is recorded in the index record."""
        record = self.store.index_record()
        last = record.get("compaction", {})
        new = self.store.files(newer_than=int(last.get("last", 0)))
        if not new.count or (not large and new.count < max(COMPACT_MIN_FILES, int(last.get("files", 0)) // 2)):
            return
        t0 = time.perf_counter()
        self.store.compact()
        fault_point("compacted")
        after = self.store.files()
        record["compaction"] = {"files": after.count, "bytes": after.bytes, "last": after.last,
                                "seconds": round(time.perf_counter() - t0, 2)}
        self.store.commit(Change(records={INDEX_KEY: record}))

    def _publish(self) -> dict[str, Any]:
        record = self.store.index_record()
        generation = int(record.get("generation", 0))
        name = f"{generation:08d}-{time.strftime('%Y%m%dT%H%M%S')}"
        self.store.publish(name)
        fault_point("published")
        try:
            old = read_manifest(self.path)
        except IndexStoreError:
            old = {}
        manifest = manifest_from(self.store.registry(), record, f"{STORE_DIR}/snapshots/{name}")
        if old.get("generation") != generation:
            kept = {p["shard"] for p in manifest["plans"].values()}
            manifest["retired"] = sorted({p["shard"] for p in old.get("plans", {}).values()} - kept)
            manifest["previous_search"] = old.get("search") if old.get("search") != manifest["search"] else None
        else:  # the same generation published again (a repair): what the previous one still needs stays
            for key in ("retired", "previous_search"):
                if key in old:
                    manifest[key] = old[key]
        write_manifest(self.path, manifest)
        fault_point("manifest-written")
        (self.path / STORE_DIR / WRITING).unlink(missing_ok=True)
        self.collect_garbage(manifest)
        return manifest

    # -- opening -----------------------------------------------------------------

    def recover(self) -> bool:
        """Finish what a killed writer left and remove leftovers; True if the
        manifest was rewritten."""
        self.roll_forward()
        record = self.store.index_record()
        try:
            manifest = read_manifest(self.path)
        except IndexStoreError:
            manifest = None
        published = False
        if record.get("generation") and (manifest is None or manifest.get("generation") != record["generation"]
                                         or not (self.path / manifest["snapshot"]).is_dir()):
            manifest = self._publish()
            published = True
        (self.path / STORE_DIR / WRITING).unlink(missing_ok=True)
        if manifest is not None:
            self.collect_garbage(manifest)
        return published

    def collect_garbage(self, manifest: dict[str, Any]) -> None:
        """Remove what the manifest no longer names (:func:`plangraph.workspace.garbage.collect`)."""
        collect(self.path, manifest, self.store)


def manifest_from(registry: dict[str, dict[str, Any]], record: dict[str, Any], snapshot: str) -> dict[str, Any]:
    """The manifest of the index the registry describes (plans in their build order)."""
    order = sorted(registry, key=lambda p: (registry[p].get("order", 0), p))
    violations = sum(int(registry[p].get("shacl", {}).get("violations", 0)) for p in order)
    return {
        "format": FORMAT,
        "generation": record.get("generation", 0),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "snapshot": snapshot,
        "search": record.get("search"),
        "plans": {p: {k: registry[p][k] for k in ("file", "sha256", "shard", "input")} for p in order},
        "skipped": record.get("skipped", {}),
        "encoders": record.get("encoders", []),
        "sentence_level": record.get("sentence_level", "auto"),
        "clause_encoder": record.get("clause_encoder"),
        "counts": {p: registry[p].get("counts", {}) for p in order},
        "shacl": {"conforms": violations == 0, "violations": violations},
    }


def check_removable(registry: dict[str, Any], plans: list[str]) -> None:
    """UsageError for a plan id the index does not hold, or for removing every plan."""
    for p in plans:
        if p not in registry:
            raise UsageError(f"unknown plan {p!r}; choose one of: {', '.join(sorted(registry))}")
    if registry and set(plans) >= set(registry):
        raise UsageError("removing every plan would leave an empty index",
                         hint="delete the index folder instead")
