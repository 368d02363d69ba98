"""The on-disk graph store: one Oxigraph (RocksDB) store, one named graph per plan.

Layout of a store folder::

    primary/            the store, opened read-write by the one writer process
    snapshots/<name>/   checkpoints (hard links) taken by :meth:`GraphStore.publish`,
                        without the registry graph

Besides the plan graphs and the ontology graph, the store holds a registry graph
(``urn:plangraph:registry``): one JSON record per plan (its shard, input hash, counts,
title keys, SHACL outcome) and one record for the index as a whole. The registry
changes in the same transaction as the graphs it describes, so it is always true.

Why this shape (measured with pyoxigraph 0.5.13):

* pyoxigraph has no transaction context, but one :meth:`pyoxigraph.Store.update`
  request with several operations is one transaction. :meth:`GraphStore.commit` is
  therefore one request (drop the plan graphs, delete their records, insert the new
  data and records): a kill at any moment leaves the old or the new state.
  ``bulk_load`` is faster but not transactional: plan graphs go in with it
  (:meth:`GraphStore.load_graphs`, several plans at a time), and the records that say
  they landed are committed after it.
* ``Store.read_only`` on a folder another process writes to is undefined behaviour,
  and a read-only store never sees later commits. Readers therefore open a published
  checkpoint that nobody writes, and reopen when a newer one is published.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from plangraph.errors import IndexStoreError, UsageError
from plangraph.graph.engines import REGISTRY_GRAPH
from plangraph.graph.storecheck import damage, damaged, repair_hint, store_problem
from plangraph.graph.storetext import NQuadsReader
from plangraph.graph.vocab import GRAPH, PREFIXES

SHARED_GRAPH = str(GRAPH["shared"])
"""Triples about nodes several plans may state (cited documents, bodies, places) and
the ``pg:citedPlan`` links, each once."""
RECORD = "urn:plangraph:record"
INDEX_KEY = "urn:plangraph:index"
_PLAN_KEY = "urn:plangraph:plan:"
PRIMARY = "primary"
SNAPSHOTS = "snapshots"
KEEP_SNAPSHOTS = 3
"""Snapshots kept: the newest and two before it, for readers that have not reopened yet."""


def _plan_key(plan_id: str) -> str:
    return _PLAN_KEY + plan_id


def _iri(term: str) -> str:
    return str(ox.NamedNode(term))


def _record_triple(key: str, record: Mapping[str, Any]) -> str:
    text = ox.Literal(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return f"<{key}> <{RECORD}> {text} ."


@dataclass(frozen=True)
class StoreFiles:
    """The table files of a store folder: how many, their bytes, and the highest file
    number (RocksDB numbers new files upwards, so files above a number recorded earlier
    were written since)."""

    count: int
    bytes: int
    last: int


@dataclass
class Change:
    """What one :meth:`GraphStore.commit` does: replace or drop named graphs, rewrite
    registry records, add and delete single triples (the cross-plan links)."""

    graphs: dict[str, str] = field(default_factory=dict)
    """graph IRI → N-Triples body that replaces it ("" drops it)."""
    records: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    """plan id (or ``INDEX_KEY``) → its new record (None deletes it)."""
    delete: list[tuple[str, str]] = field(default_factory=list)
    """(graph IRI, N-Triples line) to delete."""
    insert: list[tuple[str, str]] = field(default_factory=list)
    """(graph IRI, N-Triples line) to insert."""

    def update_text(self) -> str:
        ops: list[str] = []
        for g in self.graphs:
            ops.append(f"DROP SILENT GRAPH {_iri(g)}")
        for key in self.records:
            subject = INDEX_KEY if key == INDEX_KEY else _plan_key(key)
            ops.append(f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {_iri(subject)} ?p ?o }} }}")
        if self.delete:
            body = "\n".join(f"GRAPH {_iri(g)} {{ {t} }}" for g, t in self.delete)
            ops.append(f"DELETE DATA {{ {body} }}")
        parts = [f"GRAPH {_iri(g)} {{\n{body}\n}}" for g, body in self.graphs.items() if body]
        parts += [f"GRAPH {_iri(g)} {{ {t} }}" for g, t in self.insert]
        records = [_record_triple(INDEX_KEY if k == INDEX_KEY else _plan_key(k), r)
                   for k, r in self.records.items() if r is not None]
        if records:
            parts.append(f"GRAPH <{REGISTRY_GRAPH}> {{\n" + "\n".join(records) + "\n}")
        if parts:
            ops.append("INSERT DATA {\n" + "\n".join(parts) + "\n}")
        return " ;\n".join(ops)


class GraphStore:
    """The graphs of an index in an Oxigraph store; open with :meth:`open_writer` or
    :meth:`open_snapshot`."""

    def __init__(self, root: Path, store: ox.Store, *, writable: bool, opened: Path) -> None:
        self.root = root
        self.writable = writable
        self.opened = opened
        self.store = store
        self._graphs: tuple[ox.NamedNode, ...] | None = None
        self._registry: dict[str, dict[str, Any]] | None = None

    @classmethod
    def open_writer(cls, root: str | os.PathLike[str], *, create: bool = True, folder: str = PRIMARY) -> GraphStore:
        """Open ``root/primary`` (or ``root/folder``) read-write (created if missing and ``create``).

        A folder without RocksDB's ``CURRENT`` is refused before RocksDB sees it: it would
        start a new, empty store there and the plans the old one held would be gone.

        Raises:
            IndexStoreError: another process holds the store (it is building), or the
                store is missing (``create`` False) or damaged (:class:`~plangraph.errors.DamagedIndexError`).
        """
        root = Path(root)
        primary = root / folder
        held = primary.is_dir() and any(primary.iterdir())
        if held and not (primary / "CURRENT").is_file():
            raise damaged(primary, f"{primary / 'CURRENT'} is missing")
        if not held:
            if not create:
                raise damaged(primary, f"graph store {primary} is {'empty' if primary.is_dir() else 'missing'}")
            primary.mkdir(parents=True, exist_ok=True)
        else:
            problem = damage(primary)
            if problem:
                raise damaged(primary, problem)
        try:
            store = ox.Store(str(primary))
        except OSError as exc:
            if "lock" not in str(exc).lower() or any(m in str(exc) for m in ("Read-only", "Permission denied")):
                raise  # not another writer: the caller says what (workspace.writer.changing)
            raise IndexStoreError(f"cannot open {primary} for writing: {exc}",
                                  hint="another plangraph process is writing this index; "
                                       "wait for it to finish") from None
        except RuntimeError as exc:  # RocksDB's corruption reports
            raise damaged(primary, store_problem(exc)) from None
        return cls(root, store, writable=True, opened=primary)

    @classmethod
    def open_snapshot(cls, snapshot: str | os.PathLike[str]) -> GraphStore:
        """Open a published snapshot read-only (nobody writes it, so this is safe
        beside a running writer).

        Raises:
            IndexStoreError: the snapshot is missing or unreadable.
        """
        path = Path(snapshot)
        if not path.is_dir():
            raise IndexStoreError(f"graph store snapshot {path} is missing", hint=repair_hint(path.parent.parent.parent))
        try:
            store = ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            raise IndexStoreError(f"cannot open graph store snapshot {path}: {store_problem(exc)}",
                                  hint=repair_hint(path.parent.parent.parent)) from None
        return cls(path.parent.parent, store, writable=False, opened=path)

    # -- reading -------------------------------------------------------------

    def registry(self) -> dict[str, dict[str, Any]]:
        """The record of every plan by plan id (the index record is :meth:`index_record`).

        Read from the store once (every plan's record: 0.08 s at 500 plans, which a change
        paid six times); :meth:`commit` keeps it in step with the records it writes, and
        each caller gets its own copy of each record.
        """
        if self._registry is None:
            out: dict[str, dict[str, Any]] = {}
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(RECORD), None,
                                                     ox.NamedNode(REGISTRY_GRAPH)):
                subject, value = quad.subject, quad.object
                if isinstance(subject, ox.NamedNode) and isinstance(value, ox.Literal) and \
                        subject.value.startswith(_PLAN_KEY):
                    out[subject.value[len(_PLAN_KEY):]] = json.loads(value.value)
            self._registry = out
        return {pid: dict(record) for pid, record in self._registry.items()}

    def record(self, plan_id: str) -> dict[str, Any]:
        """The record of one plan ({} if the store does not hold it): one index lookup,
        where :meth:`registry` reads every plan's."""
        for quad in self.store.quads_for_pattern(ox.NamedNode(_plan_key(plan_id)), ox.NamedNode(RECORD), None,
                                                 ox.NamedNode(REGISTRY_GRAPH)):
            if isinstance(quad.object, ox.Literal):
                return dict(json.loads(quad.object.value))
        return {}

    def index_record(self) -> dict[str, Any]:
        """The record of the index as a whole ({} for a new store)."""
        for quad in self.store.quads_for_pattern(ox.NamedNode(INDEX_KEY), ox.NamedNode(RECORD), None,
                                                 ox.NamedNode(REGISTRY_GRAPH)):
            if isinstance(quad.object, ox.Literal):
                return dict(json.loads(quad.object.value))
        return {}

    def graphs(self) -> tuple[ox.NamedNode, ...]:
        """The named graphs queries see: every graph but the registry."""
        if self._graphs is None:
            self._graphs = tuple(sorted((g for g in self.store.named_graphs()
                                         if isinstance(g, ox.NamedNode) and g.value != REGISTRY_GRAPH),
                                        key=lambda g: g.value))
        return self._graphs

    def count(self, graph: str) -> int:
        """Number of triples in one named graph."""
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def lines_of(self, graph: str) -> set[str]:
        """The triples of one named graph as N-Triples lines."""
        return {f"{q.subject} {q.predicate} {q.object} ."
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}

    def held(self, graph: str, lines: Iterable[str]) -> set[str]:
        """Those of the N-Triples ``lines`` that ``graph`` holds (index lookups: the
        cost follows the lines asked about, not the graph's size)."""
        g = ox.NamedNode(graph)
        out = set()
        for line in lines:
            for q in ox.parse(line.encode(), ox.RdfFormat.N_TRIPLES):
                if ox.Quad(q.subject, q.predicate, q.object, g) in self.store:
                    out.add(line)
        return out

    def lines_with(self, graph: str, predicate: str) -> set[str]:
        """The triples of one named graph with this predicate, as N-Triples lines."""
        return {f"{q.subject} {q.predicate} {q.object} ."
                for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.NamedNode(graph))}

    def dump(self, out: Any, fmt: str) -> None:
        """Write every graph but the registry as ``trig`` or ``nq`` to a binary file."""
        formats = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
        if fmt not in formats:
            raise UsageError(f"unknown graph format {fmt!r}; choose one of: {', '.join(formats)}")
        quads = (q for g in self.graphs() for q in self.store.quads_for_pattern(None, None, None, g))
        prefixes = None
        if fmt == "trig":
            prefixes = {k: str(v) for k, v in PREFIXES.items()}
        ox.serialize(quads, out, formats[fmt], prefixes=prefixes)

    # -- writing -------------------------------------------------------------

    def commit(self, change: Change) -> None:
        """Apply ``change`` in one transaction."""
        self._need_writer()
        text = change.update_text()
        if text:
            self.store.update(text)
        self._graphs = None
        if self._registry is not None:  # the records as the store now holds them (JSON, as read back)
            for key, record in change.records.items():
                if key == INDEX_KEY:
                    continue
                if record is None:
                    self._registry.pop(key, None)
                else:
                    self._registry[key] = json.loads(json.dumps(record, ensure_ascii=False, sort_keys=True))

    def load_graphs(self, files: Sequence[tuple[str, Path]]) -> None:
        """Make each named graph hold exactly the triples of its N-Triples file, with
        one run of Oxigraph's bulk loader for all of them (3-4x faster than a SPARQL
        INSERT DATA of the same triples).

        One bulk load writes one table file per index and ingests them, whatever it
        holds: about 0.2 s of its own, which loading plans one by one paid for each
        plan (and left RocksDB a set of overlapping files per plan). The files' triples
        go in as N-Quads naming their graphs (:func:`plangraph.graph.storetext.as_nquads`), read one file at a
        time. A graph the store already holds is dropped first; a graph it lacks (every
        graph of a new plan) needs no ``DROP`` (a lookup says which).

        Not atomic: a kill in between leaves graphs partly loaded in the primary store.
        Readers never see that (they read published snapshots), and the writer's
        roll-forward loads a plan's graph again until its registry record, committed
        after this, names the new version.
        """
        self._need_writer()
        held = [g for g, _ in files if self.store.contains_named_graph(ox.NamedNode(g))]
        if held:
            self.store.update(" ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in held))
        if files:
            self.store.bulk_load(input=io.BufferedReader(NQuadsReader(files), 2**20), format=ox.RdfFormat.N_QUADS,
                                 lenient=True)
        self._graphs = None

    def flush(self) -> None:
        """Write the store's in-memory tables to disk (and free them)."""
        self.store.flush()

    def files(self, newer_than: int = 0) -> StoreFiles:
        """The table files (RocksDB SSTs) of the store folder numbered above
        ``newer_than`` (all of them by default), and the highest number of all."""
        count, size, last = 0, 0, 0
        for entry in os.scandir(self.opened):
            if entry.name.endswith(".sst") and entry.name[:-4].isdigit():
                try:
                    nbytes = entry.stat().st_size
                except FileNotFoundError:  # merged away by RocksDB's background compaction
                    continue
                number = int(entry.name[:-4])
                last = max(last, number)
                if number > newer_than:
                    count, size = count + 1, size + nbytes
        return StoreFiles(count, size, last)

    def compact(self) -> None:
        """Merge the store's table files (a RocksDB full compaction of every index).

        Each bulk-loaded plan adds a table file per index that overlaps the others, so a
        point lookup consults more files as plans are added; merging them made lookups
        1.3-1.5x and named queries on the store 1.3-2.4x faster at 50, 150 and 500 plans
        (``benchmarks/bench_compaction.py``).
        Crash-safe as RocksDB is: the merged files replace the old ones in one manifest
        write. The old files stay on disk while a published snapshot links them.
        """
        self._need_writer()
        self.store.optimize()

    def publish(self, name: str) -> Path:
        """Checkpoint the primary store to ``snapshots/<name>`` (hard links) for readers,
        and delete all but the newest :data:`KEEP_SNAPSHOTS` snapshots."""
        self._need_writer()
        self.store.flush()
        folder = self.root / SNAPSHOTS
        folder.mkdir(exist_ok=True)
        target = folder / name
        if target.exists():  # a publish that died before its manifest named it
            shutil.rmtree(target)
        self.store.backup(str(target))
        # Readers never need the registry, and with it present a query engine must name
        # every other graph as the default graph instead of using Oxigraph's union, which
        # was 30x slower at 50 plans (indicator-across-plans: 14 s against 0.4 s).
        snapshot = ox.Store(str(target))
        snapshot.update(f"DROP SILENT GRAPH <{REGISTRY_GRAPH}>")
        snapshot.flush()
        del snapshot
        return target

    def prune_snapshots(self, keep: Sequence[str]) -> None:
        """Delete snapshots not named in ``keep``."""
        folder = self.root / SNAPSHOTS
        if folder.is_dir():
            for old in folder.iterdir():
                if old.name not in keep:
                    shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        """Release the store (and the writer's lock)."""
        del self.store

    def _need_writer(self) -> None:
        if not self.writable:
            raise UsageError("this graph store was opened read-only")
