"""A workspace of an index that was published again lets go of its files: the store
snapshot, the search index and the query workers on the snapshot, so that the writer can
remove the snapshot (it keeps those a process holds open) and the app, which keeps one
workspace per index, does not pile up open files at each change. Counted in ``/proc``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from plangraph.workspace import Workspace, remove
from plangraph.workspace.garbage import held_open


def _open_under(folder: Path) -> int:
    """Files under ``folder`` this process has open."""
    inside = str(folder.resolve()) + os.sep
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(inside)
        except OSError:
            continue
    return count


@pytest.fixture()
def index(district_index: Path, tmp_path: Path) -> Path:
    if held_open(tmp_path) is None:
        pytest.skip("no /proc to count open files")
    copy = tmp_path / "ix"
    shutil.copytree(district_index, copy, symlinks=True)
    return copy


def _use(ws: Workspace) -> Path:
    """Open everything a page opens: the store, a query worker, the search index."""
    snapshot = ws.graph_location
    assert ws.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0] > 1000  # a worker on the snapshot
    assert ws.entities("indicators")  # the store, in this process
    assert ws.search("学前教育普及普惠", top_k=3)  # the search index's files
    return snapshot


def test_close_lets_go_of_every_file_of_the_index(index: Path) -> None:
    ws = Workspace(index)
    snapshot = _use(ws)
    assert held_open(snapshot) is True and _open_under(index) > 0
    remove(["linping"], index, progress=False)  # the index is published again
    assert ws.is_stale() and snapshot.is_dir()  # kept: a reader still holds it
    ws.close()
    assert _open_under(index) == 0  # no file of the index: neither the snapshot nor the search files
    assert held_open(snapshot) is False  # nor does a query worker of this process
    # what still uses a closed workspace opens what it needs again
    assert ws.sparql(name="indicators-by-category", params={"plan": "linan"}, limit=0).rows
    ws.close()
    fresh = Workspace(index)
    assert fresh.plan_ids == ("linan",) and fresh.graph_location != snapshot
    _use(fresh)
    fresh.close()
    assert _open_under(index) == 0


def test_the_app_releases_the_workspace_of_an_index_published_again(index: Path) -> None:
    """The app keeps one workspace, keyed by the manifest's time: the next key releases the old one."""
    from plangraph.interfaces.webapp.common import index_key, open_workspace

    open_workspace.clear()
    try:
        old = open_workspace(index_key(index), str(index))
        snapshot = _use(old)
        assert open_workspace(index_key(index), str(index)) is old
        remove(["linping"], index, progress=False)
        new = open_workspace(index_key(index), str(index))
        assert new is not old and new.plan_ids == ("linan",)
        assert held_open(snapshot) is False  # neither this process nor a worker holds the old snapshot
        new_snapshot = _use(new)
        assert held_open(new_snapshot) is True
    finally:
        open_workspace.clear()
    assert _open_under(index) == 0


def test_the_warm_up_starts_a_query_worker_that_close_stops(index: Path) -> None:
    ws = Workspace(index)
    snapshot = ws.graph_location
    assert held_open(snapshot) is False
    ws.warm_in_background().join()
    assert ws.warm_error is None
    assert held_open(snapshot) is True  # a worker on the snapshot, before the first query
    assert _open_under(snapshot) == 0  # not this process: it has not opened the store
    ws.close()
    assert held_open(snapshot) is False
