"""What a writer removes once a change is published: shards, search generations and
snapshots the manifest no longer names, and folders a stopped writer left. Readers go by
the manifest, so nothing they can reach is removed; the previous generation's shards and
search index stay for readers that opened it.

Snapshots: the newest :data:`~plangraph.graph.store.KEEP_SNAPSHOTS` are kept for readers
that have not reopened yet, as long as they cost little disk. A snapshot is hard links to
the table files of the store when it was taken; after the store is compacted, the older
snapshots are the only links to the files the compaction replaced, so each one holds a
whole store's worth of bytes (4.1 GB against 2.2 at 500 plans). An older snapshot that
keeps more than :data:`PINNED_SHARE` of the current one's bytes to itself (and more than
:data:`PINNED_FLOOR`: on a small store RocksDB's own merges replace most files at each
change, and three copies of a few MB cost nothing) is removed,
unless a process on this machine has its files open (``/proc/*/fd``: a read-only store
opens every table file when it opens, so a reader or query worker on it shows there);
the next writer looks again. Removing it never pulls a file from under a reader that has
it open (an unlinked file stays readable while open); a reader that had not opened its
store yet finds it gone and opens the index again (``Workspace.reopened()``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from plangraph.graph.store import KEEP_SNAPSHOTS, GraphStore
from plangraph.workspace.folder import BUILDING, MANIFEST, PLANS_DIR, SEARCH_DIR, SEARCH_SHARDS, STORE_DIR

PINNED_SHARE = 0.1
"""An older snapshot whose own files (those neither the current snapshot nor the
primary store link) pass this share of the current snapshot's bytes is removed once no
process holds it open: after a compaction that is all of it."""
PINNED_FLOOR = 64 * 2**20
"""Bytes an older snapshot may keep to itself whatever the store's size."""
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
        kept = [name for name in names[-KEEP_SNAPSHOTS:] if name != current]
        kept = [name for name in kept if not _costly(snapshots / name, snapshots / current, store.opened)]
        store.prune_snapshots([*kept, current])


def _tables(folder: Path) -> dict[int, int]:
    """The table files of a store folder: inode → bytes (hard links share an inode)."""
    out: dict[int, int] = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return out
    for entry in entries:
        if entry.name.endswith(".sst"):
            try:
                st = entry.stat()
            except OSError:
                continue
            out[st.st_ino] = st.st_size
    return out


def pinned_bytes(snapshot: Path, others: Iterable[Path]) -> int:
    """Bytes of the table files of ``snapshot`` that none of ``others`` links."""
    shared: set[int] = set()
    for other in others:
        shared.update(_tables(other))
    return sum(size for ino, size in _tables(snapshot).items() if ino not in shared)


def held_open(folder: Path) -> bool | None:
    """Whether a process on this machine has a file of ``folder`` open (None where
    ``/proc`` cannot tell: not Linux). Processes whose descriptors this user may not read
    are not counted: an index is read by the user that writes it, or by copies."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    inside = str(folder.resolve()) + os.sep
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(inside):
                    return True
            except OSError:
                continue
    return False


def _costly(old: Path, current: Path, primary: Path) -> bool:
    """Whether the older snapshot ``old`` should go: it keeps more than
    :data:`PINNED_SHARE` of the current snapshot's bytes to itself (files a compaction
    replaced, or :data:`PINNED_FLOOR` if more) and no process on this machine holds it open."""
    size = sum(_tables(current).values())
    if pinned_bytes(old, (current, primary)) <= max(PINNED_SHARE * size, PINNED_FLOOR):
        return False
    return held_open(old) is False


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
