"""Stored rows of the named queries kept in step with the query texts.

A plan's ``views.json`` holds its rows of each view query stamped with a hash of the
query's text (:mod:`plangraph.graph.views`); a reader ignores rows of another text and
runs the text over the store instead (slow at hundreds of plans). A plan whose file did
not change keeps its shard, so a build after a query's text changed would leave those
rows stale until the plan itself changed. :func:`refresh_views` makes the stale rows of
such plans again from the plan's own ``graph.nt`` and ``shared.nt`` (no ingest, no
extraction): about 0.1 s a plan, on the build's worker processes. Looking for stale rows
reads every plan's file, so it is done only when the query texts differ from those the
index record names (``views``): after a query file changed, not at every change.

The file is replaced atomically (a sibling, fsync, rename): a reader sees the old rows,
which it ignores as it did before, or the new ones; a hard-linked copy of the index
keeps its own file.
"""

from __future__ import annotations

import json
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangraph.durable import fsync_path, fsync_write
from plangraph.errors import IndexWarning
from plangraph.graph.views import plan_views, stale, stamped, view_specs, views_digest
from plangraph.workspace.folder import GRAPH_NT, PLANS_DIR, SHARED_NT, VIEWS_FILE
from plangraph.workspace.planpool import plan_results
from plangraph.workspace.writer import ontology_ntriples


@lru_cache(maxsize=1)
def _ontology() -> bytes:
    return ontology_ntriples()[0].encode()


def _read(path: Path) -> dict[str, Any]:
    """A ``views.json``'s content; empty when missing or unreadable (every query is then stale)."""
    try:
        content = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def stale_views(shard: Path) -> tuple[str, ...]:
    """The view queries whose rows in this shard are missing or of another query text."""
    return stale(_read(shard / VIEWS_FILE))


def refresh_shard(shard: Path) -> tuple[str, ...]:
    """Make this shard's stale view rows again from its graph; returns the queries refreshed."""
    content = _read(shard / VIEWS_FILE)
    names = stale(content)
    if not names:
        return ()
    graph = (shard / GRAPH_NT).read_bytes() + b"\n" + (shard / SHARED_NT).read_bytes()
    fresh = stamped(plan_views(graph, _ontology(), names))
    kept = {name: content[name] for name in view_specs() if name not in fresh and name in content}
    tmp = shard / (VIEWS_FILE + f".tmp-{os.getpid()}")
    fsync_write(tmp, json.dumps(kept | fresh, ensure_ascii=False).encode())
    os.replace(tmp, shard / VIEWS_FILE)
    fsync_path(shard)
    return names


def _refresh_task(args: tuple[Path]) -> tuple[str, Any]:
    return "ok", refresh_shard(args[0])


def refresh_views(index: Path, shards: dict[str, str], *, workers: int, progress: bool,
                  recorded: str | None = None) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """Refresh the stale view rows of the plans of ``shards`` (plan id → shard name):
    the ids of the plans refreshed, and ``(plan id, message)`` for a plan that could not
    be (its rows stay as they were: readers run the query's text instead), each also warned
    of with an :class:`~plangraph.errors.IndexWarning`.

    ``recorded`` is the digest of the query texts that the index record holds
    (:func:`~plangraph.graph.views.views_digest`, written by the change after which no
    plan's rows were stale): while the texts are the same, no plan's file is read, so a
    change costs the plans it changes, not a read of every plan's ``views.json``.
    """
    if recorded is not None and recorded == views_digest():
        return (), []
    todo = [(pid, index / PLANS_DIR / shard) for pid, shard in shards.items()]
    todo = [(pid, shard) for pid, shard in todo if stale_views(shard)]
    refreshed: list[str] = []
    failed: list[tuple[str, str]] = []
    results = plan_results(_refresh_task, [(shard,) for _, shard in todo], workers=workers,
                           progress=progress, name=lambda task: str(task[0]))
    for (pid, _), (status, value) in zip(todo, results):
        if status == "ok":
            refreshed.append(pid)
        else:
            failed.append((pid, value))
    for pid, message in sorted(failed):  # the plan stays; its named queries run as SPARQL
        warnings.warn(f"{pid}: its stored rows of the named queries could not be made again ({message}); "
                      "those queries run over the store", IndexWarning, stacklevel=3)
    return tuple(sorted(refreshed)), sorted(failed)  # in id order, however the shards were listed
