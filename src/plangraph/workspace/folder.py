"""The index folder: its layout, its manifest (read, written atomically) and its shards' writing.

Layout (format 3)::

    manifest.json             what readers open: the plans with their shards, the store
                              snapshot, the search index, encoders, counts, SHACL outcome
    store/primary/            the Oxigraph store (RocksDB): one named graph per plan
                              (graph:plan/ID), the ontology graph, graph:shared (shared.nt
                              of every plan, once, and the pg:citedPlan links), and a
                              registry graph with one record per plan and one for the
                              index; only a writer opens it
    store/snapshots/<name>/   published checkpoints of the store; readers open the one
                              the manifest names (the newest three are kept)
    store/WRITING             present while a writer is changing the store
    plans/<ID>-<sha12>/       one shard per plan version: plan.json (meta, counts,
                              findings), entities.json (passage → entities), graph.nt (the
                              plan's graph), shared.nt (its triples about nodes other plans
                              may state too: cited documents, bodies, places), passages.json
                              (for the search index), text.txt (the text every offset
                              indexes: for an HTML, Word or PDF plan it exists only here),
                              clauses.json + clauses.npy (its commitment clauses and their
                              vectors: :mod:`plangraph.workspace.clausefile`)
    search/<generation>/      the search index of every plan of that generation

``sha12`` is a hash of the plan file, its sidecar and the pipeline version, so an
unchanged plan keeps its shard. Writers change the folder in the order of
:mod:`plangraph.workspace.writer`; the manifest is rewritten atomically and is the one
thing readers go by, so a reader sees the index as it was before a change or after it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from plangraph.durable import fsync_path, fsync_write, recover, swap_into_place
from plangraph.errors import IndexStoreError, IndexWarning

__all__ = ["IndexWarning", "fsync_path", "fsync_write", "recover", "swap_into_place"]



class PlanRecord(TypedDict):
    """A plan's record in the index (its shard's ``plan.json``, :meth:`Workspace.plans`):
    what the builder wrote from the plan document (:func:`plangraph.ingest.docjson.plan_to_json`)."""

    plan: str
    meta: dict[str, Any]
    """The :class:`~plangraph.model.PlanMeta` fields (title, region, level, period, division, kind …)."""
    counts: dict[str, int]
    """sections, top_level_sections, tables, table_rows, passages, characters."""
    findings: list[dict[str, Any]]
    """Ingestion findings (severity, message …)."""
    format: str
    pages: NotRequired[list[Any]]
    """A PDF's page offsets (absent from indexes built before PDFs were read)."""
    ocr: NotRequired[list[Any]]
    """OCR'd pages and their boxes."""


DEFAULT_INDEX = Path("indexes") / "default"
MANIFEST = "manifest.json"
STORE_DIR = "store"
PLANS_DIR = "plans"
WRITING = "WRITING"
PLAN_FILE = "plan.json"
ENTITIES_FILE = "entities.json"
CONCEPTS_FILE = "concepts.json"
VIEWS_FILE = "views.json"
"""The plan's rows of the named queries answered from per-plan rows (:mod:`plangraph.graph.views`)."""
GRAPH_NT = "graph.nt"
SHARED_NT = "shared.nt"
TEXT_FILE = "text.txt"
PASSAGES_FILE = "passages.json"
SEARCH_DIR = "search"
SEARCH_SHARDS = f"{SEARCH_DIR}/shards"
"""The search shards of every generation, one folder per plan version, named by content."""
BUILDING = ".building-"
CACHE_DIR = ".embedding-cache"
FORMAT = 3


def default_index() -> Path:
    """The index folder commands use unless told otherwise (``PLANGRAPH_INDEX``)."""
    return Path(os.environ.get("PLANGRAPH_INDEX", DEFAULT_INDEX))


def broken_index(path: Path, problem: str) -> IndexStoreError:
    return IndexStoreError(f"index {path}: {problem}", hint="rebuild it: plangraph build corpus")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of index folder ``path``.

    Raises:
        IndexStoreError: no index there, or its manifest is missing, corrupt or of
            another format.
    """
    if not path.is_dir():
        raise IndexStoreError(f"no index at {path}", hint="build one first: plangraph build corpus")
    try:
        manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        if (path / STORE_DIR / WRITING).exists():
            raise IndexStoreError(f"index {path}: its first build did not finish (no {MANIFEST} yet)",
                                  hint=f"run the build again, or finish it: plangraph repair --index {path}") from None
        raise broken_index(path, f"missing {MANIFEST}") from None
    except ValueError as exc:
        raise broken_index(path, f"{MANIFEST} is not valid JSON ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise broken_index(path, f"format {manifest.get('format')!r}, this version reads {FORMAT}")
    return manifest


def unfinished_change(path: Path) -> str | None:
    """What a writer left unfinished in index folder ``path``, if anything (one ``stat``).

    A reader does not finish it (readers never write): it answers from the index as last
    published, and the next writer rolls the change forward.
    """
    if not (path / STORE_DIR / WRITING).exists():
        return None
    return (f"index {path}: a change to it is under way or was interrupted; answers come from the index "
            "as last published until a writer finishes it (the next plangraph build, add or remove does, "
            f"or plangraph repair --index {path})")


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Replace the manifest atomically (write a sibling, fsync, rename)."""
    tmp = path / (MANIFEST + ".tmp")
    fsync_write(tmp, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    os.replace(tmp, path / MANIFEST)
    fsync_path(path)


def published_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of the index published at ``path`` (None for a new folder, or one of
    an earlier format that a build replaces)."""
    if not (path / MANIFEST).is_file():
        return None
    try:
        return read_manifest(path)
    except IndexStoreError:
        return None


def write_shard(index: Path, name: str, files: dict[str, bytes],
                also: Callable[[Path], None] | None = None) -> Path:
    """Write a shard folder beside its final place (``also`` adds to it), fsync it,
    and rename it in."""
    plans = index / PLANS_DIR
    plans.mkdir(exist_ok=True)
    final = plans / name
    if final.is_dir():  # the same plan version: shards are named by their content
        return final
    tmp = plans / f"{BUILDING}{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for fname, data in files.items():
        fsync_write(tmp / fname, data)
    if also is not None:
        also(tmp)
    fsync_path(tmp)
    os.rename(tmp, final)
    fsync_path(plans)
    return final
