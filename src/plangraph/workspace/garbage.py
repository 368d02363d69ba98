"""What a writer removes once a change is published: shards, search generations and
snapshots the manifest no longer names, and folders a stopped writer left. Readers go by
the manifest, so nothing they can reach is removed; the previous generation's shards and
search index stay for readers that opened it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from plangraph.graph.store import KEEP_SNAPSHOTS, GraphStore
from plangraph.workspace.folder import BUILDING, MANIFEST, PLANS_DIR, SEARCH_DIR, SEARCH_SHARDS, STORE_DIR

FORMAT_2_FILES = ("graph.trig", "plans.json", "entities.json")
"""Files of an index built by an earlier version (one graph file for every plan)."""


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def collect(path: Path, manifest: dict[str, Any], store: GraphStore) -> None:
    """Remove shards, search indexes, snapshots and unfinished folders the manifest
    does not name (the previous generation's shards and search index stay)."""
    keep = {p["shard"] for p in manifest["plans"].values()} | set(manifest.get("retired", []))
    plans = path / PLANS_DIR
    if plans.is_dir():
        for shard in plans.iterdir():
            if shard.name not in keep:
                shutil.rmtree(shard, ignore_errors=True)
    searches = {manifest.get("search"), manifest.get("previous_search")}
    for entry in path.iterdir():
        if entry.name.startswith(BUILDING):
            shutil.rmtree(entry, ignore_errors=True)
    if (path / SEARCH_DIR).is_dir():
        for entry in (path / SEARCH_DIR).iterdir():
            if f"{SEARCH_DIR}/{entry.name}" not in searches and f"{SEARCH_DIR}/{entry.name}" != SEARCH_SHARDS:
                _remove(entry)
    _collect_search_shards(path, searches)
    for name in FORMAT_2_FILES:  # an index built by an earlier version, now rebuilt
        (path / name).unlink(missing_ok=True)
    (path / (MANIFEST + ".tmp")).unlink(missing_ok=True)
    snapshots = path / STORE_DIR / "snapshots"
    if snapshots.is_dir():
        names = sorted(p.name for p in snapshots.iterdir())
        current = Path(manifest["snapshot"]).name
        store.prune_snapshots([*names[-KEEP_SNAPSHOTS:], current])


def _collect_search_shards(path: Path, searches: set[str | None]) -> None:
    """Remove the search shards that neither the current nor the previous search
    generation refers to (and shards left unfinished)."""
    pool = path / SEARCH_SHARDS
    if not pool.is_dir():
        return
    used: set[str] = set()
    for search in searches:
        if not search:
            continue
        try:
            shards = json.loads((path / search / "manifest.json").read_text("utf-8"))["shards"]
        except (OSError, ValueError, KeyError, TypeError):
            return  # a generation we cannot read: keep everything rather than guess
        used.update(Path(str(rel)).name for rel in shards.values())
    for entry in pool.iterdir():
        if entry.name not in used:
            _remove(entry)
