"""Readers read and writers refuse damage (#22): opening an index and asking it things
changes no byte of it, a read-only copy answers, a writer refuses an index whose graph
store is missing or damaged (and ``repair`` rebuilds the store from the shards), a table
file cut short is named, and a full disk stops a change without losing the index.
Real plans: the Linping excerpt and a renamed copy of it."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from plangraph.errors import DamagedIndexError, IndexStoreError, IndexWarning
from plangraph.graph.store import GraphStore
from plangraph.interfaces.cli import main
from plangraph.workspace import Workspace, add, build, remove, repair

from .conftest import LINPING, ROOT
from .test_index_store import _check_consistent, _child, _other_plan

FAKE = ("fake",)
SELECT = "SELECT ?doc ?title WHERE { ?doc <http://purl.org/dc/terms/title> ?title } ORDER BY ?doc ?title"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("readers") / "ix"
    build([LINPING], out, encoders=FAKE, progress=False)
    return out


@pytest.fixture
def ix(base: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ix"
    shutil.copytree(base, out)
    return out


def _files(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file and folder under ``root``: its bytes' hash (folders: their listing),
    modification time and size."""
    out = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = path.lstat()
        data = "\n".join(sorted(p.name for p in path.iterdir())).encode() if path.is_dir() else path.read_bytes()
        out[str(path.relative_to(root))] = (hashlib.sha256(data).hexdigest(), st.st_mtime_ns, st.st_size)
    return out


def _changed(before: dict[str, tuple[str, int, int]], root: Path) -> list[str]:
    after = _files(root)
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "plangraph", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def _answers(path: Path) -> tuple[object, ...]:
    """What readers are asked: plans, a search, ASK and SELECT on the store, a named query
    from the store's joins, entities, export rows, a plan's sections, text and audit."""
    ws = Workspace(path)
    return (ws.plan_ids, [h.passage_id for h in ws.search("教师", top_k=5)],
            ws.sparql("ASK { ?s ?p ?o }").rows, ws.sparql(SELECT).rows,
            ws.sparql(name="cited-documents", from_views=False).rows,
            [e.iri for e in ws.entities("organizations")], ws.export_rows("commitments"),
            [s.title for s in ws.sections(ws.plan_ids[0])], len(ws.plan_text(ws.plan_ids[0])),
            ws.audit(ws.plan_ids[0]).rows())


def _cli_reads(path: Path) -> tuple[str, str]:
    asked = _cli("sparql", "ASK { ?s ?p ?o }", "--index", str(path))
    found = _cli("search", "教师", "--index", str(path), "--top", "3")
    assert asked.returncode == 0 and found.returncode == 0, asked.stderr + found.stderr
    return asked.stdout, found.stdout


# -- readers read ----------------------------------------------------------------------------


def test_reading_an_index_changes_no_byte_of_it(ix: Path, tmp_path: Path) -> None:
    before = _files(ix)
    answers = _answers(ix)
    assert answers[0] == ("linping",) and answers[1] and answers[2] == ((True,),) and answers[3]
    Workspace(ix).write_graph(tmp_path / "g.nq", "nq")
    asked, found = _cli_reads(ix)
    assert "True" in asked and "linping" in found
    assert _changed(before, ix) == []  # no log, no LOG.old file, no new table file, no mtime


def test_a_reader_leaves_an_unfinished_change_to_a_writer(ix: Path, tmp_path: Path) -> None:
    before_answers = _answers(ix)
    other = _other_plan(tmp_path / "in")
    done = _child(["add", str(other), "--index", str(ix)], fault="plan-committed")
    assert done.returncode == -9, done.stderr
    before = _files(ix)
    with pytest.warns(IndexWarning, match="a change to it is under way or was interrupted"):
        assert _answers(ix) == before_answers  # the index as last published
    asked, _ = _cli_reads(ix)
    assert "True" in asked
    assert _changed(before, ix) == []
    assert repair(ix).finished  # a writer finishes it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Workspace(ix).plan_ids == ("linping", "linping-copy")


@pytest.fixture
def read_only(ix: Path) -> Iterator[Path]:
    """The index with every write bit off (root ignores them: the tests also make opening
    a store for writing fail, and check the bytes)."""
    paths = [ix, *ix.rglob("*")]
    for p in paths:
        p.chmod(stat.S_IMODE(p.lstat().st_mode) & ~0o222)
    yield ix
    for p in paths:
        p.chmod(stat.S_IMODE(p.lstat().st_mode) | 0o200)


