"""The index folder: its layout, and atomic replacement (write a sibling, then swap it in).

Layout::

    manifest.json   what was built, from which files, when, by which versions
    graph.trig      the knowledge graph: one named graph per plan + the ontology
    plans.json      plan metadata and ingestion findings
    entities.json   passage id → the entities stated there (so search needs no graph)
    texts/PLAN.txt  the text each plan's offsets index (the canonical text of HTML/DOCX/PDF)
    search/         passages, vectors (faiss) and the lexical index

A build writes a whole new folder and swaps it in (:mod:`plangraph.durable`).
"""

from __future__ import annotations

import os
from pathlib import Path

from plangraph.durable import fsync_path, fsync_write, recover, swap_into_place
from plangraph.errors import IndexStoreError

__all__ = ["fsync_path", "fsync_write", "recover", "swap_into_place"]

DEFAULT_INDEX = Path("indexes") / "default"
MANIFEST = "manifest.json"
GRAPH_FILE = "graph.trig"
PLANS_FILE = "plans.json"
ENTITIES_FILE = "entities.json"
SEARCH_DIR = "search"
TEXTS_DIR = "texts"
CACHE_DIR = ".embedding-cache"
FORMAT = 2


def default_index() -> Path:
    """The index folder commands use unless told otherwise (``PLANGRAPH_INDEX``)."""
    return Path(os.environ.get("PLANGRAPH_INDEX", DEFAULT_INDEX))


def broken_index(path: Path, problem: str) -> IndexStoreError:
    return IndexStoreError(f"index {path}: {problem}", hint="rebuild it: plangraph build corpus")
