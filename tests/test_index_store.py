"""The index as an on-disk graph store that changes plan by plan: kill -9 of a writer
at every step of its write order leaves the index as before or as after, readers
answer while a writer works, add then remove gives back the index, and a build with
nothing changed does nothing. Real plans (the Linping excerpt and a renamed copy)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest

from plangraph.errors import IndexStoreError, IndexWarning
from plangraph.graph.iris import plan_graph_iri, plan_of_graph
from plangraph.graph.store import SHARED_GRAPH, GraphStore
from plangraph.graph.storetext import as_nquads
from plangraph.workspace import Workspace, add, build, remove, repair

from .conftest import LINPING, ROOT

FAKE = ("fake",)


def _other_plan(folder: Path) -> Path:
    """The Linping excerpt under another plan id and title (a second real plan)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "linping-copy.txt"
    shutil.copy(LINPING, path)
    side = LINPING.with_suffix(".meta.toml").read_text("utf-8")
    side = side.replace('id = "linping"', 'id = "linping-copy"').replace("（节选）", "（副本）")
    path.with_suffix(".meta.toml").write_text(side, "utf-8")
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store") / "ix"
    build([LINPING], out, encoders=FAKE, progress=False)
    return out


def _state(path: Path) -> tuple[tuple[str, ...], int]:
    ws = Workspace(path)
    return ws.plan_ids, len(ws.export_rows("commitments"))


def _check_consistent(path: Path) -> None:
    """Every plan of the manifest is in the store with its record's triple count, the
    store holds no other plan, and nothing unfinished or unreferenced is left."""
    ws = Workspace(path)
    manifest = ws.manifest
    store = GraphStore.open_snapshot(path / manifest["snapshot"])
    assert store.registry() == {}  # readers' snapshots leave the registry out
    assert {plan_of_graph(g.value) for g in store.graphs()} - {None} == set(manifest["plans"])
    for pid, plan in manifest["plans"].items():
        lines = (path / "plans" / plan["shard"] / "graph.nt").read_text("utf-8").count("\n") + 1
        assert store.count(str(plan_graph_iri(pid))) == lines > 1000
    # the shared graph, changed plan by plan, holds what the plans' files state there
    # and nothing else but cross-plan links
    stated = set()
    for plan in manifest["plans"].values():
        stated |= {ln for ln in (path / "plans" / plan["shard"] / "shared.nt").read_text("utf-8").splitlines() if ln}
    shared = store.lines_of(SHARED_GRAPH)
    assert stated <= shared and all(" <https://w3id.org/plangraph/ontology#citedPlan> " in ln
                                    for ln in shared - stated)
    shards = {p["shard"] for p in manifest["plans"].values()} | set(manifest.get("retired", []))
    assert {p.name for p in (path / "plans").iterdir()} <= shards
    assert not [p for p in path.rglob("*") if p.name.startswith(".building-")]
    assert not (path / "store" / "WRITING").exists()
    hits = ws.search("教师", top_k=50)
    assert hits and {h.plan for h in hits} <= set(manifest["plans"])


