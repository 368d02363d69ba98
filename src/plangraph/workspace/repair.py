"""Mend an index folder without building anything again: finish a change that a writer
left (killed, or stopped by a full disk), or rebuild a missing or damaged graph store
from the plans' shards.

Each shard holds what the store needs of its plan: ``graph.nt`` (the plan's graph),
``shared.nt`` (what it states about nodes other plans may state too) and ``plan.json``;
the manifest names the shards and the search index, which stays as it is. Nothing is
extracted or embedded again. The plan's registry record (title keys, citations, SHACL
outcome) is worked out again from its graph, so the next ``build`` or ``add`` goes on
from the repaired store as from a built one.

A rebuild writes the new store beside the old one (``store/.building-primary``), then
moves the damaged store aside (``store/primary.damaged-<time>``, to be deleted once the
index answers again) and the new one in, and publishes a snapshot; a kill on the way
leaves the index as it was, and running the repair again starts over. A change that a
writer had not published when the store was damaged is not in the rebuilt store (it is
not in the manifest either): run that command again.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS

from plangraph.durable import recover
from plangraph.errors import DamagedIndexError, IndexStoreError
from plangraph.graph.build import new_dataset
from plangraph.graph.iris import plan_graph_iri, plan_iri
from plangraph.graph.ontology import validate
from plangraph.graph.store import INDEX_KEY, PRIMARY, Change, GraphStore
from plangraph.graph.vocab import ONTOLOGY_GRAPH
from plangraph.text import title_key
from plangraph.workspace.faults import changing
from plangraph.workspace.folder import (
    BUILDING,
    GRAPH_NT,
    PLANS_DIR,
    SHARED_NT,
    STORE_DIR,
    WRITING,
    default_index,
    fsync_path,
    read_manifest,
    unfinished_change,
)
from plangraph.workspace.writer import IndexWriter, ontology_ntriples

REBUILDING = f"{BUILDING}{PRIMARY}"
"""Where a rebuild writes the new store, beside the damaged one."""


@dataclass(frozen=True)
class RepairReport:
    """What :func:`repair` did: ``rebuilt`` the store from the shards (the damaged one
    moved to ``set_aside``), ``finished`` a change a writer left, ``republished`` a
    snapshot readers could not open; nothing of these when the index was whole."""

    index: Path
    plans: tuple[str, ...]
    rebuilt: bool = False
    finished: bool = False
    republished: bool = False
    set_aside: Path | None = None
    problem: str | None = None
    """What was wrong with the store that was rebuilt."""


def repair(index: str | Path | None = None) -> RepairReport:
    """Finish what a writer left unfinished in ``index``, or rebuild its graph store
    from the plans' shards when it is missing or damaged; then make sure readers have
    a snapshot they can open.

    Raises:
        IndexStoreError: no published index there (nothing to repair from: build it), a
            shard the manifest names is missing, another writer is at work, or the disk
            is full.
    """
    out = Path(index) if index else default_index()
    recover(out)  # a format-2 build that died between its two renames
    manifest = read_manifest(out)
    missing = [s for s in (p["shard"] for p in manifest["plans"].values())
               if not (out / PLANS_DIR / s / GRAPH_NT).is_file()]
    if missing:
        raise IndexStoreError(f"index {out}: cannot repair it, shard(s) {', '.join(missing)} are missing from "
                              f"{out / PLANS_DIR}", hint="build it again from the plan files: plangraph build")
    with changing(out):
        unfinished = unfinished_change(out) is not None
        try:
            writer = IndexWriter(out, wait_s=0)
        except DamagedIndexError as exc:
            return _rebuild(out, manifest, exc.problem)
        with writer:
            published = writer.recover()
            manifest = read_manifest(out)
            republished = False
            if not published and not _opens(out / manifest["snapshot"]):
                writer.republish()
                republished = True
        return RepairReport(out, tuple(read_manifest(out)["plans"]), finished=unfinished,
                            republished=republished or (published and not unfinished))


def _opens(snapshot: Path) -> bool:
    try:
        store = GraphStore.open_snapshot(snapshot)
    except IndexStoreError:
        return False
    store.close()
    return True


def _rebuild(out: Path, manifest: dict[str, Any], problem: str) -> RepairReport:
    store_dir = out / STORE_DIR
    new = store_dir / REBUILDING
    shutil.rmtree(new, ignore_errors=True)  # a repair that was stopped starts over
    store = GraphStore.open_writer(store_dir, folder=REBUILDING)
    try:
        writer = IndexWriter.on_store(out, store)
        replace = {pid: plan_record(out, pid, plan, manifest, order)
                   for order, (pid, plan) in enumerate(manifest["plans"].items())}
        index = {k: manifest.get(k) for k in ("search", "skipped", "encoders", "sentence_level", "clause_encoder")}
        # the change a build would have made from an empty store, rolled forward as one
        pending = {"replace": replace, "remove": [], "index": index, "generation": manifest["generation"],
                   "before": {}}
        store.commit(Change(records={INDEX_KEY: {"pending": pending}}))
        writer.compact_if_due(large=writer.roll_forward() > 1)  # merged, as after a build
        store.flush()
    finally:
        store.close()
    primary = store_dir / PRIMARY
    aside = None
    if primary.exists():
        aside = store_dir / f"{PRIMARY}.damaged-{time.strftime('%Y%m%dT%H%M%S')}"
        primary.rename(aside)
    new.rename(primary)
    fsync_path(store_dir)
    (store_dir / WRITING).unlink(missing_ok=True)  # the change it marked is in the store it replaced
    with IndexWriter(out, wait_s=0) as writer:
        writer.republish()
    return RepairReport(out, tuple(manifest["plans"]), rebuilt=True, set_aside=aside, problem=problem)


def plan_record(out: Path, pid: str, plan: dict[str, Any], manifest: dict[str, Any], order: int) -> dict[str, Any]:
    """A plan's registry record as the build wrote it, from its shard and the manifest:
    its triples, the title keys of its title and of the documents it cites, and its
    SHACL outcome (validated again with the ontology, as the build did)."""
    shard = out / PLANS_DIR / plan["shard"]
    local = (shard / GRAPH_NT).read_text("utf-8")
    shared = (shard / SHARED_NT).read_text("utf-8") if (shard / SHARED_NT).is_file() else ""
    ds = new_dataset()
    g = ds.graph(plan_graph_iri(pid))
    g.parse(data=local + "\n" + shared, format="nt")
    ontology = Graph()
    ontology.parse(data=ontology_ntriples()[0], format="nt")
    ds.graph(ONTOLOGY_GRAPH).__iadd__(ontology)
    report = validate(ds)
    me = plan_iri(pid)
    keys = sorted({k for t in g.objects(me, DCTERMS.title) if (k := title_key(str(t)))})
    cites = {str(d): sorted({k for t in g.objects(d, DCTERMS.title) if (k := title_key(str(t)))})
             for d in g.objects(me, DCTERMS.references)}
    triples = sum(1 for _ in ox.parse(local.encode(), ox.RdfFormat.N_TRIPLES))
    return {
        "plan_id": pid, "shard": plan["shard"], "file": plan["file"], "path": str(Path(plan["file"]).resolve()),
        "sha256": plan["sha256"], "input": plan["input"], "triples": triples,
        "counts": manifest.get("counts", {}).get(pid, {}), "title_keys": keys, "cites": cites,
        "shacl": {"conforms": report.conforms, "violations": len(report.violations),
                  "first": [str(v) for v in report.violations[:5]]},
        "order": order,
    }


def describe(report: RepairReport) -> list[str]:
    """Lines that tell a person what :func:`repair` did."""
    if report.rebuilt:
        lines = [f"rebuilt the graph store of {report.index} from the shards of {len(report.plans)} plan(s) "
                 f"({report.problem})"]
        if report.set_aside is not None:
            lines.append(f"  the damaged store was moved to {report.set_aside}; delete it once the index answers")
        return lines
    if report.finished:
        return [f"finished the change a writer left in {report.index}: {len(report.plans)} plan(s)"]
    if report.republished:
        return [f"published a new graph store snapshot of {report.index} for readers"]
    return [f"{report.index} is whole: {len(report.plans)} plan(s), nothing to repair"]