def test_a_read_only_copy_answers(read_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> GraphStore:
        raise AssertionError("a reader opened a store for writing")

    monkeypatch.setattr(GraphStore, "open_writer", refuse)
    before = _files(read_only)
    plans, hits, ask, select, *_ = _answers(read_only)
    assert plans == ("linping",) and hits and ask == ((True,),) and select
    assert _changed(before, read_only) == []


def _unshare_ro() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs none /mnt && mount -o remount,ro /mnt"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _unshare_ro(), reason="no user and mount namespaces here (unshare -rm)")
def test_an_index_on_a_read_only_file_system_answers(ix: Path, tmp_path: Path) -> None:
    """A read-only bind mount of the index: any write, by root too, fails with EROFS."""
    mnt = tmp_path / "ro"
    mnt.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    script = (f"mount --bind {ix} {mnt} && mount -o remount,bind,ro {mnt} && "
              f"(touch {mnt}/x 2>/dev/null && echo WRITABLE; "
              f"{sys.executable} -m plangraph sparql 'ASK {{ ?s ?p ?o }}' --index {mnt} && "
              f"{sys.executable} -m plangraph search 教师 --top 2 --index {mnt} && "
              f"{sys.executable} -m plangraph export organizations --index {mnt} --format json; "
              f"{sys.executable} -m plangraph add {LINPING} --index {mnt} --quiet; echo add=$?)")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert "WRITABLE" not in done.stdout and "True" in done.stdout and "linping" in done.stdout
    assert done.stdout.endswith("add=1\n")  # a writer there is refused by name
    assert done.stderr == (f"Error: index {mnt} cannot be changed: IO error: While open a file for appending: "
                           f"{mnt}/store/primary/LOG: Read-only file system\n  hint: searches and queries still "
                           "work; to change it, copy the folder to a writable disk\n")


# -- damaged indexes -----------------------------------------------------------------------


def _only_in_primary(ix: Path) -> Path:
    """The largest table file of the primary store that no snapshot links."""
    files = [p for p in (ix / "store" / "primary").glob("*.sst") if p.stat().st_nlink == 1]
    return max(files, key=lambda p: p.stat().st_size)


def _only_in_snapshot(ix: Path) -> Path:
    snapshot = ix / Workspace(ix).manifest["snapshot"]
    return max((p for p in snapshot.glob("*.sst") if p.stat().st_nlink == 1), key=lambda p: p.stat().st_size)


def _cut(path: Path, keep: int = 100) -> int:
    size = path.stat().st_size
    os.truncate(path, keep)
    return size


def _store_state(ix: Path) -> tuple[object, ...]:
    """The primary store's registry and index record (but for what a repair cannot know:
    when it last merged, whether every plan's stored rows are of the current query texts),
    and every quad of the published snapshot."""
    store = GraphStore.open_writer(ix / "store")
    try:
        registry = {p: {k: v for k, v in r.items() if k != "path"} for p, r in store.registry().items()}
        record = {k: v for k, v in store.index_record().items() if k not in ("compaction", "views")}
    finally:
        store.close()
    snapshot = GraphStore.open_snapshot(ix / Workspace(ix).manifest["snapshot"])
    return registry, record, sorted(str(q) for q in snapshot.store)


DAMAGES = {
    "store missing": lambda ix: (shutil.rmtree(ix / "store" / "primary"), "graph store {primary} is missing")[1],
    "CURRENT missing": lambda ix: ((ix / "store" / "primary" / "CURRENT").unlink(), "{primary}/CURRENT is missing")[1],
    "table file cut short": lambda ix: (lambda f, n: f"{f} is cut short (100 of its {n} bytes)")(
        f := _only_in_primary(ix), _cut(f)),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_writer_refuses_a_damaged_store_and_repair_rebuilds_it(base: Path, tmp_path: Path, damage: str) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    other = _other_plan(tmp_path / "in")
    add([other], ix, progress=False)
    whole, answers = _store_state(ix), _answers(ix)
    problem = DAMAGES[damage](ix).format(primary=ix / "store" / "primary")
    before = _files(ix)
    message = f"index {ix}: the graph store is damaged ({problem}); nothing was changed"
    with pytest.raises(DamagedIndexError) as raised:
        add([LINPING], ix, progress=False)  # before the fix: the store started empty and every plan went
    assert raised.value.message == message
    assert raised.value.hint == f"rebuild the graph store from the plans' shards: plangraph repair --index {ix}"
    with pytest.raises(DamagedIndexError, match="nothing was changed"):
        remove(["linping-copy"], ix, progress=False)
    done = _cli("add", str(LINPING), "--index", str(ix), "--quiet")
    assert (done.returncode, done.stderr) == (1, f"Error: {message}\n  hint: {raised.value.hint}\n")
    assert _answers(ix) == answers  # readers answer from the snapshot meanwhile
    assert _changed(before, ix) == []
    report = repair(ix)
    assert report.rebuilt and report.problem == problem
    assert (report.set_aside is None) == (damage == "store missing")
    assert _store_state(ix) == whole  # the same store: records, graphs, shared lines and links
    assert _answers(ix) == answers
    assert remove(["linping-copy"], ix, progress=False).plans == ("linping",)  # writers work again
    _check_consistent(ix)


def test_a_store_put_back_from_an_older_backup_or_emptied_is_refused(ix: Path, tmp_path: Path) -> None:
    primary = ix / "store" / "primary"
    shutil.copytree(primary, tmp_path / "backup")  # generation 1
    add([_other_plan(tmp_path / "in")], ix, progress=False)  # generation 2
    shutil.rmtree(primary)
    shutil.copytree(tmp_path / "backup", primary)
    with pytest.raises(DamagedIndexError) as raised:  # it lacks linping-copy: a change would drop it
        remove(["linping"], ix, progress=False)
    assert raised.value.problem == "it holds generation 1 of the index, its manifest published 2"
    assert Workspace(ix).plan_ids == ("linping", "linping-copy")
    shutil.rmtree(primary)
    primary.mkdir()
    with pytest.raises(DamagedIndexError, match=f"graph store {primary} is empty"):
        add([LINPING], ix, progress=False)
    assert repair(ix).rebuilt
    assert remove(["linping"], ix, progress=False).plans == ("linping-copy",)


def test_a_table_file_cut_short_in_the_snapshot_is_named(ix: Path) -> None:
    sst = _only_in_snapshot(ix)
    size = _cut(sst)
    problem = f"{sst} is cut short (100 of its {size} bytes)"
    ws = Workspace(ix)
    with pytest.raises(IndexStoreError, match="cut short") as raised:
        ws.sparql("ASK { ?s ?p ?o }")
    assert raised.value.message == f"cannot open the graph at {sst.parent}: {problem}"
    assert raised.value.hint == f"rebuild the graph store from the plans' shards: plangraph repair --index {ix}"
    with pytest.raises(IndexStoreError, match="cut short"):
        ws.entities("organizations")
    done = _cli("sparql", "ASK { ?s ?p ?o }", "--index", str(ix))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"Error: cannot open the graph at {sst.parent}: {problem}\n  hint: ")
    assert ws.search("教师", top_k=3)  # what does not need the graph still answers
    report = repair(ix)  # the primary store is whole: a new snapshot is published
    assert report.republished and not report.rebuilt
    asked = _cli("sparql", "ASK { ?s ?p ?o }", "--index", str(ix))
    assert asked.returncode == 0 and "True" in asked.stdout
    assert repair(ix) == type(report)(ix, ("linping",))  # whole now: nothing to do


# -- a full disk ------------------------------------------------------------------------------


def _full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "/some/file")