def _child(args: list[str], fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if fault:
        env["PLANGRAPH_FAULT_AT"] = fault
    return subprocess.run([sys.executable, "-m", "plangraph", *args, "--quiet"], env=env,
                          capture_output=True, text=True, timeout=120)


# Steps of the write order (workspace/writer.py) and whether a kill there leaves the
# change undone (before) or lets the next opening finish it (after).
ADD_STEPS = [("search-written", "before"), ("graph-loaded", "after"), ("plan-committed", "after"), ("published", "after")]


@pytest.mark.parametrize(("step", "outcome"), ADD_STEPS)
def test_kill_during_add_leaves_before_or_after(base: Path, tmp_path: Path, step: str, outcome: str) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    before = _state(ix)
    other = _other_plan(tmp_path / "in")
    done = _child(["add", str(other), "--index", str(ix)], fault=step)
    assert done.returncode == -9, done.stderr
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert _state(ix) == before  # a reader answers from the index as published, and writes nothing
    # once the change is in the store, a reader says that a writer will finish it
    assert [str(w.message) for w in said if w.category is IndexWarning] == (
        [] if outcome == "before" else [f"index {ix}: a change to it is under way or was interrupted; answers come "
                                        "from the index as last published until a writer finishes it (the next "
                                        f"plangraph build, add or remove does, or plangraph repair --index {ix})"])
    assert repair(ix).finished == (outcome == "after")  # a writer finishes it
    expected = before if outcome == "before" else (("linping", "linping-copy"), 2 * before[1])
    assert _state(ix) == expected
    _check_consistent(ix)
    again = add([other], ix, progress=False)  # the next writer carries on
    assert again.plans == ("linping", "linping-copy")


def test_kill_during_remove_and_build(base: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    other = _other_plan(tmp_path / "in")
    add([other], ix, progress=False)
    done = _child(["remove", "linping-copy", "--index", str(ix)], fault="plan-removed")
    assert done.returncode == -9, done.stderr
    with pytest.warns(IndexWarning):
        assert Workspace(ix).plan_ids == ("linping", "linping-copy")  # as published
    repair(ix)
    assert Workspace(ix).plan_ids == ("linping",)
    _check_consistent(ix)
    # a folder build that drops one plan and adds another, killed half-way
    shutil.copy(LINPING, tmp_path / "in" / LINPING.name)
    shutil.copy(LINPING.with_suffix(".meta.toml"), tmp_path / "in")
    (tmp_path / "in" / "linping-copy.txt").unlink()
    done = _child(["build", str(tmp_path / "in"), "--index", str(ix), "--encoder", "fake"], fault="shard-written")
    assert done.returncode == -9
    assert Workspace(ix).plan_ids == ("linping",)
    assert not repair(ix).finished  # killed before its change began: the repair only clears what it wrote
    _check_consistent(ix)


def test_reader_answers_while_a_writer_works(base: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    ws = Workspace(ix)
    rows = len(ws.sparql(name="cited-documents").rows)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    writer = subprocess.Popen([sys.executable, "-m", "plangraph", "add", str(_other_plan(tmp_path / "in")),
                               "--index", str(ix), "--quiet"], env=env, stderr=subprocess.PIPE, text=True)
    answered = 0
    while writer.poll() is None:
        assert len(ws.sparql(name="cited-documents").rows) == rows
        assert ws.plan_ids == ("linping",)
        answered += 1
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert answered > 0 and ws.is_stale()
    fresh = ws.reopened()
    assert fresh.plan_ids == ("linping", "linping-copy") and not fresh.is_stale()
    assert len(ws.sparql(name="cited-documents").rows) == rows  # the old snapshot still answers


def test_add_then_remove_gives_back_the_index(base: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    ws = Workspace(ix)
    before = (ws.export_rows("commitments"), ws.sparql(name="cited-plans").rows, ws.sections("linping"))
    summary = add([_other_plan(tmp_path / "in")], ix, progress=False)
    assert summary.added == ("linping-copy",) and summary.unchanged == ("linping",)
    assert len(Workspace(ix).export_rows("commitments")) == 2 * len(before[0])
    summary = remove(["linping-copy"], ix, progress=False)
    assert summary.removed == ("linping-copy",)
    ws = Workspace(ix)
    assert (ws.export_rows("commitments"), ws.sparql(name="cited-plans").rows, ws.sections("linping")) == before
    _check_consistent(ix)
    from plangraph.errors import UsageError

    with pytest.raises(UsageError, match="unknown plan 'nope'; choose one of: linping"):
        remove(["nope"], ix)
    with pytest.raises(UsageError, match="empty index"):
        remove(["linping"], ix)


def test_unchanged_build_does_no_work_and_a_broken_plan_is_skipped(base: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    generation = json.loads((ix / "manifest.json").read_text("utf-8"))["generation"]
    summary = build([LINPING], ix, encoders=FAKE, progress=False)
    assert summary.unchanged == ("linping",) and not (summary.added or summary.replaced or summary.removed)
    assert "plans" in summary.seconds and "index" not in summary.seconds
    assert json.loads((ix / "manifest.json").read_text("utf-8"))["generation"] == generation
    folder = tmp_path / "in"
    other = _other_plan(folder)
    (folder / "broken.txt").write_bytes(b"\x00\x00binary")
    summary = add([folder], ix, progress=False)
    assert summary.added == ("linping-copy",)
    assert [Path(f).name for f, _ in summary.failures] == ["broken.txt"]
    assert "broken.txt" in summary.failures[0][1]
    # a folder build keeps only the plans of its inputs
    other.unlink()
    summary = build([folder, LINPING], ix, encoders=FAKE, progress=False)
    assert summary.removed == ("linping-copy",) and summary.plans == ("linping",)


def test_named_queries_on_the_store_match_rdflib_on_the_exported_graph(four_plan_index: Path,
                                                                       tmp_path: Path) -> None:
    """The store's union graph answers as rdflib's union of the same graphs did (a
    document cited by two plans counts once; Linan's citation of the 2035 plan links)."""
    from collections import Counter

    from plangraph.graph.sparql import named_queries, run_named

    ws = Workspace(four_plan_index)
    trig = ws.write_graph(tmp_path / "g.trig", "trig")  # a .trig file is read by rdflib

    def rows(result: object) -> Counter[tuple[object, ...]]:
        return Counter(tuple(float(v) if isinstance(v, int | float) or type(v).__name__ == "Decimal" else v
                             for v in row) for row in result.rows)  # type: ignore[attr-defined]

    linked = ws.sparql(name="cited-plans", params={"plan": "linan"}).as_dicts()
    assert "national-china-education-modernization-2035" in {r["citedPlan"] for r in linked}
    for name, nq in named_queries().items():
        params = {"plan": "linan"} if any(p == "plan" for p, _ in nq.params) else {}
        assert rows(ws.sparql(name=name, params=params)) == rows(run_named(trig, name, params, timeout_s=60)), name


def test_a_plan_failing_after_ingest_is_reported_and_the_others_land(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import plangraph.extract.pipeline as pipeline
    from plangraph.errors import InputError

    real = pipeline.extract

    def extract(doc):  # type: ignore[no-untyped-def]
        if doc.plan_id == "linping-copy":
            raise InputError(f"{doc.meta.source_file}: plan is over the size limit")
        return real(doc)

    monkeypatch.setattr(pipeline, "extract", extract)
    other = _other_plan(tmp_path / "in")
    summary = build([LINPING, other], tmp_path / "ix", encoders=FAKE, progress=False)
    assert summary.plans == ("linping",)
    assert summary.failures == ((str(other), f"{other}: plan is over the size limit"),)
    assert Workspace(tmp_path / "ix").manifest["skipped"] == {str(other): f"{other}: plan is over the size limit"}


def test_a_plan_that_kills_its_worker_is_reported_and_the_others_land(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    copy = _other_plan(folder)
    third = folder / "linping-third.txt"
    shutil.copy(LINPING, third)
    third.with_suffix(".meta.toml").write_text(
        copy.with_suffix(".meta.toml").read_text("utf-8").replace("linping-copy", "linping-third"), "utf-8")
    # the worker building the copy dies as a segfault or the OOM killer would kill it
    monkeypatch.setenv("PLANGRAPH_FAULT_AT", f"building:{copy.name}")
    summary = build([LINPING, copy, third], tmp_path / "ix", encoders=FAKE, progress=False, workers=2)
    assert summary.plans == ("linping", "linping-third")
    assert [f for f, _ in summary.failures] == [str(copy)]
    assert "the process building this plan stopped" in summary.failures[0][1]
    monkeypatch.delenv("PLANGRAPH_FAULT_AT")
    _check_consistent(tmp_path / "ix")


def test_kill_while_deleting_a_removed_plans_shared_lines(base: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    add([_other_plan(tmp_path / "in")], ix, progress=False)
    copy_shard = Workspace(ix).manifest["plans"]["linping-copy"]["shard"]
    own = (ix / "plans" / copy_shard / "shared.nt").read_text("utf-8").splitlines()
    assert any("/id/linping-copy/" in line for line in own)  # lines only the copy states
    done = _child(["remove", "linping-copy", "--index", str(ix)], fault="shared-deleted")
    assert done.returncode == -9, done.stderr
    assert repair(ix).finished
    assert Workspace(ix).plan_ids == ("linping",)  # the repair finished the change
    _check_consistent(ix)  # which checks that none of the copy's own lines is left


def _compactions(ix: Path) -> dict[str, object]:
    store = GraphStore.open_writer(ix / "store")
    try:
        return dict(store.index_record().get("compaction", {}))
    finally:
        store.close()


def test_a_change_that_leaves_many_new_table_files_compacts_the_store(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import plangraph.workspace.writer as writer

    seen: list[tuple[int, int]] = []  # table files before and after each compaction
    real = GraphStore.compact

    def spy(self: GraphStore) -> None:
        before = self.files().count
        real(self)
        seen.append((before, self.files().count))

    monkeypatch.setattr(GraphStore, "compact", spy)
    monkeypatch.setattr(writer, "COMPACT_MIN_FILES", 8)
    monkeypatch.setattr(writer, "LOAD_BATCH_BYTES", 1)  # a bulk load a plan: their files overlap
    ix = tmp_path / "ix"
    build([LINPING, _other_plan(tmp_path / "in")], ix, encoders=FAKE, progress=False)
    assert len(seen) == 1 and seen[0][1] < seen[0][0]
    record = _compactions(ix)
    assert record["files"] == seen[0][1] and int(record["last"]) > 0  # type: ignore[call-overload]
    _check_consistent(ix)  # readers' snapshot is the compacted store
    monkeypatch.setattr(writer, "COMPACT_MIN_FILES", 10**6)
    remove(["linping-copy"], ix, progress=False)  # not due: no compaction, the record stays
    assert len(seen) == 1 and _compactions(ix) == record


def test_a_build_of_several_batches_merges_its_files_and_a_one_plan_add_does_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plangraph.workspace.writer as writer

    merged: list[int] = []
    real = GraphStore.compact

    def spy(self: GraphStore) -> None:
        real(self)
        merged.append(self.files().count)

    monkeypatch.setattr(GraphStore, "compact", spy)
    monkeypatch.setattr(writer, "COMPACT_MIN_FILES", 10**6)  # never due by the count of files
    monkeypatch.setattr(writer, "LOAD_BATCH_BYTES", 1)  # two plans: two batches, as a large build
    ix, other = tmp_path / "ix", _other_plan(tmp_path / "in")
    build([LINPING, other], ix, encoders=FAKE, progress=False)
    assert len(merged) == 1  # the build paid its own merge: the next small change does not
    record = _compactions(ix)
    assert record["files"] == merged[0]
    _check_consistent(ix)
    remove(["linping-copy"], ix, progress=False)
    add([other], ix, progress=False)  # one plan, one batch: not a large change
    assert len(merged) == 1 and _compactions(ix) == record


def test_kill_after_compacting_leaves_the_change_done(base: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    shutil.copytree(base, ix)
    code = ("import sys, plangraph.workspace.writer as w; w.COMPACT_MIN_FILES = 1; "
            "from plangraph.workspace import add; add([sys.argv[1]], sys.argv[2], progress=False)")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PLANGRAPH_FAULT_AT": "compacted"}
    done = subprocess.run([sys.executable, "-c", code, str(_other_plan(tmp_path / "in")), str(ix)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert repair(ix).finished
    assert Workspace(ix).plan_ids == ("linping", "linping-copy")
    _check_consistent(ix)
    assert _compactions(ix) == {}  # killed before it was recorded: the next change that is due compacts


def test_load_graphs_loads_several_plans_at_once_and_replaces_what_the_store_holds(tmp_path: Path) -> None:
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    # a literal holding " .\n" in N-Triples' escaped form stays one triple
    a.write_text('<http://x/s> <http://x/p> "one .\\ntwo" .\n<http://x/s> <http://x/p> <http://x/o> .', "utf-8")
    b.write_text('<http://x/t> <http://x/p> "three" .\n', "utf-8")
    store = GraphStore.open_writer(tmp_path / "store")
    try:
        store.load_graphs([("http://x/g/a", a), ("http://x/g/b", b)])
        assert (store.count("http://x/g/a"), store.count("http://x/g/b")) == (2, 1)
        assert store.lines_of("http://x/g/a") >= {'<http://x/s> <http://x/p> "one .\\ntwo" .'}
        assert not list(store.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        store.load_graphs([("http://x/g/a", b)])  # a graph the store holds is replaced, the others stay
        assert store.lines_of("http://x/g/a") == {'<http://x/t> <http://x/p> "three" .'}
        assert store.count("http://x/g/b") == 1
    finally:
        store.close()
    with pytest.raises(ValueError, match="not one triple a line ending in ' .': the N-Triples of http://x/g"):
        as_nquads(b"<http://x/s> <http://x/p> <http://x/o>.\n", "http://x/g")


def test_a_damaged_shard_file_is_named_and_the_graphs_loaded_before_stay(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.nt", tmp_path / "plans" / "x" / "graph.nt"
    good.write_text("<http://x/s> <http://x/p> <http://x/o> .\n", "utf-8")
    bad.parent.mkdir(parents=True)
    bad.write_text("<http://x/s> <http://x/p> <http://x/o>.\n", "utf-8")  # no space before the stop
    store = GraphStore.open_writer(tmp_path / "store")
    try:
        store.load_graphs([("http://x/g/good", good)])
        with pytest.raises(IndexStoreError, match=r"plans/x/graph\.nt: not one triple a line .*build the plan again"):
            store.load_graphs([("http://x/g/bad", bad)])
        assert store.count("http://x/g/good") == 1
    finally:
        store.close()


@pytest.mark.parametrize("step", ["graph-loaded", "plan-committed"])
def test_kill_between_batches_of_a_build_leaves_it_to_finish(tmp_path: Path, step: str) -> None:
    """A build loads its plans' graphs a batch at a time (here one plan a batch); a
    kill after the first batch's load or commit leaves a change the next writer
    finishes, with every plan's graph loaded once."""
    folder = tmp_path / "in"
    _other_plan(folder)
    shutil.copy(LINPING, folder / LINPING.name)
    shutil.copy(LINPING.with_suffix(".meta.toml"), folder)
    ix = tmp_path / "ix"
    code = ("import sys, plangraph.workspace.writer as w; w.LOAD_BATCH_BYTES = 1; "
            "from plangraph.workspace import build; build([sys.argv[1]], sys.argv[2], encoders=('fake',), "
            "progress=False)")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PLANGRAPH_FAULT_AT": step}
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(ix)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
    store = GraphStore.open_writer(ix / "store")
    try:  # the first batch is in the store, the second is not yet
        assert len(store.registry()) == (0 if step == "graph-loaded" else 1)
        assert len({plan_of_graph(g.value) for g in store.graphs()} - {None}) == 1
    finally:
        store.close()
    # the next writer finishes the first build (nothing was published yet), and then
    # finds nothing left to do
    summary = build([folder], ix, encoders=FAKE, progress=False)
    assert sorted(summary.unchanged) == ["linping", "linping-copy"] and not summary.added
    assert sorted(Workspace(ix).plan_ids) == ["linping", "linping-copy"]
    _check_consistent(ix)
