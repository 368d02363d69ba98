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
    from the store's joins, entities, export rows, a plan's sections and text."""
    ws = Workspace(path)
    return (ws.plan_ids, [h.passage_id for h in ws.search("教师", top_k=5)],
            ws.sparql("ASK { ?s ?p ?o }").rows, ws.sparql(SELECT).rows,
            ws.sparql(name="cited-documents", from_views=False).rows,
            [e.iri for e in ws.entities("organizations")], ws.export_rows("commitments"),
            [s.title for s in ws.sections(ws.plan_ids[0])], len(ws.plan_text(ws.plan_ids[0])))


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
              f"{sys.executable} -m plangraph export organizations --index {mnt} --format json)")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert "WRITABLE" not in done.stdout and "True" in done.stdout and "linping" in done.stdout
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