def _rocksdb_full(*args: object, **kwargs: object) -> None:  # RocksDB's IO errors carry no errno
    raise OSError("IO error: No space left on device: While appending to file: 000123.sst")


# Where a change meets the full disk, in its write order (workspace/writer.py): writing the
# plan's shard, then (past the intent) loading its graph into the store, publishing the
# snapshot, writing the manifest.
FULL_AT = {
    "shard": ("plangraph.workspace.folder.fsync_write", _full),
    "graph": ("plangraph.graph.store.GraphStore.load_graphs", _rocksdb_full),
    "snapshot": ("plangraph.graph.store.GraphStore.publish", _full),
    "manifest": ("plangraph.workspace.writer.write_manifest", _full),
}


@pytest.mark.parametrize("where", list(FULL_AT))
def test_a_full_disk_stops_a_change_and_loses_nothing(ix: Path, tmp_path: Path, where: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    answers = _answers(ix)
    other = _other_plan(tmp_path / "in")
    target, fail = FULL_AT[where]
    with monkeypatch.context() as full:
        full.setattr(target, fail)
        with pytest.raises(IndexStoreError) as raised:
            add([other], ix, progress=False)
        assert raised.value.message.startswith(f"index {ix}: no space left on its disk")
        assert raised.value.message.endswith("; the change stopped and the index answers as it was before it")
        assert raised.value.hint == "free some space and run the command again: it carries on from where this one stopped"
        # while the disk stays full, readers answer as before: they need not write
        full.setattr(GraphStore, "open_writer", _full)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IndexWarning)  # past the intent, the change is unfinished
            assert _answers(ix) == answers
        asked, found = _cli_reads(ix)
        assert "True" in asked and "linping" in found
    summary = add([other], ix, progress=False)  # space again: the change carries on
    assert summary.plans == ("linping", "linping-copy")
    _check_consistent(ix)


def test_a_full_disk_is_an_error_on_the_command_line(ix: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("plangraph.workspace.folder.fsync_write", _full)
    assert main(["add", str(_other_plan(tmp_path / "in")), "--index", str(ix), "--quiet"]) == 1
    assert capsys.readouterr().err == (
        f"Error: index {ix}: no space left on its disk (/some/file); the change stopped and the index answers as it "
        "was before it\n  hint: free some space and run the command again: it carries on from where this one stopped\n")
