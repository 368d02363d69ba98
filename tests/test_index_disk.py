"""Disk stays bounded across changes and compactions: the snapshots kept for readers
that have not reopened must not keep the table files a compaction replaced (a whole
store's worth of bytes each), unless a reader has them open. Real plan (the Linping
excerpt and a renamed copy), in-process writers with the compaction forced."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from plangraph.errors import IndexStoreError
from plangraph.graph.sparql import close_runners
from plangraph.graph.store import KEEP_SNAPSHOTS
from plangraph.workspace import Workspace, add, build, garbage, remove, writer
from plangraph.workspace.garbage import held_open

from .conftest import LINPING
from .test_index_store import FAKE, _check_consistent, _compactions, _other_plan


def _files(folder: Path) -> dict[int, int]:
    """inode → bytes of the files under ``folder`` (hard links counted once)."""
    seen: dict[int, int] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            st = os.stat(os.path.join(root, name))
            seen[st.st_ino] = st.st_size
    return seen


def _disk(folder: Path) -> int:
    """Bytes of the distinct files under ``folder``."""
    return sum(_files(folder).values())


def _pinned_by_older_snapshots(ix: Path) -> int:
    """Bytes that only snapshots older than the newest keep: neither the primary store nor
    the newest snapshot links them. (The newest snapshot may hold files the primary has
    since merged away: that is one store's worth at most, and goes with the next change.)"""
    store = ix / "store"
    everything = _files(store)
    live = _files(store / "primary") | _files(store / "snapshots" / _snapshots(ix)[-1])
    return sum(size for ino, size in everything.items() if ino not in live)


def _snapshots(ix: Path) -> list[str]:
    return sorted(p.name for p in (ix / "store" / "snapshots").iterdir())


def test_disk_is_bounded_after_changes_and_a_compaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if held_open(tmp_path) is None:
        pytest.skip("no /proc to tell which snapshots readers hold open")
    monkeypatch.setattr(writer, "COMPACT_MIN_FILES", 10**6)
    ix, copy = tmp_path / "ix", _other_plan(tmp_path / "in")
    build([LINPING], ix, encoders=FAKE, progress=False)
    for n in range(3):  # small changes: the snapshots cost little, all are kept
        (add([copy], ix, progress=False) if n % 2 == 0 else remove(["linping-copy"], ix, progress=False))
    assert len(_snapshots(ix)) == KEEP_SNAPSHOTS

    monkeypatch.setattr(garbage, "PINNED_FLOOR", 0)  # a store of a few MB, measured as one of GBs
    reader = Workspace(ix)  # a reader on the current snapshot, its store open
    held = reader.graph_location.name
    assert reader.sparql("ASK { ?s ?p ?o }").rows
    stale = Workspace(ix)  # a reader that has not opened its store yet
    monkeypatch.setattr(writer, "COMPACT_MIN_FILES", 1)
    remove(["linping-copy"], ix, progress=False)  # compacts: every older snapshot now pins a whole store
    assert _compactions(ix)
    names = _snapshots(ix)
    assert held in names and len(names) == 2, names  # the one a reader holds open, and the new one
    assert reader.sparql("ASK { ?s ?p ?o }").rows  # and it still answers
    assert Workspace(ix).plan_ids == ("linping",)
    _check_consistent(ix)

    del reader
    close_runners()  # the reader goes: its query worker, which held the snapshot open, ends
    gc.collect()
    monkeypatch.setattr(writer, "COMPACT_MIN_FILES", 10**6)
    for n in range(4):  # changes after the compaction: the replaced files go as soon as nobody holds them
        (add([copy], ix, progress=False) if n % 2 == 0 else remove(["linping-copy"], ix, progress=False))
        assert held not in _snapshots(ix)
        pinned, primary = _pinned_by_older_snapshots(ix), _disk(ix / "store" / "primary")
        assert pinned < 0.1 * primary, (n, pinned, primary, _snapshots(ix))
        assert _disk(ix / "store") < 2.5 * primary, (n, _disk(ix / "store"), primary)
    assert len(_snapshots(ix)) <= KEEP_SNAPSHOTS
    _check_consistent(ix)

    with pytest.raises(IndexStoreError, match="replaced by a newer version") as caught:
        stale.sparql("ASK { ?s ?p ?o }")
    assert "reopened" in (caught.value.hint or "")
    assert stale.reopened().sparql("ASK { ?s ?p ?o }").rows
